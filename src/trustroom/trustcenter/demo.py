"""Demo records of the trust center's access flow (a demo module; runs after compliance's,
because INSTALLED_APPS lists compliance first). Idempotent: each record is made only when missing."""

from __future__ import annotations

from trustroom.tenancy.principal import Principal
from trustroom.trustcenter import selectors, services
from trustroom.trustcenter.models import CustomerAccount, TrustCenterSettings

DEMO_INTRO = (
    "Demo Co runs its security and compliance program in the open. Below are the regulations we comply "
    "with and the certifications that show it, each with its dates. Certificates and audit reports marked "
    "“access required” are shared with customers and prospects under confidentiality terms: request "
    "access and you will get a copy marked with your name."
)
DEMO_AUTO_APPROVE_DOMAIN = "partner.example"
DEMO_CUSTOMER = "Northwind Traders"
DEMO_CUSTOMER_DOMAIN = "northwind.example"
DEMO_CUSTOMER_CONTACT = "security@northwind.example"

DEMO_TERMS = """\
1. What these terms cover. Demo Co ("we") shares security documents — certificates, audit and \
attestation reports, penetration test summaries — with you so that you can assess our security. \
They are our confidential information.

2. Use. Use the documents only to evaluate or manage your business relationship with us. Do not \
publish them, post them anywhere public, or pass them to anyone outside your organization except \
your own advisers who are bound to confidentiality.

3. Marking. Every copy is marked with your name, e-mail address and the time of download. Do not \
remove or obscure the marking.

4. Duration. Your access ends on the date shown when it was granted, or earlier if we withdraw it. \
Your confidentiality obligations continue for three years after your last download.

5. No warranty. The documents describe our program at a point in time; they are provided as they are. \
Auditors' reports remain subject to their own terms of use.

6. Changes. When we change these terms you will be asked to accept the new version before your next \
download. We record who accepted which version, when, and from which address.
"""


def load_demo(principal: Principal) -> None:
    if TrustCenterSettings.objects.first() is None:
        services.update_settings(
            actor=principal,
            published=True,
            intro=DEMO_INTRO,
            auto_approve_domains=[DEMO_AUTO_APPROVE_DOMAIN],
            claim_access_reviews=True,
            claim_production_access=True,
            claim_dr_testing=True,
        )
    if selectors.current_terms() is None:
        services.publish_terms(actor=principal, title="Confidentiality terms", body=DEMO_TERMS)
    if not CustomerAccount.objects.filter(name=DEMO_CUSTOMER).exists():
        offered = [item.document.pk for item in selectors.gated_items()]
        account = services.create_customer_account(
            actor=principal,
            name=DEMO_CUSTOMER,
            email_domains=[DEMO_CUSTOMER_DOMAIN],
            all_gated_documents=False,
            document_ids=offered[:1],
        )
        services.add_customer_contact(
            actor=principal, account=account, email=DEMO_CUSTOMER_CONTACT, name="Northwind security team"
        )
