"""Personal names: normalisation, validation and pinyin readings for search.

Uyghur, Kazakh and other names are written in Chinese transliteration with a middle dot
between the given name and the father's name (阿不都热合曼·买买提).  People type that dot in
many ways; all of them become U+00B7.  Pinyin readings are stored so that a caseworker can find
张三 by typing ``zs`` or ``zhangsan``; readings that pypinyin gets wrong in names (都 in 阿不都
is "du", the surname 曾 is "zeng") are corrected through its phrase dictionary and a small
table of surname readings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain
from typing import Any

from caseworker.core.errors import ValidationError
from caseworker.i18n import _

MIDDLE_DOT = "\u00b7"
#: Characters people type for the middle dot in transliterated names.
DOT_VARIANTS = "\u00b7\u2022\u2027\u30fb\uff0e\u0387\u2219\u22c5\uff65\u25cf\u16eb\u2e31"
MAX_NAME_LENGTH = 40

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: The Chinese characters a name may hold, as a regex character-class body (Extensions A-H too).
CJK_CHARACTERS = _CJK
_DOTS_RE = re.compile(f"\\s*[{DOT_VARIANTS}]\\s*")
_ASCII_DOT_RE = re.compile(f"(?<=[{_CJK}])\\s*\\.\\s*(?=[{_CJK}])")
_VALID_NAME_RE = re.compile(f"^[{_CJK}]+(?:{MIDDLE_DOT}[{_CJK}]+)*$")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_ARABIC_SCRIPT_RE = re.compile(r"^[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff\s\-·'ʼ]+$")

# Readings of transliterated name parts, fixed in pypinyin's phrase dictionary.
_NAME_PHRASES: dict[str, list[list[str]]] = {
    "阿不都": [["ā"], ["bù"], ["dū"]],
    "阿卜杜": [["ā"], ["bǔ"], ["dù"]],
    "都拉": [["dū"], ["lā"]],
    "吐尔都": [["tǔ"], ["ěr"], ["dū"]],
    "克里木": [["kè"], ["lǐ"], ["mù"]],
    "阿卜都": [["ā"], ["bǔ"], ["dū"]],
}
#: Characters whose reading differs when they are a Han surname (first character).
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao",
    "查": "zha", "盖": "ge", "乐": "yue", "缪": "miao", "翟": "zhai", "覃": "qin",
    "召": "shao", "种": "chong", "尉": "yu", "员": "yun", "都": "du", "卜": "bu",
}  # fmt: skip
#: Characters read one way in every name, wherever they stand.
NAME_READINGS = {"都": "du"}


@dataclass(frozen=True, slots=True)
class NameReading:
    """Pinyin of a name: one syllable per character (dots dropped)."""

    syllables: tuple[str, ...]

    @property
    def full(self) -> str:
        return "".join(self.syllables)

    @property
    def initials(self) -> str:
        return "".join(s[0] for s in self.syllables if s)


def normalize_name(text: str) -> str:
    """Trim, unify width and turn every middle-dot variant into U+00B7."""
    name = unicodedata.normalize("NFC", text).strip()
    name = _DOTS_RE.sub(MIDDLE_DOT, name)
    name = _ASCII_DOT_RE.sub(MIDDLE_DOT, name)
    return _SPACE_BETWEEN_CJK.sub("", name)


def validate_name(text: str) -> str:
    """Normalise and check a name in Chinese characters; returns the normalised name."""
    name = normalize_name(text)
    if not name:
        raise ValidationError(_("Enter the name."), "name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            _("The name is longer than {n} characters.").format(n=MAX_NAME_LENGTH), "name"
        )
    if not _VALID_NAME_RE.match(name):
        raise ValidationError(
            _("Write the name in Chinese characters; separate the parts of a transliterated name with a middle dot (·)."),
            "name",
        )  # fmt: skip
    return name


def validate_native_name(text: str) -> str:
    """Check an optional name in Uyghur (Arabic) script; returns it trimmed, or ''."""
    name = unicodedata.normalize("NFC", text).strip()
    if name and not _ARABIC_SCRIPT_RE.match(name):
        raise ValidationError(_("Write this name in Uyghur script."), "name_native")
    if len(name) > 80:
        raise ValidationError(
            _("The name is longer than {n} characters.").format(n=80), "name_native"
        )
    return name


@cache
def _pinyin() -> Any:
    """pypinyin, loaded on first use (its dictionaries take ~50 MB and a third of a second),
    with the readings of transliterated names installed."""
    import pypinyin

    pypinyin.load_phrases_dict(_NAME_PHRASES)
    return pypinyin


@cache
def _segmenter() -> Any:
    """pypinyin's own converter object for ``lazy_pinyin(..., errors="ignore")``."""
    _pinyin()  # the name phrases loaded first
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin

    return Pinyin(UltimateConverter(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False))


#: Cache sizes: enough for a station's names, bounded so that reading a large import keeps
#: memory flat (a reading is a few hundred bytes).
WORD_CACHE = 16384
NAME_CACHE = 8192


@lru_cache(maxsize=WORD_CACHE)
def _word_syllables(word: str) -> tuple[str, ...]:
    pypinyin = _pinyin()
    converter = _segmenter()._converter
    return tuple(chain(*converter.convert(word, pypinyin.Style.NORMAL, False, "ignore", True)))


def lazy_pinyin(text: str) -> list[str]:
    """Exactly ``pypinyin.lazy_pinyin(text, errors="ignore")`` (plain style, ``v`` for ü),
    several times faster on names: pypinyin cuts the text into words and converts each word
    on its own (no tone sandhi), so the conversion of each word is cached here."""
    return [s for word in _segmenter().seg(text) for s in _word_syllables(word)]


@lru_cache(maxsize=NAME_CACHE)
def reading(name: str) -> NameReading:
    """The pinyin reading of a (normalised) name, corrected for names."""
    parts = [p for p in name.split(MIDDLE_DOT) if p]
    syllables: list[str] = []
    for index, part in enumerate(parts):
        chars = list(part)
        read = lazy_pinyin(part)
        if len(read) != len(chars):  # characters pypinyin does not know: keep what it read
            syllables.extend(read)
            continue
        for pos, (char, syl) in enumerate(zip(chars, read, strict=True)):
            fixed = NAME_READINGS.get(char, syl)
            if index == 0 and pos == 0 and len(parts) == 1 and char in SURNAME_READINGS:
                fixed = SURNAME_READINGS[char]
            syllables.append(fixed)
    return NameReading(tuple(syllables))


@lru_cache(maxsize=NAME_CACHE)
def default_reading(name: str) -> NameReading:
    """pypinyin's own reading without the name corrections (kept as a search alternative)."""
    return NameReading(tuple(lazy_pinyin(name.replace(MIDDLE_DOT, ""))))
