"""Shared fixtures: a fresh station database per test, messages in English."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("CASEWORKER_DB", raising=False)
    monkeypatch.setenv("CASEWORKER_LANG", "en")  # tests assert English messages unless they ask


@pytest.fixture(autouse=True)
def _cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at a small cost (the stored parameters travel with each hash and key)."""
    from caseworker.security import passwords

    monkeypatch.setattr(passwords, "COST", passwords.Cost(time=1, memory_kib=8 * 1024, lanes=1))
    monkeypatch.delenv("CASEWORKER_PASSWORD", raising=False)
    monkeypatch.delenv("CASEWORKER_NEW_PASSWORD", raising=False)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    from caseworker import i18n

    previous = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(previous)


@pytest.fixture(autouse=True)
def _own_wall() -> Iterator[None]:
    """Each test ends with the clock it started with: a command run in a test installs the
    date of ``$CASEWORKER_TODAY`` for the process, which must not leak into later tests."""
    from caseworker.core import wall

    previous = wall.current()
    yield
    wall.install(previous)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "station.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[object]:
    from caseworker.registry import stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    s = open_store(sqlite_url(db_path), actor="tester")
    stations.initialise(s, "650102001", "燕儿窝街道就业服务站", ["南湖社区", "红旗村", "团结村"])
    yield s
    s.dispose()


# ---------------------------------------------------------------------------------------------
# A throwaway PostgreSQL server (the county's database in the tests)
# ---------------------------------------------------------------------------------------------


def _pg_binaries() -> tuple[str, str]:
    found = [shutil.which("initdb"), shutil.which("pg_ctl")]
    if None in found:
        for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
            initdb, pg_ctl = Path(directory) / "initdb", Path(directory) / "pg_ctl"
            if initdb.exists() and pg_ctl.exists():
                found = [str(initdb), str(pg_ctl)]
                break
    if None in found:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in "
            "/usr/lib/postgresql/*/bin: install postgresql (for example apt-get install "
            "postgresql) to run the PostgreSQL migration test; CI installs it."
        )
    return str(found[0]), str(found[1])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway cluster on a unix socket in a temporary directory; its URL."""
    initdb, pg_ctl = _pg_binaries()
    prefix: list[str] = []
    base = tmp_path
    if os.geteuid() == 0:  # initdb refuses root: run the server as an unprivileged user
        user = "postgres"
        try:
            pwd.getpwnam(user)
        except KeyError:
            user = "nobody"
        prefix = ["runuser", "-u", user, "--"]
        # pytest's temporary directories are private to root; use one the user can enter.
        base = Path(tempfile.mkdtemp(prefix="caseworker-pg-"))
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    data, sockets, log = base / "data", base / "sock", base / "server.log"
    sockets.mkdir()
    if prefix:
        os.chown(sockets, pwd.getpwnam(prefix[2]).pw_uid, -1)
    port = _free_port()

    def run(*args: str) -> None:
        result = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            server_log = log.read_text() if log.exists() else ""
            pytest.fail(f"{args[0]} failed: {result.stdout}\n{result.stderr}\n{server_log}")

    run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
    options = f"-k {sockets} -p {port} -c listen_addresses='' -c fsync=off"
    run(pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={sockets}&port={port}"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        if base != tmp_path:
            shutil.rmtree(base, ignore_errors=True)
