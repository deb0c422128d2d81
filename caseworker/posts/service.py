"""Employers, posts and placements: the writes and reads behind the GUI and the CLI.

Every refusal is a :class:`~caseworker.core.errors.UserError` in the user's language that
names the rule; the caller's transaction then writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseworker.casework.plans import basis_on
from caseworker.core import creditcode
from caseworker.core.dates import happened
from caseworker.core.errors import DuplicateError, NotFoundError, ValidationError, WorkflowError
from caseworker.core.idcard import Sex
from caseworker.core.money import Money
from caseworker.i18n import _
from caseworker.policy.dates import add_months
from caseworker.posts.rules import ONE_DAY, PostRules, rules_on, subsidy_until
from caseworker.posts.vocab import Area, Contract, ExitReason, Hours
from caseworker.recognition import service as recognition
from caseworker.registry import families
from caseworker.security.roles import Action, require
from caseworker.store.models import Employer, Person, Placement, WelfarePost

_ACCOUNT = re.compile(r"^\d{8,30}$")
_PHONE = re.compile(r"^[0-9+\- ]{5,20}$")


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise ValidationError(_("This field is required."), field)
    if len(text) > limit:
        raise ValidationError(_("This is longer than {n} characters.").format(n=limit), field)
    return text


# ---------------------------------------------------------------------------------------------
# Employers and posts
# ---------------------------------------------------------------------------------------------


def find_employer(session: Session, name: str) -> Employer | None:
    return session.scalar(
        select(Employer).where(Employer.name == " ".join(name.split()), Employer.deleted.is_(False))
    )


def add_employer(
    session: Session,
    station_code: str,
    *,
    name: str,
    credit_code: str = "",
    contact_name: str = "",
    phone: str = "",
    bank_name: str = "",
    bank_account: str = "",
) -> Employer:
    """Add a using unit (用人单位); the credit code, when given, must pass its check."""
    require(session, Action.MANAGE_POSTS)
    clean = _text(name, "name", 100, required=True)
    code = creditcode.normalise(credit_code) if credit_code.strip() else ""
    phone = phone.strip()
    if phone and not _PHONE.match(phone):
        raise ValidationError(_("{value} is not a phone number.").format(value=phone), "phone")
    account = bank_account.replace(" ", "")
    if account and not _ACCOUNT.match(account):
        raise ValidationError(_("A bank account number has 8 to 30 digits."), "bank_account")
    existing = find_employer(session, clean)
    if existing is not None:
        raise DuplicateError(
            _("An employer named {name} is already registered.").format(name=clean), existing.id
        )
    employer = Employer(
        name=clean,
        credit_code=code,
        contact_name=_text(contact_name, "contact_name", 40),
        phone=phone,
        bank_name=_text(bank_name, "bank_name", 60),
        bank_account=account,
        station_code=station_code,
    )
    session.add(employer)
    session.flush()
    return employer


def employers(session: Session) -> list[Employer]:
    return list(
        session.scalars(select(Employer).where(Employer.deleted.is_(False)).order_by(Employer.name))
    )


def add_post(
    session: Session,
    station_code: str,
    *,
    employer: str,
    title: str,
    area: str,
    standard: Money,
    hours: str = Hours.FULL,
    village: str = "",
    headcount: int = 1,
    funded_from: dt.date | None = None,
    funded_until: dt.date | None = None,
) -> WelfarePost:
    """Add a post of the employer named ``employer`` (its name or record id)."""
    require(session, Action.MANAGE_POSTS)
    unit = _employer(session, employer)
    if area not in {a.value for a in Area}:
        raise ValidationError(_("A post is urban or rural."), "area")
    if hours not in {h.value for h in Hours}:
        raise ValidationError(_("A post is full-time or part-time."), "hours")
    if standard.fen <= 0:
        raise ValidationError(_("The monthly standard must be more than zero."), "standard")
    if not 1 <= headcount <= 1000:
        raise ValidationError(_("The headcount must be from 1 to 1000."), "headcount")
    if funded_from and funded_until and funded_until < funded_from:
        raise ValidationError(_("The funding ends before it starts."), "funded_until")
    post = WelfarePost(
        employer_id=unit.id,
        title=_text(title, "title", 60, required=True),
        area=area,
        hours=hours,
        village=_text(village, "village", 60),
        headcount=headcount,
        standard=standard,
        funded_from=funded_from,
        funded_until=funded_until,
        station_code=station_code,
    )
    session.add(post)
    session.flush()
    return post


def _employer(session: Session, text: str) -> Employer:
    found: Employer | None = None
    try:
        found = session.get(Employer, uuid.UUID(text.strip()))
    except ValueError:
        found = find_employer(session, text)
    if found is None or found.deleted:
        raise NotFoundError(_("No employer is registered as {name}.").format(name=text))
    return found


def get_post(session: Session, post_id: uuid.UUID | str) -> WelfarePost:
    try:
        key = post_id if isinstance(post_id, uuid.UUID) else uuid.UUID(str(post_id).strip())
    except ValueError:
        key = None
    post = session.get(WelfarePost, key) if key is not None else None
    if post is None or post.deleted:
        raise NotFoundError(_("No post has the record id {id}.").format(id=post_id))
    return post


@dataclass(frozen=True, slots=True)
class PostRow:
    id: uuid.UUID
    employer: str
    title: str
    area: str
    hours: str
    village: str
    headcount: int
    occupied: int
    standard: Money
    funded_from: dt.date | None
    funded_until: dt.date | None


def occupied(session: Session, post_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Placement)
            .where(
                Placement.post_id == post_id,
                Placement.ended_on.is_(None),
                Placement.deleted.is_(False),
            )
        )
        or 0
    )


def post_rows(session: Session) -> list[PostRow]:
    counts = dict(
        session.execute(
            select(Placement.post_id, func.count())
            .where(Placement.ended_on.is_(None), Placement.deleted.is_(False))
            .group_by(Placement.post_id)
        ).all()
    )
    rows = session.execute(
        select(WelfarePost, Employer.name)
        .join(Employer, Employer.id == WelfarePost.employer_id)
        .where(WelfarePost.deleted.is_(False))
        .order_by(Employer.name, WelfarePost.village, WelfarePost.title)
    ).all()
    return [
        PostRow(
            id=p.id,
            employer=name,
            title=p.title,
            area=p.area,
            hours=p.hours,
            village=p.village,
            headcount=p.headcount,
            occupied=int(counts.get(p.id, 0)),
            standard=p.standard,
            funded_from=p.funded_from,
            funded_until=p.funded_until,
        )
        for p, name in rows
    ]


# ---------------------------------------------------------------------------------------------
# Placements
# ---------------------------------------------------------------------------------------------


def placements_of(session: Session, person_id: uuid.UUID) -> list[Placement]:
    """A person's placements, oldest first (the history)."""
    return list(
        session.scalars(
            select(Placement)
            .where(Placement.person_id == person_id, Placement.deleted.is_(False))
            .order_by(Placement.starts_on, Placement.created_hlc)
        )
    )


def open_placement(session: Session, person_id: uuid.UUID) -> Placement | None:
    return session.scalar(
        select(Placement).where(
            Placement.person_id == person_id,
            Placement.ended_on.is_(None),
            Placement.deleted.is_(False),
        )
    )


def people_of_post(session: Session, post_id: uuid.UUID) -> list[tuple[Placement, Person]]:
    """The post's placements (open first, then by start) with their persons."""
    rows = session.execute(
        select(Placement, Person)
        .join(Person, Person.id == Placement.person_id)
        .where(Placement.post_id == post_id, Placement.deleted.is_(False))
        .order_by(Placement.ended_on.is_not(None), Placement.starts_on, Person.name_pinyin)
    ).all()
    return [(p, person) for p, person in rows]


def retirement_of(person: Person, rules: PostRules) -> dt.date:
    return rules.retirement_date(person.birth_date, Sex(person.sex), person.retirement_base_age)


def _replacement_ground(
    session: Session, person: Person, on: dt.date, rules: PostRules
) -> str | None:
    """Why the person may be placed again (None: no ground)."""
    if rules.older_worker(person.birth_date, Sex(person.sex), on):
        return "older_worker"
    if families.is_zero_employment(session, person.id, on):
        return "zero_employment_family"
    grade = person.disability_grade or ""
    if person.disabled and grade.isdigit() and int(grade) <= rules.max_disability_grade:
        return "disability"
    return None


def check_replacement(
    session: Session, person: Person, earlier: list[Placement], on: dt.date, rules: PostRules
) -> None:
    """Refuse a re-placement that breaks one of the county's rules, naming the rule."""
    if not earlier:
        return
    last = max(earlier, key=lambda p: p.ended_on or dt.date.max)
    assert last.ended_on is not None
    if on <= last.ended_on:
        raise WorkflowError(
            _("{name} left the last post on {date}; a new placement starts after that.").format(
                name=person.name, date=last.ended_on.isoformat()
            )
        )
    if _replacement_ground(session, person, on, rules) is None:
        raise WorkflowError(
            _(
                "{name} was placed before; only older workers, members of a zero-employment "
                "family and persons with a grade 1 or 2 disability may be placed again ({source})."
            ).format(
                name=person.name,
                source=rules.pack.param_citation("post_replacement_max_disability_grade"),
            )
        )
    if len(earlier) - 1 >= rules.max_replacements:
        raise WorkflowError(
            _(
                "{name} has been placed {n} times; the county allows at most {max} "
                "re-placements ({source})."
            ).format(
                name=person.name,
                n=len(earlier),
                max=rules.max_replacements,
                source=rules.pack.param_citation("post_max_replacements"),
            )
        )
    allowed = add_months(last.ended_on, rules.gap_months)
    if on < allowed:
        raise WorkflowError(
            _(
                "{name} left the last post on {left}; the county asks for {months} months "
                "between an exit and a new placement, so not before {date} ({source})."
            ).format(
                name=person.name,
                left=last.ended_on.isoformat(),
                months=rules.gap_months,
                date=allowed.isoformat(),
                source=rules.pack.param_citation("post_replacement_gap_months"),
            )
        )


def start_placement(
    session: Session,
    person_id: uuid.UUID,
    *,
    post_id: uuid.UUID | str,
    on: dt.date,
    contract: str = Contract.LABOUR,
    until: dt.date | None = None,
) -> Placement:
    """Place the person in the post from ``on``; the subsidy end date is computed here."""
    require(session, Action.MANAGE_POSTS)
    happened(on, "on")
    person = recognition._person(session, person_id)
    post = get_post(session, post_id)
    if contract not in {c.value for c in Contract}:
        raise ValidationError(_("The contract is a labour contract or a service agreement."))
    if basis_on(session, person, on) is None:
        raise WorkflowError(
            _(
                "{name} is neither recognised as a person with employment difficulty nor a "
                "member of a zero-employment family on {date}; public-welfare posts are for them."
            ).format(name=person.name, date=on.isoformat())
        )
    current = open_placement(session, person.id)
    if current is not None:
        raise WorkflowError(
            _("{name} already works in a public-welfare post (since {date}).").format(
                name=person.name, date=current.starts_on.isoformat()
            )
        )
    if occupied(session, post.id) >= post.headcount:
        raise WorkflowError(
            _("The post {title} is full: all {n} places are taken.").format(
                title=post.title, n=post.headcount
            )
        )
    if (post.funded_from and on < post.funded_from) or (
        post.funded_until and on > post.funded_until
    ):
        raise WorkflowError(
            _("The post {title} is not funded on {date}.").format(
                title=post.title, date=on.isoformat()
            )
        )
    rules = rules_on(on)
    retirement = retirement_of(person, rules)
    if on >= retirement:
        raise WorkflowError(
            _("{name} reaches retirement on {date}; a placement must start before it.").format(
                name=person.name, date=retirement.isoformat()
            )
        )
    earlier = placements_of(session, person.id)
    check_replacement(session, person, earlier, on, rules)
    first = earlier[0].starts_on if earlier else on
    end = subsidy_until(retirement=retirement, first_start=first, start=on, rules=rules)
    contract_until = until or add_months(on, 12) - ONE_DAY
    if contract_until < on:
        raise ValidationError(_("The contract ends before the placement starts."), "until")
    placement = Placement(
        person_id=person.id,
        post_id=post.id,
        starts_on=on,
        contract=contract,
        contract_until=contract_until,
        subsidy_until=end.until,
        subsidy_rule=end.rule,
        end_note="",
        station_code=person.station_code,
    )
    session.add(placement)
    session.flush()
    return placement


def renew(session: Session, person_id: uuid.UUID, *, until: dt.date | None = None) -> Placement:
    """Renew the open placement's contract (一年一签): by default for another year."""
    require(session, Action.MANAGE_POSTS)
    person = recognition._person(session, person_id)
    placement = open_placement(session, person.id)
    if placement is None:
        raise WorkflowError(_("{name} has no open placement.").format(name=person.name))
    start = (placement.contract_until or placement.starts_on) + ONE_DAY
    new_until = until or add_months(start, 12) - ONE_DAY
    if placement.contract_until and new_until <= placement.contract_until:
        raise ValidationError(
            _("The renewed contract must run past {date}.").format(
                date=placement.contract_until.isoformat()
            ),
            "until",
        )
    placement.contract_until = new_until
    session.flush()
    return placement


def end_placement(
    session: Session, person_id: uuid.UUID, *, on: dt.date, reason: str, note: str = ""
) -> Placement:
    """Record the exit (退岗) from the open placement on ``on`` (the last day in the post)."""
    require(session, Action.MANAGE_POSTS)
    happened(on, "on")
    person = recognition._person(session, person_id)
    if reason not in {r.value for r in ExitReason}:
        raise ValidationError(
            _("The reason must be one of: {codes}.").format(
                codes=", ".join(r.value for r in ExitReason)
            ),
            "reason",
        )
    placement = open_placement(session, person.id)
    if placement is None:
        raise WorkflowError(_("{name} has no open placement.").format(name=person.name))
    if on < placement.starts_on:
        raise ValidationError(
            _("The exit date {date} is before the placement started on {start}.").format(
                date=on.isoformat(), start=placement.starts_on.isoformat()
            ),
            "on",
        )
    placement.ended_on = on
    placement.end_reason = reason
    placement.end_note = _text(note, "note", 2000)
    session.flush()
    return placement


@dataclass(frozen=True, slots=True)
class EndingRow:
    placement_id: uuid.UUID
    person_id: uuid.UUID
    name: str
    id_number: str
    post: str
    subsidy_until: dt.date


def ending_soon(session: Session, on: dt.date) -> list[EndingRow]:
    """Open placements whose subsidy period ends within the notice months after ``on``
    (or has already ended): the station acts on them."""
    horizon = add_months(on, rules_on(on).end_notice_months)
    rows = session.execute(
        select(Placement, Person.name, Person.id_number, WelfarePost.title)
        .join(Person, Person.id == Placement.person_id)
        .join(WelfarePost, WelfarePost.id == Placement.post_id)
        .where(
            Placement.ended_on.is_(None),
            Placement.deleted.is_(False),
            Placement.subsidy_until <= horizon,
        )
        .order_by(Placement.subsidy_until)
    ).all()
    return [
        EndingRow(p.id, p.person_id, name, number, title, p.subsidy_until)
        for p, name, number, title in rows
    ]
