"""The printed forms of public-welfare posts: every form as PDF (fonts embedded, the Chinese
text extractable, masked IDs on the public notice only) and as .xlsx (totals equal the sum of
the lines, text never a formula), through the CLI."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from caseworker.cli import main
from caseworker.core.money import Money
from caseworker.forms.posts_forms import amount_in_words
from tests.helpers import make_id, on_day, recognise, register

D = dt.date
FORMS = (
    "payroll-notice", "payroll-roster", "attendance-sheet", "post-subsidy-application",
    "social-insurance-application",
)  # fmt: skip


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), "--lang", "en", *args])


def make_month(store: Any, db: Path, capsys: pytest.CaptureFixture[str], n: int = 3) -> list[Any]:
    with on_day(D(2024, 9, 1)):
        people = [
            register(store, name, make_id(birth=D(1975 + i, 4, 1), seq=131 + 2 * i),
                     registered_unemployed_since=D(2023, 1, 1), village="红旗村",
                     bank_name="农村信用社", bank_account=f"62284800000000{i:04d}")
            for i, name in enumerate(["张三", "王五", "艾力·买买提", "古丽"][:n])
        ]  # fmt: skip
    for who in people:
        recognise(store, who.id)
    assert cli(db, "employers", "add", "--name", "红旗村村委会", "--credit-code",
               "91350100M000100Y43", "--bank", "农村信用社", "--account", "6228480000123") == 0  # fmt: skip
    assert cli(db, "posts", "add", "--employer", "红旗村村委会", "--title", "保洁员", "--kind",
               "rural", "--standard", "1900", "--village", "红旗村", "--headcount", "5") == 0  # fmt: skip
    post_id = capsys.readouterr().out.strip().splitlines()[-1]
    for i, who in enumerate(people):
        assert cli(db, "placements", "start", who.id_number, "--post", post_id, "--on",
                   "2024-11-01") == 0  # fmt: skip
        assert cli(db, "attendance", "set", who.id_number, "--month", "2025-04", "--worked",
                   str(22 - i), "--pension", "320.00", "--medical", "150.50",
                   "--unemployment", "9.60") == 0  # fmt: skip
    assert cli(db, "payroll", "build", "--month", "2025-04") == 0
    capsys.readouterr()
    return [people, post_id]


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (180952, "壹仟捌佰零玖元伍角贰分"),
        (190000, "壹仟玖佰元整"),
        (1000500, "壹万零伍元整"),
        (1010010, "壹万零壹佰元壹角整"),
        (5, "伍分"),
        (12345678900, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整"),
    ],
)
def test_amount_in_words(fen: int, words: str) -> None:
    assert amount_in_words(Money(fen)) == words


def test_every_form_as_pdf_and_xlsx(
    store: Any,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEWORKER_TODAY", "2025-05-06")
    people, post_id = make_month(store, db_path, capsys)
    for form in FORMS:
        for suffix in (".pdf", ".xlsx"):
            path = tmp_path / f"{form}{suffix}"
            extra = ["--post", post_id] if form == "attendance-sheet" else []
            assert cli(db_path, "print", form, "--month", "2025-04", *extra, "-o", str(path)) == 0
            assert path.stat().st_size > 1000
            keep = Path(os.environ.get("POSTS_FORMS_OUT", ""))
            if keep.name:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / path.name).write_bytes(path.read_bytes())
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "payroll-notice.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "公益性岗位补贴发放公示表" in text
    assert "合计：3 人，5440.91 元" in text  # 1900.00 + 1813.64 + 1727.27
    assert people[0].id_number not in text
    assert people[0].id_number[:4] in text
    roster = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "payroll-roster.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert people[0].id_number in roster
    assert "制表人" in roster
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "payroll-roster.pdf")], capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    assert all(" yes " in line for line in fonts.splitlines()[2:])
    wb = load_workbook(tmp_path / "payroll-notice.xlsx")
    ws = wb.active
    assert ws is not None
    amounts = sorted(Decimal(str(ws.cell(row=r, column=7).value)) for r in range(4, 7))
    assert amounts == [Decimal("1727.27"), Decimal("1813.64"), Decimal("1900")]
    assert sum(amounts, Decimal(0)) == Decimal("5440.91")
    assert ws.cell(row=8, column=1).value == "合计：3 人，5440.91 元"
    sheet = load_workbook(tmp_path / "attendance-sheet.xlsx").active
    assert sheet is not None
    headers = [sheet.cell(row=3, column=c).value for c in range(1, 30)]
    assert headers[3:6] == ["1", "2", "3"]  # April 2025: 4-4 off, 4-27 a working Sunday
    assert "4" not in headers
    assert "27" in headers
