"""Registering and changing persons: validation, duplicates, derived fields, tombstones.

Every function takes the session of the caller's unit of work; none commits.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseworker.core import idcard, names, wall
from caseworker.core.dates import parse_date, registration_problem
from caseworker.core.errors import DuplicateError, NotFoundError, ValidationError
from caseworker.core.text import clean_field, strip_invisible
from caseworker.i18n import _
from caseworker.registry import employment, families, search, vocab
from caseworker.registry.fields import BY_NAME, PERSON_FIELDS, Kind
from caseworker.store.models import Person, Village

_TRUE = frozenset({"1", "true", "yes", "y", "是", "有", "√", "✓", "对"})
_FALSE = frozenset({"0", "false", "no", "n", "否", "无", "×", "不", ""})
_PHONE = re.compile(r"^(?:1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$")
_ACCOUNT = re.compile(r"^\d{8,30}$")


class FieldErrors(ValidationError):
    """Several fields failed; ``errors`` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()), next(iter(self.errors), None))


@dataclass(frozen=True, slots=True)
class PersonData:
    """Validated, normalised values of a person's editable fields."""

    name: str
    id_number: str
    name_native: str = ""
    ethnicity: str | None = None
    phone: str = ""
    hukou_address: str = ""
    address: str = ""
    village_id: uuid.UUID | None = None
    education: str | None = None
    marital_status: str | None = None
    health: str | None = None
    resident_in_region: bool = True
    work_capacity: str = "full"
    wants_work: bool = True
    employed: bool = False
    registered_unemployed_since: dt.date | None = None
    employment_card_no: str = ""
    min_living_allowance: bool = False
    min_living_allowance_since: dt.date | None = None
    disabled: bool = False
    disability_cert_no: str = ""
    disability_kind: str | None = None
    disability_grade: str | None = None
    college_graduate: bool = False
    graduate_school: str = ""
    graduation_date: dt.date | None = None
    land_expropriated: bool = False
    income_below_local_average: bool = False
    retirement_base_age: int | None = None
    bank_name: str = ""
    bank_account: str = ""
    notes: str = ""

    @property
    def birth_date(self) -> dt.date:
        return idcard.IdNumber(self.id_number).birth_date

    @property
    def sex(self) -> str:
        return str(idcard.IdNumber(self.id_number).sex)


@dataclass(frozen=True, slots=True)
class Registered:
    """The result of registering: the person, and warnings such as possible duplicates."""

    person: Person
    possible_duplicates: list[Person] = field(default_factory=list)


def parse_bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(_("Write 是 or 否 (yes or no), not {value}.").format(value=value), name)


#: Text fields that may hold several lines.
MULTILINE = frozenset({"notes"})


def _text(value: object, field: str | None = None) -> str:
    """A field's value as clean text (see :func:`caseworker.core.text.clean_field`)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    if field is None:
        return strip_invisible(text)
    return clean_field(text, field, multiline=field in MULTILINE)


#: The value of an empty cell or field, by field (what the conversions below give for it).
_EMPTY: dict[str, Any] = {
    f.name: False if f.kind is Kind.BOOL else "" if f.kind is Kind.TEXT else None
    for f in PERSON_FIELDS
} | {"work_capacity": "full"}
_BOOL_WORDS = {"是": True, "否": False}
#: (field, attribute of PersonData) in order; the three fields with their own validators.
_PLAN = tuple((f.name, "village_id" if f.name == "village" else f.name) for f in PERSON_FIELDS)
_SPECIAL = frozenset({"name", "id_number", "name_native"})
_lookup = lru_cache(maxsize=4096)(vocab.lookup)


def _convert(name: str, value: object, villages: Mapping[str, uuid.UUID], today: dt.date) -> Any:
    if value is None or value == "":
        return _EMPTY[name]
    spec = BY_NAME[name]
    if spec.kind is Kind.BOOL:
        if isinstance(value, str) and value in _BOOL_WORDS:
            return _BOOL_WORDS[value]
        return parse_bool(value, name)
    if spec.kind is Kind.DATE:
        date = parse_date(value, name)
        if date is not None and date > today:
            raise ValidationError(_("The date {date} is in the future.").format(date=date), name)
        return date
    if spec.kind is Kind.VILLAGE:
        if isinstance(value, uuid.UUID) or value is None:
            return value
        text = _text(value)
        if not text:
            return None
        if text not in villages:
            raise ValidationError(
                _("{name} is not a village or community of this station.").format(name=text), name
            )
        return villages[text]
    if spec.kind is Kind.INT:
        text = _text(value)
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError(_("Write a whole number, not {value}.").format(value=text), name)
        return int(text)
    if spec.kind is Kind.CODE:
        assert spec.vocabulary is not None
        text = _text(value)
        if not text:
            return None if name != "work_capacity" else "full"
        code = _lookup(spec.vocabulary, text)
        if code is None:
            raise ValidationError(_("{value} is not a known value here.").format(value=text), name)
        return code
    text = _text(value, name)
    if spec.max_length and len(text) > spec.max_length:
        raise ValidationError(
            _("This is longer than {n} characters.").format(n=spec.max_length), name
        )
    return text


def validate(
    raw: Mapping[str, object],
    *,
    villages: Mapping[str, uuid.UUID] | None = None,
    today: dt.date | None = None,
) -> PersonData:
    """Check every field of ``raw`` (names as in :data:`PERSON_FIELDS`, ``village`` or
    ``village_id``) and return normalised data, or raise :class:`FieldErrors` listing all."""
    today = today or wall.today()
    villages = villages or {}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    unknown = set(raw) - set(BY_NAME) - {"village_id"}
    for name in sorted(unknown):
        errors[name] = _("Unknown field {name}.").format(name=name)
    for name, stored in _PLAN:
        key = "village_id" if name == "village" and "village_id" in raw else name
        if key not in raw:
            continue
        value = raw[key]
        if (value is None or value == "") and name not in _SPECIAL:
            values[stored] = _EMPTY[name]
            continue
        try:
            if name == "name":
                values["name"] = names.validate_name(_text(value, "name"))
            elif name == "id_number":
                values["id_number"] = idcard.parse(_text(value, "id_number"), today=today).value
            elif name == "name_native":
                values["name_native"] = names.validate_native_name(_text(value, "name_native"))
            else:
                values[stored] = _convert(name, value, villages, today)
        except ValidationError as exc:
            errors[name] = str(exc)
    for required in ("name", "id_number"):
        if required not in values and required not in errors:
            errors[required] = (
                _("Enter the name.") if required == "name" else _("Enter the ID number.")
            )
    if not errors:
        data = PersonData(**values)
        errors.update(_cross_field_errors(data, today))
        if not errors:
            return data
    raise FieldErrors(errors)


def _cross_field_errors(data: PersonData, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    birth = data.birth_date
    if data.phone and not _PHONE.match(data.phone.replace(" ", "")):
        errors["phone"] = _(
            "A phone number is 11 digits starting with 1, or an area code and number."
        )
    if data.bank_account and not _ACCOUNT.match(data.bank_account.replace(" ", "")):
        errors["bank_account"] = _("A bank account number has 8 to 30 digits.")
    since = data.registered_unemployed_since
    if since is not None:
        if data.employed:
            errors["registered_unemployed_since"] = _(
                "An employed person cannot be registered unemployed: clear the date or untick employed."
            )
        elif (problem := registration_problem(since, birth)) is not None:
            errors["registered_unemployed_since"] = problem
    if data.min_living_allowance_since is not None and not data.min_living_allowance:
        errors["min_living_allowance_since"] = _(
            "A start date of the minimum living allowance needs the allowance ticked."
        )
    if not data.disabled and (
        data.disability_cert_no or data.disability_kind or data.disability_grade
    ):
        errors["disabled"] = _("Disability details are filled in, but disabled is not ticked.")
    if data.graduation_date is not None and data.graduation_date < birth:
        errors["graduation_date"] = _("The graduation date is before the birth date.")
    if data.retirement_base_age is not None:
        allowed = {50, 55} if data.sex == "female" else {60}
        if data.retirement_base_age not in allowed:
            errors["retirement_base_age"] = (
                _("For a woman the retirement base age is 50 or 55.")
                if data.sex == "female"
                else _("For a man the retirement base age is 60.")
            )
    return errors


def village_names(session: Session, station_code: str) -> dict[str, uuid.UUID]:
    rows = session.execute(
        select(Village.name, Village.id).where(
            Village.station_code == station_code, Village.deleted.is_(False)
        )
    )
    return dict(rows.all())


def find_by_id_number(session: Session, text: str) -> Person | None:
    """The record with this ID number (15 or 18 digits), tombstones included."""
    try:
        value = idcard.parse(text).value
    except ValidationError:
        value = idcard.clean(text)
    return session.scalar(select(Person).where(Person.id_number == value))


def find(session: Session, text: str) -> Person | None:
    """The record named by an ID number (15 or 18 digits) or a record id, tombstones included."""
    try:
        return session.get(Person, uuid.UUID(text.strip()))
    except ValueError:
        return find_by_id_number(session, text)


def get(session: Session, person_id: uuid.UUID) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(_("No person with this record number exists."))
    return person


def describe(person: Person) -> str:
    """A short description that lets a caseworker find the record: name, ID, village."""
    village = person.village.name if person.village is not None else None
    return describe_values(person.name, person.id_number, village, deleted=person.deleted)


def describe_values(
    name: str, id_number: str, village: str | None, *, deleted: bool = False
) -> str:
    """:func:`describe` from the values themselves (for rows not loaded as records)."""
    text = _("{name} ({id_number}, {village})").format(
        name=name, id_number=id_number, village=village or _("no village")
    )
    if deleted:
        text += " " + _("[deleted record]")
    return text


def duplicate_message(existing: Person) -> str:
    if existing.deleted:
        return _(
            "This ID number belongs to a deleted record: {person}. Restore that record instead of registering again."
        ).format(person=describe(existing))
    return _("This ID number is already registered: {person}.").format(person=describe(existing))


def possible_duplicates(
    session: Session, name: str, birth_date: dt.date, id_number: str
) -> list[Person]:
    """Live persons with the same name and birth date but another ID number."""
    return list(
        session.scalars(
            select(Person).where(
                Person.name == name,
                Person.birth_date == birth_date,
                Person.id_number != id_number,
                Person.deleted.is_(False),
            )
        )
    )


def derived(data: PersonData) -> dict[str, Any]:
    """The stored values that follow from ``data``: sex and birth date (from the ID number),
    the pinyin reading and initials of the name, and the search text."""
    reading = names.reading(data.name)
    number = idcard.IdNumber(data.id_number)
    return {
        "sex": str(number.sex),
        "birth_date": number.birth_date,
        "name_pinyin": reading.full,
        "name_initials": reading.initials,
        "search_text": search.search_text(data.name, data.name_native),
    }


_STORED = tuple(f.name for f in fields(PersonData) if f.name != "employed")


def new_records(
    data: PersonData, *, today: dt.date, station_code: str | None = None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The rows that registering ``data`` as a new person writes, for bulk loads through
    :func:`caseworker.store.changelog.insert_records`: the person, and the employment episode
    from ``today`` when the person is employed (as :func:`register` records through
    :func:`caseworker.registry.employment.set_current`).  Duplicates are not checked here."""
    person_id = uuid.uuid4()
    row: dict[str, Any] = {"id": person_id, **{k: getattr(data, k) for k in _STORED}}
    row.update(derived(data))
    row["employed"] = data.employed
    if station_code:
        row["station_code"] = station_code
    episode = (
        employment.episode_values(person_id, today, station_code=station_code)
        if data.employed
        else None
    )
    return row, episode


def _apply(session: Session, person: Person, data: PersonData) -> None:
    for name in _STORED:
        setattr(person, name, getattr(data, name))
    for name, value in derived(data).items():
        setattr(person, name, value)
    employment.set_current(session, person, data.employed)


def register(session: Session, data: PersonData) -> Registered:
    """Add a person; refuse an ID number that exists (tombstones too)."""
    existing = session.scalar(select(Person).where(Person.id_number == data.id_number))
    if existing is not None:
        raise DuplicateError(duplicate_message(existing), existing.id)
    person = Person(id=uuid.uuid4())
    session.add(person)
    _apply(session, person, data)
    session.flush()  # (a new person belongs to no household yet: nothing for the tracker)
    return Registered(
        person, possible_duplicates(session, data.name, data.birth_date, data.id_number)
    )


#: The facts of a person the zero-employment reading depends on (employment is followed by
#: registry.employment itself).
_FAMILY_FACTS = ("id_number", "work_capacity", "wants_work", "retirement_base_age")


def update(
    session: Session, person_id: uuid.UUID, data: PersonData, *, expected_version: int | None = None
) -> Registered:
    """Replace a person's editable fields; refuse a stale edit and a duplicate ID number."""
    person = get(session, person_id)
    if expected_version is not None and person.version != expected_version:
        raise ValidationError(
            _("Someone else changed this person in the meantime; reopen the record and try again.")
        )
    if data.id_number != person.id_number:
        existing = session.scalar(select(Person).where(Person.id_number == data.id_number))
        if existing is not None:
            raise DuplicateError(duplicate_message(existing), existing.id)
    before = [getattr(person, name) for name in _FAMILY_FACTS]
    _apply(session, person, data)
    session.flush()
    if before != [getattr(person, name) for name in _FAMILY_FACTS]:
        families.follow_person(session, person.id)
    return Registered(
        person, possible_duplicates(session, data.name, data.birth_date, data.id_number)
    )


def data_of(person: Person) -> PersonData:
    """The editable values of a stored person (to edit and save back)."""
    return PersonData(**{f.name: getattr(person, f.name) for f in fields(PersonData)})


def change(session: Session, person_id: uuid.UUID, **values: Any) -> Registered:
    """Change some fields, validating the whole person again."""
    person = get(session, person_id)
    current = data_of(person)
    merged = replace(current, **values)
    raw = {f.name: getattr(merged, f.name) for f in fields(merged)}
    raw["village"] = raw.pop("village_id")
    return update(session, person_id, validate(raw))


def tombstone(session: Session, person_id: uuid.UUID) -> Person:
    person = get(session, person_id)
    person.deleted = True
    session.flush()
    families.follow_person(session, person_id)
    return person


def restore(session: Session, person_id: uuid.UUID) -> Person:
    person = get(session, person_id)
    person.deleted = False
    session.flush()
    families.follow_person(session, person_id)
    return person


def count(session: Session) -> int:
    return (
        session.scalar(select(func.count()).select_from(Person).where(Person.deleted.is_(False)))
        or 0
    )
