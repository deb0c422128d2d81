"""Zero-employment families (零就业家庭) in the registry: households read on a date, and the
episodes the station tracks (零就业家庭动态清零).

A household is read on a date with :func:`caseworker.policy.families.read_family`, the same
function the assessment engine uses.  The tracker keeps *episodes*
(:class:`~caseworker.store.models.ZeroEmploymentEpisode`): :func:`refresh` opens one on the day
it first finds a household in zero employment (``identified_on``), and ends it when the
household no longer is: *cleared* when a member who counts is employed (on the first day of
that employment, never before the identification), otherwise ended as no longer a
zero-employment family.  A family that falls back opens a new episode; ended episodes stay.

When does the tracker look?  Whenever the registry changes what the reading depends on, for
the household concerned (:func:`follow`: a person's record, a membership, the household's
income, an employment episode), and over every household once a day (:func:`look`, when the
tracker, the dashboard or ``caseworker families zero`` is first opened that day: ages move
without anyone writing, a member turns 16 or retires).  The lists are in :mod:`caseworker.casework.families`.

Members left out of the reading, as in the assessment: registered persons whose record is
deleted, and recorded relatives without an ID number (their age is unknown).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    String,
    Uuid,
    bindparam,
    false,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import QueryableAttribute, Session

from caseworker.core import wall
from caseworker.core.dates import happened
from caseworker.core.idcard import IdNumber, Sex
from caseworker.policy import PolicyPack, default_library
from caseworker.policy.facts import WorkCapacity
from caseworker.policy.families import FamilyMember, FamilyReading, read_family
from caseworker.registry.vocab import Relation
from caseworker.store import changelog
from caseworker.store.models import (
    EmploymentEpisode,
    Household,
    HouseholdMember,
    Person,
    ZeroEmploymentEpisode,
)
from caseworker.store.values import as_date, as_uuid

__all__ = [
    "EpisodeEnd",
    "MemberFacts",
    "Reading",
    "RefreshResult",
    "employed_sql",
    "follow",
    "follow_new",
    "follow_person",
    "household_of",
    "is_zero_employment",
    "look",
    "readings",
    "refresh",
]

_CHUNK = 5000


class EpisodeEnd(StrEnum):
    """Why a zero-employment episode ended."""

    EMPLOYED = "employed"  # cleared: a member who counts is employed
    NO_LONGER = "no_longer"  # no longer a zero-employment family for another reason


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """One member of a household as the reading sees it (record ids as read: converted to
    UUIDs only when asked for, which lists of many households rarely do)."""

    member_key: object
    person_key: object | None
    relation: str
    name: str
    id_number: str
    facts: FamilyMember | None  # None: left out (deleted record, or no ID number)

    @property
    def member_id(self) -> uuid.UUID:
        return as_uuid(self.member_key)

    @property
    def person_id(self) -> uuid.UUID | None:
        return None if self.person_key is None else as_uuid(self.person_key)


@dataclass(frozen=True, slots=True)
class Reading:
    household_id: uuid.UUID
    members: tuple[MemberFacts, ...]
    #: The reading over the members whose facts are known (positions into ``included``).
    reading: FamilyReading
    included: tuple[MemberFacts, ...]
    deleted: bool = False
    demo: bool = False

    @property
    def zero_employment(self) -> bool:
        return not self.deleted and self.reading.zero_employment

    @property
    def counted(self) -> tuple[MemberFacts, ...]:
        return tuple(self.included[i] for i in self.reading.counted)

    @property
    def employed(self) -> tuple[MemberFacts, ...]:
        return tuple(self.included[i] for i in self.reading.employed)

    @property
    def head(self) -> MemberFacts | None:
        heads = [m for m in self.members if m.relation == Relation.HEAD.value]
        return heads[0] if heads else (self.members[0] if self.members else None)


_ON = bindparam("on", type_=Date)
_HOUSEHOLDS = bindparam("households", type_=Uuid, expanding=True)


def employed_sql(
    person_id: ColumnElement[Any] | QueryableAttribute[Any], on: ColumnElement[Any]
) -> ColumnElement[bool]:
    """SQL: the person ``person_id`` (a column of the enclosing query) has an employment
    covering the day ``on``.  ``EXISTS (SELECT 1 …)``, not ``SELECT *``, so that the index
    ``ix_employment_episode_person_span`` answers it without reading the table."""
    return (
        select(literal_column("1"))
        .where(
            EmploymentEpisode.person_id == person_id,
            EmploymentEpisode.deleted.is_(False),
            EmploymentEpisode.starts_on <= on,
            or_(EmploymentEpisode.ends_on.is_(None), EmploymentEpisode.ends_on >= on),
        )
        .exists()
    )


@functools.lru_cache(maxsize=4)
def _member_statement(some: bool) -> Select[*tuple[Any, ...]]:
    """The members of every household (``some``: of the households ``:households``) with
    what the reading needs on the day ``:on``; built once, the values are bound."""
    employed = employed_sql(HouseholdMember.person_id, _ON)
    stmt = (
        select(
            type_coerce(HouseholdMember.household_id, String),
            type_coerce(HouseholdMember.id, String),
            type_coerce(HouseholdMember.person_id, String),
            HouseholdMember.relation,
            HouseholdMember.name,
            HouseholdMember.id_number,
            HouseholdMember.employed,
            HouseholdMember.work_capacity,
            HouseholdMember.wants_work,
            Person.name,
            Person.id_number,
            type_coerce(Person.birth_date, String),
            Person.sex,
            Person.work_capacity,
            Person.wants_work,
            Person.retirement_base_age,
            Person.deleted,
            employed,
            Household.business_or_investment_income,
            Household.deleted,
            Household.demo,
        )
        .join(Household, Household.id == HouseholdMember.household_id)
        .outerjoin(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.deleted.is_(False))
        .order_by(HouseholdMember.household_id, HouseholdMember.sort_order)
    )
    return stmt.where(HouseholdMember.household_id.in_(_HOUSEHOLDS)) if some else stmt


#: Codes as read, to their values (a dict lookup per member instead of an enum call).
_SEXES = {s.value: s for s in Sex}
_CAPACITIES = {c.value: c for c in WorkCapacity}


def _member(row: Sequence[Any]) -> MemberFacts:
    (
        _hid, member_id, person_id, relation, m_name, m_id, m_employed, m_capacity, m_wants,
        p_name, p_id, p_birth, p_sex, p_capacity, p_wants, p_base, p_deleted, p_employed,
        _business, _h_deleted, _h_demo,
    ) = row  # fmt: skip
    if person_id is not None:
        facts = None
        if not p_deleted:
            facts = FamilyMember(
                birth_date=as_date(p_birth),
                sex=_SEXES.get(p_sex) or Sex(str(p_sex)),
                work_capacity=_CAPACITIES.get(p_capacity) or WorkCapacity(str(p_capacity)),
                wants_work=bool(p_wants),
                employed=bool(p_employed),
                retirement_base_age=p_base if isinstance(p_base, int) else None,
            )
        return MemberFacts(member_id, person_id, str(relation), str(p_name), str(p_id), facts)
    number = str(m_id or "")
    facts = None
    if number:
        try:
            parsed = IdNumber(number)
            facts = FamilyMember(
                birth_date=parsed.birth_date,
                sex=parsed.sex,
                work_capacity=_CAPACITIES.get(m_capacity) or WorkCapacity(str(m_capacity)),
                wants_work=bool(m_wants),
                employed=bool(m_employed),
            )
        except ValueError:
            facts = None
    return MemberFacts(member_id, None, str(relation), str(m_name), number, facts)


def readings(
    session: Session,
    on: dt.date,
    household_ids: Iterable[uuid.UUID] | None = None,
    *,
    pack: PolicyPack | None = None,
) -> dict[uuid.UUID, Reading]:
    """Read households on ``on`` (all of them, or ``household_ids``), in bulk, with the pack
    in force on ``on``."""
    pack = pack or default_library().in_force_on(on)
    batches: list[tuple[Select[*tuple[Any, ...]], dict[str, Any]]] = []
    if household_ids is None:
        batches.append((_member_statement(False), {"on": on}))
    else:
        ids = list(dict.fromkeys(household_ids))
        batches += [
            (_member_statement(True), {"on": on, "households": ids[i : i + _CHUNK]})
            for i in range(0, len(ids), _CHUNK)
        ]
    grouped: dict[object, list[MemberFacts]] = {}
    flags: dict[object, tuple[bool, bool, bool]] = {}
    for stmt, params in batches:
        # Core rows fetched a few thousand at a time (not the ORM's, nor one fetch per row)
        for part in session.connection().execute(stmt, params).partitions(_CHUNK):
            for row in part:
                household_id = row[0]
                grouped.setdefault(household_id, []).append(_member(row))
                flags[household_id] = (bool(row[18]), bool(row[19]), bool(row[20]))
    result: dict[uuid.UUID, Reading] = {}
    for key, members in grouped.items():
        business, deleted, demo = flags[key]
        household_id = as_uuid(key)
        included = tuple(m for m in members if m.facts is not None)
        family = [m.facts for m in included if m.facts is not None]
        result[household_id] = Reading(
            household_id,
            tuple(members),
            read_family(family, business, on, pack),
            included,
            deleted,
            demo,
        )
    return result


def household_of(session: Session, person_id: uuid.UUID) -> uuid.UUID | None:
    """The household the person belongs to (a live membership), or None."""
    return session.scalar(
        select(HouseholdMember.household_id).where(
            HouseholdMember.person_id == person_id, HouseholdMember.deleted.is_(False)
        )
    )


def is_zero_employment(session: Session, person_id: uuid.UUID, on: dt.date) -> bool:
    """Whether the person's household is a zero-employment family on ``on``."""
    household_id = household_of(session, person_id)
    if household_id is None:
        return False
    found = readings(session, on, [household_id]).get(household_id)
    return found is not None and found.zero_employment


# ---------------------------------------------------------------------------------------------
# Episodes
# ---------------------------------------------------------------------------------------------


@dataclass
class RefreshResult:
    opened: list[ZeroEmploymentEpisode] = field(default_factory=list)
    ended: list[ZeroEmploymentEpisode] = field(default_factory=list)


def _open_episodes(
    session: Session, household_ids: list[uuid.UUID] | None
) -> dict[uuid.UUID, ZeroEmploymentEpisode]:
    stmt = select(ZeroEmploymentEpisode).where(
        ZeroEmploymentEpisode.deleted == false(), ZeroEmploymentEpisode.ended_on.is_(None)
    )
    found: dict[uuid.UUID, ZeroEmploymentEpisode] = {}
    if household_ids is None:
        found.update((e.household_id, e) for e in session.scalars(stmt))
    else:
        for i in range(0, len(household_ids), _CHUNK):
            chunk = household_ids[i : i + _CHUNK]
            where = ZeroEmploymentEpisode.household_id.in_(chunk)
            found.update((e.household_id, e) for e in session.scalars(stmt.where(where)))
    return found


def _work_start(session: Session, member: MemberFacts, on: dt.date) -> dt.date:
    """The first day of the employment of ``member`` that covers ``on`` (``on`` for a
    recorded relative, whose employment has no dates)."""
    if member.person_id is None:
        return on
    start = session.scalar(
        select(func.max(EmploymentEpisode.starts_on)).where(
            EmploymentEpisode.person_id == member.person_id,
            EmploymentEpisode.deleted.is_(False),
            EmploymentEpisode.starts_on <= on,
            or_(EmploymentEpisode.ends_on.is_(None), EmploymentEpisode.ends_on >= on),
        )
    )
    return start or on


def _end(
    session: Session, episode: ZeroEmploymentEpisode, reading: Reading | None, on: dt.date
) -> None:
    if reading is not None and not reading.deleted and reading.reading.employed:
        starts = [(_work_start(session, m, on), m) for m in reading.employed]
        first, member = min(starts, key=lambda pair: pair[0])
        episode.ended_on = max(first, episode.identified_on)
        episode.end_reason = EpisodeEnd.EMPLOYED.value
        episode.cleared_by_id = member.member_id
    else:
        episode.ended_on = on
        episode.end_reason = EpisodeEnd.NO_LONGER.value


def refresh(
    session: Session,
    on: dt.date | None = None,
    household_ids: Iterable[uuid.UUID] | None = None,
) -> RefreshResult:
    """Look at the households (all, or ``household_ids``) on ``on`` (default: today): open an
    episode for each newly found zero-employment family, end the episodes of families that no
    longer are.  Returns what changed; the caller's transaction keeps it."""
    on = happened(on or wall.today(), "on")
    ids = None if household_ids is None else list(dict.fromkeys(household_ids))
    found = readings(session, on, ids)
    episodes = _open_episodes(session, ids)
    result = RefreshResult()
    for household_id, reading in found.items():
        if reading.zero_employment and household_id not in episodes:
            episode = ZeroEmploymentEpisode(
                household_id=household_id, identified_on=on, demo=reading.demo
            )
            session.add(episode)
            result.opened.append(episode)
    for household_id, episode in episodes.items():
        reading_or_none = found.get(household_id)
        if reading_or_none is None or not reading_or_none.zero_employment:
            _end(session, episode, reading_or_none, on)
            result.ended.append(episode)
    session.flush()
    return result


#: The setting that holds the day of the tracker's last look at every household.
LOOKED_KEY = "zero_employment_looked_on"


def to_change(session: Session, on: dt.date) -> list[uuid.UUID]:
    """The households whose episode does not match their reading on ``on`` (read only: the
    slow part of a look at every household needs no write lock)."""
    found = readings(session, on)
    episodes = _open_episodes(session, None)
    stale = [h for h, r in found.items() if r.zero_employment and h not in episodes]
    stale += [h for h in episodes if h not in found or not found[h].zero_employment]
    return stale


def look(store: Any, today: dt.date | None = None) -> RefreshResult | None:
    """Look at every household of ``store`` once a day (ages move without anyone writing: a
    member turns 16 or retires); the registry's changes are followed as they happen
    (:func:`follow`).  The households are read without the write lock, then the few that
    changed are refreshed in a short transaction.  Returns what changed, or None when today's
    look was done already."""
    from caseworker.store.models import Setting
    from caseworker.store.uow import put_setting

    today = today or wall.today()
    with store.reading() as session:
        done = session.get(Setting, LOOKED_KEY)
        if done is not None and done.value >= today.isoformat():
            return None
        stale = to_change(session, today)
    with store.transaction() as session:
        result = refresh(session, today, stale) if stale else RefreshResult()
        put_setting(session, LOOKED_KEY, today.isoformat())
    return result


def follow(session: Session, household_ids: Iterable[uuid.UUID | None]) -> None:
    """After a change in the registry: look at these households as of today."""
    ids = [h for h in household_ids if h is not None]
    if ids:
        refresh(session, wall.today(), ids)


def follow_new(session: Session, household_ids: Sequence[uuid.UUID]) -> int:
    """:func:`follow` for households just written in bulk (no episode yet: an import's new
    households): the same reading as of today, and an episode opened for each
    zero-employment family, written in bulk as the import writes its records (thousands of
    new episodes one object at a time would hold the write lock far longer).  Returns the
    number opened."""
    if not household_ids:
        return 0
    on = wall.today()
    rows: list[dict[str, Any]] = []
    for start in range(0, len(household_ids), _CHUNK):
        found = readings(session, on, household_ids[start : start + _CHUNK])
        rows += [
            {
                "id": uuid.uuid4(), "household_id": household_id, "identified_on": on,
                "ended_on": None, "end_reason": None, "cleared_by_id": None,
                "demo": reading.demo,
            }
            for household_id, reading in found.items()
            if reading.zero_employment
        ]  # fmt: skip
    changelog.insert_records(
        session.connection(), session.info[changelog.CONTEXT_KEY], ZeroEmploymentEpisode, rows
    )
    return len(rows)


def follow_person(session: Session, person_id: uuid.UUID) -> None:
    """After a change of a person's record or employment: look at their household."""
    follow(session, [household_of(session, person_id)])
