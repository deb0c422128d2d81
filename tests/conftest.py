"""Shared fixtures: a fresh station database per test, messages in English."""

from __future__ import annotations

import os
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
