"""The assessment engine: general conditions, every category, households, reasons."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from caseworker.core.errors import ValidationError
from caseworker.core.idcard import check_char, parse
from caseworker.policy import (
    Category,
    Facts,
    Household,
    Member,
    Relation,
    WorkCapacity,
    assess,
    assess_with_pack,
    default_library,
)

D = dt.date
ON = D(2024, 6, 1)
C = Category


def make_id(birth: dt.date, *, male: bool = True, division: str = "650102") -> str:
    first17 = division + birth.strftime("%Y%m%d") + ("013" if male else "024")
    return first17 + check_char(first17)


BORN_1990 = D(1990, 1, 1)


def facts(birth: dt.date = BORN_1990, *, male: bool = True, **kwargs: Any) -> Facts:
    return Facts(id_number=parse(make_id(birth, male=male)), **kwargs)


def member(
    relation: str = "spouse", birth: dt.date = BORN_1990, *, male: bool = False, **kw: Any
) -> Member:
    return Member(relation=Relation(relation), id_number=parse(make_id(birth, male=male)), **kw)


PACK = default_library().get("xj-2023-49")
UNEMPLOYED_LONG: dict[str, Any] = {"registered_unemployed_since": D(2023, 1, 1)}


# -- general conditions -----------------------------------------------------------------------


def test_eligible_long_term_unemployed() -> None:
    decision = assess(facts(**UNEMPLOYED_LONG), ON)
    assert decision.eligible
    assert decision.categories == (C.LONG_TERM_UNEMPLOYED_1Y,)
    assert decision.policy_id == "xj-2023-49"
    assert decision.as_of == ON
    assert decision.age == 34
    assert decision.conditions.all_hold()
    assert decision.reasons[0].startswith("Eligible")
    assert any("新政办发〔2023〕49号, clause (8)" in r for r in decision.reasons)


@pytest.mark.parametrize(
    ("changes", "condition"),
    [
        ({"resident_in_region": False}, "in_region"),
        ({"work_capacity": WorkCapacity.NONE}, "work_capacity"),
        ({"wants_work": False}, "wants_work"),
        ({"employed": True}, "not_employed"),
    ],
)
def test_each_general_condition(changes: dict[str, Any], condition: str) -> None:
    decision = assess(facts(**UNEMPLOYED_LONG, **changes), ON)
    conditions = dataclasses.asdict(decision.conditions)
    assert conditions.pop(condition) is False
    assert all(conditions.values())
    assert not decision.eligible
    # the category still shows although a general condition fails
    assert decision.categories == (C.LONG_TERM_UNEMPLOYED_1Y,)
    assert "general condition" in decision.reasons[0]
    assert len(decision.reasons) == 3


def test_partial_capacity_is_able_to_work() -> None:
    assert assess(facts(work_capacity=WorkCapacity.PARTIAL, **UNEMPLOYED_LONG), ON).eligible


@pytest.mark.parametrize(
    ("birth", "male", "on", "working_age"),
    [
        (D(2008, 6, 1), True, D(2024, 5, 31), False),  # the day before the 16th birthday
        (D(2008, 6, 1), True, D(2024, 6, 1), True),  # the 16th birthday
        (D(2008, 2, 29), True, D(2024, 2, 28), False),
        (D(2008, 2, 29), True, D(2024, 2, 29), True),
        (D(2007, 2, 28), True, D(2023, 2, 28), True),
        (D(1965, 1, 10), True, D(2025, 2, 9), True),  # the day before retirement (60 + 1 month)
        (D(1965, 1, 10), True, D(2025, 2, 10), False),  # the retirement date
        (D(1964, 12, 15), True, D(2024, 12, 14), True),
        (D(1964, 12, 15), True, D(2024, 12, 15), False),
        (D(1975, 1, 1), False, D(2025, 1, 31), True),  # woman, base 50, one month of delay
        (D(1975, 1, 1), False, D(2025, 2, 1), False),
    ],
)
def test_working_age(birth: dt.date, male: bool, on: dt.date, working_age: bool) -> None:
    decision = assess(facts(birth, male=male), on, pack=PACK)
    assert decision.conditions.working_age is working_age


def test_woman_with_base_55_keeps_working_age_longer() -> None:
    birth = D(1972, 3, 10)
    assert not assess(facts(birth, male=False), ON).conditions.working_age
    decision = assess(facts(birth, male=False, retirement_base_age=55), ON)
    assert decision.conditions.working_age
    assert decision.retirement_date == D(2027, 10, 10)  # 55 + 7 months


def test_man_with_base_55_is_refused() -> None:
    with pytest.raises(ValidationError, match="retirement base age"):
        assess(facts(retirement_base_age=55), ON)


def test_retired_person_reason_names_the_date() -> None:
    decision = assess(facts(D(1960, 1, 1), **UNEMPLOYED_LONG), ON)
    assert not decision.conditions.working_age
    assert any("2020-01-01" in r and "retirement" in r for r in decision.reasons)


def test_too_young_reason() -> None:
    decision = assess(facts(D(2010, 1, 1)), ON)
    assert any("under the minimum working age of 16" in r for r in decision.reasons)


# -- registered unemployment and durations ------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "on", "six", "twelve"),
    [
        (D(2022, 8, 31), D(2023, 2, 27), False, False),
        (D(2022, 8, 31), D(2023, 2, 28), True, False),  # 2022-08-31 + 6 months = 2023-02-28
        (D(2023, 8, 31), D(2024, 2, 28), False, False),
        (D(2023, 8, 31), D(2024, 2, 29), True, False),  # leap year
        (D(2023, 1, 15), D(2024, 1, 14), True, False),
        (D(2023, 1, 15), D(2024, 1, 15), True, True),
        (D(2024, 2, 29), D(2025, 2, 28), True, True),
        (D(2024, 7, 1), D(2024, 6, 1), False, False),  # registered after the date
    ],
)
def test_durations(since: dt.date, on: dt.date, six: bool, twelve: bool) -> None:
    f = facts(
        registered_unemployed_since=since,
        min_living_allowance=True,
        disabled=True,
        work_capacity=WorkCapacity.PARTIAL,
        college_graduate=True,
    )
    cats = assess(f, on, pack=PACK).categories
    assert (C.MIN_LIVING_ALLOWANCE_6M in cats) is six
    assert (C.DISABLED_PARTIAL_CAPACITY_6M in cats) is six
    assert (C.LONG_TERM_UNEMPLOYED_1Y in cats) is twelve
    assert (C.GRADUATE_UNEMPLOYED_1Y in cats) is twelve


def test_registered_after_the_date_is_not_registered() -> None:
    decision = assess(facts(D(1970, 1, 1), registered_unemployed_since=D(2024, 7, 1)), ON)
    assert C.OLDER_WORKER not in decision.categories
    assert any("only from 2024-07-01" in r for r in decision.reasons)


def test_too_short_reason_gives_the_day_it_is_reached() -> None:
    decision = assess(facts(registered_unemployed_since=D(2023, 12, 31)), ON)
    assert any("reached only on 2024-12-31" in r for r in decision.reasons)


# -- each category, true and false --------------------------------------------------------------

R6: dict[str, Any] = {"registered_unemployed_since": D(2023, 11, 1)}  # 7 months on ON
R1: dict[str, Any] = {"registered_unemployed_since": D(2024, 5, 1)}  # 1 month on ON


@pytest.mark.parametrize(
    ("kwargs", "category", "expected"),
    [
        ({"min_living_allowance": True, **R6}, C.MIN_LIVING_ALLOWANCE_6M, True),
        ({"min_living_allowance": False, **R6}, C.MIN_LIVING_ALLOWANCE_6M, False),
        ({"min_living_allowance": True, **R1}, C.MIN_LIVING_ALLOWANCE_6M, False),
        ({"min_living_allowance": True}, C.MIN_LIVING_ALLOWANCE_6M, False),
        (
            {"disabled": True, "work_capacity": WorkCapacity.PARTIAL, **R6},
            C.DISABLED_PARTIAL_CAPACITY_6M,
            True,
        ),
        (
            {"disabled": True, "work_capacity": WorkCapacity.FULL, **R6},
            C.DISABLED_PARTIAL_CAPACITY_6M,
            False,
        ),
        (
            {"disabled": True, "work_capacity": WorkCapacity.NONE, **R6},
            C.DISABLED_PARTIAL_CAPACITY_6M,
            False,
        ),
        (
            {"disabled": False, "work_capacity": WorkCapacity.PARTIAL, **R6},
            C.DISABLED_PARTIAL_CAPACITY_6M,
            False,
        ),
        (
            {"disabled": True, "work_capacity": WorkCapacity.PARTIAL, **R1},
            C.DISABLED_PARTIAL_CAPACITY_6M,
            False,
        ),
        ({"college_graduate": True, **UNEMPLOYED_LONG}, C.GRADUATE_UNEMPLOYED_1Y, True),
        ({"college_graduate": False, **UNEMPLOYED_LONG}, C.GRADUATE_UNEMPLOYED_1Y, False),
        ({"college_graduate": True, **R6}, C.GRADUATE_UNEMPLOYED_1Y, False),
        ({**UNEMPLOYED_LONG}, C.LONG_TERM_UNEMPLOYED_1Y, True),
        ({**R6}, C.LONG_TERM_UNEMPLOYED_1Y, False),
        ({}, C.LONG_TERM_UNEMPLOYED_1Y, False),
        (
            {"land_expropriated": True, "income_below_local_average": True},
            C.LAND_EXPROPRIATED_FARMER,
            True,
        ),
        (
            {"land_expropriated": True, "income_below_local_average": False},
            C.LAND_EXPROPRIATED_FARMER,
            False,
        ),
        (
            {"land_expropriated": False, "income_below_local_average": True},
            C.LAND_EXPROPRIATED_FARMER,
            False,
        ),
    ],
)
def test_category(kwargs: dict[str, Any], category: Category, expected: bool) -> None:
    decision = assess(facts(**kwargs), ON)
    assert (category in decision.categories) is expected
    result = next(r for r in decision.category_results if r.category is category)
    assert result.matched is expected
    if expected:
        assert "新政办发〔2023〕49号, clause (8)" in result.reason


def test_land_expropriated_farmer_needs_no_registration() -> None:
    decision = assess(facts(land_expropriated=True, income_below_local_average=True), ON)
    assert decision.eligible
    assert decision.categories == (C.LAND_EXPROPRIATED_FARMER,)


@pytest.mark.parametrize(
    ("birth", "male", "expected"),
    [
        (D(1979, 6, 2), False, False),  # 44 the day before her 45th birthday
        (D(1979, 6, 1), False, True),  # 45 on the date
        (D(1969, 6, 2), True, False),  # 54
        (D(1969, 6, 1), True, True),  # 55 on the date
        (D(1969, 6, 1), False, True),  # a woman of 55 (base 55 keeps her in working age)
        (D(1990, 1, 1), False, False),
    ],
)
def test_older_worker(birth: dt.date, male: bool, expected: bool) -> None:
    f = facts(birth, male=male, retirement_base_age=None if male else 55, **R1)
    assert (C.OLDER_WORKER in assess(f, ON).categories) is expected


def test_older_worker_needs_registration() -> None:
    assert C.OLDER_WORKER not in assess(facts(D(1969, 1, 1)), ON).categories


def test_older_worker_born_on_29_february() -> None:
    f = facts(D(1980, 2, 29), male=False, **R1)  # 45th birthday in a common year
    assert C.OLDER_WORKER not in assess(f, D(2025, 2, 28)).categories
    assert C.OLDER_WORKER in assess(f, D(2025, 3, 1)).categories


def test_categories_keep_the_order_of_clause_eight() -> None:
    f = facts(
        D(1969, 1, 1),
        min_living_allowance=True,
        disabled=True,
        work_capacity=WorkCapacity.PARTIAL,
        college_graduate=True,
        land_expropriated=True,
        income_below_local_average=True,
        household=Household(members=(member(registered_unemployed=True),)),
        **UNEMPLOYED_LONG,
    )
    decision = assess(f, ON)
    assert decision.categories == tuple(Category)
    assert decision.eligible


# -- households ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("household", "person", "zero", "couple"),
    [
        (None, {}, False, False),
        (Household(), {}, True, False),
        (Household(business_or_investment_income=True), {}, False, False),
        (Household(members=(member(registered_unemployed=True),)), {}, True, True),
        (Household(members=(member(registered_unemployed=False),)), {}, True, False),
        (Household(members=(member(employed=True),)), {}, False, False),
        # members who do not count: outside working age, unable, unwilling
        (Household(members=(member("parent", D(1950, 1, 1), employed=True),)), {}, True, False),
        (Household(members=(member("child", D(2010, 1, 1), employed=True),)), {}, True, False),
        (
            Household(members=(member(employed=True, work_capacity=WorkCapacity.NONE),)),
            {},
            True,
            False,
        ),
        (Household(members=(member(employed=True, wants_work=False),)), {}, True, False),
        (
            Household(members=(member("child", D(2000, 1, 1), male=True, employed=True),)),
            {},
            False,
            False,
        ),
        # a relation other than spouse does not make a couple
        (Household(members=(member("other", registered_unemployed=True),)), {}, True, False),
        # the person is counted too
        (Household(), {"employed": True}, False, False),
        # a person who does not count (here: not wanting work) and no member who counts: the
        # household has nobody of working age able and willing to work, so it is not a
        # zero-employment family (issue 11's reading; before it, this read as one)
        (Household(), {"employed": True, "wants_work": False}, False, False),
        (
            Household(members=(member("child", D(2000, 1, 1), male=True),)),
            {"employed": True, "wants_work": False},
            True,
            False,
        ),
        # a woman member of 53 with base age 55 is still of working age and counts
        (
            Household(
                members=(member("parent", D(1971, 1, 1), employed=True, retirement_base_age=55),)
            ),
            {},
            False,
            False,
        ),
        (
            Household(members=(member("parent", D(1971, 1, 1), employed=True),)),
            {},
            True,
            False,
        ),
    ],
)
def test_households(
    household: Household | None, person: dict[str, Any], zero: bool, couple: bool
) -> None:
    f = facts(household=household, **R1, **person)
    cats = assess(f, ON).categories
    assert (C.ZERO_EMPLOYMENT_FAMILY in cats) is zero
    assert (C.DUAL_UNEMPLOYED_COUPLE in cats) is couple


def test_household_needs_registered_unemployment() -> None:
    f = facts(household=Household(members=(member(registered_unemployed=True),)))
    cats = assess(f, ON).categories
    assert C.ZERO_EMPLOYMENT_FAMILY not in cats
    assert C.DUAL_UNEMPLOYED_COUPLE not in cats


def test_zero_employment_reason_names_the_employed_member() -> None:
    f = facts(household=Household(members=(member("child", D(2000, 1, 1), employed=True),)), **R1)
    result = assess(f, ON).category_results[0]
    assert not result.matched
    assert "(child)" in result.reason


def test_no_household_facts_reason() -> None:
    result = assess(facts(**R1), ON).category_results[0]
    assert "no household facts" in result.reason


# -- reasons, packs, construction ---------------------------------------------------------------


def test_not_eligible_without_a_category_explains_every_category() -> None:
    decision = assess(facts(), ON)
    assert not decision.eligible
    assert decision.categories == ()
    assert decision.reasons[0].startswith("Not eligible")
    assert "no category applies" in decision.reasons[0]
    assert len(decision.reasons) == 1 + len(Category)


def test_reasons_are_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    from caseworker.policy import engine

    monkeypatch.setattr(engine, "_", lambda s: "<" + s + ">")
    decision = assess(facts(**UNEMPLOYED_LONG), ON)
    assert decision.reasons[0].startswith("<Eligible")


def test_assess_with_a_named_pack() -> None:
    decision = assess_with_pack(facts(**UNEMPLOYED_LONG), D(2023, 1, 1), "xj-2023-49")
    assert decision.policy_id == "xj-2023-49"
    with pytest.raises(Exception, match="no policy pack"):
        assess_with_pack(facts(), ON, "nope")


def test_pack_parameters_drive_the_rules() -> None:
    pack = default_library().get("xj-2023-49")
    params = dict(pack.parameters)
    params["unemployed_months_long"] = dataclasses.replace(
        params["unemployed_months_long"], value=3
    )
    county = dataclasses.replace(pack, id="county", parameters=params)
    f = facts(**R6)
    assert C.LONG_TERM_UNEMPLOYED_1Y not in assess(f, ON, pack=pack).categories
    decision = assess(f, ON, pack=county)
    assert C.LONG_TERM_UNEMPLOYED_1Y in decision.categories
    assert decision.policy_id == "county"


def test_no_pack_in_force() -> None:
    with pytest.raises(Exception, match="No policy pack is in force"):
        assess(facts(), D(2023, 8, 8))


def test_facts_accept_plain_strings() -> None:
    text = make_id(D(1990, 1, 1))
    f = Facts(id_number=text, work_capacity="partial")  # type: ignore[arg-type]
    assert f.id_number == parse(text)
    assert f.work_capacity is WorkCapacity.PARTIAL
    m = Member(relation="spouse", id_number=text)  # type: ignore[arg-type]
    assert m.relation is Relation.SPOUSE
    assert m.sex.value == "male"


def test_decision_json() -> None:
    data = assess(facts(**UNEMPLOYED_LONG), ON).to_json()
    assert list(data) == [
        "id_number",
        "as_of",
        "policy",
        "eligible",
        "categories",
        "conditions",
        "retirement_date",
        "reasons",
    ]
    assert data["as_of"] == "2024-06-01"
    assert data["categories"] == ["long_term_unemployed_1y"]
    assert data["retirement_date"] == "2053-01-01"
