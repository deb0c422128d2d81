"""Realistic sample data for the forms (documentation screenshots, tests and benchmarks).

Run ``python -m caseworker.forms.samples OUT_DIR`` to print every form into ``OUT_DIR``.
"""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from pathlib import Path

from caseworker.core.idcard import check_char
from caseworker.forms.data import (
    ApplicationData,
    ApplicationPerson,
    HouseholdMember,
    NoticeData,
    NoticePerson,
    RosterData,
    RosterRow,
    Station,
)
from caseworker.forms.layout import categories_for, default_categories

STATION = Station("乌鲁木齐市天山区燕儿窝街道就业服务站", "650102003")
PRINTED_AT = dt.datetime(2026, 11, 27, 10, 30)
PACK = "xj-2023-49@2024.1"


def make_id(
    division: str, birth: dt.date, sequence: int, *, sex: str = "", want_x: bool = False
) -> str:
    """A valid 18-character ID number (odd sequence for 男, even for 女); with ``want_x`` the
    sequence is moved on until the check character is ``X``."""
    if sex and (sequence % 2 == 1) != (sex == "男"):
        sequence += 1
    while True:
        first17 = f"{division}{birth:%Y%m%d}{sequence % 1000:03d}"
        check = check_char(first17)
        if not want_x or check == "X":
            return first17 + check
        sequence += 2


# (name, sex, ethnicity, division, birth, village, Uyghur-script name)
PEOPLE: tuple[tuple[str, str, str, str, dt.date, str, str | None], ...] = (
    (
        "阿依古丽·买买提",
        "女",
        "维吾尔族",
        "650102",
        dt.date(1979, 3, 12),
        "燕儿窝社区",
        "ئايگۈل مەمەت",
    ),
    (
        "买买提江·吐尔逊",
        "男",
        "维吾尔族",
        "653101",
        dt.date(1968, 7, 2),
        "幸福路社区",
        "مەمەتجان تۇرسۇن",
    ),
    ("努尔兰·叶尔肯", "男", "哈萨克族", "654002", dt.date(1990, 11, 23), "红光村", None),
    ("马玉兰", "女", "回族", "652301", dt.date(1976, 1, 30), "燕儿窝社区", None),
    ("王建国", "男", "汉族", "650104", dt.date(1969, 5, 8), "东戈壁村", None),
    ("古丽娜尔·沙吾提", "女", "哈萨克族", "654002", dt.date(1998, 9, 14), "红光村", None),
    (
        "热依拉·艾则孜",
        "女",
        "维吾尔族",
        "653201",
        dt.date(1980, 12, 1),
        "幸福路社区",
        "رەيلا ئەزىز",
    ),
    ("李秀英", "女", "汉族", "650102", dt.date(1978, 4, 19), "东戈壁村", None),
)


def sample_application(*, bilingual_name: bool = True) -> ApplicationData:
    name, sex, eth, div, birth, village, name_ug = PEOPLE[0]
    person = ApplicationPerson(
        name=name,
        sex=sex,
        ethnicity=eth,
        birth_date=birth,
        id_number=make_id(div, birth, 24, sex=sex, want_x=True),
        education="高中",
        health="健康",
        marital_status="已婚",
        phone="13999123456",
        registered_address="新疆乌鲁木齐市天山区燕儿窝南路 128 号 3 栋 2 单元 501 室",
        residence_address="新疆乌鲁木齐市天山区燕儿窝南路 128 号 3 栋 2 单元 501 室",
        village=village,
        household_size=4,
        unemployment_registered=dt.date(2024, 6, 3),
        employment_card_no="6501020024000318",
        name_ug=name_ug if bilingual_name else None,
    )
    members = (
        HouseholdMember(
            "吐尔逊·买买提", "配偶", make_id("650102", dt.date(1975, 8, 9), 31), "失业"
        ),
        HouseholdMember(
            "迪丽努尔·吐尔逊", "女儿", make_id("650102", dt.date(2003, 2, 17), 42), "在校学生"
        ),
        HouseholdMember(
            "艾克拜尔·吐尔逊", "儿子", make_id("650102", dt.date(2009, 10, 5), 53), "在校学生"
        ),
    )
    return ApplicationData(
        station=STATION,
        person=person,
        categories=categories_for({"zero_employment_family", "older_worker"}),
        record_id="3f2b8c1e-9a4d-4e61-b0c7-5d2e8f9a1b34",
        policy_pack_id=PACK,
        printed_at=PRINTED_AT,
        members=members,
    )


def _labels(i: int) -> tuple[str, ...]:
    cats = default_categories()
    first = cats[i % len(cats)].label_zh
    if i % 3 == 0:
        return (first, cats[(i + 3) % len(cats)].label_zh)
    return (first,)


def sample_notice() -> NoticeData:
    persons = tuple(
        NoticePerson(
            name=name,
            sex=sex,
            age=2026 - birth.year - (1 if (birth.month, birth.day) > (11, 27) else 0),
            categories=_labels(i),
            village=village,
            id_number=make_id(div, birth, 11 + 2 * i, sex=sex, want_x=i == 0),
        )
        for i, (name, sex, _e, div, birth, village, _u) in enumerate(PEOPLE)
    )
    return NoticeData(
        station=STATION,
        persons=persons,
        period_start=dt.date(2026, 11, 30),
        period_end=dt.date(2026, 12, 4),
        working_days=5,
        contact_name="古丽巴哈尔·阿不都",
        contact_phone="0991-2856317",
        policy_pack_id=PACK,
        printed_at=PRINTED_AT,
    )


#: (given name, sex)
UYGHUR_GIVEN = (
    ("阿依古丽", "女"), ("买买提江", "男"), ("热依拉", "女"), ("艾克拜尔", "男"),
    ("古丽娜尔", "女"), ("阿不都热合曼", "男"), ("帕提古丽", "女"),
)  # fmt: skip
UYGHUR_FATHER = ("买买提", "吐尔逊", "艾则孜", "阿布拉", "努尔", "热合曼", "沙吾提", "叶尔肯")
HAN_SURNAME = ("王", "李", "张", "刘", "陈", "杨", "赵", "马")
HAN_GIVEN = (
    ("建国", "男"), ("秀英", "女"), ("志强", "男"), ("丽娟", "女"), ("海燕", "女"),
    ("军", "男"), ("桂兰", "女"), ("文华", "男"), ("玉兰", "女"),
)  # fmt: skip


def sample_name(i: int) -> tuple[str, str]:
    """A varied, realistic (name, sex) for row ``i`` (Han, Hui, Uyghur and Kazakh patterns)."""
    if i < len(PEOPLE):
        return PEOPLE[i][0], PEOPLE[i][1]
    if i % 2:
        given, sex = UYGHUR_GIVEN[i % 7]
        return f"{given}·{UYGHUR_FATHER[(i // 7) % 8]}", sex
    given, sex = HAN_GIVEN[(i // 16) % 9]
    return HAN_SURNAME[(i // 2) % 8] + given, sex


def sample_roster(count: int = 60) -> RosterData:
    rows = []
    for i in range(count):
        _n, _s, _e, div, birth, village, _u = PEOPLE[i % len(PEOPLE)]
        name, sex = sample_name(i)
        rows.append(
            RosterRow(
                name=name,
                sex=sex,
                id_number=make_id(div, birth, 100 + 2 * i, sex=sex, want_x=i % 5 == 0),
                categories=_labels(i),
                village=village,
                unemployment_registered=dt.date(2024, 1 + i % 12, 1 + i % 28),
                phone=f"139{i:08d}",
            )
        )
    return RosterData(
        station=STATION,
        rows=tuple(rows),
        filters="状态：已认定；所属社区(村)：全部；认定时间：2026-01-01 至 2026-11-27",
        policy_pack_id=PACK,
        printed_at=PRINTED_AT,
        list_id=str(uuid.UUID(int=0x5EED)),
    )


def main(argv: list[str] | None = None) -> int:
    from caseworker.forms import render_application, render_notice, render_roster

    out = Path((argv or sys.argv[1:] or ["."])[0])
    out.mkdir(parents=True, exist_ok=True)
    render_application(sample_application(), out / "application-zh.pdf")
    render_application(sample_application(), out / "application-zh-ug.pdf", bilingual=True)
    render_notice(sample_notice(), out / "notice-zh.pdf")
    render_notice(sample_notice(), out / "notice-zh-ug.pdf", bilingual=True)
    render_roster(sample_roster(), out / "roster-zh.pdf")
    render_roster(sample_roster(), out / "roster-zh-ug.pdf", bilingual=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
