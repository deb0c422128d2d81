"""The working-day calendar (工作日历): weekends, public holidays and working weekends (调休).

The data lives in ``resources/calendar/``, one file per year and scope:

- ``cn-YYYY.toml``: the national arrangement, copied from the State Council's notice;
- ``xj-YYYY.toml``: the region's own public holidays (``region = "65"``: Xinjiang rests on
  肉孜节 and 古尔邦节 as well, 自治区人民政府令第174号), copied from the 自治区人民政府办公厅
  notice of the year.

A region's calendar is the national one plus the region's own holidays (and any working
weekend the region adds); every count of working days in the program uses it
(:func:`default_calendar` is Xinjiang's).  Each file names its source.  A year marked
``status = "provisional"`` is an estimate that must be replaced when the notice is published;
:attr:`WorkingCalendar.provisional_years` lists such years so that front ends can warn.

Dates outside the covered years raise :class:`CalendarRangeError`: the calendar never guesses.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from caseworker.core.errors import ValidationError
from caseworker.core.resources import received_dir
from caseworker.i18n import _
from caseworker.policy.resources import calendar_dir

__all__ = [
    "DEFAULT_REGION",
    "CalendarDataError",
    "CalendarRangeError",
    "CalendarYear",
    "WorkingCalendar",
    "add_working_days",
    "default_calendar",
    "is_working_day",
    "load_calendar",
]

_STATUSES = ("official", "provisional")

#: The region whose own holidays are added to the national calendar: the stations this program
#: serves are in the Xinjiang Uygur Autonomous Region (division code 65).
DEFAULT_REGION = "65"


class CalendarRangeError(ValidationError):
    """A date outside the years the calendar covers."""


class CalendarDataError(ValidationError):
    """A calendar data file that cannot be used."""


@dataclass(frozen=True, slots=True)
class CalendarYear:
    """The holiday arrangements of one year."""

    year: int
    status: str
    source: str
    holidays: Mapping[dt.date, str]
    working_weekends: frozenset[dt.date]
    region: str = ""
    """The division code of the region whose own holidays these are; empty: national."""

    @property
    def provisional(self) -> bool:
        return self.status == "provisional"

    def with_region(self, regional: CalendarYear) -> CalendarYear:
        """This national year plus a region's own holidays and working weekends.

        A regional holiday wins over a national working weekend (the region rests that day).
        """
        holidays = {**self.holidays, **regional.holidays}
        weekends = (self.working_weekends | regional.working_weekends) - holidays.keys()
        provisional = self.provisional or regional.provisional
        return CalendarYear(
            self.year,
            "provisional" if provisional else "official",
            f"{self.source}；{regional.source}",
            holidays,
            frozenset(weekends),
            regional.region,
        )


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days over a contiguous range of years."""

    years: Mapping[int, CalendarYear]
    _first: int = field(init=False)
    _last: int = field(init=False)

    def __post_init__(self) -> None:
        if not self.years:
            raise CalendarDataError(_("The working-day calendar has no years."))
        first, last = min(self.years), max(self.years)
        missing = [y for y in range(first, last + 1) if y not in self.years]
        if missing:
            raise CalendarDataError(
                _("The working-day calendar has no data for {years}; the years must be contiguous.")
                .format(years=", ".join(str(y) for y in missing))
            )  # fmt: skip
        object.__setattr__(self, "_first", first)
        object.__setattr__(self, "_last", last)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self._first, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self._last, 12, 31)

    @property
    def provisional_years(self) -> tuple[int, ...]:
        return tuple(y for y, data in sorted(self.years.items()) if data.provisional)

    def covers(self, day: dt.date) -> bool:
        return self._first <= day.year <= self._last

    def _year(self, day: dt.date) -> CalendarYear:
        if not self.covers(day):
            raise CalendarRangeError(
                _(
                    "The working-day calendar covers {first} to {last}; {date} is outside it."
                ).format(
                    first=self.first_day.isoformat(),
                    last=self.last_day.isoformat(),
                    date=day.isoformat(),
                )
            )
        return self.years[day.year]

    def is_provisional(self, day: dt.date) -> bool:
        """Whether ``day`` falls in a year whose holidays are only estimated."""
        return self._year(day).provisional

    def holiday_name(self, day: dt.date) -> str | None:
        """The name of the public holiday on ``day`` (in Chinese, as the notice has it), if any."""
        return self._year(day).holidays.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        data = self._year(day)
        if day in data.working_weekends:
            return True
        if day in data.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day counting ``start`` as the first (``n`` >= 1).

        ``start`` must be a working day: a public notice of 5 working days starting on Monday
        2024-03-04 ends on Friday 2024-03-08.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        if not self.is_working_day(start):
            raise ValidationError(
                _(
                    "{date} is not a working day; a period of working days must start on one."
                ).format(date=start.isoformat()),
                "start",
            )
        day = start
        count = 1
        while count < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return day

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, otherwise the next working day."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The number of working days from ``start`` to ``end``, both included."""
        self._year(start)
        self._year(end)
        count = 0
        day = start
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += dt.timedelta(days=1)
        return count


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise CalendarDataError(
        _("{where}: expected a date such as 2024-10-01, found {value}.").format(
            where=where, value=value
        )
    )


def _parse_year(data: Mapping[str, Any], where: str) -> CalendarYear:
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise CalendarDataError(_("{where}: 'year' must be a whole number.").format(where=where))
    status = data.get("status")
    if status not in _STATUSES:
        raise CalendarDataError(
            _("{where}: 'status' must be 'official' or 'provisional'.").format(where=where)
        )
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CalendarDataError(_("{where}: 'source' must name the notice.").format(where=where))
    region = data.get("region", "")
    if not isinstance(region, str) or (region and not region.isdigit()):
        raise CalendarDataError(
            _("{where}: 'region' must be the digits of a division code, such as 65.").format(
                where=where
            )
        )
    holidays: dict[dt.date, str] = {}
    raw_holidays = data.get("holidays", [])
    if not isinstance(raw_holidays, list):
        raise CalendarDataError(_("{where}: 'holidays' must be a list.").format(where=where))
    for entry in raw_holidays:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise CalendarDataError(
                _("{where}: each holiday needs a name, 'from' and 'to'.").format(where=where)
            )
        start = _as_date(entry.get("from"), where)
        end = _as_date(entry.get("to"), where)
        if end < start:
            raise CalendarDataError(
                _("{where}: the holiday {name} ends before it starts.").format(
                    where=where, name=entry["name"]
                )
            )
        day = start
        while day <= end:
            holidays[day] = entry["name"]
            day += dt.timedelta(days=1)
    weekends: set[dt.date] = set()
    raw_weekends = data.get("working_weekends", [])
    if not isinstance(raw_weekends, list):
        raise CalendarDataError(
            _("{where}: 'working_weekends' must be a list.").format(where=where)
        )
    for value in raw_weekends:
        day = _as_date(value, where)
        if day.weekday() < 5:
            raise CalendarDataError(
                _("{where}: {date} is listed as a working weekend day but is not a Saturday or Sunday.")
                .format(where=where, date=day.isoformat())
            )  # fmt: skip
        if day in holidays:
            raise CalendarDataError(
                _("{where}: {date} is listed both as a holiday and as a working day.").format(
                    where=where, date=day.isoformat()
                )
            )
        weekends.add(day)
    for day in [*holidays, *weekends]:
        if day.year != year:
            raise CalendarDataError(
                _("{where}: {date} is not in {year}.").format(
                    where=where, date=day.isoformat(), year=year
                )
            )
    return CalendarYear(year, status, source, holidays, frozenset(weekends), region)


def parse_year(data: Mapping[str, Any], where: str) -> CalendarYear:
    """One year file's content, checked (``where`` names it in messages)."""
    return _parse_year(data, where)


def load_calendar(
    directories: Iterable[Path] | None = None, region: str = DEFAULT_REGION
) -> WorkingCalendar:
    """Load every ``*.toml`` year file from ``directories`` (default: the shipped calendar).

    National years (files without ``region``) are the base; when the folders hold files for
    ``region``, every national year needs its regional file and the two are combined (see
    :meth:`CalendarYear.with_region`).  Files for other regions are ignored.  A year given in a
    later directory replaces the same year (of the same scope) from an earlier one, so a county
    can correct a year, or drop in the official file for a provisional one.
    """
    dirs = list(directories) if directories is not None else [calendar_dir()]
    years: dict[int, CalendarYear] = {}
    regional: dict[int, CalendarYear] = {}
    for directory in dirs:
        if not directory.is_dir():
            raise CalendarDataError(
                _("The calendar folder {path} does not exist.").format(path=str(directory))
            )
        for path in sorted(directory.glob("*.toml")):
            try:
                with path.open("rb") as fh:
                    data = tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise CalendarDataError(
                    _("Cannot read the calendar file {path}: {error}").format(
                        path=str(path), error=str(exc)
                    )
                ) from exc
            parsed = _parse_year(data, path.name)
            if not parsed.region:
                years[parsed.year] = parsed
            elif parsed.region == region:
                regional[parsed.year] = parsed
    if regional:
        extra = sorted(set(regional) - set(years))
        if extra:
            raise CalendarDataError(
                _("The regional calendar has {years} but the national calendar does not.").format(
                    years=", ".join(str(y) for y in extra)
                )
            )
        missing = sorted(set(years) - set(regional))
        if missing:
            raise CalendarDataError(
                _(
                    "The calendar of region {region} has no file for {years}; add the region's "
                    "holidays of those years."
                ).format(region=region, years=", ".join(str(y) for y in missing))
            )
        years = {y: data.with_region(regional[y]) for y, data in years.items()}
    return WorkingCalendar(years)


@cache
def default_calendar() -> WorkingCalendar:
    """The shipped calendar (national plus Xinjiang's own holidays) and the years the county
    sent (:func:`received_dir`), loaded once."""
    received = received_dir("calendar")
    return load_calendar([calendar_dir(), received] if received.is_dir() else None)


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day on the shipped calendar."""
    return default_calendar().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day counting ``start``, on the shipped calendar."""
    return default_calendar().add_working_days(start, n)
