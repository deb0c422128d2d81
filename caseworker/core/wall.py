"""The one source of "now" and "today" for the whole program (the wall clock, injectable).

Every "is this date in the future?" check and every default date goes through :func:`today`;
every stored timestamp comes from :func:`now` (aware, UTC).  Nothing else in the program calls
``date.today()`` or ``datetime.now()``.

"Today" is the calendar date of the machine's own time zone: laptops in Xinjiang run on
Beijing time (UTC+8) or Xinjiang time (UTC+6), and the date a caseworker sees on the screen is
the one they write on paper.  Tests and training sessions replace the clock with :func:`use`
(or the ``CASEWORKER_TODAY=YYYY-MM-DD`` environment variable, read by the front ends).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

TODAY_ENV = "CASEWORKER_TODAY"


class Wall(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, aware, in UTC."""

    def today(self) -> dt.date:
        """The current date where the user is."""

    def local_now(self) -> dt.datetime:
        """The current time where the user is (aware, in the local zone)."""


class SystemWall:
    """The machine's clock and time zone."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return dt.datetime.now().astimezone().date()

    def local_now(self) -> dt.datetime:
        return dt.datetime.now().astimezone()


@dataclass(frozen=True, slots=True)
class FixedWall:
    """A clock that stands still at ``instant`` (aware), seen from ``zone``."""

    instant: dt.datetime
    zone: dt.tzinfo = dt.timezone(dt.timedelta(hours=8))

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("FixedWall needs an aware datetime")

    @classmethod
    def on(cls, day: dt.date, zone: dt.tzinfo | None = None) -> FixedWall:
        """Noon of ``day`` in ``zone`` (UTC+8 by default)."""
        tz = zone or dt.timezone(dt.timedelta(hours=8))
        return cls(dt.datetime.combine(day, dt.time(12), tzinfo=tz), tz)

    def now(self) -> dt.datetime:
        return self.instant.astimezone(dt.UTC)

    def today(self) -> dt.date:
        return self.instant.astimezone(self.zone).date()

    def local_now(self) -> dt.datetime:
        return self.instant.astimezone(self.zone)


_current: Wall = SystemWall()


def current() -> Wall:
    return _current


def install(wall: Wall) -> None:
    """Make ``wall`` the program's clock (the front ends call this once at start)."""
    global _current
    _current = wall


@contextmanager
def use(wall: Wall) -> Iterator[Wall]:
    """Run a block with another clock (tests)."""
    global _current
    previous = _current
    _current = wall
    try:
        yield wall
    finally:
        _current = previous


def from_environment(value: str | None) -> Wall:
    """The clock named by ``CASEWORKER_TODAY`` (a date), or the system's."""
    if not value:
        return SystemWall()
    return FixedWall.on(dt.date.fromisoformat(value.strip()))


def install_from_environment() -> None:
    """At start: the system's clock, or the date in ``$CASEWORKER_TODAY`` (training, tests)."""
    value = os.environ.get(TODAY_ENV)
    try:
        install(from_environment(value))
    except ValueError:
        logging.getLogger(__name__).warning("ignoring %s=%r: not a date", TODAY_ENV, value)
        install(SystemWall())


def today() -> dt.date:
    return _current.today()


def now() -> dt.datetime:
    return _current.now()


def local_now() -> dt.datetime:
    return _current.local_now()
