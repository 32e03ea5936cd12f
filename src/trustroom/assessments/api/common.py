"""Shared by the VAPT API modules: query-parameter validation and the policy action of POST actions."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from trustroom.tenancy.api import OrgResourceViewSet


def query_filters(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """Validated query parameters of a list: a bad one is a 400 naming it, never silently ignored."""
    params = {key: request.query_params.get(key) for key in request.query_params}
    known = {name: value for name, value in params.items() if name in serializer_class().fields}
    body = serializer_class(data=known)
    body.is_valid(raise_exception=True)
    return {name: value for name, value in body.validated_data.items() if value not in (None, "")}


class ProgrammeViewSet(OrgResourceViewSet):
    """POST actions on an existing object change it: the policy is asked for "change", not "add"."""

    change_actions: frozenset[str] = frozenset()

    def policy_action(self, request: Request) -> str:
        if self.action in self.change_actions:
            return "change"
        return super().policy_action(request)
