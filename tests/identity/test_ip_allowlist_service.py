"""The IP allowlist service: parsing, matching, the lockout rule, policy, audit, one organization only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import member, principal_for
from tests.identity.factories import allow
from trustroom.audit.models import AuditEvent
from trustroom.identity.ip_allowlist import (
    EntryInput,
    add_allowlist_entry,
    ip_in_networks,
    networks_for,
    parse_network,
    refusal_for,
    remove_allowlist_entry,
    replace_allowlist,
)
from trustroom.identity.models import IpAllowlistEntry
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("203.0.113.0/24", "203.0.113.0/24"),
        ("  203.0.113.77/24 ", "203.0.113.0/24"),  # host bits dropped
        ("198.51.100.7", "198.51.100.7/32"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("2001:db8:0:0:0:0:0:1", "2001:db8::1/128"),
        ("0.0.0.0/0", "0.0.0.0/0"),
    ],
)
def test_networks_are_stored_normalized(text: str, normalized: str) -> None:
    assert parse_network(text) == normalized


@pytest.mark.parametrize(
    "text", ["10.0.0.300/8", "10.0.0.0/33", "2001:db8::/129", "office", "fe80::1%eth0", ""]
)
def test_bad_networks_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"IPv4 or IPv6 network|empty|zone index"):
        parse_network(text)


def test_ipv4_matching() -> None:
    networks = ("203.0.113.0/24", "198.51.100.7/32")
    assert ip_in_networks("203.0.113.1", networks)
    assert ip_in_networks("203.0.113.255", networks)
    assert ip_in_networks("198.51.100.7", networks)
    assert not ip_in_networks("198.51.100.8", networks)
    assert not ip_in_networks("203.0.114.1", networks)
    # An IPv4 client reaching an IPv6 socket shows as IPv4-mapped: it is the same client.
    assert ip_in_networks("::ffff:203.0.113.9", networks)


def test_ipv6_matching() -> None:
    networks = ("2001:db8::/32",)
    assert ip_in_networks("2001:db8:1234::1", networks)
    assert ip_in_networks("2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff", networks)
    assert not ip_in_networks("2001:db9::1", networks)
    assert not ip_in_networks("203.0.113.1", networks)  # other family: never inside


def test_unknown_address_is_inside_nothing() -> None:
    assert not ip_in_networks(None, ("0.0.0.0/0", "::/0"))
    assert not ip_in_networks("not-an-ip", ("0.0.0.0/0",))


def test_replace_names_every_bad_line_and_writes_nothing(org_a, owner_a) -> None:
    actor = principal_for(owner_a, org_a)
    entries = [
        EntryInput("203.0.113.0/24", "Office"),
        EntryInput("203.0.113.5/24", "Office again"),  # the same network once normalized
        EntryInput("10.0.0.300/8", "Typo"),
        EntryInput("10.0.0.0/8", "VPN", applies_to="everyone"),
    ]
    with org_scope(org_a), pytest.raises(ValidationError) as caught:
        replace_allowlist(actor=actor, entries=entries, current_ip="203.0.113.9")
    messages = caught.value.message_dict["entries"]
    assert "line 2: 203.0.113.0/24 is already listed on line 1" in messages
    assert any(m.startswith("line 3: '10.0.0.300/8' is not an IPv4 or IPv6 network") for m in messages)
    assert any(m.startswith("line 4: applies_to must be one of") for m in messages)
    with org_scope(org_a):
        assert IpAllowlistEntry.objects.count() == 0
        assert not AuditEvent.objects.filter(action="ip_allowlist.updated").exists()


def test_add_refuses_a_bad_network_naming_the_field(org_a, owner_a) -> None:
    with org_scope(org_a), pytest.raises(ValidationError) as caught:
        add_allowlist_entry(
            actor=principal_for(owner_a, org_a), network="10.0.0.300/8", current_ip="203.0.113.9"
        )
    assert caught.value.message_dict == {
        "network": ["The network '10.0.0.300/8' is not an IPv4 or IPv6 network (e.g. 203.0.113.0/24)."]
    }


def test_a_list_that_locks_out_the_saver_is_refused_until_confirmed(org_a, owner_a) -> None:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        with pytest.raises(ValidationError) as caught:
            add_allowlist_entry(actor=actor, network="10.0.0.0/8", current_ip="203.0.113.9")
        [message] = caught.value.message_dict["confirm_lockout"]
        assert "would lock you out" in message and "203.0.113.9" in message
        assert IpAllowlistEntry.objects.count() == 0
        # A network that applies to API tokens only does not lock a member out.
        add_allowlist_entry(
            actor=actor, network="10.0.0.0/8", applies_to="api_tokens", current_ip="203.0.113.9"
        )
        # Confirmed: saved, and the audit event says the lockout was confirmed.
        add_allowlist_entry(
            actor=actor, network="192.0.2.0/24", current_ip="203.0.113.9", confirm_lockout=True
        )
        assert networks_for("members") == ("192.0.2.0/24",)
        event = AuditEvent.objects.filter(action="ip_allowlist.updated").order_by("-seq").first()
        assert event is not None
        assert event.changes["lockout_confirmed"] is True
        assert event.changes["saved_from"] == "203.0.113.9"


def test_a_list_that_contains_the_saver_needs_no_confirmation(org_a, owner_a) -> None:
    with org_scope(org_a):
        entry = add_allowlist_entry(
            actor=principal_for(owner_a, org_a), network="2001:db8::/32", current_ip="2001:db8::42"
        )
    assert entry.network == "2001:db8::/32"
    assert entry.created_by == owner_a


def test_removing_a_network_can_lock_out_too(org_a, owner_a) -> None:
    allow(org_a, owner_a, "203.0.113.0/24")
    allow(org_a, owner_a, "192.0.2.0/24")
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        office = IpAllowlistEntry.objects.get(network="203.0.113.0/24")
        with pytest.raises(ValidationError) as caught:
            remove_allowlist_entry(actor=actor, entry=office, current_ip="203.0.113.9")
        assert set(caught.value.message_dict) == {"confirm_lockout"}
        assert IpAllowlistEntry.objects.count() == 2
        remove_allowlist_entry(actor=actor, entry=office, current_ip="203.0.113.9", confirm_lockout=True)
        assert networks_for("members") == ("192.0.2.0/24",)
        # Removing the last network lifts the restriction: never a lockout.
        last = IpAllowlistEntry.objects.get()
        remove_allowlist_entry(actor=actor, entry=last, current_ip="203.0.113.9")
        assert IpAllowlistEntry.objects.count() == 0


def test_changes_are_audited_with_before_and_after(org_a, owner_a) -> None:
    allow(org_a, owner_a, "203.0.113.0/24", label="Office", current_ip="203.0.113.1")
    with org_scope(org_a):
        replace_allowlist(
            actor=principal_for(owner_a, org_a),
            entries=[EntryInput("203.0.113.0/24", "HQ"), EntryInput("2001:db8::/32", "v6", "members")],
            current_ip="203.0.113.1",
        )
        event = AuditEvent.objects.filter(action="ip_allowlist.updated").order_by("-seq").first()
    assert event is not None
    assert event.actor_user_id == owner_a.pk
    assert event.target_type == "tenancy.organization"
    assert event.changes["before"] == [{"network": "203.0.113.0/24", "label": "Office", "applies_to": "both"}]
    assert event.changes["after"] == [
        {"network": "2001:db8::/32", "label": "v6", "applies_to": "members"},
        {"network": "203.0.113.0/24", "label": "HQ", "applies_to": "both"},
    ]
    assert event.changes["lockout_confirmed"] is False


def test_only_owners_and_admins_change_it_auditors_read_it(org_a, owner_a) -> None:
    for role in ("editor", "viewer", "auditor"):
        person = member(org_a, role)
        with org_scope(org_a), pytest.raises(PermissionDenied):
            add_allowlist_entry(
                actor=principal_for(person, org_a), network="10.0.0.0/8", current_ip="10.0.0.1"
            )
    admin = member(org_a, "admin")
    assert allow(org_a, admin, "10.0.0.0/8", current_ip="10.0.0.1").network == "10.0.0.0/8"


def test_another_organizations_list_does_not_apply(org_a, owner_a, org_b, owner_b) -> None:
    allow(org_b, owner_b, "10.0.0.0/8")
    with org_scope(org_a):
        assert networks_for("members") == ()
        assert refusal_for(principal_for(owner_a, org_a), "203.0.113.9") is None
    with org_scope(org_b):
        refusal = refusal_for(principal_for(owner_b, org_b), "203.0.113.9")
    assert refusal is not None and "203.0.113.9" in refusal.message


def test_operator_command_shows_and_clears(org_a, owner_a) -> None:
    from io import StringIO

    from django.core.management import call_command

    allow(org_a, owner_a, "10.0.0.0/8", label="VPN")
    out = StringIO()
    call_command("ip_allowlist", "show", "alpha-co", stdout=out)
    assert "10.0.0.0/8\tboth\tVPN" in out.getvalue()
    call_command("ip_allowlist", "clear", "alpha-co", stdout=out)
    assert "removed 1 network(s)" in out.getvalue()
    with org_scope(org_a):
        assert IpAllowlistEntry.objects.count() == 0
        event = AuditEvent.objects.filter(action="ip_allowlist.updated").order_by("-seq").first()
    assert event is not None and event.actor_label == "system" and event.changes["after"] == []
