"""Opened secrets of the monitoring app, kept briefly in process memory.

Every intake request needs its source's signing secret and every delivery its notifier's routing key or
webhook URL; opening one costs a data key lookup and two AEAD decryptions. Callers key an entry by the
sealed text together with the ids its associated data binds, so a rotated secret or a re-sealed one
(data key rotation) is a miss at once. Process memory only, like the key-encryption keyset itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

TTL_SECONDS = 300.0
MAX_ENTRIES = 4096

T = TypeVar("T")
_opened: dict[Hashable, tuple[float, object]] = {}
_lock = threading.Lock()


def remember(cache_key: Hashable, open_: Callable[[], T]) -> T:
    """The value kept under `cache_key` if still fresh, else `open_()` (kept for next time)."""
    now = time.monotonic()
    hit = _opened.get(cache_key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    value = open_()
    with _lock:
        if len(_opened) >= MAX_ENTRIES:
            _opened.clear()
        _opened[cache_key] = (now + TTL_SECONDS, value)
    return value


def forget_all() -> None:
    with _lock:
        _opened.clear()
