"""The county import with the next bundles checked ahead in a helper process
(:mod:`caseworker.sync.ahead`): the same outcomes, messages and county database as checking
each bundle in the importing process; a refusal in the user's language; a helper that fails
does not fail the import."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from caseworker import i18n
from caseworker.sync import ahead, bundle, canonical, changes, county, keys, records
from caseworker.sync.container import DEFAULT_LIMITS, BundleRefused
from tests.helpers import make_id, on_day, register
from tests.sync_world import COUNTY_CODE, World, station_code, two_stations

A, B = station_code(1), station_code(2)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from two_stations(tmp_path)


def _files(world: World, tmp_path: Path) -> list[Path]:
    register(world.stations[A], "张三", make_id(seq=131), village="红旗村")
    register(world.stations[A], "李四", make_id(seq=132), village="红旗村")
    first = world.export(A)
    register(world.stations[A], "王五", make_id(seq=133), village="红旗村")
    second = world.export(A)
    register(world.stations[B], "赵六", make_id(seq=134), village="红旗村")
    register(world.stations[B], "李四", make_id(seq=132), village="红旗村")  # the same ID
    other = world.export(B)
    assert first is not None
    assert second is not None
    assert other is not None
    garbage = tmp_path / "garbage.cwb"
    garbage.write_bytes(b"not a bundle")
    tampered = tmp_path / "tampered.cwb"
    data = bytearray(other.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    # the second (it carries the first's rows too: nothing was acknowledged) before the
    # first, duplicates, and the refused ones between
    return [second, garbage, first, tampered, other, first]


def _summary(outcomes: list[county.Outcome]) -> list[tuple[Any, ...]]:
    return [(o.name, o.status, o.message, o.rows, o.records, o.conflicts, o.released)
            for o in outcomes]  # fmt: skip


def _dump(world: World, path: Path) -> dict[str, Any]:
    store = world.open_copy(path)
    try:
        with store.reading() as session:
            return canonical.dump(session, COUNTY_CODE)
    finally:
        store.dispose()


def _tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored column of the records and of ``sync_row`` (not the county's stamps)."""
    import sqlite3

    found: dict[str, list[tuple[Any, ...]]] = {}
    with sqlite3.connect(path) as connection:
        for table in [*(m.table.name for m in records.models().values()), "sync_row"]:
            columns = [
                r[1] for r in connection.execute(f"PRAGMA table_info({table})")
                if r[1] not in ("created_hlc", "updated_hlc")
            ]  # fmt: skip
            found[table] = sorted(
                connection.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(),
                key=repr,
            )
    connection.close()
    return found


def test_checked_ahead_the_import_ends_as_checked_here(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="caseworker.sync.ahead")
    files = _files(world, tmp_path)
    before = world.snapshot_county("before")
    here_path, ahead_path = tmp_path / "here.sqlite3", tmp_path / "ahead.sqlite3"
    shutil.copy(before, here_path)
    shutil.copy(before, ahead_path)

    monkeypatch.setattr(ahead, "MIN_BYTES", 1 << 40)
    assert not ahead.wanted(files)
    here = world.open_copy(here_path)
    here_outcomes = county.import_files(here, world.keys, files)
    here.dispose()

    unpacked: list[int] = []
    real_unpack = changes.unpack

    def counting(opened: bundle.Opened, packed: changes.Packed) -> changes.Incoming:
        unpacked.append(1)
        return real_unpack(opened, packed)

    monkeypatch.setattr(ahead, "MIN_BYTES", 0)
    monkeypatch.setattr(changes, "unpack", counting)
    assert ahead.wanted(files)
    there = world.open_copy(ahead_path)
    ahead_outcomes = county.import_files(there, world.keys, files)
    there.dispose()

    assert len(unpacked) == 3  # every bundle after the first that opened was checked ahead
    assert "the import's helper process checked 3 bundles" in caplog.text
    assert _summary(ahead_outcomes) == _summary(here_outcomes)
    assert [o.status for o in ahead_outcomes] == [
        county.APPLIED, county.REFUSED, county.DUPLICATE, county.REFUSED, county.APPLIED,
        county.DUPLICATE,
    ]  # fmt: skip
    assert ahead_outcomes[4].conflicts == 1  # 李四's ID number at both stations
    assert _dump(world, ahead_path) == _dump(world, here_path)
    stored = _tables(ahead_path)  # the rows made ready there are stored as made here
    assert len(stored["person"]) == 5
    assert len(stored["sync_row"]) > 5
    assert stored == _tables(here_path)


def _opened(world: World) -> bundle.Opened:
    register(world.stations[A], "张三", make_id(seq=131), village="红旗村")
    path = world.export(A)
    assert path is not None
    with world.county.reading() as session:
        key_id, pair = keys.own_keys(world.keys, session)
    peers = county.enrolled(world.county)
    return bundle.open_sealed(path.read_bytes(), key_id, pair, peers.get)


def test_the_helper_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = [tmp_path / "a.cwb", tmp_path / "b.cwb"]
    for path in small:
        path.write_bytes(b"x" * 1000)
    monkeypatch.delenv(ahead.SETTING, raising=False)
    assert not ahead.wanted(small)  # not worth starting a process for
    monkeypatch.setattr(ahead, "MIN_BYTES", 2000)
    assert ahead.wanted(small)
    assert not ahead.wanted(small[:1])  # one file: nothing to check ahead of
    monkeypatch.setenv(ahead.SETTING, "0")
    assert not ahead.wanted(small)
    monkeypatch.setattr(ahead, "MIN_BYTES", 1 << 40)
    monkeypatch.setenv(ahead.SETTING, "1")
    assert ahead.wanted(small)
    assert not ahead.wanted(small[:1])


def test_a_refusal_found_ahead_is_told_in_the_users_language(world: World) -> None:
    opened = _opened(world)
    wrong = bundle.Opened(
        {**opened.manifest, "kind": "receipt"}, opened.manifest_hash, opened.members,
        opened.inner, opened.sender,
    )  # fmt: skip
    previous = i18n.current_language()
    i18n.set_language("zh_CN")
    try:
        expected = i18n._("This is not a station's changes bundle.")
        with ahead.Ahead(DEFAULT_LIMITS, enabled=True) as helper:
            assert helper.working
            helper.submit(0, wrong)
            helper.submit(1, opened)
            with pytest.raises(BundleRefused) as refused:
                helper.take(0, wrong)
            incoming = helper.take(1, opened)
    finally:
        i18n.set_language(previous)
    assert str(refused.value) == expected != "This is not a station's changes bundle."
    assert incoming == changes.parse(opened)
    # the records' derived columns (a person's search text) were made there too
    whole = [line.row for line in incoming.lines if line.row and line.row.decoded is not None]
    assert any(row.entity == "person" for row in whole)
    for row in whole:
        assert row.decoded is not None
        assert row.derived == records.derived(row.entity, row.decoded)


def test_rows_made_ready_ahead_are_not_sent_twice(world: World) -> None:
    opened = _opened(world)
    here = changes.parse(opened)
    with ahead.Ahead(DEFAULT_LIMITS, enabled=True, bind=True) as helper:
        helper.submit(0, opened)
        there = helper.take(0, opened)
    assert helper.checked == 1
    assert [(x.seq, x.hash, x.row and x.row.values) for x in there.lines] == [
        (x.seq, x.hash, x.row and x.row.values) for x in here.lines
    ]
    new = [x for x in there.lines if x.row is not None and x.row.bound is not None]
    assert any(x.row.entity == "person" for x in new if x.row)
    for line in there.lines:
        assert line.bound is not None
        assert line.change_id is None
    for line in new:
        assert line.row is not None
        assert line.row.decoded is None
        assert line.row.derived is None


def test_a_helper_that_fails_leaves_the_checking_here(world: World) -> None:
    opened = _opened(world)
    helper = ahead.Ahead(DEFAULT_LIMITS, enabled=False)
    assert not helper.working
    broken: Future[changes.Packed] = Future()
    broken.set_exception(RuntimeError("the helper died"))
    helper.jobs[0] = broken
    assert helper.take(0, opened) == changes.parse(opened)
    assert helper.take(1, opened) == changes.parse(opened)  # never handed over


def test_the_helper_checks_time_stamps_against_this_programs_clock(world: World) -> None:
    """A county whose clock is set back (a training date) refuses a bundle stamped later, also
    when the helper (which has the machine's clock) checks it."""
    import datetime as dt

    opened = _opened(world)
    with on_day(dt.date(2025, 1, 6)):
        with pytest.raises(BundleRefused) as here:
            changes.parse(opened)
        with ahead.Ahead(DEFAULT_LIMITS, enabled=True) as helper:
            helper.submit(0, opened)
            with pytest.raises(BundleRefused) as there:
                helper.take(0, opened)
            assert helper.checked == 1
    assert "more than a day ahead" in str(here.value)
    assert str(there.value) == str(here.value)
