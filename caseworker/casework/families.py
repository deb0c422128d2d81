"""The zero-employment family tracker's lists (零就业家庭动态清零): the episodes open on a
date, most overdue first, with the members who count (the reading is
:mod:`caseworker.registry.families`, the same function the assessment engine uses).

The deadline of an episode is its identification date plus the pack's clearing period
(``zero_employment_clearing_days``, 30 days by default).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    false,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from caseworker.casework.rules import rules_on
from caseworker.core import wall
from caseworker.registry import search
from caseworker.registry.families import EpisodeEnd, look, readings, refresh
from caseworker.store.models import Household, Village, ZeroEmploymentEpisode

__all__ = [
    "EpisodeEnd",
    "FamilyRow",
    "episode_ids",
    "episode_statement",
    "family_rows",
    "household_key",
    "look",
    "open_families",
    "open_on",
    "refresh",
]


def household_key(household_id: uuid.UUID, station_key: str = "") -> str:
    """How a household is named in lists and JSON: the station's own household key (户编号,
    from its spreadsheet), or else its record id."""
    return station_key or str(household_id)


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
    station_key: str = ""

    def to_json(self) -> dict[str, object]:
        """The JSON of ``caseworker families zero``."""
        data: dict[str, object] = {
            "household": household_key(self.household_id, self.station_key),
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


def open_on(on: dt.date) -> ColumnElement[bool]:
    """SQL: the episode is open on ``on`` (identified by then, not ended by then).

    An episode never ends after today (the tracker looks as of today), so from today on
    "open" is "not ended", which the index of open episodes answers alone.
    """
    identified = ZeroEmploymentEpisode.identified_on <= on
    live = ZeroEmploymentEpisode.deleted == false()
    if on >= wall.today():
        return and_(ZeroEmploymentEpisode.ended_on.is_(None), live, identified)
    return and_(
        or_(ZeroEmploymentEpisode.ended_on.is_(None), ZeroEmploymentEpisode.ended_on > on),
        live,
        identified,
    )


def episode_statement(
    on: dt.date, *, include_ended: bool = False, overdue_only: bool = False, clearing_days: int = 0
) -> Select[uuid.UUID]:
    """``SELECT episode.id`` of the episodes open on ``on`` (and, with ``include_ended``, those
    ended by then), the longest open first (so the overdue come first).  (The episodes of a
    deleted household are ended by the tracker, so no household is read here.)"""
    if include_ended:
        stmt = select(ZeroEmploymentEpisode.id).where(
            ZeroEmploymentEpisode.deleted == false(), ZeroEmploymentEpisode.identified_on <= on
        )
        ended_last = ZeroEmploymentEpisode.ended_on.is_not(None) & (
            ZeroEmploymentEpisode.ended_on <= on
        )
        return stmt.order_by(
            ended_last, ZeroEmploymentEpisode.identified_on, ZeroEmploymentEpisode.household_id
        )
    stmt = select(ZeroEmploymentEpisode.id).where(open_on(on))
    if overdue_only:
        stmt = stmt.where(
            ZeroEmploymentEpisode.identified_on < on - dt.timedelta(days=clearing_days)
        )
    return stmt.order_by(ZeroEmploymentEpisode.identified_on, ZeroEmploymentEpisode.household_id)


def episode_ids(session: Session, stmt: Select[uuid.UUID]) -> bytes:
    """The ids of :func:`episode_statement`, 16 bytes each (for the screen's paged model)."""
    keys = stmt.with_only_columns(type_coerce(ZeroEmploymentEpisode.id, String))
    return search.id_blob(session, keys)


#: The episodes of a page with their household's village and key (Core: no ORM row handling).
_EPISODES = (
    select(
        ZeroEmploymentEpisode.id,
        ZeroEmploymentEpisode.household_id,
        ZeroEmploymentEpisode.identified_on,
        ZeroEmploymentEpisode.ended_on,
        ZeroEmploymentEpisode.end_reason,
        ZeroEmploymentEpisode.cleared_by_id,
        Village.name,
        Household.station_key,
    )
    .join(Household, Household.id == ZeroEmploymentEpisode.household_id)
    .outerjoin(Village, Village.id == Household.village_id)
    .where(ZeroEmploymentEpisode.id.in_(bindparam("episodes", expanding=True)))
)


def family_rows(
    session: Session, episode_ids: Sequence[uuid.UUID], on: dt.date
) -> dict[uuid.UUID, FamilyRow]:
    """The rows of ``episode_ids`` read on ``on`` (members counted with the shared reading)."""
    if not episode_ids:
        return {}
    rules = rules_on(on)
    episodes = session.connection().execute(_EPISODES, {"episodes": list(episode_ids)}).all()
    found = readings(session, on, [e[1] for e in episodes], pack=rules.pack)
    rows: dict[uuid.UUID, FamilyRow] = {}
    for episode_id, household_id, identified, ended, reason, cleared_by, village, key in episodes:
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
            station_key=key or "",
        )
    return rows


def open_families(session: Session, on: dt.date, *, include_ended: bool = False) -> list[FamilyRow]:
    """The episodes open on ``on`` (and ended ones with ``include_ended``), most overdue
    first: what ``caseworker families zero`` prints."""
    ids = list(session.scalars(episode_statement(on, include_ended=include_ended)))
    rows = family_rows(session, ids, on)
    return [rows[i] for i in ids if i in rows]
