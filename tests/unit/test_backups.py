"""Backups that restore: automatic backups and their rotation, restore of a good backup, and
refusal of a damaged or tampered one with nothing replaced."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseworker.cli import main
from caseworker.core import wall
from caseworker.security import backups, encryption, keys
from caseworker.store import audit
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import ChangeLog, Person
from tests.helpers import make_id, register

UTC8 = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int) -> Any:
    return wall.use(wall.FixedWall(dt.datetime.combine(day, dt.time(hour), tzinfo=UTC8), UTC8))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def names(store: Any) -> list[str]:
    with store.reading() as session:
        return sorted(session.scalars(select(Person.name)))


def test_automatic_backups_every_few_hours_and_their_rotation(store: Any, db_path: Path) -> None:
    store.set_setting(backups.DAILY_KEY, "3")
    store.set_setting(backups.WEEKLY_KEY, "2")
    start = dt.date(2024, 9, 2)  # a Monday
    made = []
    for offset in range(21):  # three weeks, twice a day
        day = start + dt.timedelta(days=offset)
        for hour in (9, 11, 15):
            with at(day, hour):
                made.append(backups.auto(store))
    # 11 o'clock is only 2 hours after 9: no backup then
    assert sum(m is not None for m in made) == 42
    kept = [(b.made, b.reason) for b in backups.list_backups(db_path)]
    assert kept == [
        (dt.datetime(2024, 9, 22, 15), "auto"),  # the last three days
        (dt.datetime(2024, 9, 21, 15), "auto"),
        (dt.datetime(2024, 9, 20, 15), "auto"),
        # the newest of the week before (the current week's newest is the 22nd's)
        (dt.datetime(2024, 9, 15, 15), "auto"),
    ]
    for backup in backups.list_backups(db_path):
        assert sqlite3.connect(backup.path).execute("PRAGMA quick_check").fetchone() == ("ok",)


def test_rotation_never_removes_backups_made_for_another_reason(tmp_path: Path) -> None:
    database = tmp_path / "station.sqlite3"
    folder = tmp_path / "backups"
    folder.mkdir()
    for name in (
        "station-auto-20240901-090000.sqlite3",
        "station-auto-20240902-090000.sqlite3",
        "station-before-0012-20240801-090000.sqlite3",
        "station-manual-20240701-090000.sqlite3",
        "station-replaced-20240601-090000.sqlite3",
        "other-auto-20240901-090000.sqlite3",
    ):
        (folder / name).write_bytes(b"x")
    removed = backups.rotate(database, daily=1, weekly=0)
    assert [p.name for p in removed] == ["station-auto-20240901-090000.sqlite3"]
    assert {b.reason for b in backups.list_backups(database)} == {
        "auto", "before-0012", "manual", "replaced",
    }  # fmt: skip


def test_restore_of_a_good_backup(store: Any, db_path: Path) -> None:
    register(store, "张三丰", make_id(seq=101))
    backup = backups.make(store)
    register(store, "李四光", make_id(seq=102))
    device = store.device_id
    result = backups.restore(store, backup)
    assert result.device != device
    kept = open_store(sqlite_url(result.replaced), migrate=False)
    try:
        assert names(kept) == ["张三丰", "李四光"]  # the replaced file is kept whole
    finally:
        kept.dispose()
    again = open_store(sqlite_url(db_path), registry_path=store.registry_path)
    try:
        assert names(again) == ["张三丰"]
        assert again.device_id == result.device
        with again.reading() as session:
            assert audit.verify(session).ok
            ops = session.scalars(select(ChangeLog.op).where(ChangeLog.entity == "access")).all()
        assert list(ops) == ["backup", "restore"]
    finally:
        again.dispose()


def test_a_damaged_backup_is_refused_and_nothing_replaced(store: Any, db_path: Path) -> None:
    for seq in range(101, 140):
        register(store, "张三丰", make_id(seq=seq))
    backup = backups.make(store)
    data = bytearray(backup.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096
    backup.write_bytes(bytes(data))
    before = digest(db_path)
    with pytest.raises(backups.RestoreRefusedError, match="Nothing was replaced"):
        backups.restore(store, backup)
    assert digest(db_path) == before
    assert [b.reason for b in backups.list_backups(db_path)] == ["manual"]


def test_a_tampered_backup_is_refused_and_nothing_replaced(store: Any, db_path: Path) -> None:
    register(store, "张三丰", make_id(seq=101))
    backup = backups.make(store)
    with sqlite3.connect(backup) as connection:  # someone edits the copy behind the program
        connection.execute("DROP TRIGGER person_logged_update")
        connection.execute("UPDATE person SET name = '王二麻'")
    connection.close()
    before = digest(db_path)
    with pytest.raises(backups.RestoreRefusedError, match="change log does not match"):
        backups.restore(store, backup)
    assert digest(db_path) == before
    assert names(store) == ["张三丰"]


def test_an_encrypted_station_backs_up_and_restores_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    store = encryption.create_encrypted(sqlite_url(path), admin="王站长", password="admin pass 1")
    try:
        from caseworker.registry import stations

        stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["南湖社区"])
        register(store, "张三丰", make_id(seq=101))
        backup = backups.auto(store, force=True)
        assert backup is not None
        assert "张三丰".encode() not in backup.read_bytes()
        assert keys.envelope_path(backup).exists()
        register(store, "李四光", make_id(seq=102))
        backups.restore(store, backup)
    finally:
        store.dispose()
    envelope = keys.Envelope.load(keys.envelope_path(path))
    assert envelope is not None
    again = open_store(sqlite_url(path), key=envelope.unwrap("王站长", "admin pass 1"))
    try:
        assert names(again) == ["张三丰"]
    finally:
        again.dispose()


def test_backup_and_restore_commands(
    store: Any, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register(store, "张三丰", make_id(seq=101))
    store.dispose()
    target = tmp_path / "usb" / "copy.sqlite3"
    target.parent.mkdir()
    assert main(["--db", str(db_path), "backup", "-o", str(target)]) == 0
    assert target.exists()
    assert main(["--db", str(db_path), "restore", str(target)]) == 0
    out = capsys.readouterr().out
    assert "is restored, with the new device id" in out
    assert main(["--db", str(db_path), "restore", str(tmp_path / "missing.sqlite3")]) == 2
    assert "There is no file" in capsys.readouterr().err


def test_the_guard_settings_are_an_administrators_and_in_range(store: Any) -> None:
    from caseworker.core.errors import ValidationError
    from caseworker.security import accounts, guard_settings
    from caseworker.security.roles import NotAllowedError

    assert guard_settings.read(store) == guard_settings.GuardSettings(10, 4, 7, 4)
    accounts.add(store, "管理员", "admin", "admin pass 1")
    store.principal = accounts.authenticate(store, "管理员", "admin pass 1")
    accounts.add(store, "李娜", "caseworker", "lina pass 1")
    new = guard_settings.GuardSettings(
        lock_minutes=5, backup_hours=2, backup_daily=3, backup_weekly=0
    )
    with pytest.raises(ValidationError, match="out of range"):
        guard_settings.change(store, guard_settings.GuardSettings(backup_hours=0))
    guard_settings.change(store, new)
    assert guard_settings.read(store) == new
    store.principal = accounts.authenticate(store, "李娜", "lina pass 1")
    with pytest.raises(NotAllowedError):
        guard_settings.change(store, guard_settings.GuardSettings())
    assert guard_settings.read(store) == new
