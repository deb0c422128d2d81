"""The registry's round trip (issue 9): any registry whose text fields hold arbitrary Unicode,
a leading = + - @ or apostrophe, direction marks, Excel escapes and so on exports and imports
again identically, value for value and cell for cell; and the fast pinyin is pypinyin's."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from caseworker.core import names, wall
from caseworker.registry import persons, spreadsheet, stations
from caseworker.registry.fields import PERSON_FIELDS, Kind
from caseworker.store.engine import sqlite_url
from caseworker.store.migrate import open_store
from caseworker.store.models import Person
from tests.helpers import make_id

TODAY = dt.date(2025, 6, 2)
TEXT_FIELDS = [f.name for f in PERSON_FIELDS if f.kind is Kind.TEXT and f.name not in ("name", "id_number", "name_native")]  # fmt: skip
TRICKY_STARTS = ["=", "+", "-", "@", "'", "''", "'=", "\t", "\r", "＝", "\u200f", "\u202e", "_x0041_", "\ufeff"]  # fmt: skip
TRICKY_PARTS = ["\u200f", "\u200e", "\u061c", "\u200c", "\u200d", "_x000D_", "_x005F_", "]]>", "&amp;", "<t>", "\n", "\u2028", "ئۇيغۇر", "𠀀", "\ue000"]  # fmt: skip


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised station file, copied for every example (migrating is slow)."""
    path = tmp_path_factory.mktemp("roundtrip") / "template.sqlite3"
    store = open_store(sqlite_url(path), actor="tester")
    stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["南湖社区", "红旗村"])
    store.dispose()
    return path


def fresh(template: Path, folder: Path, name: str) -> Any:
    path = folder / f"{name}.sqlite3"
    shutil.copyfile(template, path)
    return open_store(sqlite_url(path), actor="tester")


tricky_text = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda start, body, part: start + body + part + body,
        st.sampled_from(TRICKY_STARTS),
        st.text(max_size=12),
        st.sampled_from(TRICKY_PARTS),
    ),
)

person_values = st.fixed_dictionaries(
    dict.fromkeys(TEXT_FIELDS, tricky_text),
    optional={
        "village": st.sampled_from(["南湖社区", "红旗村", ""]),
        "education": st.sampled_from(["初中", "大学本科", ""]),
        "min_living_allowance": st.booleans(),
        "employed": st.booleans(),
        "graduation_date": st.dates(dt.date(2005, 1, 1), TODAY),
        "retirement_base_age": st.sampled_from([None, 60]),
    },
)


def register_valid(store: Any, raw_people: list[dict[str, Any]]) -> int:
    """Register each person, dropping the values the rules refuse (a control character, a
    text too long …): the registry then holds only what the form and the import accept."""
    count = 0
    with store.transaction() as session:
        villages = persons.village_names(session, store.station_code)
        for index, values in enumerate(raw_people):
            raw = {"name": "张" + "一二三四五六七八九十"[index % 10], "id_number": make_id(seq=2 * index + 1), **values}  # fmt: skip
            for _attempt in range(len(raw)):
                try:
                    data = persons.validate(raw, villages=villages, today=TODAY)
                except persons.FieldErrors as exc:
                    for field in exc.errors:
                        raw.pop(field, None)
                        if field == "employed":
                            raw.pop("registered_unemployed_since", None)
                    continue
                persons.register(session, data)
                count += 1
                break
    return count


def stored(store: Any) -> dict[str, dict[str, object]]:
    with store.reading() as session:
        rows = {}
        for person in session.scalars(select(Person).where(Person.deleted.is_(False))):
            values = {
                f.name: getattr(person, f.name) for f in PERSON_FIELDS if f.kind is not Kind.VILLAGE
            }
            values["village"] = person.village.name if person.village else None
            rows[person.id_number] = values
        return rows


def cells(path: Path) -> list[list[tuple[object, str]]]:
    sheet = load_workbook(path).active
    assert sheet is not None
    return [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(people=st.lists(person_values, min_size=1, max_size=6))
def test_export_then_import_gives_the_same_registry(
    template: Path, tmp_path_factory: pytest.TempPathFactory, people: list[dict[str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("example")
    with wall.use(wall.FixedWall.on(TODAY)):
        first = fresh(template, folder, "first")
        second = fresh(template, folder, "second")
        try:
            count = register_valid(first, people)
            out_a, out_b = folder / "a.xlsx", folder / "b.xlsx"
            assert spreadsheet.export_persons(first, out_a).exported == count
            report = spreadsheet.import_persons(second, out_a)
            assert (report.imported, report.rejected) == (count, [])
            assert stored(second) == stored(first)
            spreadsheet.export_persons(second, out_b)
            assert cells(out_b) == cells(out_a)  # cell for cell, value and type
            assert all(kind != "f" for row in cells(out_a) for _value, kind in row)
        finally:
            first.dispose()
            second.dispose()
    shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF) | st.sampled_from("·阿不都热合曼买提古丽"),
        min_size=1,
        max_size=8,
    )
)  # fmt: skip
def test_fast_pinyin_is_exactly_pypinyins(text: str) -> None:
    import pypinyin

    names._pinyin()
    assert names.lazy_pinyin(text) == pypinyin.lazy_pinyin(text, errors="ignore")
