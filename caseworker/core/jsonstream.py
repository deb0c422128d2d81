"""Read JSON input as a stream: one object, or the items of an array one at a time, in
bounded memory, and strictly.

Strict where Python's ``json`` module is lenient, each with its own message (the input as a
whole is refused, naming the item and its line):

- an object with the same key twice (``"employed": true, "employed": false``): ambiguous;
- an integer with more than :data:`MAX_DIGITS` digits (Python refuses those over 4,300 with a
  ``ValueError`` deep in the parser);
- ``NaN`` and ``Infinity``, which are not JSON;
- text with a lone surrogate (``"\\ud800"``): not a character, cannot be written out;
- nesting deeper than the parser can follow (it stops with ``RecursionError``);
- one item larger than :data:`MAX_ITEM_CHARS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from caseworker.core.errors import UserError
from caseworker.i18n import _

CHUNK = 1 << 20
MAX_ITEM_CHARS = 4 << 20
MAX_DIGITS = 40
_SPACE = re.compile(r"[ \t\n\r]*")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonInputError(UserError):
    """The JSON input cannot be used as a whole."""


class _Problem(Exception):
    """Raised from the parser's hooks; turned into a :class:`JsonInputError` with the place."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Problem(
                _(
                    'the key "{key}" appears twice in one object, so it is not clear which '
                    "value counts"
                ).format(key=key)
            )
        result[key] = value
    return result


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _Problem(_("a number has {n} digits; no fact is that long").format(n=digits))
    return int(text)


def _constant(text: str) -> Any:
    raise _Problem(_("{value} is not a JSON number").format(value=text))


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_integer, parse_constant=_constant)


def _surrogate(value: object) -> str | None:
    """The first lone surrogate in ``value`` (keys and strings, at any depth), if any."""
    if isinstance(value, str):
        match = _SURROGATE.search(value)
        return match.group() if match else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _surrogate(key) or _surrogate(item)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _surrogate(item)
            if found:
                return found
    return None


class Reader:
    """The JSON value in ``stream``: :attr:`kind` is ``"object"``, ``"array"`` or ``"other"``;
    :meth:`single` decodes the one value, :meth:`items` the array's items in order."""

    def __init__(self, stream: TextIO, where: str) -> None:
        self.stream = stream
        self.where = where
        self.buffer = ""
        self.pos = 0
        self.lines_before = 0  # new lines in the text dropped from the buffer
        self.eof = False
        self._fill()
        self._skip()
        head = self.buffer[self.pos : self.pos + 1]
        self.kind = "object" if head == "{" else "array" if head == "[" else "other"

    # -- the buffer -----------------------------------------------------------------------------

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.stream.read(CHUNK)
        except UnicodeDecodeError:
            raise JsonInputError(
                _("{path} is not UTF-8 text; save it as UTF-8 and try again.").format(
                    path=self.where
                )
            ) from None
        if not chunk:
            self.eof = True
            return False
        if self.pos:
            self.lines_before += self.buffer.count("\n", 0, self.pos)
            self.buffer = self.buffer[self.pos :]
            self.pos = 0
        self.buffer += chunk
        return True

    def _skip(self) -> None:
        while True:
            match = _SPACE.match(self.buffer, self.pos)
            assert match is not None
            self.pos = match.end()
            if self.pos < len(self.buffer) or not self._fill():
                return

    def _line(self, pos: int) -> int:
        return self.lines_before + self.buffer.count("\n", 0, pos) + 1

    def _column(self, pos: int) -> int:
        return pos - self.buffer.rfind("\n", 0, pos)

    def _invalid(self, message: str, pos: int) -> JsonInputError:
        return JsonInputError(
            _("{path} is not valid JSON: {error} (line {line}, column {column}).").format(
                path=self.where, error=message, line=self._line(pos), column=self._column(pos)
            )
        )

    def _problem(self, problem: str, index: int | None, pos: int) -> JsonInputError:
        if index is None:
            return JsonInputError(
                _("{path} cannot be used: {problem} (line {line}).").format(
                    path=self.where, problem=problem, line=self._line(pos)
                )
            )
        return JsonInputError(
            _("{path} cannot be used: item {n} (from line {line}): {problem}.").format(
                path=self.where, n=index + 1, line=self._line(pos), problem=problem
            )
        )

    # -- values ---------------------------------------------------------------------------------

    def _value(self, index: int | None) -> object:
        """Decode the value at the current position (reading more as needed)."""
        start = self.pos
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.buffer) - 6 or exc.msg.startswith("Unterminated")
                small = len(self.buffer) - self.pos <= MAX_ITEM_CHARS
                if not self.eof and cut and small and self._fill():
                    start = self.pos
                    continue
                if not self.eof and cut:
                    raise self._problem(
                        _("it is larger than {mb} MB").format(mb=MAX_ITEM_CHARS >> 20),
                        index,
                        start,
                    ) from None
                raise self._invalid(exc.msg, exc.pos) from None
            except _Problem as exc:
                raise self._problem(str(exc), index, start) from None
            except RecursionError:
                raise self._problem(
                    _("it is nested too deeply (objects and arrays within each other)"),
                    index,
                    start,
                ) from None
            except ValueError as exc:  # a too-long float and the like
                raise self._problem(str(exc), index, start) from None
            broken = _surrogate(value)
            if broken is not None:
                raise self._problem(
                    _(
                        "a text holds a broken character (\\u{code:04x}, half of a character "
                        "pair); write the text again"
                    ).format(code=ord(broken)),
                    index,
                    start,
                )
            self.pos = end
            return value

    def _expect_end(self) -> None:
        self._skip()
        if self.pos < len(self.buffer):
            raise self._invalid("Extra data", self.pos)

    def single(self) -> object:
        """The one value of the input (an object, or whatever it is)."""
        if self.pos >= len(self.buffer):
            raise self._invalid("Expecting value", self.pos)
        value = self._value(None)
        self._expect_end()
        return value

    def items(self) -> Iterator[object]:
        """The items of the array, in order."""
        assert self.kind == "array"
        self.pos += 1
        self._skip()
        if self.buffer.startswith("]", self.pos):
            self.pos += 1
            self._expect_end()
            return
        index = 0
        while True:
            self._skip()
            if self.pos >= len(self.buffer):
                raise self._invalid("Expecting value", self.pos)
            yield self._value(index)
            index += 1
            self._skip()
            head = self.buffer[self.pos : self.pos + 1]
            if head == ",":
                self.pos += 1
                continue
            if head == "]":
                self.pos += 1
                self._expect_end()
                return
            raise self._invalid("Expecting ',' delimiter", self.pos)
