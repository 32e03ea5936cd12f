"""Customer accounts: signed-in contacts see the documents their account may access (after the terms);
requests from the account's domains are approved with the account's access."""

from __future__ import annotations

import io
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import UserFactory
from tests.trustcenter.access.helpers import link_from_outbox
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter import services
from trustroom.trustcenter.models import AccessGrant, CustomerAccount, DownloadEvent, TermsAcceptance

pytestmark = pytest.mark.django_db


def url(name: str, org: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def contact_user(email: str, *, verified: bool = True) -> Any:
    user = UserFactory(email=email, full_name="Cora Contact")
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def account(org_a: Any, actor_a: Any, trust_a: dict[str, Any]) -> CustomerAccount:
    with org_scope(org_a):
        account = services.create_customer_account(
            actor=actor_a,
            name="Northwind",
            email_domains=["northwind.example"],
            document_ids=[trust_a["soc"].document_id],
        )
        services.add_customer_contact(actor=actor_a, account=account, email="cora@northwind.example")
        return account


def test_a_contact_sees_only_the_accounts_documents_after_the_terms(
    org_a: Any, account: CustomerAccount, trust_a: dict[str, Any]
) -> None:
    client = Client()
    anonymous = client.get(url("trust:account", org_a))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    client.force_login(contact_user("cora@northwind.example"))
    page = client.get(url("trust:account", org_a))
    assert page.status_code == 200 and b"Compliance and Certifications" in page.content
    assert page.context["rows"] == [] and page.context["accepted"] is None
    client.post(url("trust:account", org_a), {"terms": page.context["terms"].pk, "accept": "yes"})
    page = client.get(url("trust:account", org_a))
    assert [row["item"].title for row in page.context["rows"]] == ["SOC 2 Type 2 report"]
    response = client.get(page.context["rows"][0]["url"])
    assert response.status_code == 200
    for pdf_page in PdfReader(io.BytesIO(response.content)).pages:
        assert "cora@northwind.example" in pdf_page.extract_text()
    with org_scope(org_a):
        acceptance = TermsAcceptance.objects.get()
        assert acceptance.contact is not None and acceptance.grant is None
        assert DownloadEvent.objects.get().contact_id == acceptance.contact_id
        assert AuditEvent.objects.filter(action="trustcenter.document_downloaded").count() == 1
        # A document outside the account's access: refused even with a valid signature.
        token = services.download_token(document=trust_a["iso"].document, acceptance=acceptance)
    assert client.get(url("trust:download", org_a, token=token)).status_code == 403


def test_giving_the_account_more_documents_shows_them(
    org_a: Any, actor_a: Any, account: CustomerAccount, trust_a: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(contact_user("cora@northwind.example"))
    page = client.get(url("trust:account", org_a))
    client.post(url("trust:account", org_a), {"terms": page.context["terms"].pk, "accept": "yes"})
    with org_scope(org_a):
        services.update_customer_account(actor=actor_a, account=account, all_gated_documents=True)
    titles = [row["item"].title for row in client.get(url("trust:account", org_a)).context["rows"]]
    assert titles == ["ISO 27001 certificate", "SOC 2 Type 2 report"]


def test_people_who_are_not_contacts_see_nothing(org_a: Any, account: CustomerAccount, owner_a: Any) -> None:
    for user in (
        contact_user("someone@northwind.example"),  # the right domain is not enough
        contact_user("cora@northwind.example", verified=False),  # an unverified address proves nothing
        owner_a,  # members use the admin pages
    ):
        client = Client()
        client.force_login(user)
        assert client.get(url("trust:account", org_a)).status_code == 404
        EmailAddress.objects.filter(user=user).delete()


def test_a_contacts_link_does_not_work_for_someone_else(
    org_a: Any, actor_a: Any, account: CustomerAccount
) -> None:
    cora = Client()
    cora.force_login(contact_user("cora@northwind.example"))
    page = cora.get(url("trust:account", org_a))
    cora.post(url("trust:account", org_a), {"terms": page.context["terms"].pk, "accept": "yes"})
    link = cora.get(url("trust:account", org_a)).context["rows"][0]["url"]
    with org_scope(org_a):
        services.add_customer_contact(actor=actor_a, account=account, email="dan@northwind.example")
    dan = Client()
    dan.force_login(contact_user("dan@northwind.example"))
    assert dan.get(link).status_code == 403
    assert Client().get(link).status_code == 403  # nor for nobody
    # Removing Cora from the account kills her link at once.
    with org_scope(org_a):
        contact = account.contacts.get(email="cora@northwind.example")
        services.remove_customer_contact(actor=actor_a, contact=contact)
    assert cora.get(link).status_code in (403, 404)


def test_requests_from_an_account_domain_get_the_accounts_access(
    org_a: Any, account: CustomerAccount, trust_a: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("trust:request-access", org_a),
            {"name": "Nick", "email": "nick@northwind.example", "company": "Northwind"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link_from_outbox("/verify/"))
    assert response.status_code == 302
    with org_scope(org_a):
        grant = AccessGrant.objects.get()
        assert grant.customer_account_id == account.pk and not grant.all_gated_documents
        assert set(grant.document_links.values_list("document_id", flat=True)) == {trust_a["soc"].document_id}
        assert grant.request.auto_approved_by == "customer account Northwind"
    assert mail.outbox[-1].to == ["nick@northwind.example"]


def test_admin_pages_manage_accounts(org_a: Any, owner_a: Any, trust_a: dict[str, Any]) -> None:
    admin = Client()
    admin.force_login(owner_a)
    response = admin.post(
        url("trustcenter:customers", org_a),
        {
            "name": "Contoso",
            "email_domains": "contoso.example\nContoso.COM",
            "documents": [str(trust_a["iso"].document_id)],
        },
    )
    assert response.status_code == 302
    with org_scope(org_a):
        account = CustomerAccount.objects.get(name="Contoso")
        assert account.email_domains == ["contoso.example", "contoso.com"]
    assert admin.get(url("trustcenter:customer", org_a, pk=account.pk)).status_code == 200
    admin.post(
        url("trustcenter:customer-contact-add", org_a, pk=account.pk), {"email": "Ann@Contoso.example"}
    )
    with org_scope(org_a):
        contact = account.contacts.get()
        assert contact.email == "ann@contoso.example"
    bad = admin.post(url("trustcenter:customers", org_a), {"name": "Bad", "email_domains": "not a domain"})
    assert bad.status_code == 400 and b"is not an e-mail domain" in bad.content
    private = admin.post(
        url("trustcenter:customers", org_a),
        {"name": "Sneaky", "documents": [str(trust_a["private"].document_id)]},
    )
    assert private.status_code == 400
    admin.post(url("trustcenter:customer-contact-remove", org_a, pk=account.pk, contact_pk=contact.pk))
    with org_scope(org_a):
        assert not account.contacts.exists()
        assert not CustomerAccount.objects.filter(name__in=["Bad", "Sneaky"]).exists()


def join_link() -> str:
    return link_from_outbox("/account/join/")


def test_a_new_contact_creates_a_sign_in_from_the_emailed_link(
    org_a: Any, actor_a: Any, account: CustomerAccount, django_capture_on_commit_callbacks: Any
) -> None:
    with org_scope(org_a), django_capture_on_commit_callbacks(execute=True):
        services.add_customer_contact(actor=actor_a, account=account, email="erin@northwind.example")
    assert mail.outbox[-1].to == ["erin@northwind.example"]
    link = join_link()
    client = Client()
    tampered = client.get(link[:-4] + "zzz/")
    assert tampered.status_code == 403 and b"This link is not valid" in tampered.content
    form = client.get(link)
    assert form.status_code == 200 and b"erin@northwind.example" in form.content
    weak = client.post(link, {"full_name": "Erin", "password1": "short", "password2": "short"})
    assert weak.status_code == 400
    response = client.post(
        link,
        {
            "full_name": "Erin Example",
            "password1": "a long pass phrase 4711",
            "password2": "a long pass phrase 4711",
        },
    )
    assert response.status_code == 302 and response.url == reverse(
        "trust:account", kwargs={"org_slug": org_a.slug}
    )
    page = client.get(response.url)
    assert page.status_code == 200 and page.context["contact"].email == "erin@northwind.example"
    assert EmailAddress.objects.get(email="erin@northwind.example").verified
    # The link is used up.
    assert Client().get(link).status_code == 403


def test_an_expired_join_link_is_refused(
    org_a: Any, actor_a: Any, account: CustomerAccount, django_capture_on_commit_callbacks: Any
) -> None:
    import time_machine
    from django.utils import timezone

    with org_scope(org_a), django_capture_on_commit_callbacks(execute=True):
        services.add_customer_contact(actor=actor_a, account=account, email="fay@northwind.example")
    link = join_link()
    with time_machine.travel(timezone.now() + services.CONTACT_INVITE_TTL + timezone.timedelta(minutes=1)):
        response = Client().post(
            link,
            {
                "full_name": "Fay",
                "password1": "a long pass phrase 4711",
                "password2": "a long pass phrase 4711",
            },
        )
    assert response.status_code == 403 and b"This link has expired" in response.content
    assert not EmailAddress.objects.filter(email="fay@northwind.example").exists()


def test_an_existing_user_is_told_to_sign_in(
    org_a: Any, actor_a: Any, account: CustomerAccount, django_capture_on_commit_callbacks: Any
) -> None:
    contact_user("gus@northwind.example")
    with org_scope(org_a), django_capture_on_commit_callbacks(execute=True):
        contact = services.add_customer_contact(actor=actor_a, account=account, email="gus@northwind.example")
    assert "/account/join/" not in mail.outbox[-1].body and "/account/" in mail.outbox[-1].body
    assert contact.invite_digest == ""


def test_the_account_page_shows_the_register_with_states(org_a: Any, account: CustomerAccount) -> None:
    client = Client()
    client.force_login(contact_user("cora@northwind.example"))
    page = client.get(url("trust:account", org_a))
    content = page.content.decode()
    assert "ISO 27001 certificate" in content and "SOC 2 Type 2 report" in content
    assert "Internal pentest" not in content  # private items never show
    assert "Valid until" in content
