"""The county on PostgreSQL (the throwaway server of the test suite): the same code and
migrations; stations on SQLite send it bundles, duplicates are held and resolved, receipts go
back, and the county's change log verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from caseworker.registry import persons
from caseworker.store import audit
from caseworker.store.models import Person, SyncConflict
from caseworker.sync import canonical, county, decisions, reports
from caseworker.sync.replay import DUPLICATE_ID
from tests.helpers import make_id, register
from tests.sync_world import COUNTY_CODE, World, station_code


@pytest.mark.postgres
def test_a_county_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    world = World(tmp_path / "world", county_url=postgres_url)
    try:
        assert world.county.engine.dialect.name == "postgresql"
        a, b = world.add_station(1), world.add_station(2)
        number = make_id(seq=131)
        moving = register(a, "李四", make_id(seq=151), village="红旗村")
        register(a, "张三", number)
        register(b, "张叁", number)
        first_a, first_b = world.export(station_code(1)), world.export(station_code(2))
        outcomes = world.import_(first_b, first_a, first_a)  # type: ignore[arg-type]
        assert [o.status for o in outcomes] == [county.APPLIED, county.APPLIED, county.DUPLICATE]
        with world.county.reading() as session:
            (conflict,) = session.scalars(select(SyncConflict)).all()
            assert conflict.kind == DUPLICATE_ID
            held = session.scalars(select(Person).where(Person.held.is_(True))).all()
            assert len(held) == 2
        keep = next(p for p in held if p.station_code == station_code(1))
        decisions.resolve(world.county, str(conflict.id), keep=str(keep.id))
        decisions.transfer(world.county, str(moving.id), station_code(2))
        assert world.receipt(station_code(2)).applied == [decisions.TOMBSTONE]
        assert world.receipt(station_code(1)).applied == [decisions.HANDOVER]
        second_a = world.export(station_code(1))
        second_b = world.export(station_code(2))
        world.import_(second_b, second_a)  # type: ignore[arg-type]
        assert world.receipt(station_code(2)).applied == [decisions.RECEIVE]
        with b.transaction() as session:
            persons.change(session, moving.id, phone="13900001111")
        world.import_(world.export(station_code(2)))  # type: ignore[arg-type]
        with world.county.reading() as session:
            moved = session.get(Person, moving.id)
            assert moved is not None
            assert (moved.station_code, moved.phone) == (station_code(2), "13900001111")
            report = audit.verify(session)
            assert report.ok, report.problems[:5]
            dump = canonical.dump(session, COUNTY_CODE)
            assert dump["held"] == []
            assert len(dump["conflicts"]) == 1
        by_code = {r[0]: r for r in reports.report(world.county, reports.PERSONS).rows}
        assert by_code[station_code(1)][2] == 1  # 张三 (kept)
        assert by_code[station_code(2)][2] == 1  # 李四, transferred
    finally:
        world.close()
