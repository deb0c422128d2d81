"""Tables from .xlsx and .csv files, read as a stream: every row, in bounded memory, or a
clear refusal.

:func:`open_table` returns a :class:`Table`: the header row and an iterator over the data
rows, ``(line, cells)``, where ``line`` is the row number a spreadsheet program shows and a
cell is ``None``, text, a number, a bool, a :class:`datetime.datetime`, a :class:`Formula`
(a formula cell without a saved result) or a :class:`CellError` (``#REF!`` …).

Promises
--------
- **Every row is read.**  The ``.xlsx`` reader (:mod:`caseworker.core.xlsx`) never trusts the
  sheet's ``<dimension>`` tag or any other size the file claims; it reads every ``<row>``
  element of the sheet, and refuses the file when part of the sheet is something it cannot
  read, rather than skipping it.
- **Memory stays flat.**  Rows are produced one at a time; nothing is padded to a claimed
  size.  What a file may hold is capped (:class:`Limits`: rows, non-empty cells, columns,
  uncompressed bytes, compression ratio, shared-string text, bytes of one row, characters of
  one CSV field); past a cap the file is refused with :class:`TooLarge`, whose message says
  which cap and what to do.
- **CSV files** are read as UTF-8 (with or without a BOM) or else GB18030/GBK, with any line
  ends (Windows CR LF, Unix LF, old Mac CR).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from caseworker.core.errors import UserError
from caseworker.i18n import _

Cell = object
Row = tuple[int, list[Cell]]

#: Python's csv module refuses longer fields (a process-wide setting we leave alone).
CSV_FIELD_LIMIT = 131_072


@dataclass(frozen=True, slots=True)
class Limits:
    """What one file may hold (see the module docstring)."""

    max_rows: int = 200_000
    max_cells: int = 10_000_000
    max_columns: int = 16_384  # XFD, the last column of Excel
    max_bytes: int = 1 << 30  # uncompressed, all parts read together
    max_ratio: int = 200  # uncompressed / compressed, of a part over 1 MiB
    max_shared_text: int = 64 << 20  # bytes of the shared-string part
    max_row_bytes: int = 4 << 20
    max_part_bytes: int = 16 << 20  # workbook, relationships, styles


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula cell that has no saved result (the file was never calculated and saved)."""

    text: str


@dataclass(frozen=True, slots=True)
class CellError:
    """A cell that shows an error value such as ``#REF!`` or ``#N/A``."""

    code: str


class TooLarge(UserError):
    """The file exceeds one of the :class:`Limits`."""


class Unreadable(UserError):
    """The file is not a spreadsheet this program can read in full."""


class Table(Protocol):
    headers: list[str]

    def rows(self) -> Iterator[Row]: ...

    def fraction_read(self) -> float: ...

    def close(self) -> None: ...


def column_name(index: int) -> str:
    """The spreadsheet name of a 0-based column index: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def too_many_rows(limits: Limits) -> TooLarge:
    return TooLarge(
        _(
            "The file has more than {n} rows; split it into smaller files and import them "
            "one after another."
        ).format(n=limits.max_rows)
    )


def too_many_cells(limits: Limits) -> TooLarge:
    return TooLarge(
        _("The file has more than {n} filled cells; split it into smaller files.").format(
            n=limits.max_cells
        )
    )


def open_table(path: Path, limits: Limits = DEFAULT_LIMITS) -> Table:
    """The table in ``path`` (the first sheet of a workbook, or a CSV file)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UserError(_("The file {path} does not exist.").format(path=path))
    if suffix == ".csv":
        return CsvTable(path, limits)
    if suffix in {".xlsx", ".xlsm"}:
        from caseworker.core.xlsx import XlsxTable

        return XlsxTable(path, limits)
    raise UserError(
        _("Import reads .xlsx or .csv files, not {suffix}.").format(suffix=suffix or path.name)
    )


# -- CSV ---------------------------------------------------------------------------------------


class _Counting(io.RawIOBase):
    """A raw binary file that counts the bytes read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def csv_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file is UTF-8, else ``gb18030`` (checked in a stream)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


class CsvTable:
    """A CSV file: the first record holds the headers; ``line`` is the record's row number
    as a spreadsheet program shows it (a quoted value with line breaks stays one row)."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.size = max(path.stat().st_size, 1)
        self.encoding = csv_encoding(path)
        self._raw = _Counting(path.open("rb"))
        self._text = io.TextIOWrapper(
            io.BufferedReader(self._raw, 1 << 16), encoding=self.encoding, newline=""
        )
        self._reader = csv.reader(self._text)
        first = self._next(1)
        if first is None:
            self.close()
            raise UserError(_("The file is empty."))
        self.headers = [h.strip() for h in first]

    def _next(self, line: int) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            raise Unreadable(
                _(
                    "Row {line} of the file is neither UTF-8 nor GB18030 text; save the file "
                    "again as “CSV UTF-8” and import it."
                ).format(line=line)
            ) from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise TooLarge(
                    _(
                        "Row {line} has a cell of more than {n} characters; no column of the "
                        "template is that long. Check that this is the right file."
                    ).format(line=line, n=CSV_FIELD_LIMIT)
                ) from None
            raise Unreadable(
                _("Row {line} of the file cannot be read as CSV: {error}").format(
                    line=line, error=exc
                )
            ) from None

    def rows(self) -> Iterator[Row]:
        line = 1
        cells = 0
        while True:
            line += 1
            record = self._next(line)
            if record is None:
                return
            if line - 1 > self.limits.max_rows:
                raise too_many_rows(self.limits)
            cells += len(record)
            if cells > self.limits.max_cells:
                raise too_many_cells(self.limits)
            yield line, list(record)

    def fraction_read(self) -> float:
        return min(1.0, self._raw.count / self.size)

    def close(self) -> None:
        self._text.close()


def excel_date(value: float, date1904: bool) -> dt.datetime | None:
    """The datetime of an Excel serial number, or None when it is out of range."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    try:
        result = from_excel(value, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
    except (OverflowError, ValueError):
        return None
    if isinstance(result, dt.datetime):
        return result
    return None
