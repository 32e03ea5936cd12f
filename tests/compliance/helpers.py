"""Shared helpers of the compliance tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustroom.compliance import services
from trustroom.compliance.models import Certification, Framework
from trustroom.tenancy.principal import Principal

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def builtin(code: str) -> Framework:
    return Framework.builtins.get(code=code)


def make_cert(actor: Principal, **fields: Any) -> Certification:
    values: dict[str, Any] = {
        "kind": "certificate",
        "title": "ISO 27001:2022 certificate",
        "series": "iso",
        "valid_from": TODAY - dt.timedelta(days=100),
        "valid_until": TODAY + dt.timedelta(days=365),
    }
    values.update(fields)
    return services.create_certification(actor=actor, **values)
