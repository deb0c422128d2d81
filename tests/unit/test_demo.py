from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from caseworker.core import idcard, names
from caseworker.registry import demo, search
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import (
    ChangeLog,
    EmploymentEpisode,
    Household,
    HouseholdMember,
    Person,
)

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


def test_same_seed_same_persons_but_never_the_same_record_ids(tmp_path: Path) -> None:
    first = _snapshot(tmp_path / "a.sqlite3", 7)
    second = _snapshot(tmp_path / "b.sqlite3", 7)
    third = _snapshot(tmp_path / "c.sqlite3", 8)
    assert [r[1:4] for r in first] == [r[1:4] for r in second]
    # two stations that load the same seed must not share a record id
    assert not {r[0] for r in first} & {r[0] for r in second}
    assert all(r[0].version == 4 for r in first)
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
            # every demo row is marked, so it is never exported
            for model in (Person, Household, HouseholdMember, EmploymentEpisode):
                assert (
                    session.scalar(
                        select(func.count()).select_from(model).where(model.demo.is_(False))
                    )
                    == 0
                )
            # relatives are born in the past, with valid ID numbers, at plausible ages
            for member in session.scalars(
                select(HouseholdMember).where(HouseholdMember.person_id.is_(None))
            ):
                number = idcard.parse(member.id_number, today=TODAY)
                assert number.birth_date <= TODAY - dt.timedelta(days=365)
            # registered members keep no copy of the person's name or ID number
            assert not session.scalar(
                select(func.count())
                .select_from(HouseholdMember)
                .where(HouseholdMember.person_id.is_not(None), HouseholdMember.name != "")
            )
            # "employed" is derived from dated employment episodes
            employed = {p.id for p in people if p.employed}
            assert employed == set(
                session.scalars(
                    select(EmploymentEpisode.person_id).where(EmploymentEpisode.ends_on.is_(None))
                )
            )
            # the search index covers bulk-loaded rows
            some = people[0]
            assert some.id in {p.id for p in search.search(session, some.name, limit=1000)}
            assert some.id in {
                p.id for p in search.search(session, some.id_number[-8:], limit=1000)
            }
    finally:
        store.dispose()


def test_cancelled_demo_keeps_whole_chunks(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "d.sqlite3"))
    try:
        seen: list[int] = []

        def progress(done: int, total: int) -> bool:
            seen.append(done)
            return done < demo.BATCH

        added = demo.generate(store, persons=3 * demo.BATCH, seed=1, progress=progress)
        assert added == demo.BATCH
        assert seen == [demo.BATCH]
        with store.reading() as session:
            assert session.scalar(select(func.count()).select_from(Person)) == demo.BATCH
            # every household written is whole: its head is there
            heads = session.scalar(
                select(func.count())
                .select_from(HouseholdMember)
                .where(HouseholdMember.relation == "head")
            )
            assert heads == session.scalar(select(func.count()).select_from(Household))
        # the index triggers are back after each chunk
        assert demo.generate(store, persons=10, seed=2) == 10
        with store.reading() as session:
            p = session.scalars(select(Person).order_by(Person.created_hlc.desc())).first()
            assert p is not None
            assert p.id in {x.id for x in search.search(session, p.name, limit=1000)}
    finally:
        store.dispose()


def test_demo_works_after_an_init_without_villages(tmp_path: Path) -> None:
    from caseworker.registry import stations

    store = open_store(sqlite_url(tmp_path / "d.sqlite3"))
    try:
        stations.initialise(store, "650102001", "测试站", [])
        assert demo.generate(store, persons=50, seed=1, today=TODAY) == 50
        with store.reading() as session:
            villages = stations.villages(session, "650102001")
            assert villages
            assert all(v.demo for v in villages)
            assert (
                session.scalar(
                    select(func.count()).select_from(Person).where(Person.village_id.is_(None))
                )
                == 0
            )
    finally:
        store.dispose()


def test_demo_assistance_plans_contacts_and_families(tmp_path: Path) -> None:
    """A tenth of the persons get a plan with about a year of contacts; plans are for
    recognised persons or members of zero-employment families; the demo's families are what
    the tracker reads (a refresh changes nothing); the log stays whole."""
    from caseworker.casework import worklist
    from caseworker.registry import families
    from caseworker.store import audit
    from caseworker.store.models import (
        AssistanceContact,
        AssistancePlan,
        RecognitionCase,
        ZeroEmploymentEpisode,
    )
    from tests.helpers import on_day

    store = open_store(sqlite_url(tmp_path / "d.sqlite3"))
    try:
        with on_day(TODAY):
            demo.generate(store, persons=1000, seed=3, today=TODAY)
        with store.reading() as session:
            plans = session.scalars(select(AssistancePlan)).all()
            assert len(plans) == 100
            assert all(p.demo for p in plans)
            recognised = set(
                session.scalars(
                    select(RecognitionCase.person_id).where(RecognitionCase.stage == "recognised")
                )
            )
            by_basis = {p.basis for p in plans}
            assert by_basis == {"recognised", "zero_employment_family"}
            assert all(p.person_id in recognised for p in plans if p.basis == "recognised")
            contacts = session.scalars(select(AssistanceContact)).all()
            assert len(contacts) > 8 * len(plans)
            spans = {}
            for c in contacts:
                first, last = spans.get(c.plan_id, (c.on, c.on))
                spans[c.plan_id] = (min(first, c.on), max(last, c.on))
            assert sum((b - a).days > 300 for a, b in spans.values()) > len(plans) / 2
            assert session.scalar(select(func.count()).select_from(ZeroEmploymentEpisode))
            assert audit.verify(session).ok
            with on_day(TODAY):
                assert worklist.due_rows(session, TODAY)
        with on_day(TODAY), store.transaction() as session:
            result = families.refresh(session, TODAY)
            assert (result.opened, result.ended) == ([], [])
    finally:
        store.dispose()
