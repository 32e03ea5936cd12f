"""Pasting a list into the IP allowlist: the service, the page's second form and `ip-allowlist/bulk/`.

All or nothing; every bad line named by its number; duplicates (already listed, or repeated in the
paste) are errors, not skipped; the self-lockout confirmation of a single add; one audit event.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import member, principal_for
from tests.identity.factories import allow, api_token, bearer
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.identity.ip_allowlist import add_allowlist_entries, parse_allowlist_line
from trustroom.identity.models import IpAllowlistEntry
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

PAGE = "/o/alpha-co/ip-allowlist/"
BULK_API = "/api/v1/orgs/alpha-co/ip-allowlist/bulk/"
HOME = "203.0.113.5"  # the address the tests' requests come from
PASTE = """# our networks
203.0.113.0/24 Office VPN

2001:db8::/32   Data centre  (Frankfurt)
198.51.100.7  # the build server
"""


def rows(org: Any) -> list[tuple[str, str, str]]:
    with org_scope(org):
        return sorted(IpAllowlistEntry.objects.values_list("network", "label", "applies_to"))


def updates(org: Any) -> list[AuditEvent]:
    with org_scope(org):
        return list(AuditEvent.objects.filter(action="ip_allowlist.updated").order_by("seq"))


def bulk_add(org: Any, user: Any, lines: list[str], **kwargs: Any) -> list[IpAllowlistEntry]:
    """The service as a view calls it; a refusal is raised after the scope closed cleanly (the
    service's own savepoint rolled its work back)."""
    current_ip = kwargs.pop("current_ip", HOME)
    with org_scope(org):
        try:
            return add_allowlist_entries(
                actor=principal_for(user, org), lines=lines, current_ip=current_ip, **kwargs
            )
        except (ValidationError, PermissionDenied) as error:
            refused = error
    raise refused


def post_json(client: Any, url: str, body: Any, **extra: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


class TestService:
    def test_lines_labels_comments_and_blanks(self, org_a, owner_a) -> None:
        added = bulk_add(org_a, owner_a, PASTE.splitlines(), applies_to="members")
        assert sorted(entry.network for entry in added) == [
            "198.51.100.7/32",
            "2001:db8::/32",
            "203.0.113.0/24",
        ]
        assert rows(org_a) == [
            ("198.51.100.7/32", "", "members"),
            ("2001:db8::/32", "Data centre (Frankfurt)", "members"),
            ("203.0.113.0/24", "Office VPN", "members"),
        ]
        [event] = updates(org_a)
        assert sorted(event.changes["added"]) == ["198.51.100.7/32", "2001:db8::/32", "203.0.113.0/24"]
        assert event.changes["before"] == []
        assert len(event.changes["after"]) == 3

    def test_parse_line(self) -> None:
        assert parse_allowlist_line("  10.0.0.0/8\tLab  net # old ") == ("10.0.0.0/8", "Lab net")
        assert parse_allowlist_line("   # nothing") is None
        assert parse_allowlist_line("") is None

    def test_one_bad_line_adds_nothing_and_every_problem_is_named(self, org_a, owner_a) -> None:
        allow(org_a, owner_a, "203.0.113.0/24")
        before = updates(org_a)
        lines = [
            "192.0.2.0/24 Partner",
            "# comment",
            "10.0.0.300/8 typo",
            "203.0.113.9/24 already there",
            "192.0.2.1/24 same as line 1",
            "fe80::1%eth0",
            "198.51.100.0/24 " + "x" * 101,
        ]
        with pytest.raises(ValidationError) as raised:
            bulk_add(org_a, owner_a, lines)
        assert raised.value.message_dict == {
            "networks": [
                "line 3: '10.0.0.300/8' is not an IPv4 or IPv6 network (e.g. 203.0.113.0/24)",
                "line 4: 203.0.113.0/24 (“203.0.113.9/24”) is already on the allowlist",
                "line 5: 192.0.2.0/24 (“192.0.2.1/24”) is already listed on line 1",
                "line 6: 'fe80::1%eth0' has a zone index (%); give the network without it",
                "line 7: the label is longer than 100 characters",
            ]
        }
        assert rows(org_a) == [("203.0.113.0/24", "", "both")]
        assert updates(org_a) == before

    def test_nothing_but_comments_is_refused(self, org_a, owner_a) -> None:
        with pytest.raises(ValidationError) as raised:
            bulk_add(org_a, owner_a, ["# only a comment", "   "])
        assert "Give at least one network" in raised.value.message_dict["networks"][0]

    def test_a_bad_audience_is_refused(self, org_a, owner_a) -> None:
        with pytest.raises(ValidationError) as raised:
            bulk_add(org_a, owner_a, ["192.0.2.0/24"], applies_to="robots")
        assert "applies_to" in raised.value.message_dict
        assert rows(org_a) == []

    def test_lockout_needs_confirmation(self, org_a, owner_a) -> None:
        with pytest.raises(ValidationError) as raised:
            bulk_add(org_a, owner_a, ["192.0.2.0/24", "198.51.100.0/24"], current_ip=HOME)
        assert set(raised.value.message_dict) == {"confirm_lockout"}
        assert HOME in raised.value.message_dict["confirm_lockout"][0]
        assert rows(org_a) == []
        bulk_add(org_a, owner_a, ["192.0.2.0/24", "198.51.100.0/24"], current_ip=HOME, confirm_lockout=True)
        assert [row[0] for row in rows(org_a)] == ["192.0.2.0/24", "198.51.100.0/24"]
        assert updates(org_a)[-1].changes["lockout_confirmed"] is True

    def test_a_list_containing_your_address_needs_no_confirmation(self, org_a, owner_a) -> None:
        bulk_add(org_a, owner_a, ["192.0.2.0/24", "203.0.113.0/24"], current_ip=HOME)
        assert len(rows(org_a)) == 2

    def test_only_owners_and_admins(self, org_a) -> None:
        editor = member(org_a, "editor")
        with pytest.raises(PermissionDenied):
            bulk_add(org_a, editor, ["203.0.113.0/24"])
        assert rows(org_a) == []


class TestPage:
    def test_the_page_offers_the_paste_form(self, org_a, owner_a) -> None:
        body = signed_in(owner_a).get(PAGE, REMOTE_ADDR=HOME).content.decode()
        assert '<h2 id="bulk-heading">Add several networks</h2>' in body
        assert '<label for="id_bulk-networks">Networks, one per line' in body
        assert '<textarea name="bulk-networks"' in body

    def test_pasting_adds_them_all(self, org_a, owner_a) -> None:
        client = signed_in(owner_a)
        data = {"form": "bulk", "bulk-networks": PASTE, "bulk-applies_to": "both"}
        response = client.post(PAGE, data, REMOTE_ADDR=HOME)
        assert response.status_code == 302
        assert len(rows(org_a)) == 3
        assert "3 networks added to the IP allowlist." in client.get(PAGE, REMOTE_ADDR=HOME).content.decode()

    def test_a_bad_line_shows_its_number_and_adds_nothing(self, org_a, owner_a) -> None:
        data = {"form": "bulk", "bulk-networks": "203.0.113.0/24\n\n10.0.0.300/8", "bulk-applies_to": "both"}
        response = signed_in(owner_a).post(PAGE, data, REMOTE_ADDR=HOME)
        assert response.status_code == 400
        body = response.content.decode()
        assert "No network was added" in body
        assert "line 3: &#x27;10.0.0.300/8&#x27; is not an IPv4 or IPv6 network" in body
        assert "203.0.113.0/24\n\n10.0.0.300/8</textarea>" in body  # the paste is kept for correcting
        assert rows(org_a) == []

    def test_lockout_is_asked_for_then_confirmed(self, org_a, owner_a) -> None:
        client = signed_in(owner_a)
        data = {"form": "bulk", "bulk-networks": "192.0.2.0/24", "bulk-applies_to": "members"}
        first = client.post(PAGE, data, REMOTE_ADDR=HOME)
        assert first.status_code == 400
        body = first.content.decode()
        assert "would lock you out" in body
        assert 'id="confirm-lockout-bulk"' in body
        assert rows(org_a) == []
        second = client.post(PAGE, {**data, "confirm_lockout": "on"}, REMOTE_ADDR=HOME)
        assert second.status_code == 302
        assert rows(org_a) == [("192.0.2.0/24", "", "members")]

    def test_editors_cannot_paste(self, org_a) -> None:
        editor = member(org_a, "editor")
        data = {"form": "bulk", "bulk-networks": "203.0.113.0/24", "bulk-applies_to": "both"}
        assert signed_in(editor).post(PAGE, data, REMOTE_ADDR=HOME).status_code == 403
        assert rows(org_a) == []


class TestApi:
    def test_adds_all_and_answers_201_with_the_entries(self, org_a, owner_a) -> None:
        body = {"networks": PASTE.splitlines(), "applies_to": "api_tokens"}
        response = post_json(signed_in(owner_a), BULK_API, body, REMOTE_ADDR=HOME)
        assert response.status_code == 201, response.json()
        assert sorted(item["network"] for item in response.json()) == [
            "198.51.100.7/32",
            "2001:db8::/32",
            "203.0.113.0/24",
        ]
        assert {item["applies_to"] for item in response.json()} == {"api_tokens"}
        assert len(updates(org_a)) == 1

    def test_all_or_nothing_with_the_items_named(self, org_a, owner_a) -> None:
        allow(org_a, owner_a, "203.0.113.0/24")
        body = {"networks": ["192.0.2.0/24", "203.0.113.0/24", "nonsense"]}
        response = post_json(signed_in(owner_a), BULK_API, body, REMOTE_ADDR=HOME)
        assert response.status_code == 400
        assert response.json() == {
            "networks": [
                "line 2: 203.0.113.0/24 is already on the allowlist",
                "line 3: 'nonsense' is not an IPv4 or IPv6 network (e.g. 203.0.113.0/24)",
            ]
        }
        assert rows(org_a) == [("203.0.113.0/24", "", "both")]

    def test_lockout_needs_confirm_lockout(self, org_a, owner_a) -> None:
        client = signed_in(owner_a)
        body = {"networks": ["192.0.2.0/24"], "applies_to": "members"}
        refused = post_json(client, BULK_API, body, REMOTE_ADDR=HOME)
        assert refused.status_code == 400
        assert "would lock you out" in refused.json()["confirm_lockout"][0]
        assert rows(org_a) == []
        accepted = post_json(client, BULK_API, {**body, "confirm_lockout": True}, REMOTE_ADDR=HOME)
        assert accepted.status_code == 201
        assert rows(org_a) == [("192.0.2.0/24", "", "members")]

    def test_bad_bodies_are_400_naming_the_field(self, org_a, owner_a) -> None:
        client = signed_in(owner_a)
        assert "networks" in post_json(client, BULK_API, {"networks": []}, REMOTE_ADDR=HOME).json()
        assert (
            "networks" in post_json(client, BULK_API, {"networks": "192.0.2.0/24"}, REMOTE_ADDR=HOME).json()
        )
        unknown = post_json(client, BULK_API, {"networks": ["192.0.2.0/24"], "label": "x"}, REMOTE_ADDR=HOME)
        assert unknown.status_code == 400
        assert "label" in unknown.json()
        assert rows(org_a) == []

    def test_a_write_token_and_an_editor_cannot(self, org_a, owner_a) -> None:
        _token, plaintext = api_token(org_a, owner_a, scope="write")
        body = {"networks": ["0.0.0.0/0"]}
        assert post_json(bearer(plaintext), BULK_API, body, REMOTE_ADDR=HOME).status_code == 403
        editor = member(org_a, "editor")
        assert post_json(signed_in(editor), BULK_API, body, REMOTE_ADDR=HOME).status_code == 403
        assert rows(org_a) == []
