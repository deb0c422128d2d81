"""Calendar-month arithmetic and ages."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseworker.policy.dates import add_months, age_on, months_between, parse_iso_date

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2022, 8, 31), 6, D(2023, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),  # leap year
        (D(2022, 1, 31), 1, D(2022, 2, 28)),
        (D(2022, 3, 31), 1, D(2022, 4, 30)),
        (D(2022, 1, 15), 12, D(2023, 1, 15)),
        (D(2022, 12, 1), 1, D(2023, 1, 1)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2023, 5, 10), 0, D(2023, 5, 10)),
        (D(2023, 3, 31), -1, D(2023, 2, 28)),
        (D(1965, 1, 10), 721, D(2025, 2, 10)),
    ],
)
def test_add_months(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (D(1978, 5, 20), D(2023, 5, 19), 44),
        (D(1978, 5, 20), D(2023, 5, 20), 45),  # reaches 45 on the 45th birthday
        (D(1978, 5, 20), D(2023, 5, 21), 45),
        (D(2008, 2, 29), D(2024, 2, 28), 15),
        (D(2008, 2, 29), D(2024, 2, 29), 16),  # leap-year birthday
        (D(2007, 2, 28), D(2023, 2, 28), 16),
        (D(2004, 2, 29), D(2021, 2, 28), 16),  # common year: not yet on 28 Feb
        (D(2004, 2, 29), D(2021, 3, 1), 17),  # ... but on 1 March
    ],
)
def test_age_on(birth: dt.date, on: dt.date, age: int) -> None:
    assert age_on(birth, on) == age


@pytest.mark.parametrize(
    ("earlier", "later", "months"),
    [
        (D(2022, 8, 31), D(2023, 2, 27), 5),
        (D(2022, 8, 31), D(2023, 2, 28), 6),
        (D(2023, 1, 1), D(2023, 1, 1), 0),
        (D(2023, 1, 15), D(2024, 1, 14), 11),
        (D(2023, 1, 15), D(2024, 1, 15), 12),
    ],
)
def test_months_between(earlier: dt.date, later: dt.date, months: int) -> None:
    assert months_between(earlier, later) == months


@pytest.mark.parametrize(
    "text", ["2023-02-29", "2023-13-01", "20230101", "2023-1-01", "", "abcd-ef-gh"]
)
def test_parse_iso_date_rejects(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        parse_iso_date(text)


def test_parse_iso_date() -> None:
    assert parse_iso_date("2024-02-29") == D(2024, 2, 29)


dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))
months = st.integers(min_value=0, max_value=600)


@given(dates, months)
def test_add_months_lands_in_the_right_month(start: dt.date, n: int) -> None:
    result = add_months(start, n)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == n
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last)


@given(dates, months, months)
def test_add_months_is_monotonic(start: dt.date, a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert add_months(start, lo) <= add_months(start, hi)


@given(dates, months)
def test_add_months_round_trip_when_day_exists(start: dt.date, n: int) -> None:
    if start.day <= 28:
        assert add_months(add_months(start, n), -n) == start


@given(dates, months)
def test_months_between_inverts_add_months(start: dt.date, n: int) -> None:
    assert months_between(start, add_months(start, n)) >= n or start.day > 28
    if start.day <= 28:
        assert months_between(start, add_months(start, n)) == n
