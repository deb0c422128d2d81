"""What went wrong with the database file, in words for the user.

SQLite reports a full disk, a read-only file or folder, a damaged file or a vanished drive as
error codes; :func:`user_error` turns each into a :class:`~caseworker.core.errors.UserError`
of its own kind with a message that says what happened and what to do (and that nothing was
changed: every write is one transaction, rolled back whole).

A damaged file is found when it is opened (:func:`integrity_problem`, ``PRAGMA
quick_check``); :func:`latest_good_backup` then names the newest backup in ``backups/`` beside
it that passes the same check.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
from pathlib import Path

from caseworker.core.errors import UserError
from caseworker.core.files import NO_SPACE
from caseworker.i18n import _

BACKUP_FOLDER = "backups"
#: Lines of quick_check's answer kept in the message and the log.
MAX_DETAIL = 3


class DiskFullError(UserError):
    """The disk (or a file-size limit) has no room for the change."""


class ReadOnlyError(UserError):
    """The database file or its folder cannot be written."""


class DamagedError(UserError):
    """The database file is damaged; it may be read but not changed."""


class DiskError(UserError):
    """The drive could not be read or written (removed, failing, or full)."""


class VersionTableError(UserError):
    """The file's record of its schema version is not one revision."""


def _name(exc: BaseException) -> str:
    original = getattr(exc, "orig", exc)
    return str(getattr(original, "sqlite_errorname", "") or "")


def disk_full(path: object) -> DiskFullError:
    return DiskFullError(
        _(
            "The disk that holds {path} is full, so the change could not be saved; nothing was "
            "changed. Free some space (or move the file to a drive with room) and try again."
        ).format(path=path)
    )


def read_only(path: object) -> ReadOnlyError:
    return ReadOnlyError(
        _(
            "The database file {path} or its folder is read-only (a locked USB stick, a CD, or "
            "a folder without write permission). You can look at it, print and export, but "
            "not change it; copy it to a folder you can write to and open that copy."
        ).format(path=path)
    )


def disk_error(path: object) -> DiskError:
    return DiskError(
        _(
            "The drive that holds {path} could not be written or read: it may be full, "
            "removed, or failing. Nothing was changed; check the drive and try again."
        ).format(path=path)
    )


def user_error(exc: BaseException, path: object) -> UserError | None:
    """The user's message for a database error, or None when it is not one of these."""
    name = _name(exc)
    original = getattr(exc, "orig", exc)
    if name == "SQLITE_FULL" or (isinstance(original, OSError) and original.errno in NO_SPACE):
        return disk_full(path)
    if name.startswith("SQLITE_READONLY") or (
        isinstance(original, OSError) and original.errno in (errno.EROFS, errno.EACCES)
    ):
        return read_only(path)
    if name.startswith("SQLITE_IOERR"):
        return disk_error(path)
    if name.startswith("SQLITE_CORRUPT"):
        return damaged(path, str(original))
    if name.startswith("SQLITE_CANTOPEN"):
        return UserError(
            _(
                "The database file {path} cannot be opened: its folder may be missing, "
                "read-only or on a drive that was removed."
            ).format(path=path)
        )
    return None


# -- read-only ---------------------------------------------------------------------------------


def not_writable(path: Path) -> bool:
    """Whether the file or its folder cannot be written (SQLite needs both: the folder holds
    the journal of every change)."""
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return folder.exists() and not os.access(folder, os.W_OK)


# -- damage ------------------------------------------------------------------------------------


def quick_check(path: Path) -> list[str]:
    """``PRAGMA quick_check`` of the file, read-only: ``["ok"]`` when it is whole."""
    uri = path.resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=10)
    try:
        return [str(row[0]) for row in connection.execute("PRAGMA quick_check(100)")]
    finally:
        connection.close()


def integrity_problem(connection: sqlite3.Connection) -> str | None:
    """What quick_check finds wrong with the open database, or None when it is whole."""
    try:
        rows = [str(r[0]) for r in connection.execute("PRAGMA quick_check(100)").fetchall()]
    except sqlite3.DatabaseError as exc:
        if _name(exc) == "SQLITE_NOTADB":
            raise  # not a database at all: said as such by the caller
        return str(exc)
    if rows == ["ok"]:
        return None
    return "; ".join(rows[:MAX_DETAIL]) + (" …" if len(rows) > MAX_DETAIL else "")


def backup_folder(path: Path) -> Path:
    return path.parent / BACKUP_FOLDER


def latest_good_backup(path: Path) -> Path | None:
    """The newest file in ``backups/`` beside ``path`` that passes quick_check."""
    folder = backup_folder(path)
    try:
        candidates = [
            p for p in folder.iterdir() if p.is_file() and p.suffix == path.suffix and p != path
        ]
    except OSError:
        return None
    candidates.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for candidate in candidates:
        try:
            if quick_check(candidate) == ["ok"]:
                return candidate
        except sqlite3.Error:
            continue
    return None


def damaged(path: object, detail: str) -> DamagedError:
    """The message for a damaged file, naming the latest good backup (or saying there is
    none)."""
    file = Path(str(path))
    backup = latest_good_backup(file) if file.suffix else None
    if backup is not None:
        when = dt.datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        advice = _(
            "The latest good backup is {backup} (saved {when}). Close the program, keep a copy "
            "of the damaged file, and copy the backup in its place to go on working."
        ).format(backup=backup, when=when)
    else:
        advice = _(
            "No good backup was found in {folder}. Keep the file as it is and ask for help to "
            "rescue its data; you can still export what can be read."
        ).format(folder=backup_folder(file))
    return DamagedError(
        _(
            "The database file {path} is damaged ({detail}). To protect what is left, no "
            "change can be saved in it; you can still look at it, print and export."
        ).format(path=path, detail=detail)
        + " "
        + advice
    )
