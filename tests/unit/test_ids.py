"""Time-ordered ids (UUID version 7) for the change log."""

from __future__ import annotations

import time
import uuid

from caseworker.core import ids


def test_version_variant_and_time() -> None:
    before = time.time_ns() // 1_000_000
    made = ids.time_ordered()
    after = time.time_ns() // 1_000_000
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after
    assert uuid.UUID(str(made)) == made


def test_unique_and_ordered_across_milliseconds() -> None:
    made = []
    for _ in range(3):
        made += [ids.time_ordered() for _ in range(2000)]
        time.sleep(0.002)
    assert len(set(made)) == len(made)
    millis = [m.int >> 80 for m in made]
    assert millis == sorted(millis)
    assert made[0] < made[-1]


def test_made_at_once_as_hex() -> None:
    before = time.time_ns() // 1_000_000
    texts = ids.time_ordered_hex(500)
    made = [uuid.UUID(hex=h) for h in texts]
    after = time.time_ns() // 1_000_000
    assert len(set(made)) == 500
    assert all(m.version == 7 and m.variant == uuid.RFC_4122 for m in made)
    assert all(before <= m.int >> 80 <= after for m in made)
    assert [m.hex for m in made] == texts  # (as the database keeps ids)
    assert ids.time_ordered_hex(0) == []
