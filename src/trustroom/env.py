"""Typed readers for settings that come from environment variables."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_hostname(name: str, default: str = "") -> str:
    """A bare DNS host name such as `example.com` (no scheme, port, path or IP address), lower-cased."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower().rstrip(".")
    labels = value.split(".")
    reason = ""
    if any(char in value for char in ":/@?#[] "):
        reason = "give a host name only, without scheme, port or path"
    elif len(value) > 253 or not all(_is_dns_label(label) for label in labels):
        reason = "it is not a valid host name"
    elif all(label.isdigit() for label in labels):
        reason = "an IP address cannot be used, give a host name"
    if reason:
        raise ImproperlyConfigured(f"{name}={raw!r}: {reason} (e.g. trust.example.com)")
    return value


def _is_dns_label(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and all(char.isascii() and (char.isalnum() or char == "-") for char in label)
        and not label.startswith("-")
        and not label.endswith("-")
    )
