"""Engines for the station's SQLite file (and a county's PostgreSQL), with durable settings.

SQLite durability choice
------------------------
The station's file runs in **rollback-journal mode** (``journal_mode=DELETE``) with
``synchronous=FULL`` and foreign keys on.  Write-ahead logging is never switched on, so the
store cannot meet the WAL-reset corruption bug of SQLite before 3.51.3 (two connections
writing and checkpointing at once), whatever SQLite the machine has: there is no WAL to reset.
A station has one or two users of one program, so WAL's concurrent readers buy nothing; a
reader and the writer simply take turns, waiting up to ``BUSY_TIMEOUT_MS`` for each other.

Encryption at rest
------------------
An encrypted station file is an SQLCipher database (``sqlcipher3``, SQLAlchemy's
``sqlite+pysqlcipher`` dialect) opened with a raw 256-bit key (``PRAGMA key = "x'…'"``: no
passphrase derivation at every connection).  The key itself is kept wrapped beside the file
(:mod:`caseworker.security.keys`); the store only receives it from bootstrap and never imports
the security package.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, pool
from sqlalchemy.engine import URL, make_url

#: Length of a database key, in bytes.
KEY_BYTES = 32

BUSY_TIMEOUT_MS = 10_000
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA synchronous = FULL",
    # Statement journals (kept for every row written to a table with guard triggers) and
    # temporary sorts in memory, not in a temporary file: a row of a guarded table was written
    # twice to the disk otherwise (measured: the county import of 50 stations took 186 s with
    # a temporary file, 162 s without; the raw insert beside it 33 s both ways).
    "PRAGMA temp_store = MEMORY",
)


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
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


#: The page cache of an encrypted file's connections, in KiB: pages stay decrypted between
#: queries (a plain file's pages are cached by the system as they are on the disk; an
#: encrypted file's would be decrypted again at each read).
ENCRYPTED_CACHE_KIB = 64 * 1024


def _on_encrypted_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA cache_size = -{int(ENCRYPTED_CACHE_KIB)}")
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


def key_literal(key: bytes) -> str:
    """The SQLCipher raw-key form of ``key`` (``x'<hex>'``)."""
    if len(key) != KEY_BYTES:
        raise ValueError("a database key has 32 bytes")
    return f"x'{key.hex()}'"


def encrypted_url(url: str | URL, key: bytes) -> URL:
    """The SQLCipher URL of the SQLite file of ``url``, opened with ``key``."""
    parsed = make_url(url)
    return parsed.set(drivername="sqlite+pysqlcipher", password=key_literal(key))


def engine_key(engine: Engine) -> bytes | None:
    """The key an encrypted SQLite engine opens its file with (None: a plain file)."""
    password = engine.url.password
    if engine.url.get_driver_name() != "pysqlcipher" or not password:
        return None
    return bytes.fromhex(str(password)[2:-1])


def quiet_sqlcipher() -> None:
    """SQLCipher writes its own log lines to standard error (a wrong key's "hmac check
    failed"); the program says what went wrong in words instead."""
    global _quiet
    if _quiet:
        return
    import sqlcipher3

    connection = sqlcipher3.connect(":memory:")
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
    finally:
        connection.close()
    _quiet = True


_quiet = False


def database_errors() -> tuple[type[Exception], type[Exception]]:
    """The database-error classes of both drivers (``sqlite3`` and ``sqlcipher3``)."""
    import sqlcipher3

    cipher_error: type[Exception] = sqlcipher3.DatabaseError
    return (sqlite3.DatabaseError, cipher_error)


def connect_raw(
    path: Path | str, key: bytes | None = None, *, read_only: bool = False, timeout: float = 10
) -> Any:
    """A plain DB-API connection to the SQLite file ``path`` (with the key applied when it
    is encrypted), for the backup API and checks that work below SQLAlchemy."""
    target = Path(path)
    if key is None:
        if read_only:
            uri = target.resolve().as_uri() + "?mode=ro"
            return sqlite3.connect(uri, uri=True, timeout=timeout)
        return sqlite3.connect(target, timeout=timeout)
    import sqlcipher3

    quiet_sqlcipher()
    if read_only:
        uri = target.resolve().as_uri() + "?mode=ro"
        connection = sqlcipher3.connect(uri, uri=True, timeout=timeout)
    else:
        connection = sqlcipher3.connect(str(target), timeout=timeout)
    connection.execute(f'PRAGMA key = "{key_literal(key)}"')
    return connection


def make_engine(url: str | URL, *, echo: bool = False, key: bytes | None = None) -> Engine:
    """Create an engine for ``url``; SQLite files get the pragmas above on every connection,
    and with ``key`` the file is an SQLCipher database opened with it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        if key is not None:
            quiet_sqlcipher()
            parsed = encrypted_url(parsed, key)
        engine = create_engine(
            parsed,
            echo=echo,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
            # the file's own pool, as the plain driver's (pysqlcipher defaults to one
            # connection per thread)
            **({"poolclass": pool.QueuePool} if key is not None else {}),
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        if key is not None:
            event.listen(engine, "connect", _on_encrypted_connect)
        event.listen(engine, "begin", _on_begin)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=True)
    event.listen(engine, "begin", _on_postgres_begin)
    return engine
