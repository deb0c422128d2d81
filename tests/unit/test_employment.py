"""Employment with dates: episodes, the derived "employed", and the assessment of a past date
using the facts of that date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseworker.core.errors import ValidationError
from caseworker.recognition import service
from caseworker.registry import employment, persons
from caseworker.store.models import Person
from tests.helpers import make_id, on_day, register

D = dt.date


def _person(store: Any) -> Any:
    with on_day(D(2024, 1, 10)):
        return register(
            store, "张三", make_id(birth=D(1968, 3, 1), seq=131),
            registered_unemployed_since=D(2023, 1, 1),
        )  # fmt: skip


def test_the_assessment_of_a_past_date_uses_the_facts_of_that_date(store: Any) -> None:
    person = _person(store)
    with store.transaction() as session, on_day(D(2025, 3, 1)):
        found = session.get(Person, person.id)
        assert found is not None
        employment.start(session, found, D(2025, 2, 1), employment.Kind.CONTRACT, evidence="合同")
        found.registered_unemployed_since = None
    with store.reading() as session, on_day(D(2025, 3, 1)):
        stored = session.get(Person, person.id)
        assert stored is not None
        assert stored.employed
        before = service.assess_person(session, person.id, D(2025, 1, 15))
        after = service.assess_person(session, person.id, D(2025, 2, 15))
        assert before.conditions.not_employed
        assert not after.conditions.not_employed


@pytest.mark.parametrize(
    ("today", "start", "message"),
    [
        (D(2025, 3, 1), D(2025, 3, 2), "in the future"),
        (D(2025, 3, 1), D(1960, 1, 1), "before the birth date"),
    ],
)
def test_bad_start_dates_are_refused(
    store: Any, today: dt.date, start: dt.date, message: str
) -> None:
    person = _person(store)
    with store.transaction() as session, on_day(today):
        found = session.get(Person, person.id)
        assert found is not None
        with pytest.raises(ValidationError, match=message):
            employment.start(session, found, start)


def test_episodes_do_not_overlap_and_end_the_day_before(store: Any) -> None:
    person = _person(store)
    with store.transaction() as session, on_day(D(2025, 6, 30)):
        found = session.get(Person, person.id)
        assert found is not None
        employment.start(session, found, D(2025, 1, 1))
        with pytest.raises(ValidationError, match="already recorded as employed"):
            employment.start(session, found, D(2025, 3, 1))
        ended = employment.end(session, found, D(2025, 6, 1))
        assert ended is not None
        assert ended.ends_on == D(2025, 5, 31)
        assert not found.employed
        with pytest.raises(ValidationError, match="already recorded as employed"):
            employment.start(session, found, D(2025, 5, 31))
        employment.start(session, found, D(2025, 6, 15), employment.Kind.FLEXIBLE)
        assert found.employed
    with store.reading() as session:
        assert employment.employed_on(session, person.id, D(2025, 5, 31))
        assert not employment.employed_on(session, person.id, D(2025, 6, 1))
        assert not employment.employed_on(session, person.id, D(2025, 6, 14))
        assert employment.employed_on(session, person.id, D(2025, 6, 15))
        assert employment.employed_on_many(session, [person.id], D(2025, 6, 5)) == set()


def test_the_form_tick_starts_and_ends_an_episode(store: Any) -> None:
    person = _person(store)
    with store.transaction() as session, on_day(D(2025, 4, 1)):
        persons.change(session, person.id, employed=True, registered_unemployed_since=None)
    with store.transaction() as session, on_day(D(2025, 5, 1)):
        persons.change(session, person.id, employed=False)
    with store.reading() as session:
        episodes = employment.episodes(session, person.id)
        assert [(e.starts_on, e.ends_on, e.kind) for e in episodes] == [
            (D(2025, 4, 1), D(2025, 4, 30), "unspecified")
        ]
    # ticked and unticked on one day: a mistake, not an episode
    with store.transaction() as session, on_day(D(2025, 6, 2)):
        persons.change(session, person.id, employed=True)
    with store.transaction() as session, on_day(D(2025, 6, 2)):
        persons.change(session, person.id, employed=False)
    with store.reading() as session:
        assert len(employment.episodes(session, person.id)) == 1
        stored = session.get(Person, person.id)
        assert stored is not None
        assert not stored.employed


def test_an_episode_is_logged_with_its_person(store: Any) -> None:
    """The insert row of an episode carries the person's id and the demo mark (it used to log
    them empty, as the relationship filled them only during the flush): verify stays clean."""
    from caseworker.store import audit

    with on_day(D(2024, 1, 10)):
        employed = register(store, "李四", make_id(birth=D(1980, 1, 1), seq=151), employed=True)
    person = _person(store)
    with store.transaction() as session, on_day(D(2025, 3, 1)):
        found = session.get(Person, person.id)
        assert found is not None
        employment.start(session, found, D(2025, 2, 1), employment.Kind.CONTRACT)
    with store.reading() as session:
        report = audit.verify(session)
        assert report.ok, report.problems
        assert {e.person_id for e in employment.episodes(session, employed.id)} == {employed.id}
