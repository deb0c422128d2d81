from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from caseworker.registry import persons
from caseworker.store.models import ChangeLog, Person
from tests.helpers import make_id, register


def test_sqlite_durability_settings(store: Any, db_path: Path) -> None:
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "delete"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    register(store, "张三", make_id())
    # No write-ahead log is ever created, so the WAL-reset bug cannot apply.
    assert not Path(f"{db_path}-wal").exists()
    assert not Path(f"{db_path}-shm").exists()


def test_foreign_keys_are_enforced(store: Any) -> None:
    import uuid

    from sqlalchemy.exc import IntegrityError

    person = register(store, "张三", make_id())
    with store.transaction() as session, pytest.raises(IntegrityError):
        session.execute(
            text("UPDATE person SET village_id = :v WHERE id = :id"),
            {"v": uuid.uuid4().hex, "id": person.id.hex},
        )


def test_insert_update_tombstone_are_logged(store: Any) -> None:
    person = register(store, "张三", make_id(), phone="13899998888")
    with store.transaction(actor="王芳") as session:
        persons.change(session, person.id, phone="13900001111", employed=True)
    with store.transaction() as session:
        persons.tombstone(session, person.id)
    with store.reading() as session:
        rows = session.scalars(
            select(ChangeLog).where(ChangeLog.entity_id == person.id).order_by(ChangeLog.seq)
        ).all()
        stored = session.get(Person, person.id)
        assert stored is not None
        assert stored.deleted
        assert stored.version == 3
    assert [(r.op, r.field) for r in rows] == [
        ("insert", "*"),
        ("update", "phone"),
        ("update", "employed"),
        ("delete", "deleted"),
    ]
    phone = rows[1]
    assert (phone.old_value, phone.new_value, phone.actor) == ("13899998888", "13900001111", "王芳")
    assert rows[2].old_value == json.dumps(False)
    assert [r.hlc for r in rows] == sorted(r.hlc for r in rows)
    assert rows[0].actor == "tester"
    assert rows[0].station_code == "650102001"


def test_hard_delete_is_refused(store: Any) -> None:
    person = register(store, "张三", make_id())
    with pytest.raises(RuntimeError, match="tombstone"), store.transaction() as session:
        session.delete(session.get(Person, person.id))
    with store.reading() as session:
        assert session.get(Person, person.id) is not None


def test_failed_action_rolls_back_whole(store: Any) -> None:
    data = persons.validate({"name": "张三", "id_number": make_id()})

    def register_then_fail() -> None:
        with store.transaction() as session:
            persons.register(session, data)
            _ = 1 / 0

    with pytest.raises(ZeroDivisionError):
        register_then_fail()
    with store.reading() as session:
        assert persons.count(session) == 0
        assert session.scalar(select(ChangeLog).where(ChangeLog.entity == "person")) is None


def test_synced_columns_are_stamped(store: Any) -> None:
    person = register(store, "张三", make_id())
    assert person.station_code == "650102001"
    assert person.created_hlc == person.updated_hlc
    assert person.created_hlc.endswith(store.clock.node)
    assert person.version == 1
    assert person.sex == "male"
    assert person.birth_date == dt.date(1990, 1, 1)


def test_stale_edit_is_refused(store: Any) -> None:
    from caseworker.core.errors import ValidationError

    person = register(store, "张三", make_id())
    with store.transaction() as session:
        data = persons.data_of(session.get(Person, person.id))
        with pytest.raises(ValidationError, match="changed this person"):
            persons.update(session, person.id, data, expected_version=person.version + 1)


def test_clock_resumes_after_reopen(store: Any, db_path: Path) -> None:
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    person = register(store, "张三", make_id())
    store.dispose()
    again = open_store(sqlite_url(db_path))
    try:
        assert str(again.clock.now()) > person.created_hlc
        assert again.station_code == "650102001"
    finally:
        again.dispose()
