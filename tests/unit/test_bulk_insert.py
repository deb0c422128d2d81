"""Bulk inserts (:mod:`caseworker.store.bulk`): rows made ready apart from the connection, and
the persons' rows in one statement through a temporary table (the full-text index takes them
in one go): the same rows, the same index, the same search, and all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import inspect, select

from caseworker.registry import search
from caseworker.store import guards
from caseworker.store.bulk import bound, insert_bound, insert_rows
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import Person
from tests.helpers import make_id, register

NAMES = ["张三", "李四", "王五", "赵六", "阿不都·热合曼", "古丽", "张伟", "张薇", "李娜", "王芳"]


def _rows(store: Any) -> list[dict[str, Any]]:
    keys = [a.key for a in inspect(Person).column_attrs]
    with store.reading() as session:
        people = session.scalars(select(Person).order_by(Person.name_pinyin)).all()
        return [{k: getattr(p, k) for k in keys} for p in people]


def _empty(store_path: Path, target: Path) -> Any:
    shutil.copy(store_path, target)
    copy = open_store(sqlite_url(target), actor="tester")
    with copy.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM person_fts_list")
        connection.exec_driver_sql("INSERT INTO person_fts(person_fts) VALUES ('delete-all')")
        connection.exec_driver_sql(
            "INSERT INTO person_fts_digits(person_fts_digits) VALUES ('delete-all')"
        )
        guards.drop(connection)  # (the rows come without their log: this tests the insert)
        connection.exec_driver_sql("DELETE FROM household_member")
        connection.exec_driver_sql("DELETE FROM person")
    return copy


def _index(store: Any) -> tuple[list[Any], dict[str, list[str]]]:
    with store.engine.connect() as connection:
        listed = connection.exec_driver_sql(
            "SELECT k, id, name, name_pinyin, id_number FROM person_fts_list ORDER BY k"
        ).all()
    found: dict[str, list[str]] = {}
    with store.reading() as session:
        for query in ("张", "zhang", "li", "阿不都", "0101"):
            found[query] = sorted(hit.name for hit in search.search(session, query))
    return [tuple(r) for r in listed], found


@pytest.fixture
def source(store: Any, db_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    for n, name in enumerate(NAMES):
        register(store, name, make_id(seq=200 + n))
    return db_path, _rows(store)


def test_one_statement_gives_the_same_rows_and_index(
    source: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    path, rows = source
    assert len(rows) == len(NAMES)
    results = []
    for one in (False, True):
        copy = _empty(path, tmp_path / f"copy-{one}.sqlite3")
        try:
            with copy.engine.begin() as connection:
                insert_rows(connection, Person, rows, one_statement=one)
                temp = connection.exec_driver_sql(
                    "SELECT count(*) FROM temp.sqlite_master WHERE name = 'bulk_person'"
                ).scalar()
                assert temp == 0  # the temporary table is gone
            assert _rows(copy) == rows
            results.append(_index(copy))
        finally:
            copy.dispose()
    assert results[0] == results[1]
    listed, found = results[1]
    assert len(listed) == len(NAMES)
    assert found["张"] == ["张三", "张伟", "张薇"]
    assert found["阿不都"] == ["阿不都·热合曼"]


def test_one_statement_is_all_or_nothing(
    source: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    path, rows = source
    copy = _empty(path, tmp_path / "copy.sqlite3")
    try:
        clash = {**rows[0], "id": rows[-1]["id"]}  # the last row's id twice
        keys = [a.key for a in inspect(Person).column_attrs]
        with copy.engine.begin() as connection:
            made = bound(connection.dialect, Person, keys, [*rows, clash], by_key=True)
            with pytest.raises(sqlalchemy.exc.IntegrityError):
                insert_bound(connection, Person, keys, made, one_statement=True)
            assert connection.exec_driver_sql("SELECT count(*) FROM person").scalar() == 0
            assert connection.exec_driver_sql("SELECT count(*) FROM person_fts_list").scalar() == 0
            temp = connection.exec_driver_sql(
                "SELECT count(*) FROM temp.sqlite_master WHERE name = 'bulk_person'"
            ).scalar()
            assert temp == 0
            insert_bound(connection, Person, keys, made[:-1], one_statement=True)  # goes on
        assert _rows(copy) == rows
    finally:
        copy.dispose()


def test_bound_rows_are_what_the_driver_gets_from_dicts(
    source: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    """Rows made ready by position (as the county's helper makes them) and by key give the
    same values."""
    _path, rows = source
    from sqlalchemy.dialects import sqlite

    keys = [a.key for a in inspect(Person).column_attrs]
    by_key = bound(sqlite.dialect(), Person, keys, rows, by_key=True)
    by_position = bound(sqlite.dialect(), Person, keys, [[r[k] for k in keys] for r in rows])
    assert by_key == by_position
    assert all(isinstance(v, (str, int, float, bytes, type(None))) for r in by_key for v in r)
