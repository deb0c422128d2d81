"""Form data from the store (caseworker.forms.sources), checked in the rendered PDFs."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest

from caseworker.core.errors import NotFoundError, ValidationError
from caseworker.core.idcard import mask
from caseworker.forms import page as page_module
from caseworker.forms import render_application, render_notice, render_roster, roster_totals
from caseworker.forms.sources import (
    application_data,
    notice_data,
    relation_to_applicant_zh,
    roster_data,
)
from caseworker.recognition import service
from caseworker.recognition.workflow import CommunityReview, StartPublicNotice, TownshipReview
from caseworker.registry import households
from tests.helpers import make_id, on_day, provide_all_proofs, register

D = dt.date
NOW = dt.datetime(2024, 10, 8, 9, 30)


@dataclass
class Station:
    """The persons the tests print (record ids and ID numbers)."""

    zhang: uuid.UUID
    zhang_id: str
    li_id: str
    child_id: str
    ayi: uuid.UUID
    ayi_id: str
    wang_id: str
    notice_end: D


def walk_to_notice(store: Any, person_id: uuid.UUID, categories: list[str], start: D) -> D:
    """Apply, pass both reviews and start the public notice on ``start``; the notice's end."""
    with store.transaction() as session:
        case = service.open_application(
            session, person_id, start - dt.timedelta(days=20), categories
        )
        provide_all_proofs(session, case.id)
        service.advance(
            session, case.id, CommunityReview(on=start - dt.timedelta(days=15), passed=True)
        )
        service.advance(
            session, case.id, TownshipReview(on=start - dt.timedelta(days=10), passed=True)
        )
        case = service.advance(session, case.id, StartPublicNotice(start=start))
        assert case.notice_end is not None
        return case.notice_end


def populate(store: Any) -> Station:
    """张三 (head, older worker, notice from 2024-09-23) with his wife 李四 and a child;
    阿依古丽 (no case, Uyghur name); 王五 (notice from 2024-11-04)."""
    zhang_id = make_id(birth=D(1965, 3, 1), seq=131)
    li_id = make_id(birth=D(1968, 5, 6), seq=142)
    child_id = make_id(birth=D(2012, 7, 8), seq=151)
    ayi_id = make_id(division="650104", birth=D(1990, 2, 3), seq=124)
    wang_id = make_id(division="650103", birth=D(1985, 1, 2), seq=113)
    zhang = register(
        store,
        "张三",
        zhang_id,
        registered_unemployed_since=D(2023, 1, 1),
        village="红旗村",
        ethnicity="01",
        education="junior_high",
        phone="13912345678",
        hukou_address="新疆乌鲁木齐市天山区红旗路1号",
        employment_card_no="6501020001234",
    )
    with on_day(D(2024, 1, 2)):  # employed since before the application (NOW)
        li = register(store, "李四", li_id, village="红旗村", employed=True)
    ayi = register(
        store,
        "阿依古丽·买买提",
        ayi_id,
        name_native="ئايگۈل مەمەت",
        village="南湖社区",
        ethnicity="05",
        registered_unemployed_since=D(2022, 5, 1),
    )
    wang = register(
        store, "王五", wang_id, village="团结村", registered_unemployed_since=D(2022, 3, 1)
    )
    with store.transaction() as session:
        home = households.create(session, address="红旗路1号")
        households.add_person(session, home.id, zhang.id, "head")
        households.add_person(session, home.id, li.id, "spouse")
        households.add_relative(
            session, home.id, households.validate_relative("张小明", "child", child_id)
        )
    end = walk_to_notice(
        store, zhang.id, ["older_worker", "long_term_unemployed_1y"], D(2024, 9, 23)
    )
    walk_to_notice(store, wang.id, ["long_term_unemployed_1y"], D(2024, 11, 4))
    return Station(zhang.id, zhang_id, li_id, child_id, ayi.id, ayi_id, wang_id, end)


@pytest.fixture
def people(store: Any) -> Station:
    return populate(store)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def flat(text: str) -> str:
    return "".join(text.split())


# ---------------------------------------------------------------------------------------------
# Application
# ---------------------------------------------------------------------------------------------


def test_application_from_a_person_with_household_and_case(
    store: Any, people: Station, tmp_path: Path
) -> None:
    with store.reading() as session:
        data = application_data(session, people.zhang, now=NOW)
    person = data.person
    assert (person.name, person.sex, person.ethnicity, person.education) == (
        "张三",
        "男",
        "汉族",
        "初中",
    )
    assert person.id_number == people.zhang_id
    assert person.village == "红旗村"
    assert person.household_size == 3
    assert person.unemployment_registered == D(2023, 1, 1)
    assert data.station.code == "650102001"
    assert data.record_id == str(people.zhang)
    assert data.policy_pack_id
    # The case's claimed categories are ticked, all eight boxes are there.
    assert len(data.categories) == 8
    ticked = {c.code for c in data.categories if c.checked}
    assert ticked == {"older_worker", "long_term_unemployed_1y"}
    members = {m.name: m for m in data.members}
    assert set(members) == {"李四", "张小明"}
    assert (members["李四"].relation, members["李四"].employment) == ("配偶", "已就业")
    assert members["李四"].id_number == people.li_id
    assert (members["张小明"].relation, members["张小明"].employment) == ("子女", "未成年")

    path = render_application(data, tmp_path / "application.pdf")
    text = flat(pdf_text(path))
    assert "张三" in text
    assert people.zhang_id in text  # the full number on the person's own form
    assert people.li_id in text
    assert "女满45周岁、男满55周岁及以上" in text
    assert "连续失业一年以上" in text
    assert "红旗村" in text


def test_application_without_case_ticks_the_assessment(store: Any, people: Station) -> None:
    with store.reading() as session:
        data = application_data(session, people.ayi, now=NOW)
        decision = service.assess_person(session, people.ayi, NOW.date())
    ticked = {c.code for c in data.categories if c.checked}
    assert ticked == {c.value for c in decision.categories}
    assert "long_term_unemployed_1y" in ticked
    assert data.person.name_ug == "ئايگۈل مەمەت"
    assert data.person.ethnicity == "维吾尔族"
    assert data.person.household_size == 1
    assert data.members == ()


def test_application_of_unknown_or_deleted_person(store: Any, people: Station) -> None:
    from caseworker.registry import persons

    with store.reading() as session, pytest.raises(NotFoundError):
        application_data(session, uuid.uuid4(), now=NOW)
    with store.transaction() as session:
        persons.tombstone(session, people.ayi)
    with store.reading() as session, pytest.raises(NotFoundError):
        application_data(session, people.ayi, now=NOW)


@pytest.mark.parametrize(
    ("own", "member", "expected"),
    [
        ("head", "spouse", "配偶"),
        ("head", "other", "其他"),
        ("spouse", "head", "配偶"),
        ("child", "head", "父母"),
        ("child", "child", "兄弟姐妹"),
        ("spouse", "other", "其他"),
        (None, "child", "子女"),
    ],
)
def test_relation_to_applicant(own: str | None, member: str, expected: str) -> None:
    assert relation_to_applicant_zh(own, member) == expected


# ---------------------------------------------------------------------------------------------
# Public notice
# ---------------------------------------------------------------------------------------------


def test_notice_lists_overlapping_periods(store: Any, people: Station, tmp_path: Path) -> None:
    with store.transaction() as session:
        from caseworker.store.models import Station as StationRow

        row = session.query(StationRow).one()
        row.contact_name, row.contact_phone = "王芳", "0991-1234567"
    with store.reading() as session:
        data = notice_data(session, D(2024, 9, 25), D(2024, 9, 25), now=NOW)
    assert [p.name for p in data.persons] == ["张三"]
    assert (data.period_start, data.period_end) == (D(2024, 9, 23), people.notice_end)
    assert data.working_days == 5
    assert (data.contact_name, data.contact_phone) == ("王芳", "0991-1234567")
    person = data.persons[0]
    assert person.age == 59
    assert person.categories == ("女满45周岁、男满55周岁及以上", "连续失业一年以上")

    path = render_notice(data, tmp_path / "notice.pdf")
    text = flat(pdf_text(path))
    assert "张三" in text
    assert mask(people.zhang_id) in text
    assert people.zhang_id not in text  # masked on a public notice
    assert "连续失业一年以上" in text
    assert "王芳" in text


def test_notice_of_a_longer_period_and_an_empty_one(store: Any, people: Station) -> None:
    with store.reading() as session:
        both = notice_data(session, D(2024, 9, 1), D(2024, 11, 30), now=NOW)
        empty = notice_data(session, D(2024, 6, 3), D(2024, 6, 7), now=NOW)
        with pytest.raises(ValidationError):
            notice_data(session, D(2024, 6, 7), D(2024, 6, 3), now=NOW)
    assert [p.name for p in both.persons] == ["张三", "王五"]
    assert both.period_start == D(2024, 9, 23)
    assert empty.persons == ()
    assert (empty.period_start, empty.period_end, empty.working_days) == (
        D(2024, 6, 3),
        D(2024, 6, 7),
        5,
    )


# ---------------------------------------------------------------------------------------------
# Roster
# ---------------------------------------------------------------------------------------------


def test_roster_filters_and_totals(store: Any, people: Station, tmp_path: Path) -> None:
    with store.reading() as session:
        everyone = roster_data(session, now=NOW)
        village = roster_data(session, village="红旗村", now=NOW)
        older = roster_data(session, category="older_worker", now=NOW)
        notice = roster_data(session, stage="public_notice", now=NOW)
        no_case = roster_data(session, stage="none", now=NOW)
        found = roster_data(session, query="王五", now=NOW)
    assert len(everyone.rows) == 4  # 张三, 李四, 阿依古丽, 王五 (relatives are not registered)
    assert everyone.filters == "全部登记人员"
    assert {r.name for r in village.rows} == {"张三", "李四"}
    assert "红旗村" in village.filters
    assert [r.name for r in older.rows] == ["张三"]
    assert {r.name for r in notice.rows} == {"张三", "王五"}
    assert "公示中" in notice.filters
    assert {r.name for r in no_case.rows} == {"李四", "阿依古丽·买买提"}
    assert [r.name for r in found.rows] == ["王五"]
    totals = roster_totals(everyone.rows)
    assert totals.count == 4
    assert dict(totals.by_category)["连续失业一年以上"] == 2
    assert dict(totals.by_sex) == {"男": 2, "女": 2}

    path = render_roster(everyone, tmp_path / "roster.pdf")
    text = flat(pdf_text(path))
    assert people.zhang_id in text  # rosters go to the township: full numbers
    assert people.ayi_id in text
    assert "阿依古丽·买买提" in text
    assert "女满45周岁、男满55周岁及以上" in text
    assert "共4人" in text


def test_the_roster_title_says_what_it_lists(store: Any, people: Station, tmp_path: Path) -> None:
    """Only a roster of recognised persons is a 就业困难人员花名册."""
    with store.reading() as session:
        everyone = roster_data(session, now=NOW)
        notice = roster_data(session, stage="public_notice", now=NOW)
        recognised = roster_data(session, stage="recognised", now=NOW)
        no_case = roster_data(session, stage="none", now=NOW)
    assert everyone.title == "登记人员花名册"
    assert notice.title == "就业困难人员认定公示中人员花名册"
    assert recognised.title == "就业困难人员花名册"
    assert no_case.title == "未申请认定人员花名册"
    text = flat(pdf_text(render_roster(everyone, tmp_path / "all.pdf", bilingual=True)))
    assert "登记人员花名册" in text
    assert "就业困难人员花名册" not in text


def test_the_roster_follows_a_given_order(store: Any, people: Station) -> None:
    from sqlalchemy import select

    from caseworker.store.models import Person

    with store.reading() as session:
        ids = list(session.scalars(select(Person.id).order_by(Person.birth_date.desc())))
        ordered = roster_data(session, now=NOW, ids=ids)
        some = roster_data(session, now=NOW, ids=ids[:2], stage="public_notice")
        expected = [session.get(Person, i).name for i in ids]
    assert [r.name for r in ordered.rows] == expected
    # the given persons, still filtered (a roster prints what the list shows)
    assert {r.name for r in some.rows} <= {"张三", "王五"}


def test_roster_rejects_unknown_filters(store: Any, people: Station) -> None:
    with store.reading() as session:
        with pytest.raises(NotFoundError, match="红星村"):
            roster_data(session, village="红星村", now=NOW)
        with pytest.raises(ValidationError):
            roster_data(session, category="nobody", now=NOW)
        with pytest.raises(ValidationError):
            roster_data(session, stage="flying", now=NOW)


# ---------------------------------------------------------------------------------------------
# Two renders in two threads
# ---------------------------------------------------------------------------------------------


def test_pdf_writes_do_not_overlap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``write_pdf`` flips ReportLab's global A85 switch; the lock keeps writers apart."""
    from reportlab import rl_config

    inside = 0
    most = 0
    seen: list[int] = []
    guard = threading.Lock()

    def slow_write(*_args: object) -> None:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        seen.append(rl_config.useA85)
        time.sleep(0.05)
        with guard:
            inside -= 1

    monkeypatch.setattr(page_module, "_write", slow_write)
    before = rl_config.useA85
    args: Any = (None, page_module.PageInfo("s", NOW, "p", "q", "t"), [], None, None, 0.0, "t")
    threads = [threading.Thread(target=page_module.write_pdf, args=args) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1
    assert seen == [0, 0, 0, 0]
    assert rl_config.useA85 == before
