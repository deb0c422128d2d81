"""The assistance forms through ``caseworker print``: 就业援助卡 (agreement, signatures, the
station's seal box, the footer's QR of the plan), 帮扶记录表 (a correction and what it replaced
both printed), 援助台账 and 零就业家庭名单 as PDF and Excel (ID numbers masked)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from caseworker.casework import plans
from caseworker.cli import main
from caseworker.core.idcard import mask
from caseworker.registry import households
from tests.helpers import make_id, on_day, recognise, register
from tests.unit.test_print_sources import flat, pdf_text

D = dt.date


@pytest.fixture
def station(store: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("CASEWORKER_TODAY", "2024-12-20")
    with on_day(D(2024, 9, 1)):
        zhang = register(
            store, "张三", make_id(birth=D(1975, 4, 1), seq=131),
            registered_unemployed_since=D(2023, 1, 1), village="红旗村",
        )  # fmt: skip
        guli = register(store, "古丽", make_id(birth=D(1980, 6, 1), seq=142), village="团结村")
    recognise(store, zhang.id)
    with on_day(D(2024, 10, 12)), store.transaction() as session:
        household = households.create(session)
        households.add_person(session, household.id, guli.id, "head")
    with on_day(D(2024, 12, 20)), store.transaction(actor="李娜") as session:
        plans.open_plan(
            session, zhang.id, on=D(2024, 10, 15), worker="李娜", signed_on=D(2024, 10, 15),
            situation=plans.Situation(skills="面点", services_needed=("training",), measures="推荐面点培训"),
        )  # fmt: skip
        first = plans.add_contact(
            session, zhang.id, on=D(2024, 11, 2), channel="phone", note="电话"
        )
        plans.add_contact(
            session,
            zhang.id,
            on=D(2024, 11, 2),
            channel="visit",
            note="实为入户",
            supersedes=first.id,
        )
        plans.add_contact(
            session, zhang.id, on=D(2024, 12, 3), channel="station", services=("job_referral",)
        )
        plans.add_offer(
            session,
            zhang.id,
            on=D(2024, 12, 3),
            kind="caring",
            post="保洁员",
            answer="refused",
            reason="太远",
        )
        plans.record_outcome(
            session, zhang.id, on=D(2024, 12, 10), evidence="contract", contract_months=12
        )
    return {"zhang": zhang, "guli": guli}


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), "--lang", "en", "print", *args])


def test_card_and_contact_record(db_path: Path, station: dict[str, Any], tmp_path: Path) -> None:
    zhang = station["zhang"]
    card = tmp_path / "card.pdf"
    assert cli(db_path, "card", "--person", zhang.id_number, "-o", str(card), "--bilingual") == 0
    text = flat(pdf_text(card))
    for expected in ("就业援助卡", zhang.id_number, "李娜", "面点", "推荐面点培训", "本人签字",
                     "援助责任人签字", "（盖章）", "2024年12月10日签订期限12个月及以上的劳动合同",
                     "2024年10月15日", "就业服务站意见"):  # fmt: skip
        assert expected in text, expected
    record = tmp_path / "record.pdf"
    assert cli(db_path, "contacts", "--person", zhang.id_number, "-o", str(record)) == 0
    text = flat(pdf_text(record))
    assert (
        text.index("电话")
        < text.index("已更正")
        < text.index("实为入户")
        < text.index("更正", text.index("实为入户"))
    )
    assert "岗位推荐" in text


def test_ledger_and_zero_families_as_pdf_and_excel(
    db_path: Path, station: dict[str, Any], tmp_path: Path
) -> None:
    zhang, guli = station["zhang"], station["guli"]
    pdf = tmp_path / "ledger.pdf"
    assert cli(db_path, "ledger", "--month", "2024-12", "-o", str(pdf)) == 0
    text = flat(pdf_text(pdf))
    assert mask(zhang.id_number) in text
    assert zhang.id_number not in text
    assert "2024-12-10就业" in text
    assert "合计：援助对象1人，本月联系1次，推荐岗位1人" in text
    xlsx = tmp_path / "ledger.xlsx"
    assert cli(db_path, "ledger", "--month", "2024-12", "-o", str(xlsx)) == 0
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["序号", "姓名", "性别", "身份证号"]
    assert sheet["D4"].value == mask(zhang.id_number)
    assert sheet["D4"].number_format == "@"
    families = tmp_path / "zero.pdf"
    assert cli(db_path, "zero-families", "-o", str(families), "--bilingual") == 0
    text = flat(pdf_text(families))
    assert mask(guli.id_number) in text
    assert "2024-10-12" in text
    assert "超期未清零" in text
    zero_xlsx = tmp_path / "zero.xlsx"
    assert cli(db_path, "zero-families", "--on", "2024-11-01", "-o", str(zero_xlsx)) == 0
    sheet = openpyxl.load_workbook(zero_xlsx).active
    assert sheet is not None
    assert sheet["B4"].value == "古丽"
    assert sheet["I4"].value == "帮扶中"  # on 2024-11-01, within its 30 days


def test_month_is_a_usage_error(db_path: Path, station: dict[str, Any], tmp_path: Path) -> None:
    assert cli(db_path, "ledger", "--month", "2024-13", "-o", str(tmp_path / "x.pdf")) == 2
    assert (
        cli(db_path, "card", "--person", station["guli"].id_number, "-o", str(tmp_path / "x.pdf"))
        == 2
    )
