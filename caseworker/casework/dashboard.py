"""The station's figures at a glance (the dashboard): persons recognised by category, open
plans, contacts due today and overdue, offers this month and their answers, employed this
month and this year, zero-employment families open, overdue and cleared, and two trends over
the last twelve months.  Every figure has a list behind it (:func:`offers_between`,
:func:`outcomes_between` and the lists of the worklist, the tracker and the registry)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, case, cast, false, func, select, type_coerce
from sqlalchemy.orm import Session

from caseworker.casework.families import open_on
from caseworker.casework.rules import rules_on
from caseworker.casework.vocab import Answer
from caseworker.casework.worklist import Shape, Window, due_query
from caseworker.policy.categories import Category
from caseworker.policy.dates import add_months
from caseworker.recognition.workflow import Stage
from caseworker.registry.families import EpisodeEnd
from caseworker.store.models import (
    AssistanceContact,
    AssistanceOffer,
    AssistanceOutcome,
    AssistancePlan,
    CaseCategory,
    Person,
    RecognitionCase,
    ZeroEmploymentEpisode,
)

__all__ = [
    "Figures",
    "ListedOffer",
    "ListedOutcome",
    "figures",
    "offers_between",
    "outcomes_between",
]


@dataclass(frozen=True, slots=True)
class Figures:
    on: dt.date
    recognised: int
    #: (category code, persons recognised claiming it), in the order of clause (八)
    by_category: tuple[tuple[str, int], ...]
    open_plans: int
    due_today: int
    overdue: int
    #: offers made this month, by answer code
    offers: dict[str, int]
    employed_month: int
    employed_year: int
    zero_open: int
    zero_overdue: int
    zero_cleared_year: int
    #: (first day of the month, count) for the last twelve months, oldest first
    contacts_by_month: tuple[tuple[dt.date, int], ...]
    outcomes_by_month: tuple[tuple[dt.date, int], ...]

    @property
    def offers_total(self) -> int:
        return sum(self.offers.values())


def month_start(on: dt.date) -> dt.date:
    return on.replace(day=1)


def _months(on: dt.date) -> list[dt.date]:
    first = month_start(on)
    return [add_months(first, -k) for k in range(11, -1, -1)]


def _month_of(column: Any) -> Any:
    """SQL: ``YYYY-MM`` of a date column (the same text on SQLite and PostgreSQL)."""
    return func.substr(cast(column, String), 1, 7)


def _contacts_by_month(session: Session, first: dt.date, on: dt.date) -> dict[tuple[int, int], int]:
    """The standing contacts (not replaced by a correction) by month: all of them, counted
    by day in the order of the date index (no sort, no text made per contact), less the few
    a correction replaced."""
    counts: Counter[str] = Counter()
    for day, n in session.execute(
        select(type_coerce(AssistanceContact.on, String), func.count())
        .where(
            AssistanceContact.on >= first,
            AssistanceContact.on <= on,
            AssistanceContact.deleted.is_(False),
        )
        .group_by(AssistanceContact.on)
    ):
        counts[str(day)[:7]] += n  # "YYYY-MM" of the stored text or of the date
    month = _month_of(AssistanceContact.on)
    # the replaced ones: few, found from the corrections (a partial index of them alone)
    replaced = list(
        session.scalars(
            select(AssistanceContact.supersedes_id).where(
                AssistanceContact.supersedes_id.is_not(None),
                AssistanceContact.deleted.is_(False),
            )
        )
    )
    for start in range(0, len(replaced), 5000):
        for key in session.scalars(
            select(month).where(
                AssistanceContact.id.in_(replaced[start : start + 5000]),
                AssistanceContact.deleted.is_(False),
                AssistanceContact.on >= first,
                AssistanceContact.on <= on,
            )
        ):
            counts[key] -= 1
    return {(int(k[:4]), int(k[5:7])): n for k, n in counts.items()}


def figures(session: Session, on: dt.date) -> Figures:
    """Every figure of the dashboard on ``on``."""
    rules = rules_on(on)
    month, year = month_start(on), on.replace(month=1, day=1)
    live_person = Person.deleted.is_(False)

    recognised_case = and_(
        RecognitionCase.deleted.is_(False),
        RecognitionCase.stage == Stage.RECOGNISED.value,
        RecognitionCase.recognised_on <= on,
    )
    # counted by the database, each table read from an index alone (the cases from
    # ix_recognition_case_recognised, the persons from ix_person_id_live, the categories
    # from the partial index of live ones)
    recognised = session.scalar(
        select(func.count(func.distinct(RecognitionCase.person_id)))
        .join(Person, Person.id == RecognitionCase.person_id)
        .where(recognised_case, live_person)
    )
    per_category = session.execute(
        select(CaseCategory.category, func.count(func.distinct(RecognitionCase.person_id)))
        .join(Person, Person.id == RecognitionCase.person_id)
        .join(CaseCategory, CaseCategory.case_id == RecognitionCase.id)
        .where(recognised_case, live_person, CaseCategory.deleted == false())
        .group_by(CaseCategory.category)
    ).all()
    order = [c.value for c in Category]
    by_category = sorted(
        ((str(code), int(n)) for code, n in per_category),
        key=lambda item: order.index(item[0]) if item[0] in order else len(order),
    )

    # the worklist's own query, its due dates alone
    query = due_query(on, window=Window.DUE, rules=rules, shape=Shape.DATES)
    due = query.statement.subquery("due")
    due_today, overdue = session.execute(
        select(
            func.coalesce(func.sum(case((due.c.due_on == on, 1), else_=0)), 0),
            func.coalesce(func.sum(case((due.c.due_on < on, 1), else_=0)), 0),
        ).select_from(due),
        query.params,
    ).one()
    # (plans whose employed follow-up is over have nothing due, and are open plans too)
    open_plans = (
        session.scalar(
            select(func.count())
            .select_from(AssistancePlan)
            .join(Person, Person.id == AssistancePlan.person_id)
            .where(
                AssistancePlan.closed_on.is_(None), AssistancePlan.deleted == false(), live_person
            )
        )
        or 0
    )

    offers = dict(
        session.execute(
            select(AssistanceOffer.answer, func.count())
            .where(
                AssistanceOffer.deleted.is_(False),
                AssistanceOffer.on >= month,
                AssistanceOffer.on <= on,
            )
            .group_by(AssistanceOffer.answer)
        ).all()
    )
    outcome_live = AssistanceOutcome.deleted.is_(False)
    employed_month, employed_year = session.execute(
        select(
            func.coalesce(func.sum(case((AssistanceOutcome.on >= month, 1), else_=0)), 0),
            func.count(),
        ).where(outcome_live, AssistanceOutcome.on >= year, AssistanceOutcome.on <= on)
    ).one()

    late = ZeroEmploymentEpisode.identified_on < on - dt.timedelta(days=rules.clearing_days)
    zero_open, zero_overdue = session.execute(
        select(func.count(), func.coalesce(func.sum(case((late, 1), else_=0)), 0)).where(
            open_on(on)
        )
    ).one()
    zero_cleared = session.scalar(
        select(func.count()).where(
            ZeroEmploymentEpisode.deleted == false(),
            ZeroEmploymentEpisode.end_reason == EpisodeEnd.EMPLOYED.value,
            ZeroEmploymentEpisode.ended_on >= year,
            ZeroEmploymentEpisode.ended_on <= on,
        )
    )

    months = _months(on)
    first = months[0]
    contact_rows = _contacts_by_month(session, first, on)
    outcome_month = _month_of(AssistanceOutcome.on)
    outcome_rows = {
        (int(k[:4]), int(k[5:7])): int(n)
        for k, n in session.execute(
            select(outcome_month, func.count())
            .where(outcome_live, AssistanceOutcome.on >= first, AssistanceOutcome.on <= on)
            .group_by(outcome_month)
        )
    }

    return Figures(
        on=on,
        recognised=int(recognised or 0),
        by_category=tuple(by_category),
        open_plans=int(open_plans),
        due_today=int(due_today),
        overdue=int(overdue),
        offers={a.value: int(offers.get(a.value, 0)) for a in Answer},
        employed_month=int(employed_month),
        employed_year=int(employed_year),
        zero_open=int(zero_open),
        zero_overdue=int(zero_overdue),
        zero_cleared_year=int(zero_cleared or 0),
        contacts_by_month=tuple((m, contact_rows.get((m.year, m.month), 0)) for m in months),
        outcomes_by_month=tuple((m, outcome_rows.get((m.year, m.month), 0)) for m in months),
    )


# ---------------------------------------------------------------------------------------------
# The lists behind the figures
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedOffer:
    person_id: uuid.UUID
    name: str
    id_number: str
    on: dt.date
    kind: str
    post: str
    employer: str
    answer: str
    reason: str


@dataclass(frozen=True, slots=True)
class ListedOutcome:
    person_id: uuid.UUID
    name: str
    id_number: str
    on: dt.date
    evidence: str
    note: str


def offers_between(session: Session, start: dt.date, end: dt.date) -> list[ListedOffer]:
    """Offers made from ``start`` to ``end`` (both included), newest first."""
    rows = session.execute(
        select(
            Person.id, Person.name, Person.id_number, AssistanceOffer.on, AssistanceOffer.kind,
            AssistanceOffer.post, AssistanceOffer.employer, AssistanceOffer.answer,
            AssistanceOffer.reason,
        )
        .join(Person, Person.id == AssistanceOffer.person_id)
        .where(AssistanceOffer.deleted.is_(False), AssistanceOffer.on >= start, AssistanceOffer.on <= end)
        .order_by(AssistanceOffer.on.desc(), Person.name_pinyin)
    ).all()  # fmt: skip
    return [ListedOffer(*row) for row in rows]


def outcomes_between(session: Session, start: dt.date, end: dt.date) -> list[ListedOutcome]:
    """Employment outcomes dated from ``start`` to ``end`` (both included), newest first."""
    rows = session.execute(
        select(
            Person.id, Person.name, Person.id_number, AssistanceOutcome.on,
            AssistanceOutcome.evidence, AssistanceOutcome.note,
        )
        .join(Person, Person.id == AssistanceOutcome.person_id)
        .where(AssistanceOutcome.deleted.is_(False), AssistanceOutcome.on >= start, AssistanceOutcome.on <= end)
        .order_by(AssistanceOutcome.on.desc(), Person.name_pinyin)
    ).all()  # fmt: skip
    return [ListedOutcome(*row) for row in rows]
