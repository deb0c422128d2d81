"""Recognition (认定) kept in the database, and assessment of registered persons.

The pure state machine in :mod:`caseworker.recognition.workflow` decides every transition;
this module loads a stored case into a :class:`~caseworker.recognition.workflow.Case`, asks the
workflow for the next one, and writes back what changed (a :class:`RecognitionCase`, one new
:class:`RecognitionStep`).  Every function takes the caller's session (one user action is one
transaction) and never commits; the store's change log records each insert and update with the
actor of the session.

Household facts
---------------
:func:`facts_for` reads the person's household.  Relations in the register are relations to
the head of household; the engine wants relations to the person, so they are mapped (see
:func:`relation_to_person`): only pairs that the register states for certain become ``spouse``,
``child`` or ``parent``; everything else is ``other``.

A recorded relative without an ID number has no known age, and the engine's
:class:`~caseworker.policy.facts.Member` needs one (working age decides whether an employed
member stops a zero-employment family).  Such a relative is **left out** of the facts, and
:func:`assess_person` adds a sentence to the reasons naming them, so the caseworker knows to
enter the ID number.  Registered persons whose record is deleted are left out too.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, ScalarSelect, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from caseworker.core import wall
from caseworker.core.errors import NotFoundError, ValidationError, WorkflowError
from caseworker.i18n import N_, _
from caseworker.policy import (
    Decision,
    Facts,
    Household,
    Member,
    PolicyPack,
    assess,
    default_library,
)
from caseworker.policy.categories import Category
from caseworker.policy.facts import Relation as FactRelation
from caseworker.recognition import workflow
from caseworker.recognition.workflow import (
    STAGE_LABELS,
    Case,
    ChecklistItem,
    Event,
    ExitReason,
    Stage,
    Step,
    StepKind,
)
from caseworker.registry import employment, households
from caseworker.registry.vocab import Relation as RegisterRelation
from caseworker.store import changelog
from caseworker.store.models import (
    CaseCategory,
    Person,
    ProofItem,
    RecognitionCase,
    RecognitionStep,
)

__all__ = [
    "ProofDocument",
    "advance",
    "allowed_steps",
    "assess_person",
    "cases",
    "current_case",
    "facts_for",
    "history",
    "is_open",
    "notice_cases",
    "omitted_members",
    "open_application",
    "proof_documents",
    "proofs",
    "provide_proof",
    "reassess_person",
    "reassess_recognised",
    "relation_to_person",
    "review_reason_text",
    "set_proof",
    "status_of",
    "to_workflow_case",
]

_T = TypeVar("_T")

# ---------------------------------------------------------------------------------------------
# Facts from the registry
# ---------------------------------------------------------------------------------------------

_H = RegisterRelation
_F = FactRelation

#: (the person's relation to the head, the member's relation to the head) -> the member's
#: relation to the person.  Pairs not listed are ``other``.
_RELATIONS: dict[tuple[str, str], FactRelation] = {
    (_H.HEAD, _H.SPOUSE): _F.SPOUSE,
    (_H.HEAD, _H.CHILD): _F.CHILD,
    (_H.HEAD, _H.PARENT): _F.PARENT,
    (_H.SPOUSE, _H.HEAD): _F.SPOUSE,
    (_H.SPOUSE, _H.CHILD): _F.CHILD,
    (_H.CHILD, _H.HEAD): _F.PARENT,
    (_H.CHILD, _H.SPOUSE): _F.PARENT,
    (_H.PARENT, _H.HEAD): _F.CHILD,
}


def relation_to_person(own: str | None, member: str) -> FactRelation:
    """The relation of a household member to the person, from both relations to the head.

    ``own`` is None when the person is not in a household (then nothing is certain).  Only the
    pairs the register states for certain are mapped: the head's spouse, children and parents
    seen from the head; the head and the head's children seen from the spouse (the head's
    children are taken as the spouse's children too, as on the household register); the head
    and the spouse seen from a child; the head seen from a parent.  Siblings, in-laws and
    grandparents are ``other`` (the engine only distinguishes a spouse; the rest is shown).
    """
    if own is None:
        return FactRelation.OTHER
    return _RELATIONS.get((own, member), FactRelation.OTHER)


def _household_facts(
    session: Session, person: Person, on: dt.date
) -> tuple[Household | None, list[str]]:
    household = households.of_person(session, person.id)
    if household is None:
        return None, []
    own = next((m.relation for m in household.members if m.person_id == person.id), None)
    members: list[Member] = []
    omitted: list[str] = []
    for row in household.members:
        if row.person_id == person.id:
            continue
        if row.person is not None and row.person.deleted:
            continue
        facts = households.member_facts(row, on)
        if not facts.id_number:
            omitted.append(facts.name)
            continue
        try:
            members.append(
                Member(
                    relation=relation_to_person(own, row.relation),
                    id_number=facts.id_number,  # type: ignore[arg-type]  # parsed by Member
                    employed=facts.employed,
                    registered_unemployed=facts.registered_unemployed,
                    work_capacity=facts.work_capacity,  # type: ignore[arg-type]
                    wants_work=facts.wants_work,
                    retirement_base_age=(
                        row.person.retirement_base_age if row.person is not None else None
                    ),
                )
            )
        except ValidationError:
            omitted.append(facts.name)
    return (
        Household(
            members=tuple(members),
            business_or_investment_income=household.business_or_investment_income,
        ),
        omitted,
    )


def _facts(session: Session, person: Person, on: dt.date) -> tuple[Facts, list[str]]:
    household, omitted = _household_facts(session, person, on)
    facts = Facts(
        id_number=person.id_number,  # type: ignore[arg-type]  # parsed by Facts
        resident_in_region=person.resident_in_region,
        work_capacity=person.work_capacity,  # type: ignore[arg-type]
        wants_work=person.wants_work,
        employed=employment.covers(person.episodes, on),
        registered_unemployed_since=person.registered_unemployed_since,
        min_living_allowance=person.min_living_allowance,
        disabled=person.disabled,
        college_graduate=person.college_graduate,
        land_expropriated=person.land_expropriated,
        income_below_local_average=person.income_below_local_average,
        retirement_base_age=person.retirement_base_age,
        household=household,
    )
    return facts, omitted


def facts_for(session: Session, person: Person, on: dt.date) -> Facts:
    """The policy facts of a registered person and their household on ``on``.

    The person is never listed among the household members.  Without a household the facts
    carry none (a zero-employment family or an unemployed couple cannot then be shown).
    Members without an ID number are left out (see the module notes and
    :func:`omitted_members`).
    """
    return _facts(session, person, on)[0]


def omitted_members(session: Session, person: Person, on: dt.date) -> list[str]:
    """Names of household members left out of the facts (no ID number, so no known age)."""
    return _household_facts(session, person, on)[1]


def _person(session: Session, person_id: uuid.UUID) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(_("No person with this record number exists."))
    if person.deleted:
        raise NotFoundError(
            _("The record of {name} is deleted; restore it first.").format(name=person.name)
        )
    return person


def assess_person(session: Session, person_id: uuid.UUID, on: dt.date | None = None) -> Decision:
    """Assess a registered person with the pack in force on ``on`` (default: today)."""
    on = on or wall.today()
    person = _person(session, person_id)
    facts, omitted = _facts(session, person, on)
    decision = assess(facts, on)
    if omitted:
        note = _(
            "Left out of the household facts because the ID number (and so the age) is not "
            "recorded: {names}. Enter their ID numbers for a complete assessment."
        ).format(names=", ".join(omitted))
        decision = replace(decision, reasons=(*decision.reasons, note))
    return decision


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


def _actor_id(session: Session) -> uuid.UUID | None:
    context = session.info.get(changelog.CONTEXT_KEY)
    return context.actor_id if context is not None else None


def _pack(policy_id: str) -> PolicyPack:
    return default_library().get(policy_id)


def is_open(case: RecognitionCase) -> bool:
    """Whether the case is still running (not rejected, not exited)."""
    return not Stage(case.stage).closed


def _case(session: Session, case_id: uuid.UUID) -> RecognitionCase:
    case = session.get(RecognitionCase, case_id)
    if case is None or case.deleted:
        raise NotFoundError(_("This recognition case does not exist."))
    return case


def _live_cases(session: Session, person_id: uuid.UUID) -> list[RecognitionCase]:
    return list(
        session.scalars(
            select(RecognitionCase)
            .where(RecognitionCase.person_id == person_id, RecognitionCase.deleted.is_(False))
            .order_by(RecognitionCase.opened_on, RecognitionCase.created_hlc)
        )
    )


def _pick_current(rows: Sequence[_T], open_: Iterable[bool]) -> _T | None:
    """The open one (the last if several), else the latest; ``rows`` oldest first."""
    flags = list(open_)
    for row, flag in zip(reversed(rows), reversed(flags), strict=True):
        if flag:
            return row
    return rows[-1] if rows else None


def current_case_id() -> ScalarSelect[uuid.UUID]:
    """The id of each person's current case (as :func:`current_case` picks it: the open case,
    else the latest), as a subquery correlated to :class:`Person` for list queries."""
    closed = RecognitionCase.stage.in_([s.value for s in Stage if s.closed])
    return (
        select(RecognitionCase.id)
        .where(RecognitionCase.person_id == Person.id, RecognitionCase.deleted.is_(False))
        .order_by(
            closed.asc(), RecognitionCase.opened_on.desc(), RecognitionCase.created_hlc.desc()
        )
        .limit(1)
        .correlate(Person)
        .scalar_subquery()
    )


def current_case(session: Session, person_id: uuid.UUID) -> RecognitionCase | None:
    """The person's open case; when none is open, their latest closed case; else None."""
    rows = _live_cases(session, person_id)
    return _pick_current(rows, (is_open(c) for c in rows))


def history(session: Session, case_id: uuid.UUID) -> list[RecognitionStep]:
    """The steps of a case, in the order they happened."""
    _case(session, case_id)
    return list(
        session.scalars(
            select(RecognitionStep)
            .where(RecognitionStep.case_id == case_id, RecognitionStep.deleted.is_(False))
            .order_by(RecognitionStep.sort_order)
        )
    )


def proofs(session: Session, case_id: uuid.UUID) -> list[ProofItem]:
    """The proof checklist of a case, in the order of the claimed categories."""
    return list(
        session.scalars(
            select(ProofItem)
            .where(ProofItem.case_id == case_id, ProofItem.deleted.is_(False))
            .order_by(ProofItem.sort_order)
        )
    )


@dataclass(frozen=True, slots=True)
class ProofDocument:
    """One proof document of a case's checklist and the claimed categories it serves.

    ``provided`` is True when ticked for every category, False when for none, and None when
    only for some (older data ticked category by category).
    """

    proof: str
    categories: tuple[str, ...]
    provided: bool | None


def proof_documents(session: Session, case_id: uuid.UUID) -> list[ProofDocument]:
    """The checklist as documents: each proof once (in the order of the pack's proofs), with
    the categories that need it."""
    order = {code: n for n, code in enumerate(_pack(_case(session, case_id).policy_id).proofs)}
    grouped: dict[str, list[ProofItem]] = {}
    for item in proofs(session, case_id):
        grouped.setdefault(item.proof, []).append(item)
    documents = []
    for proof, items in grouped.items():
        ticked = {item.provided for item in items}
        provided = ticked.pop() if len(ticked) == 1 else None
        documents.append(ProofDocument(proof, tuple(i.category for i in items), provided))
    return sorted(documents, key=lambda d: order.get(d.proof, len(order)))


def categories_of(case: RecognitionCase) -> tuple[Category, ...]:
    return tuple(Category(code) for code in case.category_codes)


def category_order(code: str) -> int:
    """A category's place in clause (八) (the ``sort_order`` of its row)."""
    order = [c.value for c in Category]
    return order.index(code) if code in order else len(order) + 100


def has_category(case_id: Any, code: str) -> ColumnElement[bool]:
    """SQL: the case with id ``case_id`` (a column) claims the category ``code``."""
    return exists().where(
        CaseCategory.case_id == case_id,
        CaseCategory.category == code,
        CaseCategory.deleted.is_(False),
    )


def first_category_order(case_id: Any) -> ScalarSelect[int]:
    """SQL: the clause order of the case's first claimed category (for sorting lists)."""
    return (
        select(func.min(CaseCategory.sort_order))
        .where(CaseCategory.case_id == case_id, CaseCategory.deleted.is_(False))
        .scalar_subquery()
    )


def category_codes_of(
    session: Session, case_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, ...]]:
    """The claimed category codes of many cases (in clause order), in one query."""
    ids = list(set(case_ids))
    found: dict[uuid.UUID, list[str]] = {}
    for start in range(0, len(ids), 5000):
        rows = session.execute(
            select(CaseCategory.case_id, CaseCategory.category)
            .where(
                CaseCategory.case_id.in_(ids[start : start + 5000]),
                CaseCategory.deleted.is_(False),
            )
            .order_by(CaseCategory.case_id, CaseCategory.sort_order)
        )
        for case_id, code in rows:
            found.setdefault(case_id, []).append(code)
    return {case_id: tuple(codes) for case_id, codes in found.items()}


def to_workflow_case(session: Session, case_id: uuid.UUID) -> Case:
    """The stored case as the workflow's pure :class:`Case`."""
    row = _case(session, case_id)
    pack = _pack(row.policy_id)
    checklist = tuple(
        ChecklistItem(
            Category(item.category),
            item.proof,
            pack.proofs[item.proof].label_zh if item.proof in pack.proofs else item.proof,
            item.provided,
        )
        for item in proofs(session, case_id)
    )
    events = tuple(
        Event(
            StepKind(step.kind),
            step.on,
            passed=step.passed,
            end=step.end_on,
            reason=ExitReason(step.exit_reason) if step.exit_reason else None,
            note=step.note,
            missing_proofs=tuple(p for p in step.missing_proofs.split(",") if p),
        )
        for step in history(session, case_id)
    )
    return Case(
        policy_id=row.policy_id,
        stage=Stage(row.stage),
        categories=categories_of(row),
        checklist=checklist,
        notice_working_days=pack.public_notice_working_days,
        applied_on=row.opened_on,
        events=events,
        notice_start=row.notice_start,
        notice_end=row.notice_end,
        recognised_on=row.recognised_on,
        exited_on=row.exited_on,
        exit_reason=ExitReason(row.exit_reason) if row.exit_reason else None,
    )


def allowed_steps(session: Session, case_id: uuid.UUID) -> tuple[StepKind, ...]:
    """The kinds of step that may come next for a stored case (for enabling buttons)."""
    return workflow.allowed_steps(to_workflow_case(session, case_id))


def _add_step(session: Session, case: RecognitionCase, event: Event, order: int) -> None:
    session.add(
        RecognitionStep(
            case_id=case.id,
            sort_order=order,
            kind=event.kind.value,
            on=event.on,
            passed=event.passed,
            end_on=event.end,
            exit_reason=event.reason.value if event.reason else None,
            note=event.note,
            actor_id=_actor_id(session),
            missing_proofs=",".join(event.missing_proofs),
            station_code=case.station_code,
            demo=case.demo,
        )
    )


def open_application(
    session: Session,
    person_id: uuid.UUID,
    on: dt.date,
    categories: Sequence[str],
    *,
    note: str = "",
) -> RecognitionCase:
    """Register an application (申请) claiming ``categories``, with its proof checklist.

    Refused (:class:`WorkflowError`) when the person already has an open case, a category
    code is unknown, or ``on`` is after today; the pack in force on ``on`` gives the checklist.
    """
    person = _person(session, person_id)
    for existing in _live_cases(session, person_id):
        if is_open(existing):
            raise WorkflowError(
                _(
                    "{name} already has an open recognition case ({stage}, applied on {date}); "
                    "continue that case or close it first."
                ).format(
                    name=person.name,
                    stage=_(STAGE_LABELS[Stage(existing.stage)]),
                    date=existing.opened_on.isoformat(),
                )
            )
    pack = default_library().in_force_on(on)
    new = workflow.open_application(on, categories, pack, note=note.strip())
    case = RecognitionCase(
        person_id=person.id,
        stage=new.stage.value,
        policy_id=new.policy_id,
        opened_on=new.applied_on,
        station_code=person.station_code,
        demo=person.demo,
    )
    name = person.name
    session.add(case)
    try:
        session.flush()
    except IntegrityError as exc:  # another window opened a case in the meantime
        if "uq_recognition_case_open_person" not in str(exc) and "UNIQUE" not in str(exc):
            raise
        raise WorkflowError(
            _("{name} already has an open recognition case; continue that case.").format(name=name)
        ) from exc
    for category in new.categories:
        session.add(
            CaseCategory(
                case_id=case.id,
                category=category.value,
                sort_order=category_order(category.value),
                station_code=case.station_code,
                demo=case.demo,
            )
        )
    for order, item in enumerate(new.checklist):
        session.add(
            ProofItem(
                case_id=case.id,
                category=item.category.value,
                proof=item.proof,
                provided=False,
                sort_order=order,
                station_code=case.station_code,
                demo=case.demo,
            )
        )
    _add_step(session, case, new.events[0], 0)
    session.flush()
    return case


def advance(session: Session, case_id: uuid.UUID, step: Step) -> RecognitionCase:
    """Take ``step`` (a workflow step object) on a stored case; record it in the history.

    Raises :class:`WorkflowError` with the workflow's message for a step out of order, a date
    before the previous step or after today, a notice starting on a day off, a recognition
    before the notice has ended, or an exit for another reason without a note; and
    :class:`~caseworker.recognition.workflow.ProofsMissingError` for a step that needs the
    proofs while some are missing (unless the step says ``proofs_missing_ok``: the step then
    records the missing proofs).
    """
    row = _case(session, case_id)
    before = to_workflow_case(session, case_id)
    after = workflow.advance(before, step)
    row.stage = after.stage.value
    row.notice_start = after.notice_start
    row.notice_end = after.notice_end
    row.recognised_on = after.recognised_on
    row.exited_on = after.exited_on
    row.exit_reason = after.exit_reason.value if after.exit_reason else None
    reviews = after.reviews
    row.last_review_on = reviews[-1] if reviews else None
    event = after.events[-1]
    if event.kind is StepKind.EXIT:
        row.exit_note = event.note
        # The exit settles any open re-assessment flag.
        row.needs_review = False
        row.review_reason = ""
        row.review_flagged_on = None
    _add_step(session, row, event, len(after.events) - 1)
    session.flush()
    return row


def provide_proof(session: Session, case_id: uuid.UUID, proof: str, provided: bool) -> int:
    """Tick (or untick) a proof document on the case's checklist.

    One document serves every claimed category that needs it (one 居民身份证 for all): every
    checklist item with this proof is set.  Returns the number of items changed.
    """
    _case(session, case_id)
    items = list(
        session.scalars(
            select(ProofItem).where(
                ProofItem.case_id == case_id,
                ProofItem.proof == proof,
                ProofItem.deleted.is_(False),
            )
        )
    )
    if not items:
        raise ValidationError(
            _("The checklist of this case has no proof {proof}.").format(proof=proof), "proof"
        )
    changed = 0
    for item in items:
        if item.provided != provided:
            item.provided = provided
            changed += 1
    session.flush()
    return changed


def set_proof(
    session: Session, case_id: uuid.UUID, category: str, proof: str, provided: bool
) -> int:
    """Tick (or untick) ``proof`` named for ``category``: checked against the checklist, then
    set for every category that needs it (see :func:`provide_proof`)."""
    _case(session, case_id)
    item = session.scalar(
        select(ProofItem).where(
            ProofItem.case_id == case_id,
            ProofItem.category == category,
            ProofItem.proof == proof,
            ProofItem.deleted.is_(False),
        )
    )
    if item is None:
        raise ValidationError(
            _("The checklist of this case has no proof {proof} for the category {category}.")
            .format(proof=proof, category=category),
            "proof",
        )  # fmt: skip
    return provide_proof(session, case_id, proof, provided)


def cases(
    session: Session,
    *,
    stage: Stage | str | None = None,
    village_id: uuid.UUID | None = None,
    flagged: bool = False,
) -> list[RecognitionCase]:
    """Cases of persons whose records are not deleted, by the person's pinyin and date.

    ``flagged`` keeps only the cases marked for review by the re-assessment.
    """
    stmt = (
        select(RecognitionCase)
        .join(Person, Person.id == RecognitionCase.person_id)
        .options(contains_eager(RecognitionCase.person))
        .where(RecognitionCase.deleted.is_(False), Person.deleted.is_(False))
    )
    if stage is not None:
        stmt = stmt.where(RecognitionCase.stage == Stage(stage).value)
    if village_id is not None:
        stmt = stmt.where(Person.village_id == village_id)
    if flagged:
        stmt = stmt.where(RecognitionCase.needs_review.is_(True))
    stmt = stmt.order_by(Person.name_pinyin, Person.id_number, RecognitionCase.opened_on)
    return list(session.scalars(stmt))


def notice_cases(session: Session, start: dt.date, end: dt.date) -> list[RecognitionCase]:
    """Cases whose public-notice period overlaps ``start``..``end`` (both included)."""
    stmt = (
        select(RecognitionCase)
        .join(Person, Person.id == RecognitionCase.person_id)
        .options(contains_eager(RecognitionCase.person))
        .where(
            RecognitionCase.deleted.is_(False),
            Person.deleted.is_(False),
            RecognitionCase.notice_start.is_not(None),
            RecognitionCase.notice_start <= end,
            RecognitionCase.notice_end >= start,
        )
        .order_by(RecognitionCase.notice_start, Person.name_pinyin, Person.id_number)
    )
    return list(session.scalars(stmt))


def status_of(session: Session, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The stage of each person's current case (see :func:`current_case`), in one query.

    Persons without a case are absent from the result.
    """
    ids = list(set(person_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(RecognitionCase.person_id, RecognitionCase.stage)
        .where(RecognitionCase.person_id.in_(ids), RecognitionCase.deleted.is_(False))
        .order_by(RecognitionCase.opened_on, RecognitionCase.created_hlc)
    ).all()
    by_person: dict[uuid.UUID, list[str]] = {}
    for person_id, stage in rows:
        by_person.setdefault(person_id, []).append(stage)
    result: dict[uuid.UUID, str] = {}
    for person_id, stages in by_person.items():
        picked = _pick_current(stages, (not Stage(s).closed for s in stages))
        if picked is not None:
            result[person_id] = picked
    return result


# ---------------------------------------------------------------------------------------------
# Re-assessment of recognised persons
# ---------------------------------------------------------------------------------------------


#: How each failed general condition reads in a review reason.
CONDITION_PROBLEMS: dict[str, str] = {
    "in_region": N_("not resident in the region"),
    "working_age": N_("not of working age"),
    "work_capacity": N_("no capacity to work"),
    "wants_work": N_("does not want to work"),
    "not_employed": N_("employed"),
}
NO_CATEGORY = "no_category"
NOT_ASSESSABLE = "not_assessable"
_REVIEW_PROBLEMS: dict[str, str] = {
    **CONDITION_PROBLEMS,
    NO_CATEGORY: N_("no category of clause (八) applies"),
    NOT_ASSESSABLE: N_("the record could not be assessed (open the person to see why)"),
}


def _problems(decision: Decision) -> list[str]:
    """Codes of why a recognised person no longer qualifies (empty when they still do)."""
    if decision.eligible:
        return []
    codes = [name for name, holds in decision.conditions.to_json().items() if not holds]
    if not decision.categories:
        codes.append(NO_CATEGORY)
    return codes


def review_reason_code(problems: Sequence[str]) -> str:
    """The stored form of a review reason: codes, never prose (so it reads in any language
    and does not change when the reassessment runs in another)."""
    return json.dumps({"problems": list(problems)}, separators=(",", ":"))


def review_reason_text(reason: str, flagged_on: dt.date | None) -> str:
    """A stored review reason in the active language ("" when there is none)."""
    if not reason:
        return ""
    try:
        codes = [str(c) for c in json.loads(reason)["problems"]]
    except (ValueError, KeyError, TypeError):
        return reason  # written by a version that stored prose
    problems = "; ".join(_(_REVIEW_PROBLEMS[c]) if c in _REVIEW_PROBLEMS else c for c in codes)
    date = flagged_on.isoformat() if flagged_on else ""
    return _(
        "Reassessed on {date}: the person may no longer be a person with employment "
        "difficulty ({problems}). Review the case, and record an exit if it is so."
    ).format(date=date, problems=problems)


def _reassess(session: Session, case: RecognitionCase, on: dt.date) -> bool:
    """Re-run the engine for a recognised case; set or clear the flag.  True if it changed."""
    try:
        problems = _problems(assess_person(session, case.person_id, on))
    except ValidationError:
        problems = [NOT_ASSESSABLE]
    if not problems:
        if not case.needs_review:
            return False
        case.needs_review = False
        case.review_reason = ""
        case.review_flagged_on = None
        return True
    reason = review_reason_code(problems)
    if case.needs_review and case.review_reason == reason:
        return False
    case.needs_review = True
    case.review_reason = reason
    case.review_flagged_on = on
    return True


def _recognised(session: Session, person_ids: Iterable[uuid.UUID] | None) -> list[RecognitionCase]:
    stmt = (
        select(RecognitionCase)
        .join(Person, Person.id == RecognitionCase.person_id)
        .options(contains_eager(RecognitionCase.person))
        .where(
            RecognitionCase.deleted.is_(False),
            Person.deleted.is_(False),
            RecognitionCase.stage == Stage.RECOGNISED.value,
        )
        .order_by(Person.name_pinyin, Person.id_number)
    )
    if person_ids is not None:
        stmt = stmt.where(RecognitionCase.person_id.in_(list(person_ids)))
    return list(session.scalars(stmt))


def reassess_recognised(session: Session, on: dt.date) -> list[RecognitionCase]:
    """Re-assess every recognised person on ``on``; return the cases whose flag changed.

    A person who is no longer eligible (a general condition fails, or no category applies)
    gets ``needs_review`` and a ``review_reason`` (codes; see :func:`review_reason_text`); a flagged person who
    is eligible again is cleared.  Nobody is exited automatically: the caseworker decides.
    """
    changed = [case for case in _recognised(session, None) if _reassess(session, case, on)]
    session.flush()
    return changed


def reassess_person(
    session: Session, person_id: uuid.UUID, on: dt.date | None = None
) -> list[RecognitionCase]:
    """Re-assess after a person's record changed: their recognised case, and those of the
    registered members of their household (whose facts include this person).

    Returns the recognised cases looked at (flagged or not); empty when there are none.
    """
    on = on or wall.today()
    ids = {person_id}
    household = households.of_person(session, person_id)
    if household is not None:
        ids.update(m.person_id for m in household.members if m.person_id is not None)
    looked_at = _recognised(session, ids)
    for case in looked_at:
        _reassess(session, case, on)
    session.flush()
    return looked_at
