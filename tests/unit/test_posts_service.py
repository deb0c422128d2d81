"""Employers, posts, placements (eligibility, re-placement, headcount), attendance, the
monthly roster with its state machine and adjustments, against a real station database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from caseworker import claims
from caseworker.core.errors import UserError, ValidationError, WorkflowError
from caseworker.core.money import Money
from caseworker.posts import attendance, payroll, service
from caseworker.posts.attendance import Entry
from caseworker.store.models import ChangeLog, ClaimLine, ClaimStep, Placement
from tests.helpers import make_id, on_day, recognise, register

D = dt.date
TODAY = D(2025, 6, 20)
BORN = D(1985, 4, 1)


def person(store: Any, seq: int, birth: dt.date = BORN, **fields: object) -> Any:
    fields.setdefault("registered_unemployed_since", D(2023, 1, 1))
    with on_day(D(2024, 9, 1)):
        name = "张" + "一二三四五六七八九"[seq % 9] + "甲乙丙丁戊己庚辛壬癸"[seq // 9 % 10]
        return register(store, name, make_id(birth=birth, seq=seq), **fields)


def recognised(store: Any, seq: int, birth: dt.date = BORN, **fields: object) -> Any:
    found = person(store, seq, birth, **fields)
    recognise(store, found.id)
    return found


def act(store: Any, fn: Any, day: dt.date = TODAY) -> Any:
    with on_day(day), store.transaction(actor="李娜") as session:
        return fn(session)


def post(store: Any, headcount: int = 5, standard: str = "1900.00") -> Any:
    def work(s: Any) -> Any:
        if service.find_employer(s, "红旗村村委会") is None:
            service.add_employer(s, store.station_code, name="红旗村村委会",
                                 credit_code="91350100M000100Y43")  # fmt: skip
        return service.add_post(
            s, store.station_code, employer="红旗村村委会", title="保洁员", area="rural",
            standard=Money.parse(standard), village="红旗村", headcount=headcount,
        ).id  # fmt: skip

    return act(store, work)


def place(store: Any, who: Any, post_id: Any, on: dt.date, day: dt.date = TODAY) -> Any:
    return act(store, lambda s: service.start_placement(s, who.id, post_id=post_id, on=on), day)


def leave(
    store: Any, who: Any, on: dt.date, reason: str = "voluntary", day: dt.date = TODAY
) -> Any:
    return act(store, lambda s: service.end_placement(s, who.id, on=on, reason=reason), day)


def test_a_placement_gets_its_subsidy_end_date_and_history(store: Any) -> None:
    who = recognised(store, 131)
    post_id = post(store)
    placed = place(store, who, post_id, D(2024, 11, 1))
    assert (placed.subsidy_until, placed.subsidy_rule) == (D(2027, 10, 31), "max_months")
    assert placed.contract_until == D(2025, 10, 31)
    renewed = act(store, lambda s: service.renew(s, who.id))
    assert renewed.contract_until == D(2026, 10, 31)
    leave(store, who, D(2025, 3, 31), "employed")
    with store.reading() as s:
        history = service.placements_of(s, who.id)
        assert [(p.starts_on, p.ended_on, p.end_reason) for p in history] == [
            (D(2024, 11, 1), D(2025, 3, 31), "employed")
        ]
        assert s.scalar(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.entity == "placement")) >= 3  # fmt: skip


def test_only_recognised_persons_or_zero_employment_members_are_placed(store: Any) -> None:
    who = person(store, 132)
    post_id = post(store)
    with pytest.raises(WorkflowError, match="neither recognised"):
        place(store, who, post_id, D(2024, 11, 1))
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(Placement)) == 0


def test_one_open_placement_and_the_headcount(store: Any) -> None:
    a, b = recognised(store, 133), recognised(store, 134)
    post_id = post(store, headcount=1)
    place(store, a, post_id, D(2024, 11, 1))
    with pytest.raises(WorkflowError, match="already works"):
        place(store, a, post(store), D(2024, 12, 1))
    with pytest.raises(WorkflowError, match="is full"):
        place(store, b, post_id, D(2024, 11, 1))


# (birth, disability grade, exit, new start, expected refusal or None)
REPLACEMENT = [
    (D(1968, 1, 1), None, D(2025, 1, 31), D(2025, 5, 1), None),  # older worker, gap kept
    (D(1968, 1, 1), None, D(2025, 1, 31), D(2025, 4, 30), None),  # 3 months, month-end clamped
    (D(1968, 1, 1), None, D(2025, 1, 31), D(2025, 4, 29), "3 months between"),  # gap too short
    (D(1990, 1, 1), None, D(2025, 1, 31), D(2025, 6, 1), "only older workers"),
    (D(1990, 1, 1), "2", D(2025, 1, 31), D(2025, 6, 1), None),  # grade 2 disability
    (D(1990, 1, 1), "3", D(2025, 1, 31), D(2025, 6, 1), "only older workers"),
]


@pytest.mark.parametrize(("birth", "grade", "left", "again", "refusal"), REPLACEMENT)
def test_replacement_rules(
    store: Any,
    birth: dt.date,
    grade: str | None,
    left: dt.date,
    again: dt.date,
    refusal: str | None,
) -> None:
    extra: dict[str, object] = {}
    if grade:
        extra = {"disabled": True, "disability_grade": grade, "disability_kind": "physical",
                 "disability_cert_no": "65010219900101123X42"}  # fmt: skip
    who = recognised(store, 141, birth=birth, **extra)  # odd: a man
    post_id = post(store)
    place(store, who, post_id, D(2024, 11, 1))
    leave(store, who, left)
    if refusal is None:
        second = place(store, who, post_id, again)
        assert second.starts_on == again
    else:
        with pytest.raises(WorkflowError, match=refusal):
            place(store, who, post_id, again)


def test_the_cap_on_replacements(store: Any) -> None:
    who = recognised(store, 143, birth=D(1968, 1, 1))
    post_id = post(store)
    day = D(2026, 3, 1)
    for start in (D(2024, 11, 1), D(2025, 4, 1), D(2025, 9, 1)):
        place(store, who, post_id, start, day)
        leave(store, who, start + dt.timedelta(days=60), day=day)
    with pytest.raises(WorkflowError, match="at most 2 re-placements"):
        place(store, who, post_id, D(2026, 2, 2), day)


def test_the_five_year_rule_reads_the_first_placement(store: Any) -> None:
    # a man born 1966-03-10 retires 2026-07-10 (delayed 4 months): near retirement throughout
    near = recognised(store, 145, birth=D(1966, 3, 10))
    post_id = post(store)
    first = place(store, near, post_id, D(2024, 11, 1))
    assert (first.subsidy_until, first.subsidy_rule) == (D(2026, 7, 9), "near_retirement")
    leave(store, near, D(2024, 12, 31))
    second = place(store, near, post_id, D(2025, 4, 1))
    assert (second.subsidy_until, second.subsidy_rule) == (D(2026, 7, 9), "near_retirement")
    # a man retiring 2031-11-15, first placed more than 5 years before it: 36 months again,
    # even though the second placement starts within 5 years of retirement
    later = recognised(store, 147, birth=D(1970, 6, 15))
    first = place(store, later, post_id, D(2024, 11, 1))
    assert first.subsidy_rule == "max_months"
    leave(store, later, D(2024, 12, 31))
    second = place(store, later, post_id, D(2027, 1, 4), day=D(2027, 1, 10))
    assert (second.subsidy_until, second.subsidy_rule) == (D(2030, 1, 3), "max_months")


def test_ending_soon_lists_a_month_ahead(store: Any) -> None:
    who = recognised(store, 149, birth=D(1966, 3, 10))
    place(store, who, post(store), D(2024, 11, 1))  # subsidy until 2026-07-09
    with store.reading() as s:
        assert service.ending_soon(s, D(2026, 6, 8)) == []
        assert [r.name for r in service.ending_soon(s, D(2026, 6, 9))] == [who.name]


# ---------------------------------------------------------------------------------------------
# Attendance and the roster
# ---------------------------------------------------------------------------------------------


def setup_month(store: Any) -> tuple[Any, Any, Any]:
    a, b = recognised(store, 150), recognised(store, 151)
    post_id = post(store)
    place(store, a, post_id, D(2025, 1, 2))
    place(store, b, post_id, D(2025, 3, 17))  # mid-month
    return a, b, post_id


def set_days(store: Any, who: Any, month: dt.date, entry: Entry) -> Any:
    return act(store, lambda s: attendance.set_for_person(s, who.id, month, entry))


def test_worked_days_are_limited_to_the_placement(store: Any) -> None:
    a, b, _ = setup_month(store)
    march = D(2025, 3, 1)
    with store.reading() as s:
        assert attendance.calendar_days(march) == 20  # weekends and 肉孜节 on 3-31
        placement = service.open_placement(s, b.id)
        assert placement is not None
        assert attendance.possible_days(placement, march) == 10
    with pytest.raises(ValidationError, match="at most 10 days"):
        set_days(store, b, march, Entry(worked=11))
    with pytest.raises(ValidationError, match="score must be from 0 to 100"):
        set_days(store, a, march, Entry(worked=18, score=101))
    with pytest.raises(ValidationError, match="has not begun"):
        set_days(store, a, D(2025, 7, 1), Entry(worked=1))


def test_the_month_is_built_submitted_approved_paid_and_locked(store: Any) -> None:
    a, b, _ = setup_month(store)
    march = D(2025, 3, 1)
    set_days(store, a, march, Entry(worked=20, pension=Money.parse("320.00"),
                                    medical=Money.parse("150.50")))  # fmt: skip
    set_days(store, b, march, Entry(worked=10, required=18))  # the station sets 18
    result = act(store, lambda s: payroll.build(s, march, store.station_code))
    assert result.lines == 2
    with store.reading() as s:
        roster = payroll.roster(s, march)
    amounts = {line.name: str(line.amount) for line in roster.lines}
    assert amounts == {a.name: "1900.00", b.name: "1055.56"}  # 1900 × 10 ÷ 18 = 1055.555…
    assert str(roster.total_amount) == "2955.56"
    assert str(roster.total_social_insurance) == "470.50"
    assert roster.persons == 2
    for action in (claims.Action.SUBMIT, claims.Action.APPROVE, claims.Action.PAY):
        act(store, lambda s, action=action: payroll.step(s, march, action, None))
    with store.reading() as s:
        claim = claims.find_claim(s, attendance.KIND, march)
        assert claim is not None
        assert claim.state == "paid"
        assert [st.state for st in claims.steps(s, claim.id)] == ["submitted", "approved", "paid"]
        assert s.scalar(select(func.count()).select_from(ClaimStep)) == 3
    with pytest.raises(WorkflowError, match="locked"):
        set_days(store, a, march, Entry(worked=19))
    with pytest.raises(WorkflowError, match="locked"):
        act(store, lambda s: payroll.build(s, march, store.station_code))
    with pytest.raises(WorkflowError, match="must be approved"):
        act(store, lambda s: payroll.step(s, march, claims.Action.PAY, None))


def test_a_correction_is_an_adjustment_in_a_later_month(store: Any) -> None:
    a, _b, _ = setup_month(store)
    march, april = D(2025, 3, 1), D(2025, 4, 1)
    set_days(store, a, march, Entry(worked=18, required=18))
    act(store, lambda s: payroll.build(s, march, store.station_code))
    act(store, lambda s: payroll.step(s, march, claims.Action.SUBMIT, None))
    with store.reading() as s:
        line = payroll.roster(s, march).lines[0]
    with pytest.raises(ValidationError, match="month after"):
        act(store, lambda s: payroll.correct(s, line.line_id, into=march, worked=16))
    adj = act(store, lambda s: payroll.correct(s, line.line_id, into=april, worked=16))
    assert (adj.corrects_id, str(adj.amount)) == (line.line_id, "-211.11")  # 1688.89 - 1900
    # a second correction of the same line corrects from what the first made it
    adj2 = act(store, lambda s: payroll.correct(s, line.line_id, into=april, worked=17))
    assert str(adj2.amount) == "105.55"  # 1794.44 - 1688.89
    set_days(store, a, april, Entry(worked=20))  # of 22 (清明 4-4 off, 4-27 worked)
    act(store, lambda s: payroll.build(s, april, store.station_code))  # keeps adjustments
    with store.reading() as s:
        roster = payroll.roster(s, april)
        march_line = s.get(ClaimLine, line.line_id)
    assert [str(x.amount) for x in roster.lines] == ["1727.27", "-211.11", "105.55"]
    assert roster.lines[1].corrects_month == march
    assert str(roster.total_amount) == "1621.71"
    assert march_line is not None
    assert str(march_line.amount) == "1900.00"  # never edited


def test_an_attendance_sheet_is_checked_whole_before_anything_is_written(
    store: Any, tmp_path: Any
) -> None:
    from openpyxl import Workbook

    a, b, _ = setup_month(store)
    path = tmp_path / "考勤.xlsx"

    def sheet(rows: list[list[object]]) -> None:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["序号", "姓名", "身份证号码", "月份", "规定出勤天数", "实际出勤天数", "考核得分",
                   "单位养老保险"])  # fmt: skip
        for row in rows:
            ws.append(row)
        wb.save(path)

    sheet([[1, a.name, a.id_number, "2025-03", None, 20, 95, "320.00"],
           [2, b.name, b.id_number, "2025-03", None, 12, 90, None]])  # fmt: skip
    with pytest.raises(UserError, match=r"row 3: .*at most 10 days") as caught:
        act(store, lambda s: attendance.import_sheet(s, path))
    assert "nothing was changed" in str(caught.value)
    with store.reading() as s:
        assert attendance.grid(s, D(2025, 3, 1))[0].worked is None
    sheet([[1, a.name, a.id_number, "2025-03", None, 20, 95, "320.00"],
           [2, b.name, b.id_number, "2025年3月", 18, 10, 90, None]])  # fmt: skip
    result = act(store, lambda s: attendance.import_sheet(s, path))
    assert (result.rows, result.persons, result.months) == (2, 2, ("2025-03",))
    with store.reading() as s:
        rows = {r.name: (r.worked, r.score) for r in attendance.grid(s, D(2025, 3, 1))}
    assert rows == {a.name: (20, 95), b.name: (10, 90)}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 300_000),  # standard in fen
            st.integers(1, 28),  # start day in March
            st.integers(0, 31),  # worked (capped to the possible days)
            st.one_of(st.none(), st.integers(1, 25)),  # required set by the station
        ),
        min_size=1,
        max_size=6,
    )
)
def test_roster_totals_equal_the_sum_of_lines_and_no_line_exceeds_the_standard(
    tmp_path_factory: Any, specs: list[tuple[int, int, int, int | None]]
) -> None:
    from caseworker.registry import stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    path = tmp_path_factory.mktemp("h") / "s.sqlite3"
    store = open_store(sqlite_url(path), actor="tester")
    try:
        stations.initialise(store, "650102001", "站", ["红旗村"])
        march = D(2025, 3, 1)
        for i, (fen, day, worked, required) in enumerate(specs):
            who = recognised(store, 200 + i)
            post_id = post(store, standard=str(Money(fen)))
            placement = place(store, who, post_id, D(2025, 3, day))
            days = min(worked, attendance.possible_days(placement, march))
            set_days(store, who, march, Entry(worked=days, required=required))
        act(store, lambda s: payroll.build(s, march, store.station_code))
        with store.reading() as s:
            roster = payroll.roster(s, march)
        assert roster.total_amount.fen == sum(line.amount.fen for line in roster.lines)
        for line in roster.lines:
            assert Money(0) <= line.amount <= line.standard
    finally:
        store.dispose()
