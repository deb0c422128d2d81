"""A streaming reader for the first sheet of an .xlsx workbook (see :mod:`caseworker.core.tables`).

Why not openpyxl's read-only mode: it trusts the sheet's ``<dimension>`` tag (a sheet that
claims ``A1:N2`` yields one data row, whatever it holds; one that claims ``A1:XFD1048576``
pads every row to 16,384 cells), it cannot tell a formula with a saved result from one
without, and it reads a compression bomb to the end.  This reader:

- checks the zip first: the parts it reads may not together unpack to more than
  ``Limits.max_bytes``, and no part over 1 MiB may unpack to more than ``max_ratio`` times its
  packed size (the sizes a zip claims bound what Python's zip reader returns);
- refuses a document type declaration (no XML entity can expand);
- reads the sheet's XML in chunks with patterns for ``<row>`` and ``<c>`` elements, checking
  that nothing but white space lies between them, so no row can slip through unread;
- keeps the shared strings compactly (UTF-8 in one buffer) within ``max_shared_text``;
- reports a formula cell without a saved value as :class:`~caseworker.core.tables.Formula`,
  and otherwise uses the saved value, as a spreadsheet program shows it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import posixpath
import re
import zipfile
from array import array
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from caseworker.core.tables import (
    Cell,
    CellError,
    Formula,
    Limits,
    Row,
    TooLarge,
    Unreadable,
    excel_date,
    too_many_cells,
    too_many_rows,
)
from caseworker.core.text import unescape_excel
from caseworker.i18n import _

CHUNK = 1 << 20
_BIG_PART = 1 << 20
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ROOT = re.compile(r"<(?:([A-Za-z_][\w.-]*):)?(worksheet|sst)\b")
_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(45, 48), *range(27, 37), *range(50, 59)})


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] == "#":
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return "\ufffd"
    return _NAMED[name]


def _unescape_xml(text: str) -> str:
    if "<![CDATA[" in text:
        parts = re.split(r"<!\[CDATA\[(.*?)\]\]>", text, flags=re.S)
        return "".join(
            part if i % 2 else _ENTITY.sub(_entity, part) for i, part in enumerate(parts)
        )
    if "&" in text:
        return _ENTITY.sub(_entity, text)
    return text


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(text)}  # fmt: skip


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_COLUMNS: dict[str, int] = {}


def _column_index(letters: str) -> int:
    """0-based index of column letters (A → 0)."""
    found = _COLUMNS.get(letters)
    if found is not None:
        return found
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    if len(_COLUMNS) < 20_000:
        _COLUMNS[letters] = index - 1
    return index - 1


_REF = re.compile(r"([A-Za-z]{1,3})(\d+)$")


class _Strings:
    """The shared strings, as UTF-8 in one buffer with offsets (a third of a list's memory)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.offsets = array("Q", [0])

    def append(self, text: str) -> None:
        self.data += text.encode("utf-8", "surrogatepass")
        self.offsets.append(len(self.data))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        return self.data[self.offsets[index] : self.offsets[index + 1]].decode(
            "utf-8", "surrogatepass"
        )


def _unreadable(name: str, detail: str) -> Unreadable:
    return Unreadable(
        _("The file {path} cannot be read as a spreadsheet: {error}").format(
            path=name, error=detail
        )
    )


class _Stream:
    """Text of one zip part, decoded in chunks, with the bytes counted against the caps."""

    def __init__(self, handle: IO[bytes], size: int, owner: XlsxTable) -> None:
        self.handle = handle
        self.size = max(size, 1)
        self.owner = owner
        self.read_bytes = 0
        self.decoder: codecs.IncrementalDecoder | None = None

    def read(self) -> str | None:
        data = self.handle.read(CHUNK)
        if self.decoder is None:
            encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
            self.decoder = codecs.getincrementaldecoder(encoding)()
        if not data:
            tail = self.decoder.decode(b"", final=True)
            return tail or None
        self.read_bytes += len(data)
        self.owner.count_bytes(len(data))
        return self.decoder.decode(data)


class XlsxTable:
    """The first sheet of an .xlsx workbook."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.name = path.name
        self.limits = limits
        self.unpacked = 0
        self._sheet_stream: _Stream | None = None
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise _unreadable(self.name, str(exc)) from exc
        try:
            self._open()
        except (zipfile.BadZipFile, OSError, ElementTree.ParseError, KeyError) as exc:
            self.zip.close()
            raise _unreadable(self.name, str(exc)) from exc
        except BaseException:
            self.zip.close()
            raise

    # -- the package ---------------------------------------------------------------------

    def count_bytes(self, n: int) -> None:
        self.unpacked += n
        if self.unpacked > self.limits.max_bytes:
            raise self._bomb()

    def _bomb(self) -> TooLarge:
        return TooLarge(
            _(
                "The file {path} unpacks to more than {mb} MB, or far more than its own size "
                "(a “zip bomb”); it is not read. Save the sheet again from Excel or WPS, or "
                "split it."
            ).format(path=self.name, mb=self.limits.max_bytes >> 20)
        )

    def _info(self, part: str) -> zipfile.ZipInfo:
        try:
            return self.zip.getinfo(part)
        except KeyError:
            raise _unreadable(
                self.name, _("the part {part} is missing").format(part=part)
            ) from None

    def _check_part(self, info: zipfile.ZipInfo) -> None:
        if info.file_size > _BIG_PART and info.file_size > self.limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise self._bomb()

    def _small_xml(self, part: str) -> ElementTree.Element:
        info = self._info(part)
        self._check_part(info)
        if info.file_size > self.limits.max_part_bytes:
            raise self._bomb()
        data = self.zip.read(info)
        self.count_bytes(len(data))
        head = data[:4096]
        if b"<!DOCTYPE" in head or b"<!ENTITY" in data:
            raise _unreadable(self.name, _("it declares XML entities"))
        return ElementTree.fromstring(data)

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, target part) of ``part``."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        found: dict[str, tuple[str, str]] = {}
        if rels_part not in self.zip.NameToInfo:
            return found
        for rel in self._small_xml(rels_part):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            resolved = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
        return found

    def _open(self) -> None:
        package = self._rels("")
        workbook_part = next(
            (t for kind, t in package.values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        workbook = self._small_xml(workbook_part)
        rels = self._rels(workbook_part)
        self.date1904 = False
        first_sheet: str | None = None
        for element in workbook.iter():
            tag = _local(element.tag)
            if tag == "workbookPr":
                self.date1904 = element.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet" and first_sheet is None:
                rid = next((element.get(f"{{{ns}}}id") for ns in _REL_NS if element.get(f"{{{ns}}}id")), None)  # fmt: skip
                if rid in rels:
                    first_sheet = rels[rid][1]
        if first_sheet is None:
            raise _unreadable(self.name, _("it has no sheet"))
        parts = {kind.rsplit("/", 1)[-1]: target for kind, target in rels.values()}
        self.sheet_info = self._info(first_sheet)
        self._check_part(self.sheet_info)
        shared = parts.get("sharedStrings")
        styles = parts.get("styles")
        claimed = self.sheet_info.file_size + sum(
            self._info(p).file_size for p in (shared, styles) if p and p in self.zip.NameToInfo
        )
        if claimed > self.limits.max_bytes:
            raise self._bomb()
        self.date_styles = self._date_styles(styles) if styles in self.zip.NameToInfo else set()
        self.strings = _Strings()
        if shared and shared in self.zip.NameToInfo:
            self._read_strings(shared)
        self.headers: list[str] = []
        self._rows = self._read_rows()
        first = next(self._rows, None)
        if first is None:
            raise Unreadable(_("The file is empty."))
        self.headers = [_header_text(c) for c in first[1]]

    def _date_styles(self, part: str) -> set[int]:
        from openpyxl.styles.numbers import is_date_format

        root = self._small_xml(part)
        formats: dict[int, str] = {}
        dates: set[int] = set()
        for element in root.iter():
            if _local(element.tag) == "numFmt":
                try:
                    formats[int(element.get("numFmtId", "-1"))] = element.get("formatCode", "")
                except ValueError:
                    continue
        for element in root.iter():
            if _local(element.tag) != "cellXfs":
                continue
            for index, xf in enumerate(element):
                try:
                    number = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                code = formats.get(number)
                if (code is not None and is_date_format(code)) or (
                    code is None and number in _DATE_FORMAT_IDS
                ):
                    dates.add(index)
            break
        return dates

    # -- shared strings ----------------------------------------------------------------------

    def _read_strings(self, part: str) -> None:
        info = self._info(part)
        self._check_part(info)
        if info.file_size > self.limits.max_shared_text:
            raise TooLarge(
                _(
                    "The file {path} holds more than {mb} MB of text; split it into smaller files."
                ).format(path=self.name, mb=self.limits.max_shared_text >> 20)
            )
        with self.zip.open(info) as handle:
            stream = _Stream(handle, info.file_size, self)
            buffer = ""
            prefix: str | None = None
            items: re.Pattern[str] | None = None
            pos = 0
            while True:
                chunk = stream.read()
                if chunk is None:
                    break
                buffer = buffer[pos:] + chunk
                pos = 0
                if prefix is None:
                    prefix = self._prefix(buffer, "sst")
                    if prefix is None:
                        if len(buffer) > CHUNK * 4:
                            raise _unreadable(self.name, "sharedStrings")
                        continue
                    p = re.escape(prefix)
                    items = re.compile(rf"<{p}si\b[^>]*?(?:/>|>(.*?)</{p}si\s*>)", re.S)
                    self._t = re.compile(rf"<{p}t(?:\s[^>]*)?>(.*?)</{p}t\s*>|<{p}t\s*/>", re.S)
                    self._rph = re.compile(rf"<{p}rPh\b.*?</{p}rPh\s*>", re.S)
                assert items is not None
                for match in items.finditer(buffer):
                    self.strings.append(self._inline(match.group(1) or ""))
                    pos = match.end()
                if len(buffer) - pos > self.limits.max_row_bytes:
                    raise TooLarge(_("A text in the file is too long to be a cell."))

    @staticmethod
    def _prefix(buffer: str, root: str) -> str | None:
        for match in _ROOT.finditer(buffer):
            if match.group(2) == root:
                return f"{match.group(1)}:" if match.group(1) else ""
        return None

    def _inline(self, inner: str) -> str:
        if "<" not in inner:
            return ""
        if "rPh" in inner:
            inner = self._rph.sub("", inner)
        text = "".join(m.group(1) or "" for m in self._t.finditer(inner))
        return unescape_excel(_unescape_xml(text))

    # -- the sheet ---------------------------------------------------------------------------

    def _read_rows(self) -> Generator[Row, None, None]:
        info = self.sheet_info
        limits = self.limits
        handle = self.zip.open(info)
        stream = _Stream(handle, info.file_size, self)
        self._sheet_stream = stream
        try:
            yield from self._scan(stream, limits)
        except zipfile.BadZipFile as exc:
            raise _unreadable(self.name, str(exc)) from exc
        finally:
            handle.close()

    def _scan(self, stream: _Stream, limits: Limits) -> Iterator[Row]:
        buffer = ""
        pos = 0
        eof = False
        patterns: _Patterns | None = None
        in_data = False
        last_row = 0
        rows = cells = 0
        need_more = True
        while True:
            if not eof and (need_more or len(buffer) - pos < CHUNK):
                need_more = False
                chunk = stream.read()
                if chunk is None:
                    eof = True
                else:
                    buffer = buffer[pos:] + chunk
                    pos = 0
            if patterns is None:
                prefix = self._prefix(buffer, "worksheet")
                if prefix is None:
                    if eof or len(buffer) > 4 * CHUNK:
                        raise _unreadable(self.name, _("the sheet has no rows"))
                    need_more = True
                    continue
                if "<!DOCTYPE" in buffer[:4096]:
                    raise _unreadable(self.name, _("it declares XML entities"))
                patterns = _Patterns(prefix)
            if not in_data:
                start = patterns.sheet_data.search(buffer, pos)
                if start is None:
                    if eof:
                        return  # no sheetData: an empty sheet
                    pos = max(pos, len(buffer) - 256)
                    need_more = True
                    continue
                if start.group(1) == "/>":
                    return
                in_data = True
                pos = start.end()
            while True:
                if buffer[pos : pos + 1].isspace():
                    ws = patterns.space.match(buffer, pos)
                    assert ws is not None
                    pos = ws.end()
                if buffer.startswith(patterns.end_data, pos):
                    return
                found = patterns.next_row(buffer, pos)
                if found is None:
                    break
                attributes, inner, pos = found
                number = patterns.row_number.search(attributes)
                index = int(number.group(1)) if number is not None else last_row + 1
                if index <= last_row:
                    raise _unreadable(
                        self.name, _("row {n} comes after row {m}").format(n=index, m=last_row)
                    )
                last_row = index
                values = self._cells(inner, patterns, index, limits)
                if not values:
                    continue
                rows += 1
                if rows > limits.max_rows + 1:  # + the header row
                    raise too_many_rows(limits)
                cells += len(values) - values.count(None)
                if cells > limits.max_cells:
                    raise too_many_cells(limits)
                yield index, values
            rest = len(buffer) - pos
            if eof:
                if rest and buffer[pos:].strip():
                    raise _unreadable(
                        self.name,
                        _("the sheet has content after row {n} that is not a row").format(
                            n=last_row
                        ),
                    )
                raise _unreadable(self.name, _("the sheet ends early"))
            if rest > limits.max_row_bytes and patterns.row_start.match(buffer, pos):
                raise TooLarge(
                    _("Row {n} of the file is too large to be a row of the template.").format(
                        n=last_row + 1
                    )
                )
            if rest > limits.max_row_bytes or (
                rest > 64 and not patterns.row_start.match(buffer, pos)
            ):
                raise _unreadable(
                    self.name,
                    _("the sheet has content after row {n} that is not a row").format(n=last_row),
                )
            need_more = True

    def _cells(self, inner: str, patterns: _Patterns, row: int, limits: Limits) -> list[Cell]:
        if patterns.simple_row.fullmatch(inner):
            return self._simple_cells(inner, patterns, row, limits)
        found: dict[int, Cell] = {}
        covered = 0
        column = -1
        for match in patterns.cell.finditer(inner):
            covered += match.end() - match.start()
            attrs = _attrs(match.group(1))
            ref = attrs.get("r")
            if ref:
                parsed = _REF.match(ref)
                if parsed is None:
                    raise _unreadable(self.name, _("a cell is named {ref}").format(ref=ref))
                column = _column_index(parsed.group(1).upper())
            else:
                column += 1
            if column >= limits.max_columns:
                raise TooLarge(
                    _("Row {n} has cells beyond the last column a sheet can have.").format(n=row)
                )
            value = self._value(attrs, match.group(2) or "", patterns)
            if value is not None and value != "":
                found[column] = value
        if covered != len(inner) and patterns.cell.sub("", inner).strip():
            raise _unreadable(
                self.name, _("row {n} holds something that is not a cell").format(n=row)
            )
        if not found:
            return []
        values: list[Cell] = [None] * (max(found) + 1)
        for index, value in found.items():
            values[index] = value
        return values

    def _simple_cells(
        self, inner: str, patterns: _Patterns, row: int, limits: Limits
    ) -> list[Cell]:
        """The cells of a row written the usual way (``r``, ``s``, ``t`` attributes in that
        order, a ``<v>`` value or one inline ``<t>``, no formula): one pattern, no per-cell
        parsing of attributes."""
        values: list[Cell] = []
        column = -1
        strings = self.strings
        known = _COLUMNS
        for letters, style, kind, v, inline in patterns.simple_cell.findall(inner):
            if letters:
                found = known.get(letters)
                column = found if found is not None else _column_index(letters)
            else:
                column += 1
            if column >= limits.max_columns:
                raise TooLarge(
                    _("Row {n} has cells beyond the last column a sheet can have.").format(n=row)
                )
            if inline:
                value: Cell = (
                    unescape_excel(_unescape_xml(inline))
                    if "&" in inline or "_x" in inline
                    else inline
                )
            elif not v:
                continue
            elif kind == "s":
                try:
                    value = strings[int(v)]
                except (ValueError, IndexError):
                    raise _unreadable(self.name, _("a cell refers to a missing text")) from None
            elif not kind or kind == "n":
                value = self._number(v, style or None)
            else:
                value = self._value(
                    {"t": kind, "s": style},
                    f"<{patterns.prefix}v>{v}</{patterns.prefix}v>",
                    patterns,
                )
            if value is None or value == "":
                continue
            width = len(values)
            if column == width:
                values.append(value)
            else:
                if column > width:
                    values.extend([None] * (column + 1 - width))
                values[column] = value
        return values

    def _value(self, attrs: dict[str, str], inner: str, patterns: _Patterns) -> Cell:
        kind = attrs.get("t", "n")
        if kind == "inlineStr":
            if patterns.inline.search(inner):
                return self._inline_text(inner, patterns)
            return None
        v = patterns.value.search(inner) if inner else None
        text = _unescape_xml(v.group(1) or "") if v is not None else ""
        if not text and patterns.f_tag in inner and patterns.formula.search(inner):
            f = patterns.formula_text.search(inner)
            return Formula(_unescape_xml(f.group(1) or "") if f is not None else "")
        if not text:
            return None
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError):
                raise _unreadable(self.name, _("a cell refers to a missing text")) from None
        if kind == "n":
            return self._number(text, attrs.get("s"))
        if kind == "str":
            return unescape_excel(text)
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "e":
            return CellError(text)
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(text)
            except ValueError:
                return text
        return unescape_excel(text)

    def _inline_text(self, inner: str, patterns: _Patterns) -> str:
        if "rPh" in inner:
            inner = patterns.rph.sub("", inner)
        text = "".join(m.group(1) or "" for m in patterns.text.finditer(inner))
        return unescape_excel(_unescape_xml(text))

    def _number(self, text: str, style: str | None) -> Cell:
        try:
            number: int | float = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise _unreadable(
                    self.name, _("a cell holds {value}, not a number").format(value=text[:40])
                ) from None
        if style is not None and style.isdigit() and int(style) in self.date_styles:
            return excel_date(float(number), self.date1904) or number
        return number

    # -- the Table protocol ------------------------------------------------------------------

    def rows(self) -> Iterator[Row]:
        return self._rows

    def fraction_read(self) -> float:
        stream = self._sheet_stream
        if stream is None:
            return 0.0
        return min(1.0, stream.read_bytes / stream.size)

    def close(self) -> None:
        self._rows.close()
        self.zip.close()
        self.strings = _Strings()  # (the file's text, freed now rather than with the table)


def _header_text(cell: Cell) -> str:
    if cell is None or isinstance(cell, Formula | CellError):
        return ""
    return str(cell).strip()


class _Patterns:
    """The element patterns of one sheet (with the namespace prefix its writer used)."""

    def next_row(self, buffer: str, pos: int) -> tuple[str, str, int] | None:
        """(attributes, content, end) of the ``<row>`` element at ``pos``, or None when there
        is none there, or not all of it yet (found with ``str.find``, faster than a pattern
        over the whole row)."""
        if not buffer.startswith(self.row_open, pos):
            return None
        after = pos + len(self.row_open)
        if after >= len(buffer) or buffer[after] not in " \t\r\n/>":
            return None
        tag_end = buffer.find(">", after)
        if tag_end < 0:
            return None
        if buffer[tag_end - 1] == "/":
            return buffer[after : tag_end - 1], "", tag_end + 1
        close = buffer.find(self.row_close, tag_end)
        if close < 0:
            return None
        close_end = buffer.find(">", close)
        if close_end < 0 or buffer[close + len(self.row_close) : close_end].strip():
            return None
        return buffer[after:tag_end], buffer[tag_end + 1 : close], close_end + 1

    def __init__(self, prefix: str) -> None:
        p = re.escape(prefix)
        self.prefix = prefix
        self.row_number = re.compile(r"\br\s*=\s*[\"'](\d+)[\"']")
        simple = (
            rf"<{p}c(?: r=\"([A-Z]{{1,3}})\d+\")?(?: s=\"(\d+)\")?(?: t=\"(\w+)\")?"
            rf"(?:\s?/>|>(?:<{p}v>([^<]*)</{p}v>|<{p}is><{p}t(?: xml:space=\"preserve\")?>"
            rf"([^<]*)</{p}t></{p}is>)?</{p}c>)"
        )
        self.simple_cell = re.compile(simple)
        self.simple_row = re.compile(rf"(?:{simple})*")
        self.sheet_data = re.compile(rf"<{p}sheetData\b[^>]*?(/>|>)")
        self.end_data = f"</{prefix}sheetData"
        self.space = re.compile(r"\s+")
        self.row_start = re.compile(rf"<{p}row\b")
        self.row_open = f"<{prefix}row"
        self.row_close = f"</{prefix}row"
        self.cell = re.compile(rf"<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c\s*>)", re.S)
        self.value = re.compile(rf"<{p}v(?:\s[^>]*)?>(.*?)</{p}v\s*>", re.S)
        self.f_tag = f"<{prefix}f"
        self.formula = re.compile(rf"<{p}f\b")
        self.formula_text = re.compile(rf"<{p}f(?:\s[^>]*)?>(.*?)</{p}f\s*>", re.S)
        self.inline = re.compile(rf"<{p}is\b")
        self.text = re.compile(rf"<{p}t(?:\s[^>]*)?>(.*?)</{p}t\s*>", re.S)
        self.rph = re.compile(rf"<{p}rPh\b.*?</{p}rPh\s*>", re.S)
