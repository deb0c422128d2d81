"""Import speed, write-lock time and memory for 100,000 persons, beside a raw-SQLite floor.

    python benchmarks/import.py [--rows 100000] [--formats csv,xlsx] [--small 20000] [--households]

Builds (once, cached in benchmarks/out/) a .csv and an .xlsx of realistic synthetic persons
in the import template (demo names, valid ID numbers, villages, dates, yes/no facts), then,
each in a fresh subprocess on a fresh station database:

- **import**: ``caseworker.registry.spreadsheet.check_file`` then ``write_staged`` — the two
  phases ``persons import`` (through ``import_persons``) and the GUI's import dialog run.
  ``write_lock_seconds`` is the time inside the write transaction (``Store.transaction``,
  timed from outside); ``write_seconds`` adds the recount after the commit.  Peak memory is the
  child's high-water mark of resident memory (``VmHWM``).
- **floor**: the very rows the import wrote (persons, employment episodes and their
  change-log rows, read back from the imported database) inserted into an empty database of
  the same schema (same indexes, guard triggers and search index, loaded the same way) by a
  bare ``executemany`` loop through the sqlite3 module, in one transaction.
- **memory, flat in the file size**: the peak of importing ``--small`` rows beside 100,000,
  and the peak while refusing a sheet whose ``<dimension>`` claims A1:XFD1048576 and a
  compression bomb (both built here).

With ``--households`` the files also carry 户编号 and 与户主关系: the persons are grouped
into households of one to five (one 户主 each) whose rows are scattered over the file, so the
import makes the households too (and the zero-employment tracker looks at each); the floor
then inserts the households, their members and the tracker's episodes as well.

Prints JSON with the figures, the ratios and the targets (100,000 rows in under 20 s, within
5x of the floor, peak memory under 200 MB).  ``cpu_seconds`` (the process's own CPU time) and
``load_average`` help to read wall times measured on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
SEED = 5
TODAY = dt.date(2025, 7, 2)
TARGET_SECONDS = 20.0
TARGET_RATIO = 5.0
TARGET_PEAK_MB = 200.0


# -- the files ---------------------------------------------------------------------------------


#: (与户主关系 of the n-th member of a household, in the words stations write)
_RELATIONS = ("户主", "配偶", "子", "女", "母亲")


def _with_households(headers: list[str], rows: list[list[object]]) -> None:
    """Group ``rows`` into households of 1 to 5 and scatter each household's rows."""
    rng = random.Random(SEED + 1)
    start = 0
    number = 0
    while start < len(rows):
        size = rng.randint(1, 5)
        number += 1
        for offset, row in enumerate(rows[start : start + size]):
            row += [f"H{number:06d}", _RELATIONS[offset]]
        start += size
    rng.shuffle(rows)
    headers += ["户编号", "与户主关系"]


def _rows(count: int) -> tuple[list[str], list[list[object]]]:
    from caseworker.registry import demo, vocab
    from caseworker.registry.fields import PERSON_FIELDS, Kind

    villages = list(demo._material()["places"]["villages"])
    ids = {uuid.uuid4(): name for name in villages}
    generator = demo._Generator(SEED, TODAY, set())
    rows: list[list[object]] = []
    rng = random.Random(SEED)
    for _ in range(count):
        person = generator.person(list(ids))
        row: list[object] = []
        for spec in PERSON_FIELDS:
            if spec.kind is Kind.VILLAGE:
                value: object = ids[person["village_id"]]
            else:
                value = person.get(spec.name)
            if spec.kind is Kind.BOOL:
                value = "是" if value else "否"
            elif spec.kind is Kind.CODE and spec.vocabulary:
                value = vocab.zh_label(spec.vocabulary, value) if value else ""
            elif spec.kind is Kind.DATE:
                value = value.isoformat() if value else ""
            elif spec.name == "notes":
                value = rng.choice(("", "", "", "低保户，需跟进", '=HYPERLINK("x")', "-待核实"))
            row.append("" if value is None else value)
        rows.append(row)
    return [f.header for f in PERSON_FIELDS], rows


def build_files(count: int, households: bool = False) -> dict[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"import-{count}-households" if households else f"import-{count}"
    paths = {"csv": OUT / f"{name}.csv", "xlsx": OUT / f"{name}.xlsx"}
    if all(p.exists() for p in paths.values()):
        return paths
    from caseworker.core.xlsxwrite import Column, write_sheet

    headers, rows = _rows(count)
    if households:
        _with_households(headers, rows)
    with paths["csv"].open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    write_sheet(
        paths["xlsx"],
        title="import",
        columns=[Column(h, 12) for h in headers],
        rows=rows,
        total=len(rows),
    )
    return paths


def build_hostile(folder: Path) -> dict[str, Path]:
    """A sheet whose <dimension> claims the whole sheet, and a compression bomb."""
    lying = folder / "lying-dimension.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号"])
    sheet.append(["张三", "650102199001011234"])
    book.save(lying)
    with zipfile.ZipFile(lying) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    start = xml.index("<dimension")
    end = xml.index("/>", start) + 2
    parts["xl/worksheets/sheet1.xml"] = (
        xml[:start] + '<dimension ref="A1:XFD1048576"/>' + xml[end:]
    ).encode()
    with zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    bomb = folder / "bomb.xlsx"
    row = '<row><c t="inlineStr"><is><t>张三</t></is></c></row>'
    body = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>" + row * 4_000_000 + "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, data)
        target.writestr("xl/worksheets/sheet1.xml", body)
    return {"lying_dimension": lying, "bomb": bomb}


# -- the children ------------------------------------------------------------------------------


def fresh_store(path: Path) -> Any:
    from caseworker.registry import demo, stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    store = open_store(sqlite_url(path), actor="benchmark")
    stations.initialise(
        store, demo.DEMO_STATION_CODE, demo.DEMO_STATION_NAME,
        list(demo._material()["places"]["villages"]),
    )  # fmt: skip
    return store


def child_import(file: Path, db: Path) -> dict[str, Any]:
    from caseworker.core import wall
    from caseworker.registry import spreadsheet

    store = fresh_store(db)
    store.dispose()
    shutil.copyfile(db, db.with_suffix(".before"))  # the floor starts from this very state
    locked = {"seconds": 0.0}
    transaction = store.transaction

    @contextlib.contextmanager
    def timed_transaction(*args: Any, **kwargs: Any) -> Iterator[Any]:
        began = time.perf_counter()
        try:
            with transaction(*args, **kwargs) as session:
                yield session
        finally:
            locked["seconds"] += time.perf_counter() - began

    store.transaction = timed_transaction  # type: ignore[method-assign]
    with wall.use(wall.FixedWall.on(TODAY)):
        cpu = time.process_time()
        started = time.perf_counter()
        with spreadsheet.check_file(store, file) as staged:
            checked = time.perf_counter()
            report = spreadsheet.write_staged(store, staged)
            written = time.perf_counter()
        cpu = time.process_time() - cpu
    store.dispose()
    return {
        "cpu_seconds": round(cpu, 2),
        "rows": report.rows,
        "imported": report.imported,
        "rejected": report.rejected_count,
        "households": report.households_created,
        "household_members": report.household_members_added,
        "seconds": round(written - started, 2),
        "check_seconds": round(checked - started, 2),
        "write_seconds": round(written - checked, 2),
        "write_lock_seconds": round(locked["seconds"], 2),
    }


def child_refuse(file: Path, db: Path) -> dict[str, Any]:
    from caseworker.core.errors import UserError
    from caseworker.registry import spreadsheet

    store = fresh_store(db)
    started = time.perf_counter()
    try:
        spreadsheet.import_persons(store, file)
        outcome = "imported"
    except UserError as exc:
        outcome = str(exc)
    store.dispose()
    return {"seconds": round(time.perf_counter() - started, 2), "outcome": outcome}


def child_floor(imported: Path, db: Path) -> dict[str, Any]:
    """Insert the imported rows into the database as it was before the import, raw."""
    from sqlalchemy import create_engine

    from caseworker.registry import importing, search

    shutil.copyfile(imported.with_suffix(".before"), db)
    with sqlite3.connect(db) as empty:
        before_seq = empty.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]
    empty.close()
    source = sqlite3.connect(imported)
    tables = (
        "change_log", "person", "employment_episode", "household", "household_member",
        "zero_employment_episode",
    )  # fmt: skip
    data: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for table in tables:
        only = "WHERE seq > ?" if table == "change_log" else ""
        cursor = source.execute(
            f"SELECT * FROM {table} {only} ORDER BY rowid", (before_seq,) if only else ()
        )
        data[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    source.close()
    target = sqlite3.connect(db, isolation_level=None)
    target.execute("PRAGMA foreign_keys = ON")
    target.execute("PRAGMA synchronous = FULL")
    target.execute(f"PRAGMA cache_size = -{importing.IMPORT_CACHE_KIB}")  # as the import's
    # the search index is kept by the very code the import uses (search.bulk_load), so the
    # floor builds the same index the same way, whatever version of it is current
    engine = create_engine("sqlite://", creator=lambda: target)
    cpu = time.process_time()
    started = time.perf_counter()
    with engine.connect() as connection:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        with search.bulk_load(connection):
            for table in tables:
                columns, rows = data[table]
                if table == "change_log":
                    columns = [c for c in columns if c != "seq"]
                    index = [i for i, c in enumerate(data[table][0]) if c != "seq"]
                    rows = [tuple(r[i] for i in index) for r in rows]
                marks = ", ".join("?" * len(columns))
                target.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                )
        connection.exec_driver_sql("COMMIT")
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    count = target.execute("SELECT count(*) FROM person").fetchone()[0]
    target.close()
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "persons": count}


def run_child(kind: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"child {kind} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def peak_mb() -> float:
    """This process's peak resident memory.  VmHWM, not ru_maxrss: Linux carries the parent's
    high-water mark into ru_maxrss across fork and exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child_main(kind: str, args: list[str]) -> None:
    handlers = {"import": child_import, "refuse": child_refuse, "floor": child_floor}
    result = handlers[kind](Path(args[0]), Path(args[1]))
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--households", action="store_true", help="with 户编号 and 与户主关系")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        child_main(args.child[0], args.child[1:])
        return
    formats = [f for f in args.formats.split(",") if f]
    files = build_files(args.rows, args.households)
    small = build_files(args.small, args.households)
    result: dict[str, Any] = {"rows": args.rows, "households": args.households, "targets": {
        "seconds": TARGET_SECONDS, "ratio_to_floor": TARGET_RATIO, "peak_mb": TARGET_PEAK_MB,
    }}  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        floor_source: Path | None = None
        for kind in formats:
            db = folder / f"{kind}.sqlite3"
            result[kind] = run_child("import", str(files[kind]), str(db))
            result[f"{kind}_{args.small}_rows"] = run_child(
                "import", str(small[kind]), str(folder / f"{kind}-small.sqlite3")
            )
            floor_source = floor_source or db
        assert floor_source is not None
        result["floor"] = run_child("floor", str(floor_source), str(folder / "floor.sqlite3"))
        for name, path in build_hostile(folder).items():
            result[name] = run_child("refuse", str(path), str(folder / f"{name}.sqlite3"))
            result[name]["file_kb"] = round(path.stat().st_size / 1024, 1)
        shutil.rmtree(folder, ignore_errors=True)
    floor = max(result["floor"]["seconds"], 0.01)
    floor_cpu = max(result["floor"]["cpu_seconds"], 0.01)
    met = True
    for kind in formats:
        entry = result[kind]
        entry["ratio_to_floor"] = round(entry["seconds"] / floor, 2)
        entry["cpu_ratio_to_floor"] = round(entry["cpu_seconds"] / floor_cpu, 2)
        met &= entry["seconds"] < TARGET_SECONDS and entry["ratio_to_floor"] <= TARGET_RATIO
        met &= entry["imported"] == args.rows
    peaks = [  # the program's runs (the floor holds all its rows in memory on purpose)
        v["peak_mb"] for k, v in result.items() if isinstance(v, dict) and "peak_mb" in v
        and k not in ("floor", "targets")
    ]  # fmt: skip
    result["peak_mb_max"] = max(peaks)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    met &= result["peak_mb_max"] < TARGET_PEAK_MB
    result["met"] = bool(met)
    result["cpu_count"] = os.cpu_count()
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
