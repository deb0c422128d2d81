"""Statutory retirement dates under the gradual delay from 2025."""

from __future__ import annotations

import datetime as dt

import pytest

from caseworker.core.errors import ValidationError
from caseworker.core.idcard import Sex
from caseworker.policy.pack import default_library
from caseworker.policy.retirement import RetirementRules

D = dt.date
M, F = Sex.MALE, Sex.FEMALE


def rules() -> RetirementRules:
    return default_library().get("xj-2023-49").retirement


@pytest.mark.parametrize(
    ("birth", "sex", "base", "delay", "retires"),
    [
        # men, base 60: one month per four months from January 2025, up to 63
        (D(1964, 12, 15), M, None, 0, D(2024, 12, 15)),  # original retirement before 2025
        (D(1965, 1, 10), M, None, 1, D(2025, 2, 10)),
        (D(1965, 4, 30), M, None, 1, D(2025, 5, 30)),
        (D(1965, 5, 10), M, None, 2, D(2025, 7, 10)),
        (D(1965, 8, 31), M, None, 2, D(2025, 10, 31)),
        (D(1965, 9, 1), M, None, 3, D(2025, 12, 1)),
        (D(1966, 1, 1), M, None, 4, D(2026, 5, 1)),
        (D(1976, 8, 1), M, None, 35, D(2039, 7, 1)),
        (D(1976, 9, 1), M, None, 36, D(2039, 9, 1)),  # reaches the cap: 63
        (D(1980, 1, 1), M, None, 36, D(2043, 1, 1)),
        (D(1990, 6, 15), M, 60, 36, D(2053, 6, 15)),
        # women, base 55: one month per four months, up to 58
        (D(1969, 12, 1), F, 55, 0, D(2024, 12, 1)),
        (D(1970, 1, 1), F, 55, 1, D(2025, 2, 1)),
        (D(1970, 5, 1), F, 55, 2, D(2025, 7, 1)),
        (D(1981, 8, 1), F, 55, 35, D(2039, 7, 1)),
        (D(1981, 9, 1), F, 55, 36, D(2039, 9, 1)),
        (D(1990, 1, 1), F, 55, 36, D(2048, 1, 1)),
        # women, base 50 (the default): one month per two months, up to 55
        (D(1974, 12, 31), F, None, 0, D(2024, 12, 31)),
        (D(1975, 1, 1), F, None, 1, D(2025, 2, 1)),
        (D(1975, 2, 28), F, None, 1, D(2025, 3, 28)),
        (D(1975, 3, 1), F, None, 2, D(2025, 5, 1)),
        (D(1984, 10, 1), F, 50, 59, D(2039, 9, 1)),
        (D(1984, 11, 1), F, 50, 60, D(2039, 11, 1)),  # reaches the cap: 55
        (D(1995, 1, 1), F, 50, 60, D(2050, 1, 1)),
        # day clamped to the end of the month
        (D(1965, 1, 31), M, None, 1, D(2025, 2, 28)),
        (D(1976, 2, 29), F, None, 7, D(2026, 9, 29)),
        (D(1975, 7, 31), F, None, 4, D(2025, 11, 30)),
    ],
)
def test_retirement(
    birth: dt.date, sex: Sex, base: int | None, delay: int, retires: dt.date
) -> None:
    assert rules().delay_months(birth, sex, base) == delay
    assert rules().retirement_date(birth, sex, base) == retires


@pytest.mark.parametrize(("sex", "base"), [(M, 55), (M, 50), (F, 60), (F, 45)])
def test_unknown_base_age(sex: Sex, base: int) -> None:
    with pytest.raises(ValidationError, match="retirement base age") as info:
        rules().retirement_date(D(1970, 1, 1), sex, base)
    assert info.value.field == "retirement_base_age"
