"""The gated-document flow end to end in the Django test client: request → verify → approve → access
link → terms → watermarked download, and every way a link can fail (403 page, never 500)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.factories import member
from tests.trustcenter.access.helpers import link_from_outbox
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter import services
from trustroom.trustcenter.models import (
    AccessGrant,
    AccessRequest,
    DownloadEvent,
    RequestStatus,
    TermsAcceptance,
)

pytestmark = pytest.mark.django_db
VISITOR = {
    "name": "Vera Visitor",
    "email": "vera@customer.example",
    "company": "Customer Ltd",
    "reason": "Vendor review",
}
UA = "Mozilla/5.0 (TrustroomTest)"


def url(name: str, org: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def request_access(client: Client, org: Any, capture: Any, **overrides: Any) -> Any:
    with capture(execute=True):
        return client.post(url("trust:request-access", org), {**VISITOR, **overrides}, HTTP_USER_AGENT=UA)


def verify(client: Client, capture: Any) -> Any:
    link = link_from_outbox("/verify/")
    assert client.get(link).status_code == 200
    with capture(execute=True):
        return client.post(link, HTTP_USER_AGENT=UA)


def approve_in_admin(org: Any, owner: Any, capture: Any, days: int = 30) -> AccessGrant:
    admin = Client()
    admin.force_login(owner)
    page = admin.get(url("trustcenter:requests", org))
    assert page.status_code == 200 and b"vera@customer.example" in page.content
    with org_scope(org):
        access_request = AccessRequest.objects.get(email=VISITOR["email"])
    with capture(execute=True):
        response = admin.post(url("trustcenter:request-approve", org, pk=access_request.pk), {"days": days})
    assert response.status_code == 302
    with org_scope(org):
        return AccessGrant.objects.get(request=access_request)


def accept_terms(client: Client, org: Any) -> Any:
    page = client.get(url("trust:terms", org))
    assert page.status_code == 200
    terms_id = page.context["terms"].pk
    return client.post(url("trust:terms", org), {"terms": terms_id, "accept": "yes"}, HTTP_USER_AGENT=UA)


def download_links(client: Client, org: Any) -> list[str]:
    page = client.get(url("trust:documents", org))
    assert page.status_code == 200, page.status_code
    return [row["url"] for row in page.context["rows"]]


def granted_visitor(org: Any, owner: Any, capture: Any) -> tuple[Client, AccessGrant]:
    """A visitor whose request was approved and who accepted the terms (session open)."""
    client = Client()
    request_access(client, org, capture)
    verify(client, capture)
    grant = approve_in_admin(org, owner, capture)
    client.get(link_from_outbox("/access/"))
    assert accept_terms(client, org).status_code == 302
    return client, grant


def test_the_whole_flow(
    org_a: Any, owner_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    visitor = Client()
    form = visitor.get(url("trust:request-access", org_a))
    assert form.status_code == 200 and b"Work e-mail" in form.content

    sent = request_access(visitor, org_a, capture)
    assert sent.status_code == 200 and b"Check your e-mail" in sent.content
    assert mail.outbox[-1].to == ["vera@customer.example"]
    with org_scope(org_a):
        access_request = AccessRequest.objects.get()
        assert access_request.status == RequestStatus.UNVERIFIED
        secret = link_from_outbox("/verify/").rstrip("/").rsplit("/", 1)[-1]
        assert secret not in access_request.verification_digest  # only a digest is stored
        assert access_request.verification_digest == services._digest(secret)

    # The owner cannot approve before the address is verified.
    admin = Client()
    admin.force_login(owner_a)
    admin.post(url("trustcenter:request-approve", org_a, pk=access_request.pk), {"days": 30})
    with org_scope(org_a):
        assert not AccessGrant.objects.exists()

    verified = verify(visitor, capture)
    assert verified.status_code == 200 and b"E-mail confirmed" in verified.content
    with org_scope(org_a):
        access_request.refresh_from_db()
        assert access_request.status == RequestStatus.PENDING
    assert owner_a.email in mail.outbox[-1].to  # reviewers are told

    grant = approve_in_admin(org_a, owner_a, capture, days=14)
    assert grant.expires_at - timezone.now() > timedelta(days=13, hours=23)
    assert mail.outbox[-1].to == ["vera@customer.example"]
    access_link = link_from_outbox("/access/")

    # Documents before terms: sent to the terms.
    assert visitor.get(access_link).url == url("trust:terms", org_a)
    assert visitor.get(url("trust:documents", org_a)).url == url("trust:terms", org_a)
    assert accept_terms(visitor, org_a).url == url("trust:documents", org_a)
    with org_scope(org_a):
        acceptance = TermsAcceptance.objects.get()
        assert (acceptance.email, acceptance.grant_id, acceptance.terms.version) == (
            VISITOR["email"],
            grant.pk,
            1,
        )
        assert acceptance.ip == "127.0.0.1" and acceptance.user_agent == UA

    page = visitor.get(url("trust:documents", org_a))
    titles = [row["item"].title for row in page.context["rows"]]
    assert titles == ["ISO 27001 certificate", "SOC 2 Type 2 report"]  # the private one is not offered
    iso_link = page.context["rows"][0]["url"]
    response = visitor.get(iso_link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    for number, pdf_page in enumerate(reader.pages, start=1):
        text = pdf_page.extract_text()
        assert "vera@customer.example" in text, f"page {number} has no watermark"
        assert "Vera Visitor" in text and "UTC" in text

    with org_scope(org_a):
        download = DownloadEvent.objects.get()
        assert (download.email, download.grant_id, download.acceptance_id) == (
            VISITOR["email"],
            grant.pk,
            acceptance.pk,
        )
        event = AuditEvent.objects.filter(action="trustcenter.document_downloaded").get()
        assert event.actor_label == "Visitor Vera Visitor <vera@customer.example>"
        assert event.target_id == str(trust_a["iso"].document_id)
        assert event.changes["grant"] == grant.pk and event.changes["terms_version"] == 1

    # The admin logs show it.
    assert b"vera@customer.example" in admin.get(url("trustcenter:acceptances", org_a)).content
    assert b"ISO 27001 certificate" in admin.get(url("trustcenter:downloads", org_a)).content


def test_tampered_or_expired_verification_link_is_a_403_page(
    org_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    request_access(client, org_a, django_capture_on_commit_callbacks)
    link = link_from_outbox("/verify/")
    tampered = link[:-3] + ("AA/" if not link.endswith("AA/") else "BB/")
    for method in (client.get, client.post):
        response = method(tampered)
        assert response.status_code == 403
        assert b"This link is not valid" in response.content
    with time_machine.travel(timezone.now() + services.VERIFICATION_TTL + timedelta(minutes=1)):
        for method in (client.get, client.post):
            response = method(link)
            assert response.status_code == 403
            assert b"This link has expired" in response.content
    with org_scope(org_a):
        assert AccessRequest.objects.get().status == RequestStatus.UNVERIFIED


def test_denial(
    org_a: Any, owner_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    client = Client()
    request_access(client, org_a, capture)
    verify(client, capture)
    with org_scope(org_a):
        access_request = AccessRequest.objects.get()
    admin = Client()
    admin.force_login(owner_a)
    with capture(execute=True):
        admin.post(url("trustcenter:request-deny", org_a, pk=access_request.pk), {"note": "not a customer"})
    with org_scope(org_a):
        access_request.refresh_from_db()
        assert access_request.status == RequestStatus.DENIED and access_request.decided_by == owner_a
        assert not AccessGrant.objects.exists()
    assert "declined" in mail.outbox[-1].body and mail.outbox[-1].to == [VISITOR["email"]]
    # A decided request cannot be approved afterwards.
    admin.post(url("trustcenter:request-approve", org_a, pk=access_request.pk), {"days": 30})
    with org_scope(org_a):
        assert not AccessGrant.objects.exists()


def test_a_viewer_cannot_approve(
    org_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    request_access(client, org_a, django_capture_on_commit_callbacks)
    verify(client, django_capture_on_commit_callbacks)
    viewer = Client()
    viewer.force_login(member(org_a, "viewer"))
    with org_scope(org_a):
        access_request = AccessRequest.objects.get()
    assert (
        viewer.post(url("trustcenter:request-approve", org_a, pk=access_request.pk), {"days": 30}).status_code
        == 403
    )
    with org_scope(org_a):
        assert not AccessGrant.objects.exists()


def test_auto_approve_by_domain(
    org_a: Any, actor_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with org_scope(org_a):
        services.update_settings(
            actor=actor_a, auto_approve_domains=["customer.example"], default_grant_days=10
        )
    client = Client()
    request_access(client, org_a, django_capture_on_commit_callbacks)
    response = verify(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == url("trust:terms", org_a)
    with org_scope(org_a):
        access_request = AccessRequest.objects.get()
        assert access_request.status == RequestStatus.APPROVED
        assert access_request.auto_approved_by == "auto-approve domain customer.example"
        grant = AccessGrant.objects.get()
        assert timedelta(days=9, hours=23) < grant.expires_at - timezone.now() <= timedelta(days=10)
    assert "/access/" in mail.outbox[-1].body
    # The session opened by the verification is the grant's: terms, then documents.
    assert accept_terms(client, org_a).status_code == 302
    assert len(download_links(client, org_a)) == 2


def test_other_domains_are_not_auto_approved(
    org_a: Any, actor_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with org_scope(org_a):
        services.update_settings(actor=actor_a, auto_approve_domains=["customer.example"])
    client = Client()
    # Exact domains only: neither a subdomain nor a look-alike is approved.
    request_access(client, org_a, django_capture_on_commit_callbacks, email="vera@mail.customer.example")
    verify(client, django_capture_on_commit_callbacks)
    with org_scope(org_a):
        assert AccessRequest.objects.get().status == RequestStatus.PENDING


def test_work_email_rules_and_rate_limit(
    org_a: Any, actor_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    refused = request_access(client, org_a, django_capture_on_commit_callbacks, email="someone@gmail.com")
    assert refused.status_code == 400 and b"Use your work e-mail address" in refused.content
    with org_scope(org_a):
        assert not AccessRequest.objects.exists()
    for _ in range(services.REQUESTS_PER_EMAIL):
        assert (
            request_access(
                client, org_a, django_capture_on_commit_callbacks, email="x@acme.example"
            ).status_code
            == 200
        )
    throttled = request_access(client, org_a, django_capture_on_commit_callbacks, email="x@acme.example")
    assert throttled.status_code == 429 and b"Too many access requests" in throttled.content
    # Per address as well: other e-mails from the same client are limited too.
    statuses = [
        request_access(
            client, org_a, django_capture_on_commit_callbacks, email=f"p{n}@acme.example"
        ).status_code
        for n in range(services.REQUESTS_PER_IP)
    ]
    assert statuses[-1] == 429
    with org_scope(org_a):
        assert AccessRequest.objects.count() < services.REQUESTS_PER_IP


def test_unpublished_trust_center_takes_no_requests(
    org_a: Any, actor_a: Any, trust_a: dict[str, Any]
) -> None:
    with org_scope(org_a):
        services.update_settings(actor=actor_a, published=False)
    client = Client()
    assert client.get(url("trust:request-access", org_a)).status_code == 404
    assert client.post(url("trust:request-access", org_a), VISITOR).status_code == 404


def test_grant_expiry_is_computed_when_read(
    org_a: Any, owner_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client, grant = granted_visitor(org_a, owner_a, django_capture_on_commit_callbacks)
    link = download_links(client, org_a)[0]
    assert grant.status() == "active"
    with time_machine.travel(grant.expires_at + timedelta(seconds=1)):
        assert grant.status() == "expired"  # no job ran: the timestamp decides
        response = client.get(link_from_outbox("/access/"))
        assert response.status_code == 403 and b"Your access has expired" in response.content
        for path in (url("trust:documents", org_a), url("trust:terms", org_a)):
            assert client.get(path).status_code == 403
    # Four minutes before expiry, a link made then still works; one second after expiry it does not.
    # A link made four minutes before the grant expires is young enough, but the grant is not.
    with org_scope(org_a):
        acceptance = TermsAcceptance.objects.get(grant=grant)
    with time_machine.travel(grant.expires_at - timedelta(minutes=4)), org_scope(org_a):
        token = services.download_token(document=trust_a["iso"].document, acceptance=acceptance)
    with time_machine.travel(grant.expires_at + timedelta(seconds=1)):
        response = client.get(url("trust:download", org_a, token=token))
        assert response.status_code == 403 and b"Your access has expired" in response.content
    assert client.get(link).status_code == 200  # and now, before expiry, the first link still works


def test_revoking_kills_an_issued_download_link(
    org_a: Any, owner_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client, grant = granted_visitor(org_a, owner_a, django_capture_on_commit_callbacks)
    link = download_links(client, org_a)[0]
    assert client.get(link).status_code == 200
    admin = Client()
    admin.force_login(owner_a)
    confirm = admin.get(url("trustcenter:grant-revoke", org_a, pk=grant.pk))
    assert confirm.status_code == 200 and b"Revoke access of vera@customer.example" in confirm.content
    assert admin.post(url("trustcenter:grant-revoke", org_a, pk=grant.pk)).status_code == 302
    response = client.get(link)
    assert response.status_code == 403 and b"Your access was revoked" in response.content
    assert client.get(url("trust:documents", org_a)).status_code == 403
    assert client.get(link_from_outbox("/access/")).status_code == 403
    with org_scope(org_a):
        assert DownloadEvent.objects.count() == 1


def test_new_terms_require_acceptance_again(
    org_a: Any, owner_a: Any, actor_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client, _grant = granted_visitor(org_a, owner_a, django_capture_on_commit_callbacks)
    link = download_links(client, org_a)[0]
    with org_scope(org_a):
        services.publish_terms(actor=actor_a, body="Version two of the terms.")
    refused = client.get(link)
    assert refused.status_code == 403 and b"The confidentiality terms have changed" in refused.content
    assert client.get(url("trust:documents", org_a)).url == url("trust:terms", org_a)
    page = client.get(url("trust:terms", org_a))
    assert b"Version two of the terms." in page.content and page.context["accepted"] is None
    assert accept_terms(client, org_a).status_code == 302
    assert client.get(download_links(client, org_a)[0]).status_code == 200
    with org_scope(org_a):
        assert sorted(TermsAcceptance.objects.values_list("terms__version", flat=True)) == [1, 2]


def test_no_download_without_acceptance_of_the_grant(
    org_a: Any, owner_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """A token must carry the grant's own acceptance of the current terms: another grant's acceptance,
    or a token naming no acceptance, downloads nothing."""
    client, grant = granted_visitor(org_a, owner_a, django_capture_on_commit_callbacks)
    document_id = trust_a["iso"].document_id
    with org_scope(org_a):
        acceptance = TermsAcceptance.objects.get(grant=grant)
        other = AccessGrant.objects.create(
            name="Other", email="other@else.example", access_digest="x" * 64, expires_at=grant.expires_at
        )
    forged = [
        {"o": org_a.pk, "g": other.pk, "c": None, "d": document_id, "a": acceptance.pk},
        {"o": org_a.pk, "g": grant.pk, "c": None, "d": document_id, "a": None},
        {"o": org_a.pk, "g": None, "c": None, "d": document_id, "a": acceptance.pk},
    ]
    for payload in forged:
        token = signing.dumps(payload, salt=services.DOWNLOAD_SALT)
        assert client.get(url("trust:download", org_a, token=token)).status_code == 403
    with org_scope(org_a):
        assert not DownloadEvent.objects.exists()


def test_terms_must_be_ticked(
    org_a: Any, owner_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    client = Client()
    request_access(client, org_a, capture)
    verify(client, capture)
    approve_in_admin(org_a, owner_a, capture)
    client.get(link_from_outbox("/access/"))
    terms_id = client.get(url("trust:terms", org_a)).context["terms"].pk
    client.post(url("trust:terms", org_a), {"terms": terms_id})
    with org_scope(org_a):
        assert not TermsAcceptance.objects.exists()
    assert client.get(url("trust:documents", org_a)).status_code == 302


def test_tampered_or_expired_download_link_is_a_403_page(
    org_a: Any, owner_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client, _grant = granted_visitor(org_a, owner_a, django_capture_on_commit_callbacks)
    link = download_links(client, org_a)[0]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    payload = signing.loads(token, salt=services.DOWNLOAD_SALT)
    # Another document id under the same signature, a flipped character, a different salt.
    tampered = [
        link.replace(token, token[:-2] + ("xy" if not token.endswith("xy") else "ab")),
        link.replace(token, signing.dumps({**payload, "d": trust_a["private"].document_id}, salt="other")),
        link.replace(token, token.split(":")[0] + ":" + ":".join(token.split(":")[1:])[::-1]),
    ]
    for path in tampered:
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"This link is not valid" in response.content
    with time_machine.travel(timezone.now() + timedelta(seconds=services.DOWNLOAD_LINK_SECONDS + 1)):
        response = client.get(link)
        assert response.status_code == 403 and b"This link has expired" in response.content


def test_documents_outside_the_grant_or_made_private_are_refused(
    org_a: Any, owner_a: Any, actor_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    client = Client()
    with capture(execute=True):
        client.post(
            url("trust:request-access", org_a), {**VISITOR, "documents": [str(trust_a["soc"].document_id)]}
        )
    verify(client, capture)
    approve_in_admin(org_a, owner_a, capture)
    client.get(link_from_outbox("/access/"))
    accept_terms(client, org_a)
    page = client.get(url("trust:documents", org_a))
    assert [row["item"].title for row in page.context["rows"]] == ["SOC 2 Type 2 report"]
    with org_scope(org_a):
        acceptance = TermsAcceptance.objects.get()
        iso_token = services.download_token(document=trust_a["iso"].document, acceptance=acceptance)
        private_token = services.download_token(document=trust_a["private"].document, acceptance=acceptance)
    assert client.get(url("trust:download", org_a, token=iso_token)).status_code == 403
    assert client.get(url("trust:download", org_a, token=private_token)).status_code == 403
    soc_link = page.context["rows"][0]["url"]
    assert client.get(soc_link).status_code == 200
    from trustroom.compliance.services import update_certification

    with org_scope(org_a):
        update_certification(actor=actor_a, certification=trust_a["soc"], visibility="private")
    response = client.get(soc_link)
    assert response.status_code == 403 and b"not available to you" in response.content


def test_another_organizations_links_and_ids_open_nothing(
    org_a: Any,
    owner_a: Any,
    org_b: Any,
    owner_b: Any,
    trust_a: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tests.trustcenter.access.helpers import owner_principal, publish_trust_center

    publish_trust_center(org_b, owner_principal(org_b, owner_b))
    client, grant = granted_visitor(org_a, owner_a, django_capture_on_commit_callbacks)
    link = download_links(client, org_a)[0]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    # A's signed link under B's trust center: refused (the organization is bound into the link).
    assert client.get(url("trust:download", org_b, token=token)).status_code == 403
    assert client.get(url("trust:documents", org_b)).status_code == 403  # the session is A's grant only
    secret = link_from_outbox("/access/").rstrip("/").rsplit("/", 1)[-1]
    assert client.get(url("trust:access", org_b, secret=secret)).status_code == 403
    # B's owner, on B's admin pages, aiming at A's ids: 404 like a missing one.
    admin_b = Client()
    admin_b.force_login(owner_b)
    assert admin_b.post(url("trustcenter:grant-revoke", org_b, pk=grant.pk)).status_code == 404
    assert (
        admin_b.post(url("trustcenter:request-approve", org_b, pk=grant.request_id), {"days": 3}).status_code
        == 404
    )
    assert admin_b.get(url("trustcenter:requests", org_a)).status_code == 404
    with org_scope(org_a):
        grant.refresh_from_db()
        assert grant.is_active()


def test_a_new_access_link_replaces_the_old_one(
    org_a: Any, owner_a: Any, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _client, grant = granted_visitor(org_a, owner_a, django_capture_on_commit_callbacks)
    old_link = link_from_outbox("/access/")
    admin = Client()
    admin.force_login(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url("trustcenter:grant-resend", org_a, pk=grant.pk))
    assert response.status_code == 302
    new_link = link_from_outbox("/access/")
    assert new_link != old_link and mail.outbox[-1].to == [VISITOR["email"]]
    fresh = Client()
    assert fresh.get(old_link).status_code == 403
    assert fresh.get(new_link).url == url("trust:terms", org_a)
