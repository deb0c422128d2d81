"""Assistance plans (援助协议 / 一人一策), contacts (帮扶记录), offers, outcomes (就业认定).

Rules kept here (each refusal is a :class:`~caseworker.core.errors.UserError` in the user's
language, and nothing is written):

- a plan is for a person recognised as a person with employment difficulty, or a member of a
  zero-employment family on the opening date; one open plan per person (also a partial unique
  index in the database);
- dates of things that happened are not after today, and not before the plan opened;
- contacts are facts of the past: a correction is a new contact that supersedes one, and the
  replaced contact stays as it was;
- an employment outcome records an employment episode through
  :mod:`caseworker.registry.employment` (kind = the evidence), ends the person's unemployment
  registration, re-assesses the recognised cases of the household and looks at the
  household's zero-employment episode;
- a plan closes as ``stable`` only after the employed follow-up (six months by default).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import exists, false, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from caseworker.casework.rules import AssistanceRules, rules_on
from caseworker.casework.vocab import (
    Answer,
    Basis,
    Channel,
    CloseReason,
    Evidence,
    OfferKind,
    Service,
    join_codes,
    parse_codes,
)
from caseworker.core.dates import happened
from caseworker.core.errors import NotFoundError, ValidationError, WorkflowError
from caseworker.core.money import Money
from caseworker.i18n import _
from caseworker.policy.dates import add_months
from caseworker.recognition import service as recognition
from caseworker.recognition.workflow import Stage
from caseworker.registry import employment, families
from caseworker.security.roles import Action, require
from caseworker.store import changelog
from caseworker.store.models import (
    AssistanceContact,
    AssistanceOffer,
    AssistanceOutcome,
    AssistancePlan,
    Person,
)
from caseworker.store.uow import staff_id

__all__ = [
    "Situation",
    "add_contact",
    "add_offer",
    "answer_offer",
    "basis_on",
    "close_plan",
    "contacts",
    "current_plan",
    "effective_contacts",
    "offers",
    "open_plan",
    "open_plan_of",
    "outcomes",
    "record_outcome",
    "refusals",
    "update_plan",
]

MAX_TEXT = 2000
MAX_SHORT = 100


@dataclass(frozen=True, slots=True)
class Situation:
    """The five headings of a person's situation (五清) and what the plan agrees."""

    family_situation: str = ""  # 家庭状况
    unemployment_reason: str = ""  # 失业原因
    skills: str = ""  # 技能特长
    training_wish: str = ""  # 培训愿望
    job_intention: str = ""  # 择业意向
    services_needed: tuple[str, ...] = field(default_factory=tuple)
    measures: str = ""


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def _not_before_plan(plan: AssistancePlan, on: dt.date, field_name: str) -> None:
    if on < plan.opened_on:
        raise ValidationError(
            _("The date {date} is before the plan opened on {opened}.").format(
                date=on.isoformat(), opened=plan.opened_on.isoformat()
            ),
            field_name,
        )


def _text(value: str, field_name: str, limit: int = MAX_TEXT) -> str:
    text = value.strip()
    if len(text) > limit:
        raise ValidationError(_("This is longer than {n} characters.").format(n=limit), field_name)
    return text


def _person(session: Session, person_id: uuid.UUID) -> Person:
    """The live person (the same refusals as the recognition workflow's)."""
    return recognition._person(session, person_id)


def _worker(session: Session, name: str | None, station_code: str) -> uuid.UUID | None:
    if name is None:
        return None
    text = name.strip()
    if not text:
        raise ValidationError(_("Name the responsible caseworker."), "worker")
    if len(text) > 40:
        raise ValidationError(_("This is longer than {n} characters.").format(n=40), "worker")
    return staff_id(session, text, station_code)


def _acting_staff(session: Session) -> uuid.UUID | None:
    context = session.info.get(changelog.CONTEXT_KEY)
    return context.actor_id if context is not None else None


# ---------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------


def _plans(session: Session, person_id: uuid.UUID) -> list[AssistancePlan]:
    return list(
        session.scalars(
            select(AssistancePlan)
            .where(AssistancePlan.person_id == person_id, AssistancePlan.deleted == false())
            .order_by(AssistancePlan.opened_on, AssistancePlan.created_hlc)
        )
    )


def open_plan_of(session: Session, person_id: uuid.UUID) -> AssistancePlan | None:
    """The person's open plan, or None."""
    return next((p for p in reversed(_plans(session, person_id)) if p.closed_on is None), None)


def current_plan(session: Session, person_id: uuid.UUID) -> AssistancePlan | None:
    """The open plan; when none is open, the latest closed one; else None."""
    rows = _plans(session, person_id)
    return open_plan_of(session, person_id) or (rows[-1] if rows else None)


def _require_open(session: Session, person: Person) -> AssistancePlan:
    plan = open_plan_of(session, person.id)
    if plan is None:
        raise WorkflowError(
            _("{name} has no open assistance plan; open a plan first.").format(name=person.name)
        )
    return plan


def basis_on(session: Session, person: Person, on: dt.date) -> Basis | None:
    """Why the person may have a plan on ``on``: recognised (a case recognised by then and
    not exited), or a member of a zero-employment family; None when neither."""
    case = recognition.current_case(session, person.id)
    if (
        case is not None
        and case.stage == Stage.RECOGNISED.value
        and case.recognised_on is not None
        and case.recognised_on <= on
    ):
        return Basis.RECOGNISED
    if families.is_zero_employment(session, person.id, on):
        return Basis.ZERO_EMPLOYMENT_FAMILY
    return None


def open_plan(
    session: Session,
    person_id: uuid.UUID,
    *,
    on: dt.date,
    worker: str,
    situation: Situation | None = None,
    signed_on: dt.date | None = None,
    target_on: dt.date | None = None,
) -> AssistancePlan:
    """Open a plan for the person with ``worker`` (a staff member's name) responsible."""
    require(session, Action.RECORD_ASSISTANCE)
    happened(on, "on")
    person = _person(session, person_id)
    existing = open_plan_of(session, person.id)
    if existing is not None:
        raise WorkflowError(
            _("{name} already has an open assistance plan (opened on {date}).").format(
                name=person.name, date=existing.opened_on.isoformat()
            )
        )
    basis = basis_on(session, person, on)
    if basis is None:
        raise WorkflowError(
            _(
                "{name} is neither recognised as a person with employment difficulty nor a "
                "member of a zero-employment family on {date}; an assistance plan is for them."
            ).format(name=person.name, date=on.isoformat())
        )
    situation = _checked(situation or Situation())
    if signed_on is not None:
        happened(signed_on, "signed_on")
    if target_on is not None and target_on < on:
        raise ValidationError(_("The target date is before the plan opens."), "target_on")
    worker_id = _worker(session, worker, person.station_code)
    assert worker_id is not None
    plan = AssistancePlan(
        person_id=person.id,
        worker_id=worker_id,
        basis=basis.value,
        opened_on=on,
        signed_on=signed_on,
        target_on=target_on,
        station_code=person.station_code,
        demo=person.demo,
    )
    _apply(plan, situation)
    session.add(plan)
    name = person.name
    try:
        session.flush()
    except IntegrityError as exc:  # another window opened one in the meantime
        if "uq_assistance_plan_open_person" not in str(exc) and "UNIQUE" not in str(exc):
            raise
        raise WorkflowError(
            _("{name} already has an open assistance plan.").format(name=name)
        ) from exc
    return plan


def _checked(situation: Situation) -> Situation:
    return Situation(
        family_situation=_text(situation.family_situation, "family_situation"),
        unemployment_reason=_text(situation.unemployment_reason, "unemployment_reason"),
        skills=_text(situation.skills, "skills"),
        training_wish=_text(situation.training_wish, "training_wish"),
        job_intention=_text(situation.job_intention, "job_intention"),
        services_needed=parse_codes(situation.services_needed, Service, "services_needed"),
        measures=_text(situation.measures, "measures"),
    )


def _apply(plan: AssistancePlan, situation: Situation) -> None:
    plan.family_situation = situation.family_situation
    plan.unemployment_reason = situation.unemployment_reason
    plan.skills = situation.skills
    plan.training_wish = situation.training_wish
    plan.job_intention = situation.job_intention
    plan.services_needed = join_codes(situation.services_needed)
    plan.measures = situation.measures


def update_plan(
    session: Session,
    person_id: uuid.UUID,
    *,
    situation: Situation | None = None,
    worker: str | None = None,
    signed_on: dt.date | None = None,
    target_on: dt.date | None = None,
) -> AssistancePlan:
    """Change the open plan (each change is logged): the situation, the responsible
    caseworker, the signed-agreement date, the target date."""
    require(session, Action.RECORD_ASSISTANCE)
    person = _person(session, person_id)
    plan = _require_open(session, person)
    if situation is not None:
        _apply(plan, _checked(situation))
    worker_id = _worker(session, worker, plan.station_code)
    if worker_id is not None:
        plan.worker_id = worker_id
    if signed_on is not None:
        plan.signed_on = happened(signed_on, "signed_on")
    if target_on is not None:
        if target_on < plan.opened_on:
            raise ValidationError(_("The target date is before the plan opens."), "target_on")
        plan.target_on = target_on
    session.flush()
    return plan


def close_plan(
    session: Session,
    person_id: uuid.UUID,
    *,
    on: dt.date,
    reason: CloseReason | str,
    note: str = "",
) -> AssistancePlan:
    """Close the open plan on ``on`` for ``reason``; ``stable`` only after the employed
    follow-up, while the person is employed."""
    require(session, Action.RECORD_ASSISTANCE)
    happened(on, "on")
    reason = CloseReason(reason)
    person = _person(session, person_id)
    plan = _require_open(session, person)
    _not_before_plan(plan, on, "on")
    if reason is CloseReason.STABLE:
        if plan.employed_on is None or plan.follow_up_until is None:
            raise WorkflowError(
                _("{name} has no employment outcome on this plan; record it first.").format(
                    name=person.name
                )
            )
        if on < plan.follow_up_until:
            raise WorkflowError(
                _(
                    "{name} is employed from {start}; follow-up continues until {end}, and the "
                    "plan may close as stable from then."
                ).format(
                    name=person.name,
                    start=plan.employed_on.isoformat(),
                    end=plan.follow_up_until.isoformat(),
                )
            )
        if not employment.employed_on(session, person.id, on):
            raise WorkflowError(
                _("{name} is not employed on {date}; the work is not stable.").format(
                    name=person.name, date=on.isoformat()
                )
            )
    plan.closed_on = on
    plan.close_reason = reason.value
    plan.close_note = _text(note, "note")
    session.flush()
    return plan


# ---------------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------------


def _superseded() -> object:
    newer = aliased(AssistanceContact)
    return exists().where(newer.supersedes_id == AssistanceContact.id, newer.deleted.is_(False))


def contacts(session: Session, plan_id: uuid.UUID) -> list[tuple[AssistanceContact, bool]]:
    """Every contact of a plan, newest first, each with whether a correction replaced it."""
    rows = session.execute(
        select(AssistanceContact, _superseded())  # type: ignore[call-overload]
        .where(AssistanceContact.plan_id == plan_id, AssistanceContact.deleted.is_(False))
        .order_by(AssistanceContact.on.desc(), AssistanceContact.created_hlc.desc())
    ).all()
    return [(contact, bool(replaced)) for contact, replaced in rows]


def effective_contacts(session: Session, plan_id: uuid.UUID) -> list[AssistanceContact]:
    """The contacts that stand (not replaced by a correction), newest first."""
    return [c for c, replaced in contacts(session, plan_id) if not replaced]


def _schedule(session: Session, plan: AssistancePlan) -> None:
    """Keep the plan's last contact and the next date set then, from the standing contacts."""
    standing = effective_contacts(session, plan.id)
    latest = standing[0] if standing else None
    plan.last_contact_on = latest.on if latest is not None else None
    plan.next_contact_on = latest.next_on if latest is not None else None


def add_contact(
    session: Session,
    person_id: uuid.UUID,
    *,
    on: dt.date,
    channel: Channel | str,
    services: tuple[str, ...] | str = (),
    note: str = "",
    next_on: dt.date | None = None,
    worker: str | None = None,
    supersedes: uuid.UUID | None = None,
) -> AssistanceContact:
    """Record a contact of the person's open plan.  ``worker``: who made it (a staff name;
    default the staff member acting, else the plan's caseworker).  ``supersedes``: the contact
    this one corrects."""
    require(session, Action.RECORD_ASSISTANCE)
    happened(on, "on")
    channel = Channel(channel)
    codes = parse_codes(services, Service, "services")
    person = _person(session, person_id)
    plan = _require_open(session, person)
    _not_before_plan(plan, on, "on")
    if next_on is not None and next_on <= on:
        raise ValidationError(_("The next contact must be after this one."), "next_on")
    if supersedes is not None:
        old = session.get(AssistanceContact, supersedes)
        if old is None or old.deleted or old.plan_id != plan.id:
            raise NotFoundError(_("The contact to correct is not one of this plan's."))
        if any(c.id == old.id and replaced for c, replaced in contacts(session, plan.id)):
            raise WorkflowError(
                _("That contact was corrected already; correct the newest entry instead.")
            )
    worker_id = _worker(session, worker, plan.station_code) or _acting_staff(session)
    contact = AssistanceContact(
        plan_id=plan.id,
        person_id=person.id,
        on=on,
        channel=channel.value,
        worker_id=worker_id or plan.worker_id,
        services=join_codes(codes),
        note=_text(note, "note"),
        next_on=next_on,
        supersedes_id=supersedes,
        station_code=plan.station_code,
        demo=plan.demo,
    )
    session.add(contact)
    session.flush()
    _schedule(session, plan)
    session.flush()
    return contact


# ---------------------------------------------------------------------------------------------
# Offers and refusals
# ---------------------------------------------------------------------------------------------


def add_offer(
    session: Session,
    person_id: uuid.UUID,
    *,
    on: dt.date,
    kind: OfferKind | str,
    post: str,
    employer: str = "",
    answer: Answer | str = Answer.PENDING,
    reason: str = "",
) -> AssistanceOffer:
    """Record a post offered (or a referral) on ``on`` and the answer so far."""
    require(session, Action.RECORD_ASSISTANCE)
    happened(on, "on")
    kind = OfferKind(kind)
    answer = Answer(answer)
    person = _person(session, person_id)
    plan = _require_open(session, person)
    _not_before_plan(plan, on, "on")
    post_text = _text(post, "post", MAX_SHORT)
    if not post_text:
        raise ValidationError(_("Name the post offered."), "post")
    offer = AssistanceOffer(
        plan_id=plan.id,
        person_id=person.id,
        on=on,
        kind=kind.value,
        post=post_text,
        employer=_text(employer, "employer", MAX_SHORT),
        answer=answer.value,
        answered_on=None if answer is Answer.PENDING else on,
        reason=_reason(answer, reason),
        station_code=plan.station_code,
        demo=plan.demo,
    )
    session.add(offer)
    session.flush()
    return offer


def _reason(answer: Answer, reason: str) -> str:
    text = _text(reason, "reason")
    if text and answer is not Answer.REFUSED:
        raise ValidationError(_("A reason is given for a refusal only."), "reason")
    return text


def answer_offer(
    session: Session, offer_id: uuid.UUID, *, answer: Answer | str, on: dt.date, reason: str = ""
) -> AssistanceOffer:
    """Record the answer to a pending offer (the change is logged)."""
    require(session, Action.RECORD_ASSISTANCE)
    happened(on, "on")
    answer = Answer(answer)
    offer = session.get(AssistanceOffer, offer_id)
    if offer is None or offer.deleted:
        raise NotFoundError(_("This offer does not exist."))
    if offer.answer != Answer.PENDING.value:
        raise WorkflowError(_("This offer was answered already."))
    if answer is Answer.PENDING:
        raise ValidationError(_("Give the answer: accepted or refused."), "answer")
    if on < offer.on:
        raise ValidationError(_("The answer cannot come before the offer."), "on")
    offer.answer = answer.value
    offer.answered_on = on
    offer.reason = _reason(answer, reason)
    session.flush()
    return offer


R = TypeVar("R", AssistanceOffer, AssistanceOutcome)


def _records(session: Session, model: type[R], plan_id: uuid.UUID) -> list[R]:
    """The live records of a plan, newest first."""
    return list(
        session.scalars(
            select(model)
            .where(model.plan_id == plan_id, model.deleted.is_(False))
            .order_by(model.on.desc(), model.created_hlc.desc())
        )
    )


def offers(session: Session, plan_id: uuid.UUID) -> list[AssistanceOffer]:
    return _records(session, AssistanceOffer, plan_id)


def refusal_window(on: dt.date, rules: AssistanceRules) -> dt.date:
    """The first day of the refusal window that ends on ``on`` (both days counted)."""
    return add_months(on, -rules.refusal_window_months)


def refusals(session: Session, person_id: uuid.UUID, on: dt.date) -> int:
    """How many offers the person refused in the window ending on ``on``."""
    from sqlalchemy import func

    start = refusal_window(on, rules_on(on))
    return (
        session.scalar(
            select(func.count()).where(
                AssistanceOffer.person_id == person_id,
                AssistanceOffer.deleted.is_(False),
                AssistanceOffer.answer == Answer.REFUSED.value,
                AssistanceOffer.answered_on >= start,
                AssistanceOffer.answered_on <= on,
            )
        )
        or 0
    )


# ---------------------------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------------------------


def _check_evidence(
    rules: AssistanceRules,
    evidence: Evidence,
    contract_months: int | None,
    flexible_days: int | None,
    monthly_income: Money | None,
) -> None:
    rules.pack.evidence(evidence.value)  # refused when the pack does not accept it
    given = {
        Evidence.CONTRACT: contract_months,
        Evidence.FLEXIBLE: flexible_days,
        Evidence.INCOME: monthly_income,
    }
    for kind, value in given.items():
        if value is not None and kind is not evidence:
            raise ValidationError(_("This figure belongs to another kind of evidence."), kind.value)
    if contract_months is not None and contract_months < rules.contract_min_months:
        raise ValidationError(
            _("A labour contract of {months} months is shorter than {minimum} months.").format(
                months=contract_months, minimum=rules.contract_min_months
            ),
            "contract_months",
        )
    if flexible_days is not None and flexible_days < rules.flexible_min_days:
        raise ValidationError(
            _("{days} days of flexible work are fewer than {minimum} days.").format(
                days=flexible_days, minimum=rules.flexible_min_days
            ),
            "flexible_days",
        )
    if monthly_income is not None and monthly_income.fen < rules.minimum_wage.fen:
        raise ValidationError(
            _("A monthly income of {amount} yuan is below the minimum wage of {minimum} yuan.")
            .format(amount=monthly_income, minimum=rules.minimum_wage),
            "monthly_income",
        )  # fmt: skip


def record_outcome(
    session: Session,
    person_id: uuid.UUID,
    *,
    on: dt.date,
    evidence: Evidence | str,
    note: str = "",
    contract_months: int | None = None,
    flexible_days: int | None = None,
    monthly_income: Money | None = None,
) -> AssistanceOutcome:
    """Count the person as employed from ``on`` on one kind of evidence (就业认定).

    The figures (contract months, days of flexible work, monthly income) are optional; when
    given they are checked against the pack's thresholds.
    """
    require(session, Action.RECORD_ASSISTANCE)
    happened(on, "on")
    evidence = Evidence(evidence)
    rules = rules_on(on)
    _check_evidence(rules, evidence, contract_months, flexible_days, monthly_income)
    person = _person(session, person_id)
    plan = _require_open(session, person)
    _not_before_plan(plan, on, "on")
    text = _text(note, "note")
    episode = employment.start(
        session,
        person,
        on,
        employment.Kind(evidence.value),
        evidence=text or rules.pack.evidence_label_zh(evidence.value),
        source="assistance",
    )
    session.flush()
    if person.registered_unemployed_since is not None:
        person.registered_unemployed_since = None  # employment ends the registration
    outcome = AssistanceOutcome(
        plan_id=plan.id,
        person_id=person.id,
        on=on,
        evidence=evidence.value,
        contract_months=contract_months,
        flexible_days=flexible_days,
        monthly_income=monthly_income,
        note=text,
        episode_id=episode.id,
        station_code=plan.station_code,
        demo=plan.demo,
    )
    session.add(outcome)
    if plan.employed_on is None or on >= plan.employed_on:
        plan.employed_on = on
        plan.follow_up_until = add_months(on, rules.employed_follow_up_months)
    session.flush()
    recognition.reassess_person(session, person.id)  # (the tracker followed the episode)
    return outcome


def outcomes(session: Session, plan_id: uuid.UUID) -> list[AssistanceOutcome]:
    return _records(session, AssistanceOutcome, plan_id)
