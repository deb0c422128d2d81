"""Search latency on a 100,000-person station database, beside raw SQLite on the same file.

    python benchmarks/search.py [--persons 100000] [--rounds 5]

Builds (once, cached in benchmarks/out/) a database with ``caseworker demo``, then runs a
fixed query mix through the registry search (the code the GUI and CLI use: ranked ids, then
the rows) and the same lookups as hand-written SQL through the sqlite3 module (the floor).
Prints JSON: p50/p95 in milliseconds for each, their ratio, and the targets.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from caseworker.registry import demo, search
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store

OUT = Path(__file__).resolve().parent / "out"
QUERIES = [
    "张", "马", "买", "古丽", "买提", "热合", "阿不都", "吐尔逊", "张伟", "娜尔·",
    "zs", "wf", "abd", "gl", "mmt", "zhangwei", "maimaiti", "guli", "abudu", "yeerlan",
    "6501", "19850", "1234", "5678", "139", "1899", "0601", "65310119",
]  # fmt: skip


def build(persons: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"search-{persons}.sqlite3"
    if not path.exists():
        store = open_store(sqlite_url(path))
        started = time.perf_counter()
        demo.generate(store, persons=persons, seed=1)
        print(f"built {path} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        store.dispose()
    return path


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_caseworker(path: Path, queries: list[str], rounds: int) -> list[float]:
    store = open_store(sqlite_url(path))
    times: list[float] = []
    with store.reading() as session:
        for q in queries:  # warm up
            search.search(session, q)
        for _ in range(rounds):
            for q in queries:
                started = time.perf_counter()
                search.search(session, q)
                times.append((time.perf_counter() - started) * 1000)
    store.dispose()
    return times


TOP = "\U0010ffff"


def floor_search(
    connection: sqlite3.Connection, q: str, limit: int = 200
) -> list[tuple[object, ...]]:
    """The same tiered lookups as the registry search, as hand-written SQL."""
    parsed = search.parse_query(q)
    found: list[str] = []
    seen: set[str] = set()

    def take(rows: list[tuple[str]]) -> None:
        for (pid,) in rows:
            if pid not in seen and len(found) < limit:
                seen.add(pid)
                found.append(pid)

    tiers: list[tuple[str, tuple[object, ...]]] = []
    if len(parsed.cjk) == 1 and not (parsed.latin or parsed.digits):
        tiers = [
            ("name = ?", (parsed.raw,), "id_number"),
            ("name >= ? AND name < ?", (parsed.raw, parsed.raw + TOP), "name"),
        ]
    elif len(parsed.latin) == 1 and not (parsed.cjk or parsed.digits):
        r = parsed.latin[0]
        tiers = [
            ("name_initials >= ? AND name_initials < ?", (r, r + TOP), "name_initials"),
            ("name_pinyin >= ? AND name_pinyin < ?", (r, r + TOP), "name_pinyin"),
        ]
    elif len(parsed.digits) == 1 and not (parsed.cjk or parsed.latin):
        r = parsed.digits[0]
        tiers = [
            ("id_number = ?", (r,), "id_number"),
            ("id_number >= ? AND id_number < ?", (r, r + TOP), "id_number"),
            ("phone >= ? AND phone < ?", (r, r + TOP), "phone"),
        ]
    for where, params, order in tiers:
        take(
            connection.execute(
                f"SELECT id FROM person WHERE {where} AND deleted = 0 ORDER BY {order} LIMIT ?",
                (*params, limit),
            ).fetchall()
        )
    if len(found) < limit:
        if parsed.cjk or parsed.latin:
            terms = [f'"{" ".join(run)}"' for run in parsed.cjk] + [
                f'"{run}"*' for run in parsed.latin
            ]
            sql = (
                "SELECT p.id FROM person_fts f JOIN person p ON p.rowid = f.rowid "
                "WHERE person_fts MATCH ? AND p.deleted = 0 LIMIT ?"
            )
            take(connection.execute(sql, (" AND ".join(terms), limit + len(found))).fetchall())
        else:
            sql = (
                "SELECT p.id FROM person_fts_digits f JOIN person p ON p.rowid = f.rowid "
                "WHERE person_fts_digits MATCH ? AND p.deleted = 0 LIMIT ?"
            )
            take(connection.execute(sql, (f'"{parsed.digits[0]}"', limit + len(found))).fetchall())
    marks = ",".join("?" for _ in found)
    return connection.execute(
        "SELECT id, name, name_native, sex, birth_date, id_number, phone, village_id "
        f"FROM person WHERE id IN ({marks})",
        found,
    ).fetchall()


def time_floor(path: Path, queries: list[str], rounds: int) -> list[float]:
    connection = sqlite3.connect(path)
    for q in queries:
        floor_search(connection, q)
    times: list[float] = []
    for _ in range(rounds):
        for q in queries:
            started = time.perf_counter()
            floor_search(connection, q)
            times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    path = build(args.persons)
    ours = time_caseworker(path, QUERIES, args.rounds)
    floor = time_floor(path, QUERIES, args.rounds)
    result = {
        "persons": args.persons,
        "queries": len(QUERIES),
        "rounds": args.rounds,
        "caseworker_ms": {
            "p50": round(statistics.median(ours), 2),
            "p95": round(percentile(ours, 95), 2),
        },
        "raw_sqlite_ms": {
            "p50": round(statistics.median(floor), 2),
            "p95": round(percentile(floor, 95), 2),
        },
    }
    result["ratio_p95"] = round(result["caseworker_ms"]["p95"] / result["raw_sqlite_ms"]["p95"], 2)
    result["targets"] = {"p95_ms": 20, "ratio_p95": 2.0}
    result["meets_targets"] = result["caseworker_ms"]["p95"] < 20 and result["ratio_p95"] <= 2.0
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
