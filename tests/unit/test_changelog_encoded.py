"""The change log written from values the writer has encoded already
(:func:`caseworker.store.changelog.append_made`, used by the county's import): the same
bytes hashed, the same chain, as :func:`~caseworker.store.changelog.append`."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from caseworker.core.clock import HybridLogicalClock
from caseworker.store import audit, changelog
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import ChangeLog

_TEXT = st.one_of(st.none(), st.text(max_size=40))
_CONTEXT = changelog.Context(
    HybridLogicalClock("650102000"), uuid.UUID(int=7), "dev-1", "650102000"
)
_AT = dt.datetime(2026, 11, 28, 8, 30, 1, 123456, tzinfo=dt.UTC)


def _row(field: str, old: str | None, new: str | None) -> dict[str, object]:
    return changelog.new_row(
        _CONTEXT, hlc=str(_CONTEXT.clock.now()), at=_AT, entity="person",
        entity_id=uuid.uuid4(), op="import", field=field, old=old, new=new,
    )  # fmt: skip


def _encoded(row: dict[str, object]) -> tuple[str | None, ...]:
    return tuple(changelog.encode(row[name]) for name in changelog.MADE_KEYS)


def _made(row: dict[str, object]) -> tuple[object, ...]:
    return tuple(row[name] for name in changelog.MADE_KEYS)


@settings(max_examples=200)
@given(field=st.text(max_size=20), old=_TEXT, new=_TEXT, seq=st.integers(1, 2**40))
def test_chained_bytes_are_canonical(
    field: str, old: str | None, new: str | None, seq: int
) -> None:
    row = _row(field, old, new)
    prev = "ab" * 32
    expected = changelog.canonical({**row, "seq": seq, "prev_hash": prev})
    assert changelog.chained_bytes(seq, changelog.hashed_text(_encoded(row)), prev) == expected


@settings(max_examples=200)
@given(texts=st.lists(_TEXT, min_size=12, max_size=12))
def test_hashed_text_is_the_middle_of_the_canonical_list(texts: list[str | None]) -> None:
    whole = json.dumps([3, *texts, "0" * 64], ensure_ascii=False, separators=(",", ":"))
    assert whole == "[3," + changelog.hashed_text(texts) + ',"' + "0" * 64 + '"]'


def test_append_made_chains_as_append(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "a.sqlite3"), actor="李娜")
    try:
        rows = [_row("*", None, '{"name":"张三","引号":"\\"x\\""}'), _row("held", "false", "true")]
        with store.transaction() as session:
            changelog.append_made(
                session.connection(),
                [_made(r) for r in rows],
                [changelog.hashed_text(_encoded(r)) for r in rows],
            )
        with store.reading() as session:
            stored = session.scalars(select(ChangeLog).order_by(ChangeLog.seq)).all()
            report = audit.verify(session)
        # (the rows name records that were never written: only the chain is checked here)
        assert [p for p in report.problems if p.code != "record_gone"] == []
        assert report.rows == len(stored)
        for row, kept in zip(rows, stored[-2:], strict=True):
            assert {name: getattr(kept, name) for name in changelog.MADE_KEYS} == {
                name: row[name] for name in changelog.MADE_KEYS
            }
            assert changelog.digest({**row, "seq": kept.seq, "prev_hash": kept.prev_hash}) == (
                kept.hash
            )
        assert stored[-1].prev_hash == stored[-2].hash
        with (
            pytest.raises(ValueError, match="one hashed text"),
            store.transaction() as session,
        ):
            changelog.append_made(session.connection(), [_made(r) for r in rows], [])
    finally:
        store.dispose()


@pytest.mark.parametrize("ready", [True, False])
def test_the_county_imports_log_rows_chain_and_read_back(tmp_path: Path, ready: bool) -> None:
    """The county import's log rows (:class:`caseworker.sync.integrate._Log`): made ready for
    SQLite's driver as they are added, or (as on PostgreSQL) as values; either way the stored
    rows hash as they were hashed and hold the values given."""
    from caseworker.sync import integrate

    store = open_store(sqlite_url(tmp_path / "a.sqlite3"), actor="李娜")
    records = [uuid.uuid4() for _ in range(3)]
    try:
        with store.transaction() as session:
            log = integrate._Log(session)
            assert log.ready
            if not ready:  # (as on PostgreSQL)
                log.ready, log._at, log._actor = False, log.at, log.context.actor_id
            own = log.context.station_code
            stamps = [
                log.add("person", records[0], "import", "*", None, '{"name":"张三","q":"\\"x"}',
                        "650102001", str(records[0])),
                log.add("person", records[1], "hold", "held", "false", "true", ""),
                log.add("household", records[2], "import", "*", None, None, "650102002"),
            ]  # fmt: skip
            log.flush(session.connection())
        with store.reading() as session:
            stored = session.scalars(select(ChangeLog).order_by(ChangeLog.seq)).all()[-3:]
            report = audit.verify(session)
        assert [p for p in report.problems if p.code != "record_gone"] == []
        assert [(r.entity_id, r.hlc, r.station_code, r.old_value) for r in stored] == [
            (records[0], stamps[0], "650102001", None),
            (records[1], stamps[1], own, "false"),
            (records[2], stamps[2], "650102002", None),
        ]
        assert stored[0].new_value == '{"name":"张三","q":"\\"x"}'
        assert all(r.change_id.version == 7 for r in stored)
        assert all(changelog.digest(_as_row(r)) == r.hash for r in stored)
    finally:
        store.dispose()


def _as_row(stored: ChangeLog) -> dict[str, object]:
    return {name: getattr(stored, name) for name in changelog.HASHED}
