"""Refused requests leave an audit event in the organization's log, at most one per key and window.

IP allowlist refusals (pages and API, members and tokens), required-MFA refusals on the API and uses of
revoked or expired API tokens. The window is 10 minutes, kept in the shared cache.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.identity.factories import allow, api_token, bearer, set_security_policy
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import ApiToken
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

PAGE = "/o/alpha-co/compliance/"
API = "/api/v1/orgs/alpha-co/profile/"
OFFICE = "203.0.113.0/24"
OUTSIDE = "198.51.100.20"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def events(org: Any, action: str) -> list[AuditEvent]:
    with org_scope(org):
        return list(AuditEvent.objects.filter(action=action).order_by("seq"))


class TestIpAllowlistRefusals:
    def test_a_refused_page_is_recorded_once_per_window(self, org_a, owner_a) -> None:
        with time_machine.travel(T0, tick=False) as traveller:
            allow(org_a, owner_a, OFFICE)
            client = signed_in(owner_a)
            assert client.get(PAGE, REMOTE_ADDR=OUTSIDE).status_code == 403
            [event] = events(org_a, "ip_allowlist.refused")
            assert event.actor_user_id == owner_a.pk
            assert event.ip == OUTSIDE
            assert event.changes["ip"] == OUTSIDE
            assert event.changes["path"] == PAGE
            assert event.changes["method"] == "GET"
            assert event.changes["audience"] == "members"
            assert event.changes["who"] == owner_a.email
            assert "at most one ip_allowlist.refused event" in event.changes["dedupe"]
            assert "10 minutes" in event.changes["dedupe"]

            traveller.shift(timedelta(minutes=9))
            assert client.post(PAGE, {}, REMOTE_ADDR=OUTSIDE).status_code == 403
            assert client.get(PAGE, REMOTE_ADDR=OUTSIDE).status_code == 403
            assert len(events(org_a, "ip_allowlist.refused")) == 1

            traveller.shift(timedelta(minutes=1, seconds=1))
            assert client.get(PAGE, REMOTE_ADDR=OUTSIDE).status_code == 403
            assert len(events(org_a, "ip_allowlist.refused")) == 2

    def test_another_address_or_principal_is_its_own_key(self, org_a, owner_a) -> None:
        allow(org_a, owner_a, OFFICE)
        _token, plaintext = api_token(org_a, owner_a)
        client = signed_in(owner_a)
        assert client.get(PAGE, REMOTE_ADDR=OUTSIDE).status_code == 403
        assert client.get(PAGE, REMOTE_ADDR="198.51.100.21").status_code == 403
        assert bearer(plaintext).get(API, REMOTE_ADDR=OUTSIDE).status_code == 403
        recorded = events(org_a, "ip_allowlist.refused")
        assert [(e.changes["ip"], e.changes["audience"]) for e in recorded] == [
            (OUTSIDE, "members"),
            ("198.51.100.21", "members"),
            (OUTSIDE, "api_tokens"),
        ]

    def test_an_api_refusal_is_recorded_though_the_request_is_rolled_back(self, org_a, owner_a) -> None:
        token, plaintext = api_token(org_a, owner_a)
        allow(org_a, owner_a, OFFICE)
        response = bearer(plaintext).get(API, REMOTE_ADDR=OUTSIDE)
        assert response.status_code == 403
        [event] = events(org_a, "ip_allowlist.refused")
        assert event.actor_token_id == token.pk
        assert event.changes["audience"] == "api_tokens"
        assert event.changes["path"] == API
        assert event.changes["who"] == f"API token CI ({token.prefix})"
        with org_scope(org_a):  # the refused request changed nothing else: not even "last used"
            assert ApiToken.objects.get(pk=token.pk).last_used_at is None

    def test_allowed_requests_record_nothing(self, org_a, owner_a) -> None:
        allow(org_a, owner_a, OFFICE)
        _token, plaintext = api_token(org_a, owner_a)
        assert signed_in(owner_a).get(PAGE, REMOTE_ADDR="203.0.113.9").status_code == 200
        assert bearer(plaintext).get(API, REMOTE_ADDR="203.0.113.9").status_code == 200
        assert events(org_a, "ip_allowlist.refused") == []

    def test_the_window_is_shared_through_the_cache(self, org_a, owner_a) -> None:
        from django.core.cache import cache

        allow(org_a, owner_a, OFFICE)
        client = signed_in(owner_a)
        client.get(PAGE, REMOTE_ADDR=OUTSIDE)
        client.get(PAGE, REMOTE_ADDR=OUTSIDE)
        assert len(events(org_a, "ip_allowlist.refused")) == 1
        cache.clear()  # what the window's end does to the key
        client.get(PAGE, REMOTE_ADDR=OUTSIDE)
        assert len(events(org_a, "ip_allowlist.refused")) == 2


class TestMfaRefusals:
    def test_an_api_call_without_mfa_is_recorded_once_per_window(self, org_a, owner_a) -> None:
        with time_machine.travel(T0, tick=False) as traveller:
            set_security_policy(org_a, owner_a, require_mfa=True)
            client = signed_in(owner_a)
            assert client.get(API, REMOTE_ADDR=OUTSIDE).status_code == 403
            [event] = events(org_a, "security_policy.mfa_refused")
            assert event.actor_user_id == owner_a.pk
            assert event.changes["path"] == API
            assert event.changes["ip"] == OUTSIDE
            assert event.changes["method"] == "GET"
            assert event.changes["who"] == owner_a.email
            assert "at most one security_policy.mfa_refused event" in event.changes["dedupe"]
            assert client.get(API, REMOTE_ADDR=OUTSIDE).status_code == 403
            assert len(events(org_a, "security_policy.mfa_refused")) == 1
            traveller.shift(timedelta(minutes=11))
            assert client.get(API, REMOTE_ADDR=OUTSIDE).status_code == 403
            assert len(events(org_a, "security_policy.mfa_refused")) == 2

    def test_a_refused_write_changes_nothing(self, org_a, owner_a) -> None:
        set_security_policy(org_a, owner_a, require_mfa=True)
        response = signed_in(owner_a).patch(API, data='{"name": "X"}', content_type="application/json")
        assert response.status_code == 403
        org_a.refresh_from_db()
        assert org_a.name == "Alpha Co"
        assert len(events(org_a, "security_policy.mfa_refused")) == 1
        assert events(org_a, "organization.updated") == []

    def test_pages_send_to_enrolment_and_record_no_refusal(self, org_a, owner_a) -> None:
        set_security_policy(org_a, owner_a, require_mfa=True)
        assert signed_in(owner_a).get(PAGE).status_code == 302
        assert events(org_a, "security_policy.mfa_refused") == []


class TestTokenRefusals:
    @pytest.mark.parametrize("reason", ["revoked", "expired"])
    def test_a_revoked_or_expired_token_is_recorded_once_per_window(self, org_a, owner_a, reason) -> None:
        with time_machine.travel(T0, tick=False) as traveller:
            token, plaintext = api_token(org_a, owner_a)
            with org_scope(org_a):
                if reason == "revoked":
                    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
                else:
                    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
            response = bearer(plaintext).get(API, REMOTE_ADDR=OUTSIDE)
            assert response.status_code == 401
            [event] = events(org_a, "api_token.refused")
            assert event.changes["reason"] == reason
            assert event.changes["ip"] == OUTSIDE
            assert event.changes["path"] == API
            assert event.actor_token_id == token.pk
            assert event.target_id == str(token.pk)
            assert bearer(plaintext).get(API, REMOTE_ADDR=OUTSIDE).status_code == 401
            assert len(events(org_a, "api_token.refused")) == 1
            traveller.shift(timedelta(minutes=10, seconds=1))
            assert bearer(plaintext).get(API, REMOTE_ADDR=OUTSIDE).status_code == 401
            assert len(events(org_a, "api_token.refused")) == 2
            with org_scope(org_a):
                assert ApiToken.objects.get(pk=token.pk).last_used_at is None

    def test_unknown_tokens_and_wrong_secrets_are_not_recorded(self, org_a, owner_a) -> None:
        _token, plaintext = api_token(org_a, owner_a)
        wrong = plaintext[:-4] + ("AAAA" if not plaintext.endswith("AAAA") else "BBBB")
        assert bearer(wrong).get(API).status_code == 401
        assert bearer("trt_000000000000_" + "x" * 43).get(API).status_code == 401
        assert events(org_a, "api_token.refused") == []

    def test_a_usable_token_records_nothing(self, org_a, owner_a) -> None:
        _token, plaintext = api_token(org_a, owner_a)
        assert bearer(plaintext).get(API).status_code == 200
        assert events(org_a, "api_token.refused") == []
