"""Policy packs: a notice encoded as versioned data (``resources/policy/*.toml``).

A pack carries the identity of the notice (id, document number, title, issuing body, effective
dates), every parameter the rules use with the clause it comes from, the retirement-age schedule,
the proofs and the categories with their checklists.  Packs are validated on load; a
:class:`PolicyError` names the file and the field at fault.

Use :func:`load_packs` (or :func:`default_library`) and :meth:`PolicyLibrary.select` to find the
pack for an assessment date or by id.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from caseworker.core.errors import NotFoundError, ValidationError
from caseworker.core.idcard import Sex
from caseworker.core.resources import received_dir
from caseworker.i18n import LANGUAGES, _, current_language
from caseworker.policy.categories import Category
from caseworker.policy.resources import policy_dir
from caseworker.policy.retirement import RetirementGroup, RetirementRules

__all__ = [
    "EVIDENCE_KINDS",
    "REQUIRED_PARAMETERS",
    "CategoryRule",
    "CitationStyle",
    "EvidenceRule",
    "Parameter",
    "PolicyError",
    "PolicyLibrary",
    "PolicyPack",
    "Proof",
    "default_library",
    "load_pack",
    "load_packs",
]

PACK_FORMAT = 1

INT_UNITS = frozenset({"years", "months", "days", "working_days", "count"})
MONEY_UNIT_PREFIX = "yuan"
SHARE_UNIT_PREFIX = "share"

#: Parameters every pack must define, with the kind of value: "int", "money" or "share".
REQUIRED_PARAMETERS: dict[str, str] = {
    "working_age_min": "int",
    "older_worker_age_female": "int",
    "older_worker_age_male": "int",
    "unemployed_months_short": "int",
    "unemployed_months_long": "int",
    "public_notice_working_days": "int",
    "one_time_hiring_subsidy": "money",
    "skill_upgrade_subsidy_level_5": "money",
    "skill_upgrade_subsidy_level_4": "money",
    "skill_upgrade_subsidy_level_3": "money",
    "skill_upgrade_subsidy_max_claims_per_year": "int",
    "price_temporary_subsidy_minimum": "money",
    "internship_post_allowance_min_share": "share",
    # one-to-one assistance and zero-employment families (人社部发〔2024〕84号 and local texts)
    "assistance_contact_interval_days": "int",
    "assistance_refusal_count": "int",
    "assistance_refusal_window_months": "int",
    "assistance_employed_follow_up_months": "int",
    "zero_employment_clearing_days": "int",
    "employment_contract_min_months": "int",
    "employment_flexible_min_days": "int",
    "local_minimum_wage_monthly": "money",
}

#: The kinds of evidence a pack may accept for an employment outcome (就业认定); the codes are
#: those of :class:`caseworker.registry.employment.Kind`.
EVIDENCE_KINDS = ("contract", "business_licence", "flexible", "income")

_TOP_KEYS = frozenset(
    {"pack", "parameters", "retirement", "proofs", "categories", "citations", "employment_evidence"}
)
_PACK_KEYS = frozenset(
    {
        "id", "format", "document_number", "title", "issuing_body", "issued_on",
        "effective_from", "effective_to", "region_code", "region_name", "category_clause",
    }
)  # fmt: skip
_PARAM_KEYS = frozenset({"value", "unit", "clause", "note", "until", "from", "source"})
_EVIDENCE_KEYS = frozenset({"label_zh", "threshold"})
_RETIREMENT_KEYS = frozenset({"source", "clause", "delay_from", "default_base_age", "groups"})
_GROUP_KEYS = frozenset({"sex", "base_age", "months_per_step", "max_age"})
_PROOF_KEYS = frozenset({"label_zh", "label_en", "label_ug"})
_CITATION_KEYS = frozenset({"format", "clauses", "retirement_source"})
#: How the notice is cited when a pack gives no style for the language: as issued (Chinese).
DEFAULT_CITATION_FORMAT = "{number} {clause}"
_CATEGORY_KEYS = frozenset({"label_zh", "clause", "proofs"})


class PolicyError(ValidationError):
    """A policy pack that cannot be loaded or used."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One value of the notice: a whole number or a :class:`~decimal.Decimal`."""

    name: str
    value: int | Decimal
    unit: str
    clause: str
    note: str = ""
    valid_from: dt.date | None = None
    until: dt.date | None = None
    #: The document the value comes from when it is not the pack's own notice ("": the pack's).
    source: str = ""

    @property
    def kind(self) -> str:
        if self.unit in INT_UNITS:
            return "int"
        if self.unit.startswith(MONEY_UNIT_PREFIX):
            return "money"
        return "share"

    def applies_on(self, day: dt.date) -> bool:
        """Whether the notice still grants this value on ``day`` (``until`` included)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.until is None or day <= self.until


@dataclass(frozen=True, slots=True)
class Proof:
    """A document a category needs as proof (证明材料)."""

    code: str
    label_zh: str
    label_en: str
    label_ug: str = ""

    @property
    def label(self) -> str:
        """The document's name in the interface language (the Chinese name printed on the
        paper when the pack gives none for the language)."""
        language = current_language()
        if language == "en":
            return self.label_en
        if language == "ug_CN" and self.label_ug:
            return self.label_ug
        return self.label_zh


@dataclass(frozen=True, slots=True)
class CitationStyle:
    """How the notice is cited in one interface language.

    ``format`` has ``{number}`` (the document number, always as issued) and ``{clause}`` (the
    clause, named through ``clauses``; a clause not listed there is cited as written);
    ``retirement_source`` names the retirement-age decision in the language.
    """

    format: str = DEFAULT_CITATION_FORMAT
    clauses: Mapping[str, str] = field(default_factory=dict)
    retirement_source: str = ""


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    """A kind of evidence that counts a person as employed (就业认定), and the parameter that
    holds its threshold (None: the evidence itself suffices, as a business licence)."""

    code: str
    label_zh: str
    threshold: str | None = None

    def label_zh_with(self, value: object) -> str:
        """The Chinese wording with the threshold's value in place of ``{threshold}``."""
        return self.label_zh.replace("{threshold}", str(value))


@dataclass(frozen=True, slots=True)
class CategoryRule:
    code: Category
    label_zh: str
    clause: str
    proofs: tuple[Proof, ...]


@dataclass(frozen=True)
class PolicyPack:
    id: str
    document_number: str
    title: str
    issuing_body: str
    issued_on: dt.date | None
    effective_from: dt.date
    effective_to: dt.date | None
    region_code: str
    region_name: str
    category_clause: str
    parameters: Mapping[str, Parameter]
    retirement: RetirementRules
    proofs: Mapping[str, Proof]
    categories: Mapping[Category, CategoryRule]
    employment_evidence: Mapping[str, EvidenceRule] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)
    citations: Mapping[str, CitationStyle] = field(default_factory=dict)
    """Citation styles by interface language (``zh_CN`` when absent: as issued)."""

    # -- identity and validity -------------------------------------------------------------

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def _style(self, language: str | None) -> CitationStyle:
        return self.citations.get(language or current_language(), CitationStyle())

    def citation(self, clause: str | None = None, language: str | None = None) -> str:
        """The document number and a clause, in ``language`` (default: the interface's).

        ``新政办发〔2023〕49号 第（八）项`` in Chinese; in another language the pack's
        :class:`CitationStyle` for it (the number stays as issued).
        """
        style = self._style(language)
        raw = clause or self.category_clause
        return style.format.format(number=self.document_number, clause=style.clauses.get(raw, raw))

    def retirement_source(self, language: str | None = None) -> str:
        """The retirement-age decision's name in ``language`` (as issued when not given)."""
        return self._style(language).retirement_source or self.retirement.source

    def param_citation(self, name: str) -> str:
        """Where a parameter comes from: its source document (or the pack's) and clause."""
        param = self.param(name)
        return f"{param.source or self.document_number} {param.clause}"

    # -- parameters ------------------------------------------------------------------------

    def param(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise PolicyError(
                _("The policy pack {pack} has no parameter {name}.").format(pack=self.id, name=name)
            ) from None

    def int_param(self, name: str) -> int:
        value = self.param(name).value
        if not isinstance(value, int):
            raise PolicyError(
                _("The parameter {name} of the policy pack {pack} is not a whole number.").format(
                    name=name, pack=self.id
                )
            )
        return value

    def decimal_param(self, name: str) -> Decimal:
        value = self.param(name).value
        return value if isinstance(value, Decimal) else Decimal(value)

    @property
    def working_age_min(self) -> int:
        return self.int_param("working_age_min")

    def older_worker_age(self, sex: Sex) -> int:
        if sex is Sex.FEMALE:
            return self.int_param("older_worker_age_female")
        return self.int_param("older_worker_age_male")

    @property
    def unemployed_months_short(self) -> int:
        return self.int_param("unemployed_months_short")

    @property
    def unemployed_months_long(self) -> int:
        return self.int_param("unemployed_months_long")

    @property
    def public_notice_working_days(self) -> int:
        return self.int_param("public_notice_working_days")

    def evidence(self, code: str) -> EvidenceRule:
        """The employment evidence ``code`` the pack accepts; PolicyError when it does not."""
        try:
            return self.employment_evidence[code]
        except KeyError:
            raise PolicyError(
                _(
                    "The policy pack {pack} does not accept {code} as evidence of employment."
                ).format(pack=self.id, code=code)
            ) from None

    def evidence_label_zh(self, code: str) -> str:
        """The Chinese wording of an evidence kind with its threshold (for printed forms)."""
        rule = self.evidence(code)
        value = self.param(rule.threshold).value if rule.threshold else ""
        return rule.label_zh_with(value)

    def skill_upgrade_subsidy(self, level: int) -> Decimal:
        """The skill-upgrade subsidy for a certificate of ``level`` (5, 4 or 3), in yuan."""
        return self.decimal_param(f"skill_upgrade_subsidy_level_{level}")

    # -- categories ------------------------------------------------------------------------

    def category(self, code: Category | str) -> CategoryRule:
        return self.categories[Category(code)]

    def checklist(self, code: Category | str) -> tuple[Proof, ...]:
        """The proofs an application for category ``code`` needs."""
        return self.category(code).proofs


class PolicyLibrary:
    """The loaded packs, by id."""

    def __init__(self, packs: Iterable[PolicyPack]) -> None:
        by_id: dict[str, PolicyPack] = {}
        for pack in packs:
            if pack.id in by_id:
                raise PolicyError(
                    _("Two policy packs have the id {id}: {first} and {second}.").format(
                        id=pack.id, first=str(by_id[pack.id].path), second=str(pack.path)
                    )
                )
            by_id[pack.id] = pack
        self._packs = dict(sorted(by_id.items(), key=lambda kv: (kv[1].effective_from, kv[0])))

    @property
    def packs(self) -> tuple[PolicyPack, ...]:
        """All packs, oldest ``effective_from`` first."""
        return tuple(self._packs.values())

    def ids(self) -> tuple[str, ...]:
        return tuple(self._packs)

    def get(self, pack_id: str) -> PolicyPack:
        try:
            return self._packs[pack_id]
        except KeyError:
            raise NotFoundError(
                _("There is no policy pack with the id {id}; the packs are: {ids}.").format(
                    id=pack_id, ids=", ".join(self._packs) or "-"
                )
            ) from None

    def in_force_on(self, day: dt.date) -> PolicyPack:
        """The pack in force on ``day``; of several, the one that took effect last."""
        candidates = [p for p in self._packs.values() if p.in_force_on(day)]
        if not candidates:
            raise NotFoundError(
                _("No policy pack is in force on {date}.").format(date=day.isoformat())
            )
        return max(candidates, key=lambda p: (p.effective_from, p.id))

    def select(self, day: dt.date, pack_id: str | None = None) -> PolicyPack:
        """The pack named ``pack_id``, or else the pack in force on ``day``."""
        return self.get(pack_id) if pack_id else self.in_force_on(day)


# ---------------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------------


class _Reader:
    """Typed access to a TOML table that reports errors with file and field names."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, message: str) -> PolicyError:
        return PolicyError(
            _("Policy pack {file}: {problem}").format(file=self.where, problem=message)
        )

    def table(self, data: Mapping[str, Any], key: str, ctx: str) -> dict[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(_("{field} must be a table.").format(field=f"{ctx}{key}"))
        return value

    def known(self, data: Mapping[str, Any], allowed: frozenset[str], ctx: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(
                _("unknown field {field}.").format(field=", ".join(f"{ctx}{k}" for k in unknown))
            )

    def text(self, data: Mapping[str, Any], key: str, ctx: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_("{field} must be a non-empty text.").format(field=f"{ctx}{key}"))
        return value

    def integer(self, data: Mapping[str, Any], key: str, ctx: str, *, minimum: int = 0) -> int:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(
                _("{field} must be a whole number of at least {minimum}.").format(
                    field=f"{ctx}{key}", minimum=minimum
                )
            )
        return value

    def date(
        self, data: Mapping[str, Any], key: str, ctx: str, *, required: bool = True
    ) -> dt.date | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        raise self.fail(_("{field} must be a date such as 2023-08-09.").format(field=f"{ctx}{key}"))


def _parse_parameter(r: _Reader, name: str, data: Any) -> Parameter:
    ctx = f"parameters.{name}."
    if not isinstance(data, dict):
        raise r.fail(_("{field} must be a table.").format(field=f"parameters.{name}"))
    r.known(data, _PARAM_KEYS, ctx)
    unit = r.text(data, "unit", ctx)
    clause = r.text(data, "clause", ctx)
    raw = data.get("value")
    value: int | Decimal
    if unit in INT_UNITS:
        value = r.integer(data, "value", ctx)
    elif unit.startswith((MONEY_UNIT_PREFIX, SHARE_UNIT_PREFIX)):
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise r.fail(
                _("{field} must be an amount written as text, such as \"1000\" or \"0.5\".")
                .format(field=f"{ctx}value")
            )  # fmt: skip
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise r.fail(
                _("{field} is not a number: {value}").format(field=f"{ctx}value", value=raw)
            ) from None
        if not value.is_finite() or value < 0:
            raise r.fail(_("{field} must be a number of 0 or more.").format(field=f"{ctx}value"))
    else:
        raise r.fail(
            _("{field}: unknown unit {unit}; use years, months, days, working_days, count, "
              "yuan... or share...").format(field=f"{ctx}unit", unit=unit)
        )  # fmt: skip
    valid_from = r.date(data, "from", ctx, required=False)
    until = r.date(data, "until", ctx, required=False)
    if valid_from and until and until < valid_from:
        raise r.fail(_("{field} is before its start.").format(field=f"{ctx}until"))
    note = data.get("note", "")
    if not isinstance(note, str):
        raise r.fail(_("{field} must be text.").format(field=f"{ctx}note"))
    source = r.text(data, "source", ctx, required=False)
    return Parameter(name, value, unit, clause, note, valid_from, until, source)


def _parse_evidence(
    r: _Reader, data: dict[str, Any], parameters: Mapping[str, Parameter]
) -> dict[str, EvidenceRule]:
    found: dict[str, EvidenceRule] = {}
    for code, raw in data.items():
        ctx = f"employment_evidence.{code}."
        if code not in EVIDENCE_KINDS:
            raise r.fail(
                _("unknown evidence of employment {code}; the kinds are: {codes}.").format(
                    code=code, codes=", ".join(EVIDENCE_KINDS)
                )
            )
        if not isinstance(raw, dict):
            raise r.fail(_("{field} must be a table.").format(field=ctx.rstrip(".")))
        r.known(raw, _EVIDENCE_KEYS, ctx)
        label_zh = r.text(raw, "label_zh", ctx)
        threshold = r.text(raw, "threshold", ctx, required=False) or None
        if threshold is not None and threshold not in parameters:
            raise r.fail(
                _("{field} names the parameter {name}, which the pack does not define.").format(
                    field=f"{ctx}threshold", name=threshold
                )
            )
        found[code] = EvidenceRule(code, label_zh, threshold)
    if not found:
        raise r.fail(_("employment_evidence must name at least one kind of evidence."))
    return found


def _parse_retirement(r: _Reader, data: dict[str, Any]) -> RetirementRules:
    ctx = "retirement."
    r.known(data, _RETIREMENT_KEYS, ctx)
    source = r.text(data, "source", ctx)
    clause = r.text(data, "clause", ctx)
    delay_from = r.date(data, "delay_from", ctx)
    assert delay_from is not None
    if delay_from.day != 1:
        raise r.fail(
            _("{field} must be the first day of a month.").format(field=f"{ctx}delay_from")
        )
    groups: list[RetirementGroup] = []
    for key, raw in r.table(data, "groups", ctx).items():
        gctx = f"{ctx}groups.{key}."
        if not isinstance(raw, dict):
            raise r.fail(_("{field} must be a table.").format(field=gctx.rstrip(".")))
        r.known(raw, _GROUP_KEYS, gctx)
        sex_text = raw.get("sex")
        if sex_text not in (Sex.MALE.value, Sex.FEMALE.value):
            raise r.fail(_("{field} must be male or female.").format(field=f"{gctx}sex"))
        base = r.integer(raw, "base_age", gctx, minimum=1)
        step = r.integer(raw, "months_per_step", gctx, minimum=1)
        top = r.integer(raw, "max_age", gctx, minimum=base)
        sex = Sex(sex_text)
        if any(g.sex is sex and g.base_age == base for g in groups):
            raise r.fail(
                _("two retirement groups for {sex} with base age {age}.").format(
                    sex=sex.value, age=base
                )
            )
        groups.append(RetirementGroup(key, sex, base, step, top))
    defaults_raw = r.table(data, "default_base_age", ctx)
    r.known(defaults_raw, frozenset({"male", "female"}), f"{ctx}default_base_age.")
    defaults: dict[Sex, int] = {}
    for sex in Sex:
        age = r.integer(defaults_raw, sex.value, f"{ctx}default_base_age.", minimum=1)
        if not any(g.sex is sex and g.base_age == age for g in groups):
            raise r.fail(
                _("{field} is {age} but there is no retirement group for it.").format(
                    field=f"{ctx}default_base_age.{sex.value}", age=age
                )
            )
        defaults[sex] = age
    return RetirementRules(source, clause, delay_from, defaults, tuple(groups))


def parse_pack(data: Mapping[str, Any], where: str, path: Path | None = None) -> PolicyPack:
    """Validate the TOML ``data`` of a pack; ``where`` names it in error messages."""
    r = _Reader(where)
    r.known(data, _TOP_KEYS, "")
    head = r.table(data, "pack", "")
    r.known(head, _PACK_KEYS, "pack.")
    pack_format = r.integer(head, "format", "pack.", minimum=1)
    if pack_format != PACK_FORMAT:
        raise r.fail(
            _("pack.format is {found}; this program reads format {expected}.").format(
                found=pack_format, expected=PACK_FORMAT
            )
        )
    pack_id = r.text(head, "id", "pack.")
    effective_from = r.date(head, "effective_from", "pack.")
    assert effective_from is not None
    effective_to = r.date(head, "effective_to", "pack.", required=False)
    if effective_to is not None and effective_to < effective_from:
        raise r.fail(_("pack.effective_to is before pack.effective_from."))
    region_code = r.text(head, "region_code", "pack.")
    if not (len(region_code) in (2, 4, 6) and region_code.isdigit()):
        raise r.fail(_("pack.region_code must be 2, 4 or 6 digits of a division code."))

    parameters: dict[str, Parameter] = {}
    for name, raw in r.table(data, "parameters", "").items():
        parameters[name] = _parse_parameter(r, name, raw)
    for name, kind in REQUIRED_PARAMETERS.items():
        if name not in parameters:
            raise r.fail(_("the parameter {name} is missing.").format(name=name))
        if parameters[name].kind != kind:
            raise r.fail(
                _("the parameter {name} must have a unit of kind {kind}.").format(
                    name=name, kind=kind
                )
            )

    proofs: dict[str, Proof] = {}
    for code, raw in r.table(data, "proofs", "").items():
        ctx = f"proofs.{code}."
        if not isinstance(raw, dict):
            raise r.fail(_("{field} must be a table.").format(field=f"proofs.{code}"))
        r.known(raw, _PROOF_KEYS, ctx)
        label_zh = r.text(raw, "label_zh", ctx)
        proofs[code] = Proof(
            code,
            label_zh,
            r.text(raw, "label_en", ctx, required=False) or label_zh,
            r.text(raw, "label_ug", ctx, required=False),
        )

    categories: dict[Category, CategoryRule] = {}
    raw_categories = r.table(data, "categories", "")
    known_codes = {c.value for c in Category}
    for code in raw_categories:
        if code not in known_codes:
            raise r.fail(
                _("unknown category {code}; the categories are: {codes}.").format(
                    code=code, codes=", ".join(c.value for c in Category)
                )
            )
    for category in Category:
        if category.value not in raw_categories:
            raise r.fail(_("the category {code} is missing.").format(code=category.value))
        raw = raw_categories[category.value]
        ctx = f"categories.{category.value}."
        if not isinstance(raw, dict):
            raise r.fail(_("{field} must be a table.").format(field=ctx.rstrip(".")))
        r.known(raw, _CATEGORY_KEYS, ctx)
        proof_codes = raw.get("proofs")
        if not isinstance(proof_codes, list) or not all(isinstance(p, str) for p in proof_codes):
            raise r.fail(_("{field} must be a list of proof codes.").format(field=f"{ctx}proofs"))
        missing = [p for p in proof_codes if p not in proofs]
        if missing:
            raise r.fail(
                _("{field} names proofs that are not defined under [proofs]: {codes}.").format(
                    field=f"{ctx}proofs", codes=", ".join(missing)
                )
            )
        categories[category] = CategoryRule(
            category,
            r.text(raw, "label_zh", ctx),
            r.text(raw, "clause", ctx),
            tuple(proofs[p] for p in proof_codes),
        )

    citations: dict[str, CitationStyle] = {}
    raw_citations = data.get("citations", {})
    if not isinstance(raw_citations, dict):
        raise r.fail(_("{field} must be a table.").format(field="citations"))
    for language, raw in raw_citations.items():
        ctx = f"citations.{language}."
        if language not in LANGUAGES:
            raise r.fail(
                _("{field}: unknown language; use one of {languages}.").format(
                    field=ctx.rstrip("."), languages=", ".join(LANGUAGES)
                )
            )
        if not isinstance(raw, dict):
            raise r.fail(_("{field} must be a table.").format(field=ctx.rstrip(".")))
        r.known(raw, _CITATION_KEYS, ctx)
        form = r.text(raw, "format", ctx)
        if "{number}" not in form or "{clause}" not in form:
            raise r.fail(
                _("{field} must contain {{number}} and {{clause}}.").format(field=f"{ctx}format")
            )
        clauses = raw.get("clauses", {})
        if not isinstance(clauses, dict) or not all(
            isinstance(v, str) and v.strip() for v in clauses.values()
        ):
            raise r.fail(_("{field} must be a table of texts.").format(field=f"{ctx}clauses"))
        citations[language] = CitationStyle(
            form, dict(clauses), r.text(raw, "retirement_source", ctx, required=False)
        )

    return PolicyPack(
        id=pack_id,
        document_number=r.text(head, "document_number", "pack."),
        title=r.text(head, "title", "pack."),
        issuing_body=r.text(head, "issuing_body", "pack."),
        issued_on=r.date(head, "issued_on", "pack.", required=False),
        effective_from=effective_from,
        effective_to=effective_to,
        region_code=region_code,
        region_name=r.text(head, "region_name", "pack.", required=False),
        category_clause=r.text(head, "category_clause", "pack."),
        parameters=parameters,
        retirement=_parse_retirement(r, r.table(data, "retirement", "")),
        proofs=proofs,
        categories=categories,
        employment_evidence=_parse_evidence(
            r, r.table(data, "employment_evidence", ""), parameters
        ),
        path=path,
        citations=citations,
    )


def load_pack(path: Path) -> PolicyPack:
    """Read and validate one pack file."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise PolicyError(
            _("Cannot read the policy pack {file}: {error}").format(
                file=str(path), error=exc.strerror or str(exc)
            )
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(
            _("The policy pack {file} is not valid TOML: {error}").format(
                file=str(path), error=str(exc)
            )
        ) from exc
    return parse_pack(data, path.name, path)


def load_packs(extra_dir: Path | None = None, *, base_dir: Path | None = None) -> PolicyLibrary:
    """Load every ``*.toml`` pack from ``base_dir`` (default: the shipped packs) and ``extra_dir``
    (a file there replaces one of the same name in ``base_dir``)."""
    directories = [base_dir or policy_dir()]
    if extra_dir is not None:
        directories.append(extra_dir)
    files: dict[str, Path] = {}
    for directory in directories:
        if not directory.is_dir():
            raise PolicyError(
                _("The policy pack folder {path} does not exist.").format(path=str(directory))
            )
        files.update((p.name, p) for p in sorted(directory.glob("*.toml")))
    packs = [load_pack(files[name]) for name in sorted(files)]
    if not packs:
        raise PolicyError(_("No policy pack was found."))
    return PolicyLibrary(packs)


@cache
def default_library() -> PolicyLibrary:
    """The shipped packs and those the county sent (:func:`received_dir`), loaded once."""
    received = received_dir("policy")
    return load_packs(received if received.is_dir() else None)
