"""Households from the station's spreadsheet: the columns 户编号 (the station's own household
key) and 与户主关系 (the relation to the head), read by the person import
(:mod:`caseworker.registry.importing`).

The rows of one household may be anywhere in the file.  While the file is checked, every row
with a 户编号 is noted in the import's staging file; when the whole file has been read, the
rows are taken key by key (:func:`plan`) and the household rules decide:

- A new key needs exactly one 户主 among its rows; otherwise every row of the key is refused,
  naming the lines.  When the head's own row is refused, the other rows of the key are
  refused with it (a household is imported with its head).  The household's address and
  village are those of the head's row.
- A key imported before (``household.station_key``) is the same household: its members are
  not added again (importing the same file again adds nothing); a new person of the key joins
  it; a second head is refused.
- A registered person who already belongs to another household is reported, never moved.
- Rows without a 户编号 import as before.

The same decisions are taken again, under the write lock, when the rows are written
(:func:`plan` over the database as it is then), so a household imported by someone else in
between is found, not made twice.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core.errors import ValidationError
from caseworker.core.text import clean_field, from_cell
from caseworker.i18n import _
from caseworker.registry.vocab import RELATIONS, Relation
from caseworker.store.models import Household, HouseholdMember, Person

KEY_HEADER = "户编号"
RELATION_HEADER = "与户主关系"
HEADERS = (KEY_HEADER, RELATION_HEADER)
KEY_MAX_LENGTH = 40
#: Keys planned (and looked up in the database) at a time.
KEY_CHUNK = 500

_HEAD = Relation.HEAD.value
_SPOUSE = Relation.SPOUSE.value
_CHILD = Relation.CHILD.value
_PARENT = Relation.PARENT.value
_OTHER = Relation.OTHER.value


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: What stations write in 与户主关系 (the words of the 户口簿, grouped as GB/T 4761 groups
#: them), mapped to the registry's relation codes.  The codes and the labels of
#: :data:`caseworker.registry.vocab.RELATIONS` are accepted too.
RELATION_WORDS: dict[str, str] = {
    **dict.fromkeys(_words("户主 本人 户主本人"), _HEAD),
    **dict.fromkeys(_words("配偶 妻 妻子 夫 丈夫 爱人 老伴"), _SPOUSE),
    **dict.fromkeys(
        _words(
            "子 女 子女 儿子 女儿 长子 次子 三子 四子 五子 长女 次女 三女 四女 五女 独生子 独生女 "
            "养子 养女 继子 继女 儿媳 女婿"
        ),
        _CHILD,
    ),
    **dict.fromkeys(
        _words("父母 父亲 母亲 父 母 公公 婆婆 岳父 岳母 继父 继母 养父 养母"), _PARENT
    ),
    **dict.fromkeys(
        _words(
            "孙子 孙女 孙子女 外孙 外孙子 外孙女 祖父 祖母 外祖父 外祖母 兄 弟 姐 妹 哥哥 弟弟 "
            "姐姐 妹妹 兄弟姐妹 侄子 侄女 外甥 外甥女 其他 其他亲属 非亲属"
        ),
        _OTHER,
    ),
}
#: The words the refusal of an unknown relation lists (one or two for each code).
_SHOWN_WORDS = _words("户主 本人 配偶 子 女 儿媳 女婿 父亲 母亲 孙子 孙女 兄 弟 姐 妹 其他")


def relation_code(text: str) -> str | None:
    """The relation code of a 与户主关系 cell, or None when the words are not known."""
    wanted = text.strip().replace(" ", "")
    if not wanted:
        return None
    if wanted in RELATION_WORDS:
        return RELATION_WORDS[wanted]
    for term in RELATIONS:
        if wanted in (term.code, term.zh) or wanted.lower() == term.en.lower():
            return term.code
    return None


def allowed_relations() -> str:
    return "、".join(_SHOWN_WORDS)


@dataclass(frozen=True, slots=True)
class Cells:
    """A row's household cells, checked: the key and the relation code."""

    key: str
    relation: str


def _cell_text(value: object, header: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValidationError(_("This is not text."), header)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise ValidationError(_("This is not text."), header)
    return clean_field(from_cell(value), header)


def read_cells(key_value: object, relation_value: object) -> tuple[Cells | None, dict[str, str]]:
    """Check a row's 户编号 and 与户主关系 cells: (cells or None for no household, problems by
    header)."""
    problems: dict[str, str] = {}
    key = relation_text = ""
    try:
        key = _cell_text(key_value, KEY_HEADER)
        if len(key) > KEY_MAX_LENGTH:
            problems[KEY_HEADER] = _("This is longer than {n} characters.").format(n=KEY_MAX_LENGTH)
    except ValidationError as exc:
        problems[KEY_HEADER] = str(exc)
    try:
        relation_text = _cell_text(relation_value, RELATION_HEADER)
    except ValidationError as exc:
        problems[RELATION_HEADER] = str(exc)
    relation = relation_code(relation_text) if relation_text else None
    if relation_text and relation is None and RELATION_HEADER not in problems:
        problems[RELATION_HEADER] = _(
            "{value} is not a relation to the head of household; write one of: {allowed}"
        ).format(value=relation_text, allowed=allowed_relations())
    if KEY_HEADER in problems or RELATION_HEADER in problems:
        return None, problems
    if not key:
        if relation_text:
            problems[KEY_HEADER] = _(
                "Empty, but 与户主关系 is filled in: write the household's 户编号, or leave both "
                "empty for a person without a household."
            )
        return None, problems
    if relation is None:
        problems[RELATION_HEADER] = _(
            "Empty: a row with a 户编号 needs the relation to the head of household ({allowed})."
        ).format(allowed=allowed_relations())
        return None, problems
    return Cells(key, relation), {}


# ---------------------------------------------------------------------------------------------
# Rows of households, kept in the import's staging file
# ---------------------------------------------------------------------------------------------

#: The staging table of the rows with a 户编号.  ``state``: ``new`` (a person the import adds),
#: ``known`` (a registered person), ``refused`` (the person's row was refused).
STAGING_DDL = (
    "CREATE TABLE members (key TEXT NOT NULL, line INTEGER NOT NULL, relation TEXT NOT NULL,"
    " state TEXT NOT NULL, person_id TEXT, name TEXT NOT NULL, address TEXT NOT NULL,"
    " village_id TEXT, PRIMARY KEY (key, line)) WITHOUT ROWID;"
    "CREATE TABLE dropped (line INTEGER PRIMARY KEY);"
)
NEW, KNOWN, REFUSED = "new", "known", "refused"


@dataclass(frozen=True, slots=True)
class Row:
    """A row of a household as staged."""

    key: str
    line: int
    relation: str
    state: str
    person_id: uuid.UUID | None
    name: str
    address: str
    village_id: uuid.UUID | None


def stage_row(
    db: sqlite3.Connection,
    line: int,
    cells: Cells,
    state: str,
    *,
    person_id: uuid.UUID | None = None,
    name: str = "",
    address: str = "",
    village_id: uuid.UUID | None = None,
) -> None:
    db.execute(
        "INSERT INTO members VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (cells.key, line, cells.relation, state, str(person_id) if person_id else None, name,
         address, str(village_id) if village_id else None),
    )  # fmt: skip


def _groups(db: sqlite3.Connection) -> Iterator[list[list[Row]]]:
    """The staged rows, a key at a time (rows in line order), :data:`KEY_CHUNK` keys at a
    time."""
    batch: list[list[Row]] = []
    group: list[Row] = []
    cursor = db.execute("SELECT * FROM members ORDER BY key, line")
    while True:
        fetched = cursor.fetchmany(1000)
        if not fetched:
            break
        for key, line, relation, state, person, name, address, village in fetched:
            row = Row(
                key, line, relation, state, uuid.UUID(person) if person else None, name,
                address, uuid.UUID(village) if village else None,
            )  # fmt: skip
            if group and group[0].key != key:
                batch.append(group)
                group = []
                if len(batch) >= KEY_CHUNK:
                    yield batch
                    batch = []
            group.append(row)
    if group:
        batch.append(group)
    if batch:
        yield batch


# ---------------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Existing:
    """A household of the database with a station key."""

    id: uuid.UUID
    key: str
    has_head: bool
    head_name: str
    next_order: int


@dataclass
class Outcome:
    """What the rules decided for some keys: the records to write and the refusals."""

    households: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    #: The rows refused, with the reason.
    refused: list[tuple[Row, str]] = field(default_factory=list)
    joined_existing: int = 0  # members added to households imported before


def _lines(rows: Sequence[Row]) -> str:
    return "、".join(str(r.line) for r in rows)


def _member_row(household_id: uuid.UUID, row: Row, order: int) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(), "household_id": household_id, "relation": row.relation,
        "sort_order": order, "person_id": row.person_id, "name": "", "id_number": "",
        "employed": False, "registered_unemployed": False, "work_capacity": "full",
        "wants_work": True,
    }  # fmt: skip


def decide(
    rows: Sequence[Row],
    existing: Existing | None,
    memberships: dict[uuid.UUID, tuple[uuid.UUID, str]],
    placed: dict[uuid.UUID, int],
    out: Outcome,
) -> None:
    """Apply the rules (module docstring) to the rows of one key, in line order.

    ``memberships``: registered person → (household, how to name it) of the persons who
    belong to a household now; ``placed``: person → line, of the persons this import has
    placed already (updated)."""
    key = rows[0].key
    refused: dict[int, str] = {}
    present: set[int] = set()
    for row in rows:
        if row.state == REFUSED or row.person_id is None:
            continue
        if row.person_id in placed:
            refused[row.line] = _("The same person is on line {line}.").format(
                line=placed[row.person_id]
            )
            continue
        if row.state == KNOWN and row.person_id in memberships:
            household_id, named = memberships[row.person_id]
            if existing is not None and household_id == existing.id:
                present.add(row.line)
            else:
                refused[row.line] = _(
                    "{name} already belongs to {household}; not moved to the household "
                    "{key}. If the family has changed, move them in the program."
                ).format(name=row.name, household=named, key=key)
    heads = [r for r in rows if r.relation == _HEAD]
    if existing is None:
        if len(heads) != 1:
            reason = (
                _("The household {key} has no row with 与户主关系 户主.").format(key=key)
                if not heads
                else _(
                    "The household {key} has {n} rows with 与户主关系 户主 (lines {lines})."
                ).format(key=key, n=len(heads), lines=_lines(heads))
            )
            refused.update((r.line, reason) for r in rows if r.state != REFUSED)
        else:
            head = heads[0]
            if head.state == REFUSED or head.line in refused:
                reason = _(
                    "The head of the household {key} (line {line}) cannot be imported, so "
                    "neither can the household's other rows."
                ).format(key=key, line=head.line)
                refused.update(
                    (r.line, reason) for r in rows if r.state != REFUSED and r is not head
                )
    else:
        candidates = [
            r for r in heads if r.state != REFUSED and r.line not in present and r.line not in refused
        ]  # fmt: skip
        if existing.has_head or len(candidates) > 1:
            for row in candidates:
                refused[row.line] = (
                    _("The household {key} already has a head, {name}.").format(
                        key=key, name=existing.head_name
                    )
                    if existing.has_head
                    else _(
                        "The household {key} has {n} rows with 与户主关系 户主 (lines {lines})."
                    ).format(key=key, n=len(candidates), lines=_lines(candidates))
                )
    for row in rows:
        if row.line in refused:
            out.refused.append((row, refused[row.line]))
    joining = [
        r for r in rows
        if r.state != REFUSED and r.line not in refused and r.line not in present
    ]  # fmt: skip
    for row in joining:
        assert row.person_id is not None
        placed[row.person_id] = row.line
    if existing is not None:
        for order, row in enumerate(joining, start=existing.next_order):
            out.members.append(_member_row(existing.id, row, order))
        out.joined_existing += len(joining)
        return
    if not joining:
        return
    head = heads[0]
    household_id = uuid.uuid4()
    out.households.append(
        {
            "id": household_id,
            "station_key": key,
            "address": head.address,
            "village_id": head.village_id,
            "business_or_investment_income": False,
            "notes": "",
        }
    )
    ordered = [head, *(r for r in joining if r is not head)]
    out.members += [_member_row(household_id, row, order) for order, row in enumerate(ordered)]


# ---------------------------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------------------------


def _head_names(session: Session, household_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    found: dict[uuid.UUID, str] = {}
    if not household_ids:
        return found
    rows = session.execute(
        select(HouseholdMember.household_id, Person.name, HouseholdMember.name)
        .outerjoin(Person, Person.id == HouseholdMember.person_id)
        .where(
            HouseholdMember.household_id.in_(household_ids),
            HouseholdMember.deleted.is_(False),
            HouseholdMember.relation == _HEAD,
        )
    ).all()
    for household_id, person_name, relative_name in rows:
        found[household_id] = person_name or relative_name
    return found


def existing_households(session: Session, keys: Sequence[str]) -> dict[str, Existing]:
    """The live households with these station keys (or, for a household without one, whose
    record id is the key: what the export writes for it)."""
    if not keys:
        return {}
    households: dict[str, uuid.UUID] = dict(
        session.execute(
            select(Household.station_key, Household.id).where(
                Household.station_key.in_(keys), Household.deleted.is_(False)
            )
        ).all()
    )
    by_id = {}  # a household made in the program, exported with its record id as the key
    for key in keys:
        if key not in households and len(key) == 36:
            with contextlib.suppress(ValueError):
                by_id[uuid.UUID(key)] = key
    if by_id:
        households.update(
            (by_id[household_id], household_id)
            for household_id in session.scalars(
                select(Household.id).where(
                    Household.id.in_(list(by_id)),
                    Household.deleted.is_(False),
                    Household.station_key == "",
                )
            )
        )
    if not households:
        return {}
    members: dict[uuid.UUID, list[tuple[uuid.UUID | None, str, int]]] = {}
    for household_id, person_id, relation, order in session.execute(
        select(
            HouseholdMember.household_id, HouseholdMember.person_id, HouseholdMember.relation,
            HouseholdMember.sort_order,
        ).where(
            HouseholdMember.household_id.in_(list(households.values())),
            HouseholdMember.deleted.is_(False),
        )
    ):  # fmt: skip
        members.setdefault(household_id, []).append((person_id, relation, order))
    heads = _head_names(session, list(households.values()))
    found: dict[str, Existing] = {}
    for key, household_id in households.items():
        rows = members.get(household_id, [])
        found[key] = Existing(
            household_id,
            key,
            any(r == _HEAD for _p, r, _o in rows),
            heads.get(household_id, ""),
            max((o for _p, _r, o in rows), default=-1) + 1,
        )
    return found


def memberships(
    session: Session, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """Registered person → (their household, how to name it) for those who have one."""
    if not person_ids:
        return {}
    rows = session.execute(
        select(HouseholdMember.person_id, Household.id, Household.station_key)
        .join(Household, Household.id == HouseholdMember.household_id)
        .where(HouseholdMember.person_id.in_(person_ids), HouseholdMember.deleted.is_(False))
    ).all()
    heads = _head_names(session, list({r[1] for r in rows}))
    found: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
    for person_id, household_id, key in rows:
        if person_id is None:
            continue
        head = heads.get(household_id, "")
        if key:
            named = _("the household {key} (head: {head})").format(key=key, head=head or "—")
        else:
            named = _("the household of {head}").format(head=head or "—")
        found[person_id] = (household_id, named)
    return found


def plan(
    session: Session,
    db: sqlite3.Connection,
    *,
    dropped: frozenset[int] = frozenset(),
    skipped: frozenset[uuid.UUID] = frozenset(),
) -> Iterator[Outcome]:
    """Decide the households of the staged rows, :data:`KEY_CHUNK` keys at a time, over the
    database as ``session`` sees it.  ``dropped``: lines refused already (their persons are
    not written); ``skipped``: new persons that were not written after all."""
    placed: dict[uuid.UUID, int] = {}
    for batch in _groups(db):
        groups = [
            [
                r if r.line not in dropped and r.person_id not in skipped
                else Row(r.key, r.line, r.relation, REFUSED, None, r.name, r.address, r.village_id)
                for r in group
            ]
            for group in batch
        ]  # fmt: skip
        known = [
            r.person_id for g in groups for r in g if r.state == KNOWN and r.person_id is not None
        ]
        found = existing_households(session, [g[0].key for g in groups])
        belongs = memberships(session, known)
        out = Outcome()
        for group in groups:
            decide(group, found.get(group[0].key), belongs, placed, out)
        yield out


def drop(db: sqlite3.Connection, lines: Sequence[int]) -> None:
    db.executemany("INSERT OR IGNORE INTO dropped VALUES (?)", [(line,) for line in lines])


def dropped_lines(db: sqlite3.Connection) -> frozenset[int]:
    return frozenset(int(line) for (line,) in db.execute("SELECT line FROM dropped"))


def has_rows(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM members LIMIT 1").fetchone() is not None
