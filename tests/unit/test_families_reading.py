"""The zero-employment family reading (policy.families): one function for the engine and the
tracker.  Table-driven over the edges: ages at the limits, work capacity, the wish to work,
business income, and households where nobody counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from caseworker.core.idcard import Sex
from caseworker.policy import default_library
from caseworker.policy.facts import WorkCapacity
from caseworker.policy.families import FamilyMember, counts, read_family

D = dt.date
PACK = default_library().get("xj-2023-49")
ON = D(2025, 6, 1)
BORN = D(1990, 5, 1)


def m(
    birth: dt.date = BORN,
    *,
    sex: Sex = Sex.MALE,
    capacity: str = "full",
    wants: bool = True,
    employed: bool = False,
    base: int | None = None,
) -> FamilyMember:
    return FamilyMember(birth, sex, WorkCapacity(capacity), wants, employed, base)


RETIRE_MALE_1965 = PACK.retirement.retirement_date(D(1965, 3, 10), Sex.MALE)
RETIRE_FEMALE_1975 = PACK.retirement.retirement_date(D(1975, 3, 10), Sex.FEMALE)
RETIRE_FEMALE_1975_55 = PACK.retirement.retirement_date(D(1975, 3, 10), Sex.FEMALE, 55)


@pytest.mark.parametrize(
    ("member", "on", "expected"),
    [
        # the 16th birthday is the first day of working age
        (m(D(2009, 6, 1)), D(2025, 5, 31), False),
        (m(D(2009, 6, 1)), D(2025, 6, 1), True),
        # born on 29 February: 16 on 1 March in a common year
        (m(D(2008, 2, 29)), D(2024, 2, 28), False),
        (m(D(2008, 2, 29)), D(2024, 2, 29), True),
        # the retirement date is the first day that is no longer working age
        (m(D(1965, 3, 10)), RETIRE_MALE_1965 - dt.timedelta(days=1), True),
        (m(D(1965, 3, 10)), RETIRE_MALE_1965, False),
        (m(D(1975, 3, 10), sex=Sex.FEMALE), RETIRE_FEMALE_1975 - dt.timedelta(days=1), True),
        (m(D(1975, 3, 10), sex=Sex.FEMALE), RETIRE_FEMALE_1975, False),
        # a woman whose base age is 55 stays of working age longer
        (m(D(1975, 3, 10), sex=Sex.FEMALE, base=55), RETIRE_FEMALE_1975, True),
        (m(D(1975, 3, 10), sex=Sex.FEMALE, base=55), RETIRE_FEMALE_1975_55, False),
        # partial capacity counts; none does not; nor does a member who does not want work
        (m(capacity="partial"), ON, True),
        (m(capacity="none"), ON, False),
        (m(wants=False), ON, False),
    ],
)
def test_who_counts(member: FamilyMember, on: dt.date, expected: bool) -> None:
    assert counts(member, on, PACK) is expected


@pytest.mark.parametrize(
    ("members", "business", "zero", "counted", "employed"),
    [
        # one member who counts, not employed: a zero-employment family
        ([m()], False, True, (0,), ()),
        # business or investment income: never
        ([m()], True, False, (0,), ()),
        # the first member employed clears it
        ([m(), m(employed=True)], False, False, (0, 1), (1,)),
        # an employed member who does not count does not clear it
        ([m(), m(D(1950, 1, 1), employed=True)], False, True, (0,), ()),
        ([m(), m(employed=True, capacity="none")], False, True, (0,), ()),
        ([m(), m(employed=True, wants=False)], False, True, (0,), ()),
        ([m(), m(D(2012, 1, 1), employed=True)], False, True, (0,), ()),
        # nobody of working age, able and willing: not a zero-employment family
        ([m(wants=False), m(D(1950, 1, 1))], False, False, (), ()),
        ([m(capacity="none")], False, False, (), ()),
        ([], False, False, (), ()),
        # partial capacity counts
        ([m(capacity="partial")], False, True, (0,), ()),
    ],
)
def test_households(
    members: list[FamilyMember],
    business: bool,
    zero: bool,
    counted: tuple[int, ...],
    employed: tuple[int, ...],
) -> None:
    reading = read_family(members, business, ON, PACK)
    assert reading.zero_employment is zero
    assert reading.counted == counted
    assert reading.employed == employed


def test_the_engine_reads_the_same_function() -> None:
    """The engine's category and the reading agree (the engine adds registration)."""
    from caseworker.core import idcard
    from caseworker.policy import Facts, Household, Member, assess
    from caseworker.policy.categories import Category
    from tests.helpers import make_id

    person = Facts(
        id_number=idcard.parse(make_id(birth=D(1980, 1, 1), seq=131)),
        registered_unemployed_since=D(2024, 1, 1),
        wants_work=False,
        household=Household(
            members=(Member(relation="child", id_number=make_id(birth=D(1950, 1, 1), seq=141)),)
        ),
    )
    decision = assess(person, ON)
    assert Category.ZERO_EMPLOYMENT_FAMILY not in decision.categories
    result = next(
        r for r in decision.category_results if r.category is Category.ZERO_EMPLOYMENT_FAMILY
    )
    assert "no member of the household" in result.reason
    able = replace(person, wants_work=True)
    assert Category.ZERO_EMPLOYMENT_FAMILY in assess(able, ON).categories
