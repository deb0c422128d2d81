"""The ``caseworker assess`` command: its JSON contract, errors and exit statuses."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from caseworker.commands.assess import register
from caseworker.core.errors import NotFoundError, UserError
from caseworker.core.idcard import check_char

D = dt.date


def make_id(birth: dt.date, *, male: bool = True) -> str:
    first17 = "650102" + birth.strftime("%Y%m%d") + ("013" if male else "024")
    return first17 + check_char(first17)


WOMAN_1975 = make_id(D(1975, 3, 8), male=False)
MAN_1990 = make_id(D(1990, 1, 1))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers()
    register(sub)
    return p


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    args = parser().parse_args(["assess", *argv])
    status = args.handler(args)
    out = capsys.readouterr().out
    return status, json.loads(out)


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_one_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(
        tmp_path,
        {
            "id_number": MAN_1990.lower()[:-1] + MAN_1990[-1],
            "registered_unemployed_since": "2023-01-01",
        },
    )
    status, result = run(["--on", "2024-06-01", file], capsys)
    assert status == 0
    assert result == {
        "id_number": MAN_1990,
        "as_of": "2024-06-01",
        "policy": "xj-2023-49",
        "eligible": True,
        "categories": ["long_term_unemployed_1y"],
        "conditions": {
            "in_region": True,
            "working_age": True,
            "work_capacity": True,
            "wants_work": True,
            "not_employed": True,
        },
        "retirement_date": "2053-01-01",
        "reasons": result["reasons"],
    }
    assert any("新政办发〔2023〕49号, clause (8)" in r for r in result["reasons"])


def test_output_is_not_ascii_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path, {"id_number": MAN_1990})
    parser_args = parser().parse_args(["assess", "--on", "2024-06-01", file])
    parser_args.handler(parser_args)
    out = capsys.readouterr().out
    assert "新政办发〔2023〕49号" in out
    assert "\\u" not in out


def test_a_15_digit_number_is_normalised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, {"id_number": "650102750308024"})
    status, result = run(["--on", "2024-06-01", file], capsys)
    assert status == 0
    assert result["id_number"] == WOMAN_1975


def test_batch_keeps_order_and_marks_invalid_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items: list[object] = [
        {"id_number": WOMAN_1975, "registered_unemployed_since": "2024-05-01"},
        {"id_number": "650102197503080241"},  # wrong check character
        {"id_number": MAN_1990, "registered_unemployed_since": "2023-02-30"},
        {"id_number": MAN_1990, "work_capacity": "some"},
        {"id_number": MAN_1990, "favourite_colour": "red"},
        {"id_number": MAN_1990, "employed": "no"},
        ["not", "an", "object"],
        {"id_number": MAN_1990, "land_expropriated": True, "income_below_local_average": True},
        {},
        {"id_number": 650102},
        {"id_number": MAN_1990, "household": {"members": [{"relation": "cousin"}]}},
        {"id_number": MAN_1990, "household": {"members": [{"relation": "spouse"}]}},
        {"id_number": MAN_1990, "household": []},
        {"id_number": MAN_1990, "retirement_base_age": 55},
        {"id_number": MAN_1990, "registered_unemployed_since": 20230101},
    ]
    status, results = run(["--on", "2024-06-01", write(tmp_path, items)], capsys)
    assert status == 1
    assert len(results) == len(items)
    assert results[0]["categories"] == ["older_worker"]
    assert results[0]["eligible"] is True
    assert results[7]["categories"] == ["land_expropriated_farmer"]
    errors = {i: r["error"] for i, r in enumerate(results) if "error" in r}
    assert set(errors) == set(range(len(items))) - {0, 7}
    assert all(set(r) == {"error"} for i, r in enumerate(results) if i in errors)
    assert "last character" in errors[1]
    assert "registered_unemployed_since" in errors[2]
    assert "not a real date" in errors[2]
    assert "full, partial, none" in errors[3]
    assert "Unknown field favourite_colour" in errors[4]
    assert "employed must be true or false" in errors[5]
    assert "must be a JSON object" in errors[6]
    assert "id_number is required" in errors[8]
    assert "id_number must be text" in errors[9]
    assert "household.members[0].relation" in errors[10]
    assert "household.members[0].id_number is required" in errors[11]
    assert "household must be a JSON object" in errors[12]
    assert "retirement base age" in errors[13]
    assert "YYYY-MM-DD" in errors[14]


def test_all_valid_batch_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, results = run(
        ["--on", "2024-06-01", write(tmp_path, [{"id_number": MAN_1990}])], capsys
    )
    assert status == 0
    assert results[0]["eligible"] is False
    assert run(["--on", "2024-06-01", write(tmp_path, [])], capsys) == (0, [])


def test_single_invalid_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, result = run(["--on", "2024-06-01", write(tmp_path, {"id_number": "123"})], capsys)
    assert status == 1
    assert set(result) == {"error"}


def test_household_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    facts = {
        "id_number": MAN_1990,
        "registered_unemployed_since": "2024-05-01",
        "household": {
            "business_or_investment_income": False,
            "members": [
                {
                    "relation": "spouse",
                    "id_number": make_id(D(1991, 5, 5), male=False),
                    "registered_unemployed": True,
                },
                {"relation": "child", "id_number": make_id(D(2015, 5, 5)), "employed": False},
            ],
        },
    }
    status, result = run(["--on", "2024-06-01", write(tmp_path, facts)], capsys)
    assert status == 0
    assert result["categories"] == ["zero_employment_family", "dual_unemployed_couple"]


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"id_number": MAN_1990})))
    status, result = run(["--on", "2024-06-01", "-"], capsys)
    assert status == 0
    assert result["id_number"] == MAN_1990


def test_stdin_bytes_with_bom(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = "\ufeff" + json.dumps([{"id_number": MAN_1990}])
    stream = io.TextIOWrapper(io.BytesIO(raw.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stream)
    status, results = run(["--on", "2024-06-01", "-"], capsys)
    assert status == 0
    assert len(results) == 1


def test_on_defaults_to_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _status, result = run([write(tmp_path, {"id_number": MAN_1990})], capsys)
    assert result["as_of"] == dt.date.today().isoformat()


def test_named_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path, {"id_number": MAN_1990})
    _status, result = run(["--on", "2023-01-01", "--policy", "xj-2023-49", file], capsys)
    assert result["policy"] == "xj-2023-49"
    args = parser().parse_args(["assess", "--policy", "nope", file])
    with pytest.raises(NotFoundError, match="nope"):
        args.handler(args)


def test_no_policy_in_force(tmp_path: Path) -> None:
    args = parser().parse_args(["assess", "--on", "2023-01-01", write(tmp_path, {})])
    with pytest.raises(UserError, match="No policy pack is in force on 2023-01-01"):
        args.handler(args)


def test_policy_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from caseworker.policy.resources import policy_dir

    packs = tmp_path / "packs"
    packs.mkdir()
    text = (policy_dir() / "xj-2023-49.toml").read_text(encoding="utf-8")
    text = text.replace('id = "xj-2023-49"', 'id = "county"').replace(
        "effective_from = 2023-08-09", "effective_from = 2024-01-01"
    )
    (packs / "county.toml").write_text(text, encoding="utf-8")
    file = write(tmp_path, {"id_number": MAN_1990})
    _status, result = run(["--on", "2024-06-01", "--policy-dir", str(packs), file], capsys)
    assert result["policy"] == "county"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"42", "must hold one JSON object of facts or an array"),
        (b'"text"', "must hold one JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_invalid_input_as_a_whole(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "facts.json"
    path.write_bytes(content)
    args = parser().parse_args(["assess", "--on", "2024-06-01", str(path)])
    with pytest.raises(UserError, match=message):
        args.handler(args)


def test_unreadable_file(tmp_path: Path) -> None:
    args = parser().parse_args(["assess", str(tmp_path / "missing.json")])
    with pytest.raises(UserError, match="Cannot read"):
        args.handler(args)


@pytest.mark.parametrize("value", ["2024-02-30", "01/06/2024", "2024-6-1"])
def test_bad_on_date(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["assess", "--on", value, "x.json"])
    assert "YYYY-MM-DD" in capsys.readouterr().err
