"""The README's two commands are the ones CI runs and the ones a new user copies."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(sh packaging/linux-deps\.sh[^\n]*)\n```", text)


def test_readme_has_the_two_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    install, tests = commands
    assert install.endswith(".venv/bin/caseworker")
    assert "pytest" in tests
    assert "'.[test]'" in tests


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _readme_commands()[1]
    assert test_command in ci.splitlines()


def test_every_cli_command_is_documented() -> None:
    from caseworker.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"`caseworker {name}" in readme, name
