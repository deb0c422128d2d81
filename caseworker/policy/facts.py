"""The facts about a person that the assessment engine reads.

:class:`Facts` is a frozen dataclass built with keyword arguments; everything except the ID
number has a default, so a caller only names what it knows::

    Facts(id_number=idcard.parse("650102198001011234"),
          registered_unemployed_since=dt.date(2023, 1, 5))

Sex and birth date come from the ID number.  :func:`facts_from_json` builds Facts from the JSON
form used by ``caseworker assess`` (see ``docs/assess.md``) and rejects unknown fields, wrong
types and impossible dates with a :class:`~caseworker.core.errors.ValidationError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from caseworker.core import idcard
from caseworker.core.dates import parse_date, registration_problem
from caseworker.core.errors import ValidationError
from caseworker.core.idcard import IdNumber, Sex
from caseworker.i18n import N_, _

__all__ = [
    "RELATION_LABELS",
    "Facts",
    "Household",
    "Member",
    "Relation",
    "WorkCapacity",
    "facts_from_json",
]


class WorkCapacity(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"

    @property
    def able(self) -> bool:
        return self is not WorkCapacity.NONE


class Relation(StrEnum):
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"


RELATION_LABELS: dict[Relation, str] = {
    Relation.SPOUSE: N_("spouse"),
    Relation.CHILD: N_("child"),
    Relation.PARENT: N_("parent"),
    Relation.OTHER: N_("other household member"),
}


def _id(value: IdNumber | str) -> IdNumber:
    return value if isinstance(value, IdNumber) else idcard.parse(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """Another member of the person's household (the person is never listed as a member)."""

    relation: Relation
    id_number: IdNumber
    employed: bool = False
    registered_unemployed: bool = False
    work_capacity: WorkCapacity = WorkCapacity.FULL
    wants_work: bool = True
    retirement_base_age: int | None = None

    def __post_init__(self) -> None:
        # Lenient at run time: plain strings from a database row are converted.
        object.__setattr__(self, "id_number", _id(self.id_number))
        object.__setattr__(self, "relation", Relation(self.relation))
        object.__setattr__(self, "work_capacity", WorkCapacity(self.work_capacity))

    @property
    def birth_date(self) -> dt.date:
        return self.id_number.birth_date

    @property
    def sex(self) -> Sex:
        return self.id_number.sex


@dataclass(frozen=True, slots=True, kw_only=True)
class Household:
    members: tuple[Member, ...] = ()
    business_or_investment_income: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(self.members))


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """What is known about one person on the assessment date."""

    id_number: IdNumber
    resident_in_region: bool = True
    work_capacity: WorkCapacity = WorkCapacity.FULL
    wants_work: bool = True
    employed: bool = False
    registered_unemployed_since: dt.date | None = None
    min_living_allowance: bool = False
    disabled: bool = False
    college_graduate: bool = False
    land_expropriated: bool = False
    income_below_local_average: bool = False
    #: None: the usual base age for the sex (60 for men, 50 for women); 55 for some women.
    retirement_base_age: int | None = None
    #: None: household facts not given (a zero-employment family cannot then be established).
    household: Household | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "id_number", _id(self.id_number))
        object.__setattr__(self, "work_capacity", WorkCapacity(self.work_capacity))

    @property
    def birth_date(self) -> dt.date:
        return self.id_number.birth_date

    @property
    def sex(self) -> Sex:
        return self.id_number.sex

    def registered_unemployed_on(self, day: dt.date) -> bool:
        since = self.registered_unemployed_since
        return since is not None and since <= day


# ---------------------------------------------------------------------------------------------
# The JSON form
# ---------------------------------------------------------------------------------------------

FACT_FIELDS = (
    "id_number",
    "resident_in_region",
    "work_capacity",
    "wants_work",
    "employed",
    "registered_unemployed_since",
    "min_living_allowance",
    "disabled",
    "college_graduate",
    "land_expropriated",
    "income_below_local_average",
    "retirement_base_age",
    "household",
)
HOUSEHOLD_FIELDS = ("business_or_investment_income", "members")
MEMBER_FIELDS = (
    "relation",
    "id_number",
    "employed",
    "registered_unemployed",
    "work_capacity",
    "wants_work",
    "retirement_base_age",
)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("an array")
    return _("an object")


def _check_fields(data: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise ValidationError(
                _("Unknown field {field}; the fields allowed here are: {fields}.").format(
                    field=prefix + key, fields=", ".join(allowed)
                ),
                prefix + key,
            )


def _bool(data: Mapping[str, Any], key: str, default: bool, prefix: str) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ValidationError(
            _("{field} must be true or false, not {kind}.").format(
                field=prefix + key, kind=_json_type(value)
            ),
            prefix + key,
        )
    return value


def _id_number(data: Mapping[str, Any], prefix: str) -> IdNumber:
    field = prefix + "id_number"
    if "id_number" not in data:
        raise ValidationError(_("{field} is required.").format(field=field), field)
    value = data["id_number"]
    if not isinstance(value, str):
        raise ValidationError(
            _("{field} must be text, not {kind}.").format(field=field, kind=_json_type(value)),
            field,
        )
    try:
        return idcard.parse(value)
    except ValidationError as exc:
        raise ValidationError(
            _("{field}: {problem}").format(field=field, problem=str(exc)), field
        ) from None


def _capacity(data: Mapping[str, Any], prefix: str) -> WorkCapacity:
    field = prefix + "work_capacity"
    value = data.get("work_capacity", WorkCapacity.FULL.value)
    allowed = ", ".join(c.value for c in WorkCapacity)
    if not isinstance(value, str) or value not in {c.value for c in WorkCapacity}:
        raise ValidationError(
            _("{field} must be one of {allowed}.").format(field=field, allowed=allowed), field
        )
    return WorkCapacity(value)


def _base_age(data: Mapping[str, Any], prefix: str) -> int | None:
    field = prefix + "retirement_base_age"
    value = data.get("retirement_base_age")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(
            _("{field} must be a whole number such as 55, not {kind}.").format(
                field=field, kind=_json_type(value)
            ),
            field,
        )
    return value


def _date(data: Mapping[str, Any], key: str, prefix: str) -> dt.date | None:
    field = prefix + key
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(
            _("{field} must be a date written as YYYY-MM-DD, not {kind}.").format(
                field=field, kind=_json_type(value)
            ),
            field,
        )
    try:
        return parse_date(value, field, iso_only=True)
    except ValidationError as exc:
        raise ValidationError(
            _("{field}: {problem}").format(field=field, problem=str(exc)), field
        ) from None


def _object(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(
            _("{field} must be a JSON object, not {kind}.").format(
                field=field, kind=_json_type(value)
            ),
            field,
        )
    return value


def _member(value: object, prefix: str) -> Member:
    data = _object(value, prefix.rstrip("."))
    _check_fields(data, MEMBER_FIELDS, prefix)
    field = prefix + "relation"
    relation = data.get("relation")
    if not isinstance(relation, str) or relation not in {r.value for r in Relation}:
        raise ValidationError(
            _("{field} must be one of {allowed}.").format(
                field=field, allowed=", ".join(r.value for r in Relation)
            ),
            field,
        )
    return Member(
        relation=Relation(relation),
        id_number=_id_number(data, prefix),
        employed=_bool(data, "employed", False, prefix),
        registered_unemployed=_bool(data, "registered_unemployed", False, prefix),
        work_capacity=_capacity(data, prefix),
        wants_work=_bool(data, "wants_work", True, prefix),
        retirement_base_age=_base_age(data, prefix),
    )


def _household(value: object) -> Household | None:
    if value is None:
        return None
    data = _object(value, "household")
    _check_fields(data, HOUSEHOLD_FIELDS, "household.")
    members_raw = data.get("members", [])
    if not isinstance(members_raw, list):
        raise ValidationError(
            _("{field} must be an array, not {kind}.").format(
                field="household.members", kind=_json_type(members_raw)
            ),
            "household.members",
        )
    members = tuple(_member(raw, f"household.members[{i}].") for i, raw in enumerate(members_raw))
    return Household(
        members=members,
        business_or_investment_income=_bool(
            data, "business_or_investment_income", False, "household."
        ),
    )


def facts_from_json(value: object) -> Facts:
    """Build :class:`Facts` from one decoded JSON object; raise ValidationError when invalid.

    Dates go through the importer's validator (:func:`caseworker.core.dates.parse_date`, in
    its ``YYYY-MM-DD`` form) and the same check of the registration against the birth date."""
    data = _object(value, _("The facts"))
    _check_fields(data, FACT_FIELDS, "")
    id_number = _id_number(data, "")
    since = _date(data, "registered_unemployed_since", "")
    if since is not None and (problem := registration_problem(since, id_number.birth_date)):
        field = "registered_unemployed_since"
        raise ValidationError(_("{field}: {problem}").format(field=field, problem=problem), field)
    return Facts(
        id_number=id_number,
        resident_in_region=_bool(data, "resident_in_region", True, ""),
        work_capacity=_capacity(data, ""),
        wants_work=_bool(data, "wants_work", True, ""),
        employed=_bool(data, "employed", False, ""),
        registered_unemployed_since=since,
        min_living_allowance=_bool(data, "min_living_allowance", False, ""),
        disabled=_bool(data, "disabled", False, ""),
        college_graduate=_bool(data, "college_graduate", False, ""),
        land_expropriated=_bool(data, "land_expropriated", False, ""),
        income_below_local_average=_bool(data, "income_below_local_average", False, ""),
        retirement_base_age=_base_age(data, ""),
        household=_household(data.get("household")),
    )
