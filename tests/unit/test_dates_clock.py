from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseworker.core.clock import HybridLogicalClock, Timestamp
from caseworker.core.dates import parse_date
from caseworker.core.errors import ValidationError


@pytest.mark.parametrize(
    "text",
    [
        "2023-01-05",
        "2023/1/5",
        "2023.1.5",
        "20230105",
        "2023年1月5日",
        "２０２３－０１－０５",
        " 2023-1-05 ",
    ],
)
def test_date_formats(text: str) -> None:
    assert parse_date(text) == dt.date(2023, 1, 5)


@pytest.mark.parametrize("text", ["2023-02-30", "5/1/2023", "yesterday", "2023-13-01"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_date(text, "field")


def test_empty_and_native_values() -> None:
    assert parse_date("") is None
    assert parse_date(None) is None
    assert parse_date(dt.datetime(2023, 1, 5, 10, 0)) == dt.date(2023, 1, 5)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.sampled_from(["-", "/", "."]))
def test_date_round_trip(date: dt.date, sep: str) -> None:
    assert parse_date(f"{date.year}{sep}{date.month}{sep}{date.day}") == date
    assert parse_date(date.strftime("%Y%m%d")) == date


def test_clock_is_monotonic_when_wall_clock_goes_back() -> None:
    times = iter([1000, 1000, 900, 2000])
    clock = HybridLogicalClock("a", wall=lambda: next(times))
    stamps = [clock.now() for _ in range(4)]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 4
    assert [str(s) for s in stamps] == sorted(str(s) for s in stamps)


def test_clock_observes_remote_time() -> None:
    clock = HybridLogicalClock("a", wall=lambda: 1000)
    seen = clock.observe(Timestamp(5000, 3, "b"))
    assert seen > Timestamp(5000, 3, "b")
    assert clock.now() > seen
    assert Timestamp.parse(str(seen)) == seen
