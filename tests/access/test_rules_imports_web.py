"""The rules, imports and review-export pages through the test client: what an owner and a viewer see and
may do, what a bad form or file answers, and what the evidence downloads contain."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from tests.access import factories as f
from tests.factories import member, principal_for
from tests.tenancy.factories import signed_in
from trustroom.access.models import (
    AccessGrant,
    AccessImport,
    AccessPolicyRule,
    AccessReviewItem,
    RevocationTask,
)
from trustroom.access.services import imports, reviews, rules
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
BASE = "/o/alpha-co/access"


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    billing = f.system(org_a, "Billing")
    prod = f.environment(org_a, billing, "production")
    staging = f.environment(org_a, billing, "staging")
    devops = f.group(org_a, "DevOps", ["ops1@alpha.test", "ops2@alpha.test"])
    grants = {
        "ops1": f.grant(org_a, prod, "ops1@alpha.test", "admin"),
        "ops2": f.grant(org_a, prod, "ops2@alpha.test", "read"),
        "intruder": f.grant(org_a, prod, "intruder@alpha.test", "write"),
        "staging": f.grant(org_a, staging, "dev@alpha.test", "write"),
    }
    return {
        "org": org_a,
        "owner_user": owner_a,
        "owner": principal_for(owner_a, org_a),
        "client": signed_in(owner_a),
        "viewer": signed_in(member(org_a, "viewer")),
        "billing": billing,
        "prod": prod,
        "devops": devops,
        "grants": grants,
    }


def _rule(world: dict[str, Any], **fields: Any) -> AccessPolicyRule:
    with org_scope(world["org"]):
        return rules.create_rule(actor=world["owner"], **fields)


def _text(html: str) -> str:
    """The page's visible text on one line, for assertions that do not depend on markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- rules ---------------------------------------------------------------------------------------------


def test_rules_page_lists_rules_with_their_violations(world: dict[str, Any]) -> None:
    _rule(
        world,
        name="Production is DevOps only",
        environment_kind="production",
        allowed_group=world["devops"],
        max_people=2,
    )
    _rule(world, name="Billing for few", system=world["billing"], max_people=10)
    response = world["client"].get(BASE + "/rules/")
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "Production is DevOps only" in text
    assert "Group DevOps; at most 2 people" in text
    # The grant outside the group, with the person and the environment; the count above the maximum.
    assert "intruder@alpha.test (Billing · Production, Write) is not in DevOps" in text
    assert "3 people, 1 above the maximum" in text
    assert "ops1@alpha.test (" not in text
    # The second rule holds: four people, at most ten.
    assert "Billing for few" in text
    assert "None (4 people)" in text
    assert "Open revocation tasks" in text


def test_owner_adds_a_rule_through_the_form(world: dict[str, Any]) -> None:
    response = world["client"].post(
        BASE + "/rules/",
        {
            "name": "Prod max three",
            "environment_kind": "production",
            "system": "",
            "allowed_group": str(world["devops"].pk),
            "max_people": "3",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == BASE + "/rules/"
    with org_scope(world["org"]):
        rule = AccessPolicyRule.objects.get()
        assert (rule.name, rule.environment_kind, rule.allowed_group_id, rule.max_people, rule.enabled) == (
            "Prod max three",
            "production",
            world["devops"].pk,
            3,
            True,
        )
    page = _text(world["client"].get(BASE + "/rules/").content.decode())
    assert "The rule Prod max three was added." in page
    assert "Group DevOps; at most 3 people" in page


def test_a_rule_with_neither_group_nor_maximum_is_refused(world: dict[str, Any]) -> None:
    response = world["client"].post(
        BASE + "/rules/", {"name": "Vague", "environment_kind": "production", "enabled": "on"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "allowed_group" in form.errors
    assert "group" in " ".join(form.errors["allowed_group"]).lower()
    page = response.content.decode()
    assert "Not added: please correct the fields marked below." in page
    assert form.errors["allowed_group"][0] in _text(page).replace("&#x27;", "'")
    with org_scope(world["org"]):
        assert not AccessPolicyRule.objects.exists()


def test_a_viewer_sees_no_form_and_may_not_post(world: dict[str, Any]) -> None:
    rule = _rule(world, name="Prod", environment_kind="production", allowed_group=world["devops"])
    page = world["viewer"].get(BASE + "/rules/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "intruder@alpha.test" in html  # a viewer reads the violations
    assert "Add a rule" not in html
    assert f"/rules/{rule.pk}/open-revocations/" not in html
    assert f"/rules/{rule.pk}/delete/" not in html
    response = world["viewer"].post(BASE + "/rules/", {"name": "Mine", "max_people": "1"})
    assert response.status_code == 403
    assert world["viewer"].post(f"{BASE}/rules/{rule.pk}/open-revocations/").status_code == 403
    assert world["viewer"].post(f"{BASE}/rules/{rule.pk}/delete/").status_code == 403
    with org_scope(world["org"]):
        assert list(AccessPolicyRule.objects.values_list("name", flat=True)) == ["Prod"]
        assert not RevocationTask.objects.exists()


def test_open_revocation_tasks_once(world: dict[str, Any]) -> None:
    rule = _rule(world, name="Prod", environment_kind="production", allowed_group=world["devops"])
    url = f"{BASE}/rules/{rule.pk}/open-revocations/"
    first = world["client"].post(url, follow=True)
    assert "1 revocation task opened." in first.content.decode()
    with org_scope(world["org"]):
        task = RevocationTask.objects.get()
        assert (task.grant_id, task.reason) == (world["grants"]["intruder"].pk, "policy")
    second = world["client"].post(url, follow=True)
    assert "0 revocation tasks opened." in second.content.decode()
    with org_scope(world["org"]):
        assert RevocationTask.objects.count() == 1


# --- imports -------------------------------------------------------------------------------------------

GOOD = (
    "email,system,environment,privilege,name\n"
    "ops1@alpha.test,Billing,production,admin,Ops One\n"  # matching
    "ops2@alpha.test,Billing,production,write,Ops Two\n"  # changed: read -> write
    "new@alpha.test,Billing,production,read,New Person\n"  # new
    "dev@alpha.test,Billing,staging,write,Dev\n"  # matching
)  # intruder@alpha.test is recorded on production and not in the file: missing


def _upload(client: Any, content: bytes, name: str = "okta.csv", source: str = "Okta") -> Any:
    return client.post(
        BASE + "/imports/",
        {"source": source, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def _rows(html: str, heading_id: str) -> list[str]:
    """The visible text of each body row of the table in the section headed `heading_id`."""
    section = html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]
    if "<tbody>" not in section:
        return []
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [_text(row).strip() for row in body.split("</tr>") if row.strip()]


def test_upload_shows_the_diff(world: dict[str, Any]) -> None:
    response = _upload(world["client"], GOOD.encode())
    assert response.status_code == 302
    with org_scope(world["org"]):
        created = AccessImport.objects.get()
    assert response["Location"] == f"{BASE}/imports/{created.pk}/"
    html = world["client"].get(response["Location"]).content.decode()
    assert "New: in the file, not recorded (1)" in html
    assert "Missing: recorded, not in the file (1)" in html
    assert "Changed privilege (1)" in html
    assert "2 grants match the records." in html
    assert _rows(html, "new-heading") == ["new@alpha.test Billing Production read"]
    assert _rows(html, "missing-heading") == ["intruder@alpha.test Billing Production write"]
    assert _rows(html, "changed-heading") == ["ops2@alpha.test Billing Production read write"]
    assert "Apply import" in html
    # Nothing is applied by uploading.
    with org_scope(world["org"]):
        assert not AccessGrant.objects.filter(person_email="new@alpha.test").exists()
    # The list names the import.
    listing = world["client"].get(BASE + "/imports/").content.decode()
    assert "Okta" in listing and "okta.csv" in listing


def test_a_bad_row_names_its_line_and_stores_nothing(world: dict[str, Any]) -> None:
    content = GOOD + "someone@alpha.test,Billing,moon,read,Someone\n"
    response = _upload(world["client"], content.encode())
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert "Line 6" in errors and "moon" in errors
    assert "Line 6" in response.content.decode()
    with org_scope(world["org"]):
        assert not AccessImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(world: dict[str, Any]) -> None:
    content = GOOD.encode() + b"x" * (imports.MAX_BYTES + 1 - len(GOOD))
    assert len(content) == imports.MAX_BYTES + 1
    response = _upload(world["client"], content)
    assert response.status_code == 400
    message = " ".join(response.context["form"].errors["file"])
    assert message == "The file is larger than 2 MiB."
    assert message in response.content.decode()
    with org_scope(world["org"]):
        assert not AccessImport.objects.exists()


def test_a_viewer_sees_the_diff_but_may_not_upload_or_apply(world: dict[str, Any]) -> None:
    with org_scope(world["org"]):
        created = imports.create_import(actor=world["owner"], source="Okta", content=GOOD.encode())
    page = world["viewer"].get(BASE + "/imports/").content.decode()
    assert "CSV file" not in page
    detail = world["viewer"].get(f"{BASE}/imports/{created.pk}/")
    assert detail.status_code == 200
    assert "Apply import" not in detail.content.decode()
    assert _upload(world["viewer"], GOOD.encode()).status_code == 403
    assert world["viewer"].post(f"{BASE}/imports/{created.pk}/apply/").status_code == 403
    with org_scope(world["org"]):
        assert AccessImport.objects.get().applied_at is None


def test_apply_records_grants_and_opens_revocations_then_refuses_a_second_time(world: dict[str, Any]) -> None:
    with org_scope(world["org"]):
        created = imports.create_import(actor=world["owner"], source="Okta", content=GOOD.encode())
    url = f"{BASE}/imports/{created.pk}/apply/"
    first = world["client"].post(url, follow=True)
    page = first.content.decode()
    assert "Applied: 1 grants recorded, 1 privileges changed, 1 revocation tasks opened, 0 skipped." in page
    assert "Apply import" not in page  # applied: no second button
    with org_scope(world["org"]):
        new = AccessGrant.objects.get(person_email="new@alpha.test")
        assert (new.environment_id, new.privilege, new.source) == (world["prod"].pk, "read", "import")
        assert AccessGrant.objects.get(pk=world["grants"]["ops2"].pk).privilege == "write"
        task = RevocationTask.objects.get()
        assert (task.grant_id, task.reason) == (world["grants"]["intruder"].pk, "import")
        grants_before = sorted(AccessGrant.objects.values_list("pk", "privilege"))
    second = world["client"].post(url, follow=True)
    assert "This import was already applied on" in second.content.decode()
    with org_scope(world["org"]):
        assert RevocationTask.objects.count() == 1
        assert sorted(AccessGrant.objects.values_list("pk", "privilege")) == grants_before


# --- review evidence exports ---------------------------------------------------------------------------


@pytest.fixture
def campaign(world: dict[str, Any]) -> Any:
    with org_scope(world["org"]):
        opened = reviews.open_campaign(
            actor=world["owner"], name="Q2 access review", due_at=timezone.now() + dt.timedelta(days=14)
        )
        decisions = {"ops1@alpha.test": "keep", "intruder@alpha.test": "revoke"}
        for email, decision in decisions.items():
            item = AccessReviewItem.objects.get(campaign=opened, person_email=email)
            reviews.decide_item(actor=world["owner"], item=item, decision=decision, comment="checked")
    return opened


def _export_links(world: dict[str, Any], campaign: Any) -> dict[str, str]:
    html = world["client"].get(f"{BASE}/reviews/{campaign.pk}/").content.decode()
    found = re.findall(r'<a href="([^"]+)">Download (CSV|PDF)</a>', html)
    links = {label: href for href, label in found}
    assert set(links) == {"CSV", "PDF"}
    return links


def test_csv_export_from_the_page_link(world: dict[str, Any], campaign: Any) -> None:
    response = world["client"].get(_export_links(world, campaign)["CSV"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 4  # one row per item
    by_person = {row["person"]: row for row in rows}
    assert set(by_person) == {
        "ops1@alpha.test",
        "ops2@alpha.test",
        "intruder@alpha.test",
        "dev@alpha.test",
    }
    assert by_person["ops1@alpha.test"]["decision"] == "keep"
    assert by_person["intruder@alpha.test"]["decision"] == "revoke"
    assert by_person["intruder@alpha.test"]["revocation task"] == "open"
    assert by_person["ops2@alpha.test"]["decision"] == ""
    assert by_person["ops1@alpha.test"]["reviewer"] == world["owner_user"].email


def test_pdf_export_from_the_page_link(world: dict[str, Any], campaign: Any) -> None:
    response = world["client"].get(_export_links(world, campaign)["PDF"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Q2 access review" in text
    assert "50 % (2 of 4 items decided)" in text


def test_an_unknown_export_format_is_not_served(world: dict[str, Any], campaign: Any) -> None:
    response = world["client"].get(f"{BASE}/reviews/{campaign.pk}/export.html")
    assert response.status_code in (400, 404)
    assert "attachment" not in response.get("Content-Disposition", "")


# --- sub-navigation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "tab"),
    [("/rules/", "Policy rules"), ("/imports/", "Imports"), ("/groups/", "Groups"), ("/grants/", "Grants")],
)
def test_the_sections_tab_is_marked_current_on_its_pages(world: dict[str, Any], path: str, tab: str) -> None:
    with org_scope(world["org"]):
        created = imports.create_import(actor=world["owner"], source="Okta", content=GOOD.encode())
    detail = {
        "/rules/": "/rules/",
        "/imports/": f"/imports/{created.pk}/",
        "/groups/": f"/groups/{world['devops'].pk}/",
        "/grants/": f"/grants/{world['grants']['ops1'].pk}/",
    }[path]
    html = world["client"].get(BASE + detail).content.decode()
    nav = html.split('<nav aria-label="Access"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == [tab]
