"""Write one sheet of rows to an .xlsx file as a stream (the registry export and the template).

openpyxl builds a Python object per cell (and its write-only mode still does): 100,000
persons took minutes.  The registry export needs only text, whole numbers and dates in a
plain grid with a bold, frozen header row, so this module writes the few XML parts of such a
workbook itself, row by row, straight into the zip: memory stays flat and the time is
seconds.  Every text cell goes through :func:`caseworker.core.text.for_cell`: written as text
(an inline string, never a formula), with a leading ``=`` ``+`` ``-`` ``@`` neutralised by an
apostrophe.  Dates are Excel serial numbers with a ``yyyy-mm-dd`` format.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from xml.sax.saxutils import escape

from caseworker.core.tables import column_name
from caseworker.core.text import for_cell, needs_pictures

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_EPOCH = dt.date(1899, 12, 30)
_ROWS_PER_WRITE = 500


class Style(Enum):
    """A column's cell format (the index into ``cellXfs`` of :data:`STYLES`)."""

    GENERAL = 0
    HEADER = 1
    TEXT = 2  # "@": typed values stay text (ID numbers keep every digit)
    DATE = 3  # yyyy-mm-dd


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float
    style: Style = Style.GENERAL


STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""


def _workbook(title: str) -> str:
    name = escape(title[:31], {'"': "&quot;"})
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews>'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _text_xml(value: str) -> str:
    text = escape(value)
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if value != value.strip() or "\n" in value:
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


@dataclass
class SheetStats:
    rows: int = 0
    pictured: int = 0  # text cells with characters XML cannot hold, shown as symbols


def write_sheet(
    path: Path,
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    total: int,
    progress: Callable[[int, int], bool] | None = None,
) -> SheetStats:
    """Write ``rows`` (``total`` of them, for the dimension and the progress) under a bold,
    frozen header row.  Values: text, int, float, bool, date or datetime, None for empty.
    ``progress(done, total)`` returning False stops with :class:`StopWriting`."""
    letters = [column_name(i) for i in range(len(columns))]
    last = f"{letters[-1]}{total + 1}"
    stats = SheetStats()
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
        for i, c in enumerate(columns, start=1)
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
        'sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>"
    )
    header = "".join(
        f'<c r="{letters[i]}1" s="1" t="inlineStr">{_text_xml(for_cell(c.header))}</c>'
        for i, c in enumerate(columns)
    )
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf,
    ):
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook(title))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", STYLES)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head.encode("utf-8"))
            parts = [f'<row r="1">{header}</row>']
            styles = [c.style.value for c in columns]
            for number, row in enumerate(rows, start=2):
                parts.append(_row(number, row, letters, styles, stats))
                stats.rows += 1
                if len(parts) >= _ROWS_PER_WRITE:
                    sheet.write("".join(parts).encode("utf-8"))
                    parts = []
                    if progress is not None and not progress(stats.rows, total):
                        raise StopWriting
            parts.append("</sheetData></worksheet>")
            sheet.write("".join(parts).encode("utf-8"))
    return stats


class StopWriting(Exception):
    """The person cancelled; the caller's atomic write removes the partial file."""


def _row(
    number: int,
    row: Sequence[object],
    letters: list[str],
    styles: list[int],
    stats: SheetStats,
) -> str:
    cells = []
    for index, value in enumerate(row):
        if value is None or value == "":
            continue
        ref = f"{letters[index]}{number}"
        style = styles[index]
        if isinstance(value, str):
            if needs_pictures(value):
                stats.pictured += 1
            cells.append(f'<c r="{ref}" s="{style}" t="inlineStr">{_text_xml(for_cell(value))}</c>')
        elif isinstance(value, bool):
            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            cells.append(f'<c r="{ref}" s="{Style.DATE.value}"><v>{(day - _EPOCH).days}</v></c>')
        elif isinstance(value, int | float):
            cells.append(f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>')
        else:
            text = for_cell(str(value))
            cells.append(f'<c r="{ref}" s="{style}" t="inlineStr">{_text_xml(text)}</c>')
    return f'<row r="{number}">{"".join(cells)}</row>'
