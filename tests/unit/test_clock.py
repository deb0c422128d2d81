"""The hybrid logical clock: monotonic under any interleaving, fixed-width text that sorts as
numbers, a bound on remote stamps, and continuity across a change of node."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseworker.core.clock import (
    DEFAULT_MAX_AHEAD_MS,
    MAX_COUNTER,
    ClockAheadError,
    HybridLogicalClock,
    Timestamp,
)

BASE = 1_760_000_000_000  # 2025-10-09

# One step of a run: ("now",), ("now_text",), ("observe", offset from wall, counter), ("wall", jump),
# ("rename", node), ("resume", offset, counter).
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("now")),
        st.tuples(st.just("now_text")),
        st.tuples(
            st.just("observe"),
            st.integers(-10_000_000, DEFAULT_MAX_AHEAD_MS),
            st.integers(0, MAX_COUNTER),
        ),
        st.tuples(st.just("wall"), st.integers(-5_000_000, 5_000_000)),
        st.tuples(st.just("rename"), st.sampled_from(["650102001.a1", "650102002.a1", "local.b"])),
        st.tuples(st.just("resume"), st.integers(-10_000, 10_000), st.integers(0, MAX_COUNTER)),
    ),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(_steps)
def test_now_is_strictly_increasing_whatever_happens(steps: list[tuple[object, ...]]) -> None:
    wall = [BASE]
    clock = HybridLogicalClock("local.a", wall=lambda: wall[0])
    issued: list[Timestamp] = []
    for step in steps:
        kind = step[0]
        if kind == "now":
            issued.append(clock.now())
        elif kind == "now_text":  # the same stamps, as text (a bulk writer's)
            issued.append(Timestamp.parse(clock.now_text()))
            assert clock.last == issued[-1]
        elif kind == "observe":
            offset, counter = step[1], step[2]
            assert isinstance(offset, int)
            assert isinstance(counter, int)
            seen = clock.observe(Timestamp(max(0, wall[0] + offset), counter, "remote.x"))
            issued.append(seen)
        elif kind == "wall":
            jump = step[1]
            assert isinstance(jump, int)
            wall[0] = max(0, wall[0] + jump)
        elif kind == "rename":
            clock.rename(str(step[1]))
        else:
            offset, counter = step[1], step[2]
            assert isinstance(offset, int)
            assert isinstance(counter, int)
            clock.resume(Timestamp(max(0, wall[0] + offset), counter, "local.a"))
    numbers = [s.as_int() for s in issued]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len(numbers)
    # the text form sorts as the numbers do
    texts = [str(s) for s in issued]
    assert sorted(texts, key=lambda t: t[:22]) == texts


@given(
    st.integers(0, 10**15),
    st.integers(0, MAX_COUNTER),
    st.integers(0, 10**15),
    st.integers(0, MAX_COUNTER),
)
def test_text_order_equals_numeric_order(m1: int, c1: int, m2: int, c2: int) -> None:
    a, b = Timestamp(m1, c1, "n.a"), Timestamp(m2, c2, "n.a")
    assert (str(a) < str(b)) == (a.as_int() < b.as_int()) == ((m1, c1) < (m2, c2))
    assert Timestamp.parse(str(a)) == a


def test_counter_never_outgrows_its_digits() -> None:
    clock = HybridLogicalClock("n.a", wall=lambda: BASE)
    clock.resume(Timestamp(BASE, MAX_COUNTER - 1, "n.a"))
    last = clock.now()
    assert last == Timestamp(BASE, MAX_COUNTER, "n.a")
    following = clock.now()
    assert following == Timestamp(BASE + 1, 0, "n.a")
    assert str(last) < str(following)
    clock.resume(Timestamp(BASE + 1, MAX_COUNTER, "n.a"))
    assert clock.now_text() == str(Timestamp(BASE + 2, 0, "n.a"))
    with pytest.raises(ValueError, match="counter"):
        Timestamp(BASE, MAX_COUNTER + 1, "n.a")


def test_a_stamp_from_the_far_future_is_refused() -> None:
    clock = HybridLogicalClock("n.a", wall=lambda: BASE)
    year_2100 = Timestamp(4_102_444_800_000, 0, "rogue.x")
    with pytest.raises(ClockAheadError) as caught:
        clock.observe(year_2100)
    assert caught.value.ahead_ms == year_2100.millis - BASE
    # the clock was not moved
    assert clock.now().millis == BASE
    # a stamp within the bound is merged
    near = Timestamp(BASE + 60_000, 3, "other.y")
    assert clock.observe(near) > near


def test_rename_keeps_time_going_forward() -> None:
    times = iter([BASE + 10, BASE, BASE])
    clock = HybridLogicalClock("local.a1", wall=lambda: next(times))
    before = clock.now()
    clock.rename("650102001.a1")
    after = clock.now()
    assert after.as_int() > before.as_int()
    assert after.node == "650102001.a1"


@pytest.mark.parametrize(
    "text", ["", "1-2-x", "0001760000000000-00001-", "0001760000000000-1-x", "a-b-c"]
)
def test_malformed_stamps_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"timestamp|node"):
        Timestamp.parse(text)
