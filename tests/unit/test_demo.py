from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from caseworker.core import idcard, names
from caseworker.registry import demo, search
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import ChangeLog, Household, HouseholdMember, Person

TODAY = dt.date(2026, 11, 27)


def _snapshot(path: Path, seed: int) -> list[tuple[Any, ...]]:
    store = open_store(sqlite_url(path))
    try:
        assert demo.generate(store, persons=300, seed=seed, today=TODAY) == 300
        with store.reading() as session:
            return list(
                session.execute(
                    select(
                        Person.id, Person.id_number, Person.name, Person.employed, Person.village_id
                    ).order_by(Person.id_number)
                ).all()
            )
    finally:
        store.dispose()


def test_same_seed_same_persons(tmp_path: Path) -> None:
    first = _snapshot(tmp_path / "a.sqlite3", 7)
    second = _snapshot(tmp_path / "b.sqlite3", 7)
    third = _snapshot(tmp_path / "c.sqlite3", 8)
    assert [r[:4] for r in first] == [r[:4] for r in second]
    assert [r[0] for r in first] == [r[0] for r in second]  # record ids too
    assert [r[1] for r in first] != [r[1] for r in third]


def test_demo_data_is_valid_and_varied(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "d.sqlite3"))
    try:
        demo.generate(store, persons=500, seed=3, today=TODAY)
        with store.reading() as session:
            people = session.scalars(select(Person)).all()
            assert len(people) == 500
            for p in people:
                number = idcard.parse(p.id_number, today=TODAY)
                assert number.province_code == "65"
                assert number.birth_date == p.birth_date
                assert str(number.sex) == p.sex
                assert names.validate_name(p.name) == p.name
                assert 16 <= idcard.age_on(p.birth_date, TODAY) <= 62
            ethnicities = {p.ethnicity for p in people}
            assert {"01", "03", "05", "17"} <= ethnicities
            assert any("·" in p.name for p in people)
            assert any(p.name_native for p in people)
            assert {p.work_capacity for p in people} == {"full", "partial", "none"}
            assert any(p.employed for p in people)
            assert any(not p.employed for p in people)
            assert any(p.min_living_allowance for p in people)
            households = session.scalar(select(func.count()).select_from(Household))
            members = session.scalar(select(func.count()).select_from(HouseholdMember))
            assert households
            assert members
            assert members > households
            relatives = session.scalar(
                select(func.count())
                .select_from(HouseholdMember)
                .where(HouseholdMember.person_id.is_(None))
            )
            assert relatives
            logged = session.scalar(
                select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "person")
            )
            assert logged == 500
            # the search index covers bulk-loaded rows
            some = people[0]
            assert some.id in {p.id for p in search.search(session, some.name, limit=1000)}
            assert some.id in {
                p.id for p in search.search(session, some.id_number[-8:], limit=1000)
            }
    finally:
        store.dispose()


def test_cancelled_demo_adds_nothing(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "d.sqlite3"))
    try:
        added = demo.generate(store, persons=6000, seed=1, progress=lambda done, total: done < 5000)
        assert added == 0
        with store.reading() as session:
            assert session.scalar(select(func.count()).select_from(Person)) == 0
        # the index triggers are back after the rollback
        assert demo.generate(store, persons=10, seed=2) == 10
        with store.reading() as session:
            p = session.scalars(select(Person)).first()
            assert p is not None
            assert p.id in {x.id for x in search.search(session, p.name, limit=1000)}
    finally:
        store.dispose()
