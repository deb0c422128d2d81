"""Statutory retirement age with the gradual delay in force from 2025-01-01.

Decision of the NPC Standing Committee of 2024-09-13 (全国人民代表大会常务委员会关于实施渐进式延迟
法定退休年龄的决定) and the State Council measures attached to it.  The figures are data in the
policy pack (``[retirement]``); this module holds the arithmetic:

* the original retirement date is the birth date plus the base age in years;
* an original retirement month before ``delay_from`` (January 2025) gets no delay;
* otherwise the delay is one month for every ``months_per_step`` months from ``delay_from``
  (the first step already counts: a man born in January 1965 gets one month), capped so that
  the age never passes ``max_age``;
* the retirement date is the birth date plus base years plus delay months, added as one number
  of calendar months with the day clamped to the end of the month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from caseworker.core.errors import ValidationError
from caseworker.core.idcard import Sex
from caseworker.i18n import _
from caseworker.policy.dates import add_months

__all__ = ["RetirementGroup", "RetirementRules", "sex_word"]


def sex_word(sex: Sex) -> str:
    """ "man" or "woman" in the active language."""
    return _("man") if sex is Sex.MALE else _("woman")


@dataclass(frozen=True, slots=True)
class RetirementGroup:
    """One schedule: the people of one sex and one base retirement age."""

    key: str
    sex: Sex
    base_age: int
    months_per_step: int
    max_age: int

    @property
    def max_delay_months(self) -> int:
        return (self.max_age - self.base_age) * 12


@dataclass(frozen=True, slots=True)
class RetirementRules:
    source: str
    clause: str
    delay_from: dt.date
    default_base_age: Mapping[Sex, int]
    groups: tuple[RetirementGroup, ...]

    def allowed_base_ages(self, sex: Sex) -> tuple[int, ...]:
        return tuple(sorted(g.base_age for g in self.groups if g.sex is sex))

    def group(self, sex: Sex, base_age: int | None = None) -> RetirementGroup:
        """The schedule for ``sex`` and ``base_age`` (default: the usual base age for the sex)."""
        age = self.default_base_age[sex] if base_age is None else base_age
        for group in self.groups:
            if group.sex is sex and group.base_age == age:
                return group
        raise ValidationError(
            _("The retirement base age of a {sex} must be one of {allowed}; {age} is not.").format(
                sex=sex_word(sex),
                allowed=", ".join(str(a) for a in self.allowed_base_ages(sex)),
                age=age,
            ),
            "retirement_base_age",
        )

    def delay_months(self, birth: dt.date, sex: Sex, base_age: int | None = None) -> int:
        """Months by which retirement is delayed for a person born on ``birth``."""
        group = self.group(sex, base_age)
        original = add_months(birth, group.base_age * 12)
        elapsed = (original.year - self.delay_from.year) * 12 + (
            original.month - self.delay_from.month
        )
        if elapsed < 0:
            return 0
        return min(elapsed // group.months_per_step + 1, group.max_delay_months)

    def retirement_date(self, birth: dt.date, sex: Sex, base_age: int | None = None) -> dt.date:
        """The statutory retirement date: the first day that is no longer working age."""
        group = self.group(sex, base_age)
        delay = self.delay_months(birth, sex, group.base_age)
        return add_months(birth, group.base_age * 12 + delay)
