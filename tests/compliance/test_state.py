"""Certification state computed from dates at the boundaries; surveillance dates; gaps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from trustroom.compliance.state import (
    CURRENTLY_VALID,
    CertificationState,
    audit_period_gaps,
    certification_state,
    surveillance_dates,
)

S = CertificationState


@dataclass
class Cert:
    valid_from: dt.date = dt.date(2025, 1, 10)
    valid_until: dt.date = dt.date(2027, 1, 9)
    renewal_started_at: dt.datetime | None = None
    superseded_by_id: int | None = None
    series: str = "s"
    audit_period_start: dt.date | None = None
    audit_period_end: dt.date | None = None
    pk: int = 1
    surveillance_interval_months: int | None = None


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def test_valid_in_the_middle() -> None:
    assert certification_state(Cert(), at(dt.date(2025, 6, 1))) == S.VALID


def test_expiry_day_is_still_valid_and_the_next_day_is_expired() -> None:
    cert = Cert()
    assert certification_state(cert, at(cert.valid_until, 23)) == S.EXPIRING_SOON
    assert certification_state(cert, dt.datetime(2027, 1, 10, 0, 0, tzinfo=dt.UTC)) == S.EXPIRED


def test_ninety_day_window_boundary() -> None:
    cert = Cert()
    assert certification_state(cert, at(cert.valid_until - dt.timedelta(days=91))) == S.VALID
    assert certification_state(cert, at(cert.valid_until - dt.timedelta(days=90))) == S.EXPIRING_SOON


def test_not_yet_valid_before_the_first_day() -> None:
    cert = Cert()
    assert certification_state(cert, at(cert.valid_from - dt.timedelta(days=1))) == S.NOT_YET_VALID
    assert certification_state(cert, at(cert.valid_from)) == S.VALID


def test_renewal_in_progress_while_valid_but_expired_wins() -> None:
    cert = Cert(renewal_started_at=at(dt.date(2026, 10, 1)))
    assert certification_state(cert, at(dt.date(2026, 12, 1))) == S.RENEWAL_IN_PROGRESS
    assert certification_state(cert, at(dt.date(2027, 1, 10))) == S.EXPIRED


def test_superseded_wins_over_everything() -> None:
    cert = Cert(superseded_by_id=7, renewal_started_at=at(dt.date(2026, 10, 1)))
    assert certification_state(cert, at(dt.date(2025, 6, 1))) == S.SUPERSEDED
    assert certification_state(cert, at(dt.date(2030, 6, 1))) == S.SUPERSEDED


@pytest.mark.parametrize("offset", range(-400, 400, 7))
def test_an_expired_certificate_never_reads_as_valid(offset: int) -> None:
    cert = Cert(renewal_started_at=at(dt.date(2026, 1, 1)))
    now = at(cert.valid_until + dt.timedelta(days=offset))
    state = certification_state(cert, now)
    assert (state in CURRENTLY_VALID) == (cert.valid_from <= now.date() <= cert.valid_until)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        certification_state(Cert(), dt.datetime(2025, 1, 1))  # noqa: DTZ001


def test_surveillance_yearly_over_three_years_excludes_start_and_expiry() -> None:
    dates = surveillance_dates(
        valid_from=dt.date(2025, 3, 15), valid_until=dt.date(2028, 3, 15), interval_months=12
    )
    assert dates == [dt.date(2026, 3, 15), dt.date(2027, 3, 15)]


def test_surveillance_month_end_clamps_to_the_last_day() -> None:
    dates = surveillance_dates(
        valid_from=dt.date(2024, 8, 31), valid_until=dt.date(2025, 12, 31), interval_months=6
    )
    assert dates == [dt.date(2025, 2, 28), dt.date(2025, 8, 31)]
    leap = surveillance_dates(
        valid_from=dt.date(2023, 2, 28), valid_until=dt.date(2025, 2, 27), interval_months=12
    )
    assert leap == [dt.date(2024, 2, 28)]
    jan31 = surveillance_dates(
        valid_from=dt.date(2023, 1, 31), valid_until=dt.date(2024, 6, 1), interval_months=1
    )
    assert jan31[:3] == [dt.date(2023, 2, 28), dt.date(2023, 3, 31), dt.date(2023, 4, 30)]
    assert dt.date(2024, 2, 29) in jan31


def test_no_surveillance_without_an_interval() -> None:
    assert (
        surveillance_dates(
            valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2026, 1, 1), interval_months=None
        )
        == []
    )


def period(pk: int, start: dt.date, end: dt.date, series: str = "soc2") -> Any:
    return Cert(pk=pk, series=series, audit_period_start=start, audit_period_end=end)


def test_consecutive_periods_have_no_gap_and_a_missing_stretch_is_flagged() -> None:
    certs = [
        period(1, dt.date(2023, 7, 16), dt.date(2024, 7, 15)),
        period(2, dt.date(2024, 7, 16), dt.date(2025, 7, 15)),
        period(3, dt.date(2025, 9, 1), dt.date(2026, 8, 31)),
        period(4, dt.date(2020, 1, 1), dt.date(2020, 12, 31), series="other"),
    ]
    gaps = audit_period_gaps(certs)
    assert len(gaps) == 1
    gap = gaps[0]
    assert (gap.before_id, gap.after_id) == (2, 3)
    assert (gap.gap_start, gap.gap_end, gap.days) == (dt.date(2025, 7, 16), dt.date(2025, 8, 31), 47)


def test_overlapping_periods_are_not_a_gap() -> None:
    certs = [
        period(1, dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        period(2, dt.date(2023, 6, 1), dt.date(2024, 5, 31)),
        period(3, dt.date(2023, 7, 1), dt.date(2023, 8, 1)),
        period(4, dt.date(2024, 6, 1), dt.date(2025, 5, 31)),
    ]
    assert audit_period_gaps(certs) == []
