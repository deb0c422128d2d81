"""Search latency on a 100,000-person station database: the registry list and ``persons list``,
each beside the same answer hand-written in raw SQLite on the same file (the floor).

    python benchmarks/search.py [--persons 100000] [--rounds 5]

The database is built once with ``caseworker demo --persons N`` and cached in
``benchmarks/out/`` (git-ignored).  For each query of a fixed mix the benchmark times, in turn:

- ``gui``: what the registry list runs on each keystroke (``ListController.run_now``): a
  reading session and ``person_query.fetch_ids``, every matching id in display order;
- ``gui_floor``: the same ids, in the same order, from hand-written SQL through ``sqlite3``;
- ``cli``: what ``caseworker persons list QUERY`` runs (``commands.persons.list_persons``,
  its first 50 rows with the village name);
- ``cli_floor``: the same rows from hand-written SQL.

Each product answer is checked against its floor.  The empty search box (everyone) is timed
apart from the mix.  Prints JSON: p50/p95/max in milliseconds per path, wall-clock (what a
user waits) and CPU time of the process (which tells waiting for a core apart from slow work;
the load average before and after is printed too), the p95 ratio of each path to its floor,
the slowest queries, and the targets (wall-clock p95 under 20 ms, within 2x of the floor).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
QUERIES = [
    "张", "马", "买", "古丽", "买提", "热合", "阿不都", "吐尔逊", "张伟", "娜尔·",
    "zs", "wf", "abd", "gl", "mmt", "zhangwei", "maimaiti", "guli", "abudu", "yeerlan",
    "6501", "19850", "1234", "5678", "139", "1899", "0601", "65310119",
]  # fmt: skip
CLI_LIMIT = 50  # the default of ``persons list --limit``
TARGET_P95_MS = 20.0
TARGET_RATIO = 2.0


def build(persons: int) -> Path:
    """The cached database of ``persons`` demo persons, made by ``caseworker demo``; rebuilt
    when it was made by an older schema (opening it would migrate a copy of it first)."""
    from caseworker.store.migrate import HEAD_REVISION

    path = OUT / f"search-{persons}.sqlite3"
    if path.exists():
        with sqlite3.connect(path) as connection:
            (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        connection.close()
        if revision == HEAD_REVISION:
            return path
        path.unlink()
    OUT.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    command = [sys.executable, "-m", "caseworker", "--db", str(partial)]
    station = ["init", "--code", "650102001", "--name", "燕儿窝街道就业服务站"]
    villages = ["--villages", "南湖社区,红旗村,团结村"]
    # only init makes a new file (demo refuses a path where there is none)
    subprocess.run([*command, *station, *villages], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*command, "demo", "--persons", str(persons)], check=True, stdout=subprocess.DEVNULL
    )
    partial.rename(path)
    print(f"built {path} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


# ---------------------------------------------------------------------------------------------
# The floor: the same answers, hand-written for the kinds of query in the mix
# ---------------------------------------------------------------------------------------------


def floor_sql(query: str) -> tuple[str, str, str, tuple[object, ...]]:
    """(FROM, WHERE, rank, parameters of WHERE then rank) for one name, pinyin or number
    query, on the search index (``person_fts_list`` and the FTS5 tables keyed by its ``k``),
    or on ``person`` for the empty query."""
    q = query.strip()
    if not q:
        return "person l", "l.deleted = 0", "", ()
    if re.fullmatch(r"[\u3400-\u9fff·]+", q):  # Chinese characters, maybe a middle dot
        runs = [" ".join(run) for run in re.findall(r"[\u3400-\u9fff]+", q)]
        fts, match = "person_fts", " AND ".join(f'"{run}"' for run in runs)
        rank = "CASE WHEN l.name = ? THEN 1 WHEN substr(l.name, 1, ?) = ? THEN 2 ELSE 7 END"
        params: tuple[object, ...] = (q, len(q), q)
    elif re.fullmatch(r"[a-z]+", q):
        fts, match = "person_fts", f'"{q}"*'
        rank = (
            "CASE WHEN substr(l.name_initials, 1, ?) = ? THEN 3 "
            "WHEN substr(l.name_pinyin, 1, ?) = ? THEN 4 ELSE 7 END"
        )
        params = (len(q), q, len(q), q)
    elif re.fullmatch(r"[0-9]{3,}", q):
        fts, match = "person_fts_digits", f'"{q}"'
        rank = (
            "CASE WHEN l.id_number = ? THEN 0 WHEN substr(l.id_number, 1, ?) = ? THEN 5 "
            "WHEN substr(l.phone, 1, ?) = ? THEN 6 ELSE 7 END"
        )
        params = (q, len(q), q, len(q), q)
    else:
        raise ValueError(f"the floor has no SQL for {query!r}")
    return (
        f"{fts} JOIN person_fts_list l ON l.k = {fts}.rowid",
        f"{fts} MATCH ? AND l.deleted = 0",
        rank,
        (match, *params),
    )


def floor_ids(connection: sqlite3.Connection, query: str) -> bytes:
    source, where, rank, params = floor_sql(query)
    sql = (
        "SELECT group_concat(id, '') FROM (SELECT l.id FROM "
        f"{source} WHERE {where} ORDER BY {rank + ', ' if rank else ''}l.name_pinyin, l.id_number)"
    )
    return bytes.fromhex(connection.execute(sql, params).fetchone()[0] or "")


def floor_rows(connection: sqlite3.Connection, query: str) -> list[tuple[Any, ...]]:
    source, where, rank, params = floor_sql(query)
    sql = (
        f"WITH hits AS (SELECT l.id, {rank} AS r, l.name_pinyin AS py, l.id_number AS no "
        f"FROM {source} WHERE {where} ORDER BY r, py, no LIMIT ?) "
        "SELECT p.id, p.name, p.name_native, p.sex, p.birth_date, p.id_number, p.phone, "
        "p.village_id, coalesce(v.name, '') FROM hits JOIN person p ON p.id = hits.id "
        "LEFT JOIN village v ON v.id = p.village_id ORDER BY hits.r, hits.py, hits.no"
    )
    # placeholders: the rank (in the SELECT list), then WHERE, then LIMIT
    ordered = (*params[1:], *params[:1]) if params else ()
    return connection.execute(sql, (*ordered, CLI_LIMIT)).fetchall()


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(values, 95), 2),
        "max": round(max(values), 2),
    }


def timed(function: Callable[[str], object], query: str) -> tuple[float, float, object]:
    """(wall milliseconds, CPU milliseconds of this process, result) of ``function(query)``."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(query)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    path = build(args.persons)
    load_before = os.getloadavg()[0]

    from caseworker.commands.persons import list_persons
    from caseworker.gui.models import person_query
    from caseworker.gui.models.ids import IdList
    from caseworker.gui.models.listing import ListQuery
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    store = open_store(sqlite_url(path))
    raw = sqlite3.connect(path)

    def gui(q: str) -> IdList:
        with store.reading() as session:  # as ListController.run_now does, off the GUI thread
            return person_query.fetch_ids(session, ListQuery(text=q))

    def cli(q: str) -> list[tuple[Any, ...]]:
        with store.reading() as session:
            hits = list_persons(session, q, limit=CLI_LIMIT)
        return [
            (h.id.hex, h.name, h.name_native, h.sex, h.birth_date.isoformat(), h.id_number,
             h.phone, h.village_id.hex if h.village_id else None, h.village)
            for h in hits
        ]  # fmt: skip

    paths: dict[str, Callable[[str], object]] = {
        "gui": gui,
        "gui_floor": lambda q: floor_ids(raw, q),
        "cli": cli,
        "cli_floor": lambda q: floor_rows(raw, q),
    }
    times: dict[str, list[float]] = {name: [] for name in paths}
    cpu_times: dict[str, list[float]] = {name: [] for name in paths}
    per_query: dict[str, dict[str, list[float]]] = {q: {n: [] for n in paths} for q in QUERIES}
    everyone: dict[str, list[float]] = {"gui": [], "gui_floor": []}
    for warm_up in (True, *([False] * args.rounds)):
        for q in QUERIES:
            answers: dict[str, object] = {}
            for name, run in paths.items():  # in turn, so that load on the machine hits all
                elapsed, cpu, answers[name] = timed(run, q)
                if not warm_up:
                    times[name].append(elapsed)
                    cpu_times[name].append(cpu)
                    per_query[q][name].append(elapsed)
            if warm_up:
                ids, floor = answers["gui"], answers["gui_floor"]
                if not (isinstance(ids, IdList) and isinstance(floor, bytes)):
                    raise TypeError(q)
                if list(ids) != list(IdList(floor)):
                    raise SystemExit(f"the list and its floor answer {q!r} differently")
                if answers["cli"] != answers["cli_floor"]:
                    raise SystemExit(f"the CLI and its floor answer {q!r} differently")
        for name, values in everyone.items():
            elapsed, _cpu, _ids = timed(paths[name], "")
            if not warm_up:
                values.append(elapsed)
    store.dispose()
    raw.close()

    result: dict[str, Any] = {
        "persons": args.persons,
        "queries": len(QUERIES),
        "rounds": args.rounds,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "ms": {name: summary(values) for name, values in times.items()},
        "cpu_ms": {name: summary(values) for name, values in cpu_times.items()},
    }
    ratios = {
        path: round(result["ms"][path]["p95"] / result["ms"][f"{path}_floor"]["p95"], 2)
        for path in ("gui", "cli")
    }
    result["ratio_p95"] = ratios
    result["ratio_p95_cpu"] = {
        path: round(result["cpu_ms"][path]["p95"] / result["cpu_ms"][f"{path}_floor"]["p95"], 2)
        for path in ("gui", "cli")
    }
    result["slowest_gui_queries_median_ms"] = dict(
        sorted(
            ((q, round(statistics.median(v["gui"]), 1)) for q, v in per_query.items()),
            key=lambda item: -item[1],
        )[:4]
    )
    result["everyone_gui_ms"] = {name: summary(values) for name, values in everyone.items()}
    result["targets"] = {"p95_ms": TARGET_P95_MS, "ratio_p95": TARGET_RATIO}
    result["meets_targets"] = all(
        result["ms"][path]["p95"] < TARGET_P95_MS and ratios[path] <= TARGET_RATIO
        for path in ("gui", "cli")
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
