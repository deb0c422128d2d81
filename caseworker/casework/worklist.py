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
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from caseworker.casework.plans import refusal_window
from caseworker.casework.rules import AssistanceRules, rules_on
from caseworker.casework.sql import add_days
from caseworker.casework.vocab import Answer, DueReason
from caseworker.store.models import (
    AssistanceOffer,
    AssistancePlan,
    EmploymentEpisode,
    Person,
    Staff,
    Village,
)

__all__ = [
    "DueRow",
    "Refusal",
    "Window",
    "due_columns",
    "due_ids",
    "due_rows",
    "due_statement",
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


def _employed_on(on: dt.date) -> ColumnElement[bool]:
    return exists().where(
        EmploymentEpisode.person_id == AssistancePlan.person_id,
        EmploymentEpisode.deleted.is_(False),
        EmploymentEpisode.starts_on <= on,
        or_(EmploymentEpisode.ends_on.is_(None), EmploymentEpisode.ends_on >= on),
    )


def due_columns(
    on: dt.date, rules: AssistanceRules
) -> tuple[ColumnElement[dt.date], ColumnElement[str]]:
    """SQL for each open plan: the due date (NULL: nothing due, the employed follow-up is
    over) and the reason code, evaluated on ``on``."""
    in_follow_up = and_(AssistancePlan.follow_up_until.is_not(None), _employed_on(on))
    base = func.coalesce(AssistancePlan.last_contact_on, AssistancePlan.opened_on)
    scheduled = func.coalesce(
        AssistancePlan.next_contact_on, add_days(base, rules.contact_interval_days)
    )
    due_on = case(
        (and_(in_follow_up, scheduled >= AssistancePlan.follow_up_until), None),
        else_=scheduled,
    )
    reason = case(
        (in_follow_up, DueReason.EMPLOYED_FOLLOW_UP.value),
        (AssistancePlan.last_contact_on.is_(None), DueReason.FIRST_CONTACT.value),
        else_=DueReason.FOLLOW_UP.value,
    )
    return due_on, reason


def due_statement(
    on: dt.date,
    *,
    window: str = Window.DUE,
    rules: AssistanceRules | None = None,
    worker_id: uuid.UUID | None = None,
    village_id: uuid.UUID | None = None,
) -> Select[*tuple[Any, ...]]:
    """The open plans in ``window`` on ``on``, most overdue first (then by name).

    Columns: plan id, person id, the due date, the reason code (see :func:`due_columns`).
    """
    rules = rules or rules_on(on)
    due_on, reason = due_columns(on, rules)
    plans = (
        select(
            AssistancePlan.id.label("plan_id"),
            AssistancePlan.person_id.label("person_id"),
            due_on.label("due_on"),
            reason.label("reason"),
        )
        .where(AssistancePlan.closed_on.is_(None), AssistancePlan.deleted.is_(False))
        .subquery("due")
    )
    stmt = (
        select(plans.c.plan_id, plans.c.person_id, plans.c.due_on, plans.c.reason)
        .join(Person, Person.id == plans.c.person_id)
        .where(Person.deleted.is_(False), plans.c.due_on.is_not(None))
    )
    if window == Window.DUE:
        stmt = stmt.where(plans.c.due_on <= on)
    elif window == Window.OVERDUE:
        stmt = stmt.where(plans.c.due_on < on)
    elif window == Window.TODAY:
        stmt = stmt.where(plans.c.due_on == on)
    elif window == Window.WEEK:
        stmt = stmt.where(plans.c.due_on <= on + dt.timedelta(days=6))
    elif window != Window.ALL:
        raise ValueError(window)
    if worker_id is not None:
        stmt = stmt.where(
            exists().where(
                AssistancePlan.id == plans.c.plan_id, AssistancePlan.worker_id == worker_id
            )
        )
    if village_id is not None:
        stmt = stmt.where(Person.village_id == village_id)
    return stmt.order_by(plans.c.due_on, Person.name_pinyin, Person.id_number)


def due_ids(
    session: Session,
    on: dt.date,
    *,
    window: str = Window.DUE,
    text: str = "",
    worker_id: uuid.UUID | None = None,
    village_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """The person ids of the worklist in display order (the screen's id query); ``text``
    narrows it as the registry's search does."""
    stmt = due_statement(on, window=window, worker_id=worker_id, village_id=village_id)
    if text.strip():
        from caseworker.registry import search

        stmt = stmt.where(search.predicate(session, text))
    ids = session.execute(
        stmt.with_only_columns(type_coerce(Person.id, String), maintain_column_froms=True)
    ).scalars()
    return [uuid.UUID(value) for value in ids]


@dataclass(frozen=True, slots=True)
class DueRow:
    """One line of the worklist (what ``caseworker assist due --json`` prints, and more)."""

    person_id: uuid.UUID
    plan_id: uuid.UUID
    id_number: str
    name: str
    village: str
    phone: str
    worker: str
    due_on: dt.date
    days_overdue: int
    last_contact_on: dt.date | None
    reason: str

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


def _row_statement(on: dt.date, rules: AssistanceRules) -> Select[*tuple[Any, ...]]:
    due_on, reason = due_columns(on, rules)
    return (
        select(
            AssistancePlan.person_id,
            AssistancePlan.id,
            Person.id_number,
            Person.name,
            Village.name,
            Person.phone,
            Staff.name,
            due_on,
            AssistancePlan.last_contact_on,
            reason,
        )
        .join(Person, Person.id == AssistancePlan.person_id)
        .join(Staff, Staff.id == AssistancePlan.worker_id)
        .outerjoin(Village, Village.id == Person.village_id)
        .where(AssistancePlan.closed_on.is_(None), AssistancePlan.deleted.is_(False))
    )


def _due_row(row: Sequence[Any], on: dt.date) -> DueRow | None:
    person_id, plan_id, id_number, name, village, phone, worker, due_on, last, reason = row
    if due_on is None:
        return None
    return DueRow(
        person_id, plan_id, id_number, name, village or "", phone or "", worker, due_on,
        max(0, (on - due_on).days), last, reason,
    )  # fmt: skip


def due_rows(
    session: Session, on: dt.date, person_ids: Sequence[uuid.UUID] | None = None, **kw: Any
) -> list[DueRow]:
    """Worklist rows: of ``person_ids`` (a page of the screen; in no particular order), or
    else the whole list of ``window`` (keywords of :func:`due_statement`), in its order."""
    rules = rules_on(on)
    if person_ids is not None:
        if not person_ids:
            return []
        stmt = _row_statement(on, rules).where(AssistancePlan.person_id.in_(list(person_ids)))
        rows = (_due_row(r, on) for r in session.execute(stmt))
        return [r for r in rows if r is not None]
    ordered = due_statement(on, rules=rules, **kw).subquery("ordered")
    stmt = (
        _row_statement(on, rules)
        .join(ordered, ordered.c.plan_id == AssistancePlan.id)
        .order_by(ordered.c.due_on, Person.name_pinyin, Person.id_number)
    )
    rows = (_due_row(r, on) for r in session.execute(stmt))
    return [r for r in rows if r is not None]


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
