"""The client IP: X-Forwarded-For believed only as far as the configured number of trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from trustroom.identity.client_ip import client_ip


def _request(remote: str = "10.0.0.5", forwarded: str | None = None) -> object:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@override_settings(TRUSTROOM_TRUSTED_PROXIES=0)
def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_ip(_request(forwarded="203.0.113.9")) == "10.0.0.5"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("203.0.113.9", 1, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),  # the client's own entry on the left is not believed
        ("6.6.6.6, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        ("203.0.113.9", 2, "10.0.0.5"),  # fewer entries than proxies: the request bypassed one
        ("not-an-ip", 1, "10.0.0.5"),
        ("2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_the_entry_the_outermost_trusted_proxy_wrote(forwarded: str, proxies: int, expected: str) -> None:
    with override_settings(TRUSTROOM_TRUSTED_PROXIES=proxies):
        assert client_ip(_request(forwarded=forwarded)) == expected  # type: ignore[arg-type]
