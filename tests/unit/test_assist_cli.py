"""``caseworker assist`` and ``caseworker families zero``: the contract of issue 11 (JSON field
names and order, exit 0 / 1 refused input / 2 usage), through cli.main."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from caseworker.cli import main
from tests.helpers import make_id, on_day, recognise, register

D = dt.date


@pytest.fixture
def people(store: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Two recognised persons in one household; "today" is 2024-12-20."""
    from caseworker.registry import households

    monkeypatch.setenv("CASEWORKER_TODAY", "2024-12-20")
    with on_day(D(2024, 9, 1)):
        found = [
            register(store, "张三", make_id(birth=D(1975, 4, 1), seq=131),
                     registered_unemployed_since=D(2023, 1, 1), village="红旗村"),
            register(store, "古丽", make_id(birth=D(1980, 6, 1), seq=142),
                     registered_unemployed_since=D(2023, 1, 1), village="红旗村"),
        ]  # fmt: skip
    for who in found:
        recognise(store, who.id)
    with on_day(D(2024, 10, 12)), store.transaction() as session:
        household = households.create(session)
        households.add_person(session, household.id, found[0].id, "head")
        households.add_person(session, household.id, found[1].id, "spouse")
    return found


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), "--lang", "en", *args])


def out(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_plans_contacts_and_the_worklist_as_json(
    people: list[Any], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zhang, guli = people
    assert (
        cli(db_path, "assist", "plan", zhang.id_number, "--worker", "李娜", "--on", "2024-10-15")
        == 0
    )
    assert cli(db_path, "assist", "plan", guli.id_number, "--worker", "王芳", "--on", "2024-11-01",
               "--services", "job_referral,training", "--measures", "推荐保洁岗位") == 0  # fmt: skip
    assert cli(db_path, "assist", "contact", zhang.id_number, "--on", "2024-10-20", "--channel",
               "visit", "--services", "job_referral,policy", "--note", "入户走访", "--next",
               "2024-11-10") == 0  # fmt: skip
    out(capsys)
    assert cli(db_path, "assist", "due", "--on", "2024-12-20", "--json") == 0
    rows = json.loads(out(capsys)[0])
    assert rows == [
        {"id_number": zhang.id_number, "name": "张三", "worker": "李娜", "due_on": "2024-11-10",
         "days_overdue": 40, "last_contact_on": "2024-10-20", "reason": "follow_up"},
        {"id_number": guli.id_number, "name": "古丽", "worker": "王芳", "due_on": "2024-12-01",
         "days_overdue": 19, "last_contact_on": None, "reason": "first_contact"},
    ]  # fmt: skip
    assert list(rows[0]) == ["id_number", "name", "worker", "due_on", "days_overdue",
                             "last_contact_on", "reason"]  # fmt: skip
    # not yet due: left out unless --all
    assert (
        cli(
            db_path, "assist", "contact", guli.id_number, "--on", "2024-12-20", "--channel", "phone"
        )
        == 0
    )
    out(capsys)
    assert cli(db_path, "assist", "due", "--on", "2024-12-20", "--json") == 0
    assert [r["name"] for r in json.loads(out(capsys)[0])] == ["张三"]
    assert cli(db_path, "assist", "due", "--on", "2024-12-20", "--json", "--all") == 0
    later = json.loads(out(capsys)[0])
    assert [(r["name"], r["due_on"], r["days_overdue"]) for r in later] == [
        ("张三", "2024-11-10", 40), ("古丽", "2025-01-19", 0)
    ]  # fmt: skip


def test_offers_refusals_outcome_and_close(
    people: list[Any], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zhang, _guli = people
    assert (
        cli(db_path, "assist", "plan", zhang.id_number, "--worker", "李娜", "--on", "2024-10-15")
        == 0
    )
    for day in ("2024-10-20", "2024-11-05", "2024-12-01"):
        assert cli(db_path, "assist", "offer", zhang.id_number, "--on", day, "--kind", "caring",
                   "--post", "保洁员", "--answer", "refused", "--reason", "太远") == 0  # fmt: skip
    assert "consider an exit" in out(capsys)[0]
    assert cli(db_path, "assist", "refusals", "--on", "2024-12-20", "--json") == 0
    assert json.loads(out(capsys)[0]) == [
        {"id_number": zhang.id_number, "refusals": 3, "window_start": "2024-06-20"}
    ]
    assert cli(db_path, "assist", "offer", zhang.id_number, "--on", "2024-12-10", "--kind",
               "public_welfare", "--post", "护林员", "--employer", "红旗村委会", "--answer", "accepted") == 0  # fmt: skip
    assert cli(db_path, "assist", "outcome", zhang.id_number, "--on", "2024-12-15", "--evidence",
               "contract", "--contract-months", "12") == 0  # fmt: skip
    out(capsys)
    # the household is cleared by the outcome
    assert cli(db_path, "families", "zero", "--on", "2024-12-20", "--json") == 0
    assert json.loads(out(capsys)[0]) == []
    assert cli(db_path, "families", "zero", "--on", "2024-12-20", "--json", "--all") == 0
    ended = json.loads(out(capsys)[0])
    assert [(e["head_id_number"], e["cleared_on"], e["end_reason"]) for e in ended] == [
        (zhang.id_number, "2024-12-15", "employed")
    ]
    assert (
        cli(db_path, "assist", "close", zhang.id_number, "--on", "2024-12-20", "--reason", "stable")
        == 1
    )
    assert "follow-up continues until 2025-06-15" in out(capsys)[1]
    assert (
        cli(db_path, "assist", "close", zhang.id_number, "--on", "2024-12-20", "--reason", "moved")
        == 0
    )


def test_families_zero_lists_the_open_families(
    people: list[Any],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    zhang, _guli = people
    monkeypatch.setenv("CASEWORKER_TODAY", "2024-10-12")
    assert cli(db_path, "families", "zero", "--on", "2024-10-12", "--json") == 0
    monkeypatch.setenv("CASEWORKER_TODAY", "2024-12-20")
    out(capsys)
    assert cli(db_path, "families", "zero", "--on", "2024-12-20", "--json") == 0
    (family,) = json.loads(out(capsys)[0])
    assert list(family) == ["household", "head_id_number", "members_of_working_age",
                            "identified_on", "deadline", "days_open", "overdue"]  # fmt: skip
    assert {k: v for k, v in family.items() if k != "household"} == {
        "head_id_number": zhang.id_number, "members_of_working_age": 2,
        "identified_on": "2024-10-12", "deadline": "2024-11-11", "days_open": 69, "overdue": True,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        # refused input: exit 1
        (("assist", "plan", "650102199001011230", "--worker", "李娜"), 1, "No registered person"),
        (
            ("assist", "contact", "{zhang}", "--on", "2024-10-14", "--channel", "phone"),
            1,
            "before the plan opened",
        ),
        (
            ("assist", "contact", "{zhang}", "--on", "2024-12-21", "--channel", "phone"),
            1,
            "in the future",
        ),
        (
            (
                "assist",
                "offer",
                "{zhang}",
                "--on",
                "2024-12-21",
                "--kind",
                "market",
                "--post",
                "司机",
                "--answer",
                "pending",
            ),
            1,
            "in the future",
        ),
        (
            ("assist", "outcome", "{zhang}", "--on", "2024-12-01", "--evidence", "income"),
            1,
            "already recorded as employed",
        ),
        (
            ("assist", "contact", "{guli}", "--on", "2024-12-01", "--channel", "phone"),
            1,
            "no open assistance plan",
        ),
        (
            ("assist", "plan", "{zhang}", "--worker", "李娜", "--on", "2024-11-01"),
            1,
            "already has an open",
        ),
        # usage: exit 2
        (
            ("assist", "contact", "{zhang}", "--on", "2024/12/01", "--channel", "phone"),
            2,
            "YYYY-MM-DD",
        ),
        (("assist", "contact", "{zhang}", "--channel", "phone"), 2, "--on"),
        (
            ("assist", "contact", "{zhang}", "--on", "2024-12-01", "--channel", "fax"),
            2,
            "invalid choice",
        ),
        (
            (
                "assist",
                "contact",
                "{zhang}",
                "--on",
                "2024-12-01",
                "--channel",
                "phone",
                "--services",
                "cooking",
            ),
            2,
            "cooking",
        ),
        (("assist", "due", "--on", "2024-13-01", "--json"), 2, "YYYY-MM-DD"),
        (
            (
                "assist",
                "contact",
                "{zhang}",
                "--on",
                "2024-12-01",
                "--channel",
                "phone",
                "--corrects",
                "x",
            ),
            2,
            "record id",
        ),
        (("families", "zero", "--json"), 2, "--on"),
    ],
)
def test_errors_are_one_line_with_their_status(
    people: list[Any],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    status: int,
    message: str,
) -> None:
    zhang, guli = people
    assert (
        cli(db_path, "assist", "plan", zhang.id_number, "--worker", "李娜", "--on", "2024-10-15")
        == 0
    )
    assert (
        cli(
            db_path,
            "assist",
            "outcome",
            zhang.id_number,
            "--on",
            "2024-11-20",
            "--evidence",
            "flexible",
        )
        == 0
    )
    out(capsys)
    filled = [a.format(zhang=zhang.id_number, guli=guli.id_number) for a in args]
    assert cli(db_path, *filled) == status
    err = out(capsys)[1]
    assert message in err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("caseworker: error:")


def test_other_commands_keep_exit_2_for_refused_input(
    people: list[Any], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(db_path, "recognition", "show", "650102199001011230") == 2
