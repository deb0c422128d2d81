"""Open a store: create or upgrade its schema with Alembic, backing up an older file first.

The schema is only ever created and changed by the migrations in ``migrations/versions``.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy.exc
from sqlalchemy import Connection, Engine, inspect, text

from caseworker.core import wall
from caseworker.core.errors import UserError
from caseworker.i18n import _
from caseworker.store.engine import is_sqlite, make_engine
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


def backup_sqlite(engine: Engine, reason: str) -> Path | None:
    """Copy the SQLite file (consistently, with SQLite's backup API) beside it; return the copy."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    source = Path(database)
    stamp = wall.local_now().strftime("%Y%m%d-%H%M%S")
    target = source.parent / "backups" / f"{source.stem}-{reason}-{stamp}{source.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    log.info("backed up %s to %s", source, target)
    return target


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, read with plain SQL (None when there is none)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except sqlalchemy.exc.OperationalError:
        return None
    except sqlalchemy.exc.ProgrammingError:  # PostgreSQL: no such table
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


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
) -> Store:
    """Open (creating or upgrading as needed) the database at ``url``.

    ``registry_path`` is this machine's device registry (see :mod:`caseworker.store.identity`);
    without it the device id is the one stored in the file.
    """
    engine = make_engine(url)
    try:
        if migrate:
            prepare(engine)
        return Store(engine, actor=actor, registry_path=registry_path)
    except (sqlite3.DatabaseError, sqlalchemy.exc.DatabaseError) as exc:
        engine.dispose()
        detail = getattr(exc, "orig", exc)
        raise UserError(
            _("The database file cannot be read: {error}").format(error=detail)
        ) from exc
    except Exception:
        engine.dispose()
        raise
