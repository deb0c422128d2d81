"""Controlled vocabularies of the registry: stable codes, Chinese labels on the paper forms.

Codes are what the database stores and what crosses to the county; labels are for people.
English labels go through gettext (``N_`` here, ``_`` when shown); the Chinese labels are the
ones printed on Chinese paper forms and accepted on import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from caseworker.i18n import N_, _


@dataclass(frozen=True, slots=True)
class Term:
    code: str
    zh: str
    en: str  # gettext source text


def _index(terms: tuple[Term, ...]) -> dict[str, Term]:
    return {t.code: t for t in terms}


class WorkCapacity(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class Relation(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"


class VillageKind(StrEnum):
    VILLAGE = "village"
    COMMUNITY = "community"


SEXES = (Term("male", "男", N_("Male")), Term("female", "女", N_("Female")))

WORK_CAPACITIES = (
    Term("full", "完全劳动能力", N_("Full work capacity")),
    Term("partial", "部分丧失劳动能力", N_("Partial work capacity")),
    Term("none", "完全丧失劳动能力", N_("No work capacity")),
)

RELATIONS = (
    Term("head", "户主", N_("Head of household")),
    Term("spouse", "配偶", N_("Spouse")),
    Term("child", "子女", N_("Child")),
    Term("parent", "父母", N_("Parent")),
    Term("other", "其他", N_("Other relative")),
)

#: GB/T 4658-2006 levels of education, simplified as on the station's forms.
EDUCATIONS = (
    Term("postgraduate", "研究生", N_("Postgraduate")),
    Term("bachelor", "大学本科", N_("Bachelor's degree")),
    Term("college", "大学专科", N_("Junior college")),
    Term("secondary_vocational", "中专/技校", N_("Secondary vocational school")),
    Term("high_school", "高中", N_("Senior high school")),
    Term("junior_high", "初中", N_("Junior high school")),
    Term("primary", "小学", N_("Primary school")),
    Term("none", "文盲或半文盲", N_("No schooling")),
)

#: GB/T 2261.2 marital status.
MARITAL_STATUSES = (
    Term("single", "未婚", N_("Single")),
    Term("married", "已婚", N_("Married")),
    Term("divorced", "离婚", N_("Divorced")),
    Term("widowed", "丧偶", N_("Widowed")),
)

HEALTH_STATUSES = (
    Term("healthy", "健康", N_("Healthy")),
    Term("chronic", "慢性病", N_("Chronic illness")),
    Term("disabled", "残疾", N_("Disability")),
    Term("other", "其他", N_("Other")),
)

#: Kinds of disability on the 残疾人证 (GB/T 26341-2010).
DISABILITY_KINDS = (
    Term("visual", "视力残疾", N_("Visual")),
    Term("hearing", "听力残疾", N_("Hearing")),
    Term("speech", "言语残疾", N_("Speech")),
    Term("physical", "肢体残疾", N_("Physical")),
    Term("intellectual", "智力残疾", N_("Intellectual")),
    Term("mental", "精神残疾", N_("Mental")),
    Term("multiple", "多重残疾", N_("Multiple")),
)
DISABILITY_GRADES = (
    Term("1", "一级", N_("Grade 1")),
    Term("2", "二级", N_("Grade 2")),
    Term("3", "三级", N_("Grade 3")),
    Term("4", "四级", N_("Grade 4")),
)

#: The 56 ethnic groups with their GB/T 3304-1991 codes.
ETHNICITIES = (
    Term("01", "汉族", N_("Han")), Term("02", "蒙古族", N_("Mongol")),
    Term("03", "回族", N_("Hui")), Term("04", "藏族", N_("Tibetan")),
    Term("05", "维吾尔族", N_("Uyghur")), Term("06", "苗族", N_("Miao")),
    Term("07", "彝族", N_("Yi")), Term("08", "壮族", N_("Zhuang")),
    Term("09", "布依族", N_("Bouyei")), Term("10", "朝鲜族", N_("Korean")),
    Term("11", "满族", N_("Manchu")), Term("12", "侗族", N_("Dong")),
    Term("13", "瑶族", N_("Yao")), Term("14", "白族", N_("Bai")),
    Term("15", "土家族", N_("Tujia")), Term("16", "哈尼族", N_("Hani")),
    Term("17", "哈萨克族", N_("Kazakh")), Term("18", "傣族", N_("Dai")),
    Term("19", "黎族", N_("Li")), Term("20", "傈僳族", N_("Lisu")),
    Term("21", "佤族", N_("Va")), Term("22", "畲族", N_("She")),
    Term("23", "高山族", N_("Gaoshan")), Term("24", "拉祜族", N_("Lahu")),
    Term("25", "水族", N_("Sui")), Term("26", "东乡族", N_("Dongxiang")),
    Term("27", "纳西族", N_("Naxi")), Term("28", "景颇族", N_("Jingpo")),
    Term("29", "柯尔克孜族", N_("Kyrgyz")), Term("30", "土族", N_("Tu")),
    Term("31", "达斡尔族", N_("Daur")), Term("32", "仫佬族", N_("Mulao")),
    Term("33", "羌族", N_("Qiang")), Term("34", "布朗族", N_("Blang")),
    Term("35", "撒拉族", N_("Salar")), Term("36", "毛南族", N_("Maonan")),
    Term("37", "仡佬族", N_("Gelao")), Term("38", "锡伯族", N_("Xibe")),
    Term("39", "阿昌族", N_("Achang")), Term("40", "普米族", N_("Pumi")),
    Term("41", "塔吉克族", N_("Tajik")), Term("42", "怒族", N_("Nu")),
    Term("43", "乌孜别克族", N_("Uzbek")), Term("44", "俄罗斯族", N_("Russian")),
    Term("45", "鄂温克族", N_("Evenki")), Term("46", "德昂族", N_("De'ang")),
    Term("47", "保安族", N_("Bonan")), Term("48", "裕固族", N_("Yugur")),
    Term("49", "京族", N_("Gin")), Term("50", "塔塔尔族", N_("Tatar")),
    Term("51", "独龙族", N_("Derung")), Term("52", "鄂伦春族", N_("Oroqen")),
    Term("53", "赫哲族", N_("Hezhen")), Term("54", "门巴族", N_("Monba")),
    Term("55", "珞巴族", N_("Lhoba")), Term("56", "基诺族", N_("Jino")),
)  # fmt: skip

BY_CODE = {
    "sex": _index(SEXES),
    "work_capacity": _index(WORK_CAPACITIES),
    "relation": _index(RELATIONS),
    "education": _index(EDUCATIONS),
    "marital_status": _index(MARITAL_STATUSES),
    "health": _index(HEALTH_STATUSES),
    "disability_kind": _index(DISABILITY_KINDS),
    "disability_grade": _index(DISABILITY_GRADES),
    "ethnicity": _index(ETHNICITIES),
}


def zh_label(vocabulary: str, code: str | None) -> str:
    """The Chinese label of ``code`` (as on the paper forms), or '' for no value."""
    if not code:
        return ""
    term = BY_CODE[vocabulary].get(code)
    return term.zh if term else code


def label(vocabulary: str, code: str | None) -> str:
    """The label of ``code`` in the active language (English source through gettext)."""
    if not code:
        return ""
    term = BY_CODE[vocabulary].get(code)
    return _(term.en) if term else code


def lookup(vocabulary: str, text: str) -> str | None:
    """Find a code from a code, a Chinese label or an English label (for import)."""
    wanted = text.strip()
    if not wanted:
        return None
    terms = BY_CODE[vocabulary]
    if wanted in terms:
        return wanted
    for term in terms.values():
        if wanted in (term.zh, term.en) or wanted.lower() == term.en.lower():
            return term.code
        if vocabulary == "ethnicity" and wanted + "族" == term.zh:
            return term.code
    return None
