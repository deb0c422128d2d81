"""Finding persons by one query: a name fragment, pinyin, initials, an ID or phone fragment.

There is one search, used by every front end: :func:`ranked` builds the statement (the
matching persons, best first), the registry list reads all of its ids (:func:`id_blob`), the
CLI and the tests read the first rows (:func:`search`), and the roster filters by
:func:`matches`.  So a query finds the same persons in the same order everywhere.

Order: exact ID number, exact name, name prefix, initials prefix, full-pinyin prefix, ID
number prefix, phone prefix, then matches anywhere; within each tier by pinyin, then ID number.

This module is the only place with SQLite-specific SQL.  On SQLite, two FTS5 indexes kept by
triggers decide which persons match:

- ``person_fts`` (unicode61 tokenizer) over ``person.search_text``: every Chinese character of
  the name as its own token, so any run of characters is a phrase query; and pinyin tokens
  (every syllable-aligned suffix of the full reading and of the initials), so ``zs``,
  ``zhangsan`` and ``san`` are prefix queries;
- ``person_fts_digits`` (trigram tokenizer) over the ID number and phone, for fragments of
  three or more characters (shorter ones match the start of the ID number or phone).

On other databases (PostgreSQL at the county) the same matches are ``LIKE`` predicates over
the same ``search_text`` (escaped): slower, same persons, same order.
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
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    case,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
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
    """The text the FTS index reads for a person (stored in ``person.search_text``): tokens
    separated by single spaces."""
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


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _text_terms(parsed: ParsedQuery) -> list[str]:
    """``person_fts`` terms: each run of Chinese characters as a phrase of one-character
    tokens, each letter run (pinyin, initials, Uyghur) as a token prefix."""
    terms = [_fts_quote(" ".join(run)) for run in parsed.cjk]
    return terms + [_fts_quote(run) + "*" for run in parsed.latin + parsed.arabic]


def _starts(column: Any, value: str) -> ColumnElement[bool]:
    """``column`` starts with ``value`` (no LIKE: nothing in ``value`` is a wildcard)."""
    return func.substr(column, 1, len(value)) == value


def _short_digits(run: str) -> ColumnElement[bool]:
    return or_(_starts(Person.id_number, run), _starts(Person.phone, run))


def _fts(table: str, expression: str) -> ColumnElement[bool]:
    """``person.rowid`` is among the rows of the FTS ``table`` that match ``expression``."""
    return literal_column("person.rowid").in_(
        select(literal_column("rowid"))
        .select_from(text(table))
        .where(literal_column(table).op("MATCH")(expression))
    )


def _sqlite_match(parsed: ParsedQuery) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    terms = _text_terms(parsed)
    if terms:
        clauses.append(_fts("person_fts", " AND ".join(terms)))
    long_digits = [run for run in parsed.digits if len(run) >= MIN_DIGIT_FRAGMENT]
    if long_digits:
        clauses.append(
            _fts("person_fts_digits", " AND ".join(_fts_quote(run) for run in long_digits))
        )
    clauses.extend(_short_digits(run) for run in parsed.digits if len(run) < MIN_DIGIT_FRAGMENT)
    return and_(*clauses)


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
    for run in parsed.digits:
        if len(run) < MIN_DIGIT_FRAGMENT:
            clauses.append(_short_digits(run))
        else:
            clauses.append(
                or_(
                    Person.id_number.contains(run, autoescape=True),
                    Person.phone.contains(run, autoescape=True),
                )
            )
    return and_(*clauses)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


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
    if _is_sqlite(session) and not portable:
        return _sqlite_match(parsed)
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


def tier(query: str | ParsedQuery) -> ColumnElement[int] | None:
    """The :class:`Tier` of each person for ``query`` (None when every match is ANYWHERE)."""
    parsed = _parsed(query)
    whens: list[tuple[ColumnElement[bool], Tier]] = []
    if name := parsed.name_text:
        whens += [(Person.name == name, Tier.NAME), (_starts(Person.name, name), Tier.NAME_PREFIX)]
    if pinyin := parsed.pinyin_text:
        whens += [
            (_starts(Person.name_initials, pinyin), Tier.INITIALS_PREFIX),
            (_starts(Person.name_pinyin, pinyin), Tier.PINYIN_PREFIX),
        ]
    if digits := parsed.digit_text:
        whens += [
            (Person.id_number == digits, Tier.ID_NUMBER),
            (_starts(Person.id_number, digits), Tier.ID_NUMBER_PREFIX),
            (_starts(Person.phone, digits), Tier.PHONE_PREFIX),
        ]
    if not whens:
        return None
    return case(*((when, int(value)) for when, value in whens), else_=int(Tier.ANYWHERE))


#: Within a tier (and for everyone): by pinyin, then ID number (unique, so the order is total).
LIST_ORDER = (Person.name_pinyin, Person.id_number)


def ranked(
    session: Session,
    query: str | ParsedQuery,
    columns: Sequence[Any] = (Person.id,),
    *,
    portable: bool = False,
) -> Select[Any]:
    """``SELECT columns FROM person`` for the live persons matching ``query``, best first.

    Everyone for a blank query.  Callers may join and filter further, and may replace the
    order (the registry list's sort columns) with ``.order_by(None).order_by(...)``.
    """
    parsed = _parsed(query)
    stmt: Select[Any] = select(*columns).select_from(Person).where(Person.deleted.is_(False))
    where = matches(session, parsed, portable=portable)
    if where is not None:
        stmt = stmt.where(where)
    rank = tier(parsed)
    return stmt.order_by(*([rank] if rank is not None else []), *LIST_ORDER)


def id_blob(session: Session, stmt: Select[Any]) -> bytes:
    """The person ids selected by ``stmt`` (any statement over ``person``), in its order, as
    16 bytes each.

    On SQLite the ids come back as one string (``group_concat`` over the ordered statement):
    reading 100,000 rows one by one costs more than finding them.
    """
    if _is_sqlite(session):
        # The ids as stored (32 hex digits) joined into one string.  SQLite runs an ordered
        # subquery under an aggregate in its order (it does not flatten the two); a test
        # checks the result against the rows read one by one.
        ordered = stmt.with_only_columns(
            type_coerce(Person.id, String).label("id"), maintain_column_froms=True
        ).subquery()
        joined = session.scalar(select(func.group_concat(ordered.c.id, "")))
        return bytes.fromhex(joined or "")
    ids = stmt.with_only_columns(Person.id, maintain_column_froms=True)
    blob = bytearray()
    for chunk in session.execute(ids, execution_options={"yield_per": 5000}).scalars().partitions():
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
    """The first ``limit`` persons for ``query``, best first: the start of the list that
    :func:`ranked` orders (everyone for a blank query), optionally in one village only."""
    stmt = ranked(session, query, _HIT_COLUMNS).outerjoin(Village, Village.id == Person.village_id)
    if village_id is not None:
        stmt = stmt.where(Person.village_id == village_id)
    return [Hit(*row) for row in session.execute(stmt.limit(max(limit, 0)))]
