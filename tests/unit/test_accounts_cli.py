"""``init --admin``, ``--user``, ``users add|list|disable|reset-password`` and the login delay."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseworker.cli import main
from caseworker.security import throttle

ADMIN_PASSWORD = "admin pass 1"
INIT = ["init", "--code", "650102001", "--name", "燕儿窝站", "--villages", "南湖社区"]


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    *,
    password: str | None = None,
    new_password: str | None = None,
) -> tuple[int, str, str]:
    for env, value in (
        ("CASEWORKER_PASSWORD", password),
        ("CASEWORKER_NEW_PASSWORD", new_password),
    ):
        if value is None:
            monkeypatch.delenv(env, raising=False)
        else:
            monkeypatch.setenv(env, value)
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def station(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    db = tmp_path / "station.sqlite3"
    status, out, err = run(
        capsys, monkeypatch, ["--db", str(db), *INIT, "--admin", "王站长"], password=ADMIN_PASSWORD
    )
    assert status == 0, err
    assert "Administrator 王站长 is ready" in out
    return db


def test_a_station_made_with_admin_is_encrypted_and_needs_a_login(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (station.parent / "station.sqlite3.keys").exists()
    assert not station.read_bytes().startswith(b"SQLite format 3")
    assert "燕儿窝".encode() not in station.read_bytes()
    status, _out, err = run(capsys, monkeypatch, ["--db", str(station), "persons", "list"])
    assert status == 2
    assert "encrypted: log in" in err
    status, _out, err = run(
        capsys,
        monkeypatch,
        ["--db", str(station), "--user", "王站长", "persons", "list"],
        password=ADMIN_PASSWORD,
    )
    assert status == 0, err


def test_users_add_list_disable_and_reset(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = ["--db", str(station), "--user", "王站长"]
    status, out, err = run(
        capsys, monkeypatch, [*admin, "users", "add", "李娜", "--role", "caseworker"],
        password=ADMIN_PASSWORD, new_password="lina pass 1",
    )  # fmt: skip
    assert status == 0, err
    status, out, _err = run(capsys, monkeypatch, [*admin, "users", "list"], password=ADMIN_PASSWORD)
    assert out.splitlines() == ["李娜\tcaseworker\tactive", "王站长\tadmin,head\tactive"]
    lina = ["--db", str(station), "--user", "李娜"]
    status, _out, err = run(capsys, monkeypatch, [*lina, "users", "list"], password="lina pass 1")
    assert status == 2
    assert "may not manage staff accounts" in err
    status, _out, err = run(
        capsys, monkeypatch, [*admin, "users", "reset-password", "李娜"],
        password=ADMIN_PASSWORD, new_password="lina pass 2",
    )  # fmt: skip
    assert status == 0, err
    status, _out, err = run(capsys, monkeypatch, [*lina, "persons", "list"], password="lina pass 2")
    assert status == 0, err
    status, _out, err = run(
        capsys, monkeypatch, [*admin, "users", "disable", "李娜"], password=ADMIN_PASSWORD
    )
    assert status == 0, err
    status, _out, err = run(capsys, monkeypatch, [*lina, "persons", "list"], password="lina pass 2")
    assert status == 2
    assert "wrong" in err


def test_a_wrong_password_makes_the_next_try_wait_longer(
    station: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    real = throttle.Throttle.__init__

    def fixed_clock(self: throttle.Throttle, path: Path | None, clock: object = None) -> None:
        real(self, path, lambda: now[0])

    monkeypatch.setattr(throttle.Throttle, "__init__", fixed_clock)
    user = ["--db", str(station), "--user", "王站长", "persons", "list"]
    status, _out, err = run(capsys, monkeypatch, user, password="wrong one")
    assert status == 2
    assert "wrong. Wait 1 second" in err
    status, _out, err = run(capsys, monkeypatch, user, password=ADMIN_PASSWORD)
    assert "Too many wrong passwords: wait 1 second" in err  # even the right one waits
    now[0] += 1
    status, _out, err = run(capsys, monkeypatch, user, password="wrong two")
    assert "Wait 2 seconds" in err
    now[0] += 2
    status, _out, err = run(capsys, monkeypatch, user, password="wrong three")
    assert "Wait 4 seconds" in err
    now[0] += 4
    status, _out, err = run(capsys, monkeypatch, user, password=ADMIN_PASSWORD)
    assert status == 0, err
    status, _out, err = run(capsys, monkeypatch, user, password="wrong four")
    assert "Wait 1 second" in err  # a success starts the count again


def test_a_station_without_accounts_works_as_before_until_an_administrator_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ["--db", str(tmp_path / "plain.sqlite3")]
    assert run(capsys, monkeypatch, [*db, *INIT])[0] == 0
    assert run(capsys, monkeypatch, [*db, "persons", "list"])[0] == 0
    status, _out, err = run(
        capsys, monkeypatch, [*db, "--user", "谁", "persons", "list"], password="x"
    )
    assert status == 2
    assert "no staff accounts yet" in err
    status, _out, err = run(
        capsys, monkeypatch, [*db, "users", "add", "管理员", "--role", "caseworker"],
        new_password="admin pass 1",
    )  # fmt: skip
    assert "must be an administrator" in err
    status, _out, err = run(
        capsys, monkeypatch, [*db, "users", "add", "管理员", "--role", "admin"],
        new_password="admin pass 1",
    )  # fmt: skip
    assert status == 0, err
    status, _out, err = run(capsys, monkeypatch, [*db, "persons", "list"])
    assert status == 2
    assert "log in" in err
    status, _out, err = run(
        capsys, monkeypatch, [*db, "--user", "管理员", "users", "list"], password="admin pass 1"
    )
    assert status == 0, err


def test_no_terminal_and_no_password_variable_is_said_plainly(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _out, err = run(
        capsys, monkeypatch, ["--db", str(station), "--user", "王站长", "persons", "list"]
    )
    assert status == 2
    assert "CASEWORKER_PASSWORD" in err
