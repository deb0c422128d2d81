"""Realistic synthetic data for trying the program and for benchmarks.

``generate(store, persons=N, seed=S)`` adds N persons with Han, Uyghur, Kazakh and Hui names,
valid Xinjiang ID numbers, households with members (relatives born in the past, of plausible
ages) and mixed statuses; and, from :mod:`caseworker.casework.demo`, recognised cases and
assistance plans with about a year of contacts for a tenth of the persons, offers, outcomes,
and the zero-employment families of the demo households.  The same seed gives the same names, ID numbers and facts; record
ids are fresh random UUIDs, so two stations that load the same seed never share a record id.

Every row it writes is marked ``demo`` (synthetic: never exported to the county) and logged
like any other insert.  It writes in chunks of :data:`BATCH` persons, each chunk its own
transaction with whole households: other windows and programs can read and write between
chunks, and a cancelled or failed run keeps the chunks already done (never half a household).
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

from sqlalchemy import select

from caseworker.core import idcard, names, wall
from caseworker.core.resources import resource
from caseworker.registry import search, stations
from caseworker.security.roles import Action, require_store
from caseworker.store import changelog
from caseworker.store.models import (
    EmploymentEpisode,
    Household,
    HouseholdMember,
    Person,
    Village,
)
from caseworker.store.uow import Store

DEMO_STATION_CODE = "650102001"
DEMO_STATION_NAME = "燕儿窝街道就业服务站"
BATCH = 2000
Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


@cache
def _material() -> dict[str, Any]:
    with resource("demo", "names.toml").open("rb") as fh:
        return tomllib.load(fh)


@dataclass
class _Batch:
    persons: list[dict[str, Any]] = field(default_factory=list)
    episodes: list[dict[str, Any]] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)


class _Generator:
    def __init__(self, seed: int, today: dt.date, taken: set[str]) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.taken = taken
        self.m = _material()

    def new_id(self) -> uuid.UUID:
        return uuid.uuid4()  # never from the seed: record ids must differ between stations

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
            "demo": True,
        }

    def relative(self, relation: str, head_birth: dt.date) -> dict[str, Any] | None:
        """A relative of a head born on ``head_birth``, born in the past; None when no such
        relative is plausible (a child of a head under 20, a parent of a head over 75)."""
        rng = self.rng
        male = rng.random() < 0.5
        latest = self.today - dt.timedelta(days=400)
        if relation == "child":
            earliest = head_birth + dt.timedelta(days=365 * 20)
        elif relation == "parent":
            earliest = max(
                head_birth - dt.timedelta(days=365 * 35), self.today - dt.timedelta(days=365 * 95)
            )
            latest = min(latest, head_birth - dt.timedelta(days=365 * 18))
        else:
            earliest = head_birth - dt.timedelta(days=365 * 6)
            latest = min(
                head_birth + dt.timedelta(days=365 * 6), self.today - dt.timedelta(days=365 * 18)
            )
        if earliest > latest:
            return None
        birth = self.date_between(earliest, latest)
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
    """The ids of the station's villages; a station (or villages) made for the demo when
    there is none (demo villages are marked demo too)."""
    with store.reading() as session:
        station = store.station(session)
    if station is None:
        stations.initialise(
            store, DEMO_STATION_CODE, DEMO_STATION_NAME, list(_material()["places"]["villages"])
        )
        with store.transaction() as session:
            for village in stations.villages(session, store.station_code):
                village.demo = True
    with store.reading() as session:
        ids = [v.id for v in stations.villages(session, store.station_code)]
    if ids:
        return ids
    with store.transaction() as session:
        station = store.station(session)
        assert station is not None
        for order, name in enumerate(_material()["places"]["villages"]):
            session.add(
                Village(
                    station_id=station.id, name=name, kind=stations.village_kind(name),
                    sort_order=order, demo=True,
                )
            )  # fmt: skip
        session.flush()
        return [v.id for v in stations.villages(session, store.station_code)]


def _assistance(seed: int, today: dt.date) -> Any:
    """The maker of the demo's assistance records (its caseworkers are put on staff in the
    first chunk's transaction: :func:`_staff`)."""
    from caseworker.casework import demo as casework_demo
    from caseworker.casework.rules import rules_on

    return casework_demo.Maker(seed, today, rules_on(today), [])


def _staff(session: Any, station_code: str) -> list[uuid.UUID]:
    """The demo caseworkers' staff records (made, and marked demo, when missing)."""
    from caseworker.casework import demo as casework_demo
    from caseworker.store.models import Staff
    from caseworker.store.uow import find_staff, staff_id

    ids = []
    for name in casework_demo.STAFF:
        known = find_staff(session, name)
        if known is None:
            known = staff_id(session, name, station_code)
            staff = session.get(Staff, known)
            assert staff is not None
            staff.demo = True
        ids.append(known)
    return ids


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

    ``progress(done, total)`` is called after each chunk; returning False stops there, and
    the chunks done so far stay (each is whole: persons with their households).
    """
    require_store(store, Action.REGISTER)
    if persons < 0:
        raise ValueError("persons must be >= 0")
    village_ids = _ensure_station(store)
    with store.reading() as session:
        taken = set(session.scalars(select(Person.id_number)))
        taken.update(session.scalars(select(HouseholdMember.id_number)))
    gen = _Generator(seed, today or wall.today(), taken)
    assistance = _assistance(seed, gen.today)
    added = 0
    for size in _chunks(persons, BATCH):
        batch = _batch(gen, size, village_ids)
        with store.transaction() as session, search.bulk_load(session.connection()):
            if not assistance.staff:
                assistance.staff = _staff(session, store.station_code)
            extra = assistance.batch_rows(
                batch.persons, batch.episodes, batch.households, batch.members
            )
            context = session.info[changelog.CONTEXT_KEY]
            connection = session.connection()
            at = wall.now()
            changelog.insert_many(
                connection,
                context,
                [
                    (Person, batch.persons),
                    (EmploymentEpisode, batch.episodes),
                    (Household, batch.households),
                    (HouseholdMember, batch.members),
                    *extra.ordered(),
                ],
                at=at,
            )
        added += size
        if progress is not None and not progress(added, persons):
            break
    return added


def _batch(gen: _Generator, size: int, village_ids: list[uuid.UUID]) -> _Batch:
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
             "business_or_investment_income": gen.rng.random() < 0.08, "notes": "",
             "station_key": "", "demo": True}
        )  # fmt: skip
        members: list[dict[str, Any] | None] = [_member(gen, household_id, "head", head)]
        if (
            index < len(pending)
            and head["marital_status"] == "married"
            and pending[index]["sex"] != head["sex"]
            and gen.rng.random() < 0.3
        ):
            members.append(_member(gen, household_id, "spouse", pending[index]))
            index += 1
        elif head["marital_status"] == "married":
            members.append(
                _relative_row(gen, household_id, gen.relative("spouse", head["birth_date"]))
            )
        for relation in gen.rng.choices(("child", "parent"), (75, 25), k=gen.rng.randint(0, 3)):
            members.append(
                _relative_row(gen, household_id, gen.relative(relation, head["birth_date"]))
            )
        kept = [m for m in members if m is not None]
        for order, member in enumerate(kept):
            member["sort_order"] = order
        batch.members.extend(kept)
    batch.persons = pending
    for person in pending:
        if person["employed"]:
            batch.episodes.append(_episode(gen, person))
    return batch


def _episode(gen: _Generator, person: dict[str, Any]) -> dict[str, Any]:
    birth: dt.date = person["birth_date"]
    sixteen = dt.date(birth.year + 16, birth.month, min(birth.day, 28))
    starts = gen.date_between(max(sixteen, gen.today - dt.timedelta(days=2000)), gen.today)
    kind = gen.rng.choice(("contract", "flexible", "business_licence", "unspecified"))
    return {
        "id": gen.new_id(), "person_id": person["id"], "starts_on": starts, "ends_on": None,
        "kind": kind, "evidence": "", "source": "registry", "demo": True,
    }  # fmt: skip


def _member(
    gen: _Generator, household_id: uuid.UUID, relation: str, person: dict[str, Any]
) -> dict[str, Any]:
    """A registered person's membership: the name and ID number stay on the person."""
    return {
        "id": gen.new_id(), "household_id": household_id, "relation": relation,
        "sort_order": 0, "person_id": person["id"], "name": "", "id_number": "",
        "employed": False, "registered_unemployed": False, "work_capacity": "full",
        "wants_work": True, "demo": True,
    }  # fmt: skip


def _relative_row(
    gen: _Generator, household_id: uuid.UUID, relative: dict[str, Any] | None
) -> dict[str, Any] | None:
    if relative is None:
        return None
    return {"id": gen.new_id(), "household_id": household_id, "sort_order": 0,
            "person_id": None, "demo": True, **relative}  # fmt: skip


__all__ = ["DEMO_STATION_CODE", "generate"]
