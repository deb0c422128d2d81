"""``caseworker recognition``: list, show, advance, proof, reassess through cli.main."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseworker import bootstrap
from caseworker.cli import main
from caseworker.recognition.workflow import Stage
from caseworker.registry import persons
from caseworker.store.models import RecognitionCase, RecognitionStep
from tests.helpers import make_id, register

D = dt.date


@pytest.fixture
def person(store: Any) -> Any:
    store.set_setting(bootstrap.CASEWORKER_KEY, "王芳")
    return register(
        store,
        "张三",
        make_id(birth=D(1965, 3, 1), seq=131),
        registered_unemployed_since=D(2023, 1, 1),
        village="红旗村",
    )


def cli(db_path: Path, *args: str) -> int:
    return main(["--db", str(db_path), "--lang", "en", "recognition", *args])


def out(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    return captured.out, captured.err


PROOFS = ("id_card", "household_register", "unemployment_registration", "commitment_letter")


def walk_to_recognised(db_path: Path, id_number: str) -> None:
    assert cli(db_path, "advance", id_number, "apply", "--on", "2024-09-02",
               "--categories", "older_worker,long_term_unemployed_1y") == 0  # fmt: skip
    for proof in PROOFS:
        assert cli(db_path, "proof", id_number, proof) == 0
    for args in (
        ("community-review", "--passed", "--on", "2024-09-05"),
        ("township-review", "--passed", "--on", "2024-09-10"),
        ("notice", "--on", "2024-09-27"),
        ("recognise", "--on", "2024-10-10"),
    ):
        assert cli(db_path, "advance", id_number, *args) == 0


def test_advance_through_the_workflow_and_show(
    store: Any, person: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(db_path, "advance", person.id_number, "apply", "--on", "2024-09-02",
               "--categories", "older_worker, long_term_unemployed_1y", "--note", "walk-in") == 0  # fmt: skip
    assert "张三: Applied, waiting for the community review." in out(capsys)[0]
    for proof in PROOFS[1:]:
        assert cli(db_path, "proof", person.id_number, proof) == 0
    # the ID card is not ticked: the step is refused, naming it, unless confirmed
    assert cli(db_path, "advance", person.id_number, "community-review", "--passed",
               "--on", "2024-09-05") == 2  # fmt: skip
    err = out(capsys)[1]
    assert "1 proof is not ticked as provided: Resident identity card." in err
    assert "--proofs-missing-ok" in err
    assert cli(db_path, "advance", person.id_number, "community-review", "--passed",
               "--on", "2024-09-05", "--proofs-missing-ok") == 0  # fmt: skip
    assert "Taken with proofs missing" in out(capsys)[0]
    assert cli(db_path, "proof", person.id_number, "id_card") == 0
    assert cli(db_path, "advance", person.id_number, "township-review", "--passed",
               "--on", "2024-09-10") == 0  # fmt: skip
    capsys.readouterr()
    assert cli(db_path, "advance", person.id_number, "notice", "--on", "2024-09-27") == 0
    assert "The public notice runs until 2024-10-09." in out(capsys)[0]
    assert cli(db_path, "advance", str(person.id), "recognise", "--on", "2024-10-10") == 0
    assert cli(db_path, "proof", person.id_number, "older_worker", "id_card") == 0
    assert cli(db_path, "proof", person.id_number, "commitment_letter", "--missing") == 0
    capsys.readouterr()
    assert cli(db_path, "show", person.id_number, "--on", "2024-10-11") == 0
    text = out(capsys)[0]
    assert "Recognition case: Recognised" in text
    assert "Eligible as a person with employment difficulty" in text
    assert "Public notice until: 2024-10-09" in text
    # one line per document, with the categories it serves
    both = (
        "Older unemployed worker (woman 45 or over, man 55 or over); Unemployed for a year or more"
    )
    assert f"[x] Resident identity card (id_card): {both}" in text
    assert f"[ ] Signed commitment letter (commitment_letter): {both}" in text
    assert text.count("Resident identity card (id_card)") == 1
    assert (
        "2024-09-05 Community review passed [proofs missing: Resident identity card] (王芳)" in text
    )
    assert "2024-09-02 Application (王芳) - walk-in" in text
    with store.reading() as session:
        case = session.scalars(select(RecognitionCase)).one()
        assert case.stage == Stage.RECOGNISED
        actors = {step.actor_name for step in session.scalars(select(RecognitionStep))}
        assert actors == {"王芳"}


def test_wrong_order_is_one_clear_line_and_status_2(
    store: Any, person: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(db_path, "advance", person.id_number, "apply", "--on", "2024-09-02",
               "--categories", "older_worker") == 0  # fmt: skip
    capsys.readouterr()
    status = cli(db_path, "advance", person.id_number, "recognise", "--on", "2024-09-03")
    assert status == 2
    _stdout, err = out(capsys)
    assert err.count("\n") == 1
    assert err.startswith("caseworker: error: Recognition can only follow a public notice.")
    assert "Applied, waiting for the community review" in err
    with store.reading() as session:
        assert session.scalars(select(RecognitionCase.stage)).one() == "applied"


def test_unknown_person_is_a_user_error(
    store: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli(db_path, "show", make_id(seq=555))
    assert status == 2
    assert "No registered person has the ID number or record id" in out(capsys)[1]
    assert cli(db_path, "advance", "no-such-person", "review") == 2
    assert "no-such-person" in out(capsys)[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("community-review", "--on", "2024-09-05"), "--passed or --rejected"),
        (("exit", "--on", "2024-09-05"), "--reason"),
        (("apply",), "--categories"),
        (("notice", "--passed"), "only for the reviews"),
        (("review", "--on", "2024-02-30"), "not a real date"),
        (("apply", "--categories", "older_worker,nonsense"), "nonsense is not a category"),
    ],
)
def test_bad_options_are_explained(
    store: Any,
    person: Any,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    assert cli(db_path, "advance", person.id_number, *args) == 2
    assert message in out(capsys)[1]


def test_step_without_a_case(
    store: Any, person: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(db_path, "advance", person.id_number, "review") == 2
    assert "has no recognition case" in out(capsys)[1]


def test_list_and_reassess_with_flags(
    store: Any, person: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    walk_to_recognised(db_path, person.id_number)
    capsys.readouterr()
    assert cli(db_path, "list", "--stage", "recognised") == 0
    text = out(capsys)[0]
    assert "张三  6501**********1315  红旗村  Recognised  2024-09-02" in text
    assert "1 cases." in text
    assert cli(db_path, "list", "--flagged") == 0
    assert "0 cases." in out(capsys)[0]

    with store.transaction() as session:
        persons.change(session, person.id, employed=True, registered_unemployed_since=None)
    assert cli(db_path, "reassess", "--on", "2024-11-01") == 0
    text = out(capsys)[0]
    assert "张三: needs review." in text
    assert "1 flags changed, 1 cases need review" in text
    assert cli(db_path, "list", "--flagged") == 0
    assert "[needs review]" in out(capsys)[0]
    assert cli(db_path, "show", person.id_number) == 0
    assert "Needs review: Reassessed on 2024-11-01" in out(capsys)[0]

    with store.transaction() as session:
        persons.change(
            session, person.id, employed=False, registered_unemployed_since=D(2023, 1, 1)
        )
    assert cli(db_path, "reassess", "--on", "2024-11-02") == 0
    assert "qualifies again" in out(capsys)[0]
    assert cli(db_path, "advance", person.id_number, "exit", "--on", "2024-11-04",
               "--reason", "employed", "--note", "shop") == 0  # fmt: skip
    capsys.readouterr()
    assert cli(db_path, "show", person.id_number) == 0
    text = out(capsys)[0]
    assert "Exit reason: Employed" in text
    assert "Exit Employed (王芳) - shop" in text


def test_messages_in_chinese(
    store: Any, person: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--db", str(db_path), "--lang", "zh_CN", "recognition", "advance",
                   person.id_number, "review"])  # fmt: skip
    assert status == 2
    err = out(capsys)[1]
    assert err.strip()
    assert err.count("\n") == 1


def test_a_step_dated_after_today_is_refused(
    store: Any,
    person: Any,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from caseworker.core import wall

    monkeypatch.setattr(wall, "_current", wall.FixedWall.on(D(2026, 11, 28)))
    monkeypatch.setenv(wall.TODAY_ENV, "2026-11-28")  # (the command line installs its clock)
    assert cli(db_path, "advance", person.id_number, "apply", "--on", "2026-12-05",
               "--categories", "older_worker") == 2  # fmt: skip
    assert "after today" in out(capsys)[1]
    walk_to_recognised(db_path, person.id_number)
    capsys.readouterr()
    assert cli(db_path, "advance", person.id_number, "review", "--on", "2026-11-30") == 2
    err = out(capsys)[1]
    assert err.count("\n") == 1
    assert "The date 2026-11-30 is after today (2026-11-28)" in err
    assert cli(db_path, "advance", person.id_number, "review", "--on", "2026-11-28") == 0


def test_proof_codes_are_checked(
    store: Any, person: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    walk_to_recognised(db_path, person.id_number)
    capsys.readouterr()
    assert cli(db_path, "proof", person.id_number, "diploma") == 2
    assert "no proof diploma" in out(capsys)[1]
    assert cli(db_path, "proof", person.id_number, "older_worker", "diploma") == 2
    assert cli(db_path, "proof", person.id_number, "a", "b", "c") == 2
