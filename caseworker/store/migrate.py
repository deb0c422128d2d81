"""Open a store: create or upgrade its schema with Alembic, backing up an older file first.

The schema is only ever created and changed by the migrations in ``migrations/versions``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy.exc
from sqlalchemy import Connection, Engine, inspect, text

from caseworker.core import wall
from caseworker.core.errors import UserError
from caseworker.core.files import write_atomically
from caseworker.i18n import _
from caseworker.store import faults
from caseworker.store.engine import (
    connect_raw,
    database_errors,
    engine_key,
    is_sqlite,
    make_engine,
)
from caseworker.store.uow import Store

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The newest revision in migrations/versions (a test checks it against Alembic).  A database
#: already at it opens without loading Alembic at all (a faster, smaller start).
HEAD_REVISION = "0013"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def backup_name(source: Path, reason: str, stamp: str, n: int = 1) -> str:
    """``station-auto-20241020-093000.sqlite3`` (``-2``, ``-3`` … for a second one in the
    same second)."""
    extra = f"-{n}" if n > 1 else ""
    return f"{source.stem}-{reason}-{stamp}{extra}{source.suffix}"


def backup_sqlite(
    engine: Engine, reason: str, *, target: Path | None = None, upgrade: bool = True
) -> Path | None:
    """Copy the SQLite file (consistently, with SQLite's backup API) into ``backups/`` beside
    it (or to ``target``), and return the copy.  An encrypted file's copy is encrypted with
    the same key.

    The copy is written as a temporary file, flushed to the device, checked with
    ``PRAGMA quick_check``, and only then renamed to its name
    (:func:`~caseworker.core.files.write_atomically`): a full disk, a killed program or a
    bad copy leaves no file that looks like a backup (and the next backup removes a killed
    one's temporary file).  Raises :class:`UserError` when no good copy can be made."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    source = Path(database)
    key = engine_key(engine)
    if target is None:
        stamp = wall.local_now().strftime("%Y%m%d-%H%M%S")
        folder = faults.backup_folder(source)
        n = 1
        while (folder / backup_name(source, reason, stamp, n)).exists():
            n += 1
        target = folder / backup_name(source, reason, stamp, n)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _backup_failed(source, faults.user_error(exc, target.parent), upgrade) from exc

    def copy(tmp: Path) -> None:
        try:
            copy_database(source, tmp, key)
            problem = faults.quick_check(tmp, key)
        except database_errors() as exc:
            raise _backup_failed(source, faults.user_error(exc, target), upgrade) from exc
        if problem != ["ok"]:
            raise _backup_failed(source, UserError("; ".join(problem[:3])), upgrade)

    try:
        write_atomically(target, copy)
    except UserError as exc:
        if isinstance(exc, BackupError):
            raise
        raise _backup_failed(source, exc, upgrade) from exc
    log.info("backed up %s to %s", source, target)
    return target


def copy_database(source: Path, target: Path, key: bytes | None = None) -> None:
    """Copy the SQLite file ``source`` into ``target`` with SQLite's backup API (a consistent
    copy, taken page by page under a read lock).  An encrypted file's copy is encrypted with
    the same key."""
    src = connect_raw(source, key)
    try:
        dst = connect_raw(target, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


class BackupError(UserError):
    """The backup before an upgrade could not be made; the file was not changed."""


def _backup_failed(source: Path, cause: UserError | None, upgrade: bool = True) -> BackupError:
    if not upgrade:
        return BackupError(
            _("The backup of {path} could not be made: {reason} The database was not changed.")
            .format(path=source, reason=cause or _("the copy failed."))
        )  # fmt: skip
    return BackupError(
        _(
            "{path} was written by an older version of the program and is backed up before "
            "it is upgraded, but the backup could not be made: {reason} The file was not "
            "changed."
        ).format(path=source, reason=cause or _("the copy failed."))
    )


def _version_rows(engine: Engine) -> list[str] | None:
    """The revisions recorded in the database, read with plain SQL (None: no version table)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except sqlalchemy.exc.OperationalError:
        return None
    except sqlalchemy.exc.ProgrammingError:  # PostgreSQL: no such table
        return None
    return [str(row[0]) for row in rows]


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database (None when there is none); a file that records
    several is refused (another program changed it)."""
    rows = _version_rows(engine)
    if rows is None or not rows:
        return None
    if len(rows) > 1:
        raise faults.VersionTableError(
            _(
                "The database records {n} schema versions at once ({versions}), so it is not "
                "clear what the file holds: another program or a failed copy changed it. "
                "Nothing was changed. Open the latest backup from the folder backups beside "
                "it, or ask for help."
            ).format(n=len(rows), versions=", ".join(rows))
        )
    return rows[0]


def prepare(engine: Engine) -> Path | None:
    """Bring the schema to the head revision; returns the backup made first, if any."""
    if _stored_revision(engine) == HEAD_REVISION:
        return None
    from alembic.script import ScriptDirectory

    known = set(ScriptDirectory.from_config(alembic_config()).walk_revisions())
    known_ids = {script.revision for script in known}
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    if current is not None and current not in known_ids:
        raise UserError(
            _("This database was written by a newer version of the program (schema {rev}); install that version to open it.")
            .format(rev=current)
        )  # fmt: skip
    backup = None
    has_tables = bool(inspect(engine).get_table_names())
    if current is not None and has_tables and is_sqlite(engine):
        backup = backup_sqlite(engine, f"before-{head}")
    elif current is None and has_tables:
        raise UserError(_("This file is not a caseworker database."))
    upgrade(engine)
    return backup


def open_store(
    url: str,
    *,
    actor: str = "system",
    migrate: bool = True,
    registry_path: Path | None = None,
    key: bytes | None = None,
) -> Store:
    """Open (creating or upgrading as needed) the database at ``url``.

    ``registry_path`` is this machine's device registry (see :mod:`caseworker.store.identity`);
    without it the device id is the one stored in the file.  ``key`` opens an encrypted
    (SQLCipher) file.
    """
    engine = make_engine(url, key=key)
    try:
        refusal = _write_refusal(engine)
        if refusal is not None:
            if migrate and _stored_revision(engine) not in (HEAD_REVISION, None):
                raise refusal  # an old file cannot be upgraded in place: say why
        elif migrate:
            prepare(engine)
        return Store(engine, actor=actor, registry_path=registry_path, refuse_writes=refusal)
    except (*database_errors(), sqlalchemy.exc.DBAPIError) as exc:
        engine.dispose()
        path = engine.url.database or url
        fault = faults.user_error(exc, path)
        if fault is not None:
            raise fault from exc
        detail = getattr(exc, "orig", exc)
        raise UserError(
            _("The database file cannot be read: {error}").format(error=detail)
        ) from exc
    except Exception:
        engine.dispose()
        raise


def _write_refusal(engine: Engine) -> UserError | None:
    """Why nothing may be written to this SQLite file, checked at open: it is damaged
    (``PRAGMA quick_check``), or it or its folder is read-only.  None: writes are fine."""
    database = engine.url.database
    if not is_sqlite(engine) or not database or database == ":memory:":
        return None
    path = Path(database)
    if not path.exists() or path.stat().st_size == 0:
        return None
    if engine_key(engine) is not None:
        # An encrypted (SQLCipher) file authenticates every page with its HMAC whenever the
        # page is read: a damaged page is an error at that read (and its transaction rolls
        # back whole), never silently used.  Decrypting the whole file to check it at each
        # open would cost seconds per hundred megabytes; backups and restores check it whole.
        return faults.read_only(path) if faults.not_writable(path) else None
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        problem = faults.integrity_problem(raw)
        connection.rollback()
    if problem is not None:
        log.error("%s is damaged: %s", path, problem)
        return faults.damaged(path, problem, engine_key(engine))
    if faults.not_writable(path):
        return faults.read_only(path)
    return None
