"""In real Chromium, against the PagerDuty / Slack stand-in (a real HTTP server on loopback that checks every
PagerDuty request against the Events API v2 rules): an admin sets up a PagerDuty and a Slack notifier and
two routing rules through the pages; signed alerts sent over HTTP are routed by severity; a PagerDuty
refusal shows as a failed delivery that "Retry now" delivers; an incident opened from the alert pages
PagerDuty's acknowledge and resolve with the trigger's dedup_key, and is closed only once its follow-up
action is done. Along the way: labelled controls, distinguishable button names, status in words."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshot
from tests.e2e.test_monitoring import send_signed
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, principal_for
from tests.monitoring.standin import SLACK_PATH, Received, Scripted, StandIn
from trustroom.monitoring.models import Alert
from trustroom.monitoring.routing_models import Delivery
from trustroom.monitoring.services import create_source
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).resolve().parents[1] / "monitoring" / "fixtures" / "guardduty_ec2_event.json"
PD_KEY = "E2EROUTINGKEYE2EROUTINGKEY0042ab"  # 32 characters, like an Events API v2 integration key
HIGH = "Outbound traffic to a known bad host"
SECOND_HIGH = "Port probe from a scanner"
LOW = "Disk nearly full on build-7"


@pytest.fixture
def standin(settings: Any) -> Iterator[StandIn]:
    """The stand-in, and the settings that point the live server (same process) at it."""
    server = StandIn().start()
    settings.TRUSTROOM_PAGERDUTY_EVENTS_URL = server.pagerduty_url
    settings.TRUSTROOM_NOTIFIER_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.TRUSTROOM_NOTIFIER_ALLOW_HTTP = True  # the stand-in speaks plain http on loopback
    try:
        yield server
    finally:
        server.stop()
    assert not server.invalid, [(one.problems, one.raw[:300]) for one in server.invalid]


def guardduty_finding(finding_id: str, title: str) -> bytes:
    """The AWS sample finding with a high GuardDuty score (7.0-8.9 is high) and its own id and title."""
    finding = copy.deepcopy(json.loads(SAMPLE.read_bytes()))
    finding.update(id=finding_id, title=title, severity=7.5)
    return json.dumps(finding).encode()


def send(url: str, secret: str, body: bytes) -> None:
    status, answer = send_signed(url, secret, body, str(int(time.time())))
    assert (status, answer) == (200, {"accepted": 1, "new": 1, "repeated": 0}), answer


def pagerduty_events(standin: StandIn, action: str) -> list[dict[str, Any]]:
    return [one.json for one in standin.pagerduty if one.json["event_action"] == action]


def wait_for(standin: StandIn, test: Any, what: str) -> list[Received]:
    """The stand-in's requests once `test` holds for them (deliveries go out right after the commit)."""
    deadline = time.monotonic() + 10
    while not test(standin.received):
        assert time.monotonic() < deadline, f"{what}: got {[one.raw[:200] for one in standin.received]}"
        time.sleep(0.05)
    return standin.received


def button_names(region: Any) -> list[str]:
    """The accessible names of the buttons in a region, as the browser's accessibility tree has them."""
    return re.findall(r'button "([^"]*)"', region.aria_snapshot())


def delivery_rows(page: Any, alert_title: str) -> Any:
    table = page.get_by_role("table", name="Deliveries, newest first")
    return table.locator("tbody tr", has=page.get_by_role("link", name=alert_title, exact=True))


def stored_delivery(org: Any, title: str, kind: str) -> Delivery:
    with org_scope(org):
        return Delivery.objects.get(alert__title=title, notifier_kind=kind, event="trigger")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_routing_deliveries_retry_and_incident(live_server: Any, page: Any, standin: StandIn) -> None:
    owner = UserFactory(email="olive@acme.test", full_name="Olive Owner")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    admin = UserFactory(email="ada@acme.test", full_name="Ada Admin")
    MembershipFactory(organization=org, user=admin, role="admin")
    with org_scope(org):  # the sources (their page is covered by test_monitoring)
        guardduty = create_source(actor=principal_for(owner, org), kind="guardduty", name="GuardDuty prod")
        generic = create_source(actor=principal_for(owner, org), kind="generic", name="Build farm")
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("ada@acme.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/o/acme/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Monitoring").click()
    subnav = page.get_by_role("navigation", name="Monitoring")

    # 1. Notifiers and rules, through the page forms.
    subnav.get_by_role("link", name="Notifiers").click()
    page.get_by_role("heading", name="Notifiers", level=1).wait_for()
    new_notifier = page.get_by_role("region", name="New notifier")
    new_notifier.get_by_label("Name", exact=True).fill("On-call")
    new_notifier.get_by_label("Kind").select_option(label="PagerDuty")
    new_notifier.get_by_label("PagerDuty routing key").fill(PD_KEY)
    new_notifier.get_by_role("button", name="Add notifier").click()
    page.get_by_text("The notifier was added.").wait_for()
    new_notifier.get_by_label("Name", exact=True).fill("#security")
    new_notifier.get_by_label("Kind").select_option(label="Slack")
    new_notifier.get_by_label("Slack incoming-webhook URL").fill(standin.slack_url)
    new_notifier.get_by_role("button", name="Add notifier").click()
    page.get_by_text("The notifier was added.").wait_for()
    notifiers = page.get_by_role("table", name="Notifiers of Acme Analytics")
    expect(notifiers.get_by_role("row", name=re.compile("On-call"))).to_contain_text(
        f"Routing key configured (…{PD_KEY[-4:]})"
    )
    expect(notifiers.get_by_role("row", name=re.compile("#security"))).to_contain_text(
        "Webhook URL configured"
    )
    content = page.content()
    assert PD_KEY not in content and PD_KEY[:-4] not in content  # at most the last four characters
    assert SLACK_PATH not in content and standin.base not in content
    names = button_names(notifiers)
    assert "Delete On-call" in names and "Delete #security" in names
    assert len(names) == len(set(names)), names  # every button in the table says which notifier

    subnav.get_by_role("link", name="Routing rules").click()
    page.get_by_role("heading", name="Routing rules", level=1).wait_for()
    new_rule = page.get_by_role("region", name="New rule")
    new_rule.get_by_label("Name", exact=True).fill("Critical and high to PagerDuty")
    new_rule.get_by_label("Send to").select_option(label="On-call (PagerDuty)")
    new_rule.get_by_label("Minimum severity").select_option(label="High")
    expect(new_rule.get_by_label("Stop here when this rule matches")).not_to_be_checked()
    new_rule.get_by_role("button", name="Add rule").click()
    page.get_by_text("The rule was added at the end of the list.").wait_for()
    new_rule.get_by_label("Name", exact=True).fill("Everything to Slack")
    new_rule.get_by_label("Send to").select_option(label="#security (Slack)")
    new_rule.get_by_role("button", name="Add rule").click()
    page.get_by_text("The rule was added at the end of the list.").wait_for()
    rules = page.get_by_role("table", name="Routing rules, in the order they are checked")
    rows = rules.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("1")
    expect(rows.nth(0)).to_contain_text("Critical and high to PagerDuty")
    expect(rows.nth(0)).to_contain_text("Severity: high and above")
    expect(rows.nth(1).locator("td").nth(0)).to_have_text("2")
    expect(rows.nth(1)).to_contain_text("Everything to Slack")
    expect(rows.nth(1)).to_contain_text("Severity: any")
    expect(rules).not_to_contain_text("(stop)")
    names = button_names(rules)
    assert "Delete Critical and high to PagerDuty" in names and "Delete Everything to Slack" in names
    assert len(names) == len(set(names)), names

    # 2. Signed alerts over HTTP: a high GuardDuty finding and a low generic alert.
    send(base + guardduty.path, guardduty.secret, guardduty_finding("e2e-high-1", HIGH))
    low = {"title": LOW, "severity": "low", "type": "host/disk", "resource": "build-7"}
    low["occurred_at"] = dt.datetime.now(dt.UTC).isoformat()
    send(base + generic.path, generic.secret, json.dumps(low).encode())

    # 3. High: PagerDuty and Slack; low: Slack only.
    wait_for(standin, lambda got: len(got) >= 3, "one trigger and two Slack messages")
    subnav.get_by_role("link", name="Deliveries").click()
    page.get_by_role("heading", name="Alert deliveries", level=1).wait_for()
    high_rows = delivery_rows(page, HIGH)
    expect(high_rows).to_have_count(2)
    expect(high_rows.filter(has_text="On-call (PagerDuty)")).to_contain_text("Delivered")
    expect(high_rows.filter(has_text="#security (Slack)")).to_contain_text("Delivered")
    low_rows = delivery_rows(page, LOW)
    expect(low_rows).to_have_count(1)
    expect(low_rows).to_contain_text("#security (Slack)")
    expect(low_rows).to_contain_text("Delivered")
    (trigger,) = pagerduty_events(standin, "trigger")
    dedup_key = stored_delivery(org, HIGH, "pagerduty").dedup_key
    assert trigger["dedup_key"] == dedup_key and dedup_key.startswith(f"trustroom:{org.pk}:")
    assert trigger["routing_key"] == PD_KEY
    assert trigger["payload"]["severity"] == "error"  # high -> error
    assert HIGH in trigger["payload"]["summary"]
    assert len(standin.slack) == 2 and not standin.invalid

    # 4. PagerDuty refuses the next event: failed at once, shown with its answer; "Retry now" delivers it.
    standin.answer(Scripted(400, body=b'{"status":"invalid event","message":"Event object is invalid"}'))
    send(base + guardduty.path, guardduty.secret, guardduty_finding("e2e-high-2", SECOND_HIGH))
    wait_for(standin, lambda got: len(got) >= 5, "the refused trigger and a Slack message")
    page.reload()
    failed = delivery_rows(page, SECOND_HIGH).filter(has_text="On-call (PagerDuty)")
    expect(failed).to_have_class("failed")
    expect(failed.locator("td strong")).to_have_text("Failed")  # in words, in bold: not colour alone
    expect(failed).to_contain_text("HTTP 400")
    expect(failed.get_by_role("note")).to_contain_text("(not retried)")
    expect(delivery_rows(page, SECOND_HIGH).filter(has_text="#security (Slack)")).to_contain_text("Delivered")
    retry_id = stored_delivery(org, SECOND_HIGH, "pagerduty").pk
    retry = failed.get_by_role("button", name=f"Retry now: delivery {retry_id} to On-call", exact=True)
    save_screenshot(page, "alert-routing-delivery-failed")
    retry.click()
    page.get_by_text("The delivery to On-call is sent again.").wait_for()
    expect(failed).to_contain_text("Delivered")
    expect(failed).not_to_have_class("failed")
    triggers = pagerduty_events(standin, "trigger")
    assert [one.status for one in standin.pagerduty] == [202, 400, 202]
    assert triggers[1] == triggers[2]  # the retry sent the same event

    # 5. An incident from the first high alert: it acknowledges the alert, and so PagerDuty's incident.
    delivery_rows(page, HIGH).first.get_by_role("link", name=HIGH).click()
    page.get_by_role("heading", name=HIGH, level=1).wait_for()
    page.get_by_role("region", name="Incident").get_by_role("button", name="Open incident").click()
    page.get_by_role("heading", name=f"INC-1 {HIGH}", level=1).wait_for()
    linked = page.get_by_role("region", name="Linked alerts").get_by_role("row", name=re.compile(HIGH))
    expect(linked).to_contain_text("Acknowledged")
    wait_for(standin, lambda _: pagerduty_events(standin, "acknowledge"), "PagerDuty acknowledge")
    (acknowledge,) = pagerduty_events(standin, "acknowledge")
    assert (acknowledge["dedup_key"], acknowledge["routing_key"]) == (dedup_key, PD_KEY)

    timeline = page.get_by_role("region", name="Timeline")
    timeline.get_by_label("Note", exact=True).fill("Blocked the host at the firewall.")
    timeline.get_by_role("button", name="Add to timeline").click()
    page.get_by_text("Note added.").wait_for()
    expect(
        timeline.get_by_role("listitem").filter(has_text="Blocked the host at the firewall.")
    ).to_have_count(1)

    actions = page.get_by_role("region", name="Follow-up actions")
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).replace(second=0, microsecond=0)
    actions.get_by_label("Action", exact=True).fill("Rotate the instance's credentials")
    actions.get_by_label("Owner e-mail").fill("olive@acme.test")
    actions.get_by_label("Due (UTC)").fill(due.strftime("%Y-%m-%dT%H:%M"))
    actions.get_by_role("button", name="Add action").click()
    page.get_by_text("Action added.").wait_for()
    action_row = actions.get_by_role("row", name=re.compile("Rotate the instance's credentials"))
    expect(action_row).to_contain_text("olive@acme.test")
    expect(action_row).to_contain_text(due.strftime("%Y-%m-%d %H:%M"))
    expect(action_row).to_contain_text("Open")

    resolve_form = page.locator("form", has=page.get_by_role("button", name="Resolve", exact=True))
    also_alerts = resolve_form.get_by_label("Also resolve its alerts that are still open")
    also_alerts.check()
    resolve_form.get_by_label("Note", exact=True).fill("Host rebuilt from a clean image.")
    resolve_form.get_by_role("button", name="Resolve", exact=True).click()
    page.get_by_text("Resolved.", exact=True).wait_for()
    expect(linked).to_contain_text("Resolved")
    wait_for(standin, lambda _: pagerduty_events(standin, "resolve"), "PagerDuty resolve")
    (resolve,) = pagerduty_events(standin, "resolve")
    assert (resolve["dedup_key"], resolve["routing_key"]) == (dedup_key, PD_KEY)
    times = page.get_by_role("region", name="Times (UTC)")
    duration = re.compile(r"^\d+ (s|min)$")
    expect(times.get_by_role("row", name=re.compile("MTTA")).get_by_role("cell")).to_have_text(duration)
    expect(times.get_by_role("row", name=re.compile("MTTR")).get_by_role("cell")).to_have_text(duration)

    # Closing with an open follow-up action is refused, with the reason, until it is done.
    page.get_by_role("button", name="Close after review").click()
    expect(page.get_by_role("alert")).to_contain_text("1 follow-up action(s) are still open")
    expect(page.get_by_role("alert")).to_contain_text("finish them, or carry them over")
    status = page.locator("dl dt", has_text=re.compile("^Status$")).locator("xpath=following-sibling::dd[1]")
    expect(status).to_have_text("Resolved")
    actions.get_by_role("button", name="Mark Rotate the instance's credentials done").click()
    page.get_by_text("Action done.").wait_for()
    expect(action_row).to_contain_text("Done")
    page.get_by_role("button", name="Close after review").click()
    page.get_by_text("Closed.", exact=True).wait_for()
    expect(status).to_have_text("Closed")
    save_screenshot(page, "alert-routing-incident-closed")
    with org_scope(org):
        assert Alert.objects.get(title=HIGH).status == "resolved"

    # Incident metrics: counted, with the chart (named by its <title>) and the same figures as a table.
    subnav.get_by_role("link", name="Incident metrics").click()
    page.get_by_role("heading", name="Incident metrics", level=1).wait_for()
    expect(page.get_by_text(re.compile(r": 1 incident\. MTTA"))).to_be_visible()
    by_status = page.get_by_role("table", name="By status")
    expect(by_status.get_by_role("row", name=re.compile("^Closed"))).to_contain_text("1")
    chart = page.get_by_role("img", name=re.compile("MTTA|MTTR"))
    expect(chart).to_have_count(1)
    assert chart.evaluate("node => node.tagName.toLowerCase()") == "svg"
    assert chart.locator("title").first.text_content()
    measured = page.get_by_role("table", name="Time to acknowledge and to resolve")
    expect(measured.get_by_role("row", name=re.compile("^MTTR"))).to_contain_text("1")
