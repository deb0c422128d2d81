"""One-to-one assistance: plans, contacts, offers and refusals, outcomes, closing; the
worklist's date rules (table-driven) and the zero-employment family tracker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from caseworker.casework import families, plans, worklist
from caseworker.casework.vocab import EpisodeEnd
from caseworker.core.errors import UserError, ValidationError, WorkflowError
from caseworker.core.money import Money
from caseworker.recognition import service
from caseworker.registry import employment, households
from caseworker.store import audit
from caseworker.store.models import (
    AssistancePlan,
    ChangeLog,
    EmploymentEpisode,
    Person,
    Staff,
    ZeroEmploymentEpisode,
)
from tests.helpers import make_id, on_day, recognise, register

D = dt.date


BORN = D(1975, 4, 1)


def person(store: Any, seq: int = 131, birth: dt.date = BORN, **fields: object) -> Any:
    fields.setdefault("registered_unemployed_since", D(2023, 1, 1))
    fields.setdefault("village", "红旗村")
    with on_day(D(2024, 9, 1)):
        return register(
            store, f"张{'一二三四五六七八九'[seq % 9]}", make_id(birth=birth, seq=seq), **fields
        )


def recognised(store: Any, seq: int = 131, **fields: object) -> Any:
    found = person(store, seq, **fields)
    recognise(store, found.id)
    return found


def act(store: Any, day: dt.date, fn: Callable[[Any], Any], actor: str = "李娜") -> Any:
    with on_day(day), store.transaction(actor=actor) as session:
        return fn(session)


def open_plan(store: Any, who: Any, on: dt.date, worker: str = "李娜") -> Any:
    return act(store, on, lambda s: plans.open_plan(s, who.id, on=on, worker=worker))


def contact(store: Any, who: Any, on: dt.date, **kw: Any) -> Any:
    kw.setdefault("channel", "phone")
    return act(store, on, lambda s: plans.add_contact(s, who.id, on=on, **kw))


def due(store: Any, on: dt.date, window: str = worklist.Window.ALL) -> dict[str, Any]:
    with on_day(on), store.reading() as session:
        return {r.id_number: r for r in worklist.due_rows(session, on, window=window)}


# ---------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------


def test_a_plan_for_a_recognised_person_names_a_staff_member(store: Any) -> None:
    who = recognised(store)
    plan = open_plan(store, who, D(2024, 10, 15), worker="古丽")
    with store.reading() as session:
        stored = session.get(AssistancePlan, plan.id)
        assert stored is not None
        assert stored.basis == "recognised"
        assert stored.worker.name == "古丽"
        staff = session.scalars(select(Staff).where(Staff.name == "古丽")).one()
        log = session.scalars(select(ChangeLog).where(ChangeLog.entity_id == staff.id)).all()
        assert [r.op for r in log] == ["insert"]
        assert audit.verify(session).ok


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (D(2024, 10, 16), "in the future"),
        (D(2024, 10, 9), "neither recognised"),  # the day before recognition
    ],
)
def test_plan_refusals(store: Any, on: dt.date, message: str) -> None:
    who = recognised(store)
    with (
        pytest.raises(UserError, match=message),
        on_day(D(2024, 10, 15)),
        store.transaction() as session,
    ):
        plans.open_plan(session, who.id, on=on, worker="李娜")
    with store.reading() as session:
        assert session.scalars(select(AssistancePlan)).all() == []


def test_one_open_plan_per_person(store: Any) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    with pytest.raises(WorkflowError, match="already has an open assistance plan"):
        open_plan(store, who, D(2024, 10, 16))
    act(
        store,
        D(2024, 11, 1),
        lambda s: plans.close_plan(s, who.id, on=D(2024, 11, 1), reason="moved"),
    )
    open_plan(store, who, D(2024, 11, 2))


def test_a_member_of_a_zero_employment_family_may_have_a_plan(store: Any) -> None:
    who = person(store, registered_unemployed_since=None)
    with on_day(D(2024, 10, 1)), store.transaction() as session:
        household = households.create(session)
        households.add_person(session, household.id, who.id, "head")
    plan = open_plan(store, who, D(2024, 10, 2))
    assert plan.basis == "zero_employment_family"


# ---------------------------------------------------------------------------------------------
# Due dates (the worklist)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "contacts", "on", "due_on", "overdue", "reason"),
    [
        # no contact yet: 30 days after the opening, across the end of February
        (D(2025, 1, 31), [], D(2025, 3, 2), D(2025, 3, 2), 0, "first_contact"),
        (D(2025, 1, 31), [], D(2025, 3, 12), D(2025, 3, 2), 10, "first_contact"),
        # a leap year's February has 29 days
        (D(2024, 2, 15), [], D(2024, 3, 16), D(2024, 3, 16), 0, "first_contact"),
        # 30 days after the last contact, across a year end
        (D(2024, 12, 1), [(D(2024, 12, 31), None)], D(2025, 1, 30), D(2025, 1, 30), 0, "follow_up"),
        # the date the caseworker set wins, earlier or later than 30 days
        (
            D(2025, 1, 2),
            [(D(2025, 1, 10), D(2025, 1, 20))],
            D(2025, 1, 25),
            D(2025, 1, 20),
            5,
            "follow_up",
        ),
        (
            D(2025, 1, 2),
            [(D(2025, 1, 10), D(2025, 3, 31))],
            D(2025, 3, 31),
            D(2025, 3, 31),
            0,
            "follow_up",
        ),
        # a later contact without a date set falls back to 30 days
        (
            D(2025, 1, 2),
            [(D(2025, 1, 10), D(2025, 3, 31)), (D(2025, 1, 20), None)],
            D(2025, 2, 28),
            D(2025, 2, 19),
            9,
            "follow_up",
        ),
    ],
)
def test_due_dates(
    store: Any,
    opened: dt.date,
    contacts: list[tuple[dt.date, dt.date | None]],
    on: dt.date,
    due_on: dt.date,
    overdue: int,
    reason: str,
) -> None:
    who = recognised(store)
    with on_day(opened), store.transaction() as session:
        # backdate the recognition so that any opening date is allowed
        case = service.current_case(session, who.id)
        assert case is not None
        case.recognised_on = D(2024, 1, 1)
    open_plan(store, who, opened)
    for day, next_on in contacts:
        contact(store, who, day, next_on=next_on)
    row = due(store, on)[who.id_number]
    assert (row.due_on, row.days_overdue, row.reason) == (due_on, overdue, reason)
    assert row.to_json()["due_on"] == due_on.isoformat()
    listed = due(store, on, worklist.Window.DUE)
    assert who.id_number in listed
    not_yet = due(store, due_on - dt.timedelta(days=1), worklist.Window.DUE)
    assert who.id_number not in not_yet


def test_most_overdue_first_and_windows(store: Any) -> None:
    people = [recognised(store, seq) for seq in (131, 141, 151)]
    for who, opened in zip(people, (D(2024, 11, 1), D(2024, 10, 20), D(2024, 11, 20)), strict=True):
        open_plan(store, who, opened)
    on = D(2024, 12, 10)
    order = [r.id_number for r in due(store, on, worklist.Window.ALL).values()]
    assert order == [people[1].id_number, people[0].id_number, people[2].id_number]
    assert list(due(store, on, worklist.Window.OVERDUE)) == [
        people[1].id_number,
        people[0].id_number,
    ]
    assert list(due(store, D(2024, 12, 1), worklist.Window.TODAY)) == [people[0].id_number]
    week = due(store, D(2024, 12, 14), worklist.Window.WEEK)
    assert list(week) == [p.id_number for p in (people[1], people[0], people[2])]


@pytest.mark.parametrize(
    ("last_contact", "on", "due_on", "reason"),
    [
        # monthly while employed: 30 days after the last contact, before the follow-up ends
        (D(2025, 6, 5), D(2025, 7, 5), D(2025, 7, 5), "employed_follow_up"),
        # a contact that would fall on or after the end of the follow-up (2025-07-10) is not due
        (D(2025, 6, 10), D(2025, 7, 20), None, None),
        (D(2025, 6, 20), D(2025, 7, 20), None, None),
    ],
)
def test_employed_follow_up_for_six_months(
    store: Any, last_contact: dt.date, on: dt.date, due_on: dt.date | None, reason: str | None
) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 12, 1))
    act(
        store,
        D(2025, 1, 10),
        lambda s: plans.record_outcome(s, who.id, on=D(2025, 1, 10), evidence="contract"),
    )
    with store.reading() as session:
        plan = plans.open_plan_of(session, who.id)
        assert plan is not None
        assert plan.follow_up_until == D(2025, 7, 10)
    contact(store, who, last_contact)
    row = due(store, on).get(who.id_number)
    assert ((row.due_on, row.reason) if row is not None else (None, None)) == (due_on, reason)


def test_a_person_whose_job_ended_is_followed_up_again(store: Any) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 12, 1))
    act(
        store,
        D(2025, 1, 10),
        lambda s: plans.record_outcome(s, who.id, on=D(2025, 1, 10), evidence="flexible"),
    )
    contact(store, who, D(2025, 6, 20))
    assert who.id_number not in due(store, D(2025, 8, 1))
    act(store, D(2025, 8, 1), lambda s: employment.end(s, s.get(Person, who.id), D(2025, 8, 1)))
    row = due(store, D(2025, 8, 1))[who.id_number]
    assert (row.due_on, row.reason, row.days_overdue) == (D(2025, 7, 20), "follow_up", 12)


def test_outcome_date_six_months_on_clamps_to_the_month_end(store: Any) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    act(
        store,
        D(2024, 11, 1),
        lambda s: plans.record_outcome(s, who.id, on=D(2024, 10, 31), evidence="income"),
    )
    with store.reading() as session:
        plan = plans.open_plan_of(session, who.id)
        assert plan is not None
        assert plan.follow_up_until == D(2025, 4, 30)


# ---------------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------------


def test_contacts_are_corrected_by_a_new_entry(store: Any) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    first = contact(store, who, D(2024, 10, 20), services="job_referral,policy", note="电话联系")
    fixed = contact(
        store, who, D(2024, 10, 21), channel="visit", note="实为入户", supersedes=first.id
    )
    with store.reading() as session:
        plan = plans.open_plan_of(session, who.id)
        assert plan is not None
        listed = plans.contacts(session, plan.id)
        assert [(c.id, replaced) for c, replaced in listed] == [(fixed.id, False), (first.id, True)]
        assert listed[1][0].channel == "phone"  # the replaced entry stays as it was
        assert listed[1][0].services == "job_referral,policy"
        assert plan.last_contact_on == D(2024, 10, 21)
    with pytest.raises(WorkflowError, match="corrected already"):
        contact(store, who, D(2024, 10, 22), supersedes=first.id)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"on": D(2024, 10, 14)}, "before the plan opened"),
        ({"on": D(2024, 10, 31)}, "in the future"),
        ({"on": D(2024, 10, 20), "next_on": D(2024, 10, 20)}, "after this one"),
        ({"on": D(2024, 10, 20), "services": "cooking"}, "cooking is not one of"),
        ({"on": D(2024, 10, 20), "channel": "fax"}, "fax"),
    ],
)
def test_contact_refusals(store: Any, kw: dict[str, Any], message: str) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    kw.setdefault("channel", "phone")
    with pytest.raises((UserError, ValueError), match=message):
        act(store, D(2024, 10, 30), lambda s: plans.add_contact(s, who.id, **kw))


def test_a_contact_needs_an_open_plan(store: Any) -> None:
    who = recognised(store)
    with pytest.raises(WorkflowError, match="no open assistance plan"):
        contact(store, who, D(2024, 10, 20))


# ---------------------------------------------------------------------------------------------
# Offers and refusals
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "on", "listed"),
    [
        # three refusals within six months (both window ends counted)
        ([D(2025, 1, 1), D(2025, 3, 1), D(2025, 7, 1)], D(2025, 7, 1), True),
        # the first falls on the day before the window starts
        ([D(2024, 12, 31), D(2025, 3, 1), D(2025, 7, 1)], D(2025, 7, 1), False),
        # two refusals are not enough
        ([D(2025, 3, 1), D(2025, 7, 1)], D(2025, 7, 1), False),
        # a refusal after the day asked about does not count
        ([D(2025, 1, 1), D(2025, 3, 1), D(2025, 7, 2)], D(2025, 7, 1), False),
    ],
)
def test_refusal_window(store: Any, dates: list[dt.date], on: dt.date, listed: bool) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 12, 1))
    for day in dates:
        act(
            store,
            day,
            lambda s, day=day: plans.add_offer(
                s, who.id, on=day, kind="caring", post="保洁", answer="refused", reason="太远"
            ),
        )
    with on_day(D(2025, 7, 10)), store.reading() as session:
        found = worklist.refusal_list(session, on)
        assert [r.id_number for r in found] == ([who.id_number] if listed else [])
        if listed:
            assert found[0].to_json() == {
                "id_number": who.id_number,
                "refusals": 3,
                "window_start": "2025-01-01",
            }


def test_a_pending_offer_is_answered_later_and_the_change_is_logged(store: Any) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    offer = act(
        store,
        D(2024, 10, 20),
        lambda s: plans.add_offer(
            s,
            who.id,
            on=D(2024, 10, 20),
            kind="public_welfare",
            post="护林员",
            employer="红旗村委会",
        ),
    )
    with pytest.raises(ValidationError, match="before the offer"):
        act(
            store,
            D(2024, 10, 25),
            lambda s: plans.answer_offer(s, offer.id, answer="accepted", on=D(2024, 10, 19)),
        )
    act(
        store,
        D(2024, 10, 25),
        lambda s: plans.answer_offer(s, offer.id, answer="accepted", on=D(2024, 10, 24)),
    )
    with pytest.raises(WorkflowError, match="answered already"):
        act(
            store,
            D(2024, 10, 26),
            lambda s: plans.answer_offer(s, offer.id, answer="refused", on=D(2024, 10, 26)),
        )
    with store.reading() as session:
        fields = [
            (e.field, e.old_value, e.new_value)
            for e in audit.person_history(session, who.id)
            if e.entity == "assistance_offer" and e.op == "update"
        ]
        assert ("answer", "pending", "accepted") in fields


# ---------------------------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------------------------


def test_an_outcome_records_employment_through_the_registry(store: Any) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    act(
        store,
        D(2024, 11, 20),
        lambda s: plans.record_outcome(
            s, who.id, on=D(2024, 11, 18), evidence="contract", contract_months=24, note="劳动合同"
        ),
    )
    with on_day(D(2024, 11, 20)), store.reading() as session:
        stored = session.get(Person, who.id)
        assert stored is not None
        assert stored.employed
        assert stored.registered_unemployed_since is None
        episodes = employment.episodes(session, who.id)
        assert [(e.starts_on, e.kind, e.source) for e in episodes] == [
            (D(2024, 11, 18), "contract", "assistance")
        ]
        case = service.current_case(session, who.id)
        assert case is not None
        assert case.needs_review  # the re-assessment flags the recognised case
        assert audit.verify(session).ok


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"evidence": "contract", "contract_months": 11}, "shorter than 12 months"),
        ({"evidence": "flexible", "flexible_days": 179}, "fewer than 180 days"),
        ({"evidence": "income", "monthly_income": Money.of("1899.99")}, "below the minimum wage"),
        ({"evidence": "contract", "flexible_days": 200}, "another kind of evidence"),
        ({"evidence": "contract", "on": D(2024, 10, 14)}, "before the plan opened"),
        ({"evidence": "contract", "on": D(2024, 11, 21)}, "in the future"),
    ],
)
def test_outcome_refusals(store: Any, kw: dict[str, Any], message: str) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    kw.setdefault("on", D(2024, 11, 18))
    with pytest.raises(UserError, match=message):
        act(store, D(2024, 11, 20), lambda s: plans.record_outcome(s, who.id, **kw))
    with store.reading() as session:
        assert session.scalars(select(EmploymentEpisode)).all() == []


def test_an_outcome_for_a_person_already_employed_is_refused(store: Any) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    act(
        store,
        D(2024, 11, 20),
        lambda s: plans.record_outcome(s, who.id, on=D(2024, 11, 18), evidence="business_licence"),
    )
    with pytest.raises(ValidationError, match="already recorded as employed"):
        act(
            store,
            D(2024, 11, 25),
            lambda s: plans.record_outcome(s, who.id, on=D(2024, 11, 25), evidence="income"),
        )


def test_a_plan_closes_as_stable_after_six_months_of_work(store: Any) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    act(
        store,
        D(2024, 11, 20),
        lambda s: plans.record_outcome(s, who.id, on=D(2024, 11, 18), evidence="contract"),
    )
    with pytest.raises(WorkflowError, match="until 2025-05-18"):
        act(
            store,
            D(2025, 5, 17),
            lambda s: plans.close_plan(s, who.id, on=D(2025, 5, 17), reason="stable"),
        )
    plan = act(
        store,
        D(2025, 5, 18),
        lambda s: plans.close_plan(s, who.id, on=D(2025, 5, 18), reason="stable"),
    )
    assert (plan.closed_on, plan.close_reason) == (D(2025, 5, 18), "stable")
    assert who.id_number not in due(store, D(2025, 6, 30))


def test_stable_needs_an_outcome(store: Any) -> None:
    who = recognised(store)
    open_plan(store, who, D(2024, 10, 15))
    with pytest.raises(WorkflowError, match="no employment outcome"):
        act(
            store,
            D(2024, 10, 20),
            lambda s: plans.close_plan(s, who.id, on=D(2024, 10, 20), reason="stable"),
        )


# ---------------------------------------------------------------------------------------------
# Zero-employment families
# ---------------------------------------------------------------------------------------------

FORMED = D(2024, 10, 1)


def family(store: Any, *members: tuple[Any, str], on: dt.date = FORMED) -> Any:
    with on_day(on), store.transaction() as session:
        household = households.create(session)
        for who, relation in members:
            households.add_person(session, household.id, who.id, relation)
        return household


def refresh(store: Any, on: dt.date) -> families.RefreshResult:
    return act(store, on, lambda s: families.refresh(s, on))


def episodes(store: Any) -> list[tuple[dt.date, dt.date | None, str | None]]:
    with store.reading() as session:
        rows = session.scalars(
            select(ZeroEmploymentEpisode).order_by(ZeroEmploymentEpisode.identified_on)
        ).all()
        return [(e.identified_on, e.ended_on, e.end_reason) for e in rows]


def test_a_family_is_identified_cleared_by_the_first_member_employed_and_reopened(
    store: Any,
) -> None:
    head = recognised(store, 131)
    spouse = person(store, 142, birth=D(1978, 6, 1), registered_unemployed_since=None)
    family(store, (head, "head"), (spouse, "spouse"), on=D(2024, 10, 12))
    assert refresh(store, D(2024, 10, 12)).opened == []  # identified when the family formed
    with on_day(D(2024, 11, 20)), store.reading() as session:
        rows = families.open_families(session, D(2024, 11, 20))
        assert [r.to_json() for r in rows] == [
            {
                "household": rows[0].to_json()["household"],
                "head_id_number": head.id_number,
                "members_of_working_age": 2,
                "identified_on": "2024-10-12",
                "deadline": "2024-11-11",
                "days_open": 39,
                "overdue": True,
            }
        ]
    open_plan(store, head, D(2024, 10, 15))
    # the spouse finds work on 11-18 (recorded on 11-20); the head's outcome on 11-19
    act(
        store,
        D(2024, 11, 20),
        lambda s: employment.start(s, s.get(Person, spouse.id), D(2024, 11, 18), "contract"),
    )
    act(
        store,
        D(2024, 11, 20),
        lambda s: plans.record_outcome(s, head.id, on=D(2024, 11, 19), evidence="contract"),
    )
    assert episodes(store) == [(D(2024, 10, 12), D(2024, 11, 18), EpisodeEnd.EMPLOYED)]
    # both lose their jobs: the family falls back and a new episode opens
    act(store, D(2025, 2, 1), lambda s: employment.end(s, s.get(Person, spouse.id), D(2025, 2, 1)))
    act(store, D(2025, 2, 1), lambda s: employment.end(s, s.get(Person, head.id), D(2025, 2, 1)))
    # the registry's change is followed at once: identified on the day the jobs ended
    assert episodes(store)[-1] == (D(2025, 2, 1), None, None)
    assert refresh(store, D(2025, 2, 3)).opened == []
    with on_day(D(2025, 2, 3)), store.reading() as session:
        everything = families.open_families(session, D(2025, 2, 3), include_ended=True)
        assert [r.cleared_on for r in everything] == [None, D(2024, 11, 18)]
        assert everything[1].to_json()["cleared_on"] == "2024-11-18"
        assert everything[1].days_open == 37
        assert everything[1].overdue  # cleared after its deadline (2024-11-11)


@pytest.mark.parametrize(
    ("fields", "zero"),
    [
        ({}, True),
        ({"work_capacity": "partial"}, True),
        ({"work_capacity": "none"}, False),
        ({"wants_work": False}, False),
    ],
)
def test_the_tracker_reads_capacity_and_wish(
    store: Any, fields: dict[str, Any], zero: bool
) -> None:
    who = person(store, registered_unemployed_since=None, **fields)
    family(store, (who, "head"))
    assert episodes(store) == ([(FORMED, None, None)] if zero else [])


def test_a_member_turning_16_makes_a_zero_employment_family(store: Any) -> None:
    young = person(store, 131, birth=D(2008, 10, 5), registered_unemployed_since=None)
    family(store, (young, "head"), on=D(2024, 10, 3))
    assert refresh(store, D(2024, 10, 4)).opened == []
    assert len(refresh(store, D(2024, 10, 5)).opened) == 1


def test_business_income_ends_the_episode_without_clearing_it(store: Any) -> None:
    who = person(store, registered_unemployed_since=None)
    household = family(store, (who, "head"))
    refresh(store, D(2024, 10, 1))
    act(
        store,
        D(2024, 10, 9),
        lambda s: households.update(s, household.id, business_or_investment_income=True),
    )
    assert episodes(store) == [(D(2024, 10, 1), D(2024, 10, 9), EpisodeEnd.NO_LONGER)]
    with on_day(D(2024, 10, 10)), store.reading() as session:
        assert families.open_families(session, D(2024, 10, 10)) == []
        # on a past date the episode was open
        assert len(families.open_families(session, D(2024, 10, 5))) == 1


# ---------------------------------------------------------------------------------------------
# The dashboard
# ---------------------------------------------------------------------------------------------


def test_dashboard_figures(store: Any) -> None:
    from caseworker.casework import dashboard

    zhang = recognised(store, 131)
    li = recognised(store, 141)
    guli = person(store, 152, birth=D(1980, 6, 1), registered_unemployed_since=None)
    family(store, (guli, "head"), on=D(2024, 12, 1))
    open_plan(store, zhang, D(2024, 10, 15))
    open_plan(store, li, D(2024, 11, 25))
    first = contact(store, zhang, D(2024, 11, 2))
    contact(store, zhang, D(2024, 11, 2), channel="visit", supersedes=first.id)
    contact(store, zhang, D(2024, 12, 3))
    act(
        store,
        D(2024, 12, 5),
        lambda s: plans.add_offer(
            s, zhang.id, on=D(2024, 12, 5), kind="caring", post="保洁", answer="refused"
        ),
    )
    act(
        store,
        D(2024, 12, 6),
        lambda s: plans.add_offer(s, li.id, on=D(2024, 12, 6), kind="market", post="司机"),
    )
    act(
        store,
        D(2024, 12, 10),
        lambda s: plans.record_outcome(s, li.id, on=D(2024, 12, 10), evidence="business_licence"),
    )
    on = D(2024, 12, 25)
    with on_day(on), store.reading() as session:
        f = dashboard.figures(session, on)
    assert f.recognised == 2
    assert dict(f.by_category)["long_term_unemployed_1y"] == 2
    assert f.open_plans == 2
    # 张三 is due on 2025-01-02; 李四 (employed, follow-up) on 2024-12-25: due today
    assert (f.due_today, f.overdue) == (1, 0)
    assert f.offers == {"accepted": 0, "refused": 1, "pending": 1}
    assert (f.employed_month, f.employed_year) == (1, 1)
    assert (f.zero_open, f.zero_overdue, f.zero_cleared_year) == (1, 0, 0)
    months = dict(f.contacts_by_month)
    assert months[D(2024, 11, 1)] == 1  # the replaced contact is not counted
    assert months[D(2024, 12, 1)] == 1
    assert dict(f.outcomes_by_month)[D(2024, 12, 1)] == 1
    with on_day(D(2025, 1, 5)), store.reading() as session:
        later = dashboard.figures(session, D(2025, 1, 5))
    assert (later.zero_open, later.zero_overdue) == (1, 1)
    assert later.overdue == 2  # 张三 (due 2025-01-02) and 李四 (2024-12-25)


def test_a_change_of_a_member_is_followed_and_a_note_is_not(store: Any) -> None:
    from caseworker.registry import persons

    who = person(store, registered_unemployed_since=None)
    family(store, (who, "head"))
    assert episodes(store) == [(FORMED, None, None)]
    act(store, D(2024, 10, 3), lambda s: persons.change(s, who.id, notes="来站咨询"))
    assert episodes(store) == [(FORMED, None, None)]
    act(store, D(2024, 10, 4), lambda s: persons.change(s, who.id, wants_work=False))
    assert episodes(store) == [(FORMED, D(2024, 10, 4), EpisodeEnd.NO_LONGER)]
