"""The injectable wall clock: today in the user's zone, now in UTC, and the environment."""

from __future__ import annotations

import datetime as dt

import pytest

from caseworker.core import wall


def test_fixed_wall_reads_the_date_in_its_zone() -> None:
    # 2026-11-28 23:30 in Beijing is still 2026-11-28 21:30 in Xinjiang time, 15:30 UTC.
    instant = dt.datetime(2026, 11, 28, 15, 30, tzinfo=dt.UTC)
    beijing = wall.FixedWall(instant, dt.timezone(dt.timedelta(hours=8)))
    urumqi = wall.FixedWall(instant, dt.timezone(dt.timedelta(hours=6)))
    late = wall.FixedWall(instant + dt.timedelta(hours=1), dt.timezone(dt.timedelta(hours=8)))
    assert beijing.today() == dt.date(2026, 11, 28)
    assert urumqi.today() == dt.date(2026, 11, 28)
    assert late.today() == dt.date(2026, 11, 29)
    assert beijing.now().tzinfo is dt.UTC


def test_use_replaces_and_restores_the_clock() -> None:
    before = wall.current()
    with wall.use(wall.FixedWall.on(dt.date(2030, 1, 2))):
        assert wall.today() == dt.date(2030, 1, 2)
        assert wall.now().utcoffset() == dt.timedelta(0)
    assert wall.current() is before


def test_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        wall.FixedWall(dt.datetime(2026, 1, 1))


def test_environment_sets_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(wall.TODAY_ENV, "2025-06-04")
    before = wall.current()
    try:
        wall.install_from_environment()
        assert wall.today() == dt.date(2025, 6, 4)
        monkeypatch.setenv(wall.TODAY_ENV, "not a date")
        wall.install_from_environment()
        assert isinstance(wall.current(), wall.SystemWall)
    finally:
        wall.install(before)
