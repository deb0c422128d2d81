"""The zero-employment family tracker (零就业家庭动态清零).

A household is read on a date with :func:`caseworker.policy.families.read_family`, the same
function the assessment engine uses.  The tracker keeps *episodes*
(:class:`~caseworker.store.models.ZeroEmploymentEpisode`): :func:`refresh` opens one on the day
it first finds a household in zero employment (``identified_on``), and ends it when the
household no longer is: *cleared* when a member who counts is employed (on the first day of
that employment, never before the identification), otherwise ended as no longer a
zero-employment family.  A family that falls back opens a new episode; ended episodes stay.

When does the tracker look?  After every employment outcome (for the person's household), and
over every household when the tracker, the dashboard or ``caseworker families zero`` is opened
(ages move without anyone writing: a member turns 16 or retires).

Members left out of the reading, as in the assessment: registered persons whose record is
deleted, and recorded relatives without an ID number (their age is unknown).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from caseworker.casework.rules import AssistanceRules, rules_on
from caseworker.casework.vocab import EpisodeEnd
from caseworker.core import wall
from caseworker.core.errors import ValidationError
from caseworker.core.idcard import IdNumber, Sex
from caseworker.i18n import _
from caseworker.policy.facts import WorkCapacity
from caseworker.policy.families import FamilyMember, FamilyReading, read_family
from caseworker.registry.vocab import Relation
from caseworker.store.models import (
    EmploymentEpisode,
    Household,
    HouseholdMember,
    Person,
    ZeroEmploymentEpisode,
)

__all__ = [
    "FamilyRow",
    "MemberFacts",
    "Reading",
    "RefreshResult",
    "episode_statement",
    "family_rows",
    "household_key",
    "household_of",
    "is_zero_employment",
    "open_families",
    "readings",
    "refresh",
]

_CHUNK = 5000


def household_key(household_id: uuid.UUID) -> str:
    """How a household is named in lists and JSON: its record id (a station's own household
    key, once the registry keeps one, goes here)."""
    return str(household_id)


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """One member of a household as the reading sees it."""

    member_id: uuid.UUID
    person_id: uuid.UUID | None
    relation: str
    name: str
    id_number: str
    facts: FamilyMember | None  # None: left out (deleted record, or no ID number)


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


def _employed_on(on: dt.date) -> ColumnElement[bool]:
    return exists().where(
        EmploymentEpisode.person_id == HouseholdMember.person_id,
        EmploymentEpisode.deleted.is_(False),
        EmploymentEpisode.starts_on <= on,
        or_(EmploymentEpisode.ends_on.is_(None), EmploymentEpisode.ends_on >= on),
    )


def _member_statement(on: dt.date) -> Select[*tuple[Any, ...]]:
    return (
        select(
            HouseholdMember.household_id,
            HouseholdMember.id,
            HouseholdMember.person_id,
            HouseholdMember.relation,
            HouseholdMember.name,
            HouseholdMember.id_number,
            HouseholdMember.employed,
            HouseholdMember.work_capacity,
            HouseholdMember.wants_work,
            Person.name,
            Person.id_number,
            Person.birth_date,
            Person.sex,
            Person.work_capacity,
            Person.wants_work,
            Person.retirement_base_age,
            Person.deleted,
            _employed_on(on),
            Household.business_or_investment_income,
            Household.deleted,
            Household.demo,
        )
        .join(Household, Household.id == HouseholdMember.household_id)
        .outerjoin(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.deleted.is_(False))
        .order_by(HouseholdMember.household_id, HouseholdMember.sort_order)
    )


def _member(row: Sequence[Any]) -> MemberFacts:
    (
        _hid, member_id, person_id, relation, m_name, m_id, m_employed, m_capacity, m_wants,
        p_name, p_id, p_birth, p_sex, p_capacity, p_wants, p_base, p_deleted, p_employed,
        _business, _h_deleted, _h_demo,
    ) = row  # fmt: skip
    assert isinstance(member_id, uuid.UUID)
    if person_id is not None:
        assert isinstance(person_id, uuid.UUID)
        assert isinstance(p_birth, dt.date)
        facts = None
        if not p_deleted:
            facts = FamilyMember(
                birth_date=p_birth,
                sex=Sex(str(p_sex)),
                work_capacity=WorkCapacity(str(p_capacity)),
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
                work_capacity=WorkCapacity(str(m_capacity)),
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
    rules: AssistanceRules | None = None,
) -> dict[uuid.UUID, Reading]:
    """Read households on ``on`` (all of them, or ``household_ids``), in bulk."""
    pack = (rules or rules_on(on)).pack
    statements: list[Select[*tuple[Any, ...]]] = []
    if household_ids is None:
        statements.append(_member_statement(on))
    else:
        ids = list(dict.fromkeys(household_ids))
        statements += [
            _member_statement(on).where(HouseholdMember.household_id.in_(ids[i : i + _CHUNK]))
            for i in range(0, len(ids), _CHUNK)
        ]
    grouped: dict[uuid.UUID, list[MemberFacts]] = {}
    flags: dict[uuid.UUID, tuple[bool, bool, bool]] = {}
    for stmt in statements:
        for row in session.execute(stmt):
            household_id = row[0]
            grouped.setdefault(household_id, []).append(_member(row))
            flags[household_id] = (bool(row[18]), bool(row[19]), bool(row[20]))
    result: dict[uuid.UUID, Reading] = {}
    for household_id, members in grouped.items():
        business, deleted, demo = flags[household_id]
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
        ZeroEmploymentEpisode.deleted.is_(False), ZeroEmploymentEpisode.ended_on.is_(None)
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
    on = on or wall.today()
    if on > wall.today():
        raise ValidationError(
            _("The date {date} is in the future.").format(date=on.isoformat()), "on"
        )
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


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FamilyRow:
    """One episode as the tracker lists it, read on ``on``."""

    episode_id: uuid.UUID
    household_id: uuid.UUID
    head_name: str
    head_id_number: str
    village: str
    members_of_working_age: int
    identified_on: dt.date
    deadline: dt.date
    days_open: int
    overdue: bool
    cleared_on: dt.date | None
    end_reason: str | None
    cleared_by: str

    def to_json(self) -> dict[str, object]:
        """The JSON of ``caseworker families zero``."""
        data: dict[str, object] = {
            "household": household_key(self.household_id),
            "head_id_number": self.head_id_number,
            "members_of_working_age": self.members_of_working_age,
            "identified_on": self.identified_on.isoformat(),
            "deadline": self.deadline.isoformat(),
            "days_open": self.days_open,
            "overdue": self.overdue,
        }
        if self.cleared_on is not None:
            data["cleared_on"] = self.cleared_on.isoformat()
            data["end_reason"] = self.end_reason
        return data


def episode_statement(
    on: dt.date, *, include_ended: bool = False, overdue_only: bool = False, clearing_days: int = 0
) -> Select[uuid.UUID]:
    """``SELECT episode.id`` of the episodes open on ``on`` (and, with ``include_ended``, those
    ended by then), the longest open first (so the overdue come first)."""
    live = and_(
        ZeroEmploymentEpisode.deleted.is_(False),
        ZeroEmploymentEpisode.identified_on <= on,
        Household.deleted.is_(False),
    )
    still_open = or_(ZeroEmploymentEpisode.ended_on.is_(None), ZeroEmploymentEpisode.ended_on > on)
    stmt = (
        select(ZeroEmploymentEpisode.id)
        .join(Household, Household.id == ZeroEmploymentEpisode.household_id)
        .where(live)
    )
    if not include_ended:
        stmt = stmt.where(still_open)
    if overdue_only:
        stmt = stmt.where(
            still_open, ZeroEmploymentEpisode.identified_on < on - dt.timedelta(days=clearing_days)
        )
    ended_last = ZeroEmploymentEpisode.ended_on.is_not(None) & (
        ZeroEmploymentEpisode.ended_on <= on
    )
    return stmt.order_by(
        ended_last, ZeroEmploymentEpisode.identified_on, ZeroEmploymentEpisode.household_id
    )


def family_rows(
    session: Session, episode_ids: Sequence[uuid.UUID], on: dt.date
) -> dict[uuid.UUID, FamilyRow]:
    """The rows of ``episode_ids`` read on ``on`` (members counted with the shared reading)."""
    if not episode_ids:
        return {}
    rules = rules_on(on)
    from caseworker.store.models import Village

    episodes = session.execute(
        select(
            ZeroEmploymentEpisode.id,
            ZeroEmploymentEpisode.household_id,
            ZeroEmploymentEpisode.identified_on,
            ZeroEmploymentEpisode.ended_on,
            ZeroEmploymentEpisode.end_reason,
            ZeroEmploymentEpisode.cleared_by_id,
            Village.name,
        )
        .join(Household, Household.id == ZeroEmploymentEpisode.household_id)
        .outerjoin(Village, Village.id == Household.village_id)
        .where(ZeroEmploymentEpisode.id.in_(list(episode_ids)))
    ).all()
    found = readings(session, on, [e[1] for e in episodes], rules=rules)
    rows: dict[uuid.UUID, FamilyRow] = {}
    for episode_id, household_id, identified, ended, reason, cleared_by, village in episodes:
        reading = found.get(household_id)
        head = reading.head if reading is not None else None
        counted = len(reading.reading.counted) if reading is not None else 0
        deadline = identified + dt.timedelta(days=rules.clearing_days)
        ended_by_then = ended is not None and ended <= on
        last_day = ended if ended_by_then and ended is not None else on
        by = ""
        if cleared_by is not None and reading is not None:
            by = next((m.name for m in reading.members if m.member_id == cleared_by), "")
        rows[episode_id] = FamilyRow(
            episode_id=episode_id,
            household_id=household_id,
            head_name=head.name if head is not None else "",
            head_id_number=head.id_number if head is not None else "",
            village=village or "",
            members_of_working_age=counted,
            identified_on=identified,
            deadline=deadline,
            days_open=(last_day - identified).days,
            overdue=last_day > deadline,
            cleared_on=ended if ended_by_then else None,
            end_reason=reason if ended_by_then else None,
            cleared_by=by,
        )
    return rows


def open_families(session: Session, on: dt.date, *, include_ended: bool = False) -> list[FamilyRow]:
    """The episodes open on ``on`` (and ended ones with ``include_ended``), most overdue
    first: what ``caseworker families zero`` prints."""
    ids = list(session.scalars(episode_statement(on, include_ended=include_ended)))
    rows = family_rows(session, ids, on)
    return [rows[i] for i in ids if i in rows]
