"""Run splitting, line breaking and Uyghur ordering helpers of caseworker.forms.text."""

from __future__ import annotations

import itertools

from bidi.algorithm import get_display
from hypothesis import given, settings
from hypothesis import strategies as st

from caseworker.forms.fonts import load_fonts
from caseworker.forms.text import (
    TextStack,
    base_direction,
    has_arabic,
    is_arabic,
    shape,
    split_runs,
    unshape,
    visual_order,
    wrap,
)

UG_LETTERS = "ئابپتجچخدرزژسشغفقكگڭلمنھوۇۆۈۋېىي"
UG_WORD = st.text(alphabet=UG_LETTERS, min_size=1, max_size=8)
LATIN_WORD = st.text(alphabet="ABCXYZabcxyz", min_size=1, max_size=6)
NUMBER = st.integers(min_value=0, max_value=10**8).map(str)
MIXED = st.text(alphabet="就业困难人员 ·AXx0129-（）,。" + UG_LETTERS[:6], max_size=40)


@given(MIXED)
def test_split_runs_partitions_text_into_maximal_runs(text: str) -> None:
    runs = split_runs(text, is_arabic)
    assert "".join(t for t, _k in runs) == text
    assert all(t for t, _k in runs)
    assert all(is_arabic(c) == k for t, k in runs for c in t)
    assert all(a[1] != b[1] for a, b in itertools.pairwise(runs))


def _width(s: str) -> float:
    return sum(2.0 if ord(c) > 0x2E80 else 1.0 for c in s)


@settings(deadline=None)
@given(MIXED, st.integers(min_value=1, max_value=30))
def test_wrap_keeps_every_character_and_fits(text: str, max_width: int) -> None:
    lines = wrap(text, _width, max_width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    for line in lines:
        assert line == line.strip(" ")
        assert _width(line) <= max_width or len(line) == 1


def test_wrap_breaks_at_spaces_and_beside_chinese() -> None:
    assert wrap("aaa bbb ccc", _width, 7) == ["aaa bbb", "ccc"]
    assert wrap("就业困难人员", _width, 4) == ["就业", "困难", "人员"]
    # closing punctuation never starts a line
    assert wrap("就业，困难", _width, 4) == ["就", "业，", "困难"]
    assert wrap("line one\nline two", _width, 100) == ["line one", "line two"]


def test_wrap_splits_a_word_too_wide_for_any_line() -> None:
    assert wrap("65010219790312038X", _width, 6) == ["650102", "197903", "12038X"]


@settings(deadline=None)
@given(
    UG_WORD,
    st.lists(st.tuples(st.one_of(st.none(), LATIN_WORD, NUMBER), UG_WORD), max_size=5),
)
def test_visual_order_round_trips_through_bidi(
    first: str, pairs: list[tuple[str | None, str]]
) -> None:
    # Uyghur words, with a number or a Latin word (an ID, a phone, "UOS") between some of them
    rest = [w for pair in pairs for w in pair if w is not None]
    logical = " ".join([first, *rest])
    visual = visual_order(logical)
    # applying the bidi algorithm to the visual line gives the logical line back
    assert get_display(visual, base_dir="R") == logical
    # digits and Latin letters stay left to right inside the reversed line
    for word in rest:
        if not has_arabic(word):
            assert word in visual


def test_visual_order_reverses_uyghur_and_keeps_numbers() -> None:
    assert visual_order("ئا 2024 بې") == "ېب 2024 ائ"
    assert visual_order("就业 123") == "就业 123"
    # a wrapped line starting with Latin keeps the paragraph's right-to-left direction
    assert visual_order("ABC ئا", "R") == "ائ ABC"
    assert base_direction("2024 ئا ABC") == "R"
    assert base_direction("2024 ABC ئا") == "L"


def test_lines_wrap_before_reordering() -> None:
    stack = TextStack(load_fonts())
    text = "ئۇدا بىر يىلدىن ئارتۇق ئىشسىز قالغان ئالىي مەكتەپ پۈتتۈرگۈچىلىرى 2024"
    lines = stack.lines(text, 9, 90)
    assert len(lines) > 1
    # each line reordered on its own: undoing the order line by line, in sequence,
    # gives back the logical text
    logical = " ".join(unshape(get_display(line, base_dir="R")) for line in lines)
    assert logical == text


@given(st.lists(UG_WORD, min_size=1, max_size=5))
def test_shaping_joins_letters_and_unshape_restores_them(words: list[str]) -> None:
    logical = " ".join(words)
    shaped = shape(logical)
    assert unshape(shaped) == logical
    assert all(not ("\u0620" <= c <= "\u064a") for c in shaped if c not in {" ", "ى"})


def test_uyghur_ae_joins_to_the_letter_before_it() -> None:
    shaped = shape("مەمەت")
    assert shaped[0] == "\ufee3"  # initial meem, joined to ە
    assert unshape(shaped) == "مەمەت"


def test_runs_give_each_character_a_font_that_has_it() -> None:
    fonts = load_fonts()
    stack = TextStack(fonts)
    text = visual_order(shape("阿依古丽•买买提 65010219790312038X ئايگۈل (ABC)"))
    runs = stack.runs(text)
    assert "".join(t for t, _f in runs) == text
    by_name = {f.name: f for f in fonts.fonts}
    for run, font in runs:
        assert by_name[font].has_all(run), (run, font)
    # Arabic-script text is drawn in the Arabic font, Chinese in the Chinese font
    assert fonts.arabic is not None
    assert any(f == fonts.arabic.name and has_arabic(t) for t, f in runs)
    assert stack.runs("身份证号 65010219790312038X") == [
        ("身份证号 65010219790312038X", fonts.cjk.name)
    ]


@settings(deadline=None)
@given(MIXED)
def test_runs_cover_any_mixed_text(text: str) -> None:
    stack = TextStack(load_fonts())
    runs = stack.runs(text)
    assert "".join(t for t, _f in runs) == text
