"""Encrypting a station's file, adding the county's recovery key, and recovering with it.

``caseworker encrypt`` (:func:`encrypt`) on a plain file:

1. an administrator is logged in (the key is wrapped for them; other accounts get theirs when
   an administrator resets their password);
2. a backup of the plain file is made first (:func:`~caseworker.store.migrate.backup_sqlite`);
3. the file is copied into a new encrypted file beside it (``sqlcipher_export``), and the copy
   is checked: ``quick_check`` and the same number of rows in every table;
4. the encrypted copy replaces the file, then its envelope is written beside it;
5. the plain backups in ``backups/`` are encrypted with the same key (each checked first), so
   no plain copy of the data is left in the data folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from caseworker.core.errors import UserError
from caseworker.core.files import fsync_file, temporary_name
from caseworker.i18n import _
from caseworker.security import accounts, keys
from caseworker.security.roles import Action, Principal, Role, require
from caseworker.store import faults
from caseworker.store.engine import connect_raw, engine_key, key_literal
from caseworker.store.migrate import backup_sqlite, open_store
from caseworker.store.models import Account
from caseworker.store.uow import Store

log = logging.getLogger(__name__)
ENCRYPTION_SETTING = "encryption"
CIPHER = "sqlcipher4"
RECOVERY_ACTOR = "county-recovery"


@dataclass(frozen=True)
class Encrypted:
    backup: Path | None
    #: Accounts whose key could not be wrapped (they need a password reset).
    without_key: list[str]


def _table_counts(connection: object) -> dict[str, int]:
    rows = connection.execute(  # type: ignore[attr-defined]
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    counts = {}
    for (name,) in rows:
        quoted = '"' + str(name).replace('"', '""') + '"'
        counts[str(name)] = int(
            connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # type: ignore[attr-defined]
        )
    return counts


def encrypt_file(source: Path, target: Path, key: bytes) -> None:
    """Write an encrypted copy of the plain SQLite file ``source`` to ``target`` (which must
    not exist), checked: whole, and the same rows in every table.  The source is unchanged."""
    plain = connect_raw(source, None)
    try:
        expected = _table_counts(plain)
    finally:
        plain.close()
    import sqlcipher3

    connection = sqlcipher3.connect(str(source))
    try:
        connection.execute(
            f'ATTACH DATABASE ? AS encrypted KEY "{key_literal(key)}"', (str(target),)
        )
        connection.execute("SELECT sqlcipher_export('encrypted')")
        connection.execute("DETACH DATABASE encrypted")
    finally:
        connection.close()
    fsync_file(target)
    problem = faults.quick_check(target, key)
    copy = connect_raw(target, key, read_only=True)
    try:
        counts = _table_counts(copy)
    finally:
        copy.close()
    if problem != ["ok"] or counts != expected:
        raise UserError(
            _("The encrypted copy of {path} did not check out; nothing was changed.").format(
                path=source
            )
        )


def _replace_with_encrypted(path: Path, key: bytes) -> None:
    tmp = temporary_name(path)
    try:
        encrypt_file(path, tmp, key)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _encrypt_plain_backups(database: Path, key: bytes) -> None:
    folder = faults.backup_folder(database)
    if not folder.is_dir():
        return
    for candidate in sorted(folder.iterdir()):
        if not candidate.is_file() or candidate.suffix != database.suffix:
            continue
        try:
            if faults.quick_check(candidate) != ["ok"]:
                continue
        except Exception:  # already encrypted, or not a database: left as it is
            continue
        _replace_with_encrypted(candidate, key)
        keys.envelope_path(candidate).write_bytes(keys.envelope_path(database).read_bytes())


def encrypt(store: Store, *, password: str, recovery_public: bytes | None = None) -> Encrypted:
    """Encrypt the store's file (see the module notes); the store is closed afterwards.

    ``password`` is the logged-in administrator's (their key is wrapped with it).  On an
    encrypted file, only adds (or replaces) the county's recovery key."""
    path = accounts.database_path(store)
    if path is None:
        raise UserError(_("Only a station's database file can be encrypted."))
    principal = _administrator(store)
    if not accounts.verify_password(store, principal.name, password):
        raise keys.wrong_password()
    if recovery_public is not None:
        keys.load_public_key(recovery_public)
    key = engine_key(store.engine)
    if key is not None:
        if recovery_public is None:
            raise UserError(_("The database is encrypted already."))
        envelope_file = keys.envelope_path(path)
        envelope = keys.Envelope.load(envelope_file) or keys.Envelope.new(key)
        envelope.wrap_for_recovery(recovery_public, key)
        envelope.save(envelope_file)
        store.dispose()
        return Encrypted(None, [])
    with store.reading() as session:
        names = [
            a.name
            for a in session.scalars(select(Account).where(Account.disabled.is_(False)))
            if a.name != principal.name
        ]
    store.set_setting(ENCRYPTION_SETTING, CIPHER)
    backup = backup_sqlite(store.engine, "before-encrypt")
    store.dispose()
    key = keys.new_key()
    envelope = keys.Envelope.new(key)
    envelope.wrap_for(principal.name, password, key)
    if recovery_public is not None:
        envelope.wrap_for_recovery(recovery_public, key)
    _replace_with_encrypted(path, key)
    envelope.save(keys.envelope_path(path))
    log.info("encrypted the database file")
    _encrypt_plain_backups(path, key)
    return Encrypted(backup, names)


def _administrator(store: Store) -> Principal:
    with store.reading() as session:
        principal = require(session, Action.ENCRYPT)
    if principal is None:
        raise UserError(
            _(
                "Make the station's first administrator before encrypting "
                "(caseworker users add NAME --role admin): the key is kept for them."
            )
        )
    return principal


def recover(url: str, private_pem: bytes, account: str, password: str) -> None:
    """Open an encrypted file with the county's private recovery key and give ``account`` a
    new password (wrapping the key for it again); the act is logged under the county's
    recovery."""
    from caseworker.security.login import file_of

    path = file_of(url)
    envelope = keys.Envelope.load(keys.envelope_path(path)) if path is not None else None
    if envelope is None:
        raise UserError(_("This database is not encrypted; nothing needs recovering."))
    key = envelope.unwrap_with_recovery(private_pem)
    store = open_store(url, key=key)
    try:
        with store.reading() as session:
            found = session.scalar(select(Account).where(Account.name == account))
            if found is None or found.disabled:
                raise UserError(_("There is no enabled account named {name}.").format(name=account))
            account_id = found.id
        store.principal = Principal(account_id, RECOVERY_ACTOR, frozenset({Role.ADMIN}))
        store.actor = RECOVERY_ACTOR
        accounts.reset_password(store, account, password)
    finally:
        store.dispose()


def create_encrypted(
    url: str,
    *,
    admin: str,
    password: str,
    recovery_public: bytes | None = None,
    registry_path: Path | None = None,
) -> Store:
    """A new, encrypted station file at ``url`` (which must not exist), with its envelope:
    the key wrapped for ``admin`` (whose account the caller adds next) and the county."""
    from caseworker.security.login import file_of

    path = file_of(url)
    if path is None:
        raise UserError(_("Only a station's database file can be encrypted."))
    if path.exists() or keys.envelope_path(path).exists():
        raise UserError(
            _("{path} exists already; a new station needs a new file.").format(path=path)
        )
    accounts.check_name(admin)
    passwords_ok = password  # checked again when the account is added
    from caseworker.security import passwords

    passwords.check_new(passwords_ok)
    key = keys.new_key()
    envelope = keys.Envelope.new(key)
    envelope.wrap_for(admin.strip(), password, key)
    if recovery_public is not None:
        envelope.wrap_for_recovery(recovery_public, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    envelope.save(keys.envelope_path(path))
    try:
        store = open_store(url, key=key, registry_path=registry_path)
    except BaseException:
        keys.envelope_path(path).unlink(missing_ok=True)
        raise
    store.set_setting(ENCRYPTION_SETTING, CIPHER, actor=admin.strip())
    return store
