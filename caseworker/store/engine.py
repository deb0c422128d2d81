"""Engines for the station's SQLite file (and a county's PostgreSQL), with durable settings.

SQLite durability choice
------------------------
The station's file runs in **rollback-journal mode** (``journal_mode=DELETE``) with
``synchronous=FULL`` and foreign keys on.  Write-ahead logging is never switched on, so the
store cannot meet the WAL-reset corruption bug of SQLite before 3.51.3 (two connections
writing and checkpointing at once), whatever SQLite the machine has: there is no WAL to reset.
A station has one or two users of one program, so WAL's concurrent readers buy nothing; a
reader and the writer simply take turns, waiting up to ``BUSY_TIMEOUT_MS`` for each other.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 10_000
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA synchronous = FULL",
)


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, open transactions (see _on_begin), so that DDL
    # and reads are inside them too and a rollback undoes the whole action.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() == "wal":  # pragma: no cover - only if another program forced WAL
            cursor.execute("PRAGMA journal_mode = DELETE")
    finally:
        cursor.close()


#: Execution options that mark a connection's purpose (set by :class:`~caseworker.store.uow.Store`).
WRITE_OPTION = "caseworker_write"
READ_ONLY_OPTION = "caseworker_read_only"
#: The advisory lock key that serialises writers on PostgreSQL (the change log's chain).
POSTGRES_WRITE_LOCK = 0x63617365  # "case"


def _on_begin(connection: Any) -> None:
    """Open the transaction: ``BEGIN IMMEDIATE`` for a writer, so it takes the write lock at
    once and the busy timeout applies (a deferred ``BEGIN`` that reads and then writes gets
    SQLITE_BUSY at once, whatever the timeout); read-only sessions cannot write at all."""
    options = connection.get_execution_options()
    read_only = 1 if options.get(READ_ONLY_OPTION) else 0
    connection.exec_driver_sql(f"PRAGMA query_only = {read_only}")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")


def _on_postgres_begin(connection: Any) -> None:
    options = connection.get_execution_options()
    if options.get(READ_ONLY_OPTION):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    elif options.get(WRITE_OPTION):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_WRITE_LOCK})")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``; SQLite files get the pragmas above on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_begin)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=True)
    event.listen(engine, "begin", _on_postgres_begin)
    return engine
