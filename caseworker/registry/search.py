"""Finding persons by one query: a name fragment, pinyin, initials, an ID or phone fragment.

There is one search, used by every front end: :func:`ranked` builds the statement (the
matching persons, best first); the registry list reads all of its ids (:func:`id_blob`), the
CLI and the tests read the first rows (:func:`search`), and the roster filters by
:func:`matches`.  So a query finds the same persons in the same order everywhere.

Order (:class:`Tier`): exact ID number, exact name, name prefix, initials prefix, full-pinyin
prefix, ID number prefix, phone prefix, then matches anywhere; within a tier by pinyin, then
ID number.  A blank query lists everyone by pinyin.  Queries are capped in length and in
fragments (:func:`parse_query`).

This module is the only place with SQLite-specific SQL.  On SQLite the index (version 2,
migration 0006) is a narrow list table keyed in list order and two FTS5 indexes keyed by it:

- ``person_fts`` (unicode61 tokenizer) over ``person.search_text``: every Chinese character of
  the name as its own token, so any run of characters is a phrase query; and pinyin tokens
  (every syllable-aligned suffix of the full reading and of the initials), so ``zs``,
  ``zhangsan`` and ``san`` are prefix queries;
- ``person_fts_digits`` (trigram tokenizer) over the ID number and phone, for fragments of
  three or more digits (shorter ones match the start of the ID number or phone).

On other databases (PostgreSQL at the county) the same matches are ``LIKE`` predicates over
the same ``search_text`` (escaped): slower, same persons, same order.  docs/search.md has the
design and the measurements.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Uuid,
    and_,
    case,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session

from caseworker.core import names
from caseworker.core.errors import ValidationError
from caseworker.i18n import _
from caseworker.store.models import Person, Village

#: Digit fragments shorter than this match the start of an ID number or phone (a trigram index
#: cannot answer them); longer ones match anywhere.
MIN_DIGIT_FRAGMENT = 3
#: The longest query, in characters (a name of 40 characters and an ID number fit easily).
MAX_QUERY_LENGTH = 100
#: The most fragments (runs of Chinese characters, letters, Uyghur letters or digits) a query
#: may have; every fragment is one more condition in the database's query.
MAX_FRAGMENTS = 10
DEFAULT_LIMIT = 200

#: DDL of the SQLite index, version 1, as installed by migration 0001 (keyed by person.rowid;
#: replaced by version 2 in migration 0006, whose downgrade restores it).
SQLITE_INDEX_V1 = (
    "CREATE VIRTUAL TABLE person_fts USING fts5(search_text, content='person', "
    "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE person_fts_digits USING fts5(id_number, phone, content='person', "
    "content_rowid='rowid', tokenize='trigram')",
    """CREATE TRIGGER person_fts_ai AFTER INSERT ON person BEGIN
        INSERT INTO person_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
        INSERT INTO person_fts_digits(rowid, id_number, phone)
            VALUES (new.rowid, new.id_number, new.phone);
    END""",
    """CREATE TRIGGER person_fts_ad AFTER DELETE ON person BEGIN
        INSERT INTO person_fts(person_fts, rowid, search_text)
            VALUES ('delete', old.rowid, old.search_text);
        INSERT INTO person_fts_digits(person_fts_digits, rowid, id_number, phone)
            VALUES ('delete', old.rowid, old.id_number, old.phone);
    END""",
    """CREATE TRIGGER person_fts_au AFTER UPDATE OF search_text, id_number, phone ON person
    BEGIN
        INSERT INTO person_fts(person_fts, rowid, search_text)
            VALUES ('delete', old.rowid, old.search_text);
        INSERT INTO person_fts_digits(person_fts_digits, rowid, id_number, phone)
            VALUES ('delete', old.rowid, old.id_number, old.phone);
        INSERT INTO person_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
        INSERT INTO person_fts_digits(rowid, id_number, phone)
            VALUES (new.rowid, new.id_number, new.phone);
    END""",
)
SQLITE_DROP_V1 = (
    "DROP TRIGGER IF EXISTS person_fts_au",
    "DROP TRIGGER IF EXISTS person_fts_ad",
    "DROP TRIGGER IF EXISTS person_fts_ai",
    "DROP TABLE IF EXISTS person_fts_digits",
    "DROP TABLE IF EXISTS person_fts",
)

#: Chinese characters as the name validator accepts them (Extension A to H included).
_CJK = names.CJK_CHARACTERS
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_NAME_TEXT = re.compile(f"[{_CJK}][{_CJK}{names.MIDDLE_DOT}]*")
_DIGIT_RUN = re.compile(r"[0-9][0-9xX]*")
_LATIN_RUN = re.compile(r"[a-z]+")
_ARABIC_RUN = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]+")
#: Arabic-Indic and Persian digits, as a phone keyboard in Uyghur may type them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


# ---------------------------------------------------------------------------------------------
# The SQLite index, version 2 (migration 0006)
# ---------------------------------------------------------------------------------------------
#
# ``person_fts_list`` holds what a search needs of each person (narrow rows: the name, pinyin,
# initials, ID number, phone, village and the tombstone flag) under a key ``k`` that follows the
# list order: the first eight letters of the pinyin as a number in base 27, shifted left by 24
# bits, plus a slot taken in turn inside that group.  Both FTS5 indexes are keyed by ``k``.  So
# the rows an FTS query returns come in (nearly) list order, are read from a table a seventh the
# size of ``person`` in key order, and SQLite's sort gets them almost sorted: three times faster
# than reading ``person`` (see docs/search.md).  Nothing depends on ``k`` being exactly in order:
# the queries order by the pinyin and ID number themselves.  Triggers keep all three in step
# with ``person``; a bulk load lifts the insert trigger and indexes the new rows at its end.

_SLOT_BITS = 24
_GROUP_LETTERS = 8


def _group_sql(pinyin: str) -> str:
    """SQL for the first key of ``pinyin``'s group (letters a-z as 1-26, anything else 0/26)."""
    terms = " + ".join(
        f"max(0, min(26, coalesce(unicode(substr({pinyin}, {i}, 1)), 96) - 96)) * "
        f"{27 ** (_GROUP_LETTERS - i)}"
        for i in range(1, _GROUP_LETTERS + 1)
    )
    return f"(({terms}) << {_SLOT_BITS})"


_LAST_SLOT = (1 << _SLOT_BITS) - 1


def _new_key_sql(pinyin: str) -> str:
    """SQL for a free key in ``pinyin``'s group: after the group's last one (past the end of
    the whole table in the never-seen case of a full group: unique, merely out of order)."""
    return (
        f"(SELECT CASE WHEN top IS NULL THEN g + 1 WHEN top < g + {_LAST_SLOT} THEN top + 1 "
        "ELSE (SELECT max(k) + 1 FROM person_fts_list) END "
        "FROM (SELECT g, (SELECT k FROM person_fts_list "
        f"WHERE k > g AND k <= g + {_LAST_SLOT} ORDER BY k DESC LIMIT 1) AS top "
        f"FROM (SELECT {_group_sql(pinyin)} AS g)))"
    )


_LIST_COLUMNS = "id, deleted, name, name_initials, name_pinyin, id_number, phone, village_id"
_INDEX_FROM_LIST = (
    "INSERT INTO person_fts(rowid, search_text) SELECT k, {row}.search_text "
    "FROM person_fts_list WHERE id = {row}.id;\n"
    "        INSERT INTO person_fts_digits(rowid, id_number, phone) "
    "SELECT k, {row}.id_number, {row}.phone FROM person_fts_list WHERE id = {row}.id;"
)
_UNINDEX_FROM_LIST = (
    "INSERT INTO person_fts(person_fts, rowid, search_text) "
    "SELECT 'delete', k, old.search_text FROM person_fts_list WHERE id = old.id;\n"
    "        INSERT INTO person_fts_digits(person_fts_digits, rowid, id_number, phone) "
    "SELECT 'delete', k, old.id_number, old.phone FROM person_fts_list WHERE id = old.id;"
)

#: DDL of the SQLite index, version 2, as installed by migration 0006 (kept verbatim there).
SQLITE_INDEX_V2 = (
    "CREATE TABLE person_fts_list (k INTEGER PRIMARY KEY, id CHAR(32) NOT NULL UNIQUE, "
    "deleted BOOLEAN NOT NULL, name VARCHAR(40) NOT NULL, name_initials VARCHAR(40) NOT NULL, "
    "name_pinyin VARCHAR(240) NOT NULL, id_number VARCHAR(18) NOT NULL, "
    "phone VARCHAR(20) NOT NULL, village_id CHAR(32))",
    "CREATE VIRTUAL TABLE person_fts USING fts5(search_text, content='', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE person_fts_digits USING fts5(id_number, phone, content='', "
    "tokenize='trigram')",
    f"""CREATE TRIGGER person_fts_ai AFTER INSERT ON person BEGIN
        INSERT INTO person_fts_list(k, {_LIST_COLUMNS}) SELECT {_new_key_sql("new.name_pinyin")},
            new.id, new.deleted, new.name, new.name_initials, new.name_pinyin, new.id_number,
            new.phone, new.village_id;
        {_INDEX_FROM_LIST.format(row="new")}
    END""",
    f"""CREATE TRIGGER person_fts_ad AFTER DELETE ON person BEGIN
        {_UNINDEX_FROM_LIST}
        DELETE FROM person_fts_list WHERE id = old.id;
    END""",
    f"""CREATE TRIGGER person_fts_au AFTER UPDATE OF id, deleted, name, name_initials,
        name_pinyin, search_text, id_number, phone, village_id ON person BEGIN
        {_UNINDEX_FROM_LIST}
        UPDATE person_fts_list SET
            k = CASE WHEN {_group_sql("old.name_pinyin")} = {_group_sql("new.name_pinyin")}
                THEN k ELSE {_new_key_sql("new.name_pinyin")} END,
            id = new.id, deleted = new.deleted, name = new.name,
            name_initials = new.name_initials, name_pinyin = new.name_pinyin,
            id_number = new.id_number, phone = new.phone, village_id = new.village_id
            WHERE id = old.id;
        {_INDEX_FROM_LIST.format(row="new")}
    END""",
)
SQLITE_DROP_V2 = (
    "DROP TRIGGER IF EXISTS person_fts_au",
    "DROP TRIGGER IF EXISTS person_fts_ad",
    "DROP TRIGGER IF EXISTS person_fts_ai",
    "DROP TABLE IF EXISTS person_fts_digits",
    "DROP TABLE IF EXISTS person_fts",
    "DROP TABLE IF EXISTS person_fts_list",
)
#: Index every person not yet in ``person_fts_list`` (after a bulk load, or all of them): keys
#: in list order inside each group, after the group's last key.
SQLITE_INDEX_NEW_V2 = (
    "DROP TABLE IF EXISTS temp.person_fts_new",
    "CREATE TEMP TABLE person_fts_new AS SELECT g + coalesce((SELECT l.k - g FROM "
    f"person_fts_list l WHERE l.k > g AND l.k <= g + {_LAST_SLOT} ORDER BY l.k DESC LIMIT 1), 0)"
    " + row_number() OVER (PARTITION BY g ORDER BY name_pinyin, id_number) AS k, "
    f"{_LIST_COLUMNS}, search_text FROM (SELECT {_group_sql('p.name_pinyin')} AS g, p.* "
    "FROM person p WHERE p.id NOT IN (SELECT id FROM person_fts_list))",
    f"INSERT INTO person_fts_list(k, {_LIST_COLUMNS}) SELECT k, {_LIST_COLUMNS} "
    "FROM temp.person_fts_new",
    "INSERT INTO person_fts(rowid, search_text) SELECT k, search_text FROM temp.person_fts_new",
    "INSERT INTO person_fts_digits(rowid, id_number, phone) "
    "SELECT k, id_number, phone FROM temp.person_fts_new",
    "DROP TABLE temp.person_fts_new",
)
SQLITE_CLEAR_V2 = (
    "INSERT INTO person_fts(person_fts) VALUES ('delete-all')",
    "INSERT INTO person_fts_digits(person_fts_digits) VALUES ('delete-all')",
    "DELETE FROM person_fts_list",
)


#: The tables whose insert triggers write a full-text index (above).  A bulk writer inserts
#: their rows in one statement (:func:`caseworker.store.bulk.insert_bound`): SQLite opens a
#: savepoint for each statement that writes through triggers, and FTS5 writes its pending
#: terms as a new segment at each (measured on the county import of 10 stations: 20% less
#: time than a statement a row).
FULL_TEXT_TABLES = frozenset({"person"})


def _run(connection: Connection, statements: Sequence[str]) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)


def install_sqlite_index(connection: Connection) -> None:
    """Create the index (version 2) and index every person."""
    _run(connection, SQLITE_INDEX_V2)
    _run(connection, SQLITE_INDEX_NEW_V2)


def drop_sqlite_index(connection: Connection) -> None:
    _run(connection, SQLITE_DROP_V2)


def rebuild_sqlite_index(connection: Connection) -> None:
    """Rebuild the index from the person table (to repair it; keys in exact list order)."""
    _run(connection, SQLITE_CLEAR_V2)
    _run(connection, SQLITE_INDEX_NEW_V2)


@contextmanager
def bulk_load(connection: Connection) -> Iterator[None]:
    """Insert many persons faster: on SQLite the insert trigger is lifted for the block and
    the new rows are indexed in one pass at its end (inside the caller's transaction)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("DROP TRIGGER person_fts_ai")
    yield
    _run(connection, SQLITE_INDEX_NEW_V2)
    connection.exec_driver_sql(SQLITE_INDEX_V2[3])


def _suffixes(parts: Sequence[str]) -> list[str]:
    return ["".join(parts[i:]) for i in range(len(parts))]


@lru_cache(maxsize=names.NAME_CACHE)
def search_text(name: str, name_native: str = "") -> str:
    """The text the FTS index reads for a person (stored in ``person.search_text``): tokens
    separated by single spaces.  Kept for the names seen last (common names recur; reading a
    name with pypinyin is slow), which bulk imports at a county and demo data notice."""
    tokens: list[str] = [c for c in name if _CJK_CHAR.match(c)]
    readings = [names.reading(name), names.default_reading(name)]
    seen: set[str] = set()
    for r in readings:
        for token in _suffixes(r.syllables) + _suffixes(list(r.initials)):
            if token and token not in seen:
                seen.add(token)
                tokens.append(token)
    tokens.extend(_ARABIC_RUN.findall(name_native))
    return " ".join(tokens)


# ---------------------------------------------------------------------------------------------
# The query
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query split into what the indexes can answer.

    ``text`` is the normalised query; an empty ``text`` (nothing but spaces) lists everyone.
    A query with text but no fragment (only punctuation, say) matches no one.
    """

    text: str
    cjk: tuple[str, ...] = ()  # runs of Chinese characters
    latin: tuple[str, ...] = ()  # lower-case letter runs (pinyin, initials)
    digits: tuple[str, ...] = ()  # digit runs (ID or phone fragments; may end in X)
    arabic: tuple[str, ...] = ()  # runs of Uyghur letters

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def fragments(self) -> int:
        return len(self.cjk) + len(self.latin) + len(self.digits) + len(self.arabic)

    @property
    def name_text(self) -> str:
        """The query as (the start of) a name, or '' when it is not only Chinese characters."""
        return self.text if _NAME_TEXT.fullmatch(self.text) else ""

    @property
    def pinyin_text(self) -> str:
        """The letters of a query that is only letters (``zhang san`` -> ``zhangsan``), or ''."""
        return "".join(self.latin) if self.fragments == len(self.latin) else ""

    @property
    def digit_text(self) -> str:
        """The digits of a query that is one number (an ID number or phone, or part of one)."""
        return self.digits[0] if self.fragments == len(self.digits) == 1 else ""


def _too_long() -> ValidationError:
    return ValidationError(
        _("The search text is too long: use at most {n} characters.").format(n=MAX_QUERY_LENGTH),
        "query",
    )


def _blank_out(text: str) -> str:
    """Format and control characters (zero-width spaces, direction marks) as spaces."""
    return "".join(" " if unicodedata.category(c) in ("Cf", "Cc") else c for c in text)


def parse_query(query: str) -> ParsedQuery:
    """Split ``query`` into fragments.  A query longer than :data:`MAX_QUERY_LENGTH` characters
    or with more than :data:`MAX_FRAGMENTS` fragments raises a :class:`ValidationError`."""
    if len(query.strip()) > MAX_QUERY_LENGTH:
        raise _too_long()
    q = _blank_out(unicodedata.normalize("NFKC", query).translate(_DIGITS)).strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise _too_long()
    if _CJK_CHAR.search(q):
        q = names.normalize_name(q)
    cjk = tuple(_CJK_RUN.findall(q))
    rest = _CJK_RUN.sub(" ", q)
    digits = tuple(d.upper() for d in _DIGIT_RUN.findall(rest))
    rest = _DIGIT_RUN.sub(" ", rest)
    latin = tuple(_LATIN_RUN.findall(rest.lower().replace("ü", "v")))
    arabic = tuple(_ARABIC_RUN.findall(rest))
    parsed = ParsedQuery(q, cjk, latin, digits, arabic)
    if parsed.fragments > MAX_FRAGMENTS:
        raise ValidationError(
            _(
                "The search text has too many parts: use at most {n} names, words or numbers."
            ).format(n=MAX_FRAGMENTS),
            "query",
        )
    return parsed


def _parsed(query: str | ParsedQuery) -> ParsedQuery:
    return query if isinstance(query, ParsedQuery) else parse_query(query)


# ---------------------------------------------------------------------------------------------
# Which persons match
# ---------------------------------------------------------------------------------------------

#: The index's list table as SQLAlchemy sees it (not in the models' metadata: the migrations
#: own it, as they own the FTS tables).
LIST = Table(
    "person_fts_list",
    MetaData(),
    Column("k", Integer, primary_key=True),
    Column("id", Uuid),
    Column("deleted", Boolean),
    Column("name", String),
    Column("name_initials", String),
    Column("name_pinyin", String),
    Column("id_number", String),
    Column("phone", String),
    Column("village_id", Uuid),
)
_FTS_TEXT = table("person_fts", column("rowid", Integer))
_FTS_DIGITS = table("person_fts_digits", column("rowid", Integer))


@dataclass(frozen=True, slots=True)
class _Columns:
    """The columns a search reads: of ``person``, or of the index's list table."""

    id: Any
    deleted: Any
    name: Any
    name_initials: Any
    name_pinyin: Any
    id_number: Any
    phone: Any
    village_id: Any


_PERSON = _Columns(
    Person.id,
    Person.deleted,
    Person.name,
    Person.name_initials,
    Person.name_pinyin,
    Person.id_number,
    Person.phone,
    Person.village_id,
)
_LISTED = _Columns(*(LIST.c[name] for name in _Columns.__slots__))


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _text_terms(parsed: ParsedQuery) -> list[str]:
    """``person_fts`` terms: each run of Chinese characters as a phrase of one-character
    tokens, each letter run (pinyin, initials, Uyghur) as a token prefix."""
    terms = [_fts_quote(" ".join(run)) for run in parsed.cjk]
    return terms + [_fts_quote(run) + "*" for run in parsed.latin + parsed.arabic]


def _long_digits(parsed: ParsedQuery) -> list[str]:
    return [run for run in parsed.digits if len(run) >= MIN_DIGIT_FRAGMENT]


def _starts(column: Any, value: str) -> ColumnElement[bool]:
    """``column`` starts with ``value`` (no LIKE: nothing in ``value`` is a wildcard)."""
    return func.substr(column, 1, len(value)) == value


def _short_digits(columns: _Columns, parsed: ParsedQuery) -> list[ColumnElement[bool]]:
    return [
        or_(_starts(columns.id_number, run), _starts(columns.phone, run))
        for run in parsed.digits
        if len(run) < MIN_DIGIT_FRAGMENT
    ]


def _match(fts: str, expression: str) -> ColumnElement[bool]:
    return literal_column(fts).op("MATCH")(expression)


def _sqlite_source(parsed: ParsedQuery) -> tuple[FromClause, list[ColumnElement[bool]]]:
    """The list table's rows matching ``parsed`` (with fragments), driven by an FTS index:
    (FROM, WHERE)."""
    terms = _text_terms(parsed)
    digits = " AND ".join(_fts_quote(run) for run in _long_digits(parsed))
    where: list[ColumnElement[bool]] = []
    source: FromClause = LIST
    if terms:
        source = _FTS_TEXT.join(LIST, LIST.c.k == _FTS_TEXT.c.rowid)
        where.append(_match("person_fts", " AND ".join(terms)))
        if digits:
            also = select(_FTS_DIGITS.c.rowid).where(_match("person_fts_digits", digits))
            where.append(LIST.c.k.in_(also))
    elif digits:
        source = _FTS_DIGITS.join(LIST, LIST.c.k == _FTS_DIGITS.c.rowid)
        where.append(_match("person_fts_digits", digits))
    return source, where + _short_digits(_LISTED, parsed)


def _portable_match(parsed: ParsedQuery) -> ColumnElement[bool]:
    """The same matches as the FTS indexes, as escaped ``LIKE`` over ``search_text`` (whose
    tokens are separated by single spaces) and the ID number and phone."""
    tokens = literal(" ") + Person.search_text + literal(" ")
    clauses: list[ColumnElement[bool]] = [
        tokens.contains(" " + " ".join(run) + " ", autoescape=True) for run in parsed.cjk
    ]
    clauses.extend(
        tokens.contains(" " + run, autoescape=True) for run in parsed.latin + parsed.arabic
    )
    clauses.extend(
        or_(
            Person.id_number.contains(run, autoescape=True),
            Person.phone.contains(run, autoescape=True),
        )
        for run in _long_digits(parsed)
    )
    return and_(*clauses, *_short_digits(_PERSON, parsed))


def _uses_index(session: Session, portable: bool) -> bool:
    """Whether a query runs on the SQLite index (else as LIKE over ``person``)."""
    return not portable and session.get_bind().dialect.name == "sqlite"


def matches(
    session: Session, query: str | ParsedQuery, *, portable: bool = False
) -> ColumnElement[bool] | None:
    """A WHERE clause over :class:`Person` for ``query``; None for a blank query (everyone).
    ``portable`` uses the LIKE form on SQLite too (the tests compare the two)."""
    parsed = _parsed(query)
    if parsed.blank:
        return None
    if not parsed.fragments:
        return false()
    if _uses_index(session, portable):
        source, where = _sqlite_source(parsed)
        return Person.id.in_(select(LIST.c.id).select_from(source).where(*where))
    return _portable_match(parsed)


# ---------------------------------------------------------------------------------------------
# Order
# ---------------------------------------------------------------------------------------------


class Tier(IntEnum):
    """How well a person matches, best first."""

    ID_NUMBER = 0
    NAME = 1
    NAME_PREFIX = 2
    INITIALS_PREFIX = 3
    PINYIN_PREFIX = 4
    ID_NUMBER_PREFIX = 5
    PHONE_PREFIX = 6
    ANYWHERE = 7


def tier(query: str | ParsedQuery, columns: _Columns = _PERSON) -> ColumnElement[int] | None:
    """The :class:`Tier` of each person for ``query`` (None when every match is ANYWHERE)."""
    parsed = _parsed(query)
    c = columns
    whens: list[tuple[ColumnElement[bool], Tier]] = []
    if name := parsed.name_text:
        whens += [(c.name == name, Tier.NAME), (_starts(c.name, name), Tier.NAME_PREFIX)]
    if pinyin := parsed.pinyin_text:
        whens += [
            (_starts(c.name_initials, pinyin), Tier.INITIALS_PREFIX),
            (_starts(c.name_pinyin, pinyin), Tier.PINYIN_PREFIX),
        ]
    if digits := parsed.digit_text:
        whens += [
            (c.id_number == digits, Tier.ID_NUMBER),
            (_starts(c.id_number, digits), Tier.ID_NUMBER_PREFIX),
            (_starts(c.phone, digits), Tier.PHONE_PREFIX),
        ]
    if not whens:
        return None
    return case(*((when, int(value)) for when, value in whens), else_=int(Tier.ANYWHERE))


def ranked(
    session: Session,
    query: str | ParsedQuery,
    *,
    village_id: uuid.UUID | None = None,
    portable: bool = False,
) -> Select[Any]:
    """``SELECT`` the ids of the live persons matching ``query``, best first: by
    :class:`Tier`, then pinyin, then ID number (unique, so the order is total).  Everyone, by
    pinyin, for a blank query.

    Callers may filter on :class:`Person` columns, join to ``Person.id``, and replace the
    order (the registry list's sort columns) with ``.order_by(None).order_by(...)``.  On
    SQLite a text query reads the index's narrow list table; ``person`` is left-joined to it,
    and SQLite leaves the join out when nothing refers to ``person``.
    """
    parsed = _parsed(query)
    columns = _PERSON
    stmt: Select[Any] = select(Person.id).where(Person.deleted.is_(False))
    if not parsed.blank and parsed.fragments and _uses_index(session, portable):
        columns = _LISTED
        source, where = _sqlite_source(parsed)
        stmt = (
            select(LIST.c.id)
            .select_from(source.outerjoin(Person, Person.id == LIST.c.id))
            .where(LIST.c.deleted.is_(False), *where)
        )
    else:
        where_person = matches(session, parsed, portable=portable)
        if where_person is not None:
            stmt = stmt.where(where_person)
    if village_id is not None:
        stmt = stmt.where(columns.village_id == village_id)
    rank = tier(parsed, columns)
    order = [rank] if rank is not None else []
    return stmt.order_by(*order, columns.name_pinyin, columns.id_number)


def id_blob(session: Session, stmt: Select[Any], params: dict[str, Any] | None = None) -> bytes:
    """The record ids that ``stmt`` selects (its one column; ``params``: the values of its
    bound parameters), in its order, 16 bytes each (for the screens' paged models: the
    registry, the worklist, the zero-employment families).

    On SQLite the ids come back as one string (``group_concat`` over the ordered statement):
    reading 100,000 rows one by one costs more than finding them.
    """
    if session.get_bind().dialect.name == "sqlite":
        # The ids as stored (32 hex digits), joined.  SQLite runs an ordered subquery under an
        # aggregate in its order (it does not flatten the two); a test checks the result
        # against the rows read one by one.
        ordered = stmt.subquery()
        joined = session.scalar(
            select(func.group_concat(ordered.c[0], literal(""), type_=String)), params
        )
        return bytes.fromhex(joined or "")
    blob = bytearray()
    for chunk in (
        session.execute(stmt, params, execution_options={"yield_per": 5000}).scalars().partitions()
    ):
        blob += b"".join(person_id.bytes for person_id in chunk)
    return bytes(blob)


# ---------------------------------------------------------------------------------------------
# The first rows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """What a search result list shows of a person."""

    id: uuid.UUID
    name: str
    name_native: str
    sex: str
    birth_date: dt.date
    id_number: str
    phone: str
    village_id: uuid.UUID | None
    village: str


_HIT_COLUMNS = (
    Person.id,
    Person.name,
    Person.name_native,
    Person.sex,
    Person.birth_date,
    Person.id_number,
    Person.phone,
    Person.village_id,
    func.coalesce(Village.name, ""),
)


def search(
    session: Session,
    query: str,
    *,
    limit: int = DEFAULT_LIMIT,
    village_id: uuid.UUID | None = None,
) -> list[Hit]:
    """The first ``limit`` persons for ``query``: the start of :func:`ranked`'s list
    (everyone for a blank query), optionally in one village only."""
    first = ranked(session, query, village_id=village_id).limit(max(limit, 0))
    ids: list[uuid.UUID] = list(session.scalars(first))
    if not ids:
        return []
    stmt = (
        select(*_HIT_COLUMNS)
        .outerjoin(Village, Village.id == Person.village_id)
        .where(Person.id.in_(ids))
    )
    rows = {row[0]: Hit(*row) for row in session.execute(stmt)}
    return [rows[person_id] for person_id in ids]
