"""Finding persons by one query: a name fragment, pinyin, initials, an ID or phone fragment.

This module is the only place with SQLite-specific SQL.  On SQLite, two FTS5 indexes kept by
triggers serve the query:

- ``person_fts`` (unicode61 tokenizer) over ``person.search_text``: every Chinese character of
  the name as its own token, so any run of one, two or three characters is a phrase query;
  and pinyin tokens (every syllable-aligned suffix of the full reading and of the initials),
  so ``zs``, ``zhangsan`` and ``san`` are prefix queries;
- ``person_fts_digits`` (trigram tokenizer) over the ID number and phone, for fragments of
  three or more characters.

On other databases (PostgreSQL at the county) the same query runs as ``LIKE`` predicates over
the stored pinyin columns: slower, same results.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    false,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from caseworker.core import names
from caseworker.store.models import Person

MIN_DIGIT_FRAGMENT = 3
T = TypeVar("T")
DEFAULT_LIMIT = 200

#: DDL of the SQLite indexes, as installed by migration 0001 (kept verbatim per version).
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

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN_RUN = re.compile(r"[a-z]+")
_ARABIC_RUN = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]+")


def install_sqlite_index(connection: Connection) -> None:
    for statement in SQLITE_INDEX_V1:
        connection.exec_driver_sql(statement)


def drop_sqlite_index(connection: Connection) -> None:
    for statement in SQLITE_DROP_V1:
        connection.exec_driver_sql(statement)


def rebuild_sqlite_index(connection: Connection) -> None:
    """Rebuild both indexes from the person table (after a VACUUM, or to repair)."""
    connection.exec_driver_sql("INSERT INTO person_fts(person_fts) VALUES ('rebuild')")
    connection.exec_driver_sql(
        "INSERT INTO person_fts_digits(person_fts_digits) VALUES ('rebuild')"
    )


@contextmanager
def bulk_load(connection: Connection) -> Iterator[None]:
    """Insert many persons faster: on SQLite the index triggers are lifted for the block and
    the new rows are indexed in one pass at its end (inside the caller's transaction)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM person").scalar()
    connection.exec_driver_sql("DROP TRIGGER person_fts_ai")
    yield
    connection.exec_driver_sql(
        "INSERT INTO person_fts(rowid, search_text) "
        "SELECT rowid, search_text FROM person WHERE rowid > ?",
        (before,),
    )
    connection.exec_driver_sql(
        "INSERT INTO person_fts_digits(rowid, id_number, phone) "
        "SELECT rowid, id_number, phone FROM person WHERE rowid > ?",
        (before,),
    )
    connection.exec_driver_sql(SQLITE_INDEX_V1[2])


def _suffixes(parts: Sequence[str]) -> list[str]:
    return ["".join(parts[i:]) for i in range(len(parts))]


def search_text(name: str, name_native: str = "") -> str:
    """The text the FTS index reads for a person (stored in ``person.search_text``)."""
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


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query split into what each index can answer."""

    raw: str
    cjk: tuple[str, ...]  # runs of Chinese characters
    latin: tuple[str, ...]  # lower-case letter runs (pinyin, initials)
    digits: tuple[str, ...]  # digit runs (ID or phone fragments; may end in X)
    arabic: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.cjk or self.latin or self.digits or self.arabic)


def parse_query(query: str) -> ParsedQuery:
    q = unicodedata.normalize("NFKC", query).strip()
    q = names.normalize_name(q) if _CJK_CHAR.search(q) else q
    cjk = tuple(m for m in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+", q))
    rest = re.sub(r"[\u3400-\u9fff\uf900-\ufaff]+", " ", q)
    digits = tuple(d.upper() for d in re.findall(r"\d[0-9xX]*", rest))
    rest = re.sub(r"\d[0-9xX]*", " ", rest)
    latin = tuple(_LATIN_RUN.findall(rest.lower()))
    arabic = tuple(_ARABIC_RUN.findall(rest))
    return ParsedQuery(q, cjk, latin, digits, arabic)


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fts_text_terms(parsed: ParsedQuery) -> list[str]:
    """``person_fts`` terms: each run of Chinese characters as a phrase of one-character
    tokens, each letter run (pinyin, initials, Uyghur) as a prefix."""
    terms = [_fts_quote(" ".join(run)) for run in parsed.cjk]
    return terms + [_fts_quote(run) + "*" for run in parsed.latin + parsed.arabic]


def _sqlite_predicate(parsed: ParsedQuery) -> ColumnElement[bool]:
    rowid: ColumnElement[int] = literal_column("person.rowid")
    clauses: list[ColumnElement[bool]] = []
    text_terms = _fts_text_terms(parsed)
    if text_terms:
        clauses.append(
            rowid.in_(
                select(literal_column("rowid"))
                .select_from(text("person_fts"))
                .where(
                    text("person_fts MATCH :fts_text").bindparams(fts_text=" AND ".join(text_terms))
                )
            )
        )
    for index, run in enumerate(parsed.digits):
        if len(run) < MIN_DIGIT_FRAGMENT:
            clauses.append(or_(Person.id_number.startswith(run), Person.phone.startswith(run)))
            continue
        key = f"fts_digits_{index}"
        clauses.append(
            rowid.in_(
                select(literal_column("rowid"))
                .select_from(text("person_fts_digits"))
                .where(text(f"person_fts_digits MATCH :{key}").bindparams(**{key: _fts_quote(run)}))
            )
        )
    return and_(*clauses)


def _portable_predicate(parsed: ParsedQuery) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    for run in parsed.cjk:
        clauses.append(Person.name.contains(run, autoescape=True))
    for run in parsed.latin:
        clauses.append(
            or_(
                Person.name_pinyin.startswith(run, autoescape=True),
                Person.name_initials.startswith(run, autoescape=True),
                Person.search_text.contains(" " + run, autoescape=True),
            )
        )
    for run in parsed.arabic:
        clauses.append(Person.name_native.contains(run, autoescape=True))
    for run in parsed.digits:
        clauses.append(
            or_(
                Person.id_number.contains(run, autoescape=True),
                Person.phone.contains(run, autoescape=True),
            )
        )
    return and_(*clauses)


def predicate(session: Session, query: str) -> ColumnElement[bool]:
    """A WHERE clause over :class:`Person` matching ``query`` (false for an empty query)."""
    parsed = parse_query(query)
    if parsed.empty:
        return false()
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_predicate(parsed)
    return _portable_predicate(parsed)


def rank(query: str) -> ColumnElement[int]:
    """Ranking: exact ID number, exact name, name prefix, pinyin prefix, ID/phone prefix."""
    parsed = parse_query(query)
    q = parsed.raw
    upper = q.upper()
    lowered = "".join(parsed.latin)
    whens: list[tuple[ColumnElement[bool], int]] = [
        (Person.id_number == upper, 0),
        (Person.name == q, 1),
        (Person.name.startswith(q, autoescape=True), 2),
    ]
    if lowered:
        whens.append(
            (
                or_(
                    Person.name_pinyin.startswith(lowered, autoescape=True),
                    Person.name_initials.startswith(lowered, autoescape=True),
                ),
                3,
            )
        )
    whens.append(
        (or_(Person.id_number.startswith(upper, autoescape=True), Person.phone.startswith(q)), 4)
    )
    return case(*whens, else_=5)


def statement(session: Session, query: str, *, include_deleted: bool = False) -> Select[Any]:
    """``SELECT person.id`` for ``query``, ranked, then by pinyin (no limit)."""
    stmt: Select[Any] = select(Person.id).where(predicate(session, query))
    if not include_deleted:
        stmt = stmt.where(Person.deleted.is_(False))
    return stmt.order_by(rank(query), Person.name_pinyin, Person.id_number)


_TOP = "\U0010ffff"


def _prefix(column: Any, value: str) -> ColumnElement[bool]:
    """``column`` starts with ``value``, as an index range (LIKE would scan on SQLite)."""
    return and_(column >= value, column < value + _TOP)


def _fts_contains(session: Session, parsed: ParsedQuery, limit: int) -> list[uuid.UUID]:
    """Matches anywhere in the name, pinyin or digits; driven by the FTS index, first ``limit``."""
    if session.get_bind().dialect.name != "sqlite":
        stmt = (
            select(Person.id)
            .where(_portable_predicate(parsed), Person.deleted.is_(False))
            .order_by(Person.name_pinyin, Person.id_number)
            .limit(limit)
        )
        return list(session.scalars(stmt))
    sql, params = _fts_contains_sql(parsed, "p.id", limit)
    return list(session.scalars(text(sql).columns(Person.id), params))


def _fts_contains_sql(
    parsed: ParsedQuery, columns: str, limit: int
) -> tuple[str, dict[str, object]]:
    """SQLite: ``SELECT columns FROM person p`` driven by the FTS indexes (named parameters)."""
    text_terms = _fts_text_terms(parsed)
    long_digits = [run for run in parsed.digits if len(run) >= MIN_DIGIT_FRAGMENT]
    short_digits = [run for run in parsed.digits if len(run) < MIN_DIGIT_FRAGMENT]
    params: dict[str, object] = {"limit": limit}
    if text_terms:
        source = "person_fts f JOIN person p ON p.rowid = f.rowid"
        where = ["person_fts MATCH :text"]
        params["text"] = " AND ".join(text_terms)
        for index, run in enumerate(long_digits):
            where.append(
                f"p.rowid IN (SELECT rowid FROM person_fts_digits WHERE person_fts_digits MATCH :d{index})"
            )
            params[f"d{index}"] = _fts_quote(run)
    elif long_digits:
        source = "person_fts_digits f JOIN person p ON p.rowid = f.rowid"
        where = ["person_fts_digits MATCH :digits"]
        params["digits"] = " AND ".join(_fts_quote(run) for run in long_digits)
    else:
        source = "person p"
        where = []
    for index, run in enumerate(short_digits):
        where.append(
            f"(substr(p.id_number, 1, {len(run)}) = :s{index} OR substr(p.phone, 1, {len(run)}) = :s{index})"
        )
        params[f"s{index}"] = run
    where.append("p.deleted = 0")
    sql = f"SELECT {columns} FROM {source} WHERE {' AND '.join(where)} LIMIT :limit"
    return sql, params


@dataclass(frozen=True, slots=True)
class _Tier:
    """One index-served lookup: ``column`` equals (or starts with) ``value``, in ``order``."""

    column: str
    value: str
    prefix: bool
    order: str

    def clause(self) -> ColumnElement[bool]:
        column = getattr(Person, self.column)
        return _prefix(column, self.value) if self.prefix else column == self.value

    def sql(self) -> tuple[str, tuple[str, ...]]:
        """The same lookup as plain SQL over ``person p``: (condition, parameters)."""
        if self.prefix:
            return f"p.{self.column} >= ? AND p.{self.column} < ?", (self.value, self.value + _TOP)
        return f"p.{self.column} = ?", (self.value,)


def _tiers(parsed: ParsedQuery) -> list[_Tier]:
    """Index-served lookups, best first, for a query of one kind (none for a mixed query)."""
    if len(parsed.cjk) == 1 and not (parsed.latin or parsed.digits or parsed.arabic):
        name = parsed.raw
        return [_Tier("name", name, False, "id_number"), _Tier("name", name, True, "name")]
    if len(parsed.latin) == 1 and not (parsed.cjk or parsed.digits or parsed.arabic):
        run = parsed.latin[0]
        return [
            _Tier("name_initials", run, True, "name_initials"),
            _Tier("name_pinyin", run, True, "name_pinyin"),
        ]
    if len(parsed.digits) == 1 and not (parsed.cjk or parsed.latin or parsed.arabic):
        run = parsed.digits[0]
        return [
            _Tier("id_number", run, False, "id_number"),
            _Tier("id_number", run, True, "id_number"),
            _Tier("phone", run, True, "phone"),
        ]
    return []


class _Best(Generic[T]):
    """The first ``limit`` distinct items (by ``key``) gathered tier after tier."""

    def __init__(self, limit: int, key: Callable[[T], object]) -> None:
        self.limit = limit
        self.key = key
        self.items: list[T] = []
        self.seen: set[object] = set()

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit

    def take(self, items: Iterable[T]) -> None:
        for item in items:
            key = self.key(item)
            if key not in self.seen and not self.full:
                self.seen.add(key)
                self.items.append(item)


def search_ids(session: Session, query: str, *, limit: int = DEFAULT_LIMIT) -> list[uuid.UUID]:
    """The best ``limit`` matches for ``query``: exact ID number, exact name, name prefix,
    initials and pinyin prefix, ID and phone prefix, then matches anywhere.

    Each tier is an index range scan that stops at ``limit``, so a common one-character query
    costs no more than a rare one.
    """
    parsed = parse_query(query)
    if parsed.empty or limit <= 0:
        return []
    best: _Best[uuid.UUID] = _Best(limit, lambda person_id: person_id)
    for tier in _tiers(parsed):
        stmt = (
            select(Person.id)
            .where(tier.clause(), Person.deleted.is_(False))
            .order_by(getattr(Person, tier.order))
            .limit(limit)
        )
        best.take(session.scalars(stmt))
        if best.full:
            return best.items
    best.take(_fts_contains(session, parsed, limit + len(best.items)))
    return best.items


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


_HIT_COLUMNS = (
    Person.id,
    Person.name,
    Person.name_native,
    Person.sex,
    Person.birth_date,
    Person.id_number,
    Person.phone,
    Person.village_id,
)


_HIT_COLUMNS_SQL = (
    "p.id, p.name, p.name_native, p.sex, p.birth_date, p.id_number, p.phone, p.village_id"
)
_HIT_SQL = f"SELECT {_HIT_COLUMNS_SQL}"


def _sqlite_search(session: Session, parsed: ParsedQuery, limit: int) -> list[Hit]:
    """The same tiers as :func:`search_ids`, as plain SQL on the driver (the hot path of the
    search box: one statement per tier, rows fetched with the ids)."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    best: _Best[tuple[object, ...]] = _Best(limit, lambda row: row[0])
    for tier in _tiers(parsed):
        condition, params = tier.sql()
        sql = f"{_HIT_SQL} FROM person p WHERE {condition} AND p.deleted = 0 ORDER BY p.{tier.order} LIMIT ?"
        best.take(raw.execute(sql, (*params, limit)).fetchall())
        if best.full:
            break
    else:
        sql, named = _fts_contains_sql(parsed, _HIT_COLUMNS_SQL, limit + len(best.items))
        best.take(raw.execute(sql, named).fetchall())
    rows = best.items
    return [
        Hit(uuid.UUID(str(r[0])), str(r[1]), str(r[2]), str(r[3]), dt.date.fromisoformat(str(r[4])),
            str(r[5]), str(r[6]), uuid.UUID(str(r[7])) if r[7] else None)
        for r in rows
    ]  # fmt: skip


def search(session: Session, query: str, *, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """Persons matching ``query``, best first: exact ID number, exact name, name prefix,
    initials and pinyin prefix, ID and phone prefix, then matches anywhere."""
    parsed = parse_query(query)
    if parsed.empty or limit <= 0:
        return []
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_search(session, parsed, limit)
    ids = search_ids(session, query, limit=limit)
    if not ids:
        return []
    rows = {
        row[0]: Hit(*row)
        for row in session.execute(select(*_HIT_COLUMNS).where(Person.id.in_(ids)))
    }
    return [rows[i] for i in ids]
