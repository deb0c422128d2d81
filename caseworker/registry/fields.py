"""The editable fields of a person: one table that validation, import, export and the screens
share (kind, vocabulary, the Chinese column header of the station's spreadsheet, the label)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from caseworker.i18n import N_


class Kind(StrEnum):
    TEXT = "text"
    BOOL = "bool"
    DATE = "date"
    CODE = "code"  # a vocabulary code
    VILLAGE = "village"
    INT = "int"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: Kind
    header: str  # Chinese column header (import template, export)
    label: str  # English source text for gettext
    vocabulary: str | None = None
    max_length: int = 0
    required: bool = False


PERSON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", Kind.TEXT, "姓名", N_("Name"), required=True, max_length=40),
    FieldSpec("id_number", Kind.TEXT, "身份证号", N_("ID number"), required=True, max_length=18),
    FieldSpec("name_native", Kind.TEXT, "维吾尔文姓名", N_("Name in Uyghur script"), max_length=80),
    FieldSpec("ethnicity", Kind.CODE, "民族", N_("Ethnicity"), "ethnicity"),
    FieldSpec("phone", Kind.TEXT, "联系电话", N_("Phone"), max_length=20),
    FieldSpec("hukou_address", Kind.TEXT, "户籍地址", N_("Registered address"), max_length=200),
    FieldSpec("address", Kind.TEXT, "常住地址", N_("Current address"), max_length=200),
    FieldSpec("village", Kind.VILLAGE, "所属村(社区)", N_("Village or community")),
    FieldSpec("education", Kind.CODE, "文化程度", N_("Education"), "education"),
    FieldSpec("marital_status", Kind.CODE, "婚姻状况", N_("Marital status"), "marital_status"),
    FieldSpec("health", Kind.CODE, "健康状况", N_("Health"), "health"),
    FieldSpec("resident_in_region", Kind.BOOL, "区内常住", N_("Resident in the region")),
    FieldSpec("work_capacity", Kind.CODE, "劳动能力", N_("Work capacity"), "work_capacity"),
    FieldSpec("wants_work", Kind.BOOL, "有就业意愿", N_("Wants work")),
    FieldSpec("employed", Kind.BOOL, "已就业", N_("Employed")),
    FieldSpec(
        "registered_unemployed_since",
        Kind.DATE,
        "登记失业日期",
        N_("Registered unemployed since"),
    ),
    FieldSpec(
        "employment_card_no",
        Kind.TEXT,
        "就业创业证号",
        N_("Employment card number"),
        max_length=30,
    ),
    FieldSpec("min_living_allowance", Kind.BOOL, "享受低保", N_("Minimum living allowance")),
    FieldSpec(
        "min_living_allowance_since",
        Kind.DATE,
        "低保起始日期",
        N_("Minimum living allowance since"),
    ),
    FieldSpec("disabled", Kind.BOOL, "残疾", N_("Disabled")),
    FieldSpec(
        "disability_cert_no",
        Kind.TEXT,
        "残疾证号",
        N_("Disability certificate number"),
        max_length=30,
    ),
    FieldSpec(
        "disability_kind", Kind.CODE, "残疾类别", N_("Kind of disability"), "disability_kind"
    ),
    FieldSpec(
        "disability_grade", Kind.CODE, "残疾等级", N_("Disability grade"), "disability_grade"
    ),
    FieldSpec("college_graduate", Kind.BOOL, "高校毕业生", N_("College graduate")),
    FieldSpec("graduate_school", Kind.TEXT, "毕业院校", N_("School"), max_length=100),
    FieldSpec("graduation_date", Kind.DATE, "毕业日期", N_("Graduation date")),
    FieldSpec("land_expropriated", Kind.BOOL, "被征地", N_("Land expropriated")),
    FieldSpec(
        "income_below_local_average",
        Kind.BOOL,
        "收入低于当地平均水平",
        N_("Income below the local average"),
    ),
    FieldSpec("retirement_base_age", Kind.INT, "退休基准年龄", N_("Statutory retirement base age")),
    FieldSpec("bank_name", Kind.TEXT, "开户银行", N_("Bank"), max_length=60),
    FieldSpec("bank_account", Kind.TEXT, "银行账号", N_("Bank account"), max_length=30),
    FieldSpec("notes", Kind.TEXT, "备注", N_("Notes"), max_length=2000),
)

BY_NAME = {f.name: f for f in PERSON_FIELDS}
BY_HEADER = {f.header: f for f in PERSON_FIELDS}
