"""The assessment engine: is a person a person with employment difficulty (就业困难人员)?

Pure functions over :class:`~caseworker.policy.facts.Facts`, a date and a
:class:`~caseworker.policy.pack.PolicyPack`.  A person is eligible when every general condition
of clause (八) holds (resident in the region, of working age, able to work, wanting work, not
employed) and at least one category matches.  The :class:`Decision` lists every category whose
own criteria hold, even when a general condition fails, and explains itself in ``reasons``:
translated sentences that cite the clause.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caseworker.core.idcard import Sex
from caseworker.i18n import _
from caseworker.policy.categories import Category, category_label
from caseworker.policy.dates import add_months, age_on
from caseworker.policy.facts import RELATION_LABELS, Facts, Member, WorkCapacity
from caseworker.policy.families import FamilyMember, in_working_age, read_family
from caseworker.policy.pack import PolicyLibrary, PolicyPack, default_library
from caseworker.policy.retirement import sex_word

__all__ = [
    "CategoryResult",
    "Conditions",
    "Decision",
    "assess",
    "assess_with_pack",
    "in_working_age",
    "retirement_date",
]


@dataclass(frozen=True, slots=True)
class Conditions:
    """The general conditions of clause (八); each is True when it holds."""

    in_region: bool
    working_age: bool
    work_capacity: bool
    wants_work: bool
    not_employed: bool

    def all_hold(self) -> bool:
        return (
            self.in_region
            and self.working_age
            and self.work_capacity
            and self.wants_work
            and self.not_employed
        )

    def to_json(self) -> dict[str, bool]:
        return {
            "in_region": self.in_region,
            "working_age": self.working_age,
            "work_capacity": self.work_capacity,
            "wants_work": self.wants_work,
            "not_employed": self.not_employed,
        }


@dataclass(frozen=True, slots=True)
class CategoryResult:
    """Whether one category's own criteria hold, and why (a translated sentence)."""

    category: Category
    matched: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    id_number: str
    as_of: dt.date
    policy_id: str
    eligible: bool
    #: Categories whose own criteria hold, in the order of clause (八).
    categories: tuple[Category, ...]
    conditions: Conditions
    retirement_date: dt.date
    age: int
    #: One result per category, in the order of clause (八), matched or not.
    category_results: tuple[CategoryResult, ...]
    #: Translated sentences explaining the decision; the first one sums it up.
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON form written by ``caseworker assess``."""
        return {
            "id_number": self.id_number,
            "as_of": self.as_of.isoformat(),
            "policy": self.policy_id,
            "eligible": self.eligible,
            "categories": [c.value for c in self.categories],
            "conditions": self.conditions.to_json(),
            "retirement_date": self.retirement_date.isoformat(),
            "reasons": list(self.reasons),
        }


# ---------------------------------------------------------------------------------------------
# Helpers shared with other packages
# ---------------------------------------------------------------------------------------------


def retirement_date(
    birth: dt.date, sex: Sex, pack: PolicyPack, base_age: int | None = None
) -> dt.date:
    """The statutory retirement date under ``pack``'s retirement schedule."""
    return pack.retirement.retirement_date(birth, sex, base_age)


# ---------------------------------------------------------------------------------------------
# The categories
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    facts: Facts
    on: dt.date
    pack: PolicyPack
    age: int

    def cite(self, category: Category) -> str:
        return self.pack.citation(self.pack.category(category).clause)

    @property
    def registered(self) -> bool:
        return self.facts.registered_unemployed_on(self.on)

    @property
    def since(self) -> str:
        since = self.facts.registered_unemployed_since
        return since.isoformat() if since else "-"

    def unemployed_months(self, months: int) -> bool:
        since = self.facts.registered_unemployed_since
        return since is not None and add_months(since, months) <= self.on


def _yes(ctx: _Context, category: Category, text: str) -> CategoryResult:
    return CategoryResult(
        category,
        True,
        _("{label} ({citation}): {why}").format(
            label=category_label(category), citation=ctx.cite(category), why=text
        ),
    )


def _no(category: Category, text: str) -> CategoryResult:
    return CategoryResult(
        category,
        False,
        _("{label}: does not apply, because {why}").format(
            label=category_label(category), why=text
        ),
    )


def _not_registered(ctx: _Context, category: Category) -> CategoryResult:
    since = ctx.facts.registered_unemployed_since
    if since is None:
        return _no(category, _("the person is not registered unemployed."))
    return _no(
        category,
        _("the person is registered unemployed only from {since}, after {date}.").format(
            since=since.isoformat(), date=ctx.on.isoformat()
        ),
    )


def _too_short(ctx: _Context, category: Category, months: int) -> CategoryResult:
    since = ctx.facts.registered_unemployed_since
    assert since is not None
    return _no(
        category,
        _(
            "the person has been registered unemployed since {since}; {months} months are "
            "reached only on {reached}, after {date}."
        ).format(
            since=since.isoformat(),
            months=months,
            reached=add_months(since, months).isoformat(),
            date=ctx.on.isoformat(),
        ),
    )


def _family_member(facts: Facts | Member, employed: bool) -> FamilyMember:
    return FamilyMember(
        birth_date=facts.birth_date,
        sex=facts.sex,
        work_capacity=facts.work_capacity,
        wants_work=facts.wants_work,
        employed=employed,
        retirement_base_age=facts.retirement_base_age,
    )


def _zero_employment_family(ctx: _Context) -> CategoryResult:
    """The person is registered unemployed and their household (the person included) is a
    zero-employment family on the date (:func:`caseworker.policy.families.read_family`)."""
    cat = Category.ZERO_EMPLOYMENT_FAMILY
    facts = ctx.facts
    if not ctx.registered:
        return _not_registered(ctx, cat)
    household = facts.household
    if household is None:
        return _no(
            cat, _("no household facts were given, so a zero-employment family is not shown.")
        )
    members = [_family_member(facts, facts.employed)]
    members += [_family_member(m, m.employed) for m in household.members]
    reading = read_family(members, household.business_or_investment_income, ctx.on, ctx.pack)
    if reading.business_or_investment_income:
        return _no(cat, _("the household has business or investment income."))
    if reading.employed:
        first = reading.employed[0]
        if first == 0:
            return _no(cat, _("the person is employed."))
        member = household.members[first - 1]
        return _no(
            cat,
            _(
                "a household member ({relation}) of working age, able and willing to work, "
                "is employed."
            ).format(relation=_(RELATION_LABELS[member.relation])),
        )
    if not reading.counted:
        return _no(
            cat,
            _(
                "no member of the household, the person included, is of working age, able and "
                "willing to work."
            ),
        )
    return _yes(
        ctx,
        cat,
        _(
            "registered unemployed since {since}; no household member of working age who is "
            "able and willing to work is employed, and the household has no business or "
            "investment income."
        ).format(since=ctx.since),
    )


def _dual_unemployed_couple(ctx: _Context) -> CategoryResult:
    cat = Category.DUAL_UNEMPLOYED_COUPLE
    if not ctx.registered:
        return _not_registered(ctx, cat)
    members = ctx.facts.household.members if ctx.facts.household else ()
    if not any(m.relation == "spouse" and m.registered_unemployed for m in members):
        return _no(cat, _("no spouse who is registered unemployed is listed in the household."))
    return _yes(
        ctx,
        cat,
        _("registered unemployed since {since}, and the spouse is registered unemployed too.")
        .format(since=ctx.since),
    )  # fmt: skip


def _min_living_allowance(ctx: _Context) -> CategoryResult:
    cat = Category.MIN_LIVING_ALLOWANCE_6M
    months = ctx.pack.unemployed_months_short
    if not ctx.facts.min_living_allowance:
        return _no(cat, _("the person does not receive the minimum living allowance."))
    if not ctx.registered:
        return _not_registered(ctx, cat)
    if not ctx.unemployed_months(months):
        return _too_short(ctx, cat, months)
    return _yes(
        ctx,
        cat,
        _(
            "receives the minimum living allowance and has been registered unemployed since "
            "{since}, {months} months or more on {date}."
        ).format(since=ctx.since, months=months, date=ctx.on.isoformat()),
    )


def _disabled_partial(ctx: _Context) -> CategoryResult:
    cat = Category.DISABLED_PARTIAL_CAPACITY_6M
    months = ctx.pack.unemployed_months_short
    if not ctx.facts.disabled:
        return _no(cat, _("the person is not recorded as disabled."))
    if ctx.facts.work_capacity is not WorkCapacity.PARTIAL:
        return _no(
            cat,
            _("the work capacity is {capacity}, not partial.").format(
                capacity=ctx.facts.work_capacity.value
            ),
        )
    if not ctx.registered:
        return _not_registered(ctx, cat)
    if not ctx.unemployed_months(months):
        return _too_short(ctx, cat, months)
    return _yes(
        ctx,
        cat,
        _(
            "disabled and partly able to work, registered unemployed since {since}, {months} "
            "months or more on {date}."
        ).format(since=ctx.since, months=months, date=ctx.on.isoformat()),
    )


def _older_worker(ctx: _Context) -> CategoryResult:
    cat = Category.OLDER_WORKER
    if not ctx.registered:
        return _not_registered(ctx, cat)
    threshold = ctx.pack.older_worker_age(ctx.facts.sex)
    values = {
        "sex": sex_word(ctx.facts.sex),
        "age": ctx.age,
        "date": ctx.on.isoformat(),
        "threshold": threshold,
    }
    if ctx.age < threshold:
        return _no(
            cat,
            _("the person is a {sex} aged {age} on {date}, under {threshold}.").format(**values),
        )
    return _yes(
        ctx,
        cat,
        _("registered unemployed, a {sex} aged {age} on {date} ({threshold} or over).").format(
            **values
        ),
    )


def _long_term(ctx: _Context) -> CategoryResult:
    cat = Category.LONG_TERM_UNEMPLOYED_1Y
    months = ctx.pack.unemployed_months_long
    if not ctx.registered:
        return _not_registered(ctx, cat)
    if not ctx.unemployed_months(months):
        return _too_short(ctx, cat, months)
    return _yes(
        ctx,
        cat,
        _("registered unemployed since {since}, {months} months or more on {date}.").format(
            since=ctx.since, months=months, date=ctx.on.isoformat()
        ),
    )


def _graduate(ctx: _Context) -> CategoryResult:
    cat = Category.GRADUATE_UNEMPLOYED_1Y
    months = ctx.pack.unemployed_months_long
    if not ctx.facts.college_graduate:
        return _no(cat, _("the person is not recorded as a college graduate."))
    if not ctx.registered:
        return _not_registered(ctx, cat)
    if not ctx.unemployed_months(months):
        return _too_short(ctx, cat, months)
    return _yes(
        ctx,
        cat,
        _(
            "a college graduate registered unemployed since {since}, {months} months or more "
            "on {date}."
        ).format(since=ctx.since, months=months, date=ctx.on.isoformat()),
    )


def _land_expropriated(ctx: _Context) -> CategoryResult:
    cat = Category.LAND_EXPROPRIATED_FARMER
    if not ctx.facts.land_expropriated:
        return _no(cat, _("no land of the person was expropriated by the government."))
    if not ctx.facts.income_below_local_average:
        return _no(cat, _("the income is not below the local average."))
    return _yes(
        ctx,
        cat,
        _("land expropriated by the government and income below the local average."),
    )


_RULES: dict[Category, Callable[[_Context], CategoryResult]] = {
    Category.ZERO_EMPLOYMENT_FAMILY: _zero_employment_family,
    Category.DUAL_UNEMPLOYED_COUPLE: _dual_unemployed_couple,
    Category.MIN_LIVING_ALLOWANCE_6M: _min_living_allowance,
    Category.DISABLED_PARTIAL_CAPACITY_6M: _disabled_partial,
    Category.OLDER_WORKER: _older_worker,
    Category.LONG_TERM_UNEMPLOYED_1Y: _long_term,
    Category.GRADUATE_UNEMPLOYED_1Y: _graduate,
    Category.LAND_EXPROPRIATED_FARMER: _land_expropriated,
}


# ---------------------------------------------------------------------------------------------
# General conditions and the decision
# ---------------------------------------------------------------------------------------------


def _general_reasons(ctx: _Context, conditions: Conditions, retirement: dt.date) -> list[str]:
    pack = ctx.pack
    cite = pack.citation()
    reasons: list[str] = []
    if not conditions.in_region:
        reasons.append(
            _("Not resident in {region}; {citation} covers residents of the region only.").format(
                region=pack.region_name or pack.region_code, citation=cite
            )
        )
    if not conditions.working_age:
        if ctx.age < pack.working_age_min:
            reasons.append(
                _(
                    "Not of working age: aged {age} on {date}, under the minimum working age of "
                    "{minimum} ({citation})."
                ).format(
                    age=ctx.age,
                    date=ctx.on.isoformat(),
                    minimum=pack.working_age_min,
                    citation=cite,
                )
            )
        else:
            reasons.append(
                _(
                    "Not of working age: the statutory retirement date is {retirement}, on or "
                    "before {date} ({citation}; {source})."
                ).format(
                    retirement=retirement.isoformat(),
                    date=ctx.on.isoformat(),
                    citation=cite,
                    source=pack.retirement_source(),
                )
            )
    if not conditions.work_capacity:
        reasons.append(
            _("Has no capacity to work; {citation} requires full or partial capacity.").format(
                citation=cite
            )
        )
    if not conditions.wants_work:
        reasons.append(
            _("Does not want to work; {citation} requires the wish to work.").format(citation=cite)
        )
    if not conditions.not_employed:
        reasons.append(
            _("Is employed; {citation} covers persons without work only.").format(citation=cite)
        )
    return reasons


def assess(
    facts: Facts,
    on: dt.date,
    *,
    pack: PolicyPack | None = None,
    library: PolicyLibrary | None = None,
) -> Decision:
    """Assess ``facts`` on the date ``on``.

    ``pack`` defaults to the pack in force on ``on`` from ``library`` (default: the shipped
    packs).  Raises :class:`~caseworker.core.errors.ValidationError` when the facts cannot be
    assessed (for example a retirement base age the pack does not know) and
    :class:`~caseworker.core.errors.NotFoundError` when no pack is in force.
    """
    if pack is None:
        pack = (library or default_library()).in_force_on(on)
    retirement = pack.retirement.retirement_date(
        facts.birth_date, facts.sex, facts.retirement_base_age
    )
    age = age_on(facts.birth_date, on)
    ctx = _Context(facts, on, pack, age)
    conditions = Conditions(
        in_region=facts.resident_in_region,
        working_age=age >= pack.working_age_min and on < retirement,
        work_capacity=facts.work_capacity.able,
        wants_work=facts.wants_work,
        not_employed=not facts.employed,
    )
    results = tuple(rule(ctx) for rule in _RULES.values())
    matched = tuple(r.category for r in results if r.matched)
    eligible = conditions.all_hold() and bool(matched)
    cite = pack.citation()

    reasons: list[str] = []
    if eligible:
        reasons.append(
            _(
                "Eligible as a person with employment difficulty under {citation}: every general "
                "condition holds and at least one category applies."
            ).format(citation=cite)
        )
    elif not matched:
        reasons.append(
            _(
                "Not eligible as a person with employment difficulty under {citation}: no "
                "category applies."
            ).format(citation=cite)
        )
    else:
        reasons.append(
            _(
                "Not eligible as a person with employment difficulty under {citation}: a general "
                "condition does not hold."
            ).format(citation=cite)
        )
    reasons.extend(_general_reasons(ctx, conditions, retirement))
    if matched:
        reasons.extend(r.reason for r in results if r.matched)
    else:
        reasons.extend(r.reason for r in results)

    return Decision(
        id_number=facts.id_number.value,
        as_of=on,
        policy_id=pack.id,
        eligible=eligible,
        categories=matched,
        conditions=conditions,
        retirement_date=retirement,
        age=age,
        category_results=results,
        reasons=tuple(reasons),
    )


def assess_with_pack(
    facts: Facts, on: dt.date, pack_id: str, *, library: PolicyLibrary | None = None
) -> Decision:
    """Assess with the pack named ``pack_id`` whatever its effective dates."""
    return assess(facts, on, pack=(library or default_library()).get(pack_id))
