"""The public-notice list and the roster as Excel workbooks (openpyxl).

Chinese headers, column widths, a frozen header row, A4 landscape fitted to the page width
with the header row repeated on every printed page, and ID numbers stored as text (so Excel
never turns them into 6.5E+17 or drops a final ``X``).  Every text (names, villages, the
station's name in the subtitle …) is written as a text cell through
:func:`caseworker.core.text.for_cell`: never a live formula.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from caseworker.core.files import write_atomically
from caseworker.core.idcard import mask
from caseworker.core.text import for_cell
from caseworker.forms.application import format_date
from caseworker.forms.data import NoticeData, RosterData, roster_totals
from caseworker.forms.lists import CATEGORY_SEPARATOR, notice_id, roster_id

TEXT = "@"
HEADER_ROW = 3
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E6E6E6")

#: (header, width in characters, stored as text)
NOTICE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 6, False),
    ("姓名", 18, False),
    ("性别", 6, False),
    ("年龄", 6, False),
    ("认定类别", 40, False),
    ("所属社区(村)", 16, False),
    ("身份证号", 22, True),
)
ROSTER_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 6, False),
    ("姓名", 18, False),
    ("性别", 6, False),
    ("身份证号", 22, True),
    ("类别", 40, False),
    ("村/社区", 16, False),
    ("登记失业时间", 14, False),
    ("联系电话", 15, True),
    ("签字", 14, False),
)


def _put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write ``value``; a text as a text cell, neutralised (never a formula)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = for_cell(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def _sheet(
    ws: Worksheet,
    title: str,
    subtitle: str,
    columns: Sequence[tuple[str, float, bool]],
    rows: Sequence[Sequence[object]],
) -> None:
    ncols = len(columns)
    last = get_column_letter(ncols)
    _put(ws, 1, 1, title)
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    _put(ws, 2, 1, subtitle)
    ws.merge_cells(f"A2:{last}2")
    for c, (header, width, _text) in enumerate(columns, start=1):
        cell = _put(ws, HEADER_ROW, c, header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for c, value in enumerate(row, start=1):
            is_text = columns[c - 1][2]
            cell = _put(ws, r, c, str(value) if is_text else value)
            if is_text:
                cell.number_format = TEXT
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"


def _save(wb: Workbook, path: str | os.PathLike[str]) -> Path:
    write_atomically(path, lambda tmp: wb.save(str(tmp)))
    return Path(path)


def write_notice_xlsx(data: NoticeData, path: str | os.PathLike[str]) -> Path:
    """Write the public-notice list (ID numbers masked) to ``path`` (.xlsx)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "公示名单"
    rows = [
        (i, p.name, p.sex, p.age, CATEGORY_SEPARATOR.join(p.categories), p.village,
         mask(p.id_number))
        for i, p in enumerate(data.persons, start=1)
    ]  # fmt: skip
    subtitle = (
        f"{data.station.name}  公示期：{format_date(data.period_start)} 至 "
        f"{format_date(data.period_end)}（{data.working_days} 个工作日）  "
        f"联系人：{data.contact_name}  联系电话：{data.contact_phone}  名单编号：{notice_id(data)}"
    )
    _sheet(ws, "就业困难人员认定公示名单", subtitle, NOTICE_COLUMNS, rows)
    return _save(wb, path)


def write_roster_xlsx(data: RosterData, path: str | os.PathLike[str]) -> Path:
    """Write the roster (full ID numbers, totals below the rows) to ``path`` (.xlsx)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "花名册"
    rows = [
        (
            i,
            r.name,
            r.sex,
            r.id_number,
            CATEGORY_SEPARATOR.join(r.categories),
            r.village,
            r.unemployment_registered,
            r.phone,
            "",
        )
        for i, r in enumerate(data.rows, start=1)
    ]
    subtitle = f"{data.station.name}  {data.filters}  名单编号：{roster_id(data)}"
    _sheet(ws, data.title or "就业困难人员花名册", subtitle, ROSTER_COLUMNS, rows)
    for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(rows)):
        ws.cell(row=r, column=7).number_format = "yyyy-mm-dd"
    totals = roster_totals(data.rows)
    row = HEADER_ROW + len(rows) + 2
    _put(ws, row, 1, "合计").font = Font(bold=True)
    _put(ws, row, 2, f"共 {totals.count} 人")
    for heading, counts in (("按类别", totals.by_category), ("按性别", totals.by_sex)):
        for k, (label, n) in enumerate(counts):
            row += 1
            if k == 0:
                _put(ws, row, 1, heading)
            _put(ws, row, 2, label)
            _put(ws, row, 3, n)
    return _save(wb, path)
