"""Demo Co's controls: the residency check over the sample inventory finds what lies outside Mumbai."""

from __future__ import annotations

import pytest

from trustroom.controls import selectors
from trustroom.controls.models import Check, CheckRun
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def test_demo_residency_check_finds_the_clusters_outside_ap_south_1() -> None:
    result = load_demo()
    load_demo()  # idempotent
    with org_scope(result.organization):
        assert Check.objects.count() == 1 and CheckRun.objects.count() == 1
        run = CheckRun.objects.get()
        assert run.outcome == "fail"
        outside = sorted((r["type"], r["name"]) for r in run.resources if not r["passed"])
        assert outside == [
            ("rds_cluster", "analytics-replica"),
            ("rds_cluster", "staging-db"),
            ("rds_instance", "legacy-reports"),
            ("s3_bucket", "demo-co-logs-archive"),
        ]
        statuses = {c.key: c.status for c in selectors.controls_with_status()}  # type: ignore[attr-defined]
        assert statuses == {"AC-1": "ready", "DATA-1": "failing", "DR-1": "stale", "VM-1": "missing"}
