"""The exchange with the county, timed through the functions the command line and the desktop
program call, each beside a floor measured in the same run.

    python benchmarks/sync.py [--persons 100000] [--stations 50] [--per-station 2000]
                              [--orderings 1000] [--rounds 3]

- ``export``: ``sync export`` (``caseworker.sync.export.export``: read, encode, zip, sign,
  encrypt, write) of 1,000 changes (200 registrations and 800 edits, after a receipt acknowledged
  everything before) from the 100,000-person station, beside a raw SQL read of the same rows
  (``SELECT * FROM change_log WHERE seq > ?`` with ``sqlite3``).  The same 1,000 changes are
  exported from a 10,000-person station, and 2,000 changes from the large one: the cost grows
  with the changes, not with the database.  Target: under 1 s.
- ``import``: ``sync import`` at the county (``caseworker.sync.county.import_files``) of the
  bundles of 50 stations of 2,000 (real, not demo) persons each, into a new county database,
  beside a raw bulk insert (``executemany`` through the driver, and the commit: the import's
  time has its own) of the same records into the
  same tables of another new county database on the same backend, with the change-log guards
  lifted (the raw insert logs nothing) and the search index kept (part of the table).  Records
  per second for both, and the ratio.  Target: within 3x of the raw insert.  Two more floors
  are shown: the bundles' change-log rows inserted as they are into a plain table; and the
  raw insert with the persons in one statement through a temporary table, as the import
  writes them (``store.bulk.insert_bound(one_statement=True)``), with the ratio to it.
- ``orderings``: the property test's deliveries in more random orders than the test suite runs
  (each against a fresh county; all must end identical): how many, and the time per ordering.

The large station and the 50 stations are built once and cached in ``benchmarks/out/``
(git-ignored).  Figures are medians of ``--rounds`` runs.  Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
EXPORT_TARGET_S = 1.0
IMPORT_TARGET_RATIO = 3.0


def _median(fn: Callable[[], object], rounds: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def _environment() -> None:
    """Keys, device registry and reference data of the benchmark's own (not the user's)."""
    home = OUT / "home"
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    os.environ["XDG_STATE_HOME"] = str(home / "state")
    os.environ["CASEWORKER_LANG"] = "en"


def _store(path: Path) -> Any:
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    return open_store(sqlite_url(path), actor="李娜")


def _keys() -> Path:
    from caseworker import bootstrap

    return bootstrap.keys_dir()


def _county(path: Path) -> Any:
    from caseworker.sync import setup

    path.unlink(missing_ok=True)
    county = _store(path)
    setup.init_county(county, "650102", "天山区", _keys())
    setup.write_public_key(county, _keys(), OUT / "county.pub", "天山区")
    return county


def _enrol(station: Any, county: Any, code: str) -> None:
    from caseworker.sync import setup

    setup.ensure_keys(station, _keys())
    public = OUT / f"{code}.pub"
    setup.write_public_key(station, _keys(), public, code)
    setup.enroll(county, public)
    setup.trust(station, OUT / "county.pub")


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def _demo_station(persons: int) -> Path:
    """A station of ``persons`` demo persons (``caseworker demo``), cached."""
    from caseworker.store.migrate import HEAD_REVISION

    path = OUT / f"sync-station-{persons}.sqlite3"
    if path.exists():
        with sqlite3.connect(path) as connection:
            (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        connection.close()
        if revision == HEAD_REVISION:
            return path
        path.unlink()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    command = [sys.executable, "-m", "caseworker", "--db", str(partial)]
    subprocess.run(
        [*command, "init", "--code", "650102001", "--name", "燕儿窝街道就业服务站",
         "--villages", "南湖社区,红旗村", "--caseworker", "李娜"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run(
        [*command, "demo", "--persons", str(persons)], check=True, stdout=subprocess.DEVNULL
    )
    partial.rename(path)
    return path


def _acknowledged(source: Path, work: Path, changes: int) -> tuple[Any, Any]:
    """A copy of ``source`` whose every change the county has acknowledged, then ``changes``
    new changes (a fifth registrations, the rest edits of those persons)."""
    from caseworker.registry import persons as registry
    from caseworker.sync import export, receipt

    station_path = work / "station.sqlite3"
    shutil.copy(source, station_path)
    county = _county(work / "county.sqlite3")
    station = _store(station_path)
    _enrol(station, county, f"station-{source.stem}")
    from caseworker.sync import county as county_import

    everything = export.export(station, _keys(), work)
    assert everything is not None
    (outcome,) = county_import.import_files(county, _keys(), [everything.path])
    assert outcome.status == county_import.APPLIED, outcome
    written = receipt.write_receipt(county, _keys(), station.station_code, work)
    receipt.apply_receipt(station, _keys(), written.path)
    assert export.status(station).pending_changes == 0
    from caseworker.core import idcard

    registered = []
    count = changes // 5
    with station.transaction() as session:
        for n in range(count):
            first17 = f"659001{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
            number = first17 + idcard.check_char(first17)
            data = registry.validate({"name": "张三", "id_number": number})
            registered.append(registry.register(session, data).person.id)
    edits = changes - count
    with station.transaction() as session:
        for n in range(edits):
            registry.change(session, registered[n % count], phone=f"139{n:08d}")
    return station, county


def bench_export(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from caseworker.sync import export

    results: dict[str, Any] = {}
    for label, persons, changes in (
        ("1000_changes_100k", args.persons, 1000),
        ("1000_changes_10k", max(args.persons // 10, 1000), 1000),
        ("2000_changes_100k", args.persons, 2000),
    ):
        folder = work / label
        folder.mkdir()
        station, county = _acknowledged(_demo_station(persons), folder, changes)
        acked = export.status(station).acked_seq
        outbox = folder / "outbox"
        outbox.mkdir()

        def product(store: Any = station, target: Path = outbox) -> None:
            done = export.export(store, _keys(), target)
            assert done is not None
            done.path.unlink()

        def floor(
            path: Path = folder / "station.sqlite3", after: int = acked, wanted: int = changes
        ) -> None:
            with sqlite3.connect(path) as connection:
                rows = connection.execute(
                    "SELECT * FROM change_log WHERE seq > ? ORDER BY seq", (after,)
                ).fetchall()
            connection.close()
            assert len(rows) >= wanted

        product_s, _ = _median(product, args.rounds)
        floor_s, _ = _median(floor, args.rounds)
        results[label] = {
            "persons": persons, "changes": changes, "export_s": round(product_s, 4),
            "raw_read_s": round(floor_s, 4),
            "database_mb": round((folder / "station.sqlite3").stat().st_size / 2**20, 1),
        }  # fmt: skip
        station.dispose()
        county.dispose()
    big, small, double = (
        results["1000_changes_100k"],
        results["1000_changes_10k"],
        results["2000_changes_100k"],
    )
    results["growth"] = {
        "100k_over_10k_same_changes": round(big["export_s"] / small["export_s"], 2),
        "2000_over_1000_changes": round(double["export_s"] / big["export_s"], 2),
    }
    results["target_s"] = EXPORT_TARGET_S
    results["meets_target"] = big["export_s"] < EXPORT_TARGET_S
    return results


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


def _real_persons(store: Any, persons: int, seed: int) -> None:
    """``persons`` persons with households through the bulk path the imports use, as real
    records (the demo generator's material, not marked demo: demo data never travels)."""
    import datetime as dt

    from caseworker.core import wall
    from caseworker.registry import demo, search, stations
    from caseworker.store import changelog
    from caseworker.store.models import EmploymentEpisode, Household, HouseholdMember, Person

    with store.reading() as session:
        villages = [v.id for v in stations.villages(session, store.station_code)]
    generator = demo._Generator(seed, dt.date(2025, 6, 2), set())
    batch = demo._batch(generator, persons, villages)
    with store.transaction() as session, search.bulk_load(session.connection()):
        context = session.info[changelog.CONTEXT_KEY]
        for model, rows in (
            (Person, batch.persons), (EmploymentEpisode, batch.episodes),
            (Household, batch.households), (HouseholdMember, batch.members),
        ):  # fmt: skip
            for row in rows:
                row["demo"] = False
            changelog.insert_records(session.connection(), context, model, rows, at=wall.now())


def _station_bundles(args: argparse.Namespace) -> tuple[Path, list[Path]]:
    """The bundles of ``--stations`` stations of ``--per-station`` persons, and the county
    database (with the enrolments only) they are for; cached."""
    from caseworker.registry import stations as registry
    from caseworker.store.migrate import HEAD_REVISION
    from caseworker.sync import export

    folder = OUT / f"sync-{args.stations}x{args.per_station}"
    template = folder / "county-template.sqlite3"
    done = folder / "done"  # holds the schema the bundles were made with (a county refuses others)
    if done.exists() and done.read_text() == HEAD_REVISION:
        return template, sorted(folder.glob("*.cwb"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    county = _county(folder / "county.sqlite3")
    for n in range(1, args.stations + 1):
        code = f"650102{n:03d}"
        store = _store(folder / f"{code}.sqlite3")
        registry.initialise(store, code, f"第{n}站", ["南湖社区", "红旗村", "团结村"])
        _enrol(store, county, code)
        _real_persons(store, args.per_station, seed=n)
        bundle = export.export(store, _keys(), folder)
        assert bundle is not None
        store.dispose()
        (folder / f"{code}.sqlite3").unlink()
        print(f"station {n}/{args.stations}", file=sys.stderr)
    county.dispose()
    shutil.move(folder / "county.sqlite3", template)
    done.write_text(HEAD_REVISION)
    return template, sorted(folder.glob("*.cwb"))


def _incoming(bundles: list[Path], template: Path) -> list[Any]:
    """The bundles opened and checked with the county's key (setup of the floors, untimed)."""
    from caseworker.sync import bundle as sealed
    from caseworker.sync import changes, keys
    from caseworker.sync import county as county_import

    county = _store(template)
    try:
        with county.reading() as session:
            key_id, pair = keys.own_keys(_keys(), session)
        peers = county_import.enrolled(county)
    finally:
        county.dispose()
    return [
        changes.parse(sealed.open_sealed(path.read_bytes(), key_id, pair, peers.get))
        for path in bundles
    ]


def _records_of(incoming: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """The records the bundles carry, their values as the county stores them."""
    from caseworker.sync import records

    found: dict[str, list[dict[str, Any]]] = {entity: [] for entity in records.models()}
    for bundle in incoming:
        for line in bundle.lines:
            row = line.row
            if row is None or row.values is None:
                continue
            values = records.models()[row.entity].decode(row.values)
            values.update(records.derived(row.entity, values))
            values.update(created_hlc=row.hlc, updated_hlc=row.hlc, version=1)
            found[row.entity].append(values)
    # As at the county: an ID number registered by two stations is held on both records
    # (the stations' demo-made numbers may meet), out of the unique index.
    from collections import Counter

    numbers = Counter(values["id_number"] for values in found["person"])
    for values in found["person"]:
        values["held"] = numbers[values["id_number"]] > 1
    return found


def _bundle_rows(incoming: list[Any]) -> list[tuple[Any, ...]]:
    """The bundles' change-log rows as plain tuples (for the second floor: the same rows
    inserted as they are into a plain table)."""
    rows: list[tuple[Any, ...]] = []
    for bundle in incoming:
        for line in bundle.lines:
            row = line.row
            rows.append(
                (line.seq, line.hash, line.prev_hash, row.hlc if row else None,
                 row.entity if row else None, str(row.entity_id) if row else None,
                 row.op if row else None, row.field if row else None,
                 row.old_value if row else None, row.new_value if row else None)
            )  # fmt: skip
    return rows


def _raw_insert(
    template: Path, raw: Path, found: dict[str, list[dict[str, Any]]], *, one_statement: bool
) -> float:
    """The floor: ``found`` inserted into a copy of ``template`` with the change-log guards
    lifted (``one_statement``: the persons in one statement); its time in seconds."""
    from caseworker.registry.search import FULL_TEXT_TABLES
    from caseworker.store import guards
    from caseworker.store.bulk import insert_rows
    from caseworker.sync import records

    shutil.copy(template, raw)
    store = _store(raw)
    try:
        with store.engine.begin() as connection:
            guards.drop(connection)
        start = time.perf_counter()
        with store.engine.begin() as connection:
            for entity, model in records.models().items():
                if found[entity]:
                    insert_rows(connection, model.cls, found[entity],  # type: ignore[arg-type]
                                one_statement=one_statement and entity in FULL_TEXT_TABLES)  # fmt: skip
        return time.perf_counter() - start  # (with its commit, as the import's time has its own)
    finally:
        store.dispose()


def bench_import(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from caseworker.sync import county as county_import

    template, bundles = _station_bundles(args)
    incoming = _incoming(bundles, template)
    found = _records_of(incoming)
    plain_rows = _bundle_rows(incoming)
    del incoming
    total = sum(len(v) for v in found.values())
    product_times, floor_times, rows_times, one_times = [], [], [], []
    for round_ in range(args.rounds):
        target = work / f"county-{round_}.sqlite3"
        shutil.copy(template, target)
        county = _store(target)
        start = time.perf_counter()
        outcomes = county_import.import_files(county, _keys(), bundles)
        product_times.append(time.perf_counter() - start)
        assert all(o.status == county_import.APPLIED for o in outcomes), outcomes[:3]
        county.dispose()
        raw = work / f"raw-{round_}.sqlite3"
        floor_times.append(_raw_insert(template, raw, found, one_statement=False))
        # The same, with the persons in one statement (as the import writes them)
        one_times.append(_raw_insert(template, raw, found, one_statement=True))
        store = _store(raw)
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE TABLE raw_rows (seq INTEGER, hash TEXT, prev_hash TEXT, hlc TEXT, "
                "entity TEXT, entity_id TEXT, op TEXT, field TEXT, old_value TEXT, "
                "new_value TEXT)"
            )
        start = time.perf_counter()
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO raw_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", plain_rows
            )
        rows_times.append(time.perf_counter() - start)
        store.dispose()
        target.unlink()
        raw.unlink()
    product_s = statistics.median(product_times)
    floor_s = statistics.median(floor_times)
    rows_s = statistics.median(rows_times)
    one_s = statistics.median(one_times)
    return {
        "bundle_rows": len(plain_rows), "raw_insert_of_the_bundle_rows_s": round(rows_s, 2),
        "stations": args.stations, "persons_per_station": args.per_station,
        "records": total, "bundles_mb": round(sum(p.stat().st_size for p in bundles) / 2**20, 1),
        "import_s": round(product_s, 2), "raw_insert_s": round(floor_s, 2),
        "import_records_per_s": round(total / product_s), "raw_records_per_s": round(total / floor_s),
        "ratio": round(product_s / floor_s, 2), "target_ratio": IMPORT_TARGET_RATIO,
        "raw_insert_persons_in_one_statement_s": round(one_s, 2),
        "ratio_to_that": round(product_s / one_s, 2),
        "meets_target": product_s / floor_s <= IMPORT_TARGET_RATIO,
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# More orderings than the test suite runs
# ---------------------------------------------------------------------------------------------


def bench_orderings(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.unit import test_sync_property as prop

    scenario = prop.build_scenario(work / "scenario")
    county = prop.County(scenario)
    try:
        county.reset()
        for name, data in scenario.bundles:
            county.deliver(name, data)
        reference = county.dump()
        rng = random.Random(2026)
        start = time.perf_counter()
        for _ in range(args.orderings):
            schedule = list(range(len(scenario.bundles)))
            rng.shuffle(schedule)
            for index in rng.sample(range(len(scenario.bundles)), 3):
                schedule.insert(rng.randint(schedule.index(index) + 1, len(schedule)), index)
            county.reset()
            for index in schedule:
                county.deliver(*scenario.bundles[index])
            assert county.dump() == reference
        elapsed = time.perf_counter() - start
    finally:
        county.close()
    return {
        "orderings": args.orderings, "bundles": len(scenario.bundles),
        "all_identical": True, "ms_per_ordering": round(elapsed / args.orderings * 1000, 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--per-station", type=int, default=2000)
    parser.add_argument("--orderings", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("export", "import", "orderings"), action="append")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    _environment()
    load = os.getloadavg()
    result: dict[str, Any] = {
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(), "load_before": [round(x, 2) for x in load],
    }  # fmt: skip
    cpu = time.process_time()
    for name, bench in (
        ("export", bench_export),
        ("import", bench_import),
        ("orderings", bench_orderings),
    ):
        if args.only and name not in args.only:
            continue
        with tempfile.TemporaryDirectory(prefix=f"sync-{name}-") as folder:
            result[name] = bench(args, Path(folder))
    result["cpu_s"] = round(time.process_time() - cpu, 1)
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
