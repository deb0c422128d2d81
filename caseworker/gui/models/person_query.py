"""The registry list as SQL: filters, sorting and page rows (no Qt; tested without a screen).

The id query returns every matching person id in display order (sorting is done by the
database, never in Python over all rows); a page query returns the display values of up to a
page of ids.  Categories and status come from each person's latest recognition case (the
categories claimed and stored there), so sorting by them is SQL too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from caseworker.gui.models.ids import IdList
from caseworker.gui.models.listing import NEEDS_REVIEW, NO_CASE, Column, ListQuery, Row
from caseworker.recognition import service
from caseworker.recognition.workflow import Stage
from caseworker.store.models import Person, RecognitionCase, Village


def id_statement(session: Session, query: ListQuery) -> Select[Any]:
    """``SELECT person.id`` for ``query``, in display order: the registry search's order
    (:func:`caseworker.registry.search.ranked`, everyone for a blank text), or the sort column."""
    from caseworker.registry import search  # (pypinyin: loaded on the first search only)

    stmt = search.ranked(session, query.text)
    latest = None
    needs_case = query.category or query.status or query.sort in (Column.CATEGORIES, Column.STATUS)
    if needs_case:
        latest = RecognitionCase.__table__.alias("latest_case")
        stmt = stmt.outerjoin(latest, latest.c.id == service.current_case_id())
    if query.village_id is not None:
        stmt = stmt.where(Person.village_id == query.village_id)
    if query.category:
        assert latest is not None
        stmt = stmt.where(service.has_category(latest.c.id, query.category))
    if query.status:
        assert latest is not None
        if query.status == NO_CASE:
            stmt = stmt.where(latest.c.id.is_(None))
        elif query.status == NEEDS_REVIEW:
            stmt = stmt.where(latest.c.needs_review.is_(True))
        else:
            stmt = stmt.where(latest.c.stage == query.status)
    if query.sort is not None:
        stmt = stmt.order_by(None).order_by(
            *_sort_keys(query, latest), Person.name_pinyin, Person.id_number
        )
    return stmt


def _sort_keys(query: ListQuery, latest: Any) -> list[Any]:
    def order(column: Any) -> Any:
        return column.desc() if query.descending else column.asc()

    sort = query.sort
    if sort is Column.NAME:
        return [order(Person.name_pinyin)]
    if sort is Column.SEX:
        return [order(Person.sex)]
    if sort is Column.AGE:  # the youngest (latest birth date) first when ascending
        return [Person.birth_date.asc() if query.descending else Person.birth_date.desc()]
    if sort is Column.ID_NUMBER:
        return [order(Person.id_number)]
    if sort is Column.VILLAGE:
        village_order = (
            select(Village.sort_order)
            .where(Village.id == Person.village_id)
            .correlate(Person)
            .scalar_subquery()
        )
        return [order(func.coalesce(village_order, 1_000_000))]
    if sort is Column.CATEGORIES:
        return [order(func.coalesce(service.first_category_order(latest.c.id), 1_000))]
    if sort is Column.STATUS:  # in the order of the workflow; no case first
        stage_order = case(
            {stage.value: index for index, stage in enumerate(Stage)},
            value=latest.c.stage,
            else_=-1,
        )
        return [order(stage_order)]
    since = Person.registered_unemployed_since
    return [since.is_(None), order(since)]  # persons without a date last


def fetch_ids(session: Session, query: ListQuery) -> IdList:
    """The ids in display order, 16 bytes each."""
    from caseworker.registry import search

    return IdList(search.id_blob(session, id_statement(session, query)))


def count(session: Session) -> int:
    return (
        session.scalar(select(func.count()).select_from(Person).where(Person.deleted.is_(False)))
        or 0
    )


def fetch_rows(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Row]:
    """Display values of ``ids`` (missing or deleted ids are simply absent)."""
    if not ids:
        return {}
    persons = session.execute(
        select(
            Person.id,
            Person.name,
            Person.name_native,
            Person.sex,
            Person.birth_date,
            Person.id_number,
            Village.name,
            Person.registered_unemployed_since,
        )
        .outerjoin(Village, Village.id == Person.village_id)
        .where(Person.id.in_(list(ids)))
    ).all()
    cases: dict[uuid.UUID, tuple[uuid.UUID | None, str, bool]] = {}
    for person_id, case_id, stage, needs_review in session.execute(
        select(
            RecognitionCase.person_id,
            RecognitionCase.id,
            RecognitionCase.stage,
            RecognitionCase.needs_review,
        )
        .where(RecognitionCase.person_id.in_(list(ids)), RecognitionCase.deleted.is_(False))
        .order_by(RecognitionCase.opened_on, RecognitionCase.created_hlc)
    ):
        current = cases.get(person_id)
        if current is None or not Stage(stage).closed or Stage(current[1]).closed:
            cases[person_id] = (case_id, stage, needs_review)  # open, else the latest
    codes = service.category_codes_of(session, (c[0] for c in cases.values() if c[0]))
    rows: dict[uuid.UUID, Row] = {}
    for pid, name, native, sex, birth, id_number, village, since in persons:
        current_case, stage, review = cases.get(pid) or (None, "", False)
        rows[pid] = Row(
            pid,
            name,
            native or "",
            sex,
            birth,
            id_number,
            village or "",
            since,
            codes.get(current_case, ()) if current_case else (),
            stage or None,
            bool(review),
        )
    return rows


__all__ = ["count", "fetch_ids", "fetch_rows", "id_statement"]
