from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from caseworker.registry import persons, search
from caseworker.store.models import Person
from tests.helpers import make_id, register

PEOPLE = [
    ("张三", make_id(birth=dt.date(1990, 1, 1), seq=111), "13899998888"),
    ("张三丰", make_id(birth=dt.date(1985, 3, 3), seq=113), "13912345678"),
    ("李张", make_id(birth=dt.date(1970, 7, 7), seq=115), "18000000001"),
    ("阿不都热合曼·买买提", make_id("653101", dt.date(1975, 5, 5), 117), "15000000002"),
    ("古丽娜尔·吐尔逊", make_id("654002", dt.date(1992, 9, 9), 118), "15100000003"),
    ("曾志伟", make_id(birth=dt.date(1966, 6, 6), seq=119), "15200000004"),
]


@pytest.fixture
def people(store: Any) -> dict[str, Any]:
    return {name: register(store, name, number, phone=phone) for name, number, phone in PEOPLE}


def names_for(store: Any, query: str, portable: bool = False) -> list[str]:
    with store.reading() as session:
        if portable:
            stmt = (
                select(Person.name)
                .where(search._portable_predicate(search.parse_query(query)))
                .order_by(search.rank(query), Person.name_pinyin, Person.id_number)
            )
            return list(session.scalars(stmt))
        return [p.name for p in search.search(session, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张", ["张三", "张三丰", "李张"]),  # one character; name prefix first
        ("张三", ["张三", "张三丰"]),  # two characters, exact name first
        ("张三丰", ["张三丰"]),
        ("三丰", ["张三丰"]),
        ("买买提", ["阿不都热合曼·买买提"]),
        ("合曼·买", ["阿不都热合曼·买买提"]),
        ("zs", ["张三", "张三丰", "李张"][:2]),
        ("zhangsan", ["张三", "张三丰"]),
        ("ZhangSan", ["张三", "张三丰"]),
        ("san", ["张三", "张三丰"]),
        ("abdrhm", ["阿不都热合曼·买买提"]),
        ("abudu", ["阿不都热合曼·买买提"]),
        ("zengzhi", ["曾志伟"]),
        ("ceng", ["曾志伟"]),  # pypinyin's own reading still finds it
        ("9999", ["张三"]),
        ("1234567", ["张三丰"]),
        ("19750505", ["阿不都热合曼·买买提"]),
        ("没有", []),
        ("", []),
        ("  ", []),
        ('"', []),
    ],
)
def test_search(store: Any, people: dict[str, Any], query: str, expected: list[str]) -> None:
    assert names_for(store, query) == expected


@pytest.mark.parametrize(
    "query", ["张", "张三", "zs", "san", "9999", "买买提", "abudu", "19750505"]
)
def test_portable_path_agrees(store: Any, people: dict[str, Any], query: str) -> None:
    assert names_for(store, query, portable=True) == names_for(store, query)


def test_exact_id_number_ranks_first(store: Any, people: dict[str, Any]) -> None:
    target = PEOPLE[2][1]
    with store.reading() as session:
        assert search.search(session, target)[0].name == "李张"
        assert search.search(session, target.lower())[0].name == "李张"


def test_tombstones_are_not_found(store: Any, people: dict[str, Any]) -> None:
    with store.transaction() as session:
        persons.tombstone(session, people["张三"].id)
    assert names_for(store, "张三") == ["张三丰"]


def test_index_follows_edits(store: Any, people: dict[str, Any]) -> None:
    with store.transaction() as session:
        persons.change(session, people["张三"].id, name="王五", phone="13311112222")
    assert names_for(store, "zs") == ["张三丰"]
    assert names_for(store, "ww") == ["王五"]
    assert names_for(store, "1111") == ["王五"]
    assert names_for(store, "9999") == []


@pytest.mark.parametrize(
    "query", ["张", "张三", "zs", "san", "9999", "买买提", "abudu", "19750505", "1", "13"]
)
def test_core_tiers_agree_with_the_sqlite_fast_path(
    store: Any, people: dict[str, Any], query: str
) -> None:
    with store.reading() as session:
        assert search.search_ids(session, query) == [h.id for h in search.search(session, query)]


def test_limit_and_tier_order(store: Any, people: dict[str, Any]) -> None:
    with store.reading() as session:
        assert [h.name for h in search.search(session, "张", limit=2)] == ["张三", "张三丰"]
        assert search.search(session, "张", limit=0) == []
        hit = search.search(session, "李张")[0]
        assert (hit.name, hit.sex, hit.phone) == ("李张", "male", "18000000001")


def test_migration_0001_keeps_the_index_ddl_of_its_time() -> None:
    """The first migration carries a frozen copy of the FTS DDL; it must equal version 1 here."""
    import importlib.util

    from caseworker.store.migrate import MIGRATIONS

    path = MIGRATIONS / "versions" / "0001_initial.py"
    assert "caseworker.registry" not in path.read_text(encoding="utf-8")
    spec = importlib.util.spec_from_file_location("migration_0001", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.SQLITE_INDEX_V1 == search.SQLITE_INDEX_V1
    assert module.SQLITE_DROP_V1 == search.SQLITE_DROP_V1
