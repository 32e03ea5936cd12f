"""Cross-tenant entries of questionnaires (/o/<org_slug>/answers/questionnaires/ and their API)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.security.cross_tenant import ORG, Route
from trustroom.answers.models import QuestionnaireItem
from trustroom.answers.questionnaires import services
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal


def _questionnaire(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": world["questionnaire"]}


def _page_item(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": world["questionnaire"], "item_pk": world["questionnaire_item"]}


def _api_item(world: dict[str, Any]) -> dict[str, Any]:
    return {"questionnaire_pk": world["questionnaire"], "pk": world["questionnaire_item"]}


def _api_items(world: dict[str, Any]) -> dict[str, Any]:
    return {"questionnaire_pk": world["questionnaire"]}


ROUTES: dict[str, Route] = {
    # pages
    "answers:questionnaire-list": Route(ORG),
    "answers:questionnaire-create": Route(ORG),
    "answers:questionnaire-detail": Route(ORG, target=_questionnaire),
    "answers:questionnaire-edit": Route(ORG, target=_questionnaire),
    "answers:questionnaire-delete": Route(ORG, target=_questionnaire),
    "answers:questionnaire-reanswer": Route(ORG, target=_questionnaire),
    "answers:questionnaire-export": Route(ORG, target=_questionnaire),
    "answers:questionnaire-item": Route(ORG, target=_page_item),
    "answers:questionnaire-item-accept": Route(ORG, target=_page_item),
    "answers:questionnaire-item-reject": Route(ORG, target=_page_item),
    "answers:questionnaire-item-edit": Route(ORG, target=_page_item),
    "answers:questionnaire-item-use-entry": Route(ORG, target=_page_item),
    # API
    "questionnaire-list": Route(ORG, api=True),
    "questionnaire-detail": Route(ORG, api=True, target=_questionnaire),
    "questionnaire-reanswer": Route(ORG, api=True, target=_questionnaire),
    "questionnaire-export": Route(ORG, api=True, target=_questionnaire),
    "questionnaire-answer": Route(ORG, api=True),
    "questionnaire-item-list": Route(ORG, api=True, target=_api_items),
    "questionnaire-item-detail": Route(ORG, api=True, target=_api_item),
    "questionnaire-item-accept": Route(ORG, api=True, target=_api_item),
    "questionnaire-item-reject": Route(ORG, api=True, target=_api_item),
    "questionnaire-item-edit": Route(ORG, api=True, target=_api_item),
    "questionnaire-item-use-entry": Route(ORG, api=True, target=_api_item),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """One small CSV questionnaire (kept small: the import runs the sandboxed parser in a child)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Ref", "Question"])
    writer.writerow(["Q1", f"Does {label} encrypt customer data at rest?"])
    writer.writerow(["Q2", f"Who is the {label} data protection officer?"])
    questionnaire = services.import_questionnaire(
        actor=actor,
        content=out.getvalue().encode(),
        filename=f"{label}-vendor-review.csv",
        title=f"{label} vendor review",
        customer=f"{label} customer",
    )
    item = QuestionnaireItem.objects.filter(questionnaire=questionnaire).order_by("position").first()
    assert item is not None
    return {"questionnaire": questionnaire.pk, "questionnaire_item": item.pk}
