"""The codes of post records and how they read (stored as codes, worded when shown).

``*_ZH`` tables give the wording printed on paper (the forms stay Chinese); ``*_LABELS`` the
wording on screen, through ``_()``.
"""

from __future__ import annotations

from enum import StrEnum

from caseworker.i18n import N_


class Area(StrEnum):
    URBAN = "urban"
    RURAL = "rural"


class Hours(StrEnum):
    FULL = "full"
    PART = "part"


class Contract(StrEnum):
    LABOUR = "labour"  # 劳动合同
    SERVICE = "service"  # 劳务协议


class ExitReason(StrEnum):
    """Grounds of an exit from a post (退岗 / 终止用工协议)."""

    VOLUNTARY = "voluntary"
    EMPLOYED = "employed"
    HEALTH = "health"
    ASSESSMENT = "assessment"
    SUBSTITUTE = "substitute"
    RETIRED = "retired"
    DECEASED = "deceased"
    OTHER = "other"


class SubsidyRule(StrEnum):
    """The rule that set a placement's subsidy end date."""

    THREE_YEARS = "max_months"  # start + 36 months - 1 day
    NEAR_RETIREMENT = "near_retirement"  # first placement within 5 years of retirement
    RETIREMENT = "retirement"  # the 36 months would run past retirement


AREA_LABELS = {Area.URBAN: N_("urban"), Area.RURAL: N_("rural")}
AREA_ZH = {Area.URBAN: "城镇", Area.RURAL: "乡村"}
HOURS_LABELS = {Hours.FULL: N_("full-time"), Hours.PART: N_("part-time")}
HOURS_ZH = {Hours.FULL: "全日制", Hours.PART: "非全日制"}
CONTRACT_LABELS = {
    Contract.LABOUR: N_("labour contract"),
    Contract.SERVICE: N_("service agreement"),
}
CONTRACT_ZH = {Contract.LABOUR: "劳动合同", Contract.SERVICE: "劳务协议"}
EXIT_LABELS = {
    ExitReason.VOLUNTARY: N_("left voluntarily"),
    ExitReason.EMPLOYED: N_("stable employment elsewhere"),
    ExitReason.HEALTH: N_("health"),
    ExitReason.ASSESSMENT: N_("failed the assessment"),
    ExitReason.SUBSTITUTE: N_("someone else worked the post (顶岗/替岗)"),
    ExitReason.RETIRED: N_("retirement"),
    ExitReason.DECEASED: N_("deceased"),
    ExitReason.OTHER: N_("other"),
}
EXIT_ZH = {
    ExitReason.VOLUNTARY: "本人自愿退岗",
    ExitReason.EMPLOYED: "实现稳定就业",
    ExitReason.HEALTH: "身体原因",
    ExitReason.ASSESSMENT: "考核不合格",
    ExitReason.SUBSTITUTE: "顶岗/替岗",
    ExitReason.RETIRED: "达到退休年龄",
    ExitReason.DECEASED: "死亡",
    ExitReason.OTHER: "其他",
}
