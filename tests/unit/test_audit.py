"""The audit trail: the hash chain, ``audit verify`` naming the first broken row, ``audit show``,
and the device identity that changes when a file is copied, moved to another machine or
restored."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseworker.cli import main
from caseworker.registry import persons
from caseworker.store import audit, changelog, guards, identity
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import ChangeLog
from tests.helpers import make_id, register


def _verify(store: Any) -> audit.Verification:
    with store.reading() as session:
        return audit.verify(session)


def _tamper(db_path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Edit the file as another program would after removing the protections."""
    raw = sqlite3.connect(db_path)
    try:
        with raw:
            for ddl in guards.sqlite_drop(guards.SYNCED_TABLES):
                raw.execute(ddl)
            for sql, params in statements:
                raw.execute(sql, params)
    finally:
        raw.close()


def _seed(store: Any) -> Any:
    person = register(store, "张三", make_id(), phone="13899998888")
    register(store, "李四", make_id(seq=124))
    with store.transaction(actor="王芳") as session:
        persons.change(session, person.id, phone="13900001111")
    return person


def test_a_fresh_log_verifies(store: Any) -> None:
    _seed(store)
    report = _verify(store)
    assert report.ok, report.problems
    assert report.rows >= 5
    assert report.records >= 6  # station, villages, persons, staff


def test_each_row_carries_the_previous_rows_hash(store: Any) -> None:
    _seed(store)
    with store.reading() as session:
        rows = session.scalars(select(ChangeLog).order_by(ChangeLog.seq)).all()
    assert rows[0].prev_hash == changelog.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1


def test_an_edited_log_row_is_named(store: Any, db_path: Path) -> None:
    person = _seed(store)
    with store.reading() as session:
        row = session.scalars(
            select(ChangeLog).where(ChangeLog.entity_id == person.id, ChangeLog.field == "phone")
        ).one()
    _tamper(db_path, ("UPDATE change_log SET new_value = '1' WHERE seq = ?", (row.seq,)))
    report = _verify(store)
    assert report.first_broken_seq == row.seq
    assert report.problems[0].code == audit.BAD_HASH
    assert audit.MISSING_GUARD in {p.code for p in report.problems}


def test_a_removed_log_row_is_named(store: Any, db_path: Path) -> None:
    _seed(store)
    _tamper(db_path, ("DELETE FROM change_log WHERE seq = 3", ()))
    report = _verify(store)
    assert report.problems[0].code == audit.BROKEN_LINK
    assert report.first_broken_seq == 4


def test_a_record_changed_around_the_log_is_found(store: Any, db_path: Path) -> None:
    person = _seed(store)
    _tamper(db_path, ("UPDATE person SET phone = '13000000000' WHERE id = ?", (person.id.hex,)))
    report = _verify(store)
    mismatch = [p for p in report.problems if p.code == audit.MISMATCH]
    assert [(p.entity, p.entity_id, p.detail) for p in mismatch] == [("person", person.id, "phone")]


def test_audit_cli(store: Any, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    person = _seed(store)
    store.dispose()
    assert main(["--db", str(db_path), "audit", "verify"]) == 0
    assert "The change log is whole" in capsys.readouterr().out
    assert main(["--db", str(db_path), "audit", "show", person.id_number]) == 0
    out = capsys.readouterr().out
    assert "王芳" in out
    assert "13899998888 → 13900001111" in out
    assert "tester" in out
    _tamper(db_path, ("UPDATE change_log SET old_value = 'x' WHERE seq = 2", ()))
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "row 2: its content was changed after it was written" in err
    assert main(["--db", str(db_path), "audit", "show", make_id(seq=999)]) == 2


# -- device identity ----------------------------------------------------------------------


def _open(path: Path, registry: Path) -> Any:
    return open_store(sqlite_url(path), registry_path=registry)


def _device(path: Path, registry: Path) -> tuple[str, str | None]:
    store = _open(path, registry)
    try:
        reason = store.device_change.reason if store.device_change else None
        return store.device_id, reason
    finally:
        store.dispose()


def test_device_identity_follows_the_machine_and_the_copy(tmp_path: Path) -> None:
    registry = tmp_path / "state" / "devices.json"
    path = tmp_path / "station.sqlite3"
    store = _open(path, registry)
    register_station(store)
    first = store.device_id
    store.dispose()
    assert _device(path, registry) == (first, None)

    # renamed on the same machine: the same device
    moved = tmp_path / "renamed.sqlite3"
    path.rename(moved)
    assert _device(moved, registry) == (first, None)
    moved.rename(path)
    assert _device(path, registry) == (first, None)

    # a copy while the original is still there: a new device for the copy
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(path, copy)
    copied, reason = _device(copy, registry)
    assert reason == identity.COPIED
    assert copied != first
    assert _device(path, registry) == (first, None)
    assert _device(copy, registry) == (copied, None)

    # the file taken to another machine (another registry): a new device there
    other_machine = tmp_path / "other" / "devices.json"
    elsewhere, reason = _device(path, other_machine)
    assert reason == identity.MOVED
    assert elsewhere not in (first, copied)


def register_station(store: Any) -> None:
    from caseworker.registry import stations

    stations.initialise(store, "650102001", "测试站", ["红旗村"])


def test_a_restored_backup_gets_a_new_identity_and_the_old_one_stays_in_the_log(
    tmp_path: Path,
) -> None:
    registry = tmp_path / "state" / "devices.json"
    path = tmp_path / "station.sqlite3"
    store = _open(path, registry)
    register_station(store)
    backup = tmp_path / "backup.sqlite3"
    store.dispose()
    shutil.copy(path, backup)
    store = _open(path, registry)
    register(store, "张三", make_id())
    first = store.device_id
    store.dispose()
    shutil.copy(backup, path)  # the laptop's file is replaced by the older backup
    store = _open(path, registry)
    try:
        assert store.device_change is not None
        assert store.device_change.reason == identity.RESTORED
        assert store.device_id != first
        rows = [
            (r.old_value, r.new_value) for r in store_log(store, changelog.setting_id("device_id"))
        ]
        assert rows[-1] == (first, store.device_id)
        assert store.clock.node.endswith("." + store.device_id)
        assert _verify(store).ok
    finally:
        store.dispose()


def test_a_restore_is_noticed_while_other_databases_of_the_machine_are_open(
    tmp_path: Path,
) -> None:
    """Each open database notes its own point in the machine's registry without undoing what
    another open database noted there (each writes its entry into the file as it is now)."""
    registry = tmp_path / "state" / "devices.json"
    path, other_path = tmp_path / "station.sqlite3", tmp_path / "other.sqlite3"
    store = _open(path, registry)
    register_station(store)
    other = _open(other_path, registry)  # opened now: it read the registry as it was
    try:
        store.dispose()
        backup = tmp_path / "backup.sqlite3"
        shutil.copy(path, backup)
        store = _open(path, registry)
        register(store, "张三", make_id())
        first = store.device_id
        other.set_setting("caseworker_name", "王芳")  # the other database commits afterwards
        store.dispose()
        shutil.copy(backup, path)
        store = _open(path, registry)
        assert store.device_change is not None
        assert store.device_change.reason == identity.RESTORED
        assert store.device_id != first
    finally:
        store.dispose()
        other.dispose()


def store_log(store: Any, entity_id: Any) -> list[ChangeLog]:
    with store.reading() as session:
        return list(
            session.scalars(
                select(ChangeLog).where(ChangeLog.entity_id == entity_id).order_by(ChangeLog.seq)
            )
        )
