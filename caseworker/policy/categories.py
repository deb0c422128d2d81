"""The categories of persons with employment difficulty (就业困难人员) in clause (八).

The codes are stable strings (stored in the database and written in JSON); their order is the
order of clause (八) and is the order in which results list them.
"""

from __future__ import annotations

from enum import StrEnum

from caseworker.i18n import N_, _

__all__ = ["CATEGORY_LABELS", "Category", "category_label"]


class Category(StrEnum):
    ZERO_EMPLOYMENT_FAMILY = "zero_employment_family"
    DUAL_UNEMPLOYED_COUPLE = "dual_unemployed_couple"
    MIN_LIVING_ALLOWANCE_6M = "min_living_allowance_6m"
    DISABLED_PARTIAL_CAPACITY_6M = "disabled_partial_capacity_6m"
    OLDER_WORKER = "older_worker"
    LONG_TERM_UNEMPLOYED_1Y = "long_term_unemployed_1y"
    GRADUATE_UNEMPLOYED_1Y = "graduate_unemployed_1y"
    LAND_EXPROPRIATED_FARMER = "land_expropriated_farmer"


#: Short labels for the user interface, marked for translation; show them with
#: :func:`category_label`.
CATEGORY_LABELS: dict[Category, str] = {
    Category.ZERO_EMPLOYMENT_FAMILY: N_("Member of a zero-employment family"),
    Category.DUAL_UNEMPLOYED_COUPLE: N_("Member of a couple who are both unemployed"),
    Category.MIN_LIVING_ALLOWANCE_6M: N_(
        "Receives the minimum living allowance and has been unemployed for half a year"
    ),
    Category.DISABLED_PARTIAL_CAPACITY_6M: N_(
        "Disabled, partly able to work, unemployed for half a year"
    ),
    Category.OLDER_WORKER: N_("Older unemployed worker (woman 45 or over, man 55 or over)"),
    Category.LONG_TERM_UNEMPLOYED_1Y: N_("Unemployed for a year or more"),
    Category.GRADUATE_UNEMPLOYED_1Y: N_("College graduate unemployed for a year or more"),
    Category.LAND_EXPROPRIATED_FARMER: N_(
        "Farmer whose land was expropriated, with income below the local average"
    ),
}


def category_label(category: Category | str) -> str:
    """The label of ``category`` in the active language."""
    return _(CATEGORY_LABELS[Category(category)])
