"""save_form: a service runs only on valid input, and its refusal is shown on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from trustroom.web.forms import Saved, save_form


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


def test_the_service_gets_the_cleaned_data_and_its_value_is_returned() -> None:
    calls: list[dict[str, Any]] = []
    saved = save_form(NameForm({"name": " Ada "}), lambda data: calls.append(data) or "done")
    assert saved == Saved("done") and calls == [{"name": "Ada"}]


def test_a_service_returning_nothing_still_counts_as_saved() -> None:
    saved = save_form(NameForm({"name": "Ada"}), lambda data: None)
    assert saved is not None and saved.value is None


def test_an_invalid_form_never_reaches_the_service() -> None:
    calls: list[dict[str, Any]] = []
    form = NameForm({"name": "x" * 11})
    assert save_form(form, calls.append) is None
    assert calls == [] and "name" in form.errors


def test_the_services_errors_land_on_the_field_or_the_form() -> None:
    def refuse(data: dict[str, Any]) -> None:
        raise ValidationError({"name": "Taken.", "elsewhere": "Not now."})

    form = NameForm({"name": "Ada"})
    assert save_form(form, refuse) is None
    assert form.errors["name"] == ["Taken."] and form.non_field_errors() == ["Not now."]

    def refuse_plainly(data: dict[str, Any]) -> None:
        raise ValidationError("No.")

    form = NameForm({"name": "Ada"})
    assert save_form(form, refuse_plainly) is None and form.non_field_errors() == ["No."]
