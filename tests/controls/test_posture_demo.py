"""Demo Co's trust posture: one verified claim (a certification on AC-1) and one not currently verified
(the DR claim on the stale DR-1) on the public page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from trustroom.controls.models import ClaimBinding
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def test_demo_public_page_shows_one_verified_and_one_not_verified_claim(client: Client) -> None:
    cache.clear()
    result = load_demo()
    load_demo()  # idempotent
    with org_scope(result.organization):
        bound = sorted((b.claim_key.split(":")[0], b.control.key) for b in ClaimBinding.objects.all())
    assert bound == [("certification", "AC-1"), ("program", "DR-1")]
    overview = client.get("/trust/demo-co/").content.decode()
    assert "Not currently verified: control DR-1 is stale since" in overview
    certifications = client.get("/trust/demo-co/certifications/").content.decode()
    assert "Verified by 1 control, evidence as of" in certifications
