"""The zero-employment family (零就业家庭) reading: one pure function for the assessment
engine and the station's family tracker.

A household is a zero-employment family on a date when, among its members of working age
with work capacity and the wish to work, there is at least one and none is employed, and the
household has no business or investment income.  Working age runs from the pack's minimum
working age to the day before the statutory retirement date (:func:`in_working_age`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from caseworker.core.idcard import Sex
from caseworker.policy.dates import age_on
from caseworker.policy.facts import WorkCapacity
from caseworker.policy.pack import PolicyPack

__all__ = ["FamilyMember", "FamilyReading", "counts", "in_working_age", "read_family"]


def in_working_age(
    birth: dt.date, sex: Sex, on: dt.date, pack: PolicyPack, base_age: int | None = None
) -> bool:
    """From the birthday of the minimum working age to the day before the retirement date."""
    return age_on(birth, on) >= pack.working_age_min and on < pack.retirement.retirement_date(
        birth, sex, base_age
    )


@dataclass(frozen=True, slots=True)
class FamilyMember:
    """What the reading needs of one member of a household (the person assessed included)."""

    birth_date: dt.date
    sex: Sex
    work_capacity: WorkCapacity
    wants_work: bool
    employed: bool
    retirement_base_age: int | None = None


@dataclass(frozen=True, slots=True)
class FamilyReading:
    """The reading of one household on one date.

    ``counted`` and ``employed`` are positions in the member list given to :func:`read_family`:
    the members of working age, able and willing to work, and those of them who are employed.
    """

    zero_employment: bool
    business_or_investment_income: bool
    counted: tuple[int, ...]
    employed: tuple[int, ...]


def counts(member: FamilyMember, on: dt.date, pack: PolicyPack) -> bool:
    """Whether a member counts: of working age on ``on``, able to work and wanting work."""
    return (
        WorkCapacity(member.work_capacity).able
        and member.wants_work
        and in_working_age(member.birth_date, member.sex, on, pack, member.retirement_base_age)
    )


def read_family(
    members: Sequence[FamilyMember],
    business_or_investment_income: bool,
    on: dt.date,
    pack: PolicyPack,
) -> FamilyReading:
    """Read a household on ``on``: is it a zero-employment family, and why (not)."""
    counted = tuple(i for i, m in enumerate(members) if counts(m, on, pack))
    employed = tuple(i for i in counted if members[i].employed)
    return FamilyReading(
        zero_employment=bool(counted) and not employed and not business_or_investment_income,
        business_or_investment_income=business_or_investment_income,
        counted=counted,
        employed=employed,
    )
