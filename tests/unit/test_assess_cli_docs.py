"""The worked examples in docs/assess.md are what the command prints."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from caseworker.commands.assess import register

DOC = Path(__file__).resolve().parents[2] / "docs" / "assess.md"


def _json_blocks() -> list[str]:
    return re.findall(r"```json\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize(("index", "status"), [(0, 0), (2, 1)])
def test_doc_examples(
    index: int, status: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = _json_blocks()
    assert len(blocks) == 4
    path = tmp_path / "facts.json"
    path.write_text(blocks[index], encoding="utf-8")
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["assess", "--on", "2024-06-01", str(path)])
    assert args.handler(args) == status
    assert json.loads(capsys.readouterr().out) == json.loads(blocks[index + 1])
