"""Ids whose order follows the time they were made (UUID version 7, RFC 9562)."""

from __future__ import annotations

import os
import time
import uuid

_VERSION = 0x7 << 76
_VARIANT = 0x2 << 62
_KEEP = ~((0xF << 76) | (0x3 << 62))


def time_ordered() -> uuid.UUID:
    """A UUID version 7: 48 bits of Unix milliseconds, then 74 random bits.

    The change log's ids are these: each new id goes at the end of the index of ids instead
    of at a random place in it (writing a row touches the last page of that index, not any
    page), which matters when tens of thousands are written at once (the county import).
    Unique as a random UUID is (74 random bits within each millisecond); nothing reads a
    time from them."""
    millis = time.time_ns() // 1_000_000
    value = (millis & 0xFFFF_FFFF_FFFF) << 80 | int.from_bytes(os.urandom(10), "big")
    return uuid.UUID(int=(value & _KEEP) | _VERSION | _VARIANT)
