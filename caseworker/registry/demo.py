"""Realistic synthetic data for trying the program and for benchmarks.

``generate(store, persons=N, seed=S)`` adds N persons with Han, Uyghur, Kazakh and Hui names,
valid Xinjiang ID numbers, households with members and mixed statuses.  The same seed gives
the same persons (names, ID numbers, facts, record ids).  Rows go in with bulk inserts in one
transaction, each with its change-log entry, so demo data is as exportable as typed data.
"""

from __future__ import annotations

import datetime as dt
import random
import tomllib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import insert, select

from caseworker.core import idcard, names, wall
from caseworker.core.resources import resource
from caseworker.registry import search, stations
from caseworker.store import changelog
from caseworker.store.models import ChangeLog, Household, HouseholdMember, Person, Station
from caseworker.store.uow import Store

DEMO_STATION_CODE = "650102001"
DEMO_STATION_NAME = "燕儿窝街道就业服务站"
BATCH = 5000
Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


@cache
def _material() -> dict[str, Any]:
    with resource("demo", "names.toml").open("rb") as fh:
        return tomllib.load(fh)


@dataclass
class _Batch:
    persons: list[dict[str, Any]] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)


class _Generator:
    def __init__(self, seed: int, today: dt.date, taken: set[str]) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.taken = taken
        self.m = _material()

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def id_number(self, birth: dt.date, male: bool) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            first17 = f"{self.rng.choice(self.m['places']['divisions'])}{birth:%Y%m%d}{seq:03d}"
            value = first17 + idcard.check_char(first17)
            if value not in self.taken:
                self.taken.add(value)
                return value

    def birth(self, min_age: int, max_age: int) -> dt.date:
        age_days = self.rng.randint(min_age * 365 + 10, max_age * 365 - 10)
        return self.today - dt.timedelta(days=age_days)

    def name(self, male: bool) -> tuple[str, str, str]:
        """(name, native name, ethnicity code)."""
        r = self.rng.random()
        m = self.m
        if r < 0.45:
            given = self.rng.choice(m["uyghur"]["male" if male else "female"])
            father = self.rng.choice(m["uyghur"]["male"])
            return f"{given[0]}·{father[0]}", f"{given[1]} {father[1]}", "05"
        if r < 0.55:
            given_k = self.rng.choice(m["kazakh"]["male" if male else "female"])
            father_k = self.rng.choice(m["kazakh"]["male"])
            return f"{given_k}·{father_k}", "", "17"
        pool = m["han"]["male" if male else "female"]
        given_h = "".join(self.rng.choice(pool) for _ in range(self.rng.choice((1, 2, 2))))
        if r < 0.65:
            return self.rng.choice(m["hui"]["surnames"]) + given_h, "", "03"
        return self.rng.choice(m["han"]["surnames"]) + given_h, "", "01"

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def person(self, village_ids: list[uuid.UUID], *, male: bool | None = None) -> dict[str, Any]:
        rng = self.rng
        male = rng.random() < 0.5 if male is None else male
        birth = self.birth(17, 62)
        name, native, ethnicity = self.name(male)
        id_number = self.id_number(birth, male)
        reading = names.reading(name)
        employed = rng.random() < 0.25
        capacity = rng.choices(("full", "partial", "none"), (85, 10, 5))[0]
        sixteen = dt.date(birth.year + 16, birth.month, min(birth.day, 28))
        since = None
        card = ""
        if not employed and rng.random() < 0.7:
            since = self.date_between(
                max(sixteen, self.today - dt.timedelta(days=1200)), self.today
            )
            card = f"{id_number[:6]}{rng.randrange(10**9, 10**10)}"
        disabled = (capacity == "partial" and rng.random() < 0.6) or rng.random() < 0.03
        graduate = rng.random() < 0.1 and self.today.year - birth.year >= 21
        allowance = rng.random() < 0.12
        village = rng.choice(village_ids)
        street = rng.choice(self.m["places"]["streets"])
        return {
            "id": self.new_id(),
            "id_number": id_number,
            "name": name,
            "name_native": native,
            "name_pinyin": reading.full,
            "name_initials": reading.initials,
            "search_text": search.search_text(name, native),
            "sex": "male" if male else "female",
            "birth_date": birth,
            "ethnicity": ethnicity,
            "phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            "hukou_address": f"新疆乌鲁木齐市{street}{rng.randint(1, 300)}号",
            "address": f"{street}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋",
            "village_id": village,
            "education": rng.choice(
                ("junior_high", "junior_high", "high_school", "primary", "college", "bachelor")
            ),
            "marital_status": rng.choices(
                ("married", "single", "divorced", "widowed"), (60, 30, 6, 4)
            )[0],
            "health": "disabled" if disabled else rng.choices(("healthy", "chronic"), (90, 10))[0],
            "resident_in_region": True,
            "work_capacity": capacity,
            "wants_work": rng.random() < 0.9,
            "employed": employed,
            "registered_unemployed_since": since,
            "employment_card_no": card,
            "min_living_allowance": allowance,
            "min_living_allowance_since": self.date_between(
                self.today - dt.timedelta(days=1500), self.today
            )
            if allowance
            else None,
            "disabled": disabled,
            "disability_cert_no": f"{id_number}{rng.choice('1234567')}{rng.randint(1, 4)}"[:30]
            if disabled
            else "",
            "disability_kind": rng.choice(("physical", "visual", "hearing", "speech"))
            if disabled
            else None,
            "disability_grade": rng.choice(("3", "4", "4")) if disabled else None,
            "college_graduate": graduate,
            "graduate_school": rng.choice(self.m["places"]["schools"]) if graduate else "",
            "graduation_date": dt.date(min(self.today.year, birth.year + 22), 6, 30)
            if graduate
            else None,
            "land_expropriated": rng.random() < 0.05,
            "income_below_local_average": rng.random() < 0.2,
            "retirement_base_age": (55 if rng.random() < 0.3 else 50) if not male else None,
            "bank_name": rng.choice(
                ("中国农业银行", "中国工商银行", "新疆农村信用社", "中国建设银行")
            ),
            "bank_account": f"6228{rng.randrange(10**14, 10**15)}",
            "notes": "",
            "deleted": False,
        }

    def relative(self, relation: str, head_birth: dt.date) -> dict[str, Any]:
        rng = self.rng
        male = rng.random() < 0.5
        if relation == "child":
            birth = self.date_between(
                head_birth + dt.timedelta(days=365 * 20), self.today - dt.timedelta(days=400)
            )
        elif relation == "parent":
            birth = self.date_between(
                head_birth - dt.timedelta(days=365 * 35), head_birth - dt.timedelta(days=365 * 18)
            )
        else:
            birth = self.date_between(
                head_birth - dt.timedelta(days=365 * 6), head_birth + dt.timedelta(days=365 * 6)
            )
            birth = min(birth, self.today - dt.timedelta(days=365 * 18))
        name, _native, _eth = self.name(male)
        employed = rng.random() < 0.35
        return {
            "relation": relation,
            "name": name,
            "id_number": self.id_number(birth, male),
            "employed": employed,
            "registered_unemployed": not employed and rng.random() < 0.3,
            "work_capacity": rng.choices(("full", "partial", "none"), (85, 10, 5))[0],
            "wants_work": rng.random() < 0.85,
        }


def _ensure_station(store: Store) -> list[uuid.UUID]:
    with store.reading() as session:
        station = store.station(session)
    if station is None:
        stations.initialise(
            store, DEMO_STATION_CODE, DEMO_STATION_NAME, list(_material()["places"]["villages"])
        )
    with store.reading() as session:
        return [v.id for v in stations.villages(session, store.station_code)]


def _chunks(total: int, size: int) -> Iterator[int]:
    done = 0
    while done < total:
        step = min(size, total - done)
        yield step
        done += step


def generate(
    store: Store,
    *,
    persons: int,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> int:
    """Add ``persons`` synthetic persons (with households); returns the number added.

    ``progress(done, total)`` is called after each batch; returning False cancels, and then
    nothing at all is added (the whole run is one transaction).
    """
    if persons < 0:
        raise ValueError("persons must be >= 0")
    village_ids = _ensure_station(store)
    with store.reading() as session:
        taken = set(session.scalars(select(Person.id_number)))
        taken.update(session.scalars(select(HouseholdMember.id_number)))
    gen = _Generator(seed, today or wall.today(), taken)
    try:
        return _generate(store, gen, persons, village_ids, progress)
    except _Cancelled:
        return 0


class _Cancelled(Exception):
    """Raised inside the transaction to roll back a cancelled run."""


def _generate(
    store: Store,
    gen: _Generator,
    persons: int,
    village_ids: list[uuid.UUID],
    progress: Progress | None,
) -> int:
    code = store.station_code
    added = 0
    with store.transaction() as session, search.bulk_load(session.connection()):
        connection = session.connection()
        for size in _chunks(persons, BATCH):
            batch = _Batch()
            pending = [gen.person(village_ids) for _ in range(size)]
            index = 0
            while index < len(pending):
                head = pending[index]
                index += 1
                if gen.rng.random() < 0.1:
                    continue  # a person without a recorded household
                household_id = gen.new_id()
                batch.households.append(
                    {"id": household_id, "address": head["address"], "village_id": head["village_id"],
                     "business_or_investment_income": gen.rng.random() < 0.08, "notes": "", "deleted": False}
                )  # fmt: skip
                order = 0
                batch.members.append(_member(gen, household_id, "head", order, head))
                if (
                    index < len(pending)
                    and head["marital_status"] == "married"
                    and pending[index]["sex"] != head["sex"]
                    and gen.rng.random() < 0.3
                ):
                    order += 1
                    batch.members.append(
                        _member(gen, household_id, "spouse", order, pending[index])
                    )
                    index += 1
                elif head["marital_status"] == "married":
                    order += 1
                    batch.members.append(
                        _relative_row(
                            gen, household_id, order, gen.relative("spouse", head["birth_date"])
                        )
                    )
                for relation in gen.rng.choices(
                    ("child", "parent"), (75, 25), k=gen.rng.randint(0, 3)
                ):
                    order += 1
                    batch.members.append(
                        _relative_row(
                            gen, household_id, order, gen.relative(relation, head["birth_date"])
                        )
                    )
            batch.persons = pending
            _write(connection, store, code, batch)
            added += size
            if progress is not None and not progress(added, persons):
                raise _Cancelled
    return added


def _member(
    gen: _Generator, household_id: uuid.UUID, relation: str, order: int, person: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": gen.new_id(), "household_id": household_id, "relation": relation,
        "sort_order": order, "person_id": person["id"], "name": person["name"],
        "id_number": person["id_number"], "employed": False, "registered_unemployed": False,
        "work_capacity": "full", "wants_work": True, "deleted": False,
    }  # fmt: skip


def _relative_row(
    gen: _Generator, household_id: uuid.UUID, order: int, relative: dict[str, Any]
) -> dict[str, Any]:
    return {"id": gen.new_id(), "household_id": household_id, "sort_order": order,
            "person_id": None, "deleted": False, **relative}  # fmt: skip


def _write(connection: Any, store: Store, code: str, batch: _Batch) -> None:
    now = wall.now()
    log: list[dict[str, object]] = []
    for table, rows in (
        (Person, batch.persons),
        (Household, batch.households),
        (HouseholdMember, batch.members),
    ):
        for row in rows:
            stamp = str(store.clock.now())
            row.update(station_code=code, created_hlc=stamp, updated_hlc=stamp, version=1)
            log.append(
                changelog.insert_row(
                    entity=table.__tablename__,
                    entity_id=row["id"],
                    hlc=stamp,
                    at=now,
                    actor=store.actor,
                    station_code=code,
                )
            )
        _bulk_insert(connection, table, rows)
    _bulk_insert(connection, ChangeLog, log)


def _bulk_insert(connection: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows; on SQLite straight through the driver with SQLAlchemy's own type
    processors (several times faster than Core's per-row parameter handling)."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), rows)
        return
    columns = [c for c in table.__table__.columns if c.key in rows[0]]
    processors = [c.type._cached_bind_processor(connection.dialect) for c in columns]
    names = [c.key for c in columns]
    sql = (
        f"INSERT INTO {table.__tablename__} ({', '.join(c.name for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    params = [
        tuple(
            proc(row[name]) if proc is not None else row[name]
            for name, proc in zip(names, processors, strict=True)
        )
        for row in rows
    ]
    connection.exec_driver_sql(sql, params)


__all__ = ["DEMO_STATION_CODE", "Station", "generate"]
