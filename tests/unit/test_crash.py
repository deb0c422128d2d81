"""Crash safety: a process writing in a loop is killed with SIGKILL at random moments, again
and again.  Every time the file passes SQLite's integrity check, every change the writer saw
committed is there with its change-log rows, and the audit chain verifies."""

from __future__ import annotations

import os
import random
import select as io_select
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseworker.core import names
from caseworker.registry import demo, persons, stations
from caseworker.store import audit
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import ChangeLog, Person
from tests.helpers import make_id

KILLS = 50


def _writer(path: Path, out: int, start: int) -> None:
    """The child: write forever, reporting each commit on ``out`` after it returns."""
    store = open_store(sqlite_url(path), actor="写入者")
    n = start
    while True:
        n += 1
        if n % 4 == 3:  # every fourth write is a bulk chunk
            demo.generate(store, persons=20, seed=n)
            os.write(out, b"demo\n")
            continue
        number = make_id(seq=n % 1000, division=f"6501{n // 1000 % 100:02d}")
        with store.transaction() as session:
            data = persons.validate({"name": "张三", "id_number": number, "phone": "13899998888"})
            person = persons.register(session, data).person
            persons.change(session, person.id, notes=f"第{n}次")
        os.write(out, f"{number}\n".encode())


def _run_and_kill(path: Path, start: int, rng: random.Random) -> list[str]:
    """Start a writer, let it commit a random number of writes (0 to 6: on a busy machine a
    fixed delay may end before the first), then kill it at a random moment of the next."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_end)
        try:
            _writer(path, write_end, start)
        finally:
            os._exit(0)
    os.close(write_end)
    wanted = rng.randint(0, 6)
    received = b""
    deadline = time.monotonic() + 120
    while received.count(b"\n") < wanted and time.monotonic() < deadline:
        ready, _w, _x = io_select.select([read_end], [], [], 1.0)
        if ready:
            chunk = os.read(read_end, 4096)
            if not chunk:
                break
            received += chunk
    time.sleep(rng.uniform(0.0, 0.15))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as pipe:
        lines = (received + pipe.read()).decode().split("\n")
    return [line for line in lines[:-1] if line]  # the last piece may be half a line


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() to kill a writer mid-write")
def test_sigkill_at_random_moments_never_loses_a_commit(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    setup = open_store(sqlite_url(path), actor="写入者")
    stations.initialise(setup, "650102001", "测试站", ["红旗村"])
    setup.dispose()
    # load what the writer needs once (pinyin dictionaries, demo names), so that every forked
    # writer starts writing at once instead of loading for a second
    names.reading("张三")
    warm = open_store(sqlite_url(tmp_path / "warm.sqlite3"))
    demo.generate(warm, persons=1)
    warm.dispose()
    rng = random.Random(20261128)
    committed: list[str] = []
    demo_runs = 0
    for kill in range(KILLS):
        reported = _run_and_kill(path, kill * 1000, rng)
        committed += [r for r in reported if r != "demo"]
        demo_runs += reported.count("demo")
        raw = sqlite3.connect(path)
        try:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",), kill
        finally:
            raw.close()
        store = open_store(sqlite_url(path))
        try:
            with store.reading() as session:
                found = set(session.scalars(select(Person.id_number)))
                missing = [c for c in committed if c not in found]
                assert not missing, (kill, missing[:3])
                logged = session.scalar(
                    select(func.count(func.distinct(ChangeLog.entity_id))).where(
                        ChangeLog.entity == "person", ChangeLog.op == "insert"
                    )
                )
                assert logged == len(found)
                report = audit.verify(session)
                assert report.ok, (kill, report.problems[:3])
        finally:
            store.dispose()
    # the writers really got work done between kills (the machine may be busy: a loose bound)
    assert len(committed) >= 10
    assert demo_runs >= 3
