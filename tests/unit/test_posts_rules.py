"""Public-welfare post rules without a database: the subsidy end date (table-driven around
the 5-year line, men and women, the 2025 delay schedule, month ends), the credit code, and the
money arithmetic of the monthly post subsidy."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseworker import claims
from caseworker.core import creditcode
from caseworker.core.errors import ValidationError
from caseworker.core.idcard import Sex
from caseworker.core.money import Money, total
from caseworker.posts.rules import post_subsidy, rules_on, subsidy_until
from caseworker.posts.vocab import SubsidyRule

D = dt.date
M, F = Sex.MALE, Sex.FEMALE
RULES = rules_on(D(2025, 1, 1))
THREE, NEAR, RETIRE = SubsidyRule.THREE_YEARS, SubsidyRule.NEAR_RETIREMENT, SubsidyRule.RETIREMENT

# birth, sex, base age, retirement date, first start, this start, until, rule
CASES = [
    # young: 36 months less a day, with month-end clamping
    (D(1990, 5, 10), M, None, D(2053, 5, 10), D(2024, 3, 1), D(2024, 3, 1), D(2027, 2, 28), THREE),
    (
        D(1990, 5, 10),
        M,
        None,
        D(2053, 5, 10),
        D(2024, 1, 31),
        D(2024, 1, 31),
        D(2027, 1, 30),
        THREE,
    ),
    (
        D(1990, 5, 10),
        M,
        None,
        D(2053, 5, 10),
        D(2024, 2, 29),
        D(2024, 2, 29),
        D(2027, 2, 27),
        THREE,
    ),
    # a man whose retirement is delayed 4 months (2025 schedule): near retirement
    (D(1966, 3, 10), M, None, D(2026, 7, 10), D(2024, 1, 1), D(2024, 1, 1), D(2026, 7, 9), NEAR),
    # the 5-year line of a man retiring 2031-11-15 (delayed 17 months)
    (
        D(1970, 6, 15),
        M,
        None,
        D(2031, 11, 15),
        D(2026, 11, 15),
        D(2026, 11, 15),
        D(2029, 11, 14),
        THREE,
    ),
    (
        D(1970, 6, 15),
        M,
        None,
        D(2031, 11, 15),
        D(2026, 11, 16),
        D(2026, 11, 16),
        D(2031, 11, 14),
        NEAR,
    ),
    # a woman (base 50, delayed 31 months) on both sides of the line
    (D(1980, 2, 10), F, 50, D(2032, 9, 10), D(2027, 9, 10), D(2027, 9, 10), D(2030, 9, 9), THREE),
    (D(1980, 2, 10), F, 50, D(2032, 9, 10), D(2027, 9, 11), D(2027, 9, 11), D(2032, 9, 9), NEAR),
    # a woman (base 55) whose retirement day is clamped to the end of April
    (D(1972, 8, 31), F, 55, D(2028, 4, 30), D(2024, 1, 1), D(2024, 1, 1), D(2028, 4, 29), NEAR),
    # retirement before the delay began: no delay
    (D(1974, 6, 1), F, 50, D(2024, 6, 1), D(2023, 1, 1), D(2023, 1, 1), D(2024, 5, 31), NEAR),
    # re-placement: the 5-year rule looks at the FIRST placement only
    (
        D(1970, 6, 15),
        M,
        None,
        D(2031, 11, 15),
        D(2022, 1, 1),
        D(2027, 1, 1),
        D(2029, 12, 31),
        THREE,
    ),
    # re-placement whose 36 months would run past retirement
    (
        D(1970, 6, 15),
        M,
        None,
        D(2031, 11, 15),
        D(2020, 1, 1),
        D(2029, 6, 1),
        D(2031, 11, 14),
        RETIRE,
    ),
]


@pytest.mark.parametrize(
    ("birth", "sex", "base", "retirement", "first", "start", "until", "rule"), CASES
)
def test_subsidy_end_date(
    birth: dt.date,
    sex: Sex,
    base: int | None,
    retirement: dt.date,
    first: dt.date,
    start: dt.date,
    until: dt.date,
    rule: SubsidyRule,
) -> None:
    assert RULES.retirement_date(birth, sex, base) == retirement
    end = subsidy_until(retirement=retirement, first_start=first, start=start, rules=RULES)
    assert (end.until, end.rule) == (until, rule)


@given(
    st.dates(D(1960, 1, 1), D(2005, 12, 31)),
    st.sampled_from([M, F]),
    st.dates(D(2015, 1, 1), D(2035, 12, 31)),
    st.integers(0, 120),
)
def test_subsidy_end_never_reaches_retirement_and_never_exceeds_36_months_unless_near(
    birth: dt.date, sex: Sex, first: dt.date, later: int
) -> None:
    from caseworker.policy.dates import add_months

    retirement = RULES.retirement_date(birth, sex)
    start = add_months(first, later)
    end = subsidy_until(retirement=retirement, first_start=first, start=start, rules=RULES)
    assert end.until < retirement
    if end.rule != NEAR:
        assert end.until <= add_months(start, 36) - dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("standard", "worked", "required", "amount"),
    [
        ("1900.00", 22, 22, "1900.00"),
        ("1900.00", 21, 22, "1813.64"),  # 1813.636… rounds up
        ("1900.00", 1, 3, "633.33"),  # 633.333… rounds down
        ("0.01", 1, 2, "0.01"),  # exactly .005 of a yuan → half-up
        ("1.01", 1, 2, "0.51"),  # 50.5 fen → 51
        ("1900.01", 1, 2, "950.01"),  # 95000.5 fen → 95001
        ("1900.00", 21, 20, "1900.00"),  # a station's lower required: never above the standard
        ("1900.00", 10, 22, "863.64"),  # a partial month (started mid-month)
        ("1900.00", 0, 22, "0.00"),
    ],
)
def test_post_subsidy_arithmetic(standard: str, worked: int, required: int, amount: str) -> None:
    assert str(post_subsidy(Money.parse(standard), worked, required)) == amount


@given(
    st.lists(
        st.tuples(st.integers(1, 500_000), st.integers(0, 31), st.integers(1, 31)), max_size=60
    )
)
def test_lines_never_exceed_the_standard_and_totals_are_exact(
    lines: list[tuple[int, int, int]],
) -> None:
    amounts = [post_subsidy(Money(s), w, r) for s, w, r in lines]
    for (s, _w, _r), amount in zip(lines, amounts, strict=True):
        assert Money(0) <= amount <= Money(s)
    assert total(amounts).fen == sum(a.fen for a in amounts)


@pytest.mark.parametrize(
    "code", ["91350100M000100Y43", "91110000600037341L", "９１３５０１００Ｍ０００１００Ｙ４３"]
)
def test_credit_codes_that_pass(code: str) -> None:
    assert creditcode.normalise(code) == creditcode.normalise(code.upper())


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y44", "check character"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M0001O0Y43", "cannot appear"),
    ],
)
def test_credit_codes_refused(code: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        creditcode.normalise(code)


@pytest.mark.parametrize(
    ("state", "action", "reaches"),
    [
        ("draft", claims.Action.SUBMIT, "submitted"),
        ("submitted", claims.Action.APPROVE, "approved"),
        ("approved", claims.Action.PAY, "paid"),
    ],
)
def test_the_claim_state_machine_steps_in_order(
    state: str, action: claims.Action, reaches: str
) -> None:
    assert claims.ACTIONS[action] == (claims.ClaimState(state), claims.ClaimState(reaches))
    others = [a for a in claims.Action if a is not action]
    assert all(claims.ACTIONS[o][0].value != state for o in others)
