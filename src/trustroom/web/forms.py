"""Submitting a form to a service: the one shape every create/edit page shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError

from trustroom.tenancy.forms import add_service_errors

T = TypeVar("T")


@dataclass(frozen=True)
class Saved(Generic[T]):
    """What the service returned for input it accepted (its value may be None)."""

    value: T


def save_form(form: forms.Form, save: Callable[[dict[str, Any]], T]) -> Saved[T] | None:
    """Run the service `save` on the valid form's cleaned data.

    None when the form or the service refused the input: the service's ValidationError is then shown
    on the form (per field where the form has that field), and nothing was written.
    """
    if not form.is_valid():
        return None
    try:
        return Saved(save(form.cleaned_data))
    except ValidationError as error:
        add_service_errors(form, error)
        return None
