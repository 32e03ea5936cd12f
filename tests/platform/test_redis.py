"""The production cache is the real Redis: failed-login limits are shared across web processes."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from tests.factories import UserFactory

REDIS_URL = os.environ.get("TRUSTROOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_cache() -> str:
    if not _redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI and does not answer at {REDIS_URL}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    prefix = f"trustroom-test-{uuid.uuid4().hex}"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
            }
        }
    ):
        yield prefix
        caches["default"].clear()


@pytest.mark.django_db
def test_failed_logins_are_limited_through_redis(redis_cache: str) -> None:
    import redis

    UserFactory(email="target@example.test")
    attempts = [
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(
            "/accounts/login/", {"login": "target@example.test", "password": f"wrong-{n}"}
        )
        for n in range(7)
    ]
    # Different clients (as if on different web processes): the per-account limit still holds.
    assert all(r.status_code == 200 for r in attempts)
    assert b"Too many failed sign-in attempts" not in attempts[0].content
    assert b"Too many failed sign-in attempts" in attempts[-1].content
    keys = redis.Redis.from_url(REDIS_URL).keys(f"{redis_cache}:*")
    assert keys, "the rate-limit counters should live in Redis"
