"""The recovery procedure of docs/security.md, run command by command as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from caseworker.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def recovery_commands() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Recovery procedure", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [shlex.split(line) for block in blocks for line in block.splitlines() if line.strip()]


def test_the_documented_recovery_procedure_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    commands = recovery_commands()
    assert [c[0] for c in commands] == ["caseworker"] * 5
    # the passwords each step asks for, as a script gives them
    lost, new = "the lost one 1", "a new password 2"
    environments = [{}, {"CASEWORKER_PASSWORD": lost}, {"CASEWORKER_PASSWORD": lost},
                    {"CASEWORKER_NEW_PASSWORD": new}, {"CASEWORKER_PASSWORD": new}]  # fmt: skip
    for command, env in zip(commands, environments, strict=True):
        for name in ("CASEWORKER_PASSWORD", "CASEWORKER_NEW_PASSWORD"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        if command[1:3] == ["--db", "station.sqlite3"] and "recover" in command:
            # every password is lost: the old one opens nothing now
            monkeypatch.setenv("CASEWORKER_PASSWORD", "forgotten")
            assert main(["--db", "station.sqlite3", "--user", "王站长", "persons", "list"]) == 2
            from caseworker import bootstrap

            bootstrap.login_delays().unlink(missing_ok=True)
        status = main(command[1:])
        out, err = capsys.readouterr()
        assert status == 0, (command, err)
    assert "The change log is whole" in out
