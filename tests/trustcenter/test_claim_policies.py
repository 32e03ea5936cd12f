"""Per-claim posture policy: a claim's own choice (inherit, show as not currently verified, hide)
overrides the organization's default on the public pages at once, and the certification count never
counts a certification that is not currently verified as valid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.controls.factories import make_control
from tests.factories import member, principal_for
from tests.trustcenter.public_data import certified, publish, unverified_certification
from trustroom.audit.models import AuditEvent
from trustroom.controls import services as controls
from trustroom.controls.posture import HIDE, SHOW_AS_STALE
from trustroom.controls.services.posture import bind_claim
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.models import INHERIT, ClaimPolicy
from trustroom.trustcenter.posture_claims import public_posture
from trustroom.trustcenter.services import set_claim_policy, update_settings

pytestmark = pytest.mark.django_db

CERTIFICATIONS = "/trust/alpha-co/certifications/"
OVERVIEW = "/trust/alpha-co/"
NOT_VERIFIED = "Not currently verified: control AC-1 has no evidence in effect"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Iterator[Any]:
    with org_scope(org_a):
        yield principal_for(owner_a, org_a)


@pytest.fixture
def unverified(actor: Any) -> str:
    return unverified_certification(actor)


def public(client: Client, url: str = CERTIFICATIONS) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- Service -------------------------------------------------------------------------------------------


def test_set_override_and_return_to_inherit_audit_logged(actor: Any, unverified: str) -> None:
    made = set_claim_policy(actor=actor, claim_key=unverified, policy=HIDE)
    assert made is not None and made.policy == HIDE and made.updated_by == actor.user
    changed = set_claim_policy(actor=actor, claim_key=unverified, policy=SHOW_AS_STALE)
    assert changed is not None and changed.pk == made.pk and changed.policy == SHOW_AS_STALE
    assert set_claim_policy(actor=actor, claim_key=unverified, policy=INHERIT) is None
    assert not ClaimPolicy.objects.exists()
    events = list(
        AuditEvent.objects.filter(action__startswith="claim_policy.")
        .order_by("pk")
        .values_list("action", "changes")
    )
    assert events == [
        ("claim_policy.created", {"claim_key": unverified, "policy": [INHERIT, HIDE]}),
        ("claim_policy.updated", {"claim_key": unverified, "policy": [HIDE, SHOW_AS_STALE]}),
        ("claim_policy.deleted", {"claim_key": unverified, "policy": [SHOW_AS_STALE, INHERIT]}),
    ]


def test_bad_policy_or_claim_is_refused_and_nothing_is_written(actor: Any, unverified: str) -> None:
    with pytest.raises(ValidationError) as bad_policy:
        set_claim_policy(actor=actor, claim_key=unverified, policy="show_as_verified")
    assert "policy" in bad_policy.value.message_dict
    for key in ("certification:999999", "program:nonsense", "program:dr_failover:999999", "x"):
        with pytest.raises(ValidationError) as bad_key:
            set_claim_policy(actor=actor, claim_key=key, policy=HIDE)
        assert bad_key.value.message_dict == {"claim_key": ["No such trust center claim."]}
    assert not ClaimPolicy.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="claim_policy.").exists()


@pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
def test_only_owners_and_admins_set_a_claim_policy(
    actor: Any, org_a: Any, unverified: str, role: str
) -> None:
    other = principal_for(member(org_a, role, email=f"{role}@alpha.test"), org_a)
    with pytest.raises(PermissionDenied):
        set_claim_policy(actor=other, claim_key=unverified, policy=HIDE)
    admin = principal_for(member(org_a, "admin", email="admin@alpha.test"), org_a)
    set_claim_policy(actor=admin, claim_key=unverified, policy=HIDE)
    with pytest.raises(PermissionDenied):
        set_claim_policy(actor=other, claim_key=unverified, policy=INHERIT)
    assert ClaimPolicy.objects.get().policy == HIDE


def test_effective_policy_override_else_default(actor: Any, unverified: str) -> None:
    assert public_posture().for_claim(unverified).hidden is False  # type: ignore[union-attr]
    set_claim_policy(actor=actor, claim_key=unverified, policy=HIDE)
    current = public_posture()
    assert current.policy_of(unverified) == HIDE and current.for_claim(unverified).hidden  # type: ignore[union-attr]
    update_settings(actor=actor, claim_posture_policy=HIDE)
    set_claim_policy(actor=actor, claim_key=unverified, policy=SHOW_AS_STALE)
    claim = public_posture().for_claim(unverified)
    assert claim is not None and not claim.hidden and not claim.verified


# --- Public pages, one per policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("default", "override", "shown"),
    [
        (SHOW_AS_STALE, INHERIT, True),
        (HIDE, INHERIT, False),
        (HIDE, SHOW_AS_STALE, True),
        (SHOW_AS_STALE, HIDE, False),
    ],
)
def test_public_page_follows_the_claims_effective_policy(
    client: Client, actor: Any, unverified: str, default: str, override: str, shown: bool
) -> None:
    other = certified(actor, title="SOC 2 Type 2")  # bound to the same failing control, no override
    bind_claim(actor=actor, claim_key=other, control=make_control(actor, key="AC-2", name="Other"))
    update_settings(actor=actor, claim_posture_policy=default)
    set_claim_policy(actor=actor, claim_key=unverified, policy=override)
    page = public(client)
    if shown:
        assert "ISO 27001" in page and NOT_VERIFIED in page
    else:
        assert "ISO 27001" not in page and "AC-1" not in page
    assert ("SOC 2 Type 2" in page) is (default == SHOW_AS_STALE)  # the other claim keeps the default
    assert "Verified by" not in page  # whatever the policy, never shown as plainly verified


def test_a_verified_claim_shows_whatever_its_policy(client: Client, actor: Any) -> None:
    publish(actor)
    key = certified(actor)
    control = make_control(actor, key="AC-1", name="Reviews")
    now = dt.datetime.now(dt.UTC)
    controls.add_evidence(
        actor=actor,
        control=control,
        kind="link",
        url="https://x.example/e",
        effective_at=now - dt.timedelta(days=1),
        expires_at=now + dt.timedelta(days=30),
    )
    bind_claim(actor=actor, claim_key=key, control=control)
    set_claim_policy(actor=actor, claim_key=key, policy=HIDE)
    assert "Verified by 1 control" in public(client)


def test_a_policy_change_clears_the_cached_page_at_once(client: Client, actor: Any, unverified: str) -> None:
    assert NOT_VERIFIED in public(client)  # rendered and cached
    assert NOT_VERIFIED in public(client)  # served from the cache
    set_claim_policy(actor=actor, claim_key=unverified, policy=HIDE)
    assert "ISO 27001" not in public(client)
    set_claim_policy(actor=actor, claim_key=unverified, policy=INHERIT)
    assert NOT_VERIFIED in public(client)


# --- Certification counts ------------------------------------------------------------------------------


def test_not_verified_certifications_are_not_counted_as_valid(
    client: Client, actor: Any, unverified: str
) -> None:
    certified(actor, title="SOC 2 Type 2")  # valid, bound to nothing
    page = public(client, OVERVIEW)
    assert "<strong>1</strong> of 2 certifications currently valid" in page
    set_claim_policy(actor=actor, claim_key=unverified, policy=HIDE)
    page = public(client, OVERVIEW)
    assert "<strong>1</strong> of 1 certification currently valid" in page and "ISO 27001" not in page


def test_verified_certifications_count_as_valid(client: Client, actor: Any) -> None:
    publish(actor)
    certified(actor, title="SOC 2 Type 2")
    certified(actor)
    assert "<strong>2</strong> of 2 certifications currently valid" in public(client, OVERVIEW)
