"""Ids whose order follows the time they were made (UUID version 7, RFC 9562)."""

from __future__ import annotations

import os
import time
import uuid

_VERSION = 0x7 << 76
_VARIANT = 0x2 << 62
_KEEP = ~((0xF << 76) | (0x3 << 62))


def _made(millis: int, random: bytes) -> int:
    value = (millis & 0xFFFF_FFFF_FFFF) << 80 | int.from_bytes(random, "big")
    return (value & _KEEP) | _VERSION | _VARIANT


def time_ordered() -> uuid.UUID:
    """A UUID version 7: 48 bits of Unix milliseconds, then 74 random bits.

    The change log's ids are these: each new id goes at the end of the index of ids instead
    of at a random place in it (writing a row touches the last page of that index, not any
    page), which matters when tens of thousands are written at once (the county import).
    Unique as a random UUID is (74 random bits within each millisecond); nothing reads a
    time from them."""
    return uuid.UUID(int=_made(time.time_ns() // 1_000_000, os.urandom(10)))


def time_ordered_hex(count: int) -> list[str]:
    """``count`` ids as :func:`time_ordered` makes them, as 32 hexadecimal digits (``.hex`` of
    the UUID), made at once (one read of the time and of the system's randomness: a bulk
    writer's ids)."""
    millis = time.time_ns() // 1_000_000
    random = os.urandom(10 * count)
    return [f"{_made(millis, random[i : i + 10]):032x}" for i in range(0, 10 * count, 10)]
