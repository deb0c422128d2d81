"""Text from outside (spreadsheets, forms, files) made safe to store, to export and to print.

Three places where text crosses a boundary, one rule each:

- **In** (:func:`clean_field`): every text field a person types or a file brings is
  normalised (NFC; CR LF and CR become LF), loses invisible junk at its ends (white space,
  zero-width spaces, direction marks, a byte-order mark …), and is refused, with a reason
  that names the character, when it holds a control character (NUL, VT, ESC …), an explicit
  direction override or embedding (U+202A–U+202E, U+2066–U+2069, which make text display in
  a misleading order), a lone surrogate or a non-character.  Direction marks and zero-width
  joiners *inside* the text stay: Uyghur text needs them.
- **Out to a spreadsheet** (:func:`for_cell` / :func:`from_cell`): a text that begins with
  ``=``, ``+``, ``-``, ``@``, a tab or a CR (or their full-width forms) would be taken for a
  formula by Excel, WPS or LibreOffice; it gets a leading apostrophe, as OWASP recommends
  ("CSV injection").  A text that already begins with an apostrophe gets one more, so
  :func:`from_cell` can always take exactly one away: the round trip is lossless.  Excel's
  ``_xHHHH_`` escapes are escaped too (``_x005F_``), so a literal ``_x0041_`` stays itself.
  Characters that XML cannot hold at all (only in records stored before these rules) become
  visible symbols (ESC → ␛) instead of stopping the export.
- **Out to a terminal** (:func:`for_terminal`): control characters and direction overrides
  are shown as escapes (``\\x1b``, ``\\u202e``), never sent raw.
"""

from __future__ import annotations

import re
import unicodedata

from caseworker.core.errors import ValidationError
from caseworker.i18n import _

#: Characters that start a formula in a spreadsheet program (OWASP), and their full-width
#: forms, which some Chinese spreadsheet programs accept too.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
QUOTE = "'"

#: Explicit direction embeddings, overrides and isolates.
_DIRECTION_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)  # fmt: skip
_REFUSED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
_REFUSED_SINGLE_LINE_SPACE = re.compile("[\t\n]+")
_NEEDS_WORK = re.compile(_REFUSED.pattern[:-1] + "\t\n\r]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_EXCEL_UNESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _invisible(char: str) -> bool:
    """White space or an invisible format character (zero-width space, marks, BOM …)."""
    if char.isalnum():  # letters and digits of every script: the usual first and last
        return False
    return char.isspace() or unicodedata.category(char) == "Cf"


def strip_invisible(text: str) -> str:
    """``text`` without white space and invisible format characters at either end."""
    if not text or (not _invisible(text[0]) and not _invisible(text[-1])):
        return text
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def refused_character(text: str) -> str | None:
    """The first character :func:`clean_field` refuses in ``text``, or None."""
    match = _REFUSED.search(text)
    return match.group() if match else None


def clean_field(text: str, field: str | None = None, *, multiline: bool = False) -> str:
    """Normalise a text field as described in the module docstring; raise
    :class:`ValidationError` for a character that cannot be kept."""
    if not text:
        return text
    if (
        _NEEDS_WORK.search(text) is None
        and not _invisible(text[0])
        and not _invisible(text[-1])
        and unicodedata.is_normalized("NFC", text)
    ):
        return text  # the common case, fast
    value = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        value = _REFUSED_SINGLE_LINE_SPACE.sub(" ", value)
    bad = refused_character(value)
    if bad is not None:
        position = value.index(bad) + 1
        if bad in _DIRECTION_CONTROLS:
            message = _(
                "The text holds an invisible direction control ({char}, character {n}) that "
                "makes it display in a misleading order; remove it."
            )
        elif "\ud800" <= bad <= "\udfff":
            message = _("The text holds a broken character ({char}, character {n}); type it again.")
        else:
            message = _(
                "The text holds a control character ({char}, character {n}) that cannot be "
                "shown or printed; remove it."
            )
        raise ValidationError(message.format(char=code_point(bad), n=position), field)
    return strip_invisible(unicodedata.normalize("NFC", value))


# -- spreadsheets ------------------------------------------------------------------------------


def _picture(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    return "\ufffd"


def for_cell(text: str) -> str:
    """A text as it is written into a spreadsheet cell (see the module docstring)."""
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub(_picture, text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub("_x005F_", text)
    if text and (text[0] in FORMULA_STARTS or text[0] == QUOTE):
        text = QUOTE + text
    return text


def needs_pictures(text: str) -> bool:
    """Whether :func:`for_cell` has to show characters of ``text`` as symbols."""
    return _XML_ILLEGAL.search(text) is not None


def from_cell(text: str) -> str:
    """The text a spreadsheet cell holds, with the export's protective apostrophe removed."""
    if len(text) > 1 and text[0] == QUOTE and (text[1] in FORMULA_STARTS or text[1] == QUOTE):
        return text[1:]
    return text


def unescape_excel(text: str) -> str:
    """Decode Excel's ``_xHHHH_`` escapes (``_x005F_`` is the underscore itself)."""
    if "_x" not in text:
        return text
    return _EXCEL_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


# -- terminals ---------------------------------------------------------------------------------


def _terminal_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    # \x1b for the C0 controls; \u0085, \u202e … for the rest, which is also a valid escape
    # inside a JSON string (JSON output stays JSON, with the same meaning)
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """``text`` with control characters (other than new line and tab) and direction overrides
    shown as escapes, so printing it cannot move the cursor, change colours or reorder text."""
    return _TERMINAL.sub(_terminal_escape, text)
