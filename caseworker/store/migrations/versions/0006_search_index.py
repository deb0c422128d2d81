"""search: the person list order index (narrow list table; both FTS5 indexes keyed by it)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

The FTS5 indexes of 0001 are keyed by person.rowid; a search then reads each match from the
wide person table and sorts them.  Version 2 adds person_fts_list (what a search reads of each
person, under a key that follows the list order) and keys both FTS5 indexes by it: the registry
list's search is about three times faster at 100,000 persons (docs/search.md).  SQLite only;
PostgreSQL searches with LIKE and has nothing to change.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies (a migration never changes with the live code; caseworker/registry/search.py
# keeps the same text, and tests/unit/test_search.py compares them).
SQLITE_INDEX_V1 = (
    "CREATE VIRTUAL TABLE person_fts USING fts5(search_text, content='person', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE person_fts_digits USING fts5(id_number, phone, content='person', content_rowid='rowid', tokenize='trigram')",
    'CREATE TRIGGER person_fts_ai AFTER INSERT ON person BEGIN\n        INSERT INTO person_fts(rowid, search_text) VALUES (new.rowid, new.search_text);\n        INSERT INTO person_fts_digits(rowid, id_number, phone)\n            VALUES (new.rowid, new.id_number, new.phone);\n    END',
    "CREATE TRIGGER person_fts_ad AFTER DELETE ON person BEGIN\n        INSERT INTO person_fts(person_fts, rowid, search_text)\n            VALUES ('delete', old.rowid, old.search_text);\n        INSERT INTO person_fts_digits(person_fts_digits, rowid, id_number, phone)\n            VALUES ('delete', old.rowid, old.id_number, old.phone);\n    END",
    "CREATE TRIGGER person_fts_au AFTER UPDATE OF search_text, id_number, phone ON person\n    BEGIN\n        INSERT INTO person_fts(person_fts, rowid, search_text)\n            VALUES ('delete', old.rowid, old.search_text);\n        INSERT INTO person_fts_digits(person_fts_digits, rowid, id_number, phone)\n            VALUES ('delete', old.rowid, old.id_number, old.phone);\n        INSERT INTO person_fts(rowid, search_text) VALUES (new.rowid, new.search_text);\n        INSERT INTO person_fts_digits(rowid, id_number, phone)\n            VALUES (new.rowid, new.id_number, new.phone);\n    END",
)
SQLITE_DROP_V1 = (
    'DROP TRIGGER IF EXISTS person_fts_au',
    'DROP TRIGGER IF EXISTS person_fts_ad',
    'DROP TRIGGER IF EXISTS person_fts_ai',
    'DROP TABLE IF EXISTS person_fts_digits',
    'DROP TABLE IF EXISTS person_fts',
)
SQLITE_INDEX_V2 = (
    'CREATE TABLE person_fts_list (k INTEGER PRIMARY KEY, id CHAR(32) NOT NULL UNIQUE, deleted BOOLEAN NOT NULL, name VARCHAR(40) NOT NULL, name_initials VARCHAR(40) NOT NULL, name_pinyin VARCHAR(240) NOT NULL, id_number VARCHAR(18) NOT NULL, phone VARCHAR(20) NOT NULL, village_id CHAR(32))',
    "CREATE VIRTUAL TABLE person_fts USING fts5(search_text, content='', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE person_fts_digits USING fts5(id_number, phone, content='', tokenize='trigram')",
    'CREATE TRIGGER person_fts_ai AFTER INSERT ON person BEGIN\n        INSERT INTO person_fts_list(k, id, deleted, name, name_initials, name_pinyin, id_number, phone, village_id) SELECT (SELECT CASE WHEN top IS NULL THEN g + 1 WHEN top < g + 16777215 THEN top + 1 ELSE (SELECT max(k) + 1 FROM person_fts_list) END FROM (SELECT g, (SELECT k FROM person_fts_list WHERE k > g AND k <= g + 16777215 ORDER BY k DESC LIMIT 1) AS top FROM (SELECT ((max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 1, 1)), 96) - 96)) * 10460353203 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 2, 1)), 96) - 96)) * 387420489 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 3, 1)), 96) - 96)) * 14348907 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 4, 1)), 96) - 96)) * 531441 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 5, 1)), 96) - 96)) * 19683 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 6, 1)), 96) - 96)) * 729 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 7, 1)), 96) - 96)) * 27 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 8, 1)), 96) - 96)) * 1) << 24) AS g))),\n            new.id, new.deleted, new.name, new.name_initials, new.name_pinyin, new.id_number,\n            new.phone, new.village_id;\n        INSERT INTO person_fts(rowid, search_text) SELECT k, new.search_text FROM person_fts_list WHERE id = new.id;\n        INSERT INTO person_fts_digits(rowid, id_number, phone) SELECT k, new.id_number, new.phone FROM person_fts_list WHERE id = new.id;\n    END',
    "CREATE TRIGGER person_fts_ad AFTER DELETE ON person BEGIN\n        INSERT INTO person_fts(person_fts, rowid, search_text) SELECT 'delete', k, old.search_text FROM person_fts_list WHERE id = old.id;\n        INSERT INTO person_fts_digits(person_fts_digits, rowid, id_number, phone) SELECT 'delete', k, old.id_number, old.phone FROM person_fts_list WHERE id = old.id;\n        DELETE FROM person_fts_list WHERE id = old.id;\n    END",
    "CREATE TRIGGER person_fts_au AFTER UPDATE OF id, deleted, name, name_initials,\n        name_pinyin, search_text, id_number, phone, village_id ON person BEGIN\n        INSERT INTO person_fts(person_fts, rowid, search_text) SELECT 'delete', k, old.search_text FROM person_fts_list WHERE id = old.id;\n        INSERT INTO person_fts_digits(person_fts_digits, rowid, id_number, phone) SELECT 'delete', k, old.id_number, old.phone FROM person_fts_list WHERE id = old.id;\n        UPDATE person_fts_list SET\n            k = CASE WHEN ((max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 1, 1)), 96) - 96)) * 10460353203 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 2, 1)), 96) - 96)) * 387420489 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 3, 1)), 96) - 96)) * 14348907 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 4, 1)), 96) - 96)) * 531441 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 5, 1)), 96) - 96)) * 19683 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 6, 1)), 96) - 96)) * 729 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 7, 1)), 96) - 96)) * 27 + max(0, min(26, coalesce(unicode(substr(old.name_pinyin, 8, 1)), 96) - 96)) * 1) << 24) = ((max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 1, 1)), 96) - 96)) * 10460353203 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 2, 1)), 96) - 96)) * 387420489 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 3, 1)), 96) - 96)) * 14348907 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 4, 1)), 96) - 96)) * 531441 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 5, 1)), 96) - 96)) * 19683 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 6, 1)), 96) - 96)) * 729 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 7, 1)), 96) - 96)) * 27 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 8, 1)), 96) - 96)) * 1) << 24)\n                THEN k ELSE (SELECT CASE WHEN top IS NULL THEN g + 1 WHEN top < g + 16777215 THEN top + 1 ELSE (SELECT max(k) + 1 FROM person_fts_list) END FROM (SELECT g, (SELECT k FROM person_fts_list WHERE k > g AND k <= g + 16777215 ORDER BY k DESC LIMIT 1) AS top FROM (SELECT ((max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 1, 1)), 96) - 96)) * 10460353203 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 2, 1)), 96) - 96)) * 387420489 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 3, 1)), 96) - 96)) * 14348907 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 4, 1)), 96) - 96)) * 531441 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 5, 1)), 96) - 96)) * 19683 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 6, 1)), 96) - 96)) * 729 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 7, 1)), 96) - 96)) * 27 + max(0, min(26, coalesce(unicode(substr(new.name_pinyin, 8, 1)), 96) - 96)) * 1) << 24) AS g))) END,\n            id = new.id, deleted = new.deleted, name = new.name,\n            name_initials = new.name_initials, name_pinyin = new.name_pinyin,\n            id_number = new.id_number, phone = new.phone, village_id = new.village_id\n            WHERE id = old.id;\n        INSERT INTO person_fts(rowid, search_text) SELECT k, new.search_text FROM person_fts_list WHERE id = new.id;\n        INSERT INTO person_fts_digits(rowid, id_number, phone) SELECT k, new.id_number, new.phone FROM person_fts_list WHERE id = new.id;\n    END",
)
SQLITE_DROP_V2 = (
    'DROP TRIGGER IF EXISTS person_fts_au',
    'DROP TRIGGER IF EXISTS person_fts_ad',
    'DROP TRIGGER IF EXISTS person_fts_ai',
    'DROP TABLE IF EXISTS person_fts_digits',
    'DROP TABLE IF EXISTS person_fts',
    'DROP TABLE IF EXISTS person_fts_list',
)
SQLITE_INDEX_NEW_V2 = (
    'DROP TABLE IF EXISTS temp.person_fts_new',
    'CREATE TEMP TABLE person_fts_new AS SELECT g + coalesce((SELECT l.k - g FROM person_fts_list l WHERE l.k > g AND l.k <= g + 16777215 ORDER BY l.k DESC LIMIT 1), 0) + row_number() OVER (PARTITION BY g ORDER BY name_pinyin, id_number) AS k, id, deleted, name, name_initials, name_pinyin, id_number, phone, village_id, search_text FROM (SELECT ((max(0, min(26, coalesce(unicode(substr(p.name_pinyin, 1, 1)), 96) - 96)) * 10460353203 + max(0, min(26, coalesce(unicode(substr(p.name_pinyin, 2, 1)), 96) - 96)) * 387420489 + max(0, min(26, coalesce(unicode(substr(p.name_pinyin, 3, 1)), 96) - 96)) * 14348907 + max(0, min(26, coalesce(unicode(substr(p.name_pinyin, 4, 1)), 96) - 96)) * 531441 + max(0, min(26, coalesce(unicode(substr(p.name_pinyin, 5, 1)), 96) - 96)) * 19683 + max(0, min(26, coalesce(unicode(substr(p.name_pinyin, 6, 1)), 96) - 96)) * 729 + max(0, min(26, coalesce(unicode(substr(p.name_pinyin, 7, 1)), 96) - 96)) * 27 + max(0, min(26, coalesce(unicode(substr(p.name_pinyin, 8, 1)), 96) - 96)) * 1) << 24) AS g, p.* FROM person p WHERE p.id NOT IN (SELECT id FROM person_fts_list))',
    'INSERT INTO person_fts_list(k, id, deleted, name, name_initials, name_pinyin, id_number, phone, village_id) SELECT k, id, deleted, name, name_initials, name_pinyin, id_number, phone, village_id FROM temp.person_fts_new',
    'INSERT INTO person_fts(rowid, search_text) SELECT k, search_text FROM temp.person_fts_new',
    'INSERT INTO person_fts_digits(rowid, id_number, phone) SELECT k, id_number, phone FROM temp.person_fts_new',
    'DROP TABLE temp.person_fts_new',
)


def _run(statements: Sequence[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _run(SQLITE_DROP_V1)
    _run(SQLITE_INDEX_V2)
    _run(SQLITE_INDEX_NEW_V2)  # every person, keys in list order


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _run(SQLITE_DROP_V2)
    _run(SQLITE_INDEX_V1)
    op.execute("INSERT INTO person_fts(person_fts) VALUES ('rebuild')")
    op.execute("INSERT INTO person_fts_digits(person_fts_digits) VALUES ('rebuild')")
