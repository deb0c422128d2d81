"""Loading, validating and selecting policy packs."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from caseworker.core.errors import NotFoundError
from caseworker.core.idcard import Sex
from caseworker.policy.categories import CATEGORY_LABELS, Category, category_label
from caseworker.policy.pack import PolicyError, default_library, load_pack, load_packs
from caseworker.policy.resources import policy_dir

D = dt.date
SHIPPED = policy_dir() / "xj-2023-49.toml"


def test_shipped_pack_identity() -> None:
    pack = default_library().get("xj-2023-49")
    assert pack.document_number == "新政办发〔2023〕49号"
    assert pack.issuing_body == "新疆维吾尔自治区人民政府办公厅"
    assert pack.title.startswith("新疆维吾尔自治区人民政府办公厅关于优化调整稳就业政策措施的通知")
    assert pack.effective_from == D(2023, 8, 9)
    assert pack.effective_to is None
    assert pack.citation(language="zh_CN") == "新政办发〔2023〕49号 第（八）项"


@pytest.mark.parametrize(
    ("language", "citation", "proof"),
    [
        ("zh_CN", "新政办发〔2023〕49号 第（八）项", "居民身份证"),
        (
            "ug_CN",
            "新政办发〔2023〕49号 نومۇرلۇق ھۆججەتنىڭ (8)-تارمىقى",
            "ئاھالىلەر كىملىك گۇۋاھنامىسى",
        ),
        ("en", "新政办发〔2023〕49号, clause (8)", "Resident identity card"),
    ],
)
def test_the_notice_is_cited_in_the_interface_language(
    language: str, citation: str, proof: str
) -> None:
    """The document number stays as issued; the clause and the sources are translated."""
    from caseworker import i18n

    pack = default_library().get("xj-2023-49")
    i18n.set_language(language)
    assert pack.citation() == citation
    assert pack.proofs["id_card"].label == proof
    assert pack.citation("第（十三）项").startswith("新政办发〔2023〕49号")
    if language != "zh_CN":
        assert "第（" not in pack.citation("第（十三）项")
        assert "全国人民代表大会" not in pack.retirement_source()
    assert pack.citation("an unlisted clause").endswith("an unlisted clause")


@pytest.mark.parametrize(
    ("name", "value", "clause"),
    [
        ("older_worker_age_female", 45, "第（八）项"),
        ("older_worker_age_male", 55, "第（八）项"),
        ("unemployed_months_short", 6, "第（八）项"),
        ("unemployed_months_long", 12, "第（八）项"),
        ("working_age_min", 16, "第（八）项"),
        ("public_notice_working_days", 5, None),
        ("one_time_hiring_subsidy", Decimal("1000"), "第（二）项"),
        ("skill_upgrade_subsidy_level_5", Decimal("1000"), "第（十三）项"),
        ("skill_upgrade_subsidy_level_4", Decimal("1500"), "第（十三）项"),
        ("skill_upgrade_subsidy_level_3", Decimal("2000"), "第（十三）项"),
        ("skill_upgrade_subsidy_max_claims_per_year", 3, "第（十三）项"),
        ("price_temporary_subsidy_minimum", Decimal("20"), "第（九）项"),
        ("internship_post_allowance_min_share", Decimal("0.5"), "第（七）项"),
    ],
)
def test_shipped_parameters(name: str, value: int | Decimal, clause: str | None) -> None:
    param = default_library().get("xj-2023-49").param(name)
    assert param.value == value
    assert type(param.value) is type(value)
    assert param.clause
    if clause:
        assert param.clause == clause


def test_deadlines_and_typed_accessors() -> None:
    pack = default_library().get("xj-2023-49")
    hiring = pack.param("one_time_hiring_subsidy")
    assert hiring.until == D(2023, 12, 31)
    assert hiring.applies_on(D(2023, 12, 31))
    assert not hiring.applies_on(D(2024, 1, 1))
    assert pack.param("skill_upgrade_subsidy_level_3").until == D(2023, 12, 31)
    assert pack.param("price_temporary_subsidy_minimum").until is None
    assert pack.skill_upgrade_subsidy(4) == Decimal("1500")
    assert pack.older_worker_age(Sex.FEMALE) == 45
    assert pack.older_worker_age(Sex.MALE) == 55
    assert pack.public_notice_working_days == 5
    with pytest.raises(PolicyError, match="no parameter"):
        pack.param("nope")


@pytest.mark.parametrize(
    ("category", "proof"),
    [
        (Category.MIN_LIVING_ALLOWANCE_6M, "低保证"),
        (Category.DISABLED_PARTIAL_CAPACITY_6M, "残疾证"),
        (Category.GRADUATE_UNEMPLOYED_1Y, "毕业证"),
        (Category.LAND_EXPROPRIATED_FARMER, "征地证明"),
        (Category.LONG_TERM_UNEMPLOYED_1Y, "失业登记证明/就业创业证"),
        (Category.ZERO_EMPLOYMENT_FAMILY, "户口簿"),
    ],
)
def test_checklists(category: Category, proof: str) -> None:
    pack = default_library().get("xj-2023-49")
    assert proof in [p.label_zh for p in pack.checklist(category)]


def test_every_category_has_label_clause_and_proofs() -> None:
    pack = default_library().get("xj-2023-49")
    assert list(pack.categories) == list(Category)
    for category in Category:
        rule = pack.category(category)
        assert rule.label_zh
        assert rule.clause == "第（八）项"
        assert rule.proofs
        assert category_label(category) == CATEGORY_LABELS[category]


def test_retirement_schedule_in_pack() -> None:
    rules = default_library().get("xj-2023-49").retirement
    assert rules.delay_from == D(2025, 1, 1)
    assert rules.default_base_age == {Sex.MALE: 60, Sex.FEMALE: 50}
    assert rules.allowed_base_ages(Sex.FEMALE) == (50, 55)
    assert rules.allowed_base_ages(Sex.MALE) == (60,)


# -- selection ------------------------------------------------------------------------------


def _county_pack(directory: Path, *, pack_id: str, effective_from: str, months: int = 6) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace('id = "xj-2023-49"', f'id = "{pack_id}"')
    text = text.replace("effective_from = 2023-08-09", f"effective_from = {effective_from}")
    text = re.sub(r"(\[parameters\.unemployed_months_short\]\nvalue = )6", rf"\g<1>{months}", text)
    path = directory / f"{pack_id}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_pack_in_force_on_a_date(tmp_path: Path) -> None:
    _county_pack(tmp_path, pack_id="county-2025", effective_from="2025-01-01", months=3)
    library = load_packs(tmp_path)
    assert library.ids() == ("xj-2023-49", "county-2025")
    assert library.in_force_on(D(2024, 12, 31)).id == "xj-2023-49"
    assert library.in_force_on(D(2025, 1, 1)).id == "county-2025"
    assert library.select(D(2025, 6, 1)).unemployed_months_short == 3
    assert library.select(D(2025, 6, 1), "xj-2023-49").id == "xj-2023-49"


def test_no_pack_in_force() -> None:
    with pytest.raises(NotFoundError, match="2020-01-01"):
        default_library().in_force_on(D(2020, 1, 1))


def test_unknown_pack_id() -> None:
    with pytest.raises(NotFoundError, match="xj-2023-49"):
        default_library().get("nope")


def test_effective_to_closes_a_pack(tmp_path: Path) -> None:
    path = _county_pack(tmp_path, pack_id="old", effective_from="2023-01-01")
    text = path.read_text(encoding="utf-8").replace(
        "effective_from = 2023-01-01", "effective_from = 2023-01-01\neffective_to = 2023-06-30"
    )
    path.write_text(text, encoding="utf-8")
    pack = load_pack(path)
    assert pack.in_force_on(D(2023, 6, 30))
    assert not pack.in_force_on(D(2023, 7, 1))


def test_duplicate_ids(tmp_path: Path) -> None:
    shutil.copy(SHIPPED, tmp_path / "copy.toml")
    with pytest.raises(PolicyError, match="Two policy packs have the id xj-2023-49"):
        load_packs(tmp_path)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="does not exist"):
        load_packs(tmp_path / "nope")


# -- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "xj-2023-49"\n', "", r"pack\.id must be a non-empty text"),
        ("effective_from = 2023-08-09", 'effective_from = "2023-08-09"', "pack.effective_from"),
        (
            "effective_from = 2023-08-09",
            "effective_from = 2023-08-09\neffective_to = 2023-01-01",
            "effective_to is before",
        ),
        ("format = 1", "format = 2", "format"),
        ('region_code = "65"', 'region_code = "XJ"', "region_code"),
        ('title = "', 'titel = "', "unknown field pack.titel"),
        ("value = 45", 'value = "45"', "older_worker_age_female.value must be a whole number"),
        ("value = 45", "value = -1", "whole number of at least 0"),
        ('value = "1500"', "value = 1500.5", "amount written as text"),
        ('value = "1500"', 'value = "lots"', "not a number"),
        ('unit = "share_of_local_minimum_wage"', 'unit = "percent"', "unknown unit"),
        ('unit = "yuan_per_person"', 'unit = "years"', "whole number"),
        (
            "[parameters.working_age_min]",
            "[parameters.working_age_minimum]",
            "working_age_min is missing",
        ),
        ("\nmax_age = 63", "\nmax_age = 59", "max_age"),
        ("months_per_step = 2", "months_per_step = 0", "months_per_step"),
        (
            "default_base_age = { male = 60, female = 50 }",
            "default_base_age = { male = 61, female = 50 }",
            "no retirement group",
        ),
        ("delay_from = 2025-01-01", "delay_from = 2025-01-02", "first day of a month"),
        ('sex = "male"', 'sex = "m"', "male or female"),
        ('"graduation_certificate", "commitment_letter"', '"diploma"', "not defined under"),
        ("[categories.older_worker]", "[categories.old_worker]", "unknown category old_worker"),
        ('label_zh = "征地证明"', 'label_zh = ""', "non-empty text"),
        ("[citations.en]", "[citations.fr]", "citations.fr: unknown language"),
        ('format = "{number}, {clause}"', 'format = "{number}"', "must contain"),
        ('"第（八）项" = "clause (8)"', '"第（八）项" = 8', "clauses must be a table of texts"),
        (
            'retirement_source = "Decision',
            'source = "Decision',
            "unknown field citations.en.source",
        ),
    ],
)
def test_invalid_packs(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError, match=message) as info:
        load_pack(path)
    assert "bad.toml" in str(info.value)


def test_missing_category(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    start = text.index("[categories.land_expropriated_farmer]")
    path = tmp_path / "bad.toml"
    path.write_text(text[:start], encoding="utf-8")
    with pytest.raises(PolicyError, match="land_expropriated_farmer is missing"):
        load_pack(path)


def test_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[pack\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_pack(path)


CLAUSE_8 = (  # 新政办发〔2023〕49号 （八）, as published
    "将自治区行政区域及法定劳动年龄内，有劳动能力和就业愿望的城镇零就业家庭、夫妻双失业家庭成员中的"
    "城镇登记失业人员；享受城镇居民最低生活保障待遇且连续失业半年以上的城镇登记失业人员；部分丧失劳动"
    "能力，且连续失业半年以上的城镇登记残疾失业人员；女满45周岁、男满55周岁及其以上的城镇登记失业人员；"
    "连续失业一年以上的城镇登记失业人员；连续失业一年以上的登记失业高校毕业生；因政府征地且经济收入低于"
    "当地平均生活水平的农民等人员纳入就业困难人员范围"
)


def test_category_labels_are_the_notice_wording() -> None:
    """Each category's Chinese label is the phrase of clause (八) it comes from."""
    from caseworker.policy import default_library

    pack = default_library().get("xj-2023-49")
    labels = [c.label_zh for c in pack.categories.values()]
    assert len(labels) == 8
    for label in labels[2:]:
        assert label in CLAUSE_8, label
    # the first phrase of the clause covers two categories
    assert labels[0] == "城镇零就业家庭成员中的城镇登记失业人员"
    assert labels[1] == "夫妻双失业家庭成员中的城镇登记失业人员"
