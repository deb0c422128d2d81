from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from caseworker import __version__
from caseworker.cli import main
from tests.helpers import make_id


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "cli.sqlite3")
    status, out, _ = run(
        capsys,
        "--db",
        path,
        "init",
        "--code",
        "650102001",
        "--name",
        "燕儿窝街道就业服务站",
        "--villages",
        "南湖社区,红旗村",
        "--caseworker",
        "李娜",
    )
    assert status == 0
    assert "650102001" in out
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_demo_list_show(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db, "demo", "--persons", "50", "--seed", "4")[0] == 0
    status, out, _ = run(capsys, "--db", db, "persons", "list", "--limit", "5")
    assert status == 0
    lines = out.strip().splitlines()
    assert len(lines) == 6
    assert "**********" in lines[0]  # masked ID numbers in lists
    status, out, _ = run(capsys, "--db", db, "persons", "list", "--limit", "1", "--full-ids")
    number = next(w for w in out.split() if len(w) == 18 and w[:17].isdigit())
    status, out, _ = run(capsys, "--db", db, "persons", "show", number)
    assert status == 0
    assert f"ID number: {number}" in out
    assert "Sex: Male" in out or "Sex: Female" in out
    status, out, _ = run(capsys, "--lang", "zh_CN", "--db", db, "persons", "show", number)
    assert f"身份证号：{number}" in out


def test_import_export_via_cli(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "所属村(社区)"])
    sheet.append(["张三", make_id(seq=111), "红旗村"])
    sheet.append(["李四", "123", "红旗村"])
    book.save(tmp_path / "in.xlsx")
    status, out, _ = run(capsys, "--db", db, "persons", "import", str(tmp_path / "in.xlsx"))
    assert status == 1  # a row was rejected
    assert "Imported 1 of 2 rows, all in one step." in out
    assert "Line 3 rejected" in out
    status, out, _ = run(capsys, "--db", db, "persons", "import", str(tmp_path / "in.xlsx"))
    assert "Imported 0 of 2 rows" in out
    assert "1 rows were already registered" in out
    status, out, _ = run(capsys, "--db", db, "persons", "export", "-o", str(tmp_path / "out.xlsx"))
    assert status == 0
    assert (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["persons", "show", "650102199001011239"], "No person"),
        (["persons", "import", "/nonexistent/file.xlsx"], "does not exist"),
        (["persons", "export", "-o", "/nonexistent/dir/out.xlsx"], "does not exist"),
        (["init", "--code", "12", "--name", "x"], "9- or 12-digit"),
        (["demo", "--persons", "-5"], "--persons"),
        (["demo", "--persons", "many"], "invalid int value"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_user_errors_are_one_line(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, _out, err = run(capsys, "--db", db, *args)
    assert status == 2
    assert message in err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("caseworker: error:")


def test_unexpected_errors_go_to_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from caseworker import bootstrap
    from caseworker.commands import persons as persons_command

    def boom(args: object) -> int:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(persons_command, "run_list", boom)
    status, _out, err = run(capsys, "--db", str(tmp_path / "x.sqlite3"), "persons", "list")
    assert status == 70
    assert "Traceback" not in err
    assert str(bootstrap.log_file()) in err
    assert "kaboom" in bootstrap.log_file().read_text(encoding="utf-8")


def test_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    status, _out, err = run(capsys, "--db", str(bad), "persons", "list")
    assert status == 2
    assert "Traceback" not in err


def test_chinese_messages(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(
        capsys, "--lang", "zh_CN", "--db", db, "persons", "show", "650102199001011239"
    )
    assert status == 2
    assert "caseworker" in err


def test_python_dash_m_runs(tmp_path: Path) -> None:
    db = str(tmp_path / "m.sqlite3")
    subprocess.run(
        [sys.executable, "-m", "caseworker", "--db", db, "init", "--code", "650102001",
         "--name", "站"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "caseworker", "--db", db, "persons", "list"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "0 shown." in result.stdout


def test_persons_show_names_household_members_as_they_are_now(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A renamed member is shown by the new name (names are not copied into the household)."""
    from caseworker.registry import households, persons
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store
    from tests.helpers import register

    store = open_store(sqlite_url(db))
    try:
        husband = register(store, "买买提", make_id(seq=131))
        wife = register(store, "古丽", make_id(seq=142))
        with store.transaction() as session:
            household = households.create(session)
            households.add_person(session, household.id, husband.id, "head")
            households.add_person(session, household.id, wife.id, "spouse")
        with store.transaction() as session:
            persons.change(session, wife.id, name="古丽娜")
    finally:
        store.dispose()
    status, out, _ = run(capsys, "--db", db, "persons", "show", husband.id_number)
    assert status == 0
    assert "古丽娜" in out
    assert "古丽 " not in out.replace("古丽娜", "")
