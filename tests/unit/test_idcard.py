from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseworker.core import idcard
from caseworker.core.errors import ValidationError
from tests.helpers import make_id

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        (" 1101 0519 4912 3100 2X ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
        ("110105491231002", "11010519491231002X"),  # 15-digit first-generation number
    ],
)
def test_parse_normalises(text: str, expected: str) -> None:
    assert idcard.parse(text, today=TODAY).value == expected


def test_derived_fields() -> None:
    number = idcard.parse(make_id("653101", dt.date(1985, 5, 5), 321), today=TODAY)
    assert number.birth_date == dt.date(1985, 5, 5)
    assert number.sex is idcard.Sex.MALE
    assert number.province_code == "65"
    assert number.masked() == number.value[:4] + "*" * 10 + number.value[-4:]
    female = idcard.parse(make_id(seq=122), today=TODAY)
    assert female.sex is idcard.Sex.FEMALE


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Enter the ID number"),
        ("6501021990", "has 10"),
        ("65010219900101123A", "digits only"),
        ("99010219900101123" + "1", "not the code of any province"),
        ("650102" + "19900230" + "1234", "not a real date"),
        (make_id(birth=dt.date(2027, 1, 1)), "in the future"),
        (make_id(birth=dt.date(1899, 12, 31)), "too early"),
        ("65010219900101123" + "0", "mistyped"),
        ("65010290010112", "has 14"),
        ("6501029001011A3", "digits only"),
    ],
)
def test_errors_say_what_is_wrong(text: str, fragment: str) -> None:
    if text.startswith("650102199001011230"):
        text = make_id()[:-1] + ("0" if make_id()[-1] != "0" else "1")
    with pytest.raises(ValidationError, match=fragment) as info:
        idcard.parse(text, today=TODAY)
    assert info.value.field == "id_number"


def test_mask_short_values() -> None:
    assert idcard.mask("123") == "***"


valid_ids = st.builds(
    make_id,
    st.sampled_from(["650102", "653101", "110105", "654002"]),
    st.dates(dt.date(1920, 1, 1), dt.date(2020, 12, 31)),
    st.integers(0, 999),
)


@given(valid_ids, st.integers(0, 17), st.integers(0, 10))
def test_every_single_mistyped_character_is_caught(
    number: str, position: int, replacement: int
) -> None:
    new_char = "0123456789X"[replacement]
    if number[position] == new_char or (position < 17 and new_char == "X"):
        return
    mistyped = number[:position] + new_char + number[position + 1 :]
    assert not idcard.is_valid(mistyped, today=TODAY)


@given(valid_ids, st.integers(0, 16))
def test_every_adjacent_swap_is_caught(number: str, position: int) -> None:
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    assert not idcard.is_valid(swapped, today=TODAY)


@given(valid_ids)
def test_valid_numbers_round_trip(number: str) -> None:
    parsed = idcard.parse(number.lower(), today=TODAY)
    assert parsed.value == number
    fifteen = parsed.fifteen_digit_form
    if fifteen is not None:
        assert idcard.parse(fifteen, today=TODAY).value == number


def test_age_on_birthdays() -> None:
    birth = dt.date(1980, 2, 29)
    assert idcard.age_on(birth, dt.date(2025, 2, 28)) == 44
    assert idcard.age_on(birth, dt.date(2025, 3, 1)) == 45
    assert idcard.age_on(dt.date(1980, 6, 15), dt.date(2025, 6, 15)) == 45
    assert idcard.age_on(dt.date(1980, 6, 15), dt.date(2025, 6, 14)) == 44
