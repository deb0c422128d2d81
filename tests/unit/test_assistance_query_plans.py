"""The worklist, the zero-employment family list and the dashboard read their many rows from
indexes (migration 0013), as SQLite plans them: what keeps them fast on a 100,000-person
station (``benchmarks/assistance.py`` times them; these tests keep the plans from slipping).

Each test runs the real function, catches the statements it sends, and asks SQLite for the
plan of each with the same parameters."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from caseworker.casework import dashboard, families, plans, worklist
from caseworker.registry import households
from caseworker.store.models import Base
from tests.helpers import make_id, on_day, recognise, register

D = dt.date
SCAN = re.compile(r" :: SCAN (\w+)")
DAY = D(2024, 12, 20)


@contextmanager
def plans_of(session: Session) -> Iterator[list[str]]:
    """The query plan lines (``detail`` of ``EXPLAIN QUERY PLAN``) of every SELECT the
    session sends inside the block, each line prefixed with the statement's first words."""
    found: list[tuple[str, Any]] = []
    connection = session.connection()

    def caught(_c: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            found.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", caught)
    lines: list[str] = []
    try:
        yield lines
    finally:
        event.remove(connection, "before_cursor_execute", caught)
    raw = connection.connection.dbapi_connection
    assert raw is not None
    for statement, parameters in found:
        head = " ".join(statement.split()[:6])
        for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters):
            lines.append(f"{head} :: {row[3]}")


def scans(lines: list[str]) -> list[str]:
    """Plan lines that read a whole table (a ``SCAN`` of a subquery's rows reads none)."""
    tables = set(Base.metadata.tables)
    return [line for line in lines if (m := SCAN.search(line)) and m.group(1) in tables]


def station(store: Any) -> None:
    """A recognised person with a plan, a corrected contact and an outcome, in a household
    with a relative: every query below has rows to plan for."""
    with on_day(D(2024, 9, 1)):
        head = register(
            store, "张三", make_id(birth=D(1975, 4, 1), seq=131),
            registered_unemployed_since=D(2023, 1, 1), village="红旗村",
        )  # fmt: skip
        other = register(
            store, "李四", make_id(birth=D(1980, 6, 1), seq=152),
            registered_unemployed_since=D(2023, 1, 1), village="红旗村",
        )  # fmt: skip
    recognise(store, head.id)
    recognise(store, other.id)
    with on_day(D(2024, 10, 12)), store.transaction() as session:
        household = households.create(session)
        households.add_person(session, household.id, head.id, "head")
    with on_day(DAY), store.transaction() as session:
        plans.open_plan(session, head.id, on=D(2024, 10, 31), worker="李娜")
        first = plans.add_contact(session, head.id, on=D(2024, 11, 5), channel="phone")
        plans.add_contact(session, head.id, on=D(2024, 11, 6), channel="visit", supersedes=first.id)
        plans.open_plan(session, other.id, on=D(2024, 10, 15), worker="李娜")
        plans.record_outcome(
            session, other.id, on=D(2024, 11, 1), evidence="contract", contract_months=12
        )


def planned(store: Any, fn: Callable[[Session], object]) -> list[str]:
    with on_day(DAY), store.reading() as session, plans_of(session) as lines:
        fn(session)
    assert lines
    return lines


def test_the_worklist_ids_come_from_indexes_alone(store: Any) -> None:
    station(store)
    lines = planned(store, lambda s: worklist.due_ids(s, DAY, window=worklist.Window.ALL))
    assert scans(lines) == []
    text = "\n".join(lines)
    # the person by id: live, and where it sorts, without the wide row
    assert "COVERING INDEX ix_person_id_live" in text
    # "employed on the day" from the index of spans (EXISTS (SELECT 1 ...), not SELECT *)
    assert "COVERING INDEX ix_employment_episode_person_span" in text


def test_a_worklist_line_reads_the_person_from_the_index(store: Any) -> None:
    station(store)
    lines = planned(store, lambda s: worklist.due_rows(s, DAY, window=worklist.Window.ALL))
    assert scans(lines) == []
    assert any("COVERING INDEX ix_person_id_live" in line for line in lines)


def test_the_family_reading_probes_employment_from_the_index(store: Any) -> None:
    station(store)
    lines = planned(store, lambda s: families.open_families(s, DAY))
    assert scans(lines) == []
    assert any("COVERING INDEX ix_employment_episode_person_span" in line for line in lines)


def test_no_dashboard_figure_reads_a_whole_table(store: Any) -> None:
    station(store)
    lines = planned(store, lambda s: dashboard.figures(s, DAY))
    # before 0013 the corrections were found by reading every contact
    assert scans(lines) == []
    text = "\n".join(lines)
    assert "COVERING INDEX ix_assistance_contact_corrections" in text
    assert "COVERING INDEX ix_recognition_case_recognised" in text
    assert "COVERING INDEX ix_zero_employment_episode_cleared" in text


def test_the_dashboard_counts_what_the_lists_show(store: Any) -> None:
    station(store)
    with on_day(DAY), store.reading() as session:
        figures = dashboard.figures(session, DAY)
        due = worklist.due_rows(session, DAY)
        assert figures.due_today == sum(1 for r in due if r.due_on == DAY)
        assert figures.overdue == sum(1 for r in due if r.due_on < DAY)
        assert figures.recognised == 2
        assert figures.open_plans == 2
        months = dict(figures.contacts_by_month)
        assert months[D(2024, 11, 1)] == 1  # the corrected contact counts once
        assert figures.zero_open == len(families.open_families(session, DAY))


def test_the_screens_ids_come_in_the_order_of_the_lists(store: Any) -> None:
    """The id lists come back as one string from SQLite (``group_concat`` over the ordered
    query): they must keep the order the rows are listed in."""
    who = []
    with on_day(D(2024, 9, 1)):
        for n, (name, seq) in enumerate(
            [("王五", 173), ("赵六", 184), ("钱七", 195), ("孙八", 206)]
        ):
            who.append(
                register(
                    store, name, make_id(birth=D(1985 + n, 3, 1), seq=seq),
                    registered_unemployed_since=D(2023, 1, 1), village="红旗村",
                )
            )  # fmt: skip
    for n, person in enumerate(who):
        recognise(store, person.id)
        with on_day(D(2024, 10, 20 + n)), store.transaction() as session:
            household = households.create(session)
            households.add_person(session, household.id, person.id, "head")
        with on_day(DAY), store.transaction() as session:
            plans.open_plan(session, person.id, on=D(2024, 11, 1 + 3 * (3 - n)), worker="李娜")
    with on_day(DAY), store.reading() as session:
        rows = worklist.due_rows(session, DAY, window=worklist.Window.ALL)
        assert len(rows) == 4
        assert [r.due_on for r in rows] == sorted(r.due_on for r in rows)
        blob = worklist.due_ids(session, DAY, window=worklist.Window.ALL)
        assert [uuid.UUID(bytes=blob[i : i + 16]) for i in range(0, len(blob), 16)] == [
            r.person_id for r in rows
        ]
        listed = families.open_families(session, DAY)
        assert len(listed) == 4
        blob = families.episode_ids(session, families.episode_statement(DAY))
        assert [uuid.UUID(bytes=blob[i : i + 16]) for i in range(0, len(blob), 16)] == [
            r.episode_id for r in listed
        ]
