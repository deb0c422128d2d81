"""Encryption at rest: wrapped keys, each account opens the file, the county's recovery key
opens it after every password is lost, and ``encrypt`` converts a plain file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseworker import bootstrap
from caseworker.core.errors import UserError
from caseworker.registry import stations
from caseworker.security import accounts, encryption, keys
from caseworker.security.login import Credentials
from caseworker.store import audit
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import ChangeLog, Person
from caseworker.store.uow import LoginRequiredError
from tests.helpers import make_id, register

ADMIN = "admin pass 1"


def login(path: Path, name: str, password: str) -> Any:
    bootstrap.login_delays().unlink(missing_ok=True)  # each test's wrong tries wait no longer
    return bootstrap.open_database(str(path), login=Credentials(name, lambda: password))


@pytest.fixture
def recovery() -> tuple[bytes, bytes]:
    return keys.new_recovery_pair()


@pytest.fixture
def encrypted(tmp_path: Path, recovery: tuple[bytes, bytes]) -> Path:
    path = tmp_path / "station.sqlite3"
    store = encryption.create_encrypted(
        sqlite_url(path), admin="王站长", password=ADMIN, recovery_public=recovery[1]
    )
    try:
        stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["南湖社区"])
        accounts.add(store, "王站长", "admin,head", ADMIN)
        store.principal = accounts.authenticate(store, "王站长", ADMIN)
        accounts.add(store, "李娜", "caseworker", "lina pass 1")
        accounts.add(store, "古丽", "caseworker", "guli pass 1")
        register(store, "张三丰", make_id(seq=101))
    finally:
        store.dispose()
    return path


def names(store: Any) -> list[str]:
    with store.reading() as session:
        return list(session.scalars(select(Person.name)))


def test_each_account_opens_the_file_with_its_own_password(encrypted: Path) -> None:
    for name, password in (("王站长", ADMIN), ("李娜", "lina pass 1"), ("古丽", "guli pass 1")):
        store = login(encrypted, name, password)
        try:
            assert names(store) == ["张三丰"]
            assert store.principal.name == name
        finally:
            store.dispose()
    with pytest.raises(keys.WrongPasswordError):
        login(encrypted, "李娜", "guli pass 1")  # another account's password


def test_without_the_key_the_file_is_unreadable(encrypted: Path) -> None:
    data = encrypted.read_bytes()
    assert not data.startswith(b"SQLite format 3")
    assert "张三丰".encode() not in data
    with pytest.raises(UserError, match=r"not a database|cannot be read"):
        open_store(sqlite_url(encrypted)).dispose()
    with pytest.raises(LoginRequiredError, match="encrypted: log in"):
        bootstrap.open_database(str(encrypted))
    envelope = encrypted.with_name("station.sqlite3.keys").read_text(encoding="ascii")
    assert "王站长" not in envelope  # names are escaped JSON, and no key is in the clear
    assert keys.fingerprint(b"\0" * 32) not in envelope


def test_the_recovery_key_opens_the_file_after_every_password_is_lost(
    encrypted: Path, recovery: tuple[bytes, bytes]
) -> None:
    with pytest.raises(keys.EnvelopeError, match="does not open"):
        encryption.recover(sqlite_url(encrypted), keys.new_recovery_pair()[0], "王站长", "x" * 9)
    encryption.recover(sqlite_url(encrypted), recovery[0], "王站长", "brand new pass")
    with pytest.raises(keys.WrongPasswordError):
        login(encrypted, "王站长", ADMIN)
    store = login(encrypted, "王站长", "brand new pass")
    try:
        assert names(store) == ["张三丰"]
        with store.reading() as session:
            assert audit.verify(session).ok
            staff = audit.staff_names(session)
            rows = session.execute(
                select(ChangeLog.actor_id, ChangeLog.field).where(ChangeLog.entity == "account")
            ).all()
        assert (encryption.RECOVERY_ACTOR, "password") in {(staff.get(a), f) for a, f in rows}
    finally:
        store.dispose()
    # the other accounts still open it with their own passwords
    login(encrypted, "李娜", "lina pass 1").dispose()


def test_a_disabled_account_loses_its_key(encrypted: Path) -> None:
    store = login(encrypted, "王站长", ADMIN)
    try:
        accounts.disable(store, "古丽")
    finally:
        store.dispose()
    envelope = keys.Envelope.load(keys.envelope_path(encrypted))
    assert envelope is not None
    assert "古丽" not in envelope.accounts
    with pytest.raises(keys.WrongPasswordError):
        login(encrypted, "古丽", "guli pass 1")


def test_encrypt_converts_a_plain_station_with_a_backup_first(
    store: Any, db_path: Path, recovery: tuple[bytes, bytes]
) -> None:
    register(store, "李四光", make_id(seq=102))
    accounts.add(store, "管理员", "admin", ADMIN)
    store.principal = accounts.authenticate(store, "管理员", ADMIN)
    accounts.add(store, "李娜", "caseworker", "lina pass 1")
    with pytest.raises(keys.WrongPasswordError):
        encryption.encrypt(store, password="not the password")
    result = encryption.encrypt(store, password=ADMIN, recovery_public=recovery[1])
    assert result.without_key == ["李娜"]
    assert result.backup is not None
    assert result.backup.exists()
    for path in (db_path, result.backup):
        data = path.read_bytes()
        assert "李四光".encode() not in data
        assert not data.startswith(b"SQLite format 3")
    again = login(db_path, "管理员", ADMIN)
    try:
        assert names(again) == ["李四光"]
        with again.reading() as session:
            assert audit.verify(session).ok
        accounts.reset_password(again, "李娜", "lina pass 2")
    finally:
        again.dispose()
    login(db_path, "李娜", "lina pass 2").dispose()
    # the backup made first opens with the same key (its envelope is beside it)
    backup_envelope = keys.Envelope.load(keys.envelope_path(result.backup))
    assert backup_envelope is not None
    key = backup_envelope.unwrap("管理员", ADMIN)
    copy = open_store(sqlite_url(result.backup), key=key, migrate=False)
    try:
        assert names(copy) == ["李四光"]
    finally:
        copy.dispose()


def test_encrypt_needs_an_administrator(store: Any) -> None:
    with pytest.raises(UserError, match="first administrator"):
        encryption.encrypt(store, password=ADMIN)


def test_a_key_file_of_another_database_is_refused() -> None:
    other = keys.Envelope.new(keys.new_key())
    other.wrap_for("王站长", ADMIN, keys.new_key())  # wraps a key that is not its own
    with pytest.raises(keys.EnvelopeError, match="does not belong"):
        other.unwrap("王站长", ADMIN)


def test_a_damaged_encrypted_page_is_said_plainly_and_nothing_is_written(encrypted: Path) -> None:
    from caseworker.store import faults

    store = login(encrypted, "王站长", ADMIN)
    try:
        for seq in range(110, 400):
            register(store, "李四光", make_id(seq=seq))
    finally:
        store.dispose()
    data = bytearray(encrypted.read_bytes())
    size = len(data)
    for offset in range(size // 4, size - 4096, 4096 * 3):  # a byte in many pages
        data[offset + 100] ^= 0xFF
    encrypted.write_bytes(bytes(data))
    before = encrypted.read_bytes()
    # said when the damaged page is read: at the open (its first reads), or later
    with pytest.raises(faults.DamagedError, match="damaged"):  # noqa: PT012
        store = login(encrypted, "王站长", ADMIN)
        try:
            with store.reading() as session:
                list(session.scalars(select(Person.name)))
            register(store, "王五", make_id(seq=500))
        finally:
            store.dispose()
    assert encrypted.read_bytes() == before  # nothing was written


def test_a_failed_page_check_is_called_damage(encrypted: Path) -> None:
    from caseworker.store import faults

    data = bytearray(encrypted.read_bytes())
    data[200] ^= 0xFF  # inside the first page: its authentication fails
    encrypted.write_bytes(bytes(data))
    with pytest.raises(faults.DamagedError, match="failed its check"):
        login(encrypted, "王站长", ADMIN)
