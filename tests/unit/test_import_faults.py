"""Files in and out that can be trusted (issue 9): every row read or the file refused, no live
formulas, control characters handled, bounded memory, a clear message for every fault."""

from __future__ import annotations

import datetime as dt
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from caseworker.core.errors import UserError
from caseworker.core.tables import Limits, TooLarge, open_table
from caseworker.registry import persons, spreadsheet
from caseworker.registry.fields import PERSON_FIELDS
from tests.helpers import make_id

HEADERS = ["姓名", "身份证号", "常住地址", "备注"]
NAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"


def people(n: int, start: int = 1) -> list[list[object]]:
    born = dt.date(1980, 1, 1)
    return [
        [
            f"张{NAMES[i % 20]}{NAMES[(i // 20) % 20]}",
            make_id(birth=born + dt.timedelta(days=i // 400), seq=start + 2 * (i % 400)),
            "",
            "",
        ]
        for i in range(n)
    ]


def write_xlsx(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def rewrite_sheet(path: Path, change: Any) -> Path:
    """Rewrite the first sheet's XML of ``path`` with ``change(xml) -> xml``."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = change(parts[name].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)
    return path


def set_dimension(xml: str, ref: str) -> str:
    start = xml.index("<dimension")
    end = xml.index("/>", start) + 2
    return xml[:start] + f'<dimension ref="{ref}"/>' + xml[end:]


def count(store: Any) -> int:
    with store.reading() as session:
        return persons.count(session)


# -- 1. every row is read ----------------------------------------------------------------------


def test_a_lying_dimension_does_not_hide_rows(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", people(10))
    rewrite_sheet(path, lambda xml: set_dimension(xml, "A1:N2"))
    report = spreadsheet.import_persons(store, path)
    assert (report.rows, report.imported) == (10, 10)
    assert count(store) == 10


def test_a_dimension_claiming_the_whole_sheet_costs_nothing(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", people(3))
    rewrite_sheet(path, lambda xml: set_dimension(xml, "A1:XFD1048576"))
    tracemalloc.start()
    try:
        table = open_table(path)
        rows = list(table.rows())
        table.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [len(cells) for _, cells in rows] == [2, 2, 2]  # no padding to column XFD
    assert peak < 5_000_000


def test_rows_without_numbers_and_cells_without_references_are_read(
    store: Any, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", people(3))

    def strip_references(xml: str) -> str:
        import re

        xml = re.sub(r'<row r="\d+"', "<row", xml)
        return re.sub(r'<c r="[A-Z]+\d+"', "<c", xml)

    rewrite_sheet(path, strip_references)
    assert spreadsheet.import_persons(store, path).imported == 3


def test_a_sheet_part_that_is_not_a_row_refuses_the_file(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", people(3))
    rewrite_sheet(path, lambda xml: xml.replace('<row r="3"', '<rw r="3"><c/></rw><row r="3"'))
    with pytest.raises(UserError, match="not a row"):
        spreadsheet.import_persons(store, path)
    assert count(store) == 0


# -- 2. formulas -------------------------------------------------------------------------------


HOSTILE = {
    "notes": '=HYPERLINK("http://evil.example","click")',
    "address": "=cmd|' /C calc'!A0",
    "hukou_address": "+1+2",
    "graduate_school": "-2+3",
    "bank_name": "@SUM(1+1)",
    "employment_card_no": "'=already quoted",
}


def test_the_export_holds_no_formula_and_round_trips(
    store: Any, tmp_path: Path, db_path: Path
) -> None:
    with store.transaction() as session:
        villages = persons.village_names(session, store.station_code)
        raw = {"name": "张三", "id_number": make_id(seq=11), "village": "红旗村", **HOSTILE}
        raw["college_graduate"] = True
        persons.register(session, persons.validate(raw, villages=villages))
    out = tmp_path / "out.xlsx"
    assert spreadsheet.export_persons(store, out).exported == 1
    sheet = load_workbook(out).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    text = {c.value for c in cells}
    for value in HOSTILE.values():
        assert "'" + value in text  # neutralised the way OWASP recommends
    with zipfile.ZipFile(out) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()
    other = _fresh_store(tmp_path / "other.sqlite3")
    try:
        assert spreadsheet.import_persons(other, out).imported == 1
        with other.reading() as session:
            person = persons.find_by_id_number(session, make_id(seq=11))
            assert person is not None
            for field, value in HOSTILE.items():
                assert getattr(person, field) == value
    finally:
        other.dispose()


def _fresh_store(path: Path) -> Any:
    from caseworker.registry import stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    s = open_store(sqlite_url(path), actor="tester")
    stations.initialise(s, "650102001", "燕儿窝街道就业服务站", ["南湖社区", "红旗村", "团结村"])
    return s


def test_rosters_and_notices_hold_no_formula(tmp_path: Path) -> None:
    from dataclasses import replace

    from caseworker.forms import write_notice_xlsx, write_roster_xlsx
    from caseworker.forms.samples import sample_notice, sample_roster

    notice = sample_notice()
    roster = sample_roster()
    station = replace(notice.station, name="=cmd|' /C calc'!A0")
    notice = replace(notice, station=station)
    rows = tuple(replace(r, village="=HYPERLINK(1)") for r in roster.rows)
    roster = replace(roster, station=station, rows=rows)
    for path, write in (
        (tmp_path / "notice.xlsx", lambda p: write_notice_xlsx(notice, p)),
        (tmp_path / "roster.xlsx", lambda p: write_roster_xlsx(roster, p)),
    ):
        write(path)
        sheet = load_workbook(path).active
        assert sheet is not None
        cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
        assert cells
        assert all(c.data_type != "f" for c in cells), path
        assert not any(str(c.value).startswith("=") for c in cells), path


def _formula_sheet(tmp_path: Path, cached: bool) -> Path:
    path = write_xlsx(tmp_path / "in.xlsx", [["PLACEHOLDER", make_id(seq=21), "", ""]])
    value = "<v>张三</v>" if cached else ""
    return rewrite_sheet(
        path,
        lambda xml: xml.replace(
            '<c r="A2" t="inlineStr"><is><t>PLACEHOLDER</t></is></c>',
            f'<c r="A2" t="str"><f>CONCAT("张","三")</f>{value}</c>',
        ).replace(
            '<c r="A2" t="s"><v>4</v></c>', f'<c r="A2" t="str"><f>CONCAT("张","三")</f>{value}</c>'
        ),
    )


def test_a_formula_with_a_saved_result_gives_the_result(store: Any, tmp_path: Path) -> None:
    path = _formula_sheet(tmp_path, cached=True)
    assert "<f>" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    report = spreadsheet.import_persons(store, path)
    assert report.imported == 1
    with store.reading() as session:
        person = persons.find_by_id_number(session, make_id(seq=21))
        assert person is not None
        assert person.name == "张三"


def test_a_formula_without_a_saved_result_is_reported_not_emptied(
    store: Any, tmp_path: Path
) -> None:
    path = _formula_sheet(tmp_path, cached=False)
    report = spreadsheet.import_persons(store, path)
    assert report.imported == 0
    [row] = report.rejected
    assert row.line == 2
    assert "column A" in row.reason
    assert "formula" in row.reason
    assert 'CONCAT("张","三")' in row.reason
    assert "Enter the name" not in row.reason


def test_a_formula_in_a_notes_cell_is_not_stored_as_empty(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", [["张三", make_id(seq=23), "", "=1+1"]])
    report = spreadsheet.import_persons(store, path)
    assert report.imported == 0
    assert "column D" in report.rejected[0].reason


# -- 3. control characters ---------------------------------------------------------------------


def test_control_characters_are_refused_row_by_row(store: Any, tmp_path: Path) -> None:
    rows = [
        ["张三", make_id(seq=31), "红旗路\x1b[31m1号", ""],
        ["李四", make_id(seq=33), "", "备注\x0b第二行"],
        ["王五", make_id(seq=35), "", "a\x00b"],
        ["赵六", make_id(seq=37), "东路\u202e1号", ""],
        ["钱七", make_id(seq=39), "", "第一行\n第二行"],
    ]
    path = tmp_path / "in.csv"
    path.write_text(
        "姓名,身份证号,常住地址,备注\n" + "".join(f'{a},{b},"{c}","{d}"\n' for a, b, c, d in rows),
        encoding="utf-8",
    )
    report = spreadsheet.import_persons(store, path)
    assert report.imported == 1  # the line break inside the notes is fine
    reasons = {r.line: r.reason for r in report.rejected}
    assert "U+001B" in reasons[2]
    assert "U+000B" in reasons[3]
    assert "U+0000" in reasons[4]
    assert "U+202E" in reasons[5]
    assert "常住地址" in reasons[2]


def test_invisible_characters_at_the_ends_are_removed(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "in.xlsx",
        [["\ufeff张三", make_id(seq=41), "\u200b\u200f红旗路1号\u200e ", " \u200b"]],
    )
    assert spreadsheet.import_persons(store, path).imported == 1
    with store.reading() as session:
        person = persons.find_by_id_number(session, make_id(seq=41))
        assert person is not None
        assert (person.name, person.address, person.notes) == ("张三", "红旗路1号", "")


def test_old_records_with_control_characters_still_export(store: Any, tmp_path: Path) -> None:
    with store.transaction() as session:
        data = persons.validate({"name": "张三", "id_number": make_id(seq=43)})
        person = persons.register(session, data).person
        person.notes = "old\x1bnote\x00"  # stored before the rules, bypassing them
    out = tmp_path / "out.xlsx"
    report = spreadsheet.export_persons(store, out)
    assert (report.exported, report.pictured) == (1, 1)
    sheet = load_workbook(out).active
    assert sheet is not None
    notes_column = [f.name for f in PERSON_FIELDS].index("notes") + 1
    assert sheet.cell(row=2, column=notes_column).value == "old␛note␀"


# -- 5. bounded memory, caps -------------------------------------------------------------------


def _big_sheet(tmp_path: Path, rows: int) -> Path:
    path = write_xlsx(tmp_path / "in.xlsx", people(1))
    row = '<row><c t="inlineStr"><is><t>张三</t></is></c></row>'
    return rewrite_sheet(path, lambda xml: xml.replace("</sheetData>", row * rows + "</sheetData>"))


def test_a_compression_bomb_is_refused_before_it_is_read(store: Any, tmp_path: Path) -> None:
    path = _big_sheet(tmp_path, 60_000)  # 3 MB of XML packed into a few KB
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 50 * info.compress_size
    with pytest.raises(TooLarge, match="zip bomb"):
        spreadsheet.import_persons(store, path, limits=Limits(max_ratio=50))
    with pytest.raises(TooLarge, match="unpacks to more than"):
        spreadsheet.import_persons(store, path, limits=Limits(max_bytes=1 << 20))
    assert count(store) == 0


def test_too_many_rows_or_cells_refuse_the_file(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", people(10))
    with pytest.raises(TooLarge, match="more than 5 rows"):
        spreadsheet.import_persons(store, path, limits=Limits(max_rows=5))
    with pytest.raises(TooLarge, match="more than 12 filled cells"):
        spreadsheet.import_persons(store, path, limits=Limits(max_cells=12))
    csv_path = tmp_path / "in.csv"
    csv_path.write_text(
        "姓名,身份证号\n" + "".join(f"{a},{b}\n" for a, b, *_ in people(10)), encoding="utf-8"
    )
    with pytest.raises(TooLarge, match="more than 5 rows"):
        spreadsheet.import_persons(store, csv_path, limits=Limits(max_rows=5))
    assert count(store) == 0


def test_reading_memory_is_flat_in_the_file_size(tmp_path: Path) -> None:
    from caseworker.core.xlsxwrite import Column, write_sheet

    peaks = []
    for n in (20_000, 60_000):  # both well past the reader's chunk size
        path = tmp_path / f"{n}.xlsx"
        rows = people(n)
        write_sheet(path, title="s", columns=[Column(h, 10) for h in HEADERS], rows=rows, total=n)
        tracemalloc.start()
        try:
            table = open_table(path)
            assert sum(1 for _ in table.rows()) == n
            table.close()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.3
    assert peaks[1] < 32_000_000


# -- 7. CSV faults -----------------------------------------------------------------------------


def test_a_mac_csv_with_cr_line_ends_imports(store: Any, tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    lines = ["姓名,身份证号", *(f"{a},{b}" for a, b, *_ in people(3))]
    path.write_bytes("\r".join(lines).encode("gb18030") + b"\r")
    report = spreadsheet.import_persons(store, path)
    assert (report.rows, report.imported) == (3, 3)


def test_a_csv_field_over_128_kib_is_refused_with_its_row(store: Any, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(f"姓名,身份证号,备注\n张三,{make_id(seq=3)},{'x' * 140_000}\n")
    with pytest.raises(TooLarge, match="Row 2 has a cell of more than 131072 characters"):
        spreadsheet.import_persons(store, path)


# -- 8. no silent "last one wins" --------------------------------------------------------------


def test_a_header_used_twice_is_refused(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "in.xlsx",
        [["张三", make_id(seq=51), make_id(seq=53)]],
        headers=["姓名", "身份证号", "身份证号"],
    )
    with pytest.raises(UserError, match=r"身份证号 appears twice \(columns B and C\)"):
        spreadsheet.import_persons(store, path)
    assert count(store) == 0


def test_registered_ids_with_another_name_are_listed_with_both_names(
    store: Any, tmp_path: Path
) -> None:
    spreadsheet.import_persons(
        store, write_xlsx(tmp_path / "a.xlsx", [["张三", make_id(seq=61), "", ""]])
    )
    path = write_xlsx(
        tmp_path / "b.xlsx",
        [["张三", make_id(seq=61), "", ""], ["李四", make_id(seq=61).replace("1", "1"), "", ""]],
    )
    report = spreadsheet.import_persons(store, path)
    assert report.imported == 0
    assert report.already_count == 2
    [differs] = report.name_differs
    assert (differs.line, differs.name_in_file, differs.registered_name) == (3, "李四", "张三")


# -- the all-or-nothing write ------------------------------------------------------------------


def test_a_failure_while_writing_leaves_nothing(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caseworker.registry import importing
    from caseworker.store import changelog

    path = write_xlsx(tmp_path / "in.xlsx", people(2500))
    calls = {"n": 0}
    original = changelog.insert_records

    def fail_late(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 5:  # after two chunks of persons went in
            raise OSError(28, "No space left on device")
        original(*args, **kwargs)

    monkeypatch.setattr(importing.changelog, "insert_records", fail_late)
    with pytest.raises(OSError, match="No space"):
        spreadsheet.import_persons(store, path)
    monkeypatch.undo()
    assert count(store) == 0
    with store.reading() as session:
        from sqlalchemy import func, select

        from caseworker.store.models import ChangeLog

        assert (
            session.scalar(
                select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "person")
            )
            == 0
        )


def test_cancel_while_writing_leaves_nothing(store: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", people(2500))
    seen: list[int] = []

    def progress(done: int, total: int) -> bool:
        seen.append(done)
        return done < total * 0.75  # past the check, part-way through the write

    report = spreadsheet.import_persons(store, path, progress=progress)
    assert report.cancelled
    assert report.imported == 0
    assert max(seen) > 1000  # the write phase had begun
    assert count(store) == 0


def test_employed_persons_get_their_employment_episode(store: Any, tmp_path: Path) -> None:
    from caseworker.core import wall
    from caseworker.registry import employment

    path = write_xlsx(
        tmp_path / "in.xlsx",
        [["张三", make_id(seq=71), "是"], ["李四", make_id(seq=73), "否"]],
        headers=["姓名", "身份证号", "已就业"],
    )
    with wall.use(wall.FixedWall.on(dt.date(2025, 3, 4))):
        assert spreadsheet.import_persons(store, path).imported == 2
        with store.reading() as session:
            employed = persons.find_by_id_number(session, make_id(seq=71))
            other = persons.find_by_id_number(session, make_id(seq=73))
            assert employed is not None
            assert other is not None
            assert employed.employed
            assert not other.employed
            [episode] = employment.episodes(session, employed.id)
            assert episode.starts_on == dt.date(2025, 3, 4)
            assert employment.episodes(session, other.id) == []


def test_the_imported_rows_pass_the_audit(store: Any, tmp_path: Path) -> None:
    from caseworker.store import audit

    path = write_xlsx(tmp_path / "in.xlsx", people(30))
    assert spreadsheet.import_persons(store, path).imported == 30
    with store.reading() as session:
        report = audit.verify(session)
    assert report.problems == []


def test_possible_duplicates_are_listed_before_anything_is_written(
    store: Any, tmp_path: Path
) -> None:
    born = dt.date(1990, 1, 1)
    register_first = write_xlsx(
        tmp_path / "a.xlsx", [["张三", make_id(birth=born, seq=81), "", ""]]
    )
    spreadsheet.import_persons(store, register_first)
    path = write_xlsx(
        tmp_path / "b.xlsx",
        [
            ["张三", make_id(birth=born, seq=83), "", ""],  # same name and birth, another ID
            ["李四", make_id(birth=born, seq=85), "", ""],
            ["李四", make_id(birth=born, seq=87), "", ""],  # same as the line before
        ],
    )
    report = spreadsheet.import_persons(store, path, dry_run=True)
    assert [(line, who.split(" ")[0]) for line, who in report.possible_duplicates] == [
        (2, "张三"),
        (4, "李四"),
    ]
    assert make_id(birth=born, seq=81) in report.possible_duplicates[0][1]
    assert make_id(birth=born, seq=85) in report.possible_duplicates[1][1]
    assert count(store) == 1
