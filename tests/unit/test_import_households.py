"""Households from the station's spreadsheet: 户编号 and 与户主关系 in the person import."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from caseworker.casework import families as tracker
from caseworker.registry import families as family_reading
from caseworker.registry import household_import, households, importing, persons, spreadsheet
from caseworker.store.models import Household, HouseholdMember, Person, Village
from tests.helpers import make_id, on_day, register

TODAY = dt.date(2026, 11, 27)
HEADERS = ["户编号", "姓名", "身份证号", "与户主关系", "常住地址", "所属村(社区)", "已就业"]


def pid(seq: int, birth: dt.date = dt.date(1980, 5, 1)) -> str:
    return make_id(birth=birth, seq=seq)


#: Two households and a person without one; the rows as a station's sheet has them.
FAMILY_A = [
    ["A-001", "张三", pid(101), "户主", "红旗村3组12号", "红旗村", "否"],
    ["A-001", "李梅", pid(102, dt.date(1982, 3, 4)), "配偶", "", "", "否"],
    ["A-001", "张小明", pid(103, dt.date(2003, 9, 1)), "子", "", "", "否"],
]
FAMILY_B = [
    ["B-7", "王芳", pid(105, dt.date(1975, 1, 2)), "母亲", "", "", "否"],
    ["B-7", "刘强", pid(107, dt.date(1970, 6, 6)), "本人", "南湖小区5栋", "南湖社区", "是"],
]
LONER = ["", "赵六", pid(109), "", "", "团结村", "否"]


def write_csv(path: Path, rows: Sequence[Sequence[object]], headers: list[str] = HEADERS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def run(store: Any, path: Path, **kw: Any) -> importing.ImportReport:
    with on_day(TODAY):
        return spreadsheet.import_persons(store, path, today=TODAY, **kw)


def snapshot(store: Any) -> set[tuple[str, str, str, int, str, str]]:
    """(key, ID number, relation, order, address, village) of every live membership."""
    with store.reading() as session:
        rows = session.execute(
            select(
                Household.station_key, Person.id_number, HouseholdMember.relation,
                HouseholdMember.sort_order, Household.address, Village.name,
            )
            .join(HouseholdMember, HouseholdMember.household_id == Household.id)
            .join(Person, Person.id == HouseholdMember.person_id)
            .outerjoin(Village, Village.id == Household.village_id)
            .where(HouseholdMember.deleted.is_(False), Household.deleted.is_(False))
        ).all()  # fmt: skip
    return {(k, i, r, o, a, v or "") for k, i, r, o, a, v in rows}


def counts(store: Any) -> tuple[int, int, int]:
    with store.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(Person)) or 0,
            session.scalar(select(func.count()).select_from(Household)) or 0,
            session.scalar(select(func.count()).select_from(HouseholdMember)) or 0,
        )


def test_one_import_creates_persons_and_their_households(store: Any, tmp_path: Path) -> None:
    rows = [FAMILY_A[2], FAMILY_B[0], LONER, FAMILY_A[0], FAMILY_B[1], FAMILY_A[1]]
    report = run(store, write_csv(tmp_path / "in.csv", rows))
    assert (report.imported, report.rejected_count, report.household_problem_count) == (6, 0, 0)
    assert (report.households_created, report.household_members_added) == (2, 5)
    assert snapshot(store) == {
        ("A-001", pid(101), "head", 0, "红旗村3组12号", "红旗村"),
        ("A-001", pid(103, dt.date(2003, 9, 1)), "child", 1, "红旗村3组12号", "红旗村"),
        ("A-001", pid(102, dt.date(1982, 3, 4)), "spouse", 2, "红旗村3组12号", "红旗村"),
        ("B-7", pid(107, dt.date(1970, 6, 6)), "head", 0, "南湖小区5栋", "南湖社区"),
        ("B-7", pid(105, dt.date(1975, 1, 2)), "parent", 1, "南湖小区5栋", "南湖社区"),
    }
    assert counts(store) == (6, 2, 5)
    assert "Households: 2 new, 5 members added" in importing.summary(report)
    with store.reading() as session:  # the person without a 户编号 imports as before
        loner = persons.find_by_id_number(session, pid(109))
        assert loner is not None
        assert households.of_person(session, loner.id) is None


def test_importing_the_same_file_again_adds_nothing(store: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [*FAMILY_A, *FAMILY_B, LONER])
    run(store, path)
    before, numbers = snapshot(store), counts(store)
    again = run(store, path)
    assert (again.imported, again.already_count, again.rejected_count) == (0, 6, 0)
    assert (again.households_created, again.household_members_added) == (0, 0)
    assert again.household_problem_count == 0
    assert snapshot(store) == before
    assert counts(store) == numbers


def test_a_new_member_of_a_household_imported_before_joins_it(store: Any, tmp_path: Path) -> None:
    run(store, write_csv(tmp_path / "first.csv", FAMILY_A))
    daughter = ["A-001", "张小红", pid(111, dt.date(2005, 2, 2)), "女", "", "", "否"]
    report = run(store, write_csv(tmp_path / "second.csv", [daughter]))
    assert (report.imported, report.households_created, report.household_members_added) == (
        1, 0, 1,
    )  # fmt: skip
    assert ("A-001", pid(111, dt.date(2005, 2, 2)), "child", 3, "红旗村3组12号", "红旗村") in (
        snapshot(store)
    )
    assert counts(store)[1] == 1


def test_registered_persons_without_a_household_are_placed(store: Any, tmp_path: Path) -> None:
    """An older sheet imported without the household columns, then the same sheet with them."""
    run(store, write_csv(tmp_path / "old.csv", [r[1:3] for r in FAMILY_A], ["姓名", "身份证号"]))
    report = run(store, write_csv(tmp_path / "new.csv", FAMILY_A))
    assert (report.imported, report.already_count, report.households_created) == (0, 3, 1)
    assert {(k, r) for k, _i, r, *_rest in snapshot(store)} == {
        ("A-001", "head"), ("A-001", "spouse"), ("A-001", "child"),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("relations", "says"),
    [
        (["配偶", "子", "女"], "The household A-001 has no row with 与户主关系 户主."),
        (
            ["户主", "子", "户主本人"],
            "The household A-001 has 2 rows with 与户主关系 户主 (lines 2、4).",
        ),
    ],
)
def test_a_household_needs_exactly_one_head(
    store: Any, tmp_path: Path, relations: list[str], says: str
) -> None:
    rows = [[*r[:3], rel, *r[4:]] for r, rel in zip(FAMILY_A, relations, strict=True)]
    report = run(store, write_csv(tmp_path / "in.csv", [*rows, LONER]))
    assert report.imported == 1  # the person without a household
    assert [(r.line, r.reason) for r in report.rejected] == [(2, says), (3, says), (4, says)]
    assert counts(store) == (1, 0, 0)


def test_when_the_head_is_refused_the_household_is_refused(store: Any, tmp_path: Path) -> None:
    head = [*FAMILY_A[0][:2], "650102199001011230", *FAMILY_A[0][3:]]  # a wrong check digit
    report = run(store, write_csv(tmp_path / "in.csv", [FAMILY_A[1], head, FAMILY_A[2]]))
    assert report.imported == 0
    assert [r.line for r in report.rejected] == [2, 3, 4]
    assert "身份证号" in report.rejected[1].reason
    assert "(line 3) cannot be imported" in report.rejected[0].reason
    assert counts(store) == (0, 0, 0)


def test_an_unknown_relation_is_refused_naming_the_allowed_words(
    store: Any, tmp_path: Path
) -> None:
    rows = [FAMILY_A[0], [*FAMILY_A[1][:3], "表哥的朋友", *FAMILY_A[1][4:]], FAMILY_A[2]]
    report = run(store, write_csv(tmp_path / "in.csv", rows))
    (refused,) = report.rejected
    assert refused.line == 3
    assert refused.reason.startswith("与户主关系: 表哥的朋友 is not a relation to the head")
    assert "户主、本人、配偶、子、女" in refused.reason
    assert (report.imported, report.households_created, report.household_members_added) == (
        2, 1, 2,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("key", "relation", "column", "says"),
    [
        ("", "子", "户编号", "与户主关系 is filled in"),
        ("A-001", "", "与户主关系", "needs the relation to the head"),
        ("A" * 41, "子", "户编号", "longer than 40 characters"),
    ],
)
def test_key_and_relation_go_together(
    store: Any, tmp_path: Path, key: str, relation: str, column: str, says: str
) -> None:
    row = [key, *FAMILY_A[2][1:3], relation, *FAMILY_A[2][4:]]
    report = run(store, write_csv(tmp_path / "in.csv", [FAMILY_A[0], row]))
    (refused,) = report.rejected
    assert refused.line == 3
    assert refused.reason.startswith(f"{column}: ")
    assert says in refused.reason


def test_relation_words_map_to_the_registry_codes() -> None:
    expected = {
        "户主": "head", "本人": "head", "配偶": "spouse", "妻子": "spouse", "子": "child",
        "女": "child", "长子": "child", "儿媳": "child", "父亲": "parent", "母亲": "parent",
        "岳母": "parent", "孙子": "other", "孙女": "other", "弟": "other", "其他": "other",
        " 配 偶 ": "spouse", "Spouse": "spouse", "parent": "parent", "子女": "child",
    }  # fmt: skip
    assert {word: household_import.relation_code(word) for word in expected} == expected
    assert household_import.relation_code("邻居") is None
    cells, problems = household_import.read_cells(1001.0, "户主")
    assert cells == household_import.Cells("1001", "head")
    assert problems == {}


def test_a_person_in_another_household_is_reported_not_moved(store: Any, tmp_path: Path) -> None:
    someone = register(store, "孙七", pid(121))
    moved = register(store, "李梅", pid(102, dt.date(1982, 3, 4)))
    with store.transaction() as session:
        other = households.create(session, address="别处")
        households.add_person(session, other.id, someone.id, "head")
        households.add_person(session, other.id, moved.id, "spouse")
    report = run(store, write_csv(tmp_path / "in.csv", FAMILY_A))
    assert (report.imported, report.already_count, report.household_problem_count) == (2, 1, 1)
    (problem,) = report.household_problems
    assert problem.line == 3
    assert "李梅 already belongs to the household of 孙七; not moved" in problem.reason
    assert "Line 3: not placed in a household" in "\n".join(importing.details(report))
    with store.reading() as session:
        assert households.of_person(session, moved.id).id == other.id  # type: ignore[union-attr]
    assert {(k, r) for k, _i, r, *_rest in snapshot(store)} == {
        ("", "head"), ("", "spouse"), ("A-001", "head"), ("A-001", "child"),
    }  # fmt: skip


def test_a_second_head_for_a_household_imported_before_is_refused(
    store: Any, tmp_path: Path
) -> None:
    run(store, write_csv(tmp_path / "first.csv", FAMILY_A))
    usurper = ["A-001", "钱八", pid(131), "户主", "", "", "否"]
    report = run(store, write_csv(tmp_path / "second.csv", [usurper]))
    (refused,) = report.rejected
    assert refused.reason == "The household A-001 already has a head, 张三."
    assert report.imported == 0
    assert counts(store) == (3, 1, 3)


def test_the_same_registered_person_under_two_keys_is_placed_once(
    store: Any, tmp_path: Path
) -> None:
    register(store, "张三", pid(101))
    rows = [FAMILY_A[0], ["Z-9", "张三", pid(101), "户主", "", "", "否"]]
    report = run(store, write_csv(tmp_path / "in.csv", rows))
    assert report.household_problem_count == 1
    assert report.household_problems[0].reason == "The same person is on line 2."
    assert [k for k, *_rest in snapshot(store)] == ["A-001"]


def test_dry_run_and_check_write_nothing(store: Any, tmp_path: Path) -> None:
    report = run(store, write_csv(tmp_path / "in.csv", [*FAMILY_A, *FAMILY_B]), dry_run=True)
    assert (report.ready, report.households_created, report.household_members_added) == (5, 2, 5)
    assert "Households: 2 new" in importing.summary(report, dry_run=True)
    assert counts(store) == (0, 0, 0)


def test_a_household_imported_between_check_and_write_is_not_made_twice(
    store: Any, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", FAMILY_A)
    with on_day(TODAY), spreadsheet.check_file(store, path, today=TODAY) as staged:
        run(store, write_csv(tmp_path / "other.csv", FAMILY_A[:1]))
        report = spreadsheet.write_staged(store, staged)
    assert (report.imported, report.already_count, report.households_created) == (2, 1, 0)
    assert report.household_members_added == 2
    assert counts(store) == (3, 1, 3)


def test_the_zero_employment_tracker_sees_imported_households(store: Any, tmp_path: Path) -> None:
    run(store, write_csv(tmp_path / "in.csv", [*FAMILY_A, *FAMILY_B]))
    with on_day(TODAY), store.reading() as session:
        rows = tracker.open_families(session, TODAY)
    # nobody employed; B-7: the head is employed
    assert [row.to_json()["household"] for row in rows] == ["A-001"]
    (family,) = rows
    assert family.head_id_number == pid(101)
    assert family.members_of_working_age == 3
    assert family.identified_on == TODAY
    with on_day(TODAY), store.reading() as session:  # the episodes are the tracker's own
        assert family_reading.to_change(session, TODAY) == []


def test_a_member_joining_a_household_imported_before_is_followed(
    store: Any, tmp_path: Path
) -> None:
    elder = ["C-3", "马老汉", pid(141, dt.date(1950, 1, 1)), "户主", "", "", "否"]
    run(store, write_csv(tmp_path / "first.csv", [elder]))
    with on_day(TODAY), store.reading() as session:
        assert tracker.open_families(session, TODAY) == []  # nobody of working age
    son = ["C-3", "马小军", pid(143, dt.date(1990, 1, 1)), "子", "", "", "否"]
    run(store, write_csv(tmp_path / "second.csv", [son]))
    with on_day(TODAY), store.reading() as session:
        assert [r.to_json()["household"] for r in tracker.open_families(session, TODAY)] == ["C-3"]
        assert family_reading.to_change(session, TODAY) == []


# ---------------------------------------------------------------------------------------------


def _family(key: str, seq: int, size: int) -> list[list[str]]:
    relations = ["户主", "配偶", "子", "女", "母亲", "孙子"]
    return [
        [
            key,
            f"成员{chr(0x4E00 + seq + i)}",
            pid(seq + i),
            relations[i],
            f"{key}号院",
            "团结村",
            "否",
        ]
        for i in range(size)
    ]


#: Several households (and loners), one of them without a head (refused whole).
_ROWS: list[list[str]] = [
    *_family("H1", 200, 3),
    *_family("H2", 210, 1),
    *_family("H3", 220, 5),
    *_family("H4", 230, 2)[1:],  # no head: refused
    ["", "单身甲", pid(240), "", "", "", "否"],
    ["", "单身乙", pid(241), "", "", "", "否"],
]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1))
def test_rows_of_households_in_any_order_give_the_same_households(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    from caseworker.registry import stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    folder = tmp_path_factory.mktemp("order")
    rows = list(_ROWS)
    random.Random(seed).shuffle(rows)
    store = open_store(sqlite_url(folder / "station.sqlite3"), actor="tester")
    try:
        stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["团结村"])
        report = run(store, write_csv(folder / "in.csv", rows))
        assert (report.imported, report.rejected_count) == (11, 1)
        assert (report.households_created, report.household_members_added) == (3, 9)
        found = snapshot(store)
        assert {(k, i, r, a, v) for k, i, r, _o, a, v in found} == {
            (k, i, r, a, v) for k, i, r, _o, a, v in snapshot_expected()
        }
        heads = {(k, i) for k, i, r, o, *_rest in found if o == 0}
        assert heads == {(k, i) for k, i, r, *_rest in found if r == "head"}
    finally:
        store.dispose()


def snapshot_expected() -> set[tuple[str, str, str, int, str, str]]:
    codes = {"户主": "head", "配偶": "spouse", "子": "child", "女": "child", "母亲": "parent",
             "孙子": "other"}  # fmt: skip
    return {
        (str(r[0]), str(r[2]), codes[str(r[3])], 0, f"{r[0]}号院", "团结村")
        for r in _ROWS
        if r[0] and r[0] != "H4"
    }


def test_the_export_carries_households_to_another_station_and_back(
    store: Any, tmp_path: Path
) -> None:
    run(store, write_csv(tmp_path / "in.csv", [*FAMILY_A, LONER]))
    someone, spouse = register(store, "孙七", pid(121)), register(store, "周九", pid(123))
    with store.transaction() as session:  # a household made in the program, without a key
        made = households.create(session, address="别处")
        households.add_person(session, made.id, someone.id, "head")
        households.add_person(session, made.id, spouse.id, "spouse")
    exported = tmp_path / "out.xlsx"
    spreadsheet.export_persons(store, exported)
    before = counts(store)
    again = run(store, exported)  # the same station: nothing new
    assert (again.imported, again.households_created, again.household_members_added) == (0, 0, 0)
    assert again.household_problem_count == 0
    assert counts(store) == before

    from caseworker.registry import stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    other = open_store(sqlite_url(tmp_path / "other.sqlite3"), actor="tester")
    try:
        stations.initialise(other, "650102002", "另一站", ["南湖社区", "红旗村", "团结村"])
        report = run(other, exported)
        assert (report.imported, report.households_created) == (6, 2)
        moved = {(i, r) for _k, i, r, *_rest in snapshot(other)}
        assert moved == {(i, r) for _k, i, r, *_rest in snapshot(store)}
        assert {k for k, *_rest in snapshot(other)} == {"A-001", str(made.id)}
    finally:
        other.dispose()


def test_the_command_says_what_happened_to_households(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from caseworker.cli import main

    db = str(tmp_path / "cli.sqlite3")
    init = ["--db", db, "init", "--code", "650102001", "--name", "燕儿窝街道就业服务站"]
    assert main([*init, "--villages", "南湖社区,红旗村,团结村", "--caseworker", "李娜"]) == 0
    path = write_csv(tmp_path / "in.csv", [*FAMILY_A, *FAMILY_B])
    capsys.readouterr()
    with on_day(TODAY):
        assert main(["--db", db, "persons", "import", str(path)]) == 0
        assert "Households: 2 new, 5 members added." in capsys.readouterr().out
        moved = write_csv(tmp_path / "moved.csv", [["X-1", "张三", pid(101), "户主", "", "", "否"]])
        assert main(["--db", db, "persons", "import", str(moved)]) == 1  # not placed: status 1
        out = capsys.readouterr().out
    assert "Households: 0 new, 0 members added. 1 registered persons were not placed" in out
    assert "Line 2: not placed in a household: 张三 already belongs to the household A-001" in out


def test_a_formula_without_a_result_in_the_key_refuses_the_row(store: Any, tmp_path: Path) -> None:
    from tests.unit.test_import_faults import rewrite_sheet, write_xlsx

    path = write_xlsx(
        tmp_path / "in.xlsx",
        [["张三", pid(101), "PLACEHOLDER", "户主"]],
        ["姓名", "身份证号", "户编号", "与户主关系"],
    )
    path = rewrite_sheet(
        path,
        lambda xml: xml.replace(
            '<c r="C2" t="inlineStr"><is><t>PLACEHOLDER</t></is></c>',
            '<c r="C2" t="str"><f>A1&amp;"-1"</f></c>',
        ).replace('<c r="C2" t="s"><v>6</v></c>', '<c r="C2" t="str"><f>A1&amp;"-1"</f></c>'),
    )
    report = run(store, path)
    (refused,) = report.rejected
    assert refused.reason.startswith("户编号: column C holds a formula")
    assert counts(store) == (0, 0, 0)
