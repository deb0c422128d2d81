"""The working-day calendar: shipped data and the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from caseworker.core.errors import ValidationError
from caseworker.policy.calendar import (
    CalendarDataError,
    CalendarRangeError,
    add_working_days,
    default_calendar,
    is_working_day,
    load_calendar,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 2, 4), True),  # Sunday, worked for the Spring Festival
        (D(2024, 2, 18), True),  # Sunday, worked for the Spring Festival
        (D(2024, 2, 10), False),
        (D(2024, 2, 16), False),  # Friday inside the Spring Festival
        (D(2024, 2, 19), True),
        *[(D(2024, 10, d), False) for d in range(1, 8)],
        (D(2024, 10, 8), True),
        (D(2024, 10, 12), True),  # Saturday worked
        (D(2024, 10, 13), False),  # ordinary Sunday
        (D(2024, 9, 29), True),
        (D(2024, 9, 14), True),
        (D(2024, 3, 4), True),  # ordinary Monday
        (D(2024, 3, 9), False),  # ordinary Saturday
        (D(2023, 1, 2), False),
        (D(2023, 1, 28), True),
        (D(2023, 10, 7), True),
        (D(2023, 10, 6), False),
        (D(2025, 1, 26), True),
        (D(2025, 2, 4), False),
        (D(2025, 10, 8), False),
        (D(2025, 10, 11), True),
        (D(2026, 1, 4), True),
        (D(2026, 2, 23), False),
        (D(2026, 2, 28), True),
        (D(2026, 9, 20), True),
        (D(2027, 1, 1), False),
    ],
)
def test_is_working_day(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        (D(2024, 3, 4), 5, D(2024, 3, 8)),  # Monday to Friday
        (D(2024, 3, 4), 1, D(2024, 3, 4)),  # counting the start day
        (D(2024, 3, 7), 5, D(2024, 3, 13)),  # across a weekend
        (D(2024, 9, 26), 5, D(2024, 10, 8)),  # Thu, Fri, Sun 29th, Mon 30th, (holiday), Tue 8th
        (D(2024, 2, 7), 5, D(2024, 2, 19)),  # Wed, Thu, Fri 9th, (holiday), Sun 18th, Mon 19th
        (D(2023, 12, 28), 5, D(2024, 1, 4)),  # across the year and New Year's Day
    ],
)
def test_add_working_days(start: dt.date, n: int, end: dt.date) -> None:
    assert add_working_days(start, n) == end


def test_add_working_days_refuses_a_start_on_a_holiday() -> None:
    with pytest.raises(ValidationError, match="not a working day"):
        add_working_days(D(2024, 10, 1), 5)


def test_add_working_days_refuses_zero() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(D(2024, 3, 4), 0)


@pytest.mark.parametrize("day", [D(2022, 12, 31), D(2028, 1, 1)])
def test_dates_outside_the_range(day: dt.date) -> None:
    with pytest.raises(CalendarRangeError, match="2023-01-01 to 2027-12-31"):
        is_working_day(day)


def test_add_working_days_running_off_the_end() -> None:
    with pytest.raises(CalendarRangeError):
        add_working_days(D(2027, 12, 29), 5)


def test_covered_range_and_provisional_year() -> None:
    cal = default_calendar()
    assert cal.first_day == D(2023, 1, 1)
    assert cal.last_day == D(2027, 12, 31)
    assert cal.provisional_years == (2024, 2026, 2027)
    assert cal.is_provisional(D(2027, 3, 1))
    assert not cal.is_provisional(D(2025, 3, 1))
    assert cal.holiday_name(D(2024, 10, 1)) == "国庆节"
    assert cal.working_days_between(D(2024, 10, 1), D(2024, 10, 13)) == 5
    assert cal.next_working_day(D(2024, 10, 1)) == D(2024, 10, 8)


def test_every_shipped_year_names_its_source() -> None:
    for year in default_calendar().years.values():
        assert "国务院办公厅" in year.source
        assert "新疆维吾尔自治区人民政府办公厅" in year.source
        assert year.region == "65"
        assert year.status in ("official", "provisional")


def test_xinjiang_rests_on_its_own_holidays() -> None:
    """肉孜节 and 古尔邦节 are days off in Xinjiang (2025: 3月29日–31日, 6月6日–10日)."""
    cal = default_calendar()
    # a 5-working-day notice starting on Wednesday 2025-06-04 skips 古尔邦节
    assert add_working_days(D(2025, 6, 4), 5) == D(2025, 6, 13)
    assert cal.working_days_between(D(2025, 3, 1), D(2025, 3, 31)) == 20
    assert not is_working_day(D(2025, 3, 31))
    assert cal.holiday_name(D(2025, 6, 9)) == "古尔邦节"
    assert cal.holiday_name(D(2023, 4, 21)) == "肉孜节"
    assert not is_working_day(D(2023, 6, 28))
    assert is_working_day(D(2023, 6, 25))  # the national working Sunday stays


REGION_2030 = """
year = 2030
region = "65"
status = "official"
source = "regional test"
holidays = [{ name = "古尔邦节", from = 2030-01-05, to = 2030-01-07 }]
"""


def test_a_regional_holiday_is_added_and_wins_over_a_working_weekend(tmp_path: Path) -> None:
    _write(tmp_path, "cn-2030.toml", GOOD_2030)
    _write(tmp_path, "xj-2030.toml", REGION_2030)
    _write(tmp_path, "other-2030.toml", REGION_2030.replace('"65"', '"54"').replace("07", "08"))
    cal = load_calendar([tmp_path])
    assert not cal.is_working_day(D(2030, 1, 1))  # national
    assert not cal.is_working_day(D(2030, 1, 5))  # a national working Saturday, a regional holiday
    assert not cal.is_working_day(D(2030, 1, 7))  # regional
    assert cal.is_working_day(D(2030, 1, 8))  # another region's holiday is not ours
    assert cal.years[2030].source == "test；regional test"
    national = load_calendar([tmp_path], region="11")
    assert national.is_working_day(D(2030, 1, 7))


def test_a_regional_calendar_covers_every_national_year(tmp_path: Path) -> None:
    _write(tmp_path, "cn-2030.toml", GOOD_2030)
    _write(tmp_path, "cn-2031.toml", GOOD_2030.replace("2030", "2031"))
    _write(tmp_path, "xj-2030.toml", REGION_2030)
    with pytest.raises(CalendarDataError, match="no file for 2031"):
        load_calendar([tmp_path])
    _write(tmp_path, "xj-2032.toml", REGION_2030.replace("2030", "2032"))
    _write(tmp_path, "xj-2031.toml", REGION_2030.replace("2030", "2031"))
    with pytest.raises(CalendarDataError, match="2032"):
        load_calendar([tmp_path])


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


GOOD_2030 = """
year = 2030
status = "official"
source = "test"
holidays = [{ name = "X", from = 2030-01-01, to = 2030-01-01 }]
working_weekends = [2030-01-05]
"""


def test_a_later_directory_replaces_a_year(tmp_path: Path) -> None:
    _write(tmp_path, "a.toml", GOOD_2030)
    cal = load_calendar([tmp_path])
    assert not cal.is_working_day(D(2030, 1, 1))
    assert cal.is_working_day(D(2030, 1, 5))
    assert not cal.is_working_day(D(2030, 1, 6))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD_2030.replace("2030-01-05", "2030-01-07"), "not a Saturday or Sunday"),
        (GOOD_2030.replace('"official"', '"maybe"'), "status"),
        (GOOD_2030.replace('source = "test"', ""), "source"),
        (GOOD_2030.replace("to = 2030-01-01", "to = 2029-12-31"), "ends before"),
        (GOOD_2030.replace("2030-01-05", "2031-01-04"), "not in 2030"),
        (GOOD_2030.replace("year = 2030", 'year = "2030"'), "whole number"),
        (GOOD_2030.replace("[2030-01-05]", '["2030-01-05"]'), "expected a date"),
        ("year = ", "Cannot read"),
    ],
)
def test_bad_calendar_files(tmp_path: Path, text: str, message: str) -> None:
    _write(tmp_path, "bad.toml", text)
    with pytest.raises(CalendarDataError, match=message):
        load_calendar([tmp_path])


def test_years_must_be_contiguous(tmp_path: Path) -> None:
    _write(tmp_path, "a.toml", GOOD_2030)
    _write(tmp_path, "b.toml", 'year = 2032\nstatus = "official"\nsource = "test"\n')
    with pytest.raises(CalendarDataError, match="2031"):
        load_calendar([tmp_path])


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CalendarDataError, match="does not exist"):
        load_calendar([tmp_path / "nope"])
