"""Open a store: create or upgrade its schema with Alembic, backing up an older file first.

The schema is only ever created and changed by the migrations in ``migrations/versions``.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

import sqlalchemy.exc
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from caseworker.core.errors import UserError
from caseworker.i18n import _
from caseworker.store.engine import is_sqlite, make_engine
from caseworker.store.uow import Store

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def backup_sqlite(engine: Engine, reason: str) -> Path | None:
    """Copy the SQLite file (consistently, with SQLite's backup API) beside it; return the copy."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    source = Path(database)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = source.parent / "backups" / f"{source.stem}-{reason}-{stamp}{source.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    log.info("backed up %s to %s", source, target)
    return target


def prepare(engine: Engine) -> Path | None:
    """Bring the schema to the head revision; returns the backup made first, if any."""
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


def open_store(url: str, *, actor: str = "system", migrate: bool = True) -> Store:
    """Open (creating or upgrading as needed) the database at ``url``."""
    engine = make_engine(url)
    try:
        if migrate:
            prepare(engine)
        return Store(engine, actor=actor)
    except (sqlite3.DatabaseError, sqlalchemy.exc.DatabaseError) as exc:
        engine.dispose()
        detail = getattr(exc, "orig", exc)
        raise UserError(
            _("The database file cannot be read: {error}").format(error=detail)
        ) from exc
    except Exception:
        engine.dispose()
        raise
