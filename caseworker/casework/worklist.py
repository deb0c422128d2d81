"""Who needs a contact (the worklist), and who refused too often.

A person with an open plan is due for a contact on the date the caseworker set at the last
contact, or else one interval (the pack's ``assistance_contact_interval_days``, 30 days) after
the last contact, or after the plan's opening when there was none.  Once due, they are overdue
by the number of days since the due date.  A person employed (an outcome on the plan, and an
employment covering the day) is followed up the same way until the follow-up ends (the pack's
``assistance_employed_follow_up_months`` after the outcome date); a contact that would fall on
or after that day is not due.  A person whose job ended is followed up as before.

Everything is computed by the database in one query (:func:`due_statement`), which the
command line, the worklist screen and the dashboard share.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    case,
    false,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from caseworker.casework.plans import refusal_window
from caseworker.casework.rules import AssistanceRules, rules_on
from caseworker.casework.sql import add_days
from caseworker.casework.vocab import Answer, DueReason
from caseworker.registry.families import employed_sql
from caseworker.store.models import (
    AssistanceOffer,
    AssistancePlan,
    Person,
    Staff,
    Village,
)
from caseworker.store.values import as_date, as_uuid, id_blob

__all__ = [
    "DueRow",
    "Query",
    "Refusal",
    "Shape",
    "Window",
    "as_date",
    "as_uuid",
    "due_columns",
    "due_ids",
    "due_query",
    "due_rows",
    "id_blob",
    "refusal_list",
]


class Window:
    """Which due dates a list keeps, relative to the day ``on``."""

    DUE = "due"  # due on or before the day (today's work, overdue included)
    OVERDUE = "overdue"  # due before the day
    TODAY = "today"  # due on the day itself
    WEEK = "week"  # due within seven days from the day (overdue included)
    ALL = "all"  # every open plan with a contact to come

    CHOICES = (DUE, OVERDUE, TODAY, WEEK, ALL)


ON = bindparam("on", type_=Date)
WEEK_END = bindparam("week_end", type_=Date)
WORKER = bindparam("worker_id", type_=Uuid)
VILLAGE = bindparam("village_id", type_=Uuid)
PERSONS = bindparam("person_ids", type_=Uuid, expanding=True)


def _employed() -> ColumnElement[bool]:
    """SQL: the plan's person has an employment covering the day ``:on`` (a probe of the
    index of employment spans, asked only of plans with an outcome)."""
    return employed_sql(AssistancePlan.person_id, ON)


def due_columns(interval: int) -> tuple[ColumnElement[dt.date], ColumnElement[str]]:
    """SQL for each open plan: the due date (NULL: nothing due, the employed follow-up is
    over) and the reason code, on the day ``:on``; ``interval`` is the contact interval in
    days."""
    in_follow_up = and_(AssistancePlan.follow_up_until.is_not(None), _employed())
    base = func.coalesce(AssistancePlan.last_contact_on, AssistancePlan.opened_on)
    scheduled = func.coalesce(AssistancePlan.next_contact_on, add_days(base, interval))
    # the date comparison before the employment probe: most plans never need the probe
    follow_up_over = and_(
        AssistancePlan.follow_up_until.is_not(None),
        scheduled >= AssistancePlan.follow_up_until,
        _employed(),
    )
    due_on = case((follow_up_over, None), else_=scheduled)
    reason = case(
        (in_follow_up, DueReason.EMPLOYED_FOLLOW_UP.value),
        (AssistancePlan.last_contact_on.is_(None), DueReason.FIRST_CONTACT.value),
        else_=DueReason.FOLLOW_UP.value,
    )
    return due_on, reason


class Shape:
    """What a worklist query selects."""

    ROWS = "rows"  # the columns of a row (:func:`due_rows`)
    IDS = "ids"  # the person ids alone, in the same order (every table read from an index)
    DATES = "dates"  # the due dates alone, unordered (for counting: the dashboard)


@functools.lru_cache(maxsize=64)
def _statement(
    window: str, interval: int, worker: bool, village: bool, persons: bool, shape: str
) -> Select[*tuple[Any, ...]]:
    """The worklist's query for one shape, built once (the values are bound parameters)."""
    due_on, reason = due_columns(interval)
    plans = select(
        AssistancePlan.id.label("plan_id"),
        AssistancePlan.person_id.label("person_id"),
        AssistancePlan.worker_id.label("worker_id"),
        AssistancePlan.last_contact_on.label("last_contact_on"),
        due_on.label("due_on"),
        reason.label("reason"),
    )
    plans = plans.where(AssistancePlan.closed_on.is_(None), AssistancePlan.deleted == false())
    if persons:
        plans = plans.where(AssistancePlan.person_id.in_(PERSONS))
    if worker:
        plans = plans.where(AssistancePlan.worker_id == WORKER)
    due = plans.subquery("due")
    if shape == Shape.IDS:
        stmt = select(type_coerce(Person.id, String)).select_from(due)
    elif shape == Shape.DATES:
        stmt = select(due.c.due_on).select_from(due)
    else:
        stmt = select(
            # ids and dates as stored text: converted in Python only where they are used
            type_coerce(due.c.person_id, String), type_coerce(due.c.plan_id, String),
            Person.id_number, Person.name, Village.name, Person.phone, Staff.name,
            type_coerce(due.c.due_on, String), type_coerce(due.c.last_contact_on, String),
            due.c.reason,
        )  # fmt: skip
    stmt = stmt.join(Person, Person.id == due.c.person_id).join(Staff, Staff.id == due.c.worker_id)
    if shape == Shape.ROWS:
        stmt = stmt.outerjoin(Village, Village.id == Person.village_id)
    stmt = stmt.where(Person.deleted.is_(False), due.c.due_on.is_not(None))
    if window == Window.DUE:
        stmt = stmt.where(due.c.due_on <= ON)
    elif window == Window.OVERDUE:
        stmt = stmt.where(due.c.due_on < ON)
    elif window == Window.TODAY:
        stmt = stmt.where(due.c.due_on == ON)
    elif window == Window.WEEK:
        stmt = stmt.where(due.c.due_on <= WEEK_END)
    elif window != Window.ALL:
        raise ValueError(window)
    if village:
        stmt = stmt.where(Person.village_id == VILLAGE)
    if shape == Shape.DATES:
        return stmt
    return stmt.order_by(due.c.due_on, Person.name_pinyin, Person.id_number)


@dataclass(frozen=True, slots=True)
class Query:
    """A worklist query and the values of its parameters."""

    statement: Select[*tuple[Any, ...]]
    params: dict[str, Any]


def due_query(
    on: dt.date,
    *,
    window: str = Window.DUE,
    rules: AssistanceRules | None = None,
    worker_id: uuid.UUID | None = None,
    village_id: uuid.UUID | None = None,
    person_ids: Sequence[uuid.UUID] | None = None,
    shape: str = Shape.ROWS,
) -> Query:
    """The open plans in ``window`` on ``on``, most overdue first (then by name): one query
    for the command line, the worklist screen (its ids, and its pages) and the dashboard.

    Columns: person id, plan id, ID number, name, village, phone, caseworker, due date, last
    contact, reason code; or what ``shape`` (a :class:`Shape`) says.
    """
    rules = rules or rules_on(on)
    statement = _statement(
        window, rules.contact_interval_days, worker_id is not None, village_id is not None,
        person_ids is not None, shape,
    )  # fmt: skip
    params: dict[str, Any] = {"on": on, "week_end": on + dt.timedelta(days=6)}
    if worker_id is not None:
        params["worker_id"] = worker_id
    if village_id is not None:
        params["village_id"] = village_id
    if person_ids is not None:
        params["person_ids"] = list(person_ids)
    return Query(statement, params)


def due_ids(
    session: Session,
    on: dt.date,
    *,
    window: str = Window.DUE,
    text: str = "",
    worker_id: uuid.UUID | None = None,
    village_id: uuid.UUID | None = None,
) -> bytes:
    """The person ids of the worklist in display order, 16 bytes each (the screen's id
    query, for its paged model); ``text`` narrows it as the registry's search does."""
    query = due_query(
        on, window=window, worker_id=worker_id, village_id=village_id, shape=Shape.IDS
    )
    stmt = query.statement
    from caseworker.registry import search

    matching = search.matches(session, text)  # None for a blank search: everyone
    if matching is not None:
        stmt = stmt.where(matching)
    return search.id_blob(session, stmt, query.params)


class DueRow(NamedTuple):
    """One line of the worklist (what ``caseworker assist due --json`` prints, and more).
    A named tuple: immutable, and made three times faster than a frozen dataclass (the
    command line makes one for every person due)."""

    person_key: object
    plan_key: object
    id_number: str
    name: str
    village: str
    phone: str
    worker: str
    due_on: dt.date
    days_overdue: int
    last_contact_on: dt.date | None
    reason: str

    @property
    def person_id(self) -> uuid.UUID:
        return as_uuid(self.person_key)

    @property
    def plan_id(self) -> uuid.UUID:
        return as_uuid(self.plan_key)

    def to_json(self) -> dict[str, object]:
        return {
            "id_number": self.id_number,
            "name": self.name,
            "worker": self.worker,
            "due_on": self.due_on.isoformat(),
            "days_overdue": self.days_overdue,
            "last_contact_on": self.last_contact_on.isoformat() if self.last_contact_on else None,
            "reason": self.reason,
        }


def due_rows(
    session: Session, on: dt.date, person_ids: Sequence[uuid.UUID] | None = None, **kw: Any
) -> list[DueRow]:
    """Worklist rows in the worklist's order: the whole list of ``window`` (keywords of
    :func:`due_query`), or, for a page of the screen, those of ``person_ids`` (any window)."""
    if person_ids is not None:
        if not person_ids:
            return []
        kw = {**kw, "window": Window.ALL, "person_ids": person_ids}
    query = due_query(on, **kw)
    rows = []
    dates: dict[object, dt.date] = {}  # a date read once, whichever rows share it
    for pid, plan, number, name, village, phone, worker, due, last, reason in (
        session.connection().execute(query.statement, query.params).all()
    ):
        due_on = dates.get(due) or dates.setdefault(due, as_date(due))
        last_on = None
        if last is not None:
            last_on = dates.get(last) or dates.setdefault(last, as_date(last))
        rows.append(
            DueRow(
                pid, plan, number, name, village or "", phone or "", worker, due_on,
                max(0, (on - due_on).days), last_on, reason,
            )
        )  # fmt: skip
    return rows


# ---------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refusal:
    person_id: uuid.UUID
    id_number: str
    name: str
    refusals: int
    window_start: dt.date

    def to_json(self) -> dict[str, object]:
        return {
            "id_number": self.id_number,
            "refusals": self.refusals,
            "window_start": self.window_start.isoformat(),
        }


def refusal_list(session: Session, on: dt.date) -> list[Refusal]:
    """Persons who refused offers at least the pack's number of times in the window that ends
    on ``on`` (a ground to consider exit; the caseworker decides), most refusals first."""
    rules = rules_on(on)
    start = refusal_window(on, rules)
    count = func.count(AssistanceOffer.id)
    stmt = (
        select(Person.id, Person.id_number, Person.name, count)
        .join(AssistanceOffer, AssistanceOffer.person_id == Person.id)
        .where(
            Person.deleted.is_(False),
            AssistanceOffer.deleted.is_(False),
            AssistanceOffer.answer == Answer.REFUSED.value,
            AssistanceOffer.answered_on >= start,
            AssistanceOffer.answered_on <= on,
        )
        .group_by(Person.id, Person.id_number, Person.name, Person.name_pinyin)
        .having(count >= rules.refusal_count)
        .order_by(count.desc(), Person.name_pinyin, Person.id_number)
    )
    return [Refusal(pid, number, name, n, start) for pid, number, name, n in session.execute(stmt)]
