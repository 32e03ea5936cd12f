"""In real Chromium: the reviewer of a system opens its access review, keeps two grants and revokes one
with a comment (htmx, row by row), closes the campaign at 100 %, sees the revocation task open, and
confirming it marks the grant revoked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, UserFactory
from trustroom.access.models import AccessGrant, AccessReviewItem, Environment, System
from trustroom.access.services import reviews
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_reviewer_keeps_two_revokes_one_and_confirms(live_server: Any, page: Any) -> None:
    owner = UserFactory(email="sec@acme.test", full_name="Sam Security")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    actor = Principal(organization=org, role="owner", user=owner)
    with org_scope(org):
        system = System.objects.create(name="Billing", owner=owner)
        env = Environment.objects.create(system=system, kind="production")
        for email in ("ann@acme.test", "bob@acme.test", "cat@acme.test"):
            AccessGrant.objects.create(
                environment=env, person_email=email, privilege="write", granted_at=timezone.now()
            )
        campaign = reviews.open_campaign(
            actor=actor, name="Q4 access review", due_at=timezone.now() + dt.timedelta(days=14)
        )
        items = {i.person_email: i.pk for i in AccessReviewItem.objects.filter(campaign=campaign)}
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("sec@acme.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/o/acme/")

    page.goto(f"{base}/o/acme/access/reviews/")
    page.get_by_role("link", name="Q4 access review").click()
    page.get_by_role("heading", name="Billing").wait_for()
    for email in ("ann@acme.test", "bob@acme.test"):
        row = page.locator(f"#item-{items[email]}")
        row.get_by_label("Decision").select_option("keep")
        row.get_by_role("button", name="Save").click()
        page.locator(f"#item-{items[email]} .badge.active").wait_for()
    row = page.locator(f"#item-{items['cat@acme.test']}")
    row.get_by_label("Decision").select_option("revoke")
    row.get_by_label("Comment").fill("Moved to marketing")
    row.get_by_role("button", name="Save").click()
    page.get_by_text("100 % complete").wait_for()

    page.get_by_role("button", name="Close campaign").click()
    page.get_by_text("Q4 access review was closed.").wait_for()
    cat = page.locator(f"#item-{items['cat@acme.test']}")
    assert "Moved to marketing" in cat.inner_text()
    assert cat.locator(".badge.warn", has_text="Open").is_visible()
    save_screenshot(page, "access-review-closed")
    cat.get_by_role("button", name="Confirm revoked").click()
    page.get_by_text("was confirmed").wait_for()
    with org_scope(org):
        revoked = AccessGrant.objects.get(person_email="cat@acme.test")
        assert revoked.revoked_at is not None
        assert AccessGrant.objects.filter(revoked_at__isnull=True).count() == 2
