"""The store's promises: durable settings, every change logged (and no way around it), correct
old values, insert values, tombstones, settings in the log, writers that wait their turn, a
clear message when the database is busy, and aware UTC instants."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import Integer, literal, select, text, update

from caseworker.core.clock import Timestamp
from caseworker.core.money import Money
from caseworker.registry import persons
from caseworker.store import audit, changelog
from caseworker.store import engine as engine_module
from caseworker.store.base import MoneyType
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import ChangeLog, Person, Setting
from caseworker.store.uow import StoreBusyError
from tests.helpers import make_id, register


def _log(store: Any, entity_id: Any) -> list[ChangeLog]:
    with store.reading() as session:
        return list(
            session.scalars(
                select(ChangeLog).where(ChangeLog.entity_id == entity_id).order_by(ChangeLog.seq)
            )
        )


def _names(store: Any) -> dict[Any, str]:
    with store.reading() as session:
        return audit.staff_names(session)


def test_sqlite_durability_settings(store: Any, db_path: Path) -> None:
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "delete"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        # statement journals in memory (a guarded table's rows were written twice otherwise)
        assert connection.execute(text("PRAGMA temp_store")).scalar() == 2  # MEMORY
    register(store, "张三", make_id())
    # No write-ahead log is ever created, so the WAL-reset bug cannot apply.
    assert not Path(f"{db_path}-wal").exists()
    assert not Path(f"{db_path}-shm").exists()


def test_insert_update_tombstone_are_logged_with_the_staff_member(store: Any) -> None:
    person = register(store, "张三", make_id(), phone="13899998888")
    with store.transaction(actor="王芳") as session:
        persons.change(session, person.id, phone="13900001111", notes="新的")
    with store.transaction() as session:
        persons.tombstone(session, person.id)
    rows = _log(store, person.id)
    with store.reading() as session:
        stored = session.get(Person, person.id)
        assert stored is not None
        assert stored.deleted
        assert stored.version == 3
    assert [(r.op, r.field) for r in rows] == [
        ("insert", "*"),
        ("update", "phone"),
        ("update", "notes"),
        ("delete", "deleted"),
    ]
    names = _names(store)
    phone = rows[1]
    assert (phone.old_value, phone.new_value) == ("13899998888", "13900001111")
    assert names[phone.actor_id] == "王芳"
    assert names[rows[0].actor_id] == "tester"
    assert [r.hlc for r in rows] == sorted(r.hlc for r in rows)
    assert rows[0].station_code == "650102001"
    assert rows[0].device_id == store.device_id


def test_an_insert_logs_every_value_so_any_earlier_state_can_be_rebuilt(store: Any) -> None:
    person = register(store, "张三", make_id(), phone="13899998888", village="红旗村")
    with store.transaction() as session:
        persons.change(session, person.id, phone="13900001111")
    rows = _log(store, person.id)
    inserted = json.loads(rows[0].new_value or "{}")
    assert inserted["name"] == "张三"
    assert inserted["phone"] == "13899998888"
    assert inserted["notes"] == ""  # defaults are logged as stored
    assert inserted["village_id"] == str(person.village_id)
    assert inserted["employed"] == "false"
    # replaying the log up to a row gives the state at that row
    state = dict(inserted)
    for row in rows[1:]:
        state[row.field] = row.new_value
    with store.reading() as session:
        stored = session.get(Person, person.id)
        assert stored is not None
        assert state["phone"] == stored.phone


def test_an_expired_attribute_logs_its_real_old_value(store: Any) -> None:
    person = register(store, "张三", make_id(), phone="13899998888")
    with store.transaction() as session:
        loaded = session.get(Person, person.id)
        assert loaded is not None
        session.expire(loaded, ["phone"])
        loaded.phone = "13900001111"
    change = _log(store, person.id)[-1]
    assert (change.field, change.old_value, change.new_value) == (
        "phone",
        "13899998888",
        "13900001111",
    )


@pytest.mark.parametrize("how", ["orm_bulk", "core", "text"])
def test_a_write_around_the_log_is_refused(store: Any, how: str) -> None:
    person = register(store, "张三", make_id(), phone="13899998888")
    table = Person.__table__
    statements = {
        "orm_bulk": (update(Person).where(Person.id == person.id).values(phone="1"), {}),
        "core": (update(table).where(table.c.id == person.id).values(phone="1"), {}),
        "text": (
            text(
                "UPDATE person SET phone = '1', version = version + 1, "
                "updated_hlc = updated_hlc || 'x' WHERE id = :id"
            ),
            {"id": person.id.hex},
        ),
    }
    statement, params = statements[how]

    def write() -> None:
        with store.transaction() as session:
            session.execute(statement, params)

    with pytest.raises(sqlalchemy.exc.DatabaseError, match="refused"):
        write()
    with store.reading() as session:
        stored = session.get(Person, person.id)
        assert stored is not None
        assert stored.phone == "13899998888"


def test_another_program_cannot_write_around_the_log(store: Any, db_path: Path) -> None:
    person = register(store, "张三", make_id(), phone="13899998888")
    with sqlite3.connect(db_path) as raw:
        with pytest.raises(sqlite3.IntegrityError, match="refused"):
            raw.execute("UPDATE person SET phone = '1' WHERE id = ?", (person.id.hex,))
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            raw.execute("DELETE FROM person")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("UPDATE change_log SET new_value = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM change_log")
    raw.close()


def test_change_log_rows_cannot_be_changed_through_the_orm(store: Any) -> None:
    person = register(store, "张三", make_id())

    def edit(delete: bool) -> None:
        with store.transaction() as session:
            row = session.scalars(select(ChangeLog).where(ChangeLog.entity_id == person.id)).one()
            if delete:
                session.delete(row)
            else:
                row.new_value = "{}"

    with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
        edit(delete=False)
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
        edit(delete=True)


def test_reading_cannot_write(store: Any) -> None:
    person = register(store, "张三", make_id(), phone="13899998888")

    def change_and_commit() -> None:
        with store.reading() as session:
            loaded = session.get(Person, person.id)
            assert loaded is not None
            loaded.phone = "13900001111"
            session.commit()

    def raw_insert() -> None:
        with store.reading() as session:
            session.execute(text("INSERT INTO setting (key, value) VALUES ('x', 'y')"))

    with pytest.raises(changelog.ReadOnlyError):
        change_and_commit()
    with pytest.raises(sqlalchemy.exc.OperationalError, match="readonly"):
        raw_insert()
    with store.reading() as session:
        stored = session.get(Person, person.id)
        assert stored is not None
        assert stored.phone == "13899998888"
        assert session.get(Setting, "x") is None
    # the connection went back to the pool writable for the next transaction
    register(store, "李四", make_id(seq=124))


def test_settings_changes_are_logged(store: Any) -> None:
    store.set_setting("caseworker_name", "李娜", actor="李娜")
    store.set_setting("caseworker_name", "王芳", actor="王芳")
    rows = _log(store, changelog.setting_id("caseworker_name"))
    assert [(r.op, r.old_value, r.new_value) for r in rows] == [
        ("insert", None, "李娜"),
        ("update", "李娜", "王芳"),
    ]
    station = _log(store, changelog.setting_id("station_code"))
    assert [(r.old_value, r.new_value) for r in station] == [(None, "650102001")]


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
    # and the chain goes on unbroken after the rollback
    register(store, "李四", make_id(seq=124))
    with store.reading() as session:
        assert audit.verify(session).ok


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


def test_clock_resumes_after_reopen_and_survives_a_station_change(
    store: Any, db_path: Path
) -> None:
    first = register(store, "张三", make_id())
    store.dispose()
    again = open_store(sqlite_url(db_path))
    try:
        assert (
            Timestamp.parse(str(again.clock.now())).as_int()
            > Timestamp.parse(first.created_hlc).as_int()
        )
        assert again.station_code == "650102001"
        before = register(again, "李四", make_id(seq=124))
        again.set_station_code("650102002")
        after = register(again, "王五", make_id(seq=125))
        assert (
            Timestamp.parse(after.created_hlc).as_int()
            > Timestamp.parse(before.created_hlc).as_int()
        )
        assert after.created_hlc.split("-", 2)[2].startswith("650102002.")
    finally:
        again.dispose()


def test_instants_are_aware_utc(store: Any) -> None:
    person = register(store, "张三", make_id())
    row = _log(store, person.id)[0]
    assert row.at.tzinfo is dt.UTC
    assert abs(row.at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_money_is_stored_as_integer_fen(store: Any) -> None:
    with store.reading() as session:
        stored = session.scalar(select(literal(Money.parse("1809.52"), MoneyType())))
        raw = session.scalar(select(literal(Money.parse("1809.52"), MoneyType()).cast(Integer)))
    assert stored == Money(180952)
    assert raw == 180952


def _slow_writer(path: Path, started: threading.Event, results: list[str]) -> None:
    other = open_store(sqlite_url(path), actor="甲")
    try:
        with other.transaction() as session:
            session.scalar(select(Person.id).limit(1))  # read first …
            started.set()
            time.sleep(1.0)
            register_in(session, "慢写", make_id(seq=201))  # … then write
        results.append("slow ok")
    except Exception as exc:  # reported to the test
        results.append(f"slow failed: {exc}")
    finally:
        other.dispose()


def register_in(session: Any, name: str, id_number: str) -> None:
    persons.register(session, persons.validate({"name": name, "id_number": id_number}))


def test_writers_wait_their_turn(store: Any, db_path: Path) -> None:
    """Two read-then-write transactions on one file: the second waits, both succeed."""
    started = threading.Event()
    results: list[str] = []
    thread = threading.Thread(target=_slow_writer, args=(db_path, started, results))
    thread.start()
    assert started.wait(10)
    with store.transaction() as session:
        session.scalar(select(Person.id).limit(1))
        register_in(session, "快写", make_id(seq=202))
    thread.join(20)
    assert results == ["slow ok"]
    with store.reading() as session:
        assert persons.count(session) == 2
        assert audit.verify(session).ok


def test_a_busy_database_says_so(
    store: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    busy = open_store(sqlite_url(db_path))
    blocker = sqlite3.connect(db_path, isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreBusyError, match="Another program or window is writing"):
            register(busy, "张三", make_id())
        with (
            pytest.raises(StoreBusyError, match="Another program or window is writing"),
            busy.reading() as session,
        ):
            session.scalar(select(Person.id).limit(1))
        blocker.execute("ROLLBACK")
        register(busy, "张三", make_id())
    finally:
        blocker.close()
        busy.dispose()
