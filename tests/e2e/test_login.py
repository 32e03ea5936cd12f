"""A person signs in through the real login page and lands on their organization's dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, UserFactory
from trustroom.tenancy.services import create_organization


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_sign_in_and_see_the_dashboard(live_server: Any, page: Any) -> None:
    user = UserFactory(email="casey@acme.test", full_name="Casey Doe")
    create_organization(actor=user, slug="acme", name="Acme Analytics", legal_name="Acme Analytics Ltd")

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url  # signed-out visitors are sent to the login page
    page.get_by_label("Email").fill("casey@acme.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.wait_for_url(f"{live_server.url}/o/acme/")
    assert page.get_by_role("heading", level=1).inner_text() == "Acme Analytics"
    assert page.get_by_role("navigation", name="Sections").is_visible()
    assert "casey@acme.test" in page.locator("header").inner_text()
    save_screenshot(page, "dashboard")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_wrong_password_is_refused(live_server: Any, page: Any) -> None:
    UserFactory(email="casey@acme.test")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("casey@acme.test")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign In").click()
    assert "/accounts/login/" in page.url
    assert "not correct" in page.content().lower() or "incorrect" in page.content().lower()
