"""In real Chromium, the continuous-controls journeys of issue 9: an admin adds a control mapped to a
framework requirement and a data residency check over an uploaded inventory snapshot, and "Run now"
shows the resources outside the allowed region; the trust center Posture tab binds a published claim to
a control, and the public page follows the control's state and the organization's policy; an auditor
assigned to an audit period sees only that window's evidence and downloads an evidence package that
`trustroom evidence verify` accepts, and rejects once a byte of one member is changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.controls.audit_factories import soc2_control
from tests.controls.factories import make_control, make_residency_check
from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, member, principal_for
from tests.trustcenter.public_data import make_certification, publish
from trustroom.controls import services
from trustroom.controls.services.posture import bind_claim
from trustroom.tenancy.models import Role
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization

pytestmark = pytest.mark.e2e
SNAPSHOT = (
    Path(__file__).resolve().parents[1]
    / "controls"
    / "fixtures"
    / "rdscluster_config.DescribeDBClusters_1.json"
)
OUTSIDE = ("database-1", "test-rds-cluster-param-group")  # both clusters of the sample lie in us-east-1


def sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/o/acme/")
    return page


def option_value(select: Any, text: str) -> str:
    """The value of the one option of `select` whose label contains `text`."""
    value = select.locator("option", has_text=text).get_attribute("value")
    assert value, f"no option {text!r}"
    return str(value)


def acme_with_admin() -> tuple[Any, Any]:
    owner = UserFactory(email="olive@acme.test", full_name="Olive Owner")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    admin = UserFactory(email="ada@acme.test", full_name="Ada Admin")
    MembershipFactory(organization=org, user=admin, role="admin")
    return org, owner


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_control_with_residency_check_over_uploaded_snapshot_fails(live_server: Any, browser: Any) -> None:
    acme_with_admin()
    base = live_server.url
    page = sign_in(browser, base, "ada@acme.test")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Controls").click()
    page.get_by_role("heading", name="Controls", level=1).wait_for()
    expect(page.get_by_role("status")).to_contain_text("No controls yet.")

    page.get_by_role("link", name="Add a control").click()
    page.get_by_role("heading", name="New control", level=1).wait_for()
    page.get_by_label("Key").fill("DATA-1")
    page.get_by_label("Name").fill("Customer data stays in Ireland")
    owner = page.get_by_label("Owner")
    owner.select_option(value=option_value(owner, "ada@acme.test"))
    requirements = page.get_by_label("Framework requirements it satisfies")
    requirements.select_option(value=option_value(requirements, "SOC 2 Type 2 CC6.7"))
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="DATA-1 Customer data stays in Ireland", level=1).wait_for()
    page.get_by_text("Control DATA-1 was added.").wait_for()
    mapping = page.get_by_role("table", name="Requirements this control satisfies")
    expect(mapping.get_by_role("rowheader", name="CC6.7")).to_be_visible()
    expect(page.locator("p", has_text="Status:")).to_have_text("Status: Missing")

    page.get_by_role("navigation", name="Controls").get_by_role("link", name="Automated checks").click()
    page.get_by_role("heading", name="Automated checks", level=1).wait_for()
    page.get_by_role("link", name="Add a check").click()
    page.get_by_label("Name").fill("Clusters stay in eu-west-1")
    page.get_by_label("Kind").select_option(value="data_residency")
    page.get_by_label("Parameters (JSON)").fill(
        '{"allowed_regions": ["eu-west-1"], "source": "config_snapshot"}'
    )
    feeds = page.get_by_label("Controls it feeds")
    feeds.select_option(value=option_value(feeds, "DATA-1"))
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Clusters stay in eu-west-1", level=1).wait_for()
    expect(page.get_by_role("status").filter(has_text="has not run yet")).to_be_visible()

    page.get_by_label("AWS Config snapshot (JSON)").set_input_files(str(SNAPSHOT))
    page.get_by_role("form", name="Import an inventory").get_by_role("button", name="Import").click()
    page.get_by_text("Imported 2 resources. Run the check to evaluate them.").wait_for()
    page.get_by_role("button", name="Run now").click()
    # The run is queued and its page follows it (polling) until the result is in.
    page.get_by_text("A run of Clusters stay in eu-west-1 was queued.").wait_for()
    page.get_by_role("heading", name="Run of Clusters stay in eu-west-1", level=1).wait_for()
    page.get_by_role("heading", name="Result", level=2).wait_for()
    expect(page.locator("#run-progress").get_by_role("status")).to_contain_text("Fail")
    run_resources = page.get_by_role("table", name="Resources evaluated by this run")
    expect(run_resources.locator("tbody tr")).to_have_count(2)
    page.get_by_role("link", name="← Clusters stay in eu-west-1").click()
    page.get_by_role("heading", name="Clusters stay in eu-west-1", level=1).wait_for()
    latest = page.locator("h2", has_text="Latest result").locator("xpath=following-sibling::p[1]")
    expect(latest).to_contain_text("Fail")
    resources = page.get_by_role("table", name="Resources evaluated by the latest run")
    for name in OUTSIDE:
        row = resources.get_by_role("row", name=re.compile(re.escape(name)))
        expect(row).to_contain_text("us-east-1")
        expect(row).to_contain_text("Fail")  # in words, not only a colour
    expect(resources.locator("tbody tr")).to_have_count(len(OUTSIDE))
    save_screenshot(page, "controls-residency-fail")

    page.get_by_role("navigation", name="Controls").get_by_role("link", name="Controls").click()
    row = page.get_by_role("table", name="Controls with their status").get_by_role(
        "row", name=re.compile("DATA-1")
    )
    expect(row).to_contain_text("Failing")
    row.get_by_role("link", name="DATA-1").click()
    expect(page.locator("p", has_text="Status:")).to_have_text("Status: Failing")
    page.context.close()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_posture_binding_drives_the_public_claim(live_server: Any, browser: Any) -> None:
    org, owner = acme_with_admin()
    with org_scope(org):
        actor = principal_for(owner, org)
        publish(actor)
        cert = make_certification(
            actor, title="ISO 27001", valid_until=timezone.now().date() + dt.timedelta(days=900)
        )
        make_control(actor, key="AC-1", name="Access is reviewed")
    claim = f"certification:{cert.pk}"
    base = live_server.url
    public_url = f"{base}/trust/acme/certifications/"
    visitor = browser.new_context().new_page()
    visitor.set_default_timeout(15_000)

    def public_entry() -> Any:
        visitor.goto(public_url)
        return visitor.locator("main")

    expect(public_entry()).to_contain_text("ISO 27001")
    expect(visitor.locator("main")).not_to_contain_text("Not currently verified")

    page = sign_in(browser, base, "ada@acme.test")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Trust center").click()
    page.get_by_role("navigation", name="Trust center sections").get_by_role("link", name="Posture").click()
    page.get_by_role("heading", name="Trust posture", level=2).wait_for()
    page.get_by_label("Claim", exact=True).select_option(value=claim)
    control = page.get_by_role("combobox", name=re.compile("^Control"))
    control.select_option(value=option_value(control, "AC-1"))
    page.get_by_role("button", name="Bind").click()
    page.get_by_text("Bound to control AC-1.").wait_for()
    claims = page.get_by_role("table", name=re.compile("Public claims"))
    row = claims.get_by_role("row", name=re.compile("ISO 27001"))
    expect(row).to_contain_text("Missing")  # the bound control's state in words
    expect(row.get_by_role("button", name="Unbind AC-1 from ISO 27001")).to_be_visible()

    expect(public_entry()).to_contain_text("Not currently verified: control AC-1 has no evidence in effect")
    expect(visitor.get_by_role("status").filter(has_text="Not currently verified")).to_be_visible()

    page.get_by_role("radio", name="Hide it").check()
    page.get_by_role("button", name="Save policy").click()
    page.get_by_text("Posture policy saved.").wait_for()
    expect(page.get_by_role("radio", name="Hide it")).to_be_checked()
    expect(public_entry()).not_to_contain_text("ISO 27001")

    row.get_by_role("link", name="AC-1").click()
    page.get_by_role("heading", name="AC-1 Access is reviewed", level=1).wait_for()
    evidence = page.get_by_role("form", name="Add evidence")
    evidence.get_by_label("Kind").select_option(value="link")
    evidence.get_by_label("Link").fill("https://acme.example/wiki/access-review-q4")
    evidence.get_by_role("button", name="Add evidence").click()
    page.get_by_text("Evidence added to AC-1.").wait_for()
    expect(page.locator("p", has_text="Status:")).to_have_text("Status: Ready")

    entry = public_entry()
    expect(entry).to_contain_text("ISO 27001")
    expect(entry).to_contain_text("Verified by 1 control")
    expect(entry).not_to_contain_text("Not currently verified")
    save_screenshot(visitor, "controls-posture-verified")
    visitor.context.close()
    page.context.close()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_per_claim_policy_overrides_the_default(live_server: Any, browser: Any) -> None:
    org, owner = acme_with_admin()
    until = timezone.now().date() + dt.timedelta(days=900)
    with org_scope(org):
        actor = principal_for(owner, org)
        publish(actor)
        control = make_control(actor, key="AC-1", name="Access is reviewed")  # no evidence: missing
        for title in ("ISO 27001", "SOC 2 Type 2"):
            cert = make_certification(actor, title=title, valid_until=until)
            bind_claim(actor=actor, claim_key=f"certification:{cert.pk}", control=control)
    base = live_server.url
    visitor = browser.new_context().new_page()
    visitor.set_default_timeout(15_000)

    def overview() -> Any:
        visitor.goto(f"{base}/trust/acme/")
        return visitor.locator("main")

    expect(overview()).to_contain_text("0 of 2 certifications currently valid")

    page = sign_in(browser, base, "ada@acme.test")
    page.goto(f"{base}/o/acme/trust-center/posture/")
    page.get_by_role("heading", name="Trust posture", level=2).wait_for()
    claims = page.get_by_role("table", name=re.compile("Public claims"))
    iso = claims.get_by_role("row", name=re.compile("ISO 27001"))
    expect(iso).to_contain_text("In effect: Show it as not currently verified (inherited)")
    iso.get_by_label("Policy for ISO 27001").select_option(label="Hide it")
    iso.get_by_role("button", name="Set the policy of ISO 27001").click()
    page.get_by_text(re.compile(r"Policy of certification:\d+ saved\.")).wait_for()
    iso = claims.get_by_role("row", name=re.compile("ISO 27001"))
    expect(iso).to_contain_text("In effect: Hide it")
    expect(iso).to_contain_text("Hidden: control AC-1 has no evidence in effect")
    expect(iso.get_by_label("Policy for ISO 27001")).to_have_value("hide")
    soc = claims.get_by_role("row", name=re.compile("SOC 2 Type 2"))
    expect(soc).to_contain_text("(inherited)")

    entry = overview()  # the cached page was cleared by the change
    expect(entry).to_contain_text("0 of 1 certification currently valid")
    expect(entry).not_to_contain_text("ISO 27001")
    expect(entry).to_contain_text("SOC 2 Type 2")
    visitor.goto(f"{base}/trust/acme/certifications/")
    expect(visitor.get_by_role("status").filter(has_text="Not currently verified")).to_have_count(1)
    save_screenshot(page, "controls-posture-claim-policy")

    iso.get_by_label("Policy for ISO 27001").select_option(label="Inherit the default")
    iso.get_by_role("button", name="Set the policy of ISO 27001").click()
    page.get_by_text(re.compile(r"Policy of certification:\d+ saved\.")).wait_for()
    expect(overview()).to_contain_text("0 of 2 certifications currently valid")
    visitor.context.close()
    page.context.close()


def tampered(data: bytes, victim: str) -> bytes:
    """The same ZIP with one byte of member `victim` flipped (the size is unchanged)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == victim:
                content = bytes([content[0] ^ 0x01]) + content[1:]
            target.writestr(info, content)
    return out.getvalue()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_auditor_sees_the_window_and_verifies_the_package(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    org, owner = acme_with_admin()
    member(org, Role.AUDITOR, email="aud@acme.test", full_name="Audrey Auditor")
    now = timezone.now()
    inside_url, outside_url = "https://acme.example/inside-review", "https://acme.example/outside-review"
    with org_scope(org):
        actor = principal_for(owner, org)
        control = soc2_control(actor)
        for url, days_ago in ((inside_url, 3), (outside_url, 60)):
            services.add_evidence(
                actor=actor,
                control=control,
                kind="link",
                url=url,
                effective_at=now - dt.timedelta(days=days_ago),
                expires_at=now + dt.timedelta(days=30),
            )
    base = live_server.url

    page = sign_in(browser, base, "olive@acme.test")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Controls").click()
    page.get_by_role("navigation", name="Controls").get_by_role("link", name="Audit periods").click()
    page.get_by_role("heading", name="Audit periods", level=1).wait_for()
    form = page.locator("form", has=page.get_by_role("button", name="Add the period"))
    form.get_by_label("Name").fill("SOC 2 Type II this year")
    form.get_by_label("SOC 2 Type 2", exact=True).check()
    form.get_by_label("Starts (UTC)").fill((now - dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Ends (UTC)").fill((now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Add the period").click()
    page.get_by_role("heading", name="SOC 2 Type II this year", level=1).wait_for()
    page.get_by_role("combobox", name="Auditor").select_option(label="aud@acme.test")
    page.get_by_role("button", name="Assign").click()
    page.get_by_text("The auditor was assigned.").wait_for()
    expect(page.get_by_role("button", name="Remove aud@acme.test from this period")).to_be_visible()
    page.context.close()

    page = sign_in(browser, base, "aud@acme.test")
    periods = page.get_by_role("region", name="Your audit periods")
    periods.get_by_role("link", name="SOC 2 Type II this year").click()
    page.get_by_role("heading", name="SOC 2 Type II this year", level=1).wait_for()
    evidence = page.get_by_role("table", name="Evidence that took effect inside the period")
    expect(evidence).to_contain_text(inside_url)
    expect(page.locator("main")).not_to_contain_text(outside_url)
    expect(page.get_by_role("heading", name="Assigned auditors")).to_have_count(0)

    page.get_by_role("button", name="Export evidence package").click()
    page.get_by_role("heading", name="Evidence package of SOC 2 Type II this year", level=1).wait_for()
    progress = page.locator("#package-progress").get_by_role("status")
    expect(progress).to_contain_text("Status: Done", timeout=20_000)
    save_screenshot(page, "controls-evidence-package")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download the evidence package (ZIP)").click()
    package = tmp_path / "package.zip"
    waiting.value.save_as(package)
    page.context.close()

    data = package.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        members = {name: archive.read(name) for name in archive.namelist() if name != "manifest.json"}
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert members and set(listed) == set(members)
    for name, content in members.items():
        assert listed[name]["sha256"] == hashlib.sha256(content).hexdigest(), name
        assert listed[name]["size"] == len(content), name
    assert manifest["audit_chain_head"]["seq"] >= 1
    assert outside_url not in json.dumps(manifest) + "".join(
        m.decode(errors="replace") for m in members.values()
    )
    assert any(inside_url in m.decode(errors="replace") for m in members.values())

    out = io.StringIO()
    call_command("evidence", "verify", str(package), stdout=out)
    assert f"OK: {len(members)} file(s) match the manifest." in out.getvalue()

    victim = sorted(members)[0]
    broken = tmp_path / "tampered.zip"
    broken.write_bytes(tampered(data, victim))
    out = io.StringIO()
    with pytest.raises(CommandError, match="not intact"):
        call_command("evidence", "verify", str(broken), stdout=out)
    assert victim in out.getvalue()
    assert "PROBLEM" in out.getvalue()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_edit_run_now_with_progress_and_delete_a_control(live_server: Any, browser: Any) -> None:
    org, owner = acme_with_admin()
    with org_scope(org):
        actor = principal_for(owner, org)
        control = make_control(actor, key="DR-1", name="Database failover is drilled")
        check = make_residency_check(
            actor,
            name="Clusters stay in eu-west-1",
            parameters={"allowed_regions": ["eu-west-1"], "source": "config_snapshot"},
            controls=[control],
        )
        services.import_snapshot(actor=actor, check=check, raw=SNAPSHOT.read_bytes(), filename="rds.json")
    base = live_server.url
    page = sign_in(browser, base, "ada@acme.test")

    page.goto(f"{base}/o/acme/controls/{control.pk}/")
    page.get_by_role("link", name="Edit DR-1").click()
    page.get_by_role("heading", name="Edit DR-1", level=1).wait_for()
    expect(page.get_by_label("Name")).to_have_value("Database failover is drilled")
    page.get_by_label("Key").fill("bad key")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.get_by_text("Give a short key")).to_be_visible()
    page.get_by_label("Key").fill("DR-2")
    page.get_by_label("Name").fill("Failover is drilled quarterly")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="DR-2 Failover is drilled quarterly", level=1).wait_for()
    page.get_by_text("Control DR-2 was saved.").wait_for()

    page.goto(f"{base}/o/acme/controls/checks/{check.pk}/")
    page.get_by_role("button", name="Run now").click()
    page.get_by_role("heading", name="Run of Clusters stay in eu-west-1", level=1).wait_for()
    progress = page.locator("#run-progress").get_by_role("status")
    expect(progress).to_contain_text("Status: Finished")
    expect(progress).to_contain_text("2 of 2 resources lie outside eu-west-1.")
    resources = page.get_by_role("table", name="Resources evaluated by this run")
    expect(resources.locator("tbody tr")).to_have_count(len(OUTSIDE))

    # A run no worker has taken yet: its page polls, a second "Run now" is refused, and the result
    # replaces the progress element once the worker has run it.
    with org_scope(org):
        run = services.request_run(actor=actor, check=check, enqueue=False)
    page.goto(f"{base}/o/acme/controls/checks/{check.pk}/")
    page.get_by_role("link", name="follow its progress").wait_for()
    page.get_by_role("button", name="Run now").click()
    page.get_by_text(re.compile("already has a run queued")).wait_for()
    expect(page).to_have_url(f"{base}/o/acme/controls/checks/runs/{run.pk}/")
    expect(progress).to_contain_text("Waiting for a worker to start the run.")
    save_screenshot(page, "controls-run-queued")
    services.run_queued_run(organization=org, run_id=run.pk)
    expect(progress).to_contain_text("Status: Finished", timeout=10_000)
    expect(page.get_by_role("table", name="Resources evaluated by this run")).to_be_visible()
    save_screenshot(page, "controls-run-finished")

    page.goto(f"{base}/o/acme/controls/{control.pk}/")
    page.get_by_role("link", name="Delete DR-2").click()
    page.get_by_role("heading", name="Delete DR-2 Failover is drilled quarterly?", level=1).wait_for()
    page.get_by_role("button", name="Delete DR-2").click()
    page.get_by_text("Control DR-2 was deleted.").wait_for()
    expect(page.get_by_role("status").filter(has_text="No controls yet.")).to_be_visible()
    page.context.close()
