"""sync: the exchange with the county (bundles, received rows, conflicts, decisions, keys);
a person's ID number unique except where the county holds two stations' records of it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10

Frozen: this file never imports live code.

1. ``person.held`` (the county's hold on a person whose ID number another station registered
   too) and the ID number's uniqueness as a partial unique index over the records not held
   (at a station nothing is ever held, so it is as unique as before, tombstones included),
   plus a plain index for lookups by ID number.  SQLite cannot drop a table constraint: the
   person table is rebuilt, and its search-index and guard triggers, dropped with it, are put
   back from the frozen copies below.
2. The tables ``sync_peer``, ``sync_bundle``, ``sync_row``, ``sync_conflict`` and
   ``sync_decision`` (caseworker/store/sync_models.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The search index's triggers on person (frozen copy of 0006's SQLITE_INDEX_V2[3:6]).
SQLITE_PERSON_SEARCH_TRIGGERS = (
    'CREATE TRIGGER person_fts_ai AFTER INSERT ON person BEGIN\n        INSERT INTO person_fts_list(k, id, deleted, name, name_initials, name_pinyin, id_number, phone, village_id) SELECT (SELECT CASE WHEN top IS NULL THEN g + 1 WHEN top < g + 16777215 THEN top + 1 ELSE (SELECT max(k) + 1 FROM person_fts_list) END FROM (SELECT g, (SELECT k FROM person_fts_list WHERE k > g AND k <= g + 16777215 ORDER BY k DESC LIMIT 1) AS top FROM (SELECT ((max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 1, 1)), 96) - 96)) * 10460353203 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 2, 1)), 96) - 96)) * 387420489 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 3, 1)), 96) - 96)) * 14348907 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 4, 1)), 96) - 96)) * 531441 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 5, 1)), 96) - 96)) * 19683 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 6, 1)), 96) - 96)) * 729 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 7, 1)), 96) - 96)) * 27 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 8, 1)), 96) - 96)) * 1) << 24) AS g))),\n            new.id, new.deleted, new.name, new.name_initials, new.name_pinyin, new.id_number,\n            new.phone, new.village_id;\n        INSERT INTO person_fts(rowid, search_text) SELECT k, new.search_text FROM person_fts_list WHERE id = new.id;\n        INSERT INTO person_fts_digits(rowid, id_number, phone) SELECT k, new.id_number, new.phone FROM person_fts_list WHERE id = new.id;\n    END',
    "CREATE TRIGGER person_fts_ad AFTER DELETE ON person BEGIN\n        INSERT INTO person_fts(person_fts, rowid, search_text) SELECT 'delete', k, old.search_text FROM person_fts_list WHERE id = old.id;\n        INSERT INTO person_fts_digits(person_fts_digits, rowid, id_number, phone) SELECT 'delete', k, old.id_number, old.phone FROM person_fts_list WHERE id = old.id;\n        DELETE FROM person_fts_list WHERE id = old.id;\n    END",
    "CREATE TRIGGER person_fts_au AFTER UPDATE OF id, deleted, name, name_initials,\n        name_pinyin, search_text, id_number, phone, village_id ON person BEGIN\n        INSERT INTO person_fts(person_fts, rowid, search_text) SELECT 'delete', k, old.search_text FROM person_fts_list WHERE id = old.id;\n        INSERT INTO person_fts_digits(person_fts_digits, rowid, id_number, phone) SELECT 'delete', k, old.id_number, old.phone FROM person_fts_list WHERE id = old.id;\n        UPDATE person_fts_list SET\n            k = CASE WHEN ((max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 1, 1)), 96) - 96)) * 10460353203 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 2, 1)), 96) - 96)) * 387420489 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 3, 1)), 96) - 96)) * 14348907 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 4, 1)), 96) - 96)) * 531441 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 5, 1)), 96) - 96)) * 19683 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 6, 1)), 96) - 96)) * 729 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 7, 1)), 96) - 96)) * 27 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 8, 1)), 96) - 96)) * 1) << 24) = ((max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 1, 1)), 96) - 96)) * 10460353203 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 2, 1)), 96) - 96)) * 387420489 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 3, 1)), 96) - 96)) * 14348907 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 4, 1)), 96) - 96)) * 531441 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 5, 1)), 96) - 96)) * 19683 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 6, 1)), 96) - 96)) * 729 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 7, 1)), 96) - 96)) * 27 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 8, 1)), 96) - 96)) * 1) << 24)\n                THEN k ELSE (SELECT CASE WHEN top IS NULL THEN g + 1 WHEN top < g + 16777215 THEN top + 1 ELSE (SELECT max(k) + 1 FROM person_fts_list) END FROM (SELECT g, (SELECT k FROM person_fts_list WHERE k > g AND k <= g + 16777215 ORDER BY k DESC LIMIT 1) AS top FROM (SELECT ((max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 1, 1)), 96) - 96)) * 10460353203 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 2, 1)), 96) - 96)) * 387420489 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 3, 1)), 96) - 96)) * 14348907 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 4, 1)), 96) - 96)) * 531441 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 5, 1)), 96) - 96)) * 19683 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 6, 1)), 96) - 96)) * 729 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 7, 1)), 96) - 96)) * 27 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 8, 1)), 96) - 96)) * 1) << 24) AS g))) END,\n            id = new.id, deleted = new.deleted, name = new.name,\n            name_initials = new.name_initials, name_pinyin = new.name_pinyin,\n            id_number = new.id_number, phone = new.phone, village_id = new.village_id\n            WHERE id = old.id;\n        INSERT INTO person_fts(rowid, search_text) SELECT k, new.search_text FROM person_fts_list WHERE id = new.id;\n        INSERT INTO person_fts_digits(rowid, id_number, phone) SELECT k, new.id_number, new.phone FROM person_fts_list WHERE id = new.id;\n    END",
)
#: The guard triggers on person (frozen copy of caseworker.store.guards at this revision).
SQLITE_PERSON_GUARDS = (
    "CREATE TRIGGER person_no_delete BEFORE DELETE ON person BEGIN SELECT RAISE(ABORT, 'caseworker: refused: person rows are never deleted (tombstones)'); END",
    "CREATE TRIGGER person_logged_insert AFTER INSERT ON person WHEN NOT EXISTS (SELECT 1 FROM change_log WHERE entity_id = NEW.id AND hlc = NEW.created_hlc) BEGIN SELECT RAISE(ABORT, 'caseworker: refused: person written without its change-log row'); END",
    "CREATE TRIGGER person_logged_update AFTER UPDATE ON person WHEN NEW.updated_hlc <= OLD.updated_hlc OR NEW.version <= OLD.version OR NOT EXISTS (SELECT 1 FROM change_log WHERE entity_id = NEW.id AND hlc = NEW.updated_hlc) BEGIN SELECT RAISE(ABORT, 'caseworker: refused: person changed without its change-log row'); END",
)
SQLITE_PERSON_DROP = (
    "DROP TRIGGER IF EXISTS person_fts_au",
    "DROP TRIGGER IF EXISTS person_fts_ad",
    "DROP TRIGGER IF EXISTS person_fts_ai",
    "DROP TRIGGER IF EXISTS person_no_delete",
    "DROP TRIGGER IF EXISTS person_logged_insert",
    "DROP TRIGGER IF EXISTS person_logged_update",
)


def _run(statements: Sequence[str]) -> None:
    bind = op.get_bind()
    for statement in statements:
        bind.exec_driver_sql(statement)


def _rebuild_person(transform: Callable[[str], str]) -> None:
    """SQLite: make the person table again from its own DDL changed by ``transform``, with its
    rows, indexes and triggers.

    SQLite's batch mode (copy to a new table, drop, rename) cannot be used here: with foreign
    keys on (they cannot be switched off inside the migration's transaction), dropping a table
    that other tables' rows refer to counts each such reference as a violation, and renaming
    the new table does not take them back.  So the rows wait in a temporary table, the checks
    are deferred to the commit, and inserting the rows into the new "person" (the name the
    other tables' references still carry) settles every reference again.
    """
    bind = op.get_bind()
    old_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'person'"
    ).scalar_one()
    new_sql = transform(old_sql)
    indexes = [
        sql for (sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'person' "
            "AND sql IS NOT NULL AND name NOT IN ('uq_person_id_number', 'ix_person_id_number')"
        )
    ]  # fmt: skip
    old_columns = [row[1] for row in bind.exec_driver_sql("PRAGMA table_info(person)")]
    _run(SQLITE_PERSON_DROP)
    _run([
        "PRAGMA defer_foreign_keys = ON",
        "DROP TABLE IF EXISTS temp._person_rows",
        "CREATE TEMP TABLE _person_rows AS SELECT * FROM person",
        "DROP TABLE person",
        new_sql,
    ])  # fmt: skip
    new_columns = [row[1] for row in bind.exec_driver_sql("PRAGMA table_info(person)")]
    shared = ", ".join(c for c in new_columns if c in old_columns)
    _run([
        f"INSERT INTO person ({shared}) SELECT {shared} FROM temp._person_rows ORDER BY rowid",
        "DROP TABLE temp._person_rows",
        *indexes,
        *SQLITE_PERSON_GUARDS,
        *SQLITE_PERSON_SEARCH_TRIGGERS,
    ])  # fmt: skip


_UNIQUE = re.compile(r",\s*CONSTRAINT uq_person_id_number UNIQUE \(id_number\)")
_HELD = re.compile(r",\s*held BOOLEAN DEFAULT 0 NOT NULL")
_PRIMARY = re.compile(r",(\s*)CONSTRAINT pk_person PRIMARY KEY")


def _person_up(sql: str) -> str:
    changed, found = _UNIQUE.subn("", sql)
    if found != 1:
        raise RuntimeError("the person table has no UNIQUE constraint on id_number to replace")
    return _PRIMARY.sub(r", \1held BOOLEAN DEFAULT 0 NOT NULL, \1CONSTRAINT pk_person PRIMARY KEY", changed, count=1)


def _person_down(sql: str) -> str:
    changed, found = _HELD.subn("", sql)
    if found != 1:
        raise RuntimeError("the person table has no held column to remove")
    return changed.rstrip().removesuffix(")").rstrip() + ", \n\tCONSTRAINT uq_person_id_number UNIQUE (id_number)\n)"


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        _rebuild_person(_person_up)
    else:
        op.add_column("person", sa.Column("held", sa.Boolean(), server_default=sa.false(), nullable=False))
        op.drop_constraint("uq_person_id_number", "person", type_="unique")
    op.create_index("ix_person_id_number", "person", ["id_number"])
    op.create_index(
        "uq_person_id_number", "person", ["id_number"], unique=True,
        sqlite_where=sa.text("held = 0"), postgresql_where=sa.text("held = false"),
    )  # fmt: skip

    op.create_table(
        "sync_peer",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("suite", sa.String(length=60), nullable=False),
        sa.Column("sign_key", sa.String(length=64), nullable=False),
        sa.Column("box_key", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name="pk_sync_peer"),
    )
    op.create_index("ix_sync_peer_code", "sync_peer", ["code"])
    op.create_table(
        "sync_bundle",
        sa.Column("bundle_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("manifest_hash", sa.String(length=64), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.Column("seq_from", sa.Integer(), nullable=False),
        sa.Column("seq_to", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("acked_seq", sa.Integer(), nullable=True),
        sa.Column("acked_hash", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id", name="pk_sync_bundle"),
    )
    op.create_index("ix_sync_bundle_station_status", "sync_bundle", ["station_code", "status"])
    op.create_table(
        "sync_row",
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("stub", sa.Boolean(), nullable=False),
        sa.Column("bundle_id", sa.Uuid(), nullable=False),
        sa.Column("change_id", sa.Uuid(), nullable=True),
        sa.Column("hlc", sa.String(length=48), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.String(length=16), nullable=True),
        sa.Column("row_station", sa.String(length=12), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=True),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("op", sa.String(length=10), nullable=True),
        sa.Column("field", sa.String(length=60), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("station_code", "hash", name="pk_sync_row"),
    )
    op.create_index("ix_sync_row_station_seq", "sync_row", ["station_code", "seq"])
    op.create_index("ix_sync_row_entity_id_hlc", "sync_row", ["entity_id", "hlc"])
    op.create_index("ix_sync_row_station_prev", "sync_row", ["station_code", "prev_hash"])
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=140), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=True),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("current_value", sa.Text(), nullable=True),
        sa.Column("incoming_value", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=40), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_conflict"),
    )
    op.create_index("ix_sync_conflict_key_status", "sync_conflict", ["key", "status"])
    op.create_index("ix_sync_conflict_status", "sync_conflict", ["status"])
    op.create_index("ix_sync_conflict_entity_id", "sync_conflict", ["entity_id"])
    op.create_table(
        "sync_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conflict_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_decision"),
    )
    op.create_index("ix_sync_decision_station_code", "sync_decision", ["station_code"])


def downgrade() -> None:
    bind = op.get_bind()
    held = bind.execute(sa.text("SELECT count(*) FROM person WHERE held = :t"), {"t": True}).scalar()
    if held:
        raise RuntimeError(
            f"{held} persons are held at the county (an ID number registered by two stations); "
            "resolve those conflicts before going back to a version without them"
        )
    for table in ("sync_decision", "sync_conflict", "sync_row", "sync_bundle", "sync_peer"):
        op.drop_table(table)
    op.drop_index("uq_person_id_number", table_name="person")
    op.drop_index("ix_person_id_number", table_name="person")
    if bind.dialect.name == "sqlite":
        _rebuild_person(_person_down)
    else:
        op.create_unique_constraint("uq_person_id_number", "person", ["id_number"])
        op.drop_column("person", "held")
