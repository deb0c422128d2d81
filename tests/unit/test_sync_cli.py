"""The command line of the exchange: a station and a county set up and exchanging bundles as a
person would type it; one-line errors; exit 1 when a bundle was refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseworker import cli
from tests.helpers import make_id


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    return {
        "county": tmp_path / "county.sqlite3",
        "a": tmp_path / "a.sqlite3",
        "b": tmp_path / "b.sqlite3",
        "out": tmp_path,
    }


def _setup(capsys: pytest.CaptureFixture[str], f: dict[str, Path]) -> None:
    out = f["out"]
    assert (
        run(capsys, "--db", f["county"], "county", "init", "--code", "650102", "--name", "天山区")[
            0
        ]
        == 0
    )
    status, text, _ = run(capsys, "--db", f["county"], "county", "keys", "-o", out / "county.pub")
    assert status == 0
    assert "Key id" in text
    for name, code in (("a", "650102001"), ("b", "650102002")):
        status, text, _ = run(
            capsys, "--db", f[name], "init", "--code", code, "--name", f"站{name}",
            "--villages", "红旗村", "--caseworker", "李娜",
        )  # fmt: skip
        assert status == 0
        assert "Keys for the county" in text
        assert run(capsys, "--db", f[name], "sync", "keys", "-o", out / f"{name}.pub")[0] == 0
        status, text, _ = run(capsys, "--db", f["county"], "county", "enroll", out / f"{name}.pub")
        assert status == 0
        assert "Enrolled station" in text
        status, text, _ = run(capsys, "--db", f[name], "sync", "trust", out / "county.pub")
        assert status == 0
        assert "now trusts county 650102" in text


def _register(f: Path, name: str, number: str) -> None:
    from caseworker import bootstrap
    from tests.helpers import register

    store = bootstrap.open_database(str(f))
    try:
        register(store, name, number)
    finally:
        store.dispose()


def test_a_station_and_the_county_exchange_bundles(
    capsys: pytest.CaptureFixture[str], folders: dict[str, Path]
) -> None:
    f = folders
    _setup(capsys, f)
    number = make_id(seq=131)
    _register(f["a"], "张三", number)
    _register(f["b"], "张叁", number)
    status, text, _ = run(capsys, "--db", f["a"], "sync", "status", "--json")
    state = json.loads(text)
    assert status == 0
    assert state["pending_changes"] > 0
    assert state["last_export"] is None
    bundles = f["out"] / "bundles"
    bundles.mkdir()
    for name in ("a", "b"):
        status, text, _ = run(capsys, "--db", f[name], "sync", "export", "-o", bundles)
        assert status == 0
        assert "Wrote" in text
    files = sorted(bundles.glob("*.cwb"))
    status, text, err = run(capsys, "--db", f["county"], "sync", "import", *files, files[0])
    assert status == 0, err
    assert text.count(": applied") == 2
    assert "duplicate, nothing new" in text
    status, text, _ = run(capsys, "--db", f["county"], "county", "conflicts")
    assert "ID number registered by more than one station" in text
    conflict = text.split()[0]
    status, text, _ = run(capsys, "--db", f["county"], "county", "conflicts", conflict)
    name_line = next(line for line in text.splitlines() if "张三" in line)
    assert "张叁" in name_line
    assert name_line.startswith("  * ")
    status, text, _ = run(capsys, "--db", f["county"], "county", "conflicts", "--json")
    (item,) = json.loads(text)
    assert item["kind"] == "duplicate_id"
    assert item["stations"] == ["650102001", "650102002"]
    status, text, _ = run(capsys, "--db", f["county"], "county", "conflicts", conflict, "--json")
    parties = json.loads(text)["parties"]
    status, text, _ = run(
        capsys, "--db", f["county"], "county", "resolve", conflict, "--keep", parties[0][:8],
        "--note", "同一人",
    )  # fmt: skip
    assert status == 0
    assert "resolved" in text
    for name, code in (("a", "650102001"), ("b", "650102002")):
        status, text, _ = run(capsys, "--db", f["county"], "county", "receipt", code, "-o", bundles)
        assert status == 0
        assert "acknowledges row" in text
        receipt = max(bundles.glob(f"receipt-{code}-*.cwb"))
        status, text, _ = run(capsys, "--db", f[name], "sync", "import", receipt)
        assert status == 0, text
        assert "applied" in text
        status, text, _ = run(capsys, "--db", f[name], "sync", "status", "--json")
        assert json.loads(text)["last_receipt"] is not None
    status, text, _ = run(capsys, "--db", f["county"], "county", "stations")
    assert "650102001" in text
    assert "650102002" in text
    for kind in ("persons", "stations", "duplicates"):
        target = f["out"] / f"{kind}.xlsx"
        status, text, _ = run(capsys, "--db", f["county"], "county", "report", kind, "-o", target)
        assert status == 0
        assert target.exists()
    status, text, _ = run(capsys, "--db", f["county"], "audit", "verify")
    assert status == 0
    assert "whole" in text


def test_a_refused_bundle_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], folders: dict[str, Path]
) -> None:
    f = folders
    _setup(capsys, f)
    bad = f["out"] / "bad.cwb"
    bad.write_bytes(b"CWB1\x00\x00\x00\x05{}{}{}")
    status, _text, err = run(capsys, "--db", f["county"], "sync", "import", bad)
    assert status == 1
    assert err.strip().count("\n") == 0
    assert "bad.cwb: refused" in err
    status, _text, err = run(capsys, "--db", f["a"], "sync", "import", bad)
    assert status == 1
    assert "refused" in err


def test_user_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], folders: dict[str, Path]
) -> None:
    f = folders
    status, _out, err = run(capsys, "--db", f["a"], "sync", "status")
    assert status == 2
    assert err.count("\n") == 1
    assert "There is no database at" in err  # nothing is made by a command that only reads
    status, _out, err = run(
        capsys, "--db", f["county"], "county", "init", "--code", "65", "--name", "x"
    )
    assert status == 2
    assert "6-digit" in err
    _setup(capsys, f)
    status, _out, err = run(
        capsys, "--db", f["county"], "init", "--code", "650102001", "--name", "x"
    )
    assert status == 2
    assert "county's database" in err
    status, _out, err = run(capsys, "--db", f["a"], "county", "stations")
    assert status == 2
    assert "not a county database" in err
    status, _out, err = run(
        capsys, "--db", f["county"], "county", "enroll", f["out"] / "county.pub"
    )
    assert status == 2
    assert "not a station's public key" in err
    status, _out, err = run(
        capsys, "--db", f["county"], "county", "resolve", "abcdef12", "--choose", "current"
    )
    assert status == 2
    assert "No conflict" in err
