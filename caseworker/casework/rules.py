"""The pack's parameters for one-to-one assistance and zero-employment families, read once
for a date (the pack in force on that date; see ``resources/policy/*.toml``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from caseworker.core.money import Money
from caseworker.policy import PolicyPack, default_library


@dataclass(frozen=True, slots=True)
class AssistanceRules:
    pack: PolicyPack
    #: A contact is due this many days after the last one (or the plan's opening).
    contact_interval_days: int
    #: This many refused offers within the window are a ground to consider exit.
    refusal_count: int
    refusal_window_months: int
    #: Employed persons are followed up until this many months after the outcome date.
    employed_follow_up_months: int
    #: A zero-employment family should be cleared within this many days of identification.
    clearing_days: int
    contract_min_months: int
    flexible_min_days: int
    minimum_wage: Money

    @classmethod
    def of(cls, pack: PolicyPack) -> AssistanceRules:
        wage = pack.decimal_param("local_minimum_wage_monthly")
        return cls(
            pack=pack,
            contact_interval_days=pack.int_param("assistance_contact_interval_days"),
            refusal_count=pack.int_param("assistance_refusal_count"),
            refusal_window_months=pack.int_param("assistance_refusal_window_months"),
            employed_follow_up_months=pack.int_param("assistance_employed_follow_up_months"),
            clearing_days=pack.int_param("zero_employment_clearing_days"),
            contract_min_months=pack.int_param("employment_contract_min_months"),
            flexible_min_days=pack.int_param("employment_flexible_min_days"),
            minimum_wage=Money.of(Decimal(wage)),
        )

    def threshold_text(self, evidence: str) -> str:
        """The threshold of an evidence kind as it fills ``{threshold}`` in its label."""
        rule = self.pack.evidence(evidence)
        if rule.threshold is None:
            return ""
        return str(self.pack.param(rule.threshold).value)


def rules_on(on: dt.date) -> AssistanceRules:
    """The rules of the pack in force on ``on``."""
    return AssistanceRules.of(default_library().in_force_on(on))
