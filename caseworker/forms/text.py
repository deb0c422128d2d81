"""Mixed-script text: font runs by character map, line breaking, Uyghur joining and order.

The order of work for one piece of text is: join Arabic-script letters (:func:`shape`), break
into lines in logical order (:func:`wrap`), then put each line into visual order
(:func:`visual_order`) and split it into runs, each drawn in a font that has its glyphs
(:meth:`TextStack.runs`).  ReportLab's own bidi support needs a package that is not installed,
and ``Paragraph`` collapses full-width spaces, so text is drawn run by run on the canvas.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from caseworker.forms.fonts import FontSet, LoadedFont

K = TypeVar("K", bound=Hashable)

_RESHAPER = arabic_reshaper.ArabicReshaper(
    configuration={"delete_harakat": False, "support_ligatures": True}
)
#: arabic-reshaper's table lacks Uyghur ``ە`` (U+06D5, right-joining).  Unicode has no
#: presentation form for it; its final form is drawn like Arabic heh's (U+FEEA), as Uyghur
#: typesetting has long done, and :func:`unshape` maps it back.
UG_AE = "\u06d5"
UG_AE_FINAL = "\ufeea"
_RESHAPER.letters = {**_RESHAPER.letters, UG_AE: (UG_AE, "", "", UG_AE_FINAL)}

#: Characters that must not begin a line (Chinese punctuation; kinsoku).
NO_LINE_START = frozenset("，。、；：？！）》」』】〕,.;:?!)%·،؛؟")
#: Characters drawn in the font of the run around them when that font has them.
NEUTRAL = frozenset(" .,:;!?()[]-/·،؛؟")
#: Characters that must not end a line.
NO_LINE_END = frozenset("（《「『【〔(")


def is_arabic(char: str) -> bool:
    """True for Arabic-script characters, including presentation (joined) forms."""
    return (
        "\u0600" <= char <= "\u06ff"
        or "\u0750" <= char <= "\u077f"
        or "\u08a0" <= char <= "\u08ff"
        or "\ufb50" <= char <= "\ufdff"
        or "\ufe70" <= char <= "\ufefe"
    )


_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe]")


def has_arabic(text: str) -> bool:
    return _ARABIC_RE.search(text) is not None


def is_cjk(char: str) -> bool:
    o = ord(char)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x3FFFF
    )


def shape(text: str) -> str:
    """Join Arabic-script letters into their contextual forms (logical order is kept)."""
    return _RESHAPER.reshape(text) if has_arabic(text) else text


def unshape(text: str) -> str:
    """Map joined presentation forms back to plain letters (for tests and search).

    The final form of Uyghur ``ە`` comes back as ``ە`` (Uyghur text never uses Arabic heh)."""
    return unicodedata.normalize("NFKC", text.replace(UG_AE_FINAL, UG_AE))


def base_direction(paragraph: str) -> str:
    """``"R"`` when the first strong character of ``paragraph`` is right-to-left, else ``"L"``.

    The direction belongs to the paragraph: it is found before wrapping and applied to each
    of its lines, so a line that happens to start with a number or a Latin word keeps it."""
    for char in paragraph:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return "L"


def visual_order(line: str, base: str | None = None) -> str:
    """One line in visual (left-to-right drawing) order: RTL runs reversed, digits and Latin
    kept left to right inside them.  ``base`` is the paragraph direction (``"R"``/``"L"``;
    default: from this line).  Lines without Arabic script come back unchanged."""
    if not has_arabic(line):
        return line
    return str(get_display(line, base_dir=base or base_direction(line)))


def split_runs(text: str, key: Callable[[str], K]) -> list[tuple[str, K]]:
    """Split ``text`` into maximal runs of consecutive characters with the same ``key``."""
    runs: list[tuple[str, K]] = []
    start = 0
    current: K | None = None
    for i, char in enumerate(text):
        k = key(char)
        if i == 0:
            current = k
        elif k != current:
            runs.append((text[start:i], current))  # type: ignore[arg-type]
            start, current = i, k
    if text:
        runs.append((text[start:], current))  # type: ignore[arg-type]
    return runs


def _break_ok(prev: str, nxt: str) -> bool:
    """May a line break fall between ``prev`` and ``nxt`` (no space between them)?"""
    if nxt in NO_LINE_START or prev in NO_LINE_END:
        return False
    return is_cjk(prev) or is_cjk(nxt)


def _tokens(text: str) -> list[str]:
    """Split a paragraph into unbreakable pieces; spaces are their own tokens."""
    tokens: list[str] = []
    buf = ""
    for char in text:
        if char == " ":
            if buf:
                tokens.append(buf)
                buf = ""
            tokens.append(" ")
        elif buf and _break_ok(buf[-1], char):
            tokens.append(buf)
            buf = char
        else:
            buf += char
    if buf:
        tokens.append(buf)
    return tokens


def _hard_split(token: str, width: Callable[[str], float], max_width: float) -> list[str]:
    parts: list[str] = []
    buf = ""
    for char in token:
        if buf and width(buf + char) > max_width:
            parts.append(buf)
            buf = char
        else:
            buf += char
    if buf:
        parts.append(buf)
    return parts


def wrap(text: str, width: Callable[[str], float], max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (in logical order).

    Breaks fall at spaces (the space is dropped), beside Chinese characters (never before
    closing punctuation), at ``\\n``, and inside a word only when the word alone is too wide.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if token == " ":
                if line:
                    line += " "
                continue
            candidate = line + token
            if width(candidate.rstrip(" ")) <= max_width or not line.strip():
                if width(candidate) > max_width and not line.strip():
                    pieces = _hard_split(token, width, max_width)
                    lines.extend(pieces[:-1])
                    line = pieces[-1]
                else:
                    line = candidate
                continue
            lines.append(line.rstrip(" "))
            if width(token) > max_width:
                pieces = _hard_split(token, width, max_width)
                lines.extend(pieces[:-1])
                line = pieces[-1]
            else:
                line = token
        lines.append(line.rstrip(" "))
    return lines


_FAST: dict[int, frozenset[str] | None] = {}


def _fast_chars(font: LoadedFont) -> frozenset[str] | None:
    """The characters drawn in ``font`` without looking further (cached per font)."""
    key = id(font)
    if key not in _FAST:
        cps = font.codepoints
        _FAST[key] = (
            frozenset(c for c in map(chr, cps) if not is_arabic(c)) if cps is not None else None
        )
    return _FAST[key]


class TextStack:
    """Draws and measures mixed text with a :class:`FontSet`, choosing a font per character."""

    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        primary = [f for f in (fonts.cjk, fonts.latin, fonts.arabic) if f is not None]
        arabic_first = [f for f in (fonts.arabic, fonts.cjk, fonts.latin) if f is not None]
        self._primary = primary
        self._arabic_first = arabic_first
        self._choice: dict[str, str] = {}
        self._fast = _fast_chars(fonts.cjk)
        self._widths: dict[tuple[str, float], float] = {}
        #: laid-out text blocks, keyed by text and measures (filled by ``draw.block``)
        self.blocks: dict[tuple[object, ...], object] = {}

    def font_for(self, char: str) -> str:
        name = self._choice.get(char)
        if name is None:
            order = self._arabic_first if is_arabic(char) else self._primary
            name = next((f.name for f in order if f.has(char)), order[0].name)
            self._choice[char] = name
        return name

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``(text, font name)`` runs of ``text`` (already in visual order)."""
        if self._fast is not None and self._fast.issuperset(text):
            return [(text, self.fonts.cjk.name)]
        keys: list[str] = []
        for char in text:
            name = self.font_for(char)
            if keys and char in NEUTRAL and keys[-1] != name and self._has(keys[-1], char):
                name = keys[-1]  # keep spaces and punctuation in the font of the run
            keys.append(name)
        it = iter(keys)
        return split_runs(text, lambda _c: next(it))

    def _has(self, font_name: str, char: str) -> bool:
        return any(f.name == font_name and f.has(char) for f in self._primary)

    def width(self, text: str, size: float) -> float:
        key = (text, size)
        w = self._widths.get(key)
        if w is None:
            w = sum(stringWidth(t, f, size) for t, f in self.runs(text))
            if len(self._widths) < 50_000:
                self._widths[key] = w
        return w

    def prepare(self, text: str) -> str:
        """One line of logical text, joined and in visual order (no wrapping)."""
        return visual_order(shape(text), base_direction(text))

    def lines(self, text: str, size: float, max_width: float) -> list[str]:
        """Shape, wrap and reorder ``text``: lines ready to draw, in visual order."""
        shaped = shape(text)
        if self.width(shaped, size) <= max_width and "\n" not in shaped:
            logical = [shaped]
        else:
            logical = wrap(shaped, lambda s: self.width(s, size), max_width)
        if not has_arabic(shaped):
            return logical
        base = base_direction(text)
        return [visual_order(line, base) for line in logical]

    def draw(
        self,
        canvas: Canvas,
        x: float,
        y: float,
        line: str,
        size: float,
        align: str = "left",
        mode: int = 0,
    ) -> None:
        """Draw one visual-order line with its baseline at ``y``.

        ``align`` is ``left`` (``x`` is the left edge), ``right`` or ``centre``.
        """
        if not line:
            return
        if align != "left":
            w = self.width(line, size)
            x -= w if align == "right" else w / 2
        runs = self.runs(line)
        text = canvas.beginText(x, y)
        if mode:
            text.setTextRenderMode(mode)
        for run, font in runs:
            text.setFont(font, size)
            text.textOut(run)
        if mode:
            text.setTextRenderMode(0)  # the mode is graphics state: do not leak it
        canvas.drawText(text)

    def draw_block(
        self,
        canvas: Canvas,
        lines: Sequence[str],
        x: float,
        top: float,
        size: float,
        leading: float,
        align: str = "left",
    ) -> float:
        """Draw lines downwards from ``top``; return the y below the last line."""
        y = top - size
        for line in lines:
            self.draw(canvas, x, y, line, size, align)
            y -= leading
        return y + leading - (leading - size)


def auto_align(line: str, default: str = "left") -> str:
    """Right-align lines that start (visually end) with Arabic script."""
    return "right" if has_arabic(line) and default == "left" else default


def font_names(runs: list[tuple[str, LoadedFont]]) -> list[str]:
    return [f.name for _t, f in runs]
