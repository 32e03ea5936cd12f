"""IP allowlists per organization: what is allowed (read on every request) and the writes that change it.

Two audiences: members (signed-in people, on pages and on the API) and API tokens. An organization with
no entry for an audience does not restrict it; from its first entry on, only addresses inside one of its
networks get in and everything else, an unknown address included, is refused (default deny).

Enforcement lives in two shared places, both after the organization and the caller's membership are
resolved (so a stranger still gets the same 404 as for a missing organization, and learns nothing of
the list): `trustroom.tenancy.mixins.OrgScopedViewMixin` for every page under /o/<slug>/, and
`trustroom.api.base.OrgScopedAPIView` for every endpoint under /api/v1/orgs/<slug>/. Both read the
client address from `trustroom.identity.client_ip`, so X-Forwarded-For counts only as far as the
operator trusts proxies.

Cost per request: one indexed query on a table of a few rows (`organization_id`), always current, so
a removed network stops working on every process at once; parsing the networks is memoized on their
text. Measured in bench/ip_allowlist.py.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from trustroom.audit.services import record_event
from trustroom.identity.client_ip import client_ip
from trustroom.identity.models import AllowlistAudience, IpAllowlistEntry
from trustroom.identity.refusals import principal_key, record_refusal, request_facts
from trustroom.tenancy import policies
from trustroom.tenancy.narrowing import unnarrowed
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MEMBERS = "members"
API_TOKENS = "api_tokens"
_AUDIENCES_OF = {
    AllowlistAudience.BOTH: (MEMBERS, API_TOKENS),
    AllowlistAudience.MEMBERS: (MEMBERS,),
    AllowlistAudience.API_TOKENS: (API_TOKENS,),
}
MAX_ENTRIES = 200
MAX_LABEL = 100


# --- Parsing -----------------------------------------------------------------------------------------


def parse_network(text: str) -> str:
    """The normalized form of an IPv4 or IPv6 network or address ("10.1.2.3" -> "10.1.2.3/32").

    Host bits are dropped ("10.1.2.3/8" -> "10.0.0.0/8"). Raises ValueError saying why.
    """
    value = (text or "").strip()
    if not value:
        raise ValueError("is empty; give a network such as 203.0.113.0/24 or 2001:db8::/32")
    if "%" in value:  # scoped IPv6 ("fe80::1%eth0") names an interface, not a network
        raise ValueError(f"'{value}' has a zone index (%); give the network without it")
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"'{value}' is not an IPv4 or IPv6 network (e.g. 203.0.113.0/24)") from None
    return str(network)


@lru_cache(maxsize=4096)
def _networks(texts: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(text, strict=False) for text in texts)


def _address(ip: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # "::ffff:203.0.113.5" is the IPv4 client 203.0.113.5
    return address


def ip_in_networks(ip: str | None, networks: Iterable[str]) -> bool:
    """Whether `ip` lies inside one of `networks` (normalized texts). An unknown address is in none."""
    address = _address(ip)
    if address is None:
        return False
    return any(address in network for network in _networks(tuple(networks)))


# --- Reads (every organization request) --------------------------------------------------------------


def audience_of(principal: Principal) -> str:
    return API_TOKENS if principal.token is not None else MEMBERS


def networks_for(audience: str) -> tuple[str, ...]:
    """The current organization's networks for one audience; empty = that audience is unrestricted."""
    applies = [value for value, audiences in _AUDIENCES_OF.items() if audience in audiences]
    with unnarrowed():  # enforcement: never narrowed to what the reader may see (that would fail open)
        rows = (
            IpAllowlistEntry.objects.filter(applies_to__in=applies)
            .order_by()
            .values_list("network", flat=True)
        )
        return tuple(sorted(rows))


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused, for the 403 page or JSON."""

    ip: str | None
    audience: str

    @property
    def message(self) -> str:
        who = "API tokens" if self.audience == API_TOKENS else "members"
        seen = self.ip or "unknown"
        return (
            f"This organization allows {who} to connect only from the networks on its IP allowlist; "
            f"your address ({seen}) is not on it. Ask an owner or admin of the organization to add it."
        )


def refusal_for(principal: Principal, ip: str | None) -> Refusal | None:
    """None when the principal may connect from `ip`, else why not. Call inside the org scope."""
    audience = audience_of(principal)
    networks = networks_for(audience)
    if not networks or ip_in_networks(ip, networks):
        return None
    logger.warning(
        "IP allowlist refused %s from %s in organization %s",
        principal.label,
        ip or "unknown address",
        principal.organization.slug,
    )
    return Refusal(ip=ip, audience=audience)


REFUSED_EVENT = "ip_allowlist.refused"


def refusal_of_request(principal: Principal, request: HttpRequest) -> Refusal | None:
    """The one check of pages and API: `refusal_for` the request's client address, and a refused
    request recorded as `ip_allowlist.refused` in the organization's audit log (at most once per
    principal and address every 10 minutes, see `trustroom.identity.refusals`)."""
    ip = client_ip(request)
    refusal = refusal_for(principal, ip)
    if refusal is not None:
        record_refusal(
            actor=principal,
            action=REFUSED_EVENT,
            key=(principal_key(principal), ip or "unknown"),
            target=principal.organization,
            changes={**request_facts(request, ip), "audience": refusal.audience, "who": principal.label},
        )
    return refusal


# --- Writes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    """One wanted entry, as typed: `network` is validated and normalized by the service."""

    network: str
    label: str = ""
    applies_to: str = AllowlistAudience.BOTH


def _snapshot(entries: Iterable[Any]) -> list[dict[str, str]]:
    return [
        {"network": entry.network, "label": entry.label, "applies_to": entry.applies_to}
        for entry in sorted(entries, key=lambda e: e.network)
    ]


def _validated(entries: Sequence[EntryInput]) -> list[EntryInput]:
    """Normalized entries; a ValidationError naming every bad line ("line 3: ...") otherwise."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    clean: list[EntryInput] = []
    if len(entries) > MAX_ENTRIES:
        errors.append(f"An allowlist holds at most {MAX_ENTRIES} networks; this one has {len(entries)}.")
    for number, entry in enumerate(entries, start=1):
        where = f"line {number}"
        try:
            network = parse_network(entry.network)
        except ValueError as error:
            errors.append(f"{where}: {error}")
            continue
        label = (entry.label or "").strip()
        if len(label) > MAX_LABEL:
            errors.append(f"{where}: the label is longer than {MAX_LABEL} characters")
        if entry.applies_to not in AllowlistAudience.values:
            errors.append(
                f"{where}: applies_to must be one of {', '.join(AllowlistAudience.values)}, "
                f"not '{entry.applies_to}'"
            )
        if network in seen:
            errors.append(f"{where}: {network} is already listed on line {seen[network]}")
            continue
        seen[network] = number
        clean.append(EntryInput(network=network, label=label, applies_to=entry.applies_to))
    if errors:
        raise ValidationError({"entries": errors})
    return clean


def _locks_out(actor: Principal, after: Sequence[EntryInput], current_ip: str | None) -> bool:
    """Whether `after` would refuse the actor's own next request from `current_ip`."""
    audience = audience_of(actor)
    networks = [e.network for e in after if audience in _AUDIENCES_OF[AllowlistAudience(e.applies_to)]]
    return bool(networks) and not ip_in_networks(current_ip, networks)


def _lockout_error(actor: Principal, current_ip: str | None) -> ValidationError:
    tokens = audience_of(actor) == API_TOKENS
    return ValidationError(
        {
            "confirm_lockout": (
                f"Saving this allowlist would lock {'this API token' if tokens else 'you'} out: your current "
                f"address {current_ip or '(unknown)'} is not inside any network that applies to "
                f"{'API tokens' if tokens else 'members'}. Add a network that contains it, or confirm "
                "that you want to save anyway."
            )
        }
    )


@transaction.atomic
def replace_allowlist(
    *,
    actor: Principal,
    entries: Sequence[EntryInput],
    current_ip: str | None,
    confirm_lockout: bool = False,
) -> list[IpAllowlistEntry]:
    """Make the organization's allowlist exactly `entries` (in one transaction, one audit event).

    Rows whose network stays keep their id and creation record; their label and audience are updated.
    Refused (nothing written) when a line is bad, or when the result would shut out `current_ip` (the
    caller's address) unless `confirm_lockout`.
    """
    policies.check(actor, "change", IpAllowlistEntry)
    return _save_allowlist(
        actor=actor, entries=entries, current_ip=current_ip, confirm_lockout=confirm_lockout
    )


def _save_allowlist(
    *,
    actor: Principal,
    entries: Sequence[EntryInput],
    current_ip: str | None,
    confirm_lockout: bool,
    event_details: dict[str, Any] | None = None,
) -> list[IpAllowlistEntry]:
    """`replace_allowlist` without its policy check (the caller made its own); `event_details` go into
    the one audit event it records."""
    after = _validated(entries)
    existing = {entry.network: entry for entry in IpAllowlistEntry.objects.select_for_update()}
    before = _snapshot(existing.values())
    locks_out = _locks_out(actor, after, current_ip)
    if locks_out and not confirm_lockout:
        raise _lockout_error(actor, current_ip)
    wanted = {entry.network: entry for entry in after}
    gone = [entry.pk for network, entry in existing.items() if network not in wanted]
    if gone:
        IpAllowlistEntry.objects.filter(pk__in=gone).delete()
    organization = require_org()
    for network, spec in wanted.items():
        row = existing.get(network)
        if row is None:
            IpAllowlistEntry.objects.create(
                organization=organization,
                network=network,
                label=spec.label,
                applies_to=spec.applies_to,
                created_by=actor.user if actor.is_member else None,
            )
        elif (row.label, row.applies_to) != (spec.label, spec.applies_to):
            row.label = spec.label
            row.applies_to = spec.applies_to
            row.save(update_fields=["label", "applies_to"])
    result = list(IpAllowlistEntry.objects.select_related("created_by"))
    after_snapshot = _snapshot(result)
    if after_snapshot != before:
        record_event(
            actor=actor,
            action="ip_allowlist.updated",
            target=organization,
            changes={
                "before": before,
                "after": after_snapshot,
                "saved_from": current_ip or "",
                "lockout_confirmed": locks_out,
                **(event_details or {}),
            },
        )
    return result


def _as_inputs(entries: Iterable[IpAllowlistEntry]) -> list[EntryInput]:
    return [EntryInput(network=e.network, label=e.label, applies_to=e.applies_to) for e in entries]


@transaction.atomic
def add_allowlist_entry(
    *,
    actor: Principal,
    network: str,
    label: str = "",
    applies_to: str = AllowlistAudience.BOTH,
    current_ip: str | None,
    confirm_lockout: bool = False,
) -> IpAllowlistEntry:
    """Add one network. Errors name the field ("network", "applies_to", "confirm_lockout")."""
    policies.check(actor, "add", IpAllowlistEntry)
    try:
        normalized = parse_network(network)
    except ValueError as error:
        raise ValidationError({"network": f"The network {error}."}) from None
    if applies_to not in AllowlistAudience.values:
        raise ValidationError({"applies_to": f"Choose one of: {', '.join(AllowlistAudience.values)}."})
    if len((label or "").strip()) > MAX_LABEL:
        raise ValidationError({"label": f"Keep the label to {MAX_LABEL} characters."})
    current = list(IpAllowlistEntry.objects.select_for_update())
    if any(entry.network == normalized for entry in current):
        raise ValidationError({"network": f"{normalized} is already on the allowlist."})
    wanted = [*_as_inputs(current), EntryInput(network=normalized, label=label, applies_to=applies_to)]
    replace_allowlist(actor=actor, entries=wanted, current_ip=current_ip, confirm_lockout=confirm_lockout)
    return IpAllowlistEntry.objects.select_related("created_by").get(network=normalized)


def parse_allowlist_line(line: str) -> tuple[str, str] | None:
    """A pasted line as (network, label): "203.0.113.0/24 Office VPN" -> ("203.0.113.0/24", "Office VPN").

    Everything from a "#" on is a comment; None for a line with nothing else (blank or comment only).
    The network is returned as typed (the service validates it).
    """
    text = line.split("#", 1)[0].strip()
    if not text:
        return None
    network, *label = text.split()
    return network, " ".join(label)


@transaction.atomic
def add_allowlist_entries(
    *,
    actor: Principal,
    lines: Sequence[str],
    applies_to: str = AllowlistAudience.BOTH,
    current_ip: str | None,
    confirm_lockout: bool = False,
) -> list[IpAllowlistEntry]:
    """Add several networks at once, all or nothing: one line each, optionally followed by a label.

    Blank lines and "#" comments are skipped; line numbers in errors count every line (as the person
    sees them). Every line is checked before anything is written, and every problem is reported under
    "networks" ("line 3: ..."): a bad network or label, and duplicates -- a network already on the
    allowlist or repeated in the paste is an error, not skipped, so the result is never different from
    what was asked for. The same self-lockout confirmation as a single add applies; one audit event
    (`ip_allowlist.updated`) lists the networks added.
    """
    policies.check(actor, "add", IpAllowlistEntry)
    if applies_to not in AllowlistAudience.values:
        raise ValidationError({"applies_to": f"Choose one of: {', '.join(AllowlistAudience.values)}."})
    current = list(IpAllowlistEntry.objects.select_for_update())
    present = {entry.network for entry in current}
    errors: list[str] = []
    seen: dict[str, int] = {}
    added: list[EntryInput] = []
    for number, line in enumerate(lines, start=1):
        parsed = parse_allowlist_line(line)
        if parsed is None:
            continue
        typed, label = parsed
        try:
            network = parse_network(typed)
        except ValueError as error:
            errors.append(f"line {number}: {error}")
            continue
        as_typed = "" if network == typed else f" (“{typed}”)"
        if len(label) > MAX_LABEL:
            errors.append(f"line {number}: the label is longer than {MAX_LABEL} characters")
        if network in present:
            errors.append(f"line {number}: {network}{as_typed} is already on the allowlist")
        elif network in seen:
            errors.append(f"line {number}: {network}{as_typed} is already listed on line {seen[network]}")
        else:
            seen[network] = number
            added.append(EntryInput(network=network, label=label, applies_to=applies_to))
    if not errors and not added:
        errors.append("Give at least one network, one per line (e.g. 203.0.113.0/24 Office VPN).")
    if not errors and len(current) + len(added) > MAX_ENTRIES:
        errors.append(
            f"An allowlist holds at most {MAX_ENTRIES} networks; it has {len(current)} and this adds "
            f"{len(added)}."
        )
    if errors:
        raise ValidationError({"networks": errors})
    _save_allowlist(
        actor=actor,
        entries=[*_as_inputs(current), *added],
        current_ip=current_ip,
        confirm_lockout=confirm_lockout,
        event_details={"added": [entry.network for entry in added]},
    )
    wanted = [entry.network for entry in added]
    return list(IpAllowlistEntry.objects.select_related("created_by").filter(network__in=wanted))


@transaction.atomic
def remove_allowlist_entry(
    *, actor: Principal, entry: IpAllowlistEntry, current_ip: str | None, confirm_lockout: bool = False
) -> None:
    """Remove one network. Removing the last one for an audience lifts its restriction."""
    policies.check(actor, "delete", entry)
    remaining = [e for e in IpAllowlistEntry.objects.select_for_update() if e.pk != entry.pk]
    replace_allowlist(
        actor=actor, entries=_as_inputs(remaining), current_ip=current_ip, confirm_lockout=confirm_lockout
    )


def is_lockout(error: ValidationError) -> bool:
    """Whether a service refusal is only the lockout question (the UI then asks for confirmation)."""
    return hasattr(error, "error_dict") and set(error.error_dict) == {"confirm_lockout"}
