"""``caseworker employers|posts|placements|attendance|payroll``: the contract of issue 12 (JSON
field names, money as strings with two decimals, exit 0 / 1 refused input / 2 usage, nothing
written on a refusal), through cli.main."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from caseworker.cli import main
from caseworker.store.models import ChangeLog
from tests.helpers import make_id, on_day, recognise, register

D = dt.date


@pytest.fixture
def people(store: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Two recognised persons and one who is not; "today" is 2025-05-20."""
    monkeypatch.setenv("CASEWORKER_TODAY", "2025-05-20")
    with on_day(D(2024, 9, 1)):
        found = [
            register(store, "张三", make_id(birth=D(1975, 4, 1), seq=131),
                     registered_unemployed_since=D(2023, 1, 1), village="红旗村"),
            register(store, "古丽", make_id(birth=D(1980, 6, 1), seq=142),
                     registered_unemployed_since=D(2023, 1, 1), village="红旗村"),
            register(store, "李四", make_id(birth=D(1995, 6, 1), seq=153)),
        ]  # fmt: skip
    for who in found[:2]:
        recognise(store, who.id)
    return found


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), "--lang", "en", *args])


def out(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    return captured.out, captured.err


def setup_post(db: Path, capsys: pytest.CaptureFixture[str], headcount: str = "3") -> str:
    assert cli(db, "employers", "add", "--name", "红旗村村委会", "--credit-code",
               "91350100M000100Y43", "--phone", "0991-1234567") == 0  # fmt: skip
    employer_id = out(capsys)[0].strip()
    assert len(employer_id) == 36
    assert cli(db, "posts", "add", "--employer", "红旗村村委会", "--title", "保洁员", "--kind",
               "rural", "--standard", "1900", "--village", "红旗村", "--headcount",
               headcount) == 0  # fmt: skip
    return out(capsys)[0].strip()


def test_the_month_from_posts_to_paid(
    people: list[Any], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zhang, guli, _ = people
    post_id = setup_post(db_path, capsys)
    assert cli(db_path, "posts", "list", "--json") == 0
    posts = json.loads(out(capsys)[0])
    assert [(p["id"], p["title"], p["standard"], p["occupied"]) for p in posts] == [
        (post_id, "保洁员", "1900.00", 0)
    ]
    assert cli(db_path, "placements", "start", zhang.id_number, "--post", post_id, "--on",
               "2024-11-01") == 0  # fmt: skip
    assert "subsidies until 2027-10-31" in out(capsys)[0]
    assert cli(db_path, "placements", "start", guli.id_number, "--post", post_id, "--on",
               "2025-04-14", "--contract", "service", "--until", "2025-12-31") == 0  # fmt: skip
    out(capsys)
    assert cli(db_path, "placements", "show", zhang.id_number, "--json") == 0
    shown = json.loads(out(capsys)[0])
    assert shown == {
        "id_number": zhang.id_number,
        "placements": [{"post": "保洁员", "start": "2024-11-01", "end": None,
                        "subsidy_until": "2027-10-31", "rule": "max_months"}],
        "subsidy_until": "2027-10-31",
    }  # fmt: skip
    # April 2025 has 22 working days (清明 4-4 off, 4-27 worked); 古丽 could work 14 of them
    assert cli(db_path, "attendance", "set", zhang.id_number, "--month", "2025-04", "--worked",
               "20", "--score", "95", "--pension", "320.00", "--medical", "150.5") == 0  # fmt: skip
    assert cli(db_path, "attendance", "set", guli.id_number, "--month", "2025-04", "--worked",
               "14") == 0  # fmt: skip
    assert cli(db_path, "payroll", "build", "--month", "2025-04") == 0
    out(capsys)
    assert cli(db_path, "payroll", "show", "--month", "2025-04", "--json") == 0
    shown = json.loads(out(capsys)[0])
    assert list(shown) == [
        "month", "state", "lines", "total_amount", "total_social_insurance", "persons",
    ]  # fmt: skip
    assert shown["month"] == "2025-04"
    assert shown["state"] == "draft"
    lines = {line["name"]: line for line in shown["lines"]}
    assert lines["张三"] == {
        "id_number": zhang.id_number, "name": "张三", "post": "保洁员", "required": 22,
        "worked": 20, "standard": "1900.00", "amount": "1727.27", "social_insurance": "470.50",
        "corrects": None,
    }  # fmt: skip
    assert lines["古丽"]["amount"] == "1209.09"  # 1900 × 14 ÷ 22
    assert (shown["total_amount"], shown["total_social_insurance"], shown["persons"]) == (
        "2936.36", "470.50", 2,
    )  # fmt: skip
    for step in ("submit", "approve", "paid"):
        assert cli(db_path, "payroll", step, "--month", "2025-04") == 0
    out(capsys)
    assert cli(db_path, "payroll", "show", "--month", "2025-04", "--json") == 0
    assert json.loads(out(capsys)[0])["state"] == "paid"
    assert cli(db_path, "placements", "end", guli.id_number, "--on", "2025-04-30", "--reason",
               "employed") == 0  # fmt: skip


REFUSALS = [
    (("placements", "start", "{nobody}", "--post", "{post}", "--on", "2025-01-02"), 1,
     "No registered person"),
    (("placements", "start", "{lisi}", "--post", "{post}", "--on", "2025-01-02"), 1,
     "neither recognised"),
    (("placements", "start", "{guli}", "--post", "{post}", "--on", "2025-01-02"), 1, "is full"),
    (("attendance", "set", "{zhang}", "--month", "2025-04", "--worked", "23"), 1,
     "at most 22 days"),
    (("attendance", "set", "{zhang}", "--month", "2025-03", "--worked", "5"), 1, "locked"),
    (("payroll", "build", "--month", "2025-03"), 1, "locked"),
    (("payroll", "approve", "--month", "2025-04"), 1, "build it first"),
    (("payroll", "submit", "--month", "2025-03"), 1, "must be draft"),
    (("employers", "add", "--name", "某公司", "--credit-code", "91350100M000100Y44"), 1,
     "check character"),
    (("attendance", "set", "{zhang}", "--month", "2025/4", "--worked", "3"), 2, "YYYY-MM"),
    (("posts", "add", "--employer", "x", "--title", "y", "--kind", "town", "--standard", "1"),
     2, "invalid choice"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "status", "message"), REFUSALS)
def test_refused_input_is_one_line_with_its_status_and_nothing_is_written(
    store: Any,
    people: list[Any],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    status: int,
    message: str,
) -> None:
    zhang, guli, lisi = people
    post_id = setup_post(db_path, capsys, headcount="1")
    assert cli(db_path, "placements", "start", zhang.id_number, "--post", post_id, "--on",
               "2024-11-01") == 0  # fmt: skip
    assert cli(db_path, "attendance", "set", zhang.id_number, "--month", "2025-03", "--worked",
               "20") == 0  # fmt: skip
    for step in ("build", "submit"):
        assert cli(db_path, "payroll", step, "--month", "2025-03") == 0
    out(capsys)
    with store.reading() as session:
        before = session.scalar(select(func.count()).select_from(ChangeLog))
    filled = [
        a.format(
            zhang=zhang.id_number,
            guli=guli.id_number,
            lisi=lisi.id_number,
            nobody=make_id(seq=999),
            post=post_id,
        )
        for a in args
    ]
    assert cli(db_path, *filled) == status
    err = out(capsys)[1]
    assert message in err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("caseworker: error:")
    assert len([line for line in err.splitlines() if line.startswith("caseworker:")]) == 1
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(ChangeLog)) == before


def test_an_empty_roster_is_not_printed(
    store: Any, people: list[Any], db_path: Path, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:  # fmt: skip
    """A notice of "0 persons, 0.00 yuan" would be posted and signed: it is refused instead."""
    setup_post(db_path, capsys)
    assert cli(db_path, "payroll", "build", "--month", "2025-03") == 0
    out(capsys)
    target = tmp_path / "notice.pdf"
    assert cli(db_path, "print", "payroll-notice", "--month", "2025-03", "-o", str(target)) == 1
    error = out(capsys)[1]
    assert "has no lines; there is nothing to print" in error
    assert error.count("\n") == 1
    assert not target.exists()
