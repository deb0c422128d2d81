"""Money: integer fen, exact sums, half-up shares, parsing typed amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseworker.core.errors import ValidationError
from caseworker.core.money import MAX_INPUT_FEN, Money, decimal_half_up, total


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1809.52", 180952),
        ("1809.5", 180950),
        ("1809", 180900),
        ("1,809.52", 180952),
        ("１８０９．５２", 180952),
        ("¥1809.52", 180952),
        ("1809.52元", 180952),
        (" 0.01 ", 1),
        ("-12.30", -1230),
    ],
)
def test_parse(text: str, fen: int) -> None:
    assert Money.parse(text) == Money(fen)


@pytest.mark.parametrize("text", ["", "abc", "1.234", "1e3", "12.3.4", "10000000.01", "nan"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValidationError):
        Money.parse(text)


def test_text_form_has_two_decimals() -> None:
    assert str(Money(180952)) == "1809.52"
    assert str(Money(5)) == "0.05"
    assert str(Money(-5)) == "-0.05"
    assert str(Money(0)) == "0.00"


def test_sum_of_a_thousand_amounts_is_exact() -> None:
    # 0.10 summed 1000 times as floats is 99.9999999999986
    assert sum(0.10 for _ in range(1000)) != 100.0
    assert total(Money.parse("0.10") for _ in range(1000)) == Money.parse("100.00")


@pytest.mark.parametrize(
    ("standard", "worked", "required", "expected"),
    [
        ("1900.00", 21, 21, "1900.00"),
        ("1900.00", 20, 21, "1809.52"),  # 1809.5238… → 1809.52
        ("1900.00", 10, 21, "904.76"),  # 904.7619… → 904.76
        ("0.01", 1, 2, "0.01"),  # 0.005 → half up → 0.01
        ("0.03", 1, 2, "0.02"),  # 0.015 → 0.02
        ("1000.00", 0, 22, "0.00"),
    ],
)
def test_ratio_rounds_half_up_to_the_fen(
    standard: str, worked: int, required: int, expected: str
) -> None:
    assert str(Money.parse(standard).ratio(worked, required)) == expected


@given(st.integers(0, 10**9), st.integers(0, 31), st.integers(1, 31))
def test_ratio_never_exceeds_the_whole_when_the_share_is_at_most_one(
    fen: int, worked: int, required: int
) -> None:
    share = Money(fen).ratio(min(worked, required), required)
    assert Money(0) <= share <= Money(fen)
    # the share is within half a fen of the exact value
    assert abs(share.fen * required - fen * min(worked, required)) * 2 <= required


@given(st.lists(st.integers(-(10**10), 10**10), max_size=200))
def test_money_arithmetic_is_integer_arithmetic(fens: list[int]) -> None:
    amounts = [Money(f) for f in fens]
    assert total(amounts).fen == sum(fens)


@given(st.integers(-MAX_INPUT_FEN, MAX_INPUT_FEN))
def test_text_round_trip(fen: int) -> None:
    assert Money.parse(str(Money(fen))) == Money(fen)


def test_exact_conversions() -> None:
    assert Money.of(Decimal("12.30")) == Money(1230)
    assert Money.of(12) == Money(1200)
    assert Money.of("12.3") == Money(1230)
    with pytest.raises(ValueError, match="two decimals"):
        Money.of(Decimal("0.005"))
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    assert decimal_half_up(Decimal("0.005")) == Money(1)
    assert Money(100) * 3 == Money(300) == 3 * Money(100)
    assert Money(5).yuan == Decimal("0.05")
