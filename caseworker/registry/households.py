"""Households: members with their relation to the head, registered persons or relatives.

A registered person belongs to at most one household.  A recorded relative is kept with a
name, an optional ID number and the facts the assessment needs (employed, registered
unemployed, work capacity, wants work).  Every change that can make or unmake a zero-employment
family is followed by the tracker (:func:`caseworker.registry.families.follow`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core import idcard, names
from caseworker.core.errors import NotFoundError, ValidationError
from caseworker.i18n import _
from caseworker.registry import employment, families
from caseworker.registry.vocab import Relation, WorkCapacity
from caseworker.store.models import Household, HouseholdMember, Person


@dataclass(frozen=True, slots=True)
class RelativeData:
    """A household member who is not registered as a person."""

    name: str
    relation: str
    id_number: str = ""
    employed: bool = False
    registered_unemployed: bool = False
    work_capacity: str = "full"
    wants_work: bool = True


def validate_relation(relation: str) -> str:
    try:
        return Relation(relation).value
    except ValueError:
        raise ValidationError(
            _("{value} is not a relation to the head of household.").format(value=relation),
            "relation",
        ) from None


def validate_relative(
    name: str,
    relation: str,
    id_number: str = "",
    *,
    employed: bool = False,
    registered_unemployed: bool = False,
    work_capacity: str = "full",
    wants_work: bool = True,
) -> RelativeData:
    clean_id = idcard.parse(id_number).value if id_number.strip() else ""
    if work_capacity not in {c.value for c in WorkCapacity}:
        raise ValidationError(
            _("{value} is not a known value here.").format(value=work_capacity), "work_capacity"
        )
    if employed and registered_unemployed:
        raise ValidationError(
            _(
                "An employed person cannot be registered unemployed: clear the date or untick employed."
            ),
            "registered_unemployed",
        )
    return RelativeData(
        names.validate_name(name),
        validate_relation(relation),
        clean_id,
        employed,
        registered_unemployed,
        work_capacity,
        wants_work,
    )


def create(
    session: Session,
    *,
    address: str = "",
    village_id: uuid.UUID | None = None,
    business_or_investment_income: bool = False,
) -> Household:
    household = Household(
        address=address.strip(),
        village_id=village_id,
        business_or_investment_income=business_or_investment_income,
    )
    session.add(household)
    session.flush()
    return household


def get(session: Session, household_id: uuid.UUID) -> Household:
    household = session.get(Household, household_id)
    if household is None or household.deleted:
        raise NotFoundError(_("This household does not exist."))
    return household


def of_person(session: Session, person_id: uuid.UUID) -> Household | None:
    return session.scalar(
        select(Household)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(HouseholdMember.person_id == person_id, HouseholdMember.deleted.is_(False))
    )


def _next_order(household: Household) -> int:
    return max((m.sort_order for m in household.members), default=-1) + 1


def add_person(
    session: Session, household_id: uuid.UUID, person_id: uuid.UUID, relation: str
) -> HouseholdMember:
    """Add a registered person; refused when they already belong to a household."""
    household = get(session, household_id)
    person = session.get(Person, person_id)
    if person is None or person.deleted:
        raise NotFoundError(_("No person with this record number exists."))
    current = of_person(session, person_id)
    if current is not None:
        raise ValidationError(
            _("{name} already belongs to a household; remove them from it first.").format(
                name=person.name
            ),
            "person",
        )
    member = HouseholdMember(
        household_id=household.id,
        relation=validate_relation(relation),
        person_id=person.id,
        sort_order=_next_order(household),
    )
    session.add(member)
    session.flush()
    session.refresh(household)
    families.follow(session, [household.id])
    return member


def add_relative(session: Session, household_id: uuid.UUID, data: RelativeData) -> HouseholdMember:
    household = get(session, household_id)
    if data.id_number:
        registered = session.scalar(
            select(Person).where(Person.id_number == data.id_number, Person.deleted.is_(False))
        )
        if registered is not None:
            return add_person(session, household_id, registered.id, data.relation)
    member = HouseholdMember(
        household_id=household.id,
        relation=data.relation,
        name=data.name,
        id_number=data.id_number,
        employed=data.employed,
        registered_unemployed=data.registered_unemployed,
        work_capacity=data.work_capacity,
        wants_work=data.wants_work,
        sort_order=_next_order(household),
    )
    session.add(member)
    session.flush()
    session.refresh(household)
    families.follow(session, [household.id])
    return member


def update(
    session: Session,
    household_id: uuid.UUID,
    *,
    address: str | None = None,
    business_or_investment_income: bool | None = None,
) -> Household:
    """Change the household's own facts (the values given; ``None`` leaves one as it is)."""
    household = get(session, household_id)
    if address is not None:
        if len(address.strip()) > 200:
            raise ValidationError(_("This is longer than {n} characters.").format(n=200), "address")
        household.address = address.strip()
    if business_or_investment_income is not None:
        household.business_or_investment_income = business_or_investment_income
    session.flush()
    families.follow(session, [household.id])
    return household


def set_relation(session: Session, member_id: uuid.UUID, relation: str) -> HouseholdMember:
    """Change a member's relation to the head; a household has one head at most."""
    member = session.get(HouseholdMember, member_id)
    if member is None or member.deleted:
        raise NotFoundError(_("This household member does not exist."))
    relation = validate_relation(relation)
    if relation == Relation.HEAD.value:
        others = [m for m in member.household.members if m.id != member.id]
        if any(m.relation == Relation.HEAD.value for m in others):
            raise ValidationError(
                _("The household already has a head; change that member's relation first."),
                "relation",
            )
    member.relation = relation
    session.flush()
    return member


def remove_member(session: Session, member_id: uuid.UUID) -> None:
    member = session.get(HouseholdMember, member_id)
    if member is None or member.deleted:
        raise NotFoundError(_("This household member does not exist."))
    member.deleted = True
    session.flush()
    families.follow(session, [member.household_id])


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What the assessment needs of another household member."""

    relation: str
    id_number: str
    name: str
    employed: bool
    registered_unemployed: bool
    work_capacity: str
    wants_work: bool
    birth_date: dt.date | None


def member_facts(member: HouseholdMember, on: dt.date) -> MemberFacts:
    """Facts of a member, read from the registered person when there is one."""
    person = member.person
    if person is not None:
        since = person.registered_unemployed_since
        return MemberFacts(
            member.relation,
            person.id_number,
            person.name,
            employment.covers(person.episodes, on),
            since is not None and since <= on,
            person.work_capacity,
            person.wants_work,
            person.birth_date,
        )
    birth = idcard.IdNumber(member.id_number).birth_date if member.id_number else None
    return MemberFacts(
        member.relation,
        member.id_number,
        member.name,
        member.employed,
        member.registered_unemployed,
        member.work_capacity,
        member.wants_work,
        birth,
    )
