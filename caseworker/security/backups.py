"""Backups that restore: automatic and on demand, rotated, and restored only when they check out.

- :func:`make` copies the database with SQLite's backup API (an encrypted file's copy is
  encrypted with the same key, and its envelope is copied beside it) into ``backups/`` or a
  file the user chose; :func:`auto` makes one on start and every few hours of use
  (:data:`HOURS_KEY`), then :func:`rotate` keeps the newest automatic backup of each of the
  last N days (:data:`DAILY_KEY`) and of each of the last M weeks (:data:`WEEKLY_KEY`).
  Backups made for another reason (before an upgrade, before encrypting, the file a restore
  replaced, a manual one) are never removed by rotation.
- :func:`restore` copies the backup into a temporary file beside the database, checks it
  (``quick_check``, its schema, and the whole change log: chain, guards and every record),
  and only then keeps the current file in ``backups/`` (``…-replaced-…``) and puts the copy
  in its place.  The restored file gets a new device id.  A damaged or tampered backup is
  refused and nothing is replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.errors import UserError
from caseworker.core.files import fsync_folder, temporary_name
from caseworker.i18n import _
from caseworker.registry import history
from caseworker.security import journal, keys
from caseworker.security.accounts import database_path
from caseworker.security.roles import Action, require_store
from caseworker.store import audit, faults
from caseworker.store.engine import database_errors, engine_key, make_engine, sqlite_url
from caseworker.store.migrate import (
    HEAD_REVISION,
    backup_sqlite,
    copy_database,
    current_revision,
    head_revision,
    open_store,
    upgrade,
)
from caseworker.store.uow import Store

log = logging.getLogger(__name__)

AUTO = "auto"
MANUAL = "manual"
REPLACED = "replaced"
HOURS_KEY = "backup_hours"
DAILY_KEY = "backup_daily"
WEEKLY_KEY = "backup_weekly"
DEFAULT_HOURS = 4
DEFAULT_DAILY = 7
DEFAULT_WEEKLY = 4
_NAME = r"^{stem}-(?P<reason>[a-z0-9-]+?)-(?P<stamp>\d{{8}}-\d{{6}})(?:-\d+)?$"


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    reason: str
    made: dt.datetime  # local time, from the name
    size: int


def _setting_int(store: Store, key: str, default: int) -> int:
    try:
        return max(0, int(store.setting(key, str(default))))
    except ValueError:
        return default


def list_backups(database: Path) -> list[Backup]:
    """The backups in ``backups/`` beside ``database``, newest first."""
    folder = faults.backup_folder(database)
    found: list[Backup] = []
    pattern = re.compile(_NAME.format(stem=re.escape(database.stem)))
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        if not path.is_file() or path.suffix != database.suffix:
            continue
        match = pattern.match(path.stem)
        if match is None:
            continue
        try:
            made = dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
            size = path.stat().st_size
        except (ValueError, OSError):
            continue
        found.append(Backup(path, match["reason"], made, size))
    found.sort(key=lambda b: (b.made, b.path.name), reverse=True)
    return found


def _copy_envelope(database: Path, backup: Path) -> None:
    source = keys.envelope_path(database)
    if source.exists():
        shutil.copyfile(source, keys.envelope_path(backup))


def make(store: Store, *, target: Path | None = None, reason: str = MANUAL) -> Path:
    """Back up the store now (a staff member's act, logged; see the module notes)."""
    require_store(store, Action.BACKUP)
    database = database_path(store)
    if database is None:
        raise UserError(_("Only a station's database file can be backed up here."))
    if target is not None and target.resolve() == database.resolve():
        raise UserError(_("Choose another file than the database itself."))
    if store.write_refusal is None:
        with store.transaction() as session:
            journal.record(
                session, journal.ACCESS, journal.act_id("database"), journal.BACKUP, "database",
                None, target.name if target is not None else reason,
            )  # fmt: skip
    made = backup_sqlite(store.engine, reason, target=target, upgrade=False)
    assert made is not None
    _copy_envelope(database, made)
    return made


def auto(store: Store, *, force: bool = False) -> Path | None:
    """An automatic backup when the last one is older than the setting's hours (or
    ``force``), then the rotation.  Returns the new backup, or None."""
    database = database_path(store)
    if database is None:
        return None
    hours = _setting_int(store, HOURS_KEY, DEFAULT_HOURS)
    latest = next((b for b in list_backups(database) if b.reason == AUTO), None)
    now = wall.local_now().replace(tzinfo=None)
    if not force and latest is not None and now - latest.made < dt.timedelta(hours=hours):
        return None
    made = backup_sqlite(store.engine, AUTO, upgrade=False)
    assert made is not None
    _copy_envelope(database, made)
    rotate(
        database,
        daily=_setting_int(store, DAILY_KEY, DEFAULT_DAILY),
        weekly=_setting_int(store, WEEKLY_KEY, DEFAULT_WEEKLY),
    )
    return made


def to_keep(backups: list[Backup], *, daily: int, weekly: int) -> set[Path]:
    """The automatic backups rotation keeps: the newest of each of the last ``daily`` days
    that have one, and the newest of each of the last ``weekly`` ISO weeks that have one."""
    autos = sorted((b for b in backups if b.reason == AUTO), key=lambda b: b.made, reverse=True)
    keep: set[Path] = set()
    days: list[dt.date] = []
    weeks: list[tuple[int, int]] = []
    for backup in autos:
        day = backup.made.date()
        week = tuple(day.isocalendar())[:2]
        if day not in days and len(days) < daily:
            days.append(day)
            keep.add(backup.path)
        if week not in weeks and len(weeks) < weekly:
            weeks.append(week)  # type: ignore[arg-type]
            keep.add(backup.path)
    return keep


def rotate(database: Path, *, daily: int, weekly: int) -> list[Path]:
    """Remove the automatic backups rotation does not keep; returns the removed ones."""
    backups = list_backups(database)
    keep = to_keep(backups, daily=daily, weekly=weekly)
    removed = []
    for backup in backups:
        if backup.reason != AUTO or backup.path in keep:
            continue
        try:
            backup.path.unlink()
            keys.envelope_path(backup.path).unlink(missing_ok=True)
            removed.append(backup.path)
        except OSError:
            log.exception("could not remove an old backup")
    return removed


class RestoreRefusedError(UserError):
    """The backup is damaged, tampered with, or not of this station; nothing was replaced."""


@dataclass(frozen=True)
class Restored:
    replaced: Path  # the file that was in place, kept in backups/
    device: str  # the restored file's new device id


def _refused(backup: Path, reason: str) -> RestoreRefusedError:
    return RestoreRefusedError(
        _("The backup {path} was not restored: {reason} Nothing was replaced.").format(
            path=backup, reason=reason
        )
    )


def check_backup(backup: Path, copy: Path, key: bytes | None) -> None:
    """Copy ``backup`` into ``copy`` and check the copy whole: the file, its schema and its
    change log (upgraded to this version first, if older).  Raises
    :class:`RestoreRefusedError`."""
    try:
        problem = faults.quick_check(backup, key)
    except database_errors() as exc:
        raise _refused(
            backup,
            _("it is not a database of this station, or it is damaged ({reason}).").format(
                reason=exc
            ),
        ) from exc
    if problem != ["ok"]:
        raise _refused(backup, _("it is damaged ({reason}).").format(reason="; ".join(problem[:3])))
    copy_database(backup, copy, key)
    engine = make_engine(sqlite_url(copy), key=key)
    try:
        try:
            revision = current_revision(engine)
        except Exception as exc:
            raise _refused(backup, _("it is not a caseworker database.")) from exc
        if revision is None:
            raise _refused(backup, _("it is not a caseworker database."))
        if revision != HEAD_REVISION:
            if revision > head_revision():
                raise _refused(backup, _("it was written by a newer version of the program."))
            upgrade(engine)
        with Session(engine) as session:
            report = audit.verify(session)
        if not report.ok:
            detail = "; ".join(history.describe_problem(p) for p in report.problems[:3])
            raise _refused(
                backup,
                _("its change log does not match its records (it was changed): {detail}").format(
                    detail=detail
                ),
            )
    finally:
        engine.dispose()


def restore(store: Store, backup: Path) -> Restored:
    """Replace the store's file with ``backup`` (see the module notes).  The store is closed;
    open the database again afterwards."""
    require_store(store, Action.RESTORE)
    database = database_path(store)
    if database is None:
        raise UserError(_("Only a station's database file can be restored here."))
    if not backup.is_file():
        raise UserError(_("There is no file {path}.").format(path=backup))
    if backup.resolve() == database.resolve():
        raise UserError(_("That is the database itself, not a backup."))
    key = engine_key(store.engine)
    own = keys.Envelope.load(keys.envelope_path(backup))
    if own is not None and (key is None or own.key_id != keys.fingerprint(key)):
        raise _refused(backup, _("it was encrypted with another key than this database."))
    principal = store.principal
    copy = temporary_name(database)
    try:
        check_backup(backup, copy, key)
        replaced = backup_sqlite(store.engine, REPLACED, upgrade=False)
        assert replaced is not None
        _copy_envelope(database, replaced)
        store.dispose()
        os.replace(copy, database)
        fsync_folder(database.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            copy.unlink()
    restored = open_store(sqlite_url(database), key=key, registry_path=store.registry_path)
    try:
        device = restored.renew_device()
        restored.principal = principal
        restored.accounts_required = store.accounts_required or restored.accounts_required
        if principal is not None or not restored.accounts_required:
            with restored.transaction() as session:
                journal.record(
                    session, journal.ACCESS, journal.act_id("database"), journal.RESTORE,
                    "database", replaced.name, backup.name,
                )  # fmt: skip
    finally:
        restored.dispose()
    log.info("restored a backup; the replaced file is kept in backups")
    return Restored(replaced, device)
