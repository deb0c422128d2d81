"""Policy facts built from the registry: household members, relations, omitted relatives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseworker.policy.categories import Category
from caseworker.policy.facts import Relation
from caseworker.recognition import service
from caseworker.recognition.workflow import (
    CommunityReview,
    Recognise,
    StartPublicNotice,
    TownshipReview,
)
from caseworker.registry import households, persons
from caseworker.store.models import Person
from tests.helpers import make_id, on_day, provide_all_proofs, register

D = dt.date
ON = D(2024, 10, 1)


def household_of(store: Any, *members: tuple[Any, str]) -> Any:
    with store.transaction() as session:
        household = households.create(session)
        for person, relation in members:
            households.add_person(session, household.id, person.id, relation)
        return household.id


def add_relative(store: Any, household_id: Any, name: str, relation: str, **kw: Any) -> None:
    with store.transaction() as session:
        data = households.validate_relative(name, relation, **kw)
        households.add_relative(session, household_id, data)


def facts(store: Any, person: Any) -> Any:
    with store.reading() as session:
        stored = session.get(Person, person.id)
        assert stored is not None
        return service.facts_for(session, stored, ON)


def test_registered_spouse_registered_unemployed_makes_a_dual_unemployed_couple(
    store: Any,
) -> None:
    husband = register(
        store,
        "买买提",
        make_id(birth=D(1985, 5, 1), seq=131),
        registered_unemployed_since=D(2024, 3, 1),
    )
    wife = register(
        store,
        "古丽",
        make_id(birth=D(1987, 6, 1), seq=142),
        registered_unemployed_since=D(2024, 4, 1),
    )
    household_of(store, (husband, "head"), (wife, "spouse"))
    f = facts(store, husband)
    assert f.household is not None
    assert [(m.relation, m.id_number.value) for m in f.household.members] == [
        (Relation.SPOUSE, wife.id_number)
    ]
    assert f.household.members[0].registered_unemployed
    with store.reading() as session:
        for who in (husband, wife):  # the spouse sees the head as her spouse too
            decision = service.assess_person(session, who.id, ON)
            assert Category.DUAL_UNEMPLOYED_COUPLE in decision.categories
            assert decision.eligible


def test_spouse_not_yet_registered_on_the_date_is_no_couple(store: Any) -> None:
    husband = register(
        store, "买买提", make_id(birth=D(1985, 5, 1), seq=131),
        registered_unemployed_since=D(2024, 3, 1),
    )  # fmt: skip
    wife = register(
        store, "古丽", make_id(birth=D(1987, 6, 1), seq=142),
        registered_unemployed_since=D(2024, 10, 2),
    )  # fmt: skip
    household_of(store, (husband, "head"), (wife, "spouse"))
    with store.reading() as session:
        decision = service.assess_person(session, husband.id, ON)
    assert Category.DUAL_UNEMPLOYED_COUPLE not in decision.categories


def test_zero_employment_family(store: Any) -> None:
    head = register(
        store, "李强", make_id(birth=D(1980, 2, 2), seq=131),
        registered_unemployed_since=D(2024, 1, 1),
    )  # fmt: skip
    household_id = household_of(store, (head, "head"))
    add_relative(
        store, household_id, "王丽", "spouse", id_number=make_id(birth=D(1982, 3, 3), seq=142)
    )
    # A child of 10 and an employed grandfather past retirement do not count.
    add_relative(
        store, household_id, "李小明", "child", id_number=make_id(birth=D(2014, 1, 1), seq=151)
    )
    add_relative(
        store, household_id, "李老汉", "parent",
        id_number=make_id(birth=D(1950, 1, 1), seq=171), employed=True,
    )  # fmt: skip
    with store.reading() as session:
        decision = service.assess_person(session, head.id, ON)
    assert Category.ZERO_EMPLOYMENT_FAMILY in decision.categories
    relations = [m.relation for m in facts(store, head).household.members]
    assert relations == [Relation.SPOUSE, Relation.CHILD, Relation.PARENT]

    add_relative(
        store, household_id, "李大明", "child",
        id_number=make_id(birth=D(2000, 1, 1), seq=191), employed=True,
    )  # fmt: skip
    with store.reading() as session:
        decision = service.assess_person(session, head.id, ON)
    assert Category.ZERO_EMPLOYMENT_FAMILY not in decision.categories
    assert any("household member (child)" in r for r in decision.reasons)


def test_business_income_and_no_household(store: Any) -> None:
    alone = register(
        store, "李强", make_id(birth=D(1980, 2, 2), seq=131),
        registered_unemployed_since=D(2024, 1, 1),
    )  # fmt: skip
    assert facts(store, alone).household is None
    with store.reading() as session:
        decision = service.assess_person(session, alone.id, ON)
    assert Category.ZERO_EMPLOYMENT_FAMILY not in decision.categories
    with store.transaction() as session:
        household = households.create(session, business_or_investment_income=True)
        households.add_person(session, household.id, alone.id, "head")
    f = facts(store, alone)
    assert f.household is not None
    assert f.household.business_or_investment_income
    assert f.household.members == ()


def test_relative_without_id_number_is_left_out_and_named(store: Any) -> None:
    head = register(
        store, "李强", make_id(birth=D(1980, 2, 2), seq=131),
        registered_unemployed_since=D(2024, 1, 1),
    )  # fmt: skip
    household_id = household_of(store, (head, "head"))
    add_relative(store, household_id, "王丽", "spouse", employed=True)
    f = facts(store, head)
    assert f.household is not None
    assert f.household.members == ()
    with store.reading() as session:
        stored = session.get(Person, head.id)
        assert stored is not None
        assert service.omitted_members(session, stored, ON) == ["王丽"]
        decision = service.assess_person(session, head.id, ON)
    assert "王丽" in decision.reasons[-1]
    assert "ID number" in decision.reasons[-1]


def test_deleted_member_record_is_left_out(store: Any) -> None:
    head = register(
        store, "李强", make_id(birth=D(1980, 2, 2), seq=131),
        registered_unemployed_since=D(2024, 1, 1),
    )  # fmt: skip
    son = register(store, "李大明", make_id(birth=D(2000, 1, 1), seq=191), employed=True)
    household_of(store, (head, "head"), (son, "child"))
    assert len(facts(store, head).household.members) == 1
    with store.transaction() as session:
        persons.tombstone(session, son.id)
    assert facts(store, head).household.members == ()


@pytest.mark.parametrize(
    ("own", "member", "expected"),
    [
        ("head", "spouse", Relation.SPOUSE),
        ("head", "child", Relation.CHILD),
        ("head", "parent", Relation.PARENT),
        ("head", "other", Relation.OTHER),
        ("spouse", "head", Relation.SPOUSE),
        ("spouse", "child", Relation.CHILD),
        ("spouse", "parent", Relation.OTHER),
        ("child", "head", Relation.PARENT),
        ("child", "spouse", Relation.PARENT),
        ("child", "child", Relation.OTHER),
        ("parent", "head", Relation.CHILD),
        ("parent", "parent", Relation.OTHER),
        ("other", "head", Relation.OTHER),
        (None, "spouse", Relation.OTHER),
    ],
)
def test_relation_to_person(own: str | None, member: str, expected: Relation) -> None:
    assert service.relation_to_person(own, member) is expected


def test_reassess_person_looks_at_the_household(store: Any) -> None:
    """The wife finds work: the husband, recognised as half of an unemployed couple, is flagged."""
    husband = register(
        store, "买买提", make_id(birth=D(1985, 5, 1), seq=131),
        registered_unemployed_since=D(2024, 3, 1),
    )  # fmt: skip
    wife = register(
        store, "古丽", make_id(birth=D(1987, 6, 1), seq=142),
        registered_unemployed_since=D(2024, 4, 1),
    )  # fmt: skip
    household_of(store, (husband, "head"), (wife, "spouse"))
    with store.transaction() as session:
        case = service.open_application(
            session, husband.id, D(2024, 9, 2), ["dual_unemployed_couple"]
        )
        provide_all_proofs(session, case.id)
        for step in (
            CommunityReview(on=D(2024, 9, 5), passed=True),
            TownshipReview(on=D(2024, 9, 10), passed=True),
            StartPublicNotice(start=D(2024, 9, 27)),
            Recognise(on=D(2024, 10, 10)),
        ):
            service.advance(session, case.id, step)
    with store.transaction() as session, on_day(D(2024, 10, 20)):
        persons.change(session, wife.id, employed=True, registered_unemployed_since=None)
        looked_at = service.reassess_person(session, wife.id, D(2024, 11, 1))
        assert [c.id for c in looked_at] == [case.id]
        assert looked_at[0].needs_review
        text = service.review_reason_text(
            looked_at[0].review_reason, looked_at[0].review_flagged_on
        )
        assert "no category of clause (八) applies" in text
