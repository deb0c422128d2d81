"""The rules of public-welfare posts, as pure functions over the pack's parameters.

- Subsidy period (财社〔2023〕181号): ``R`` the retirement date (the pack's retirement rule),
  ``F`` the first placement's start, ``S`` this placement's start; with the month arithmetic
  of :func:`caseworker.policy.dates.add_months` (month-end clamping)::

      subsidy_until = R - 1 day                              when F + 60 months > R
                    = min(S + 36 months - 1 day, R - 1 day)  otherwise

  (60 and 36 are ``post_near_retirement_years`` × 12 and ``post_subsidy_max_months``.)
  A placement cannot start on or after ``R``.
- Re-placement after an exit: for older workers (the notice's age on the new start), members
  of a zero-employment family and persons with a disability of grade 1 or 2; at most
  ``post_max_replacements`` re-placements; at least ``post_replacement_gap_months`` after the
  last exit.
- Monthly post subsidy: ``standard × worked ÷ required``, half-up to the fen, never above the
  standard (:func:`post_subsidy`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from caseworker.core.idcard import Sex
from caseworker.core.money import Money
from caseworker.i18n import _
from caseworker.policy import PolicyPack, default_library
from caseworker.policy.dates import add_months
from caseworker.posts.vocab import SubsidyRule

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PostRules:
    pack: PolicyPack
    max_months: int
    near_retirement_years: int
    max_replacements: int
    gap_months: int
    max_disability_grade: int
    end_notice_months: int
    score_max: int

    @classmethod
    def of(cls, pack: PolicyPack) -> PostRules:
        return cls(
            pack=pack,
            max_months=pack.int_param("post_subsidy_max_months"),
            near_retirement_years=pack.int_param("post_near_retirement_years"),
            max_replacements=pack.int_param("post_max_replacements"),
            gap_months=pack.int_param("post_replacement_gap_months"),
            max_disability_grade=pack.int_param("post_replacement_max_disability_grade"),
            end_notice_months=pack.int_param("post_subsidy_end_notice_months"),
            score_max=pack.int_param("post_attendance_score_max"),
        )

    def retirement_date(self, birth: dt.date, sex: Sex, base_age: int | None = None) -> dt.date:
        return self.pack.retirement.retirement_date(birth, sex, base_age)

    def older_worker(self, birth: dt.date, sex: Sex, on: dt.date) -> bool:
        return add_months(birth, self.pack.older_worker_age(sex) * 12) <= on


def rules_on(on: dt.date) -> PostRules:
    """The rules of the pack in force on ``on``."""
    return PostRules.of(default_library().in_force_on(on))


@dataclass(frozen=True, slots=True)
class SubsidyEnd:
    until: dt.date
    rule: SubsidyRule


def subsidy_until(
    *, retirement: dt.date, first_start: dt.date, start: dt.date, rules: PostRules
) -> SubsidyEnd:
    """The last day the subsidies of a placement starting on ``start`` may be paid."""
    last_working_day = retirement - ONE_DAY
    if add_months(first_start, rules.near_retirement_years * 12) > retirement:
        return SubsidyEnd(last_working_day, SubsidyRule.NEAR_RETIREMENT)
    three_years = add_months(start, rules.max_months) - ONE_DAY
    if three_years > last_working_day:
        return SubsidyEnd(last_working_day, SubsidyRule.RETIREMENT)
    return SubsidyEnd(three_years, SubsidyRule.THREE_YEARS)


def rule_text(rule: str, rules: PostRules, *, retirement: dt.date | None = None) -> str:
    """How the subsidy end date was set, in the user's language, with its source."""
    if rule == SubsidyRule.NEAR_RETIREMENT:
        return _(
            "until the day before retirement{on}: less than {years} years from retirement at "
            "the first placement ({source})"
        ).format(
            on=f" ({retirement.isoformat()})" if retirement else "",
            years=rules.near_retirement_years,
            source=rules.pack.param_citation("post_near_retirement_years"),
        )
    if rule == SubsidyRule.RETIREMENT:
        return _("until the day before retirement{on}, which comes within {months} months").format(
            on=f" ({retirement.isoformat()})" if retirement else "", months=rules.max_months
        )
    return _("{months} months from the start ({source})").format(
        months=rules.max_months, source=rules.pack.param_citation("post_subsidy_max_months")
    )


def post_subsidy(standard: Money, worked: int, required: int) -> Money:
    """``standard × worked ÷ required``, half-up to the fen, never above ``standard``."""
    if required <= 0 or worked <= 0:
        return Money(0)
    return min(standard.ratio(worked, required), standard)
