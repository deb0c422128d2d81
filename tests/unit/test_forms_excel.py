"""The public-notice list and the roster as .xlsx files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from caseworker.core.idcard import mask
from caseworker.forms import write_notice_xlsx, write_roster_xlsx
from caseworker.forms.samples import sample_notice, sample_roster


def _check_print_settings(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.column_dimensions["B"].width or 0) >= 15


def test_notice_workbook_reads_back(tmp_path: Path) -> None:
    data = sample_notice()
    path = write_notice_xlsx(data, tmp_path / "notice.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    headers = [c.value for c in ws[3]]
    assert headers == ["序号", "姓名", "性别", "年龄", "认定类别", "所属社区(村)", "身份证号"]
    for r, person in enumerate(data.persons, start=4):
        assert ws.cell(r, 1).value == r - 3
        assert ws.cell(r, 2).value == person.name
        assert ws.cell(r, 4).value == person.age
        id_cell = ws.cell(r, 7)
        assert id_cell.value == mask(person.id_number)
        assert isinstance(id_cell.value, str)
        assert id_cell.number_format == "@"
    assert "5 个工作日" in str(ws["A2"].value)
    assert ws.max_row == 3 + len(data.persons)
    _check_print_settings(ws)


def test_roster_workbook_keeps_full_id_numbers_as_text(tmp_path: Path) -> None:
    data = sample_roster(25)
    path = write_roster_xlsx(data, tmp_path / "roster.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    headers = [c.value for c in ws[3]]
    assert headers == [
        "序号", "姓名", "性别", "身份证号", "类别", "村/社区", "登记失业时间", "联系电话", "签字",
    ]  # fmt: skip
    ending_x = 0
    for r, row in enumerate(data.rows, start=4):
        id_cell = ws.cell(r, 4)
        assert id_cell.value == row.id_number
        assert isinstance(id_cell.value, str)
        assert id_cell.number_format == "@"
        ending_x += id_cell.value.endswith("X")
        assert ws.cell(r, 8).value == row.phone
        assert isinstance(ws.cell(r, 8).value, str)
        registered = ws.cell(r, 7).value
        assert isinstance(registered, dt.datetime)
        assert registered.date() == row.unemployment_registered
    assert ending_x > 0
    values = [ws.cell(r, 2).value for r in range(4, ws.max_row + 1)]
    assert "共 25 人" in values
    _check_print_settings(ws)


def test_an_unwritable_destination_raises_a_user_error(tmp_path: Path) -> None:
    from caseworker.core.errors import UserError

    with pytest.raises(UserError, match="does not exist"):
        write_roster_xlsx(sample_roster(3), tmp_path / "missing" / "roster.xlsx")
