"""Schema migrations: upgrading an old file (with a backup first), downgrades, refusals,
the models matching the migrations, and the whole path on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, insert, inspect, select, text, update

from caseworker.core.errors import UserError
from caseworker.recognition import service
from caseworker.recognition.workflow import CommunityReview, Stage, TownshipReview
from caseworker.registry import search, stations
from caseworker.store import audit, migrate
from caseworker.store.engine import make_engine, sqlite_url
from caseworker.store.models import (
    AssistancePlan,
    Base,
    ChangeLog,
    EmploymentEpisode,
    HouseholdMember,
    Person,
    RecognitionCase,
    Staff,
)
from tests.helpers import make_id, provide_all_proofs, register

VERSIONS = Path(migrate.MIGRATIONS) / "versions"
RECOGNITION_TABLES = {"recognition_case", "recognition_step", "proof_item"}


def _hlc(n: int) -> str:
    return f"{1_700_000_000_000 + n:016d}-00000-650102001.test"


def make_0001_database(path: Path) -> list[str]:
    """A station file at revision 0001 with a station, a village and two persons (no ORM)."""
    engine = make_engine(sqlite_url(path))
    migrate.upgrade(engine, "0001")
    meta = MetaData()
    meta.reflect(engine, only=["station", "village", "person", "setting"])
    synced = {"station_code": "650102001", "version": 1, "deleted": False}
    station_id, village_id = uuid.uuid4().hex, uuid.uuid4().hex
    ids = [make_id(birth=dt.date(1965, 3, 1), seq=131), make_id(birth=dt.date(1990, 1, 1), seq=142)]
    with engine.begin() as connection:
        connection.execute(
            insert(meta.tables["setting"]).values(key="station_code", value="650102001")
        )
        connection.execute(
            insert(meta.tables["station"]).values(
                id=station_id, code="650102001", name="燕儿窝街道就业服务站", contact_name="",
                contact_phone="", created_hlc=_hlc(1), updated_hlc=_hlc(1), **synced,
            )
        )  # fmt: skip
        connection.execute(
            insert(meta.tables["village"]).values(
                id=village_id, station_id=station_id, name="红旗村", kind="village",
                sort_order=0, created_hlc=_hlc(2), updated_hlc=_hlc(2), **synced,
            )
        )  # fmt: skip
        for n, (name, number) in enumerate(zip(("张三", "古丽"), ids, strict=True)):
            connection.execute(
                insert(meta.tables["person"]).values(
                    id=uuid.uuid4().hex, id_number=number, name=name, name_native="",
                    name_pinyin="zhangsan" if n == 0 else "guli",
                    name_initials="zs" if n == 0 else "gl",
                    search_text="张 三 zhangsan san zs s" if n == 0 else "古 丽 guli li gl l",
                    sex="male" if n == 0 else "female",
                    birth_date=dt.date(1965, 3, 1) if n == 0 else dt.date(1990, 1, 1),
                    phone="", hukou_address="", address="", village_id=village_id,
                    resident_in_region=True, work_capacity="full", wants_work=True,
                    employed=False, registered_unemployed_since=dt.date(2023, 1, 1),
                    employment_card_no="", min_living_allowance=False, disabled=False,
                    disability_cert_no="", college_graduate=False, graduate_school="",
                    land_expropriated=False, income_below_local_average=False,
                    bank_name="", bank_account="", notes="",
                    created_hlc=_hlc(3 + n), updated_hlc=_hlc(3 + n), **synced,
                )
            )  # fmt: skip
    engine.dispose()
    return ids


def revision_of(path: Path) -> str | None:
    engine = make_engine(sqlite_url(path))
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def test_head_is_0013_and_migration_files_are_frozen() -> None:
    assert migrate.head_revision() == migrate.HEAD_REVISION == "0013"
    source = (VERSIONS / "0002_recognition.py").read_text(encoding="utf-8")
    assert "down_revision: str | None = '0001'" in source
    for path in VERSIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
        assert not [line for line in imports if "caseworker" in line], (path.name, imports)


def test_models_match_the_migrations(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "head.sqlite3"))
    migrate.upgrade(engine)
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    # SQLite's FTS5 shadow tables (installed by 0001 for search) are not models.
    real = [d for d in diffs if not (d[0] == "remove_table" and d[1].name.startswith("person_fts"))]
    assert real == []


def test_opening_an_0001_file_backs_it_up_and_migrates_keeping_the_data(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    ids = make_0001_database(path)
    store = migrate.open_store(sqlite_url(path), actor="tester")
    try:
        backups = list((tmp_path / "backups").iterdir())
        assert len(backups) == 1
        assert backups[0].name.startswith(f"station-before-{migrate.HEAD_REVISION}-")
        assert revision_of(backups[0]) == "0001"
        with sqlite3.connect(backups[0]) as old:
            assert old.execute("SELECT count(*) FROM person").fetchone() == (2,)
            tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master")}
            assert not tables & RECOGNITION_TABLES
        old.close()
        assert migrate.current_revision(store.engine) == migrate.HEAD_REVISION
        assert set(inspect(store.engine).get_table_names()) >= RECOGNITION_TABLES
        with store.transaction() as session:
            found = {p.id_number: p for p in session.scalars(select(Person))}
            assert set(found) == set(ids)
            assert [p.id_number for p in search.search(session, "zs")] == [ids[0]]
            case = service.open_application(
                session, found[ids[0]].id, dt.date(2024, 9, 2), ["older_worker"]
            )
            provide_all_proofs(session, case.id)
            service.advance(session, case.id, CommunityReview(on=dt.date(2024, 9, 5), passed=True))
    finally:
        store.dispose()
    # Opening again at head makes no new backup.
    migrate.open_store(sqlite_url(path)).dispose()
    assert len(list((tmp_path / "backups").iterdir())) == 1


def test_downgrade_to_0001_and_upgrade_again(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    ids = make_0001_database(path)
    engine = make_engine(sqlite_url(path))
    try:
        migrate.upgrade(engine)
        assert set(inspect(engine).get_table_names()) >= RECOGNITION_TABLES
        migrate.downgrade(engine, "0001")
        assert migrate.current_revision(engine) == "0001"
        assert not RECOGNITION_TABLES & set(inspect(engine).get_table_names())
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
        with engine.connect() as connection:
            numbers = set(connection.scalars(text("SELECT id_number FROM person")))
            assert numbers == set(ids)
            assert connection.scalar(text("SELECT count(*) FROM recognition_case")) == 0
    finally:
        engine.dispose()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    make_0001_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.close()
    with pytest.raises(UserError, match="newer version of the program"):
        migrate.open_store(sqlite_url(path))
    assert revision_of(path) == "0099"
    assert not (tmp_path / "backups").exists()


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photos.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE album (id INTEGER PRIMARY KEY, title TEXT)")
    connection.close()
    with pytest.raises(UserError, match="not a caseworker database"):
        migrate.open_store(sqlite_url(path))
    with sqlite3.connect(path) as connection:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert tables == {"album"}


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are not the droids you are looking for\n" * 100)
    with pytest.raises(UserError, match="cannot be read"):
        migrate.open_store(sqlite_url(path))


# ---------------------------------------------------------------------------------------------
# PostgreSQL (the county's database)
# ---------------------------------------------------------------------------------------------


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


@pytest.mark.postgres
def test_postgresql_migrate_register_search_recognise_and_downgrade(postgres_url: str) -> None:
    store = migrate.open_store(postgres_url, actor="county")
    try:
        assert store.engine.dialect.name == "postgresql"
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        assert _tables(store.engine) >= RECOGNITION_TABLES
        stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["红旗村"])
        older = register(
            store, "张三", make_id(birth=dt.date(1965, 3, 1), seq=131),
            registered_unemployed_since=dt.date(2023, 1, 1), village="红旗村",
        )  # fmt: skip
        register(store, "古丽", make_id(birth=dt.date(1990, 1, 1), seq=142))
        with store.reading() as session:
            assert [p.name for p in search.search(session, "zhang")] == ["张三"]
            assert [p.name for p in search.search(session, "古")] == ["古丽"]
            assert [p.name for p in search.search(session, "19650301")] == ["张三"]
        with store.transaction(actor="王芳") as session:
            case = service.open_application(
                session, older.id, dt.date(2024, 9, 2), ["older_worker"]
            )
            provide_all_proofs(session, case.id)
            service.advance(session, case.id, CommunityReview(on=dt.date(2024, 9, 5), passed=True))
            service.advance(session, case.id, TownshipReview(on=dt.date(2024, 9, 9), passed=True))
        with store.reading() as session:
            stored = session.get(RecognitionCase, case.id)
            assert stored is not None
            assert stored.stage == Stage.TOWNSHIP_PASSED
            assert [s.actor_name for s in service.history(session, case.id)] == ["王芳"] * 3
            assert service.status_of(session, [older.id]) == {older.id: "township_passed"}
            assert service.assess_person(session, older.id, dt.date(2024, 10, 1)).eligible
            report = audit.verify(session)
            assert report.ok, report.problems
            rows = session.scalars(select(ChangeLog).order_by(ChangeLog.seq)).all()
            assert all(r.at.tzinfo is dt.UTC for r in rows)
        _assert_guards_hold(store, older.id, case.person_id)
        migrate.downgrade(store.engine, "0001")
        assert not RECOGNITION_TABLES & _tables(store.engine)
        migrate.downgrade(store.engine, "base")
        assert _tables(store.engine) <= {"alembic_version"}
    finally:
        store.dispose()


def _assert_guards_hold(store: Any, person_id: uuid.UUID, case_person: uuid.UUID) -> None:
    """Writes around the log are refused, and a second open case too (by the database)."""

    def bulk_update() -> None:
        with store.transaction() as session:
            session.execute(update(Person).where(Person.id == person_id).values(phone="1"))

    def edit_log() -> None:
        with store.transaction() as session:
            session.execute(text("UPDATE change_log SET new_value = 'x'"))

    def second_open_case() -> None:
        with store.transaction() as session:
            session.add(
                RecognitionCase(
                    person_id=case_person, stage="applied", policy_id="xj-2023-49",
                    opened_on=dt.date(2024, 9, 3),
                )
            )  # fmt: skip

    def open_plan() -> None:
        with store.transaction(actor="王芳") as session:
            worker = session.scalar(select(Staff.id).where(Staff.name == "王芳"))
            session.add(
                AssistancePlan(
                    person_id=case_person, worker_id=worker, basis="recognised",
                    opened_on=dt.date(2024, 9, 21),
                )
            )  # fmt: skip

    open_plan()

    def unlogged_contact() -> None:
        with store.transaction() as session:
            session.execute(text("UPDATE assistance_plan SET measures = 'x'"))

    for attempt in (bulk_update, edit_log):
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="refused"):
            attempt()
    with pytest.raises(sqlalchemy.exc.IntegrityError, match="uq_recognition_case_open_person"):
        second_open_case()
    with pytest.raises(sqlalchemy.exc.IntegrityError, match="uq_assistance_plan_open_person"):
        open_plan()
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="refused"):
        unlogged_contact()


FIXTURE_0003 = Path(__file__).resolve().parent.parent / "fixtures" / "station-0003.sqlite3"


def test_a_0003_station_with_demo_rows_is_carried_forward(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    shutil.copy(FIXTURE_0003, path)
    store = migrate.open_store(sqlite_url(path), actor="李娜")
    try:
        backups = list((tmp_path / "backups").iterdir())
        assert [b.name.startswith(f"station-before-{migrate.HEAD_REVISION}-") for b in backups] == [
            True
        ]
        with store.reading() as session:
            people = session.scalars(select(Person)).all()
            demo_rows = {p.name for p in people if p.demo}
            typed = {p.name for p in people if not p.demo}
            assert len(demo_rows) == 40
            assert typed == {"买买提·艾力", "古丽"}
            members = session.scalars(select(HouseholdMember)).all()
            assert {m.shown_name for m in members if not m.demo} == typed
            assert all(m.name == "" for m in members if m.person_id is not None)
            # the free-text actors became staff records
            assert set(audit.staff_names(session).values()) == {"李娜", "王芳"}
            mmt = next(p for p in people if p.name == "买买提·艾力")
            history = audit.person_history(session, mmt.id)
            phone = [e for e in history if e.field == "phone"]
            assert [(e.actor, e.old_value, e.new_value) for e in phone] == [
                ("王芳", "13899998888", "13900001111")
            ]
            assert history[-1].op == "baseline"
            # claimed categories became rows; the steps name their staff member
            case = service.current_case(session, mmt.id)
            assert case is not None
            assert case.category_codes == ("older_worker",)
            assert [s.actor_name for s in service.history(session, case.id)] == ["王芳", "王芳"]
            # employed persons have an open employment episode
            employed = {p.id for p in people if p.employed}
            episodes = session.scalars(select(EmploymentEpisode)).all()
            assert {e.person_id for e in episodes} == employed
            assert all(e.ends_on is None and e.source == "migration" for e in episodes)
            report = audit.verify(session)
            assert report.ok, report.problems[:5]
        # the station goes on working, and the log stays whole
        register(store, "新来的", make_id(seq=777))
        with store.transaction() as session:
            session.get(Person, mmt.id).notes = "迁移之后"  # type: ignore[union-attr]
        with store.reading() as session:
            assert audit.verify(session).ok
    finally:
        store.dispose()
    engine = make_engine(sqlite_url(path))
    try:
        migrate.downgrade(engine, "0003")
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    finally:
        engine.dispose()


def _migration(name: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, VERSIONS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_latest_guards_are_the_live_guards() -> None:
    from caseworker.store import guards

    latest = _migration("0010_posts")
    assert latest.SYNCED_0010 == guards.SYNCED_TABLES
    assert latest.sqlite_guards(latest.SYNCED_0010) == guards.sqlite_ddl(guards.SYNCED_TABLES)
    assert latest.postgres_guards(latest.SYNCED_0010) == [
        s
        for s in guards.postgres_ddl(guards.SYNCED_TABLES)
        if not s.startswith("CREATE OR REPLACE")
    ]
    # 0010 drops the guards that 0008 installed, with the same DDL
    previous = _migration("0008_assistance")
    assert latest.SYNCED_0008 == previous.SYNCED_0006
    assert latest.sqlite_guards(latest.SYNCED_0008) == previous.sqlite_guards(previous.SYNCED_0006)
    older = _migration("0005_case_rows")
    assert previous.SYNCED_0005 == older.SYNCED_0005


@pytest.mark.parametrize("name", ["0004_audit_trail", "0005_case_rows"])
def test_frozen_copies_in_the_migrations_match_the_live_code(name: str) -> None:
    from caseworker.store import changelog

    module = _migration(name)
    assert module.HASHED == changelog.HASHED
    row = {
        "seq": 7, "change_id": uuid.uuid4(), "hlc": "0001760000000000-00001-650102001.ab",
        "at": dt.datetime(2026, 11, 28, 1, 2, 3, 456789, tzinfo=dt.UTC), "actor_id": None,
        "device_id": "ab", "station_code": "650102001", "entity": "person",
        "entity_id": uuid.uuid4(), "op": "update", "field": "name", "old_value": "张三",
        "new_value": None, "prev_hash": "0" * 64,
    }  # fmt: skip
    assert module.digest(row) == changelog.digest(row)
    values = {"a": True, "b": dt.date(2024, 1, 2), "c": None, "d": 3, "e": "文字"}
    assert module.values_json(values) == changelog.values_json(values)


def test_head_revision_constant_matches_the_scripts() -> None:
    from caseworker.store.migrate import HEAD_REVISION, head_revision

    assert head_revision() == HEAD_REVISION


@pytest.mark.postgres
def test_postgresql_runs_the_assistance_queries(postgres_url: str) -> None:
    """The worklist's date arithmetic, the family tracker and the dashboard on PostgreSQL."""
    from caseworker.casework import dashboard, families, plans, worklist
    from caseworker.registry import households
    from tests.helpers import on_day, recognise

    store = migrate.open_store(postgres_url, actor="李娜")
    try:
        stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["红旗村"])
        with on_day(dt.date(2024, 9, 1)):
            head = register(
                store, "张三", make_id(birth=dt.date(1975, 4, 1), seq=131),
                registered_unemployed_since=dt.date(2023, 1, 1), village="红旗村",
            )  # fmt: skip
        recognise(store, head.id)
        day = dt.date(2024, 12, 20)
        with on_day(dt.date(2024, 10, 12)), store.transaction() as session:
            household = households.create(session)
            households.add_person(session, household.id, head.id, "head")
        with on_day(day), store.transaction() as session:
            plans.open_plan(session, head.id, on=dt.date(2024, 10, 31), worker="李娜")
            plans.add_contact(session, head.id, on=dt.date(2024, 11, 30), channel="phone")
        with on_day(day), store.reading() as session:
            assert worklist.due_rows(session, day) == []  # due on 2024-12-30
            rows = worklist.due_rows(session, dt.date(2025, 1, 5))
            assert [(r.due_on, r.days_overdue) for r in rows] == [(dt.date(2024, 12, 30), 6)]
            (family,) = families.open_families(session, day)
            assert family.identified_on == dt.date(2024, 10, 12)
            figures = dashboard.figures(session, day)
            assert figures.open_plans == 1
            assert figures.zero_open == 1
            assert dict(figures.contacts_by_month)[dt.date(2024, 11, 1)] == 1
            assert audit.verify(session).ok
    finally:
        store.dispose()


def test_0009_keeps_persons_and_their_references_and_the_id_number_unique(tmp_path: Path) -> None:
    """The person table is rebuilt on SQLite (the ID number's uniqueness becomes a partial
    index): rows, the records that refer to them, the search index and the guards all stay."""
    path = tmp_path / "station.sqlite3"
    shutil.copy(FIXTURE_0003, path)
    engine = make_engine(sqlite_url(path))
    migrate.upgrade(engine, "0008")
    query = (
        "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM household_member "
        "WHERE person_id IS NOT NULL), (SELECT count(*) FROM employment_episode)"
    )
    with engine.connect() as connection:
        before = connection.exec_driver_sql(query).one()
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql(query).one() == before
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    engine.dispose()
    store = migrate.open_store(sqlite_url(path))
    try:
        with store.reading() as session:
            mmt = session.scalars(select(Person).where(Person.name == "买买提·艾力")).one()
            assert "买买提·艾力" in [p.name for p in search.search(session, "mmt")]
            assert audit.verify(session).ok
        register(store, "新来的", make_id(seq=777))
        from caseworker.store import changelog

        values = {k: getattr(mmt, k) for k in changelog.logged_keys(Person.__mapper__)}
        same_number = [{**values, "id": uuid.uuid4(), "search_text": ""}]

        def insert_same_number() -> None:
            with store.transaction() as session:
                context = session.info[changelog.CONTEXT_KEY]
                changelog.insert_records(session.connection(), context, Person, same_number)

        with pytest.raises(sqlalchemy.exc.IntegrityError, match="id_number"):
            insert_same_number()
        with store.reading() as session:
            assert audit.verify(session).ok
    finally:
        store.dispose()
    engine = make_engine(sqlite_url(path))
    try:
        migrate.downgrade(engine, "0008")
        with engine.connect() as connection:
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'person'"
            ).scalar_one()
            assert "CONSTRAINT uq_person_id_number UNIQUE (id_number)" in sql
            assert "held" not in sql
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def test_0009_frozen_copies_match_the_live_triggers() -> None:
    from caseworker.store import guards

    module = _migration("0009_sync")
    assert list(module.SQLITE_PERSON_SEARCH_TRIGGERS) == list(search.SQLITE_INDEX_V2[3:6])
    assert list(module.SQLITE_PERSON_GUARDS) == guards.sqlite_ddl(["person"])[2:]


def test_0009_downgrade_is_refused_while_the_county_holds_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "county.sqlite3"
    engine = make_engine(sqlite_url(path))
    migrate.upgrade(engine)
    engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER person_logged_insert")
        connection.execute(
            "INSERT INTO person (id, id_number, name, name_native, name_pinyin, name_initials, "
            "search_text, sex, birth_date, phone, hukou_address, address, resident_in_region, "
            "work_capacity, wants_work, employed, employment_card_no, min_living_allowance, "
            "disabled, disability_cert_no, college_graduate, graduate_school, land_expropriated, "
            "income_below_local_average, bank_name, bank_account, notes, station_code, "
            "created_hlc, updated_hlc, version, deleted, demo, held) VALUES (?, '650102199001011319', "
            "'张三', '', 'zhangsan', 'zs', '', 'male', '1990-01-01', '', '', '', 1, 'full', 1, 0, '', "
            "0, 0, '', 0, '', 0, 0, '', '', '', '650102001', 'x', 'x', 1, 0, 0, 1)",
            (uuid.uuid4().hex,),
        )
    connection.close()
    engine = make_engine(sqlite_url(path))
    try:
        with pytest.raises(RuntimeError, match="held at the county"):
            migrate.downgrade(engine, "0008")
    finally:
        engine.dispose()
