"""Stations and the county exchanging bundles, through the functions the command line and the
desktop program call: export, import (applied, held, duplicate), receipts, duplicates, other
conflicts and their resolutions, transfers, reference data, ownership."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseworker.registry import demo, persons
from caseworker.store import audit, changelog
from caseworker.store.models import ChangeLog, EmploymentEpisode, Person, SyncConflict
from caseworker.sync import conflicts as view
from caseworker.sync import county, decisions, export, receipt, reports, setup
from caseworker.sync.replay import DUPLICATE_ID, NOT_OWNER, STALE_BASE
from tests.helpers import make_id, register
from tests.sync_world import COUNTY_CODE, World, station_code, two_stations

A, B = station_code(1), station_code(2)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from two_stations(tmp_path)


def _people(store: Any) -> dict[str, Person]:
    with store.reading() as session:
        return {f"{p.station_code}:{p.name}": p for p in session.scalars(select(Person))}


def _verify(store: Any) -> None:
    with store.reading() as session:
        report = audit.verify(session)
    assert report.ok, report.problems[:5]


def _open_conflicts(world: World) -> list[SyncConflict]:
    with world.county.reading() as session:
        return list(
            session.scalars(
                select(SyncConflict).where(SyncConflict.status == "open").order_by(SyncConflict.key)
            )
        )


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_bundle_is_applied_once_and_the_receipt_clears_the_pending_count(world: World) -> None:
    station = world.stations[A]
    register(station, "张三", make_id(seq=131), village="红旗村")
    before = export.status(station)
    assert before.pending_changes >= 3  # the station, its village, its staff member, the person
    assert before.last_export is None
    path = world.export(A)
    assert path is not None
    assert [o.status for o in world.import_(path)] == [county.APPLIED]
    unchanged = _file_hash(world.county_path)
    again = world.import_(path)
    assert [o.status for o in again] == [county.DUPLICATE]
    assert _file_hash(world.county_path) == unchanged  # "changes nothing"
    assert export.status(station).pending_changes == before.pending_changes  # not acknowledged yet
    applied = world.receipt(A)
    assert applied.acked_seq > 0
    after = export.status(station)
    assert after.pending_changes == 0
    assert after.last_export is not None
    assert after.last_receipt is not None
    assert set(after.as_json()) == {"pending_changes", "last_export", "last_receipt"}
    assert world.export(A) is None  # nothing to send
    people = _people(world.county)
    assert people[f"{A}:张三"].village_id == _people(station)[f"{A}:张三"].village_id
    _verify(world.county)
    _verify(station)


def test_a_bundle_before_its_predecessor_is_held_then_both_apply(world: World) -> None:
    station = world.stations[A]
    untouched = world.snapshot_county("before")
    person = register(station, "张三", make_id(seq=131))
    first = world.export(A)
    assert first is not None
    world.import_(first)
    world.receipt(A)
    with station.transaction() as session:
        persons.change(session, person.id, notes="复查")
    second = world.export(A)  # only the rows after the acknowledged ones
    assert second is not None
    fresh = world.open_copy(untouched)
    try:
        outcomes = county.import_files(fresh, world.keys, [second, first, second])
        assert [o.status for o in outcomes] == [county.HELD, county.APPLIED, county.DUPLICATE]
        assert outcomes[1].released == [second.name]
        assert _people(fresh)[f"{A}:张三"].notes == "复查"
    finally:
        fresh.dispose()


def test_demo_rows_never_travel(world: World) -> None:
    station = world.stations[A]
    demo.generate(station, persons=20, seed=3, today=dt.date(2025, 6, 2))
    register(station, "真人", make_id(seq=131))
    path = world.export(A)
    assert path is not None
    world.import_(path)
    people = _people(world.county)
    assert list(people) == [f"{A}:真人"]
    _verify(world.county)


def test_the_same_id_number_at_two_stations_holds_both_in_any_order(world: World) -> None:
    number = make_id(seq=131)
    register(world.stations[A], "张三", number)
    register(world.stations[B], "张叁", number)
    paths = [world.export(A), world.export(B)]
    assert None not in paths
    world.import_(paths[1], paths[0])  # B first
    (conflict,) = _open_conflicts(world)
    assert conflict.kind == DUPLICATE_ID
    people = _people(world.county)
    assert people[f"{A}:张三"].held
    assert people[f"{B}:张叁"].held
    report = reports.report(world.county, reports.DUPLICATES, full_ids=True)
    assert {row[3] for row in report.rows} == {A, B}
    # the county keeps A's record; B is asked to delete its own
    made = decisions.resolve(world.county, str(conflict.id), keep=str(people[f"{A}:张三"].id))
    assert [(d.kind, d.station_code) for d in made.decisions] == [(decisions.TOMBSTONE, B)]
    people = _people(world.county)
    assert not people[f"{A}:张三"].held
    assert people[f"{B}:张叁"].held
    world.receipt(A)
    applied = world.receipt(B)
    assert applied.applied == [decisions.TOMBSTONE]
    assert _people(world.stations[B])[f"{B}:张叁"].deleted
    path = world.export(B)
    assert path is not None
    world.import_(path)
    assert _open_conflicts(world) == []
    assert _people(world.county)[f"{B}:张叁"].deleted
    with world.county.reading() as session:
        decision = session.get(decisions.SyncDecision, made.decisions[0].id)
        assert decision is not None
        assert decision.status == "applied"
    _verify(world.county)


def test_a_merge_keeps_one_record_with_a_field_of_the_other(world: World) -> None:
    number = make_id(seq=131)
    register(world.stations[A], "张三", number)
    register(world.stations[B], "张三", number, phone="13912345678")
    world.import_(world.export(A), world.export(B))  # type: ignore[arg-type]
    (conflict,) = _open_conflicts(world)
    people = _people(world.county)
    kept, other = people[f"{A}:张三"].id, people[f"{B}:张三"].id
    made = decisions.resolve(
        world.county, str(conflict.id)[:8], keep=str(kept)[:8], take={"phone": str(other)[:8]},
        note="同一人",
    )  # fmt: skip
    assert sorted(d.kind for d in made.decisions) == [decisions.SET, decisions.TOMBSTONE]
    assert world.receipt(A).applied == [decisions.SET]
    assert _people(world.stations[A])[f"{A}:张三"].phone == "13912345678"


def test_a_restored_backup_forks_the_log_and_its_stale_changes_become_conflicts(
    world: World,
) -> None:
    station = world.stations[A]
    person = register(station, "张三", make_id(seq=131), phone="13900000000")
    world.round_trip(A)
    backup = world.backup(A, "monday")
    with world.stations[A].transaction() as session:
        persons.change(session, person.id, phone="13911111111")
    world.round_trip(A)
    restored = world.restore(A, backup)
    assert restored.device_change is not None
    with restored.transaction() as session:
        persons.change(session, person.id, phone="13922222222", notes="备份之后")
    path = world.export(A)
    assert path is not None
    assert [o.status for o in world.import_(path)] == [county.APPLIED]
    conflicts = _open_conflicts(world)
    assert [(c.kind, c.field) for c in conflicts] == [(STALE_BASE, "phone")]
    county_person = _people(world.county)[f"{A}:张三"]
    assert county_person.phone == "13911111111"  # not silently overwritten
    assert county_person.notes == "备份之后"  # the change on a current base applies
    side = view.show(world.county, str(conflicts[0].id))  # both versions, side by side
    assert len(side.headers) == 2
    phone = next(r for r in side.rows if r[1] == ["13911111111", "13922222222"])
    assert phone[2]
    made = decisions.resolve(world.county, str(conflicts[0].id), choose=decisions.INCOMING)
    assert [d.kind for d in made.decisions] == [decisions.SET]
    assert world.receipt(A).applied == [decisions.SET]
    world.import_(world.export(A))  # type: ignore[arg-type]
    assert _people(world.county)[f"{A}:张三"].phone == "13922222222"
    _verify(world.county)
    _verify(world.stations[A])


def test_a_transfer_hands_the_person_over_and_the_other_station_receives_them(
    world: World,
) -> None:
    a, b = world.stations[A], world.stations[B]
    person = register(a, "李四", make_id(seq=151), village="红旗村", employed=True)
    world.round_trip(A)
    world.round_trip(B)
    decision = decisions.transfer(world.county, person.id_number, B)
    assert decision.kind == decisions.HANDOVER
    assert decision.station_code == A
    assert world.receipt(A).applied == [decisions.HANDOVER]
    mine = _people(a)[f"{B}:李四"]
    assert mine.village_id is None
    with pytest.raises(changelog.NotOwnerError, match=B), a.transaction() as session:
        persons.change(session, person.id, phone="13900001111")
    handover = world.export(A)
    assert handover is not None
    # the receiving station learns of the person only after the county saw the handover
    assert world.receipt(B).applied == []
    world.import_(handover)
    assert world.receipt(B).applied == [decisions.RECEIVE]
    received = _people(b)[f"{B}:李四"]
    assert received.id == person.id
    assert received.employed
    with b.reading() as session:
        assert len(session.scalars(select(EmploymentEpisode)).all()) == 1
    with b.transaction() as session:
        persons.change(session, person.id, phone="13900001111")
    world.import_(world.export(B))  # type: ignore[arg-type]
    assert _people(world.county)[f"{B}:李四"].phone == "13900001111"
    assert _open_conflicts(world) == []
    for store in (a, b, world.county):
        _verify(store)


def test_the_receiving_stations_bundle_waits_for_the_handover_at_another_county(
    world: World,
) -> None:
    """Delivered to a county that has not seen the handover, the receiving station's bundle
    is held (it imports a record that comes after a row of another station), then applied."""
    a = world.stations[A]
    untouched = world.snapshot_county("before")
    person = register(a, "李四", make_id(seq=151))
    first_a = world.export(A)
    world.import_(first_a)  # type: ignore[arg-type]
    decisions.transfer(world.county, str(person.id), B)
    world.receipt(A)
    handover = world.export(A)
    world.import_(handover)  # type: ignore[arg-type]
    world.receipt(B)
    received = world.export(B)
    assert first_a
    assert handover
    assert received
    other = world.open_copy(untouched)
    try:
        outcomes = county.import_files(other, world.keys, [received, first_a, handover])
        assert [o.status for o in outcomes] == [county.HELD, county.APPLIED, county.APPLIED]
        assert outcomes[2].released == [received.name]
        assert _people(other)[f"{B}:李四"].id == person.id
        with other.reading() as session:
            assert session.scalars(select(SyncConflict)).all() == []
    finally:
        other.dispose()


def test_a_change_by_a_station_that_does_not_own_the_record_is_a_conflict(world: World) -> None:
    a, b = world.stations[A], world.stations[B]
    person = register(a, "王五", make_id(seq=161), phone="13900000000")
    world.round_trip(A)
    # station B's program refuses to change A's record ...
    with a.reading() as session:
        record = session.get(Person, person.id)
        values = {k: getattr(record, k) for k in changelog.logged_keys(Person.__mapper__)}
    with b.transaction() as session:  # (B has a copy of it, written around the program)
        context = session.info[changelog.CONTEXT_KEY]
        changelog.insert_records(
            session.connection(), context, Person, [{**values, "search_text": ""}]
        )
    with pytest.raises(changelog.NotOwnerError), b.transaction() as session:
        persons.change(session, person.id, phone="13911111111")
    # ... and a log that holds such a change anyway makes a conflict, never a change
    with b.transaction() as session:
        context = session.info[changelog.CONTEXT_KEY]
        other = {
            **values,
            "id": __import__("uuid").uuid4(),
            "phone": "13922222222",
            "search_text": "",
        }
        other["id_number"] = make_id(seq=171)
        changelog.insert_records(session.connection(), context, Person, [other])
    world.import_(world.export(B))  # type: ignore[arg-type]
    conflicts = _open_conflicts(world)
    assert [c.kind for c in conflicts] == [NOT_OWNER]
    assert conflicts[0].station_code == B
    assert _people(world.county)[f"{A}:王五"].phone == "13900000000"


def test_reference_data_travels_in_the_receipt(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county_ref = tmp_path / "county-reference"
    station_ref = tmp_path / "station-reference"
    source = Path(__file__).resolve().parents[2] / "resources" / "calendar" / "cn-2027.toml"
    (county_ref / "calendar").mkdir(parents=True)
    changed = source.read_text(encoding="utf-8").replace("status", "status", 1) + "\n# 县局下发\n"
    (county_ref / "calendar" / "cn-2027.toml").write_text(changed, encoding="utf-8")
    monkeypatch.setenv("CASEWORKER_REFERENCE", str(county_ref))
    written = receipt.write_receipt(world.county, world.keys, A, world.outbox)
    monkeypatch.setenv("CASEWORKER_REFERENCE", str(station_ref))
    applied = receipt.apply_receipt(world.stations[A], world.keys, written.path)
    assert sorted(applied.reference) == ["calendar/cn-2027.toml", "county/county.toml"]
    assert (station_ref / "calendar" / "cn-2027.toml").read_text(encoding="utf-8") == changed
    county_toml = (station_ref / "county" / "county.toml").read_text(encoding="utf-8")
    assert COUNTY_CODE in county_toml
    again = receipt.apply_receipt(world.stations[A], world.keys, written.path)
    assert again.duplicate


def test_a_receipt_with_a_bad_reference_file_is_refused_whole(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county_ref = tmp_path / "county-reference"
    (county_ref / "policy").mkdir(parents=True)
    (county_ref / "policy" / "broken.toml").write_text("[pack]\nid = 1\n", encoding="utf-8")
    monkeypatch.setenv("CASEWORKER_REFERENCE", str(county_ref))
    written = receipt.write_receipt(world.county, world.keys, A, world.outbox)
    monkeypatch.setenv("CASEWORKER_REFERENCE", str(tmp_path / "station-reference"))
    station = world.stations[A]
    before = _file_hash(world.station_path(A))
    with pytest.raises(county.BundleRefused, match=r"broken\.toml"):
        receipt.apply_receipt(station, world.keys, written.path)
    assert _file_hash(world.station_path(A)) == before


def test_a_revoked_station_is_refused(world: World) -> None:
    register(world.stations[A], "张三", make_id(seq=131))
    path = world.export(A)
    setup.revoke(world.county, A)
    (outcome,) = world.import_(path)  # type: ignore[arg-type]
    assert outcome.status == county.REFUSED
    assert "revoked" in outcome.message


def test_a_receipt_for_another_station_is_refused(world: World) -> None:
    written = receipt.write_receipt(world.county, world.keys, B, world.outbox)
    with pytest.raises(county.BundleRefused):
        receipt.apply_receipt(world.stations[A], world.keys, written.path)


def test_cancelled_export_writes_nothing(world: World) -> None:
    station = world.stations[A]
    demo.generate(station, persons=30, seed=1, today=dt.date(2025, 6, 2))
    for n, name in enumerate(("张一", "张二", "张三")):
        register(station, name, make_id(seq=131 + n))
    before = _file_hash(world.station_path(A))
    with pytest.raises(export.Cancelled):
        export.export(station, world.keys, world.outbox, progress=lambda done, total: False)
    assert list(world.outbox.iterdir()) == []
    assert _file_hash(world.station_path(A)) == before


def test_cancelled_import_stops_between_whole_bundles(world: World) -> None:
    register(world.stations[A], "张三", make_id(seq=131))
    register(world.stations[B], "李四", make_id(seq=141))
    paths = [world.export(A), world.export(B)]
    calls: list[int] = []

    def progress(done: int, total: int) -> bool:
        calls.append(done)
        return done < 1

    outcomes = county.import_files(world.county, world.keys, paths, progress=progress)  # type: ignore[arg-type]
    assert [o.status for o in outcomes] == [county.APPLIED]
    assert list(_people(world.county)) == [f"{A}:张三"]


def test_the_county_cannot_change_a_stations_record(world: World) -> None:
    person = register(world.stations[A], "张三", make_id(seq=131))
    world.import_(world.export(A))  # type: ignore[arg-type]
    with pytest.raises(changelog.NotOwnerError, match=A), world.county.transaction() as session:
        persons.change(session, person.id, phone="13900001111")


def test_a_bundle_with_a_record_pointing_at_demo_data_is_refused_whole(world: World) -> None:
    station = world.stations[A]
    demo.generate(station, persons=5, seed=2, today=dt.date(2025, 6, 2))
    with station.reading() as session:
        demo_person = session.scalars(select(Person).where(Person.demo.is_(True))).first()
        assert demo_person is not None
    from caseworker.registry import employment

    with station.transaction() as session:
        episode = employment.start(
            session, session.get(Person, demo_person.id), dt.date(2024, 1, 1)
        )
        episode.demo = False  # a real record about a made-up person
    path = world.export(A)
    before = _file_hash(world.county_path)
    (outcome,) = world.import_(path)  # type: ignore[arg-type]
    assert outcome.status == county.REFUSED
    assert "demo data" in outcome.message
    assert _file_hash(world.county_path) == before


def test_export_all_again_is_harmless(world: World) -> None:
    register(world.stations[A], "张三", make_id(seq=131))
    world.round_trip(A)
    register(world.stations[A], "李四", make_id(seq=141))
    everything = export.export(world.stations[A], world.keys, world.outbox, everything=True)
    assert everything is not None
    assert everything.seq_from == 1
    (outcome,) = world.import_(everything.path)
    assert outcome.status == county.APPLIED
    assert outcome.records == 1  # only what the county did not have
    assert set(_people(world.county)) == {f"{A}:张三", f"{A}:李四"}


def test_the_county_logs_what_it_integrated_and_audit_verify_passes(world: World) -> None:
    person = register(world.stations[A], "张三", make_id(seq=131))
    with world.stations[A].transaction() as session:
        persons.change(session, person.id, phone="13900001111")
        persons.tombstone(session, person.id)
    world.import_(world.export(A))  # type: ignore[arg-type]
    with world.county.reading() as session:
        rows = session.scalars(select(ChangeLog).where(ChangeLog.entity_id == person.id)).all()
        assert [r.op for r in rows] == [changelog.IMPORT]
        values = json.loads(rows[0].new_value or "{}")
        assert values["phone"] == "13900001111"
        assert values["deleted"] == "true"
    _verify(world.county)


def test_the_reports_count_by_station_and_save_as_a_workbook(world: World, tmp_path: Path) -> None:
    register(world.stations[A], "张三", make_id(seq=131))
    register(world.stations[A], "古丽", make_id(seq=142))
    register(world.stations[B], "李四", make_id(seq=151))
    world.import_(world.export(A), world.export(B))  # type: ignore[arg-type]
    persons_report = reports.report(world.county, reports.PERSONS)
    by_code = {row[0]: row for row in persons_report.rows}
    assert by_code[A][2] == 2
    assert by_code[B][2] == 1
    stations_report = reports.report(world.county, reports.STATIONS)
    assert {row[0] for row in stations_report.rows} == {A, B}
    from openpyxl import load_workbook

    for kind in reports.KINDS:
        path = tmp_path / f"{kind}.xlsx"
        reports.write_xlsx(reports.report(world.county, kind), path)
        sheet = load_workbook(path).active
        assert sheet is not None
        assert sheet["A1"].value == reports.report(world.county, kind).title


def test_a_fork_that_breaks_another_unique_rule_is_refused_whole(world: World) -> None:
    """Both branches of a restored backup open a recognition case for one person (one open
    case per person): the second bundle is refused, with the database's reason, and nothing
    of it is written."""
    from caseworker.recognition import service

    station = world.stations[A]
    person = register(station, "张三", make_id(birth=dt.date(1965, 3, 1), seq=131),
                      registered_unemployed_since=dt.date(2023, 1, 1))  # fmt: skip
    world.round_trip(A)
    backup = world.backup(A, "before-case")
    with world.stations[A].transaction() as session:
        service.open_application(session, person.id, dt.date(2024, 9, 2), ["older_worker"])
    world.round_trip(A)
    restored = world.restore(A, backup)
    with restored.transaction() as session:
        service.open_application(session, person.id, dt.date(2024, 9, 3), ["older_worker"])
    path = world.export(A)
    before = _file_hash(world.county_path)
    (outcome,) = world.import_(path)  # type: ignore[arg-type]
    assert outcome.status == county.REFUSED
    assert "clash" in outcome.message
    assert _file_hash(world.county_path) == before
