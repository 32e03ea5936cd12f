"""The shared pieces of check kinds: a result from judged resources, and the clean of a kind without
parameters."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from trustroom.controls.checks import Resource, no_parameters, result_of


def resource(passed: bool) -> Resource:
    return Resource(type="thing", id="1", name="Thing", region="", passed=passed)


def test_result_of_fails_on_any_failed_or_no_resource() -> None:
    assert result_of([resource(True), resource(True)], empty="None.").outcome == "pass"
    failed = result_of([resource(True), resource(False)], empty="None.")
    assert (failed.outcome, failed.summary, len(failed.resources)) == ("fail", "1 of 2 did not pass.", 2)
    nothing = result_of([], empty="Nothing recorded.")
    assert (nothing.outcome, nothing.summary) == ("fail", "Nothing recorded.")


def test_no_parameters_refuses_any_parameter_by_name() -> None:
    clean = no_parameters("drill recency")
    assert clean(None) == {} and clean({}) == {}
    with pytest.raises(ValidationError) as error:
        clean({"within_days": 3})
    assert error.value.message_dict == {
        "parameters.within_days": ["Not a parameter of the drill recency check."]
    }
    with pytest.raises(ValidationError):
        clean([1])
