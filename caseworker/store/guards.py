"""Database triggers that keep the change log's promise on every path into the database.

- ``change_log`` refuses UPDATE and DELETE: the log is append-only.
- Every synced table refuses DELETE (records are tombstoned, never removed), and refuses an
  INSERT or UPDATE unless the change log already holds a row for that record with its new
  stamp (``created_hlc`` on insert, ``updated_hlc`` on update), and, on update, the stamp and
  the version moved forward.  The store's session writes the log rows first
  (:mod:`caseworker.store.changelog`), so its writes pass; a bulk ``update()`` through Core or
  the ORM, raw SQL, or another program writing to the file without logging is refused.

SQLite compares the stamps as text (fixed width, so the text order is the time order);
PostgreSQL does too, with ``COLLATE "C"``.  Migrations that rebuild a synced table
(SQLite's batch mode copies the table and drops the old one, and its triggers with it) call
:func:`drop` first and :func:`install` after, from a frozen copy of this DDL for their version.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

#: Every table of a synced record (a test checks this against the models).
SYNCED_TABLES = (
    "station",
    "village",
    "person",
    "household",
    "household_member",
    "staff",
    "employment_episode",
    "recognition_case",
    "case_category",
    "recognition_step",
    "proof_item",
    "assistance_plan",
    "assistance_contact",
    "assistance_offer",
    "assistance_outcome",
    "zero_employment_episode",
    "employer",
    "welfare_post",
    "placement",
    "attendance",
    "claim",
    "claim_step",
    "claim_line",
)

#: The message prefix of a refused write (tests and error handling look for it).
REFUSED = "caseworker: refused"


def sqlite_ddl(tables: Iterable[str]) -> list[str]:
    ddl = [
        "CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log BEGIN "
        f"SELECT RAISE(ABORT, '{REFUSED}: the change log is append-only'); END",
        "CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log BEGIN "
        f"SELECT RAISE(ABORT, '{REFUSED}: the change log is append-only'); END",
    ]
    for t in tables:
        ddl += [
            f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} BEGIN "
            f"SELECT RAISE(ABORT, '{REFUSED}: {t} rows are never deleted (tombstones)'); END",
            f"CREATE TRIGGER {t}_logged_insert AFTER INSERT ON {t} "
            "WHEN NOT EXISTS (SELECT 1 FROM change_log "
            "WHERE entity_id = NEW.id AND hlc = NEW.created_hlc) BEGIN "
            f"SELECT RAISE(ABORT, '{REFUSED}: {t} written without its change-log row'); END",
            f"CREATE TRIGGER {t}_logged_update AFTER UPDATE ON {t} "
            "WHEN NEW.updated_hlc <= OLD.updated_hlc OR NEW.version <= OLD.version "
            "OR NOT EXISTS (SELECT 1 FROM change_log "
            "WHERE entity_id = NEW.id AND hlc = NEW.updated_hlc) BEGIN "
            f"SELECT RAISE(ABORT, '{REFUSED}: {t} changed without its change-log row'); END",
        ]
    return ddl


def sqlite_drop(tables: Iterable[str]) -> list[str]:
    ddl = [
        "DROP TRIGGER IF EXISTS change_log_no_update",
        "DROP TRIGGER IF EXISTS change_log_no_delete",
    ]
    for t in tables:
        ddl += [
            f"DROP TRIGGER IF EXISTS {t}_no_delete",
            f"DROP TRIGGER IF EXISTS {t}_logged_insert",
            f"DROP TRIGGER IF EXISTS {t}_logged_update",
        ]
    return ddl


POSTGRES_FUNCTIONS = (
    f"""CREATE OR REPLACE FUNCTION caseworker_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{REFUSED}: the change log is append-only';
END $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION caseworker_logged() RETURNS trigger AS $$
DECLARE
    stamp text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION USING MESSAGE =
            '{REFUSED}: ' || TG_TABLE_NAME || ' rows are never deleted (tombstones)';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.updated_hlc COLLATE "C" <= OLD.updated_hlc COLLATE "C"
                             OR NEW.version <= OLD.version) THEN
        RAISE EXCEPTION USING MESSAGE =
            '{REFUSED}: ' || TG_TABLE_NAME || ' changed without its change-log row';
    END IF;
    stamp := CASE WHEN TG_OP = 'INSERT' THEN NEW.created_hlc ELSE NEW.updated_hlc END;
    IF NOT EXISTS (SELECT 1 FROM change_log WHERE entity_id = NEW.id AND hlc = stamp) THEN
        RAISE EXCEPTION USING MESSAGE =
            '{REFUSED}: ' || TG_TABLE_NAME || ' written without its change-log row';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql""",
)


def postgres_ddl(tables: Iterable[str]) -> list[str]:
    ddl = [
        *POSTGRES_FUNCTIONS,
        "CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log "
        "FOR EACH ROW EXECUTE FUNCTION caseworker_append_only()",
    ]
    ddl += [
        f"CREATE TRIGGER {t}_logged BEFORE INSERT OR UPDATE OR DELETE ON {t} "
        "FOR EACH ROW EXECUTE FUNCTION caseworker_logged()"
        for t in tables
    ]
    return ddl


def postgres_drop(tables: Iterable[str]) -> list[str]:
    ddl = ["DROP TRIGGER IF EXISTS change_log_append_only ON change_log"]
    ddl += [f"DROP TRIGGER IF EXISTS {t}_logged ON {t}" for t in tables]
    return ddl


def install(connection: Connection, tables: Iterable[str] = SYNCED_TABLES) -> None:
    tables = list(tables)
    statements = sqlite_ddl(tables) if connection.dialect.name == "sqlite" else postgres_ddl(tables)
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop(connection: Connection, tables: Iterable[str] = SYNCED_TABLES) -> None:
    tables = list(tables)
    statements = (
        sqlite_drop(tables) if connection.dialect.name == "sqlite" else postgres_drop(tables)
    )
    for statement in statements:
        connection.exec_driver_sql(statement)


def installed(connection: Connection) -> set[str]:
    """Names of the guard triggers present in the database."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).scalars()
    else:
        rows = connection.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        ).scalars()
    names = set(map(str, rows))
    expected = expected_names(connection.dialect.name)
    return names & expected


def expected_names(dialect: str, tables: Iterable[str] = SYNCED_TABLES) -> set[str]:
    if dialect == "sqlite":
        names = {"change_log_no_update", "change_log_no_delete"}
        for t in tables:
            names |= {f"{t}_no_delete", f"{t}_logged_insert", f"{t}_logged_update"}
        return names
    return {"change_log_append_only", *(f"{t}_logged" for t in tables)}
