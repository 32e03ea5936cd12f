"""Cross-tenant entries of the trust center's gated-document flow: the organization's side
(/o/<org_slug>/trust-center/, /api/v1/orgs/<org_slug>/trust-center/) and the visitor's side under
/trust/<org_slug>/ (request access, verification and access links, terms, documents, downloads,
customer accounts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.cross_tenant import ORG, PUBLIC_ORG, Route, obj
from trustroom.compliance.services import attach_document, create_certification
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal
from trustroom.trustcenter import services
from trustroom.vault.samples import sample_pdf

_CAPABILITY_NOTE = (
    "The secret or signed token in the URL is the capability (it opens A's request, grant or document for "
    "whoever holds it, and using it writes A's records, e.g. a download event): under A's own slug that is "
    "expected. Under B's slug A's secret or token must open nothing, exactly like a made-up one."
)
_VISITOR_NOTE = (
    "Visitor pages: under B's slug nothing of A shows; under A's slug, without A's access link in the "
    "session, they open nothing (403 page) and show no document link."
)

ROUTES: dict[str, Route] = {
    # The organization's side
    "trustcenter:index": Route(ORG),
    "trustcenter:settings": Route(ORG),
    "trustcenter:terms": Route(ORG),
    "trustcenter:requests": Route(ORG),
    "trustcenter:request-approve": Route(ORG, target=obj("tc_request")),
    "trustcenter:request-deny": Route(ORG, target=obj("tc_request")),
    "trustcenter:grants": Route(ORG),
    "trustcenter:grant-revoke": Route(ORG, target=obj("tc_grant")),
    "trustcenter:grant-resend": Route(ORG, target=obj("tc_grant")),
    "trustcenter:acceptances": Route(ORG),
    "trustcenter:downloads": Route(ORG),
    "trustcenter:customers": Route(ORG),
    "trustcenter:customer": Route(ORG, target=obj("tc_customer")),
    "trustcenter:customer-contact-add": Route(ORG, target=obj("tc_customer")),
    "trustcenter:customer-contact-invite": Route(
        ORG, target=lambda world: {"pk": world["tc_customer"], "contact_pk": world["tc_contact"]}
    ),
    "trustcenter:customer-contact-remove": Route(
        ORG, target=lambda world: {"pk": world["tc_customer"], "contact_pk": world["tc_contact"]}
    ),
    # API
    "trust-center-settings": Route(ORG, api=True),
    "trust-center-terms-list": Route(ORG, api=True),
    "trust-center-terms-detail": Route(ORG, api=True, target=obj("tc_terms")),
    "access-request-list": Route(ORG, api=True),
    "access-request-detail": Route(ORG, api=True, target=obj("tc_request")),
    "access-request-approve": Route(ORG, api=True, target=obj("tc_request")),
    "access-request-deny": Route(ORG, api=True, target=obj("tc_request")),
    "access-grant-list": Route(ORG, api=True),
    "access-grant-detail": Route(ORG, api=True, target=obj("tc_grant")),
    "access-grant-revoke": Route(ORG, api=True, target=obj("tc_grant")),
    "access-grant-resend": Route(ORG, api=True, target=obj("tc_grant")),
    "customer-account-list": Route(ORG, api=True),
    "customer-account-detail": Route(ORG, api=True, target=obj("tc_customer")),
    "customer-contact-list": Route(ORG, api=True),
    "customer-contact-detail": Route(ORG, api=True, target=obj("tc_contact")),
    "customer-contact-invite": Route(ORG, api=True, target=obj("tc_contact")),
    # The visitor's side
    "trust:request-access": Route(PUBLIC_ORG, note=_VISITOR_NOTE),
    "trust:terms": Route(PUBLIC_ORG, note=_VISITOR_NOTE),
    "trust:documents": Route(PUBLIC_ORG, note=_VISITOR_NOTE),
    "trust:account": Route(PUBLIC_ORG, note=_VISITOR_NOTE),
    "trust:verify-email": Route(
        PUBLIC_ORG, target=obj("tc_verify_secret", "secret"), check_foreign_org=False, note=_CAPABILITY_NOTE
    ),
    "trust:access": Route(
        PUBLIC_ORG, target=obj("tc_access_secret", "secret"), check_foreign_org=False, note=_CAPABILITY_NOTE
    ),
    "trust:account-join": Route(
        PUBLIC_ORG, target=obj("tc_contact_secret", "secret"), check_foreign_org=False, note=_CAPABILITY_NOTE
    ),
    "trust:download": Route(
        PUBLIC_ORG, target=obj("tc_download_token", "token"), check_foreign_org=False, note=_CAPABILITY_NOTE
    ),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A published trust center with terms, one gated document, a customer account with a contact, a
    pending request, an unverified one, and an approved one (for that document) whose grant accepted the
    terms and downloaded it: a row in every table of the trust center's access flow."""
    services.update_settings(
        actor=actor,
        published=True,
        intro=f"{label} trust center",
        auto_approve_domains=[f"{label}-partner.example"],
    )
    terms = services.publish_terms(actor=actor, body=f"{label} confidentiality terms")
    today = dt.datetime.now(dt.UTC).date()
    certification = create_certification(
        actor=actor,
        kind="certificate",
        title=f"{label} gated SOC 2 report",
        valid_from=today - dt.timedelta(days=60),
        valid_until=today + dt.timedelta(days=300),
        visibility="gated",
    )
    certification = attach_document(
        actor=actor,
        certification=certification,
        content=sample_pdf(title=f"{label} SOC 2 report", lines=[f"{label} report body"]),
        filename=f"{label}-soc2.pdf",
    )
    document = certification.document
    assert document is not None
    account = services.create_customer_account(
        actor=actor,
        name=f"{label} customer",
        email_domains=[f"{label}-customer.example"],
        document_ids=[document.pk],
    )
    contact = services.add_customer_contact(
        actor=actor, account=account, email=f"contact@{label}-customer.example"
    )

    def request(who: str) -> tuple[Any, str]:
        return services.submit_access_request(
            name=f"{label} {who}", email=f"{who}@{label}-prospect.example", company=f"{label} prospect"
        )

    _unverified, verify_secret = request("unverified")
    pending, pending_secret = request("pending")
    services.verify_access_request(secret=pending_secret)
    approved, approved_secret = services.submit_access_request(
        name=f"{label} approved",
        email=f"approved@{label}-prospect.example",
        company=f"{label} prospect",
        document_ids=[document.pk],
    )
    services.verify_access_request(secret=approved_secret)
    grant, access_secret = services.approve_access_request(actor=actor, access_request=approved)
    acceptance = services.accept_terms(terms=terms, grant=grant)
    # One download, so that every table of the flow holds a row of this organization.
    token = services.download_token(document=document, acceptance=acceptance)
    services.download_document(authorized=services.authorize_download(token=token))
    return {
        "tc_terms": terms.pk,
        "tc_request": pending.pk,
        "tc_grant": grant.pk,
        "tc_customer": account.pk,
        "tc_contact": contact.pk,
        "tc_contact_secret": services.invite_customer_contact(actor=actor, contact=contact),
        "tc_verify_secret": verify_secret,
        "tc_access_secret": access_secret,
        "tc_download_token": token,
    }
