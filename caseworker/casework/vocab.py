"""The codes of assistance records and how they read (stored as codes, worded when shown).

The ``*_ZH`` tables give the wording printed on paper (the forms stay Chinese); the
``*_LABELS`` tables the wording on screen, through ``_()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from caseworker.core.errors import ValidationError
from caseworker.i18n import N_, _
from caseworker.registry.families import EpisodeEnd


class Basis(StrEnum):
    """Why a person may have a plan."""

    RECOGNISED = "recognised"  # recognised as a person with employment difficulty
    ZERO_EMPLOYMENT_FAMILY = "zero_employment_family"  # a member of such a family


class Channel(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    WECHAT = "wechat"
    STATION = "station"


class Service(StrEnum):
    JOB_REFERRAL = "job_referral"
    CAREER_GUIDANCE = "career_guidance"
    TRAINING = "training"
    BUSINESS = "business"
    POLICY = "policy"
    COUNSELLING = "counselling"
    OTHER = "other"


class OfferKind(StrEnum):
    CARING = "caring"
    MARKET = "market"
    PUBLIC_WELFARE = "public_welfare"


class Answer(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    PENDING = "pending"


class CloseReason(StrEnum):
    STABLE = "stable"
    EXITED = "exited"
    MOVED = "moved"
    DECLINED = "declined"
    DECEASED = "deceased"
    OTHER = "other"


class Evidence(StrEnum):
    """Evidence of employment; the values are those of ``registry.employment.Kind``."""

    CONTRACT = "contract"
    BUSINESS_LICENCE = "business_licence"
    FLEXIBLE = "flexible"
    INCOME = "income"


class DueReason(StrEnum):
    FIRST_CONTACT = "first_contact"
    FOLLOW_UP = "follow_up"
    EMPLOYED_FOLLOW_UP = "employed_follow_up"


BASIS_LABELS = {
    Basis.RECOGNISED: N_("Recognised person with employment difficulty"),
    Basis.ZERO_EMPLOYMENT_FAMILY: N_("Member of a zero-employment family"),
}
BASIS_ZH = {Basis.RECOGNISED: "就业困难人员", Basis.ZERO_EMPLOYMENT_FAMILY: "零就业家庭成员"}
CHANNEL_LABELS = {
    Channel.VISIT: N_("Home visit"),
    Channel.PHONE: N_("Phone call"),
    Channel.WECHAT: N_("WeChat"),
    Channel.STATION: N_("Came to the station"),
}
CHANNEL_ZH = {
    Channel.VISIT: "入户走访",
    Channel.PHONE: "电话",
    Channel.WECHAT: "微信",
    Channel.STATION: "来站",
}
SERVICE_LABELS = {
    Service.JOB_REFERRAL: N_("Job referral"),
    Service.CAREER_GUIDANCE: N_("Career guidance"),
    Service.TRAINING: N_("Skills training"),
    Service.BUSINESS: N_("Business start-up services"),
    Service.POLICY: N_("Policy advice"),
    Service.COUNSELLING: N_("Counselling"),
    Service.OTHER: N_("Other"),
}
SERVICE_ZH = {
    Service.JOB_REFERRAL: "岗位推荐",
    Service.CAREER_GUIDANCE: "职业指导",
    Service.TRAINING: "技能培训",
    Service.BUSINESS: "创业服务",
    Service.POLICY: "政策咨询",
    Service.COUNSELLING: "心理疏导",
    Service.OTHER: "其他",
}
OFFER_LABELS = {
    OfferKind.CARING: N_("Caring post"),
    OfferKind.MARKET: N_("Market post"),
    OfferKind.PUBLIC_WELFARE: N_("Public-welfare post"),
}
OFFER_ZH = {
    OfferKind.CARING: "爱心岗位",
    OfferKind.MARKET: "市场岗位",
    OfferKind.PUBLIC_WELFARE: "公益性岗位",
}
ANSWER_LABELS = {
    Answer.ACCEPTED: N_("Accepted"),
    Answer.REFUSED: N_("Refused"),
    Answer.PENDING: N_("No answer yet"),
}
ANSWER_ZH = {Answer.ACCEPTED: "接受", Answer.REFUSED: "拒绝", Answer.PENDING: "待答复"}
CLOSE_LABELS = {
    CloseReason.STABLE: N_("Employed and stable"),
    CloseReason.EXITED: N_("Exited"),
    CloseReason.MOVED: N_("Moved away"),
    CloseReason.DECLINED: N_("Declined assistance"),
    CloseReason.DECEASED: N_("Deceased"),
    CloseReason.OTHER: N_("Other reason"),
}
CLOSE_ZH = {
    CloseReason.STABLE: "稳定就业",
    CloseReason.EXITED: "退出",
    CloseReason.MOVED: "迁出",
    CloseReason.DECLINED: "拒绝援助",
    CloseReason.DECEASED: "死亡",
    CloseReason.OTHER: "其他",
}
EVIDENCE_LABELS = {
    Evidence.CONTRACT: N_("Labour contract of {threshold} months or more"),
    Evidence.BUSINESS_LICENCE: N_("Self-employed with a business licence"),
    Evidence.FLEXIBLE: N_("Flexible work of {threshold} days or more in a year"),
    Evidence.INCOME: N_("Monthly labour income of at least {threshold} yuan"),
}
DUE_LABELS = {
    DueReason.FIRST_CONTACT: N_("First contact"),
    DueReason.FOLLOW_UP: N_("Follow-up"),
    DueReason.EMPLOYED_FOLLOW_UP: N_("Follow-up after employment"),
}
EPISODE_END_LABELS = {
    EpisodeEnd.EMPLOYED: N_("Cleared: a member is employed"),
    EpisodeEnd.NO_LONGER: N_("No longer a zero-employment family"),
}


def label(table: Mapping[Any, str], code: str | None) -> str:
    """The screen wording of ``code`` in ``table`` (the code itself when unknown)."""
    if code is None:
        return ""
    return _(table[code]) if code in table else code


def parse_codes(text: str | Iterable[str], kind: type[StrEnum], field: str) -> tuple[str, ...]:
    """Codes separated by commas (or a list of codes), checked against ``kind``, without
    repeats, in the order of ``kind``; ValidationError names the unknown one."""
    items = text.replace("，", ",").split(",") if isinstance(text, str) else list(text)
    wanted = {item.strip() for item in items if item.strip()}
    known = {member.value for member in kind}
    unknown = sorted(wanted - known)
    if unknown:
        raise ValidationError(
            _("{value} is not one of: {allowed}.").format(
                value=unknown[0], allowed=", ".join(m.value for m in kind)
            ),
            field,
        )
    return tuple(m.value for m in kind if m.value in wanted)


def join_codes(codes: Iterable[str]) -> str:
    return ",".join(codes)


def split_codes(text: str) -> tuple[str, ...]:
    return tuple(c for c in text.split(",") if c)
