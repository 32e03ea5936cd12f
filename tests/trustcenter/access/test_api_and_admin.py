"""The organization's side: settings, terms, requests, grants and customer accounts, in the admin UI
and through the API (same services, same policies)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import member
from tests.trustcenter.access.helpers import link_from_outbox
from trustroom.audit.models import AuditEvent
from trustroom.identity.services import create_api_token
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter import selectors, services
from trustroom.trustcenter.models import AccessGrant, AccessRequest, ConfidentialityTerms, RequestStatus

pytestmark = pytest.mark.django_db


def api(org: Any, path: str) -> str:
    return f"/api/v1/orgs/{org.slug}/trust-center/{path}"


@pytest.fixture
def owner_api(owner_a: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(owner_a)
    return client


def verified_request(org: Any, capture: Any, email: str = "pat@prospect.example") -> AccessRequest:
    client = Client()
    with capture(execute=True):
        client.post(
            reverse("trust:request-access", kwargs={"org_slug": org.slug}),
            {"name": "Pat", "email": email, "company": "Prospect"},
        )
    with capture(execute=True):
        client.post(link_from_outbox("/verify/"))
    with org_scope(org):
        return AccessRequest.objects.get(email=email)


def test_settings_page_and_api(
    org_a: Any, owner_a: Any, owner_api: APIClient, trust_a: dict[str, Any]
) -> None:
    admin = Client()
    admin.force_login(owner_a)
    response = admin.post(
        reverse("trustcenter:settings", kwargs={"org_slug": org_a.slug}),
        {
            "published": "on",
            "intro": "Hello",
            "default_grant_days": "45",
            "auto_approve_domains": "Partner.example, other.example",
            "refused_email_domains": "gmail.com",
        },
    )
    assert response.status_code == 302
    with org_scope(org_a):
        config = selectors.trust_center_settings()
        assert (config.default_grant_days, config.auto_approve_domains) == (
            45,
            ["partner.example", "other.example"],
        )
    data = owner_api.get(api(org_a, "settings/")).json()
    assert data["intro"] == "Hello" and data["published"] is True
    patched = owner_api.patch(api(org_a, "settings/"), {"default_grant_days": 7}, format="json")
    assert patched.status_code == 200 and patched.json()["default_grant_days"] == 7
    assert (
        owner_api.patch(api(org_a, "settings/"), {"default_grant_days": 0}, format="json").status_code == 400
    )
    bad = owner_api.patch(api(org_a, "settings/"), {"auto_approve_domains": ["not a domain"]}, format="json")
    assert bad.status_code == 400 and "is not an e-mail domain" in bad.json()["auto_approve_domains"][0]
    viewer = APIClient()
    viewer.force_authenticate(member(org_a, "viewer"))
    assert viewer.get(api(org_a, "settings/")).status_code == 200
    assert viewer.patch(api(org_a, "settings/"), {"intro": "x"}, format="json").status_code == 403


def test_terms_versions(org_a: Any, owner_a: Any, owner_api: APIClient, trust_a: dict[str, Any]) -> None:
    admin = Client()
    admin.force_login(owner_a)
    page = admin.get(reverse("trustcenter:terms", kwargs={"org_slug": org_a.slug}))
    assert page.status_code == 200 and b"v1" in page.content
    same = admin.post(
        page.request["PATH_INFO"],
        {"title": "Confidentiality terms", "body": page.context["form"].initial["body"]},
    )
    assert same.status_code == 400  # publishing the same text again is refused
    created = owner_api.post(api(org_a, "terms/"), {"body": "Version two."}, format="json")
    assert created.status_code == 201 and created.json()["version"] == 2 and created.json()["is_current"]
    listed = owner_api.get(api(org_a, "terms/")).json()["results"]
    assert [(t["version"], t["is_current"]) for t in listed] == [(2, True), (1, False)]
    with org_scope(org_a):
        assert selectors.current_terms() == ConfidentialityTerms.objects.get(version=2)
        assert AuditEvent.objects.filter(action="trustcenter.terms_published").count() == 2


def test_approve_deny_and_revoke_through_the_api(
    org_a: Any, owner_api: APIClient, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    first = verified_request(org_a, capture)
    second = verified_request(org_a, capture, email="quinn@prospect.example")
    listed = owner_api.get(api(org_a, "access-requests/")).json()["results"]
    assert {r["status"] for r in listed} == {"pending"}
    with capture(execute=True):
        approved = owner_api.post(
            api(org_a, f"access-requests/{first.pk}/approve/"), {"days": 3}, format="json"
        )
    assert approved.status_code == 201 and approved.json()["status"] == "active"
    assert "/access/" in link_from_outbox("/access/")
    assert (
        owner_api.post(api(org_a, f"access-requests/{first.pk}/approve/"), {}, format="json").status_code
        == 400
    )
    denied = owner_api.post(api(org_a, f"access-requests/{second.pk}/deny/"), {"note": "no"}, format="json")
    assert denied.status_code == 200 and denied.json()["status"] == RequestStatus.DENIED
    grant_id = approved.json()["id"]
    revoked = owner_api.post(api(org_a, f"grants/{grant_id}/revoke/"))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert owner_api.post(api(org_a, f"grants/{grant_id}/revoke/")).status_code == 400
    assert owner_api.get(api(org_a, "grants/")).json()["results"][0]["status"] == "revoked"


def test_a_read_token_cannot_decide(
    org_a: Any, actor_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    access_request = verified_request(org_a, django_capture_on_commit_callbacks)
    with org_scope(org_a):
        _token, raw = create_api_token(actor=actor_a, name="reader", scope="read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(api(org_a, "access-requests/")).status_code == 200
    assert (
        client.post(
            api(org_a, f"access-requests/{access_request.pk}/approve/"), {}, format="json"
        ).status_code
        == 403
    )
    with org_scope(org_a):
        assert not AccessGrant.objects.exists()


def test_customer_accounts_api(org_a: Any, owner_api: APIClient, trust_a: dict[str, Any]) -> None:
    iso = trust_a["iso"].document_id
    created = owner_api.post(
        api(org_a, "customer-accounts/"),
        {"name": "Globex", "email_domains": ["globex.example"], "documents": [iso]},
        format="json",
    )
    assert created.status_code == 201 and created.json()["documents"] == [iso]
    account_id = created.json()["id"]
    patched = owner_api.patch(
        api(org_a, f"customer-accounts/{account_id}/"),
        {"all_gated_documents": True, "documents": []},
        format="json",
    )
    assert (
        patched.status_code == 200
        and patched.json()["all_gated_documents"]
        and patched.json()["documents"] == []
    )
    refused = owner_api.post(
        api(org_a, "customer-accounts/"),
        {"name": "Leaky", "documents": [trust_a["private"].document_id]},
        format="json",
    )
    assert refused.status_code == 400
    assert (
        owner_api.post(api(org_a, "customer-accounts/"), {"name": "Globex"}, format="json").status_code == 400
    )


def test_grants_page_filters_and_requests_page_lists_pending_first(
    org_a: Any, owner_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    first = verified_request(org_a, capture)
    verified_request(org_a, capture, email="later@prospect.example")
    with org_scope(org_a):
        services.deny_access_request(
            actor=services.Principal(organization=org_a, role="owner", user=owner_a), access_request=first
        )
    admin = Client()
    admin.force_login(owner_a)
    page = admin.get(reverse("trustcenter:requests", kwargs={"org_slug": org_a.slug}))
    assert [r.email for r in page.context["requests"]] == ["later@prospect.example", "pat@prospect.example"]
    grants = admin.get(reverse("trustcenter:grants", kwargs={"org_slug": org_a.slug}) + "?status=active")
    assert grants.status_code == 200 and b"No grants with this status" in grants.content


def test_services_check_the_policy_themselves(
    org_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Not only the views: a viewer's principal cannot decide, revoke or publish through the services."""
    from django.core.exceptions import PermissionDenied

    from tests.factories import principal_for

    access_request = verified_request(org_a, django_capture_on_commit_callbacks)
    viewer = principal_for(member(org_a, "viewer"), org_a)
    editor = principal_for(member(org_a, "editor"), org_a)
    with org_scope(org_a):
        for call in (
            lambda: services.approve_access_request(actor=viewer, access_request=access_request),
            lambda: services.deny_access_request(actor=viewer, access_request=access_request),
            lambda: services.publish_terms(actor=editor, body="An editor may not publish terms."),
            lambda: services.update_settings(actor=editor, published=False),
        ):
            with pytest.raises(PermissionDenied):
                call()
        grant, _secret = services.approve_access_request(actor=editor, access_request=access_request)
        with pytest.raises(PermissionDenied):
            services.revoke_grant(actor=viewer, grant=grant)
        assert AccessGrant.objects.get().revoked_at is None


def test_customer_contacts_api(
    org_a: Any, owner_api: APIClient, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    account = owner_api.post(api(org_a, "customer-accounts/"), {"name": "Initech"}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        created = owner_api.post(
            api(org_a, "customer-contacts/"),
            {"account": account["id"], "email": "Bill@Initech.example"},
            format="json",
        )
    assert created.status_code == 201 and created.json()["email"] == "bill@initech.example"
    assert created.json()["invited"] is True
    first_link = link_from_outbox("/account/join/")
    contact_id = created.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_api.post(api(org_a, f"customer-contacts/{contact_id}/invite/")).status_code == 200
    assert link_from_outbox("/account/join/") != first_link
    assert Client().get(first_link).status_code == 403  # the old link stopped working
    missing = owner_api.post(
        api(org_a, "customer-contacts/"), {"account": 2_000_000, "email": "x@y.example"}, format="json"
    )
    assert missing.status_code == 400
    assert owner_api.delete(api(org_a, f"customer-contacts/{contact_id}/")).status_code == 204
    assert owner_api.get(api(org_a, "customer-contacts/")).json()["results"] == []
