"""Input dataclasses of the assistance forms: 就业援助卡 (the card with the agreement),
帮扶记录表 (a person's contacts), 援助台账 (the station's monthly ledger) and 零就业家庭名单.

All text is as printed (Chinese; the layouts add Uyghur beneath labels when bilingual); dates
are real dates, formatted by the forms.  :mod:`caseworker.forms.assistance_sources` fills
them from the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from caseworker.forms.data import Category, Station


@dataclass(frozen=True, slots=True)
class CardData:
    """就业援助卡: the person, the plan (援助协议, 一人一策) and its result."""

    station: Station
    record_id: str
    policy_pack_id: str
    printed_at: dt.datetime
    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date | None
    id_number: str
    phone: str
    village: str
    address: str
    basis: str
    categories: tuple[Category, ...]  # the services needed, ticked (服务需求)
    recognised_categories: str
    worker: str
    opened_on: dt.date
    signed_on: dt.date | None
    target_on: dt.date | None
    family_situation: str
    unemployment_reason: str
    skills: str
    training_wish: str
    job_intention: str
    measures: str
    outcome: str  # "2025-01-10 签订期限12个月及以上的劳动合同" or ""
    closed: str  # "2025-07-10 稳定就业" or ""


@dataclass(frozen=True, slots=True)
class ContactLine:
    on: dt.date
    channel: str
    services: str
    note: str
    worker: str
    next_on: dt.date | None
    remark: str  # "已更正" for a contact a correction replaced, "更正" for a correction


@dataclass(frozen=True, slots=True)
class ContactRecordData:
    """帮扶记录表: every contact of a person's plan, oldest first."""

    station: Station
    record_id: str
    policy_pack_id: str
    printed_at: dt.datetime
    name: str
    id_number: str
    village: str
    worker: str
    opened_on: dt.date
    lines: tuple[ContactLine, ...]


@dataclass(frozen=True, slots=True)
class LedgerLine:
    name: str
    sex: str
    id_number: str
    village: str
    basis: str
    worker: str
    contacts: int
    services: str
    offers: str
    employment: str
    next_on: dt.date | None
    remark: str


@dataclass(frozen=True, slots=True)
class LedgerData:
    """援助台账: the plans open during a month, one line per person, with the month's work."""

    station: Station
    month: dt.date  # the first day of the month
    until: dt.date  # the last day counted (the month's end, or today)
    policy_pack_id: str
    printed_at: dt.datetime
    lines: tuple[LedgerLine, ...]

    @property
    def totals(self) -> tuple[int, int, int]:
        """(persons, contacts, persons with a post offered)."""
        return (
            len(self.lines),
            sum(line.contacts for line in self.lines),
            sum(1 for line in self.lines if line.offers),
        )


@dataclass(frozen=True, slots=True)
class FamilyLine:
    head: str
    id_number: str
    village: str
    members: int
    identified_on: dt.date
    deadline: dt.date
    days_open: int
    state: str


@dataclass(frozen=True, slots=True)
class FamilyListData:
    """零就业家庭名单 on a date: the open families, the longest open first."""

    station: Station
    on: dt.date
    clearing_days: int
    clearing_source: str
    policy_pack_id: str
    printed_at: dt.datetime
    lines: tuple[FamilyLine, ...]
