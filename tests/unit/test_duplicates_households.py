from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from caseworker.core.errors import DuplicateError, ValidationError
from caseworker.registry import households, persons
from tests.helpers import make_id, register


def test_same_id_number_is_refused_with_pointer(store: Any) -> None:
    first = register(store, "张三", make_id(), village="红旗村")
    with pytest.raises(DuplicateError, match="already registered: 张三") as info:
        register(store, "张三", make_id())
    assert info.value.existing_id == first.id
    assert "红旗村" in str(info.value)


def test_fifteen_digit_form_is_the_same_person(store: Any) -> None:
    number = make_id(birth=dt.date(1965, 3, 4), seq=456)
    register(store, "李四", number)
    fifteen = number[:6] + number[8:17]
    with pytest.raises(DuplicateError, match="李四"):
        register(store, "李四", fifteen)


def test_tombstone_still_blocks_the_number(store: Any) -> None:
    person = register(store, "王五", make_id(seq=777))
    with store.transaction() as session:
        persons.tombstone(session, person.id)
    with pytest.raises(DuplicateError, match="deleted record"):
        register(store, "王五", make_id(seq=777))


def test_same_name_and_birth_date_is_flagged(store: Any) -> None:
    register(store, "赵六", make_id(seq=101))
    with store.transaction() as session:
        data = persons.validate({"name": "赵六", "id_number": make_id("653101", seq=103)})
        result = persons.register(session, data)
        assert [p.name for p in result.possible_duplicates] == ["赵六"]


def test_field_errors_are_collected(store: Any) -> None:
    with pytest.raises(persons.FieldErrors) as info:
        persons.validate(
            {
                "name": "张3",
                "id_number": "650102199001011230",
                "phone": "123",
                "registered_unemployed_since": "2099-01-01",
                "village": "不存在村",
                "colour": "red",
            },
            villages={"红旗村": None},  # type: ignore[dict-item]
        )
    assert set(info.value.errors) == {
        "name",
        "id_number",
        "registered_unemployed_since",
        "village",
        "colour",
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": "12345"}, "phone"),
        (
            {"employed": "是", "registered_unemployed_since": "2024-01-01"},
            "registered_unemployed_since",
        ),
        ({"registered_unemployed_since": "2000-01-01"}, "registered_unemployed_since"),
        ({"min_living_allowance_since": "2024-01-01"}, "min_living_allowance_since"),
        ({"disability_grade": "二级"}, "disabled"),
        ({"retirement_base_age": "55"}, "retirement_base_age"),
        ({"bank_account": "62a8"}, "bank_account"),
        ({"employed": "maybe"}, "employed"),
        ({"education": "幼儿园"}, "education"),
    ],
)
def test_cross_field_rules(fields: dict[str, str], field: str) -> None:
    with pytest.raises(persons.FieldErrors) as info:
        persons.validate({"name": "张三", "id_number": make_id(), **fields})
    assert field in info.value.errors


def test_vocabulary_accepts_labels_and_codes() -> None:
    data = persons.validate(
        {"name": "张三", "id_number": make_id(), "ethnicity": "维吾尔", "education": "初中",
         "work_capacity": "partial", "employed": "否", "wants_work": "是"}
    )  # fmt: skip
    assert (data.ethnicity, data.education, data.work_capacity) == ("05", "junior_high", "partial")
    assert (data.employed, data.wants_work) == (False, True)


def test_household_membership(store: Any) -> None:
    head = register(store, "张三", make_id(seq=111))
    spouse = register(store, "李梅", make_id(seq=112), registered_unemployed_since="2024-01-01")
    with store.transaction() as session:
        household = households.create(session, address="友好路1号")
        households.add_person(session, household.id, head.id, "head")
        households.add_person(session, household.id, spouse.id, "spouse")
        relative = households.validate_relative(
            "张小明", "child", make_id(birth=dt.date(2010, 1, 1), seq=113)
        )
        households.add_relative(session, household.id, relative)
        hid = household.id
    with store.reading() as session:
        household = households.get(session, hid)
        assert [m.relation for m in household.members] == ["head", "spouse", "child"]
        facts = [households.member_facts(m, dt.date(2025, 1, 1)) for m in household.members]
        assert facts[1].registered_unemployed is True
        assert facts[2].birth_date == dt.date(2010, 1, 1)
    other = None
    with store.transaction() as session:
        other = households.create(session)
        with pytest.raises(ValidationError, match="already belongs"):
            households.add_person(session, other.id, spouse.id, "head")


def test_relative_with_registered_id_links_the_person(store: Any) -> None:
    person = register(store, "张三", make_id(seq=111))
    with store.transaction() as session:
        household = households.create(session)
        member = households.add_relative(
            session, household.id, households.validate_relative("张三", "head", make_id(seq=111))
        )
        assert member.person_id == person.id


def test_removed_member_can_join_another_household(store: Any) -> None:
    person = register(store, "张三", make_id(seq=111))
    with store.transaction() as session:
        first = households.create(session)
        member = households.add_person(session, first.id, person.id, "head")
        households.remove_member(session, member.id)
        second = households.create(session)
        households.add_person(session, second.id, person.id, "head")
        assert households.of_person(session, person.id).id == second.id


def test_household_facts_and_relations_can_change(store: Any) -> None:
    head = register(store, "张三", make_id(seq=111))
    other = register(store, "李梅", make_id(seq=112))
    with store.transaction() as session:
        household = households.create(session, address="友好路1号")
        households.add_person(session, household.id, head.id, "head")
        member = households.add_person(session, household.id, other.id, "other")
        households.update(
            session, household.id, business_or_investment_income=True, address=" 新址 "
        )
        households.set_relation(session, member.id, "spouse")
        with pytest.raises(ValidationError, match="already has a head"):
            households.set_relation(session, member.id, "head")
        with pytest.raises(ValidationError, match="not a relation"):
            households.set_relation(session, member.id, "cousin")
        hid = household.id
    with store.reading() as session:
        household = households.get(session, hid)
        assert household.business_or_investment_income is True
        assert household.address == "新址"
        assert [m.relation for m in household.members] == ["head", "spouse"]
