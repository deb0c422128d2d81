"""Plain input dataclasses for the printed forms.

The registry and recognition services fill these from the database; the forms package never
reads the database itself.  Every label shown on paper comes either from these objects or from
the layout files under ``resources/forms/``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: The category codes of clause (八), in the order in which forms list them.
CATEGORY_CODES: tuple[str, ...] = (
    "zero_employment_family",
    "dual_unemployed_couple",
    "min_living_allowance_6m",
    "disabled_partial_capacity_6m",
    "older_worker",
    "long_term_unemployed_1y",
    "graduate_unemployed_1y",
    "land_expropriated_farmer",
)


@dataclass(frozen=True, slots=True)
class Station:
    """The job-service station that prints the form."""

    name: str
    code: str


@dataclass(frozen=True, slots=True)
class Category:
    """One category checkbox: ``checked`` marks the categories matched for this person."""

    code: str
    label_zh: str
    label_ug: str | None = None
    checked: bool = False


@dataclass(frozen=True, slots=True)
class HouseholdMember:
    name: str
    relation: str
    id_number: str
    employment: str


@dataclass(frozen=True, slots=True)
class ApplicationPerson:
    """The applicant's fields on 就业困难人员认定申请表 (all display text, already formatted
    where the database holds codes; dates are real dates and are formatted by the form)."""

    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date | None
    id_number: str
    education: str = ""
    health: str = ""
    marital_status: str = ""
    phone: str = ""
    registered_address: str = ""
    residence_address: str = ""
    village: str = ""
    household_size: int | None = None
    unemployment_registered: dt.date | None = None
    employment_card_no: str = ""
    name_ug: str | None = None


@dataclass(frozen=True, slots=True)
class ApplicationData:
    station: Station
    person: ApplicationPerson
    categories: tuple[Category, ...]
    record_id: str
    policy_pack_id: str
    printed_at: dt.datetime
    members: tuple[HouseholdMember, ...] = ()


@dataclass(frozen=True, slots=True)
class NoticePerson:
    name: str
    sex: str
    age: int
    categories: tuple[str, ...]
    village: str
    id_number: str
    """The full number; the notice masks it."""


@dataclass(frozen=True, slots=True)
class NoticeData:
    station: Station
    persons: tuple[NoticePerson, ...]
    period_start: dt.date
    period_end: dt.date
    working_days: int
    contact_name: str
    contact_phone: str
    policy_pack_id: str
    printed_at: dt.datetime
    list_id: str | None = None
    """An id for this list; when ``None`` a hash of its contents is printed instead."""


@dataclass(frozen=True, slots=True)
class RosterRow:
    name: str
    sex: str
    id_number: str
    categories: tuple[str, ...]
    village: str
    unemployment_registered: dt.date | None = None
    phone: str = ""


@dataclass(frozen=True, slots=True)
class RosterData:
    station: Station
    rows: tuple[RosterRow, ...]
    filters: str
    """A human description of the filters that produced the rows (printed under the title)."""
    policy_pack_id: str
    printed_at: dt.datetime
    list_id: str | None = None
    title: str | None = None
    """Overrides the layout's title when given."""
    title_ug: str | None = None
    """The Uyghur line under the title on a bilingual roster (default: the layout's)."""


@dataclass(frozen=True, slots=True)
class RosterTotals:
    count: int
    by_category: tuple[tuple[str, int], ...] = field(default=())
    by_sex: tuple[tuple[str, int], ...] = field(default=())


def roster_totals(rows: tuple[RosterRow, ...] | list[RosterRow]) -> RosterTotals:
    """Count the rows, by category (in first-seen order) and by sex."""
    by_cat: dict[str, int] = {}
    by_sex: dict[str, int] = {}
    for row in rows:
        for label in row.categories:
            by_cat[label] = by_cat.get(label, 0) + 1
        by_sex[row.sex] = by_sex.get(row.sex, 0) + 1
    return RosterTotals(len(rows), tuple(by_cat.items()), tuple(by_sex.items()))
