"""Customer accounts (documents shared by e-mail domain) and their contacts' sign-ins."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.trustcenter import selectors
from trustroom.trustcenter.models import CustomerAccount, CustomerAccountDocument, CustomerContact
from trustroom.trustcenter.services.common import (
    LinkRefused,
    VisitorPrincipal,
    _base_url,
    _clean_domains,
    _digest,
    _send_on_commit,
)


def _check_documents(document_ids: Iterable[int]) -> set[int]:
    wanted = set(document_ids)
    offered = {item.document.pk for item in selectors.gated_items()}
    if wanted - offered:
        raise ValidationError({"documents": "Choose among the gated documents of the trust center."})
    return wanted


def _set_account_documents(account: CustomerAccount, wanted: set[int]) -> None:
    account.document_links.exclude(document_id__in=wanted).delete()
    have = set(account.document_links.values_list("document_id", flat=True))
    for document_id in sorted(wanted - have):
        CustomerAccountDocument.objects.create(account=account, document_id=document_id)


@transaction.atomic
def create_customer_account(
    *,
    actor: Principal,
    name: str,
    email_domains: Iterable[str] = (),
    all_gated_documents: bool = False,
    document_ids: Iterable[int] = (),
) -> CustomerAccount:
    policies.check(actor, "add", CustomerAccount)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the customer's name."})
    if CustomerAccount.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a customer account named {name}."})
    domains = _clean_domains(email_domains, "email_domains")
    wanted = _check_documents(document_ids)
    account = CustomerAccount(name=name, email_domains=domains, all_gated_documents=all_gated_documents)
    account.save()
    _set_account_documents(account, wanted)
    record_event(
        actor=actor,
        action="trustcenter.customer_account_created",
        target=account,
        changes={
            "name": name,
            "email_domains": domains,
            "all": all_gated_documents,
            "documents": sorted(wanted),
        },
    )
    return account


@transaction.atomic
def update_customer_account(
    *,
    actor: Principal,
    account: CustomerAccount,
    name: str | None = None,
    email_domains: Iterable[str] | None = None,
    all_gated_documents: bool | None = None,
    document_ids: Iterable[int] | None = None,
) -> CustomerAccount:
    policies.check(actor, "change", account)
    account = CustomerAccount.objects.select_for_update().get(pk=account.pk)
    changes: dict[str, Any] = {}
    if name is not None and name.strip() != account.name:
        name = name.strip()
        if not name:
            raise ValidationError({"name": "Enter the customer's name."})
        if CustomerAccount.objects.filter(name__iexact=name).exclude(pk=account.pk).exists():
            raise ValidationError({"name": f"There is already a customer account named {name}."})
        changes["name"] = [account.name, name]
        account.name = name
    if email_domains is not None:
        domains = _clean_domains(email_domains, "email_domains")
        if domains != account.email_domains:
            changes["email_domains"] = [account.email_domains, domains]
            account.email_domains = domains
    if all_gated_documents is not None and all_gated_documents != account.all_gated_documents:
        changes["all"] = [account.all_gated_documents, all_gated_documents]
        account.all_gated_documents = all_gated_documents
    account.save()
    if document_ids is not None:
        wanted = _check_documents(document_ids)
        before = set(account.document_links.values_list("document_id", flat=True))
        if wanted != before:
            changes["documents"] = [sorted(before), sorted(wanted)]
            _set_account_documents(account, wanted)
    if changes:
        record_event(
            actor=actor, action="trustcenter.customer_account_updated", target=account, changes=changes
        )
    return account


CONTACT_INVITE_TTL = timedelta(days=14)


@transaction.atomic
def add_customer_contact(
    *, actor: Principal, account: CustomerAccount, email: str, name: str = ""
) -> CustomerContact:
    """Add a person to a customer account and e-mail them: a link to create their sign-in, or (when they
    already have an account here) where to find the documents."""
    policies.check(actor, "add", CustomerContact)
    policies.check(actor, "change", account)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from error
    if CustomerContact.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a contact of a customer account."})
    contact = CustomerContact(account=account, email=email, name=name.strip())
    contact.save()
    record_event(
        actor=actor,
        action="trustcenter.customer_contact_added",
        target=contact,
        changes={"account": account.name, "email": email},
    )
    _welcome_contact(contact)
    return contact


def _welcome_contact(contact: CustomerContact) -> str | None:
    """E-mail the contact; returns the join link's secret when they still need a sign-in."""
    from django.contrib.auth import get_user_model

    org = require_org()
    account_link = _base_url() + reverse("trust:account", kwargs={"org_slug": org.slug})
    secret: str | None = None
    join_link = ""
    if not get_user_model().objects.filter(email__iexact=contact.email).exists():
        secret = secrets.token_urlsafe(32)
        contact.invite_digest = _digest(secret)
        contact.invite_expires_at = timezone.now() + CONTACT_INVITE_TTL
        contact.save(update_fields=["invite_digest", "invite_expires_at"])
        join_link = _base_url() + reverse(
            "trust:account-join", kwargs={"org_slug": org.slug, "secret": secret}
        )
    _send_on_commit(
        subject=f"{org.name} shares its security documents with {contact.account.name}",
        template="trustcenter/email/contact.txt",
        context={
            "organization": org,
            "contact": contact,
            "join_link": join_link,
            "account_link": account_link,
            "ttl_days": CONTACT_INVITE_TTL.days,
        },
        to=[contact.email],
    )
    return secret


@transaction.atomic
def invite_customer_contact(*, actor: Principal, contact: CustomerContact) -> str | None:
    """Send the contact a fresh e-mail (a new join link if they still have no sign-in; the old one stops
    working). Returns the new link's secret, or None when they can already sign in."""
    policies.check(actor, "change", contact)
    secret = _welcome_contact(contact)
    record_event(
        actor=actor,
        action="trustcenter.customer_contact_invited",
        target=contact,
        changes={"email": contact.email, "join_link": secret is not None},
    )
    return secret


def find_contact_invitation(secret: str) -> CustomerContact | None:
    return CustomerContact.objects.select_related("account").filter(invite_digest=_digest(secret)).first()


@transaction.atomic
def join_as_customer_contact(*, secret: str, full_name: str, password: str) -> Any:
    """Create the invited contact's sign-in (the link proves the address, so it is verified)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    org = require_org()
    contact = find_contact_invitation(secret)
    if contact is None:
        raise LinkRefused("invalid")
    if contact.invite_expires_at is None or contact.invite_expires_at <= timezone.now():
        raise LinkRefused("expired")
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=contact.email).exists():
        raise ValidationError("An account with this e-mail already exists: sign in instead.")
    user = user_model.objects.create_user(contact.email, password, full_name=full_name.strip())
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    contact.invite_digest = ""
    contact.invite_expires_at = None
    if not contact.name:
        contact.name = full_name.strip()
    contact.save(update_fields=["invite_digest", "invite_expires_at", "name"])
    record_event(
        actor=VisitorPrincipal(org, name=contact.name, email=contact.email, user=user),
        action="trustcenter.customer_contact_joined",
        target=contact,
        changes={"email": contact.email, "account": contact.account.name},
    )
    return user


@transaction.atomic
def remove_customer_contact(*, actor: Principal, contact: CustomerContact) -> None:
    policies.check(actor, "delete", contact)
    record_event(
        actor=actor,
        action="trustcenter.customer_contact_removed",
        target=contact,
        changes={"account": contact.account.name, "email": contact.email},
    )
    contact.delete()
