"""Untrusted text reaches pages escaped for its context, and links keep to safe schemes (ASVS V1.2, V3.2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HOSTILE = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"


def patch_profile(client: Client, org: Any, changes: dict[str, str]) -> Any:
    return client.patch(
        f"/api/v1/orgs/{org.slug}/profile/", json.dumps(changes), content_type="application/json"
    )


def test_links_to_script_or_data_urls_are_refused(owner_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(owner_a)
    for url in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x", "//evil"):
        response = patch_profile(client, org_a, {"website": url})
        assert response.status_code == 400 and "website" in response.json(), url
    org_a.refresh_from_db()
    assert org_a.website == ""


def test_a_hostile_organization_name_is_escaped_in_text_and_attributes(owner_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(owner_a)
    assert patch_profile(client, org_a, {"name": HOSTILE}).status_code == 200
    for path in (f"/o/{org_a.slug}/", f"/o/{org_a.slug}/settings/"):
        html = client.get(path).content.decode()
        assert "<script>alert(1)</script>" not in html, path
        assert "<img src=x onerror" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
        assert "&quot;&#x27;&gt;" in html, path  # quotes escaped too: an attribute cannot be closed


def test_api_answers_carry_text_as_json_strings_not_markup(owner_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(owner_a)
    patch_profile(client, org_a, {"name": HOSTILE})
    response = client.get(f"/api/v1/orgs/{org_a.slug}/profile/")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["name"] == HOSTILE


def test_percent_encoded_input_is_decoded_once(owner_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(owner_a)
    # %253C arrives as the text "%3C" after the one decoding of the query string, and stays that text.
    html = client.get(f"/o/{org_a.slug}/audit/?actor=%253Cb%253Ebold%253C%252Fb%253E").content.decode()
    assert 'value="%3Cb%3Ebold%3C%2Fb%3E"' in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold" not in html
