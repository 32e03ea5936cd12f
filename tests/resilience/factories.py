"""Records of the resilience program for tests, made through the services (as the app makes them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustroom.resilience import services
from trustroom.resilience.models import ActionItem, BcpExercise, DrPlan, FailoverDrill
from trustroom.tenancy.principal import Principal

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def make_plan(actor: Principal, **fields: Any) -> DrPlan:
    values: dict[str, Any] = {
        "service": "Core API",
        "rto_minutes": 60,
        "rpo_minutes": 5,
        "topology": "multi-zone; two-node PostgreSQL cluster with streaming replication",
    }
    values.update(fields)
    return services.create_plan(actor=actor, **values)


def make_drill(actor: Principal, plan: DrPlan, *, started_at: Any, **fields: Any) -> FailoverDrill:
    values: dict[str, Any] = {"started_at": started_at, "outcome": "passed", "measured_rpo_minutes": 1}
    if isinstance(started_at, dt.datetime) and started_at.tzinfo is not None:
        values["ended_at"] = started_at + dt.timedelta(minutes=30)
        values["now"] = max(NOW, started_at + dt.timedelta(days=1))
    values.update(fields)
    return services.record_drill(actor=actor, plan=plan, **values)


def make_exercise(actor: Principal, **fields: Any) -> BcpExercise:
    values: dict[str, Any] = {
        "title": "Primary cloud region outage",
        "scenario": "The primary region is unreachable for six hours.",
        "held_at": NOW - dt.timedelta(days=10),
        "participants": [
            {"function": "Engineering", "name": "Asha"},
            {"function": "Support", "name": "Ben"},
        ],
        "open_points": ["Status page wording for region outages", "Customer notice template"],
    }
    values.update(fields)
    return services.create_exercise(actor=actor, **values)


def make_item(actor: Principal, **fields: Any) -> ActionItem:
    values: dict[str, Any] = {"title": "Automate the DNS switch", "due_on": NOW.date()}
    values.update(fields)
    return services.create_action_item(actor=actor, **values)
