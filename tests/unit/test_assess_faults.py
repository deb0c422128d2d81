"""``caseworker assess`` with hostile or odd input (issue 9): each fault has its own message and
exit status 2 with nothing on standard output; duplicate keys are ambiguous; dates go through
the importer's validator; memory stays flat in the input's size."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from caseworker.cli import main
from caseworker.core import jsonstream
from tests.unit.test_assess_cli import MAN_1990, WOMAN_1975


def assess(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    path = tmp_path / "facts.json"
    path.write_text(text, encoding="utf-8")
    status = main(["assess", "--on", "2024-06-01", str(path)])
    out, err = capsys.readouterr()
    return status, out, err


GOOD = f'{{"id_number": "{MAN_1990}"}}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" + GOOD + "," + "[" * 2000 + "]" * 2000 + "]", "item 2 (from line 1): it is nested too deeply"),
        (f'[{GOOD}, {{"id_number": "{MAN_1990}", "retirement_base_age": {"9" * 5000}}}]', "a number has 5000 digits"),
        (f'[{GOOD}, {{"id_number": "{MAN_1990}", "notes": "\\ud800"}}]', "broken character (\\ud800"),
        (f'[{GOOD},\n {{"id_number": "{MAN_1990}", "employed": true, "employed": false}}]', 'item 2 (from line 2): the key "employed" appears twice'),
        (f'{{"id_number": "{MAN_1990}", "retirement_base_age": NaN}}', "NaN is not a JSON number"),
    ],
)  # fmt: skip
def test_hostile_input_is_refused_with_its_own_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    status, out, err = assess(tmp_path, text, capsys)
    assert status == 2
    assert out == ""  # nothing half-written on standard output
    assert message in err
    assert "unexpected" not in err
    assert err.count("\n") == 1


def test_duplicate_keys_in_a_single_object_are_ambiguous(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f'{{"id_number": "{MAN_1990}", "employed": true, "employed": false}}'
    status, out, err = assess(tmp_path, text, capsys)
    assert (status, out) == (2, "")
    assert 'the key "employed" appears twice' in err


def test_dates_follow_the_importers_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        {"id_number": WOMAN_1975, "registered_unemployed_since": "0001-01-01"},
        {"id_number": WOMAN_1975, "registered_unemployed_since": "1980-01-01"},
        {"id_number": WOMAN_1975, "registered_unemployed_since": "２０２４-０５-０１"},
        {"id_number": WOMAN_1975, "registered_unemployed_since": "٢٠٢٤-٠٥-٠١"},
    ]
    status, out, _err = assess(tmp_path, json.dumps(items, ensure_ascii=False), capsys)
    results = json.loads(out)
    assert status == 1
    assert "before 1900" in results[0]["error"]
    assert "before the person turned 16" in results[1]["error"]
    assert results[2]["categories"] == ["older_worker"]  # full-width digits, as the importer
    assert "YYYY-MM-DD" in results[3]["error"]


def test_the_importer_refuses_the_same_dates(store: object, tmp_path: Path) -> None:
    from caseworker.registry import spreadsheet

    path = tmp_path / "in.csv"
    path.write_text(
        f"姓名,身份证号,登记失业日期\n张三,{WOMAN_1975},0001-01-01\n李四,{MAN_1990},２０２４-０５-０１\n",
        encoding="utf-8",
    )
    report = spreadsheet.import_persons(store, path)  # type: ignore[arg-type]
    assert report.imported == 1
    assert "before 1900" in report.rejected[0].reason


def test_streamed_output_is_the_same_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [{"id_number": MAN_1990}, {"id_number": "bad"}, {"id_number": WOMAN_1975}]
    status, out, _err = assess(tmp_path, json.dumps(items), capsys)
    assert status == 1
    results = json.loads(out)
    assert out == json.dumps(results, ensure_ascii=False, indent=2) + "\n"
    status, out, _err = assess(tmp_path, "[]", capsys)
    assert (status, out) == (0, "[]\n")


def _items_text(n: int) -> str:
    item = json.dumps({"id_number": MAN_1990, "registered_unemployed_since": "2023-01-01"})
    return "[" + ",\n".join([item] * n) + "]"


def test_reading_memory_is_flat_in_the_input_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", 1 << 16)  # both inputs many reads long
    peaks = []
    for n in (20_000, 80_000):  # about 1.5 MB and 6 MB of JSON
        text = _items_text(n)
        stream = io.StringIO(text)
        del text
        tracemalloc.start()
        try:
            reader = jsonstream.Reader(stream, "input")
            assert sum(1 for _ in reader.items()) == n
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.3
    assert peaks[1] < 1_000_000


def test_items_split_across_reads_are_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", 7)  # every item spans several reads
    text = _items_text(50)
    assert list(jsonstream.Reader(io.StringIO(text), "x").items()) == json.loads(text)
    bad = text[:-10] + "}, oops]"
    with pytest.raises(jsonstream.JsonInputError, match="not valid JSON"):
        list(jsonstream.Reader(io.StringIO(bad), "x").items())
