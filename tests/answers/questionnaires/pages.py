"""Shared by the questionnaire page and API tests: a signed-in client, an imported questionnaire, URLs."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.factories import principal_for
from trustroom.answers.models import Questionnaire, QuestionnaireItem
from trustroom.answers.questionnaires import services
from trustroom.tenancy.scope import org_scope


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def imported(org: Any, user: Any, content: bytes, filename: str = "acme.csv", **fields: Any) -> Questionnaire:
    with org_scope(org):
        return services.import_questionnaire(
            actor=principal_for(user, org), content=content, filename=filename, **fields
        )


def items(org: Any, questionnaire: Questionnaire) -> list[QuestionnaireItem]:
    with org_scope(org):
        found = QuestionnaireItem.objects.filter(questionnaire=questionnaire).select_related("entry")
        return list(found.order_by("position"))


def item(org: Any, pk: int) -> QuestionnaireItem:
    with org_scope(org):
        return QuestionnaireItem.objects.select_related("entry").get(pk=pk)


def base(org: Any) -> str:
    return f"/o/{org.slug}/answers/questionnaires/"


def detail(org: Any, questionnaire: Questionnaire) -> str:
    return f"{base(org)}{questionnaire.pk}/"


def item_url(org: Any, it: QuestionnaireItem, action: str = "") -> str:
    url = f"{base(org)}{it.questionnaire_id}/items/{it.pk}/"
    return f"{url}{action}/" if action else url
