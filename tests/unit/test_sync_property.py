"""Any order of delivery, with duplicates and delays, ends in the same county database.

Five stations make random edits over three rounds (registrations, updates, tombstones,
restores, employment, the same ID number registered at two stations); a live county imports
each round, transfers a person from one station to another and resolves a duplicate, and the
stations apply its receipts (the handover and the receiving of the transfer, the deletion the
resolution asks for).  One station restores a backup halfway and goes on from it (a fork of its
log, under a new device id).

The bundles are made once.  Then each ordering delivers them to a copy of a freshly made
county (enrolments only) in a random order, with redeliveries; the county must end exactly as
the one that got them in the order they were made (compared by the canonical dump,
:mod:`caseworker.sync.canonical`), with nothing held and every expected conflict listed.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from caseworker.registry import employment, persons
from caseworker.store import audit
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import Person
from caseworker.store.sync_models import SyncConflict
from caseworker.sync import canonical, county, decisions, keys
from caseworker.sync.replay import DUPLICATE_ID, STALE_BASE
from tests.helpers import make_id, register
from tests.sync_world import COUNTY_CODE, World, station_code

ORDERINGS = int(os.environ.get("CASEWORKER_SYNC_ORDERINGS", "200"))
STATIONS = 5


@dataclass
class Scenario:
    template: Path  # the county database after its setup and the enrolments
    keys: Path
    bundles: list[tuple[str, bytes]]  # (name, bytes), in the order they were made
    forked: str


def _number(rng: random.Random, code: str, shared: dict[str, set[str]], counter: list[int],
            *, allow_shared: bool) -> str:  # fmt: skip
    """A new ID number for a registration at ``code``: sometimes one another station has
    registered too (at most two stations per number)."""
    if allow_shared and rng.random() < 0.4:
        options = [n for n, users in shared.items() if code not in users and len(users) < 2]
        if options:
            number = rng.choice(options)
            shared[number].add(code)
            return number
    counter[0] += 1
    c = counter[0]
    return make_id(birth=dt.date(1960 + c % 40, 1 + c % 12, 1 + c % 28), seq=100 + c % 800)


def _edit(rng: random.Random, store: Any, number: Any) -> None:
    """One random edit at a station, through the program's own services."""
    with store.reading() as session:
        own = session.scalars(select(Person).where(Person.station_code == store.station_code)).all()
    live = [p for p in own if not p.deleted]
    dead = [p for p in own if p.deleted]
    choice = rng.random()
    if choice < 0.35 or not live:
        register(store, rng.choice(["张三", "古丽", "买买提·艾力", "王芳"]), number())
    elif choice < 0.65:
        person = rng.choice(live)
        field = rng.choice(["phone", "notes", "address"])
        value = (
            f"13{rng.randrange(10**8, 10**9)}" if field == "phone" else f"记录{rng.randrange(1000)}"
        )
        with store.transaction() as session:
            persons.change(session, person.id, **{field: value})
    elif choice < 0.75:
        with store.transaction() as session:
            persons.tombstone(session, rng.choice(live).id)
    elif choice < 0.85 and dead:
        with store.transaction() as session:
            persons.restore(session, rng.choice(dead).id)
    else:
        with store.transaction() as session:
            fresh = session.get(Person, rng.choice(live).id)
            if fresh is not None and not fresh.employed:
                employment.start(session, fresh, dt.date(2024, 3, 1))


def _change_phones(store: Any, rng: random.Random) -> None:
    with store.reading() as session:
        mine = [
            p for p in session.scalars(select(Person).order_by(Person.created_hlc))
            if not p.deleted and p.station_code == store.station_code
        ]  # fmt: skip
    for person in mine[:3]:  # the oldest: on both sides of the restored backup
        with store.transaction() as session:
            persons.change(session, person.id, phone=f"1390000{rng.randrange(1000, 9999)}")


def build_scenario(base: Path, seed: int = 13) -> Scenario:
    rng = random.Random(seed)
    world = World(base, registry=base / "devices.json")
    try:
        for n in range(1, STATIONS + 1):
            world.add_station(n)
        world.county.dispose()
        template = base / "template.sqlite3"
        shutil.copy(world.county_path, template)
        world.county = open_store(sqlite_url(world.county_path), actor="县局")
        codes = list(world.stations)
        shared = {make_id(birth=dt.date(1980, 5, 5), seq=700 + i): set() for i in range(4)}
        counter = [0]
        bundles: list[tuple[str, bytes]] = []
        forked = codes[2]
        backup: Path | None = None

        def export_round(these: list[str]) -> list[Path]:
            made = []
            for code in these:
                path = world.export(code)
                if path is not None:
                    bundles.append((path.name, path.read_bytes()))
                    made.append(path)
            return made

        # Two ID numbers surely registered twice; the rest of the edits are random.
        first, second = list(shared)[:2]
        for code, number in (
            (codes[0], first),
            (codes[3], first),
            (codes[1], second),
            (codes[4], second),
        ):
            shared[number].add(code)
            register(world.stations[code], "重复", number)
        for round_ in range(3):
            if round_ == 1:  # after the backup: the fields the fork will change too
                _change_phones(world.stations[forked], rng)
            if round_ == 2:
                assert backup is not None
                store = world.restore(forked, backup)
                assert store.device_change is not None  # a new device id: a fork of the log
                _change_phones(store, rng)
            for code in codes:
                for _ in range(rng.randint(2, 4)):
                    _edit(
                        rng, world.stations[code],
                        lambda c=code, r=round_: _number(rng, c, shared, counter, allow_shared=r < 2),
                    )  # fmt: skip
            outcomes = world.import_(*export_round(codes))
            assert all(o.status == county.APPLIED for o in outcomes), outcomes
            if round_ == 0:
                with world.county.reading() as session:
                    movable = [
                        p for p in session.scalars(
                            select(Person).where(Person.station_code == codes[0]).order_by(Person.id)
                        )
                        if not p.deleted and not p.held
                    ]  # fmt: skip
                decisions.transfer(world.county, str(movable[0].id), codes[1])
            if round_ == 1:
                with world.county.reading() as session:
                    open_dup = session.scalars(
                        select(SyncConflict)
                        .where(SyncConflict.kind == DUPLICATE_ID, SyncConflict.status == "open")
                        .order_by(SyncConflict.key)
                    ).first()
                assert open_dup is not None
                decisions.resolve(
                    world.county, str(open_dup.id), keep=str(decisions.parties(open_dup)[0])
                )
            if round_ < 2:
                for code in codes:
                    world.receipt(code)
            if round_ == 0:
                backup = world.backup(forked, "round1")
        return Scenario(template, world.keys, bundles, forked)
    finally:
        world.close()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    base = tmp_path_factory.mktemp("sync-property")
    return build_scenario(base)


def _fast_dir() -> Path:
    """A folder in memory when there is one (each ordering writes a small database many
    times; the test is about the order, not about the disk)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="caseworker-sync-", dir=shm))
    return Path(tempfile.mkdtemp(prefix="caseworker-sync-"))


class County:
    """A county made afresh from the template for each ordering, fed bundles one at a time.

    The database file is replaced by a copy of the template for each ordering while the store
    stays open (its connections are closed first): SQLAlchemy keeps compiled statements per
    engine, and a county that stays open keeps them across its imports too.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.folder = _fast_dir()
        self.path = self.folder / "county.sqlite3"
        shutil.copy(scenario.template, self.path)
        self.store = open_store(sqlite_url(self.path), actor="县局")
        with self.store.reading() as session:
            self.key_id, self.pair = keys.own_keys(scenario.keys, session)
        self.peers = county.enrolled(self.store)

    def reset(self) -> None:
        self.store.engine.dispose()
        shutil.copy(self.scenario.template, self.path)

    def deliver(self, name: str, data: bytes) -> county.Outcome:
        return county.import_bytes(self.store, self.key_id, self.pair, data, name, peers=self.peers)

    def dump(self) -> dict[str, Any]:
        with self.store.reading() as session:
            return canonical.dump(session, COUNTY_CODE)

    def close(self) -> None:
        self.store.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def county_copy(scenario: Scenario) -> Iterator[County]:
    found = County(scenario)
    yield found
    found.close()


@pytest.fixture(scope="module")
def reference(county_copy: County) -> dict[str, Any]:
    county_copy.reset()
    for name, data in county_copy.scenario.bundles:
        outcome = county_copy.deliver(name, data)
        assert outcome.status == county.APPLIED, outcome
    with county_copy.store.reading() as session:
        report = audit.verify(session)
        assert report.ok, report.problems[:5]
    return county_copy.dump()


def test_the_in_order_county_lists_every_conflict(
    scenario: Scenario, reference: dict[str, Any]
) -> None:
    people = reference["records"]["person"]
    by_number: dict[str, list[str]] = {}
    for record_id, values, _held in people:
        by_number.setdefault(str(values["id_number"]), []).append(record_id)
    twice = {n for n, ids in by_number.items() if len(ids) > 1}
    assert len(twice) >= 2, "the scenario registers ID numbers at two stations"
    listed = {c.split('"')[3].split(":", 1)[1] for c in reference["conflicts"] if DUPLICATE_ID in c}
    assert listed == twice
    held = {record_id for record_id, _values, is_held in people if is_held}
    assert held == {i for n in twice for i in by_number[n]}
    kinds = {c.split('"')[1] for c in reference["conflicts"]}
    assert STALE_BASE in kinds, "the restored station's changes on an old base are listed"
    assert reference["held"] == []
    assert scenario.forked in reference["rows"]
    moved = [v for _i, v, _h in people if v["station_code"] == station_code(2)]
    assert moved, "the transferred person belongs to the receiving station"


@settings(
    max_examples=ORDERINGS, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
@given(data=st.data())
def test_any_order_with_duplicates_and_delays_ends_the_same(
    county_copy: County, reference: dict[str, Any], data: st.DataObject
) -> None:
    count = len(county_copy.scenario.bundles)
    order = data.draw(st.permutations(range(count)), label="order")
    again = data.draw(st.lists(st.integers(0, count - 1), max_size=6), label="redelivered")
    schedule = list(order)
    for index in again:
        position = data.draw(st.integers(schedule.index(index) + 1, len(schedule)), label="when")
        schedule.insert(position, index)
    county_copy.reset()
    seen: set[int] = set()
    for index in schedule:
        name, payload = county_copy.scenario.bundles[index]
        outcome = county_copy.deliver(name, payload)
        assert outcome.status != county.REFUSED, outcome
        if index in seen:
            assert outcome.status == county.DUPLICATE, outcome
        seen.add(index)
    assert county_copy.dump() == reference


def test_plans_that_read_through_the_temporary_table_end_the_same(
    county_copy: County, reference: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan of more than ``BATCH`` records reads what the county has of them through a
    temporary table (:func:`caseworker.sync.integrate._load_ids`, on SQLite); made to do so
    for every plan here, deliveries in order and in random orders, with duplicates, end the
    same."""
    from caseworker.sync import integrate

    monkeypatch.setattr(integrate, "BATCH", 0)
    loads: list[int] = []
    real = integrate._load_ids

    def counting(connection: Any, ids: Any) -> bool:
        loads.append(1)
        return real(connection, ids)

    monkeypatch.setattr(integrate, "_load_ids", counting)
    generator = random.Random(20261128)
    count = len(county_copy.scenario.bundles)
    for round_ in range(12):
        order = list(range(count))
        if round_:
            generator.shuffle(order)
        order += generator.sample(range(count), 2)  # (redelivered)
        county_copy.reset()
        for index in order:
            name, payload = county_copy.scenario.bundles[index]
            outcome = county_copy.deliver(name, payload)
            assert outcome.status != county.REFUSED, outcome
        assert county_copy.dump() == reference
    assert loads
