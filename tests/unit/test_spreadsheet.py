from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from caseworker.core.errors import UserError
from caseworker.registry import persons, spreadsheet
from caseworker.registry.fields import PERSON_FIELDS
from tests.helpers import make_id

HEADERS = [
    "姓名",
    "身份证号",
    "民族",
    "联系电话",
    "所属村(社区)",
    "登记失业日期",
    "享受低保",
    "备注",
]


def write_xlsx(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


GOOD_1 = [
    "张三",
    make_id(seq=111),
    "汉族",
    "13899998888",
    "红旗村",
    dt.datetime(2024, 3, 1),
    "否",
    "",
]
GOOD_2 = [
    "阿不都热合曼•买买提",
    make_id("653101", seq=113).lower(),
    "维吾尔族",
    "",
    "南湖社区",
    "2023-08-31",
    "是",
    "低保户",
]
BAD_ID = ["李四", "650102199001011230", "汉族", "", "红旗村", "", "否", ""]
BAD_VILLAGE = ["王五", make_id(seq=115), "汉族", "", "火星村", "", "否", ""]
BAD_DATE = ["赵六", make_id(seq=117), "汉族", "", "红旗村", "2023-02-30", "否", ""]


def test_import_good_and_bad_rows(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "in.xlsx", [GOOD_1, BAD_ID, [None] * 8, GOOD_2, BAD_VILLAGE, BAD_DATE, GOOD_1]
    )
    report = spreadsheet.import_persons(store, path, today=dt.date(2026, 11, 27))
    assert report.imported == 2
    assert report.rows == 6
    assert [(r.line, r.name) for r in report.rejected] == [
        (3, "李四"),
        (6, "王五"),
        (7, "赵六"),
        (8, "张三"),
    ]
    assert "身份证号" in report.rejected[0].reason
    assert "火星村" in report.rejected[1].reason
    assert "line 2" in report.rejected[3].reason
    with store.reading() as session:
        person = persons.find_by_id_number(session, make_id("653101", seq=113))
        assert person is not None
        assert person.name == "阿不都热合曼·买买提"
        assert person.min_living_allowance is True
        assert person.registered_unemployed_since == dt.date(2023, 8, 31)
        assert person.village is not None
        assert person.village.name == "南湖社区"
        assert person.ethnicity == "05"


def test_reimport_adds_nothing(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", [GOOD_1, GOOD_2])
    assert spreadsheet.import_persons(store, path).imported == 2
    again = spreadsheet.import_persons(store, path)
    assert again.imported == 0
    assert [line for line, _ in again.already_registered] == [2, 3]
    with store.reading() as session:
        assert persons.count(session) == 2


def test_dry_run_writes_nothing(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", [GOOD_1])
    report = spreadsheet.import_persons(store, path, dry_run=True)
    assert (report.rows, report.imported, report.rejected) == (1, 0, [])
    with store.reading() as session:
        assert persons.count(session) == 0


def test_cancel_keeps_nothing(store: Any, tmp_path: Path) -> None:
    rows = [
        [f"张{c}", make_id(seq=i), "", "", "", "", "", ""]
        for i, c in zip(range(1, 900, 2), "一二三四五六七八九十" * 50, strict=False)
    ]
    path = write_xlsx(tmp_path / "in.xlsx", rows)
    report = spreadsheet.import_persons(
        store, path, progress=lambda done, total: done < total * 0.9
    )
    assert report.cancelled
    with store.reading() as session:
        assert persons.count(session) == 0


def test_csv_in_gb18030_and_utf8(store: Any, tmp_path: Path) -> None:
    for encoding, row in (("gb18030", GOOD_1), ("utf-8-sig", GOOD_2)):
        path = tmp_path / f"{encoding}.csv"
        with path.open("w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            writer.writerow(
                [v.strftime("%Y-%m-%d") if isinstance(v, dt.datetime) else v for v in row]
            )
        assert spreadsheet.import_persons(store, path).imported == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.txt", b"hello", "not .txt"),
        ("empty.csv", b"", "empty"),
        ("noheaders.csv", "名字,号码\n张三,1\n".encode(), "no column"),
        ("broken.xlsx", b"not a zip", "cannot be read"),
    ],
)
def test_unreadable_files(
    store: Any, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        spreadsheet.import_persons(store, path)


def test_export_round_trip(store: Any, tmp_path: Path) -> None:
    spreadsheet.import_persons(store, write_xlsx(tmp_path / "in.xlsx", [GOOD_1, GOOD_2]))
    out = tmp_path / "out.xlsx"
    assert spreadsheet.export_persons(store, out).exported == 2
    sheet = load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    assert headers == [f.header for f in PERSON_FIELDS] + ["户编号", "与户主关系"]
    assert sheet.freeze_panes == "A2"
    ids = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, str) and len(v) == 18 for v in ids)
    assert (
        spreadsheet.import_persons(store, out).imported == 0
    )  # same headers: re-import adds nothing


def test_export_failure_leaves_no_file(store: Any, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        spreadsheet.export_persons(store, tmp_path / "missing" / "out.xlsx")
    with pytest.raises(UserError, match=r"\.xlsx"):
        spreadsheet.export_persons(store, tmp_path / "out.pdf")
    assert list(tmp_path.iterdir()) == [tmp_path / "station.sqlite3"] or not any(
        p.name.startswith(".caseworker-") for p in tmp_path.iterdir()
    )


def test_shipped_template_matches_the_fields() -> None:
    from caseworker.core.resources import resource

    sheet = load_workbook(resource("templates", "persons-template.xlsx")).active
    headers = [f.header for f in PERSON_FIELDS] + ["户编号", "与户主关系"]
    assert [c.value for c in sheet[1]] == headers
    with resource("templates", "persons-template.csv").open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == headers
