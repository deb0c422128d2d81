"""The registry search, through the paths the product runs: the registry list's id query
(``person_query.fetch_ids``), ``persons list`` (``commands.persons.list_persons``) and the
roster filter; the portable (PostgreSQL) form checked against the SQLite one."""

from __future__ import annotations

import datetime as dt
import string
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql

from caseworker.commands.persons import list_persons
from caseworker.core import names
from caseworker.core.errors import NotFoundError, ValidationError
from caseworker.gui.models import person_query
from caseworker.gui.models.listing import ListQuery
from caseworker.registry import persons, search
from tests.helpers import make_id, register

PEOPLE = [
    ("张三", make_id(birth=dt.date(1990, 1, 1), seq=111), "13899998888"),
    ("张三丰", make_id(birth=dt.date(1985, 3, 3), seq=113), "13912345678"),
    ("李张", make_id(birth=dt.date(1970, 7, 7), seq=115), "18000000001"),
    ("阿不都热合曼·买买提", make_id("653101", dt.date(1975, 5, 5), 117), "15000000002"),
    ("古丽娜尔·吐尔逊", make_id("654002", dt.date(1992, 9, 9), 118), "15100000003"),
    ("曾志伟", make_id(birth=dt.date(1966, 6, 6), seq=119), "15200000004"),
    ("𠮷野", make_id(birth=dt.date(1980, 2, 2), seq=121), "16613800000"),  # Extension B
    ("㐀三", make_id(birth=dt.date(1981, 4, 4), seq=123), "17700000005"),  # Extension A
    ("李𪚥", make_id(birth=dt.date(1982, 8, 8), seq=125), "17700000006"),  # Extension C
]


@pytest.fixture
def people(store: Any) -> dict[str, Any]:
    return {name: register(store, name, number, phone=phone) for name, number, phone in PEOPLE}


@pytest.fixture(scope="module")
def small_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from caseworker.registry import stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    store = open_store(sqlite_url(tmp_path_factory.mktemp("search") / "s.sqlite3"))
    stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["红旗村"])
    for name, number, phone in PEOPLE:
        register(store, name, number, phone=phone)
    yield store
    store.dispose()


def gui_ids(store: Any, text: str, **filters: Any) -> list[uuid.UUID]:
    """What the registry list shows, in its order."""
    with store.reading() as session:
        return list(person_query.fetch_ids(session, ListQuery(text=text, **filters)))


def cli_ids(store: Any, text: str, limit: int = 10_000) -> list[uuid.UUID]:
    """What ``persons list`` shows, in its order."""
    with store.reading() as session:
        return [hit.id for hit in list_persons(session, text, limit=limit)]


def portable_ids(store: Any, text: str) -> list[uuid.UUID]:
    """The LIKE form (PostgreSQL's) run on SQLite."""
    with store.reading() as session:
        return list(session.scalars(search.ranked(session, text, portable=True)))


def names_of(store: Any, ids: list[uuid.UUID]) -> list[str]:
    with store.reading() as session:
        return [persons.get(session, i).name for i in ids]


def found(store: Any, text: str) -> list[str]:
    """Names for ``text``; the list, the CLI and the portable form must agree on them."""
    ids = gui_ids(store, text)
    assert cli_ids(store, text) == ids
    assert portable_ids(store, text) == ids
    return names_of(store, ids)


EVERYONE_IN_PINYIN_ORDER = [
    "阿不都热合曼·买买提", "古丽娜尔·吐尔逊", "李张", "李𪚥", "㐀三", "𠮷野", "曾志伟",
    "张三", "张三丰",
]  # fmt: skip


EXPECTED = [
    ("张", ["张三", "张三丰", "李张"]),  # name prefix, then anywhere
    ("张三", ["张三", "张三丰"]),  # exact name, then name prefix
    ("张三丰", ["张三丰"]),
    ("三丰", ["张三丰"]),
    ("三", ["㐀三", "张三", "张三丰"]),  # anywhere only: by pinyin
    ("买买提", ["阿不都热合曼·买买提"]),
    ("合曼·买", ["阿不都热合曼·买买提"]),
    ("曼买", ["阿不都热合曼·买买提"]),  # across the middle dot, as the index reads it
    ("zs", ["张三", "张三丰"]),
    ("z", ["曾志伟", "张三", "张三丰", "李张", "李𪚥"]),  # initials prefix, then anywhere
    ("zh", ["张三", "张三丰", "李张", "李𪚥", "曾志伟"]),  # pinyin prefix, then anywhere
    ("zhangsan", ["张三", "张三丰"]),
    ("ZhangSan", ["张三", "张三丰"]),
    ("zhang san", ["张三", "张三丰"]),
    ("ｚｓ", ["张三", "张三丰"]),  # full-width letters
    ("san", ["㐀三", "张三", "张三丰"]),
    ("abdrhm", ["阿不都热合曼·买买提"]),
    ("abudu", ["阿不都热合曼·买买提"]),
    ("zengzhi", ["曾志伟"]),
    ("ceng", ["曾志伟"]),  # pypinyin's own reading still finds it
    ("9999", ["张三"]),
    ("1234567", ["张三丰"]),
    ("19750505", ["阿不都热合曼·买买提"]),
    ("138", ["张三", "𠮷野"]),  # phone prefix, then anywhere
    ("13", ["张三", "张三丰"]),  # short: phone prefixes only
    ("٩٩٩٩", ["张三"]),  # Arabic-Indic digits
    ("张 138", ["张三"]),  # every fragment must match
    ("没有", []),
    ('"', []),  # text, but nothing searchable: no one
    ("%", []),
    ("_", []),
]


@pytest.mark.parametrize(("query", "expected"), EXPECTED)
def test_search(small_registry: Any, query: str, expected: list[str]) -> None:
    assert found(small_registry, query) == expected


@pytest.mark.parametrize("query", ["", " ", "  \t ", "\u3000", "\u200b", " \u200f\ufeff "])
def test_a_blank_search_lists_everyone(small_registry: Any, query: str) -> None:
    assert found(small_registry, query) == EVERYONE_IN_PINYIN_ORDER
    with small_registry.reading() as session:
        from caseworker.forms.sources import roster_data

        roster = roster_data(session, query=query, now=dt.datetime(2025, 1, 2, 9))
    assert len(roster.rows) == len(PEOPLE)
    assert roster.filters == "全部登记人员"


def test_tiers_best_first(store: Any, people: dict[str, Any]) -> None:
    """Exact ID number, exact name, name prefix, initials, pinyin, ID prefix, phone prefix,
    anywhere; ties by pinyin, then ID number."""
    register(store, "张", make_id(birth=dt.date(1991, 1, 1), seq=131))
    register(store, "张伞", make_id(birth=dt.date(1991, 1, 1), seq=133))  # pinyin as 张三
    assert found(store, "张") == ["张", "张三", "张伞", "张三丰", "李张"]
    target = people["李张"].id_number
    assert found(store, target) == ["李张"]
    assert found(store, target.lower()) == ["李张"]
    register(store, "王五", make_id("653101", seq=141), phone="65010200")
    by_pinyin = ["李张", "李𪚥", "㐀三", "𠮷野", "曾志伟", "张", "张三", "张伞", "张三丰"]
    assert found(store, "650102") == [*by_pinyin, "王五"]  # ID number prefixes, then phones
    assert found(store, "z")[:4] == ["曾志伟", "张", "张三", "张伞"]  # initials before pinyin


def test_order_in_a_tier_is_pinyin_then_id_number(store: Any) -> None:
    late = register(store, "张三", make_id(birth=dt.date(1999, 1, 1), seq=151))
    early = register(store, "张三", make_id(birth=dt.date(1960, 1, 1), seq=153))
    ids = gui_ids(store, "zhangsan")
    assert ids == [early.id, late.id]  # 650102196... before 650102199...
    assert cli_ids(store, "zhangsan", limit=1) == [early.id]


def test_list_and_cli_agree_on_a_demo_registry(store: Any) -> None:
    from caseworker.registry import demo

    demo.generate(store, persons=400, seed=5, today=dt.date(2025, 6, 2))
    with store.reading() as session:
        everyone = list_persons(session, "", limit=1000)
    assert len(everyone) >= 400
    queries = ["", "古", "古丽", "买买提", "g", "gl", "guli", "zh", "65", "6501", "139", "0"]
    queries += [everyone[n].name for n in (0, 50, 300)]
    queries += [everyone[n].id_number[-6:] for n in (1, 77)]
    for query in queries:
        ids = gui_ids(store, query)
        assert cli_ids(store, query) == ids, query
        assert cli_ids(store, query, limit=7) == ids[:7], query
        assert portable_ids(store, query) == ids, query


def test_list_filters_and_sort_columns_combine_with_the_search(store: Any) -> None:
    """The registry list's filters and sort columns over a search: the search's persons, in
    the sort column's order (or the search's order when no column is chosen)."""
    from caseworker.gui.models.listing import Column
    from caseworker.registry import demo, stations

    demo.generate(store, persons=300, seed=6, today=dt.date(2025, 6, 2))
    with store.reading() as session:
        village = stations.villages(session, store.station_code)[0].id
    in_village = set(gui_ids(store, "", village_id=village))
    for text in ("古", "g", "65", "13"):
        ranked = gui_ids(store, text)
        matched = set(ranked)
        assert gui_ids(store, text, village_id=village) == [i for i in ranked if i in in_village]
        for sort in (Column.AGE, Column.NAME, Column.REGISTERED, Column.STATUS):
            for descending in (False, True):
                everyone = gui_ids(store, "", sort=sort, descending=descending)
                expected = [i for i in everyone if i in matched]
                assert gui_ids(store, text, sort=sort, descending=descending) == expected


def test_list_filters_keep_the_search_order(store: Any, people: dict[str, Any]) -> None:
    with store.transaction() as session:
        village = persons.village_names(session, store.station_code)["红旗村"]
        persons.change(session, people["张三丰"].id, village_id=village)
        persons.change(session, people["李张"].id, village_id=village)
    assert names_of(store, gui_ids(store, "张", village_id=village)) == ["张三丰", "李张"]
    with store.reading() as session:
        hits = search.search(session, "张", village_id=village)
        assert [h.name for h in hits] == ["张三丰", "李张"]
        assert {h.village for h in hits} == {"红旗村"}
        assert [h.name for h in list_persons(session, "张", village="红旗村")] == ["张三丰", "李张"]
        with pytest.raises(NotFoundError, match="no village or community called 红星村"):
            list_persons(session, "张", village="红星村")


def test_roster_filter_is_the_search(store: Any, people: dict[str, Any]) -> None:
    from caseworker.forms.sources import roster_data

    now = dt.datetime(2025, 1, 2, 9)
    with store.reading() as session:
        for query in ("张", "zs", "138", "𠮷", "曼买", '"'):
            roster = roster_data(session, query=query, now=now)
            assert {r.name for r in roster.rows} == set(found(store, query)), query


def test_extension_b_and_other_accepted_characters_are_found(
    store: Any, people: dict[str, Any]
) -> None:
    assert found(store, "𠮷") == ["𠮷野"]
    assert found(store, "𠮷野") == ["𠮷野"]
    assert found(store, "野") == ["𠮷野"]
    assert found(store, "㐀") == ["㐀三"]
    assert found(store, "𪚥") == ["李𪚥"]
    assert found(store, "李𪚥") == ["李𪚥"]
    # a compatibility ideograph typed in a query is the character it stands for
    register(store, "金三", make_id(seq=161))
    assert found(store, "\uf90a") == ["金三"]  # U+F90A is 金 (canonical equivalent)


def test_tombstones_are_not_found(store: Any, people: dict[str, Any]) -> None:
    with store.transaction() as session:
        persons.tombstone(session, people["张三"].id)
    assert found(store, "张三") == ["张三丰"]
    assert "张三" not in found(store, "")


def test_index_follows_edits(store: Any, people: dict[str, Any]) -> None:
    with store.transaction() as session:
        persons.change(session, people["张三"].id, name="王五", phone="13311112222")
    assert found(store, "zs") == ["张三丰"]
    assert found(store, "ww") == ["王五"]
    assert found(store, "1111") == ["王五"]
    assert found(store, "9999") == []


# ---------------------------------------------------------------------------------------------
# Query size, escaping
# ---------------------------------------------------------------------------------------------


def test_a_long_query_is_refused_with_a_message(store: Any, people: dict[str, Any]) -> None:
    groups = " ".join(["12"] * 1000)  # crashed SQLite: "Expression tree is too large"
    with store.reading() as session, pytest.raises(ValidationError, match="too long"):
        list_persons(session, groups)
    with pytest.raises(ValidationError, match="too long"):
        gui_ids(store, "张" * (search.MAX_QUERY_LENGTH + 1))
    with pytest.raises(ValidationError, match="too many parts") as info:
        gui_ids(store, " ".join(["12"] * (search.MAX_FRAGMENTS + 1)))
    assert info.value.field == "query"
    # at the limits the query runs
    assert gui_ids(store, " ".join(["1"] * search.MAX_FRAGMENTS)) is not None
    ten = " ".join((["zs", "张", "138", "1"] * 3)[: search.MAX_FRAGMENTS])
    assert found(store, ten) == ["张三"]
    long_name = "张" * search.MAX_QUERY_LENGTH
    assert found(store, long_name) == []


def test_the_cli_refuses_a_long_query_with_exit_2(
    db_path: Path, store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from caseworker.cli import main

    status = main(["--db", str(db_path), "persons", "list", " ".join(["12"] * 1000)])
    out, err = capsys.readouterr()
    assert status == 2
    assert "too long" in err
    assert "Traceback" not in out + err
    assert main(["--db", str(db_path), "persons", "list", "   "]) == 0


def test_no_like_in_the_ranking_and_like_patterns_are_escaped(store: Any) -> None:
    rank = search.tier(search.parse_query("138"))
    assert rank is not None
    assert "LIKE" not in str(rank.compile())
    # the portable form escapes what it passes to LIKE (a fragment never holds % or _ today;
    # a crafted one must still be literal)
    crafted = search.ParsedQuery("a%_", latin=("a%_",))
    with store.reading() as session:
        clause = search.matches(session, crafted, portable=True)
    assert clause is not None
    compiled = clause.compile(dialect=postgresql.dialect())  # type: ignore[no-untyped-call]
    assert "ESCAPE" in str(compiled)
    assert " a/%/_" in compiled.params.values()


# ---------------------------------------------------------------------------------------------
# The parser (hypothesis)
# ---------------------------------------------------------------------------------------------

CJK_NAME_CHARACTERS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # Extension B
    st.characters(min_codepoint=0x2A700, max_codepoint=0x2EBEF),  # Extensions C-F
    st.characters(min_codepoint=0x30000, max_codepoint=0x3134F),  # Extension G
)
NAME_PART = st.text(CJK_NAME_CHARACTERS, min_size=1, max_size=6)
VALID_NAMES = st.lists(NAME_PART, min_size=1, max_size=3).map(names.MIDDLE_DOT.join)


@given(VALID_NAMES)
def test_every_valid_name_is_one_name_query(name: str) -> None:
    stored = names.validate_name(name)
    parsed = search.parse_query(stored)
    assert parsed.name_text == stored
    assert "".join(parsed.cjk) == stored.replace(names.MIDDLE_DOT, "")
    assert parsed.fragments == len(parsed.cjk)
    assert search.parse_query(" " + stored + "\u3000") == parsed


@given(st.text(max_size=3 * search.MAX_QUERY_LENGTH))
def test_the_parser_refuses_or_returns_bounded_fragments(query: str) -> None:
    refused: ValidationError | None = None
    try:
        parsed = search.parse_query(query)
    except ValidationError as error:
        refused = error
    if refused is not None:
        assert refused.field == "query"
        assert "too long" in str(refused) or "too many parts" in str(refused)
        return
    assert len(parsed.text) <= search.MAX_QUERY_LENGTH
    assert parsed.fragments <= search.MAX_FRAGMENTS
    assert parsed.blank == (not parsed.text)
    assert all(set(d) <= set(string.digits + "X") for d in parsed.digits)
    assert all(set(w) <= set(string.ascii_lowercase) for w in parsed.latin)
    assert search.parse_query(parsed.text) == parsed  # normalising twice changes nothing


QUERY_PIECES = st.sampled_from(
    ["张", "三", "𠮷", "买买提", "·", "zs", "zhang", "Z", "13", "138", "9999", "x", "X", "%",
     "_", "\\", '"', "*", "'", "(", ")", "AND", "OR", "NEAR", "-", ":", "^", " ", "\u3000",
     "٣", "ئا", "𪚥", "\u200b"]
)  # fmt: skip


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(QUERY_PIECES, max_size=8).map("".join))
def test_any_query_runs_the_same_on_both_forms(small_registry: Any, query: str) -> None:
    """FTS syntax, LIKE wildcards and quotes in a query are text: the query never fails, and
    the SQLite and the LIKE forms find the same persons in the same order."""
    try:
        search.parse_query(query)
    except ValidationError:
        return
    assert portable_ids(small_registry, query) == gui_ids(small_registry, query)
    assert cli_ids(small_registry, query) == gui_ids(small_registry, query)


def _migration(name: str) -> Any:
    import importlib.util

    from caseworker.store.migrate import MIGRATIONS

    path = MIGRATIONS / "versions" / f"{name}.py"
    assert "caseworker.registry" not in path.read_text(encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("migration", "frozen"),
    [
        ("0001_initial", ["SQLITE_INDEX_V1", "SQLITE_DROP_V1"]),
        ("0006_search_index", ["SQLITE_INDEX_V1", "SQLITE_DROP_V1", "SQLITE_INDEX_V2",
                          "SQLITE_DROP_V2", "SQLITE_INDEX_NEW_V2"]),
    ],
)  # fmt: skip
def test_migrations_keep_the_index_ddl_of_their_time(migration: str, frozen: list[str]) -> None:
    """A migration carries a frozen copy of the index DDL it installs; it must equal the
    version kept here."""
    module = _migration(migration)
    for name in frozen:
        assert getattr(module, name) == getattr(search, name), name


# ---------------------------------------------------------------------------------------------
# The SQLite index (version 2) stays in step with the person table
# ---------------------------------------------------------------------------------------------

LISTED = "id, deleted, name, name_initials, name_pinyin, id_number, phone, village_id"


def group_of(pinyin: str) -> int:
    """The first key of a pinyin's group, as the triggers compute it."""
    letters = [max(0, min(26, ord(c) - 96)) for c in pinyin[:8]] + [0] * 8
    code = 0
    for value in letters[:8]:
        code = code * 27 + value
    return code << 24


def assert_index_in_step(store: Any, *, grouped: bool = True) -> None:
    """The list table holds every person as the person table does; keys sit in their pinyin
    group (unless ``grouped`` is False); the FTS indexes are sound and answer as LIKE does."""
    with store.transaction() as session:  # (FTS5's integrity check is written as an INSERT)
        connection = session.connection()
        listed = connection.exec_driver_sql(f"SELECT k, {LISTED} FROM person_fts_list").all()
        people = connection.exec_driver_sql(f"SELECT {LISTED} FROM person").all()
        for fts in ("person_fts", "person_fts_digits"):
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
    assert sorted(tuple(row[1:]) for row in listed) == sorted(tuple(row) for row in people)
    for k, _id, _deleted, _name, _initials, pinyin, *_rest in listed if grouped else []:
        assert k >> 24 << 24 == group_of(pinyin), (k, pinyin)
    everyone = [row[0] for row in people if not row[1]]
    samples = [row[2] for row in people[::3]] + [row[5][-5:] for row in people[::4]]
    samples += [row[4][:3] for row in people[1::3]] + [row[6][:4] for row in people[2::5]]
    assert len(gui_ids(store, "")) == len(everyone)
    for query in samples:
        assert gui_ids(store, query) == portable_ids(store, query), query


NAMES = [
    "张三",
    "张伞",
    "章三",
    "张三丰",
    "古丽",
    "古丽娜",
    "古丽娜尔·吐尔逊",
    "𠮷野",
    "李四",
    "阿不都",
]


@pytest.mark.parametrize("seed", range(4))
def test_the_index_follows_any_sequence_of_changes(store: Any, seed: int) -> None:
    import random

    rng = random.Random(seed)
    registered: list[uuid.UUID] = []
    for step in range(60):
        action = rng.choice(["register"] * 4 + ["rename", "phone", "id", "tombstone", "restore"])
        with store.transaction() as session:
            if action == "register" or not registered:
                birth = dt.date(1960 + rng.randrange(40), 1 + rng.randrange(12), 1)
                data = persons.validate(
                    {"name": rng.choice(NAMES), "id_number": make_id(birth=birth, seq=step)}
                )
                registered.append(persons.register(session, data).person.id)
                continue
            target = rng.choice(registered)
            if action == "rename":
                persons.change(session, target, name=rng.choice(NAMES))
            elif action == "phone":
                persons.change(session, target, phone=f"139{rng.randrange(10**8):08d}")
            elif action == "id":
                number = make_id(birth=dt.date(1950, 1, 1 + step % 28), seq=500 + step)
                persons.change(session, target, id_number=number)
            elif action == "tombstone":
                persons.tombstone(session, target)
            else:
                persons.restore(session, target)
        if step % 15 == 14:
            assert_index_in_step(store)
    assert_index_in_step(store)


def test_a_bulk_load_indexes_its_rows_at_the_end(store: Any, people: dict[str, Any]) -> None:
    from caseworker.registry import demo

    demo.generate(store, persons=120, seed=3, today=dt.date(2025, 6, 2))
    assert_index_in_step(store)
    with store.reading() as session:  # the insert trigger is back
        triggers = session.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'person_fts%'"
        )
        assert {name for (name,) in triggers} == {"person_fts_ai", "person_fts_au", "person_fts_ad"}
    register(store, "张三", make_id(birth=dt.date(1999, 9, 9), seq=177))
    assert_index_in_step(store)


def test_a_full_group_takes_a_key_past_the_end(store: Any) -> None:
    """Never seen (16 million keys per eight pinyin letters), but a key must still be unique."""
    top = group_of("zhangsan") + (1 << 24) - 1
    with store.transaction() as session:
        session.connection().exec_driver_sql(
            f"INSERT INTO person_fts_list(k, {LISTED}) VALUES "
            "(?, 'ffffffffffffffffffffffffffffffff', 1, '', '', 'zhangsan', '', '', NULL)",
            (top,),
        )
    person = register(store, "张三", make_id(seq=181))
    with store.reading() as session:
        key = (
            session.connection()
            .exec_driver_sql("SELECT k FROM person_fts_list WHERE id = ?", (person.id.hex,))
            .scalar()
        )
    assert key == top + 1
    assert found(store, "张三") == ["张三"]
    with store.transaction() as session:
        session.connection().exec_driver_sql("DELETE FROM person_fts_list WHERE k = ?", (top,))
    assert_index_in_step(store, grouped=False)


def _delete_persons(store: Any, ids: list[uuid.UUID]) -> None:
    """Remove persons for good, as a repair tool might (the store itself only tombstones, and a
    guard trigger may refuse a DELETE: it is lifted for this test database)."""
    with store.transaction() as session:
        connection = session.connection()
        guards = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'person' "
            "AND sql LIKE '%BEFORE DELETE%'"
        ).all()
        for (name,) in guards:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        for person_id in ids:
            connection.exec_driver_sql("DELETE FROM person WHERE id = ?", (person_id.hex,))


def test_hard_deletes_leave_the_index(store: Any, people: dict[str, Any]) -> None:
    _delete_persons(store, [people["张三"].id])
    assert found(store, "张三") == ["张三丰"]
    assert_index_in_step(store)


def test_vacuum_does_not_unhinge_the_index(
    store: Any, db_path: Path, people: dict[str, Any]
) -> None:
    """person's rowids may change in a VACUUM; the index is keyed by its own key and the id."""
    import sqlite3

    _delete_persons(store, [people[name].id for name in ("张三", "古丽娜尔·吐尔逊", "曾志伟")])
    store.engine.dispose()
    connection = sqlite3.connect(db_path, isolation_level=None)
    connection.execute("VACUUM")
    connection.close()
    assert found(store, "zs") == ["张三丰"]
    assert found(store, "𠮷") == ["𠮷野"]
    assert_index_in_step(store)


def test_rebuilding_the_index_gives_the_same_answers(store: Any, people: dict[str, Any]) -> None:
    before = {q: gui_ids(store, q) for q in ("", "张", "zs", "138", "𠮷", "z")}
    with store.transaction() as session:
        search.rebuild_sqlite_index(session.connection())
    assert {q: gui_ids(store, q) for q in before} == before
    assert_index_in_step(store)


def test_migration_0006_indexes_existing_persons_and_goes_back(tmp_path: Path) -> None:
    from sqlalchemy import text

    from caseworker.store import migrate
    from caseworker.store.engine import make_engine, sqlite_url

    path = tmp_path / "old.sqlite3"
    store = migrate.open_store(sqlite_url(path))
    from caseworker.registry import stations

    stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["红旗村"])
    for name, number, phone in PEOPLE:
        register(store, name, number, phone=phone)
    expected = {q: names_of(store, gui_ids(store, q)) for q in ("张", "zs", "138", "𠮷")}
    store.dispose()
    engine = make_engine(sqlite_url(path))
    before = _migration("0006_search_index").down_revision  # (whatever 0006 follows)
    migrate.downgrade(engine, before)  # back to the index of 0001, keyed by person.rowid
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.name FROM person_fts f JOIN person p ON p.rowid = f.rowid "
                "WHERE person_fts MATCH '\"zs\"*' ORDER BY p.name_pinyin"
            )
        ).all()
        assert [name for (name,) in rows] == ["张三", "张三丰"]
        assert "person_fts_list" not in {
            name for (name,) in connection.execute(text("SELECT name FROM sqlite_master"))
        }
    engine.dispose()
    store = migrate.open_store(sqlite_url(path))  # upgrades again (backing the file up first)
    try:
        assert {q: names_of(store, gui_ids(store, q)) for q in expected} == expected
        assert_index_in_step(store)
    finally:
        store.dispose()


def test_the_list_query_reads_the_narrow_table_driven_by_the_fts_index(
    store: Any, people: dict[str, Any]
) -> None:
    """The plans the speed depends on: FTS first, then the list table by key, person left
    out unless a filter or sort needs it."""
    from caseworker.gui.models.listing import Column

    def plan(query: ListQuery) -> str:
        with store.reading() as session:
            compiled = person_query.id_statement(session, query).compile(session.get_bind())
            params = tuple(compiled.params[name] for name in compiled.positiontup or ())
            rows = session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled), params
            )
            return "\n".join(str(row[3]) for row in rows)

    text_plan = plan(ListQuery(text="zs"))
    assert text_plan.splitlines()[0].startswith("SCAN person_fts VIRTUAL TABLE")
    assert "SEARCH person_fts_list USING INTEGER PRIMARY KEY" in text_plan
    assert " person " not in text_plan + " "
    digits_plan = plan(ListQuery(text="1234"))
    assert digits_plan.splitlines()[0].startswith("SCAN person_fts_digits VIRTUAL TABLE")
    sorted_plan = plan(ListQuery(text="zs", sort=Column.AGE))
    assert sorted_plan.splitlines()[0].startswith("SCAN person_fts VIRTUAL TABLE")
    assert "SEARCH person USING INDEX" in sorted_plan
    assert "COVERING INDEX ix_person_list_order" in plan(ListQuery(text=" "))


@pytest.mark.postgres
def test_postgresql_finds_the_same_persons_in_the_same_order(
    request: pytest.FixtureRequest,
) -> None:
    """The LIKE form on a real PostgreSQL server: every query of EXPECTED, blank ones too."""
    from caseworker.registry import stations
    from caseworker.store.migrate import open_store

    store = open_store(request.getfixturevalue("postgres_url"))
    try:
        stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["红旗村"])
        for name, number, phone in PEOPLE:
            register(store, name, number, phone=phone)
        for query, expected in [*EXPECTED, ("   ", EVERYONE_IN_PINYIN_ORDER)]:
            with store.reading() as session:
                assert [h.name for h in search.search(session, query)] == expected, query
            assert names_of(store, gui_ids(store, query)) == expected, query
    finally:
        store.dispose()
