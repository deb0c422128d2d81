"""Policy packs (versioned data), the working-day calendar and the pure assessment engine.

The names other packages use::

    from caseworker.policy import Facts, Household, Member, assess, default_library
    decision = assess(Facts(id_number=idcard.parse(text)), dt.date.today())
"""

from __future__ import annotations

from caseworker.policy.calendar import (
    CalendarRangeError,
    WorkingCalendar,
    add_working_days,
    default_calendar,
    is_working_day,
    load_calendar,
)
from caseworker.policy.categories import CATEGORY_LABELS, Category, category_label
from caseworker.policy.dates import add_months, age_on
from caseworker.policy.engine import (
    CategoryResult,
    Conditions,
    Decision,
    assess,
    assess_with_pack,
    in_working_age,
    retirement_date,
)
from caseworker.policy.facts import (
    Facts,
    Household,
    Member,
    Relation,
    WorkCapacity,
    facts_from_json,
)
from caseworker.policy.pack import (
    CategoryRule,
    Parameter,
    PolicyError,
    PolicyLibrary,
    PolicyPack,
    Proof,
    default_library,
    load_pack,
    load_packs,
)

__all__ = [
    "CATEGORY_LABELS",
    "CalendarRangeError",
    "Category",
    "CategoryResult",
    "CategoryRule",
    "Conditions",
    "Decision",
    "Facts",
    "Household",
    "Member",
    "Parameter",
    "PolicyError",
    "PolicyLibrary",
    "PolicyPack",
    "Proof",
    "Relation",
    "WorkCapacity",
    "WorkingCalendar",
    "add_months",
    "add_working_days",
    "age_on",
    "assess",
    "assess_with_pack",
    "category_label",
    "default_calendar",
    "default_library",
    "facts_from_json",
    "in_working_age",
    "is_working_day",
    "load_calendar",
    "load_pack",
    "load_packs",
    "retirement_date",
]
