"""``caseworker print application|notice|roster`` through cli.main."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest

from caseworker.cli import main
from caseworker.core.idcard import mask
from tests.helpers import make_id
from tests.unit.test_print_sources import Station, flat, pdf_text, populate


@pytest.fixture
def people(store: Any) -> Station:
    return populate(store)


def cli(db_path: Path, *args: str) -> int:
    return main(["--db", str(db_path), "--lang", "en", "print", *args])


def err(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().err


def test_application_to_pdf(
    db_path: Path, people: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "application.pdf"
    assert cli(db_path, "application", "--person", people.zhang_id, "-o", str(out)) == 0
    assert "张三" in capsys.readouterr().out
    text = flat(pdf_text(out))
    assert people.zhang_id in text
    assert "连续失业一年以上" in text
    bilingual = tmp_path / "bilingual.pdf"
    args = ("application", "--person", str(people.ayi), "-o", str(bilingual), "--bilingual")
    assert cli(db_path, *args) == 0  # a record id works too
    assert "阿依古丽·买买提" in flat(pdf_text(bilingual))


def test_notice_to_pdf_and_excel(db_path: Path, people: Station, tmp_path: Path) -> None:
    pdf = tmp_path / "notice.pdf"
    assert cli(db_path, "notice", "--from", "2024-09-23", "--to", "2024-09-27", "-o", str(pdf)) == 0
    text = flat(pdf_text(pdf))
    assert "张三" in text
    assert mask(people.zhang_id) in text
    assert people.zhang_id not in text
    assert "王五" not in text
    xlsx = tmp_path / "notice.xlsx"
    assert (
        cli(db_path, "notice", "--from", "2024-09-01", "--to", "2024-11-30", "-o", str(xlsx)) == 0
    )
    values = [
        c for row in openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True) for c in row
    ]
    assert "张三" in values
    assert "王五" in values
    assert mask(people.wang_id) in values


def test_roster_with_filters(
    db_path: Path, people: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "roster.pdf"
    assert cli(db_path, "roster", "--village", "红旗村", "-o", str(pdf)) == 0
    assert "2 persons" in capsys.readouterr().out
    text = flat(pdf_text(pdf))
    assert people.zhang_id in text
    assert people.li_id in text
    assert people.ayi_id not in text
    xlsx = tmp_path / "roster.xlsx"
    args = ("roster", "--stage", "public_notice", "--category", "older_worker", "-o", str(xlsx))
    assert cli(db_path, *args) == 0
    values = [
        c for row in openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True) for c in row
    ]
    assert people.zhang_id in values
    assert people.wang_id not in values
    assert len(pypdf.PdfReader(pdf).pages) == 1


def test_unknown_person_leaves_no_file(
    db_path: Path, people: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "application.pdf"
    stranger = make_id(birth=dt.date(1999, 9, 9), seq=777)
    assert cli(db_path, "application", "--person", stranger, "-o", str(out)) == 2
    message = err(capsys)
    assert stranger in message
    assert len(message.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == ["station.sqlite3"]


def test_unwritable_folder(
    db_path: Path,
    people: Station,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / "no such folder" / "roster.pdf"
    assert cli(db_path, "roster", "-o", str(missing)) == 2
    assert "does not exist" in err(capsys)
    locked = tmp_path / "locked"
    locked.mkdir()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # chmod does not stop root (tests may run as root): refuse the temporary file instead.
    monkeypatch.setattr("caseworker.core.files._create", refuse)
    args = ("notice", "--from", "2024-09-01", "--to", "2024-09-30", "-o", str(locked / "n.pdf"))
    assert cli(db_path, *args) == 2
    message = err(capsys)
    assert "cannot be written" in message
    assert "Permission denied" in message
    assert list(locked.iterdir()) == []


def test_a_folder_in_the_way(
    db_path: Path, people: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder where the file should go: exit 2, nothing left behind."""
    target = tmp_path / "roster.pdf"
    target.mkdir()
    assert cli(db_path, "roster", "-o", str(target)) == 2
    assert "roster.pdf" in err(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.pdf", "station.sqlite3"]


@pytest.mark.parametrize(
    "args",
    [
        ("application", "--person", "X", "-o", "form.xlsx"),
        ("notice", "--from", "2024-09-01", "--to", "2024-09-30", "-o", "notice.docx"),
        ("roster", "-o", "roster"),
    ],
)
def test_bad_suffix(
    db_path: Path,
    people: Station,
    tmp_path: Path,
    args: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
) -> None:
    *head, _o, name = args
    assert cli(db_path, *head, "-o", str(tmp_path / name)) == 2
    assert "must end in" in err(capsys)
    assert os.listdir(tmp_path) == ["station.sqlite3"]


def test_bad_dates_and_filters(
    db_path: Path, people: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.pdf")
    assert cli(db_path, "notice", "--from", "2024-13-01", "--to", "2024-09-30", "-o", out) == 2
    assert cli(db_path, "notice", "--from", "2024-09-30", "--to", "2024-09-01", "-o", out) == 2
    assert cli(db_path, "roster", "--village", "红星村", "-o", out) == 2
    assert "红星村" in err(capsys)
    assert cli(db_path, "roster", "--category", "nobody", "-o", out) == 2
    assert not (tmp_path / "x.pdf").exists()
