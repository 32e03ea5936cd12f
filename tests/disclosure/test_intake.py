"""Report intake: rate limits, e-mail verification gate, size limits, escaping, the status link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone

from tests.disclosure.helpers import link_from, org_with_owner, post, publish_policy, submit, verified_report
from tests.factories import principal_for
from trustroom.disclosure import services
from trustroom.disclosure.models import DisclosureReport, ReportStatus
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    org, _owner, actor = org_with_owner()
    publish_policy(org, actor)
    return org


def test_policy_page_shows_scope_rules_and_rewards(org) -> None:  # type: ignore[no-untyped-def]
    body = Client().get("/trust/acme/disclosure/").content.decode()
    assert "app.acme.test and api.acme.test" in body
    assert "customers&#x27; data" in body
    assert '<th scope="row">High</th><td>Yes</td><td>1000.00 USD</td>' in body


def test_report_is_held_until_the_email_is_confirmed(org) -> None:  # type: ignore[no-untyped-def]
    response = submit(org)
    assert response.status_code == 200
    with org_scope(org):
        report = DisclosureReport.objects.get()
    assert report.status == ReportStatus.UNVERIFIED
    owner = org.memberships.get().user
    staff = Client()
    staff.force_login(owner)
    assert "Stored XSS" not in staff.get("/o/acme/disclosure/").content.decode()
    assert staff.get(f"/o/acme/disclosure/reports/{report.pk}/").status_code == 404
    verify = link_from(mail.outbox[-1], "verify")
    assert Client().get(verify).status_code == 200  # a button, not the confirmation
    with org_scope(org):
        assert DisclosureReport.objects.get().status == ReportStatus.UNVERIFIED
    assert post(verify).status_code == 200
    with org_scope(org):
        report = DisclosureReport.objects.get()
    assert report.status == ReportStatus.NEW
    assert "Stored XSS" in staff.get("/o/acme/disclosure/").content.decode()
    with org_scope(org):  # triage is refused while unverified (service level)
        assert report.email_verified_at is not None


def test_expired_or_wrong_verification_link(org) -> None:  # type: ignore[no-untyped-def]
    submit(org)
    verify = link_from(mail.outbox[-1], "verify")
    with org_scope(org):
        DisclosureReport.objects.update(verification_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().post(verify).status_code == 410
    with org_scope(org):
        assert DisclosureReport.objects.get().status == ReportStatus.UNVERIFIED
    assert Client().post(verify[:-5] + "xxxx/").status_code == 404


def test_rate_limit_per_email(org) -> None:  # type: ignore[no-untyped-def]
    for i in range(services.REPORTS_PER_EMAIL):
        assert submit(org, title=f"Report {i}").status_code == 200
    response = submit(org, title="One too many")
    assert response.status_code == 429
    assert "Too many reports" in response.content.decode()
    with org_scope(org):
        assert DisclosureReport.objects.count() == services.REPORTS_PER_EMAIL


def test_rate_limit_per_ip(org) -> None:  # type: ignore[no-untyped-def]
    for i in range(services.REPORTS_PER_IP):
        assert submit(org, email=f"r{i}@research.test").status_code == 200
    assert submit(org, email="fresh@research.test").status_code == 429
    with org_scope(org):
        assert DisclosureReport.objects.count() == services.REPORTS_PER_IP


def test_bad_input_names_the_field_and_stores_nothing(org) -> None:  # type: ignore[no-untyped-def]
    response = submit(org, description="x" * 20001, email="not-an-address")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert "at most 20000 characters" in body
    with org_scope(org):
        assert not DisclosureReport.objects.exists()


def test_input_is_never_rendered_as_html(org) -> None:  # type: ignore[no-untyped-def]
    report, status_path = verified_report(org, title="<script>alert(1)</script>")
    owner = org.memberships.get().user
    staff = Client()
    staff.force_login(owner)
    for body in (
        staff.get(f"/o/acme/disclosure/reports/{report.pk}/").content.decode(),
        Client().get(status_path).content.decode(),
    ):
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_status_link_shows_status_and_public_updates_only(org) -> None:  # type: ignore[no-untyped-def]
    report, status_path = verified_report(org)
    owner = org.memberships.get().user
    with TestCase.captureOnCommitCallbacks(execute=True), org_scope(org):
        actor = principal_for(owner, org)
        services.add_update(actor=actor, report=report, body="We reproduced it, thanks.", public=True)
        services.add_update(actor=actor, report=report, body="Internal: blame the intern", public=False)
    assert "Update on your report" in mail.outbox[-1].subject
    assert link_from(mail.outbox[-1], "status") == status_path
    body = Client().get(status_path).content.decode()
    assert "We reproduced it" in body
    assert "blame the intern" not in body
    with org_scope(org):
        stored = DisclosureReport.objects.get()
    token = status_path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in (stored.status_digest, stored.status_salt)  # only the digest is stored
    wrong = status_path.replace(token, ("0" if token[0] != "0" else "1") + token[1:])
    assert Client().get(wrong).status_code == 404
    assert Client().get(status_path.replace("/acme/", "/other/")).status_code == 404
