"""Encryption at rest, measured: the 100,000-person station encrypted beside the same station
plain (the floor).

    python benchmarks/encryption.py [--persons 100000] [--rounds 3]

The plain database is the one ``benchmarks/search.py`` builds (``caseworker demo``, cached in
``benchmarks/out/``); its encrypted twin is made from it with the code ``caseworker encrypt``
runs (:func:`caseworker.security.encryption.encrypt_file`), with a key file and an
administrator account.  Then, in turn for the two files:

- ``open``: what the program does after the login: the store opened with its key
  (:func:`caseworker.store.migrate.open_store`: the schema check, the device binding, the
  settings) and the first page of the registry list (``person_query.fetch_ids`` of everyone);
- ``login``: the whole :func:`caseworker.security.login.open_as` with the name and password
  (for the encrypted file this adds unwrapping the key: argon2id, slow on purpose, the same
  whatever the size of the station);
- ``search``: the registry list's query on each keystroke and ``persons list`` (the mix of
  ``benchmarks/search.py``), p50/p95/max.

Prints JSON: milliseconds per path and file, the ratios encrypted/plain, and the target (the
encrypted open and search p95 within 1.5x of the plain ones).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import CLI_LIMIT, OUT, QUERIES, build, summary

TARGET_RATIO = 1.5
PASSWORD = "benchmark pass 1"
ADMIN = "管理员"


def encrypted_twin(plain: Path) -> Path:
    """The encrypted copy of ``plain`` with a key file and an administrator (cached)."""
    from caseworker.security import accounts, encryption, keys
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    path = OUT / (plain.stem + "-encrypted.sqlite3")
    envelope_file = keys.envelope_path(path)
    if path.exists() and envelope_file.exists() and path.stat().st_mtime > plain.stat().st_mtime:
        return path
    path.unlink(missing_ok=True)
    key = keys.new_key()
    encryption.encrypt_file(plain, path, key)
    envelope = keys.Envelope.new(key)
    envelope.wrap_for(ADMIN, PASSWORD, key)
    envelope.save(envelope_file)
    store = open_store(sqlite_url(path), key=key)
    try:
        accounts.add(store, ADMIN, "admin,head", PASSWORD)
    finally:
        store.dispose()
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    plain_path = build(args.persons)
    secret_path = encrypted_twin(plain_path)
    load_before = os.getloadavg()[0]

    from caseworker.commands.persons import list_persons
    from caseworker.gui.models import person_query
    from caseworker.gui.models.listing import ListQuery
    from caseworker.security import keys
    from caseworker.security.login import Credentials, open_as
    from caseworker.security.throttle import Throttle
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    envelope = keys.Envelope.load(keys.envelope_path(secret_path))
    assert envelope is not None
    key = envelope.unwrap(ADMIN, PASSWORD)
    files: dict[str, tuple[Path, bytes | None, Credentials | None]] = {
        "plain": (plain_path, None, None),
        "encrypted": (secret_path, key, Credentials(ADMIN, lambda: PASSWORD)),
    }

    def first_page(store: Any) -> int:
        with store.reading() as session:
            return len(person_query.fetch_ids(session, ListQuery(text="")))

    opened: dict[str, list[float]] = {name: [] for name in files}
    logins: dict[str, list[float]] = {name: [] for name in files}
    for warm_up in (True, *([False] * args.rounds)):
        for name, (path, file_key, credentials) in files.items():
            started = time.perf_counter()
            store = open_store(sqlite_url(path), key=file_key)
            count = first_page(store)
            elapsed = (time.perf_counter() - started) * 1000
            store.dispose()
            started = time.perf_counter()
            store = open_as(sqlite_url(path), credentials, throttle=Throttle(None))
            login_ms = (time.perf_counter() - started) * 1000
            store.dispose()
            if count != args.persons and warm_up:
                print(f"{name}: {count} persons listed", file=sys.stderr)
            if not warm_up:
                opened[name].append(elapsed)
                logins[name].append(login_ms)

    stores = {name: open_store(sqlite_url(p), key=k) for name, (p, k, _c) in files.items()}

    def gui(store: Any, q: str) -> object:
        with store.reading() as session:
            return list(person_query.fetch_ids(session, ListQuery(text=q)))

    def cli(store: Any, q: str) -> object:
        with store.reading() as session:
            return [h.id for h in list_persons(session, q, limit=CLI_LIMIT)]

    searches: dict[str, dict[str, list[float]]] = {name: {"gui": [], "cli": []} for name in files}
    for warm_up in (True, *([False] * args.rounds)):
        for q in QUERIES:
            answers: dict[tuple[str, str], object] = {}
            for kind, run in (("gui", gui), ("cli", cli)):
                for name, store in stores.items():  # in turn: load hits both alike
                    started = time.perf_counter()
                    answers[(name, kind)] = run(store, q)
                    elapsed = (time.perf_counter() - started) * 1000
                    if not warm_up:
                        searches[name][kind].append(elapsed)
                if answers[("plain", kind)] != answers[("encrypted", kind)]:
                    raise SystemExit(f"the encrypted file answers {q!r} differently")
    for store in stores.values():
        store.dispose()

    def ratio(a: float, b: float) -> float:
        return round(a / b, 2) if b else 0.0

    result: dict[str, Any] = {
        "persons": args.persons,
        "rounds": args.rounds,
        "queries": len(QUERIES),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "file_mb": {
            name: round(path.stat().st_size / 1e6, 1) for name, (path, _k, _c) in files.items()
        },
        "open_ms": {name: round(statistics.median(v), 1) for name, v in opened.items()},
        "login_ms": {name: round(statistics.median(v), 1) for name, v in logins.items()},
        "search_ms": {
            name: {kind: summary(values) for kind, values in kinds.items()}
            for name, kinds in searches.items()
        },
    }
    plain, secret = result["search_ms"]["plain"], result["search_ms"]["encrypted"]
    result["ratio"] = {
        "open": ratio(result["open_ms"]["encrypted"], result["open_ms"]["plain"]),
        "search_p95_gui": ratio(secret["gui"]["p95"], plain["gui"]["p95"]),
        "search_p95_cli": ratio(secret["cli"]["p95"], plain["cli"]["p95"]),
    }
    result["target_ratio"] = TARGET_RATIO
    result["meets_target"] = all(v <= TARGET_RATIO for v in result["ratio"].values())
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
