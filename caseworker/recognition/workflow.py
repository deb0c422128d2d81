"""The recognition workflow (认定) as a pure state machine.

Application (申请) → community first review (初审) → township review (审核) → public notice
(公示, a number of working days set by the policy pack) → recognition (认定) → periodic reviews
(复核, repeatable) → exit (退出).  A rejected review closes the case; so does the exit.

Every function takes a :class:`Case` and returns a new one, or raises
:class:`~caseworker.core.errors.WorkflowError` with a message that says what is out of order.

No step may be dated after today (:func:`caseworker.core.wall.today`).  A step that moves the
case forward (a passed review, the public notice, the recognition) while proofs of the
checklist are not ticked as provided is refused with :class:`ProofsMissingError`, unless the
step says ``proofs_missing_ok``: then the step is taken and its :class:`Event` records the
proofs that were missing.
Nothing here touches a database: the stages, step kinds and exit reasons are string enums with
stable values, and :meth:`Case.to_dict` / :meth:`Case.from_dict` give a plain JSON-ready form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from caseworker.core import wall
from caseworker.core.errors import WorkflowError
from caseworker.i18n import N_, _, ngettext
from caseworker.policy.calendar import WorkingCalendar, default_calendar
from caseworker.policy.categories import Category
from caseworker.policy.pack import PolicyPack

__all__ = [
    "EXIT_REASON_LABELS",
    "STAGE_LABELS",
    "Case",
    "ChecklistItem",
    "CommunityReview",
    "Event",
    "Exit",
    "ExitReason",
    "PeriodicReview",
    "ProofsMissingError",
    "Recognise",
    "Stage",
    "StartPublicNotice",
    "Step",
    "StepKind",
    "TownshipReview",
    "advance",
    "allowed_steps",
    "missing_proofs",
    "open_application",
]


class ProofsMissingError(WorkflowError):
    """A step that needs the proofs, taken while some are not ticked as provided.

    ``missing`` holds the proof codes (each once, in the checklist's order); the message lists
    them in the active language.  Take the step again with ``proofs_missing_ok=True`` to go on
    without them (the step then records them).
    """

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing


class Stage(StrEnum):
    APPLIED = "applied"
    COMMUNITY_PASSED = "community_passed"
    COMMUNITY_REJECTED = "community_rejected"
    TOWNSHIP_PASSED = "township_passed"
    TOWNSHIP_REJECTED = "township_rejected"
    PUBLIC_NOTICE = "public_notice"
    RECOGNISED = "recognised"
    EXITED = "exited"

    @property
    def closed(self) -> bool:
        return self in _CLOSED


_CLOSED = frozenset({Stage.COMMUNITY_REJECTED, Stage.TOWNSHIP_REJECTED, Stage.EXITED})

STAGE_LABELS: dict[Stage, str] = {
    Stage.APPLIED: N_("Applied, waiting for the community review"),
    Stage.COMMUNITY_PASSED: N_("Passed the community review"),
    Stage.COMMUNITY_REJECTED: N_("Rejected by the community review"),
    Stage.TOWNSHIP_PASSED: N_("Passed the township review"),
    Stage.TOWNSHIP_REJECTED: N_("Rejected by the township review"),
    Stage.PUBLIC_NOTICE: N_("In public notice"),
    Stage.RECOGNISED: N_("Recognised"),
    Stage.EXITED: N_("Exited"),
}


class StepKind(StrEnum):
    APPLY = "apply"
    COMMUNITY_REVIEW = "community_review"
    TOWNSHIP_REVIEW = "township_review"
    PUBLIC_NOTICE = "public_notice"
    RECOGNISE = "recognise"
    PERIODIC_REVIEW = "periodic_review"
    EXIT = "exit"


class ExitReason(StrEnum):
    EMPLOYED = "employed"
    RETIRED = "retired"
    MOVED_AWAY = "moved_away"
    DECEASED = "deceased"
    DECLINED_HELP = "declined_help"
    OTHER = "other"


EXIT_REASON_LABELS: dict[ExitReason, str] = {
    ExitReason.EMPLOYED: N_("Employed"),
    ExitReason.RETIRED: N_("Reached retirement"),
    ExitReason.MOVED_AWAY: N_("Moved away"),
    ExitReason.DECEASED: N_("Deceased"),
    ExitReason.DECLINED_HELP: N_("Refused help without good reason"),
    ExitReason.OTHER: N_("Other reason"),
}


# ---------------------------------------------------------------------------------------------
# Steps a caseworker can request
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CommunityReview:
    """社区（村）初审."""

    on: dt.date
    passed: bool
    note: str = ""
    proofs_missing_ok: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TownshipReview:
    """乡镇（街道）审核."""

    on: dt.date
    passed: bool
    note: str = ""
    proofs_missing_ok: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StartPublicNotice:
    """公示: starts on a working day and lasts the pack's number of working days."""

    start: dt.date
    note: str = ""
    proofs_missing_ok: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Recognise:
    """认定: only after the public-notice end date has passed."""

    on: dt.date
    note: str = ""
    proofs_missing_ok: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodicReview:
    """复核 while recognised; repeatable."""

    on: dt.date
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Exit:
    """退出, with a reason; ``other`` needs a note."""

    on: dt.date
    reason: ExitReason
    note: str = ""


Step = CommunityReview | TownshipReview | StartPublicNotice | Recognise | PeriodicReview | Exit


# ---------------------------------------------------------------------------------------------
# The case
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One proof an application needs for one claimed category, and whether it was provided."""

    category: Category
    proof: str
    label_zh: str
    provided: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    """One step that happened, in the order it happened."""

    kind: StepKind
    on: dt.date
    passed: bool | None = None
    end: dt.date | None = None
    reason: ExitReason | None = None
    note: str = ""
    missing_proofs: tuple[str, ...] = ()
    """Proof codes not provided when the step was taken (the caseworker confirmed it)."""


@dataclass(frozen=True, slots=True)
class Case:
    """The state of one application, from the application to the exit."""

    policy_id: str
    stage: Stage
    categories: tuple[Category, ...]
    checklist: tuple[ChecklistItem, ...]
    notice_working_days: int
    applied_on: dt.date
    events: tuple[Event, ...]
    notice_start: dt.date | None = None
    notice_end: dt.date | None = None
    recognised_on: dt.date | None = None
    exited_on: dt.date | None = None
    exit_reason: ExitReason | None = None

    @property
    def last_date(self) -> dt.date:
        """The date of the latest step; no later step may be dated before it."""
        return self.events[-1].on

    @property
    def reviews(self) -> tuple[dt.date, ...]:
        """The dates of the periodic reviews."""
        return tuple(e.on for e in self.events if e.kind is StepKind.PERIODIC_REVIEW)

    def checklist_for(self, category: Category | str) -> tuple[ChecklistItem, ...]:
        code = Category(category)
        return tuple(item for item in self.checklist if item.category is code)

    # -- plain form for storage -----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        def day(value: dt.date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "policy_id": self.policy_id,
            "stage": self.stage.value,
            "categories": [c.value for c in self.categories],
            "checklist": [
                {
                    "category": i.category.value,
                    "proof": i.proof,
                    "label_zh": i.label_zh,
                    "provided": i.provided,
                }
                for i in self.checklist
            ],
            "notice_working_days": self.notice_working_days,
            "applied_on": self.applied_on.isoformat(),
            "notice_start": day(self.notice_start),
            "notice_end": day(self.notice_end),
            "recognised_on": day(self.recognised_on),
            "exited_on": day(self.exited_on),
            "exit_reason": self.exit_reason.value if self.exit_reason else None,
            "events": [
                {
                    "kind": e.kind.value,
                    "on": e.on.isoformat(),
                    "passed": e.passed,
                    "end": day(e.end),
                    "reason": e.reason.value if e.reason else None,
                    "note": e.note,
                    "missing_proofs": list(e.missing_proofs),
                }
                for e in self.events
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Case:
        def day(value: str | None) -> dt.date | None:
            return dt.date.fromisoformat(value) if value else None

        return cls(
            policy_id=data["policy_id"],
            stage=Stage(data["stage"]),
            categories=tuple(Category(c) for c in data["categories"]),
            checklist=tuple(
                ChecklistItem(
                    Category(i["category"]), i["proof"], i["label_zh"], bool(i.get("provided"))
                )
                for i in data["checklist"]
            ),
            notice_working_days=int(data["notice_working_days"]),
            applied_on=dt.date.fromisoformat(data["applied_on"]),
            events=tuple(
                Event(
                    kind=StepKind(e["kind"]),
                    on=dt.date.fromisoformat(e["on"]),
                    passed=e.get("passed"),
                    end=day(e.get("end")),
                    reason=ExitReason(e["reason"]) if e.get("reason") else None,
                    note=e.get("note", ""),
                    missing_proofs=tuple(e.get("missing_proofs", ())),
                )
                for e in data["events"]
            ),
            notice_start=day(data.get("notice_start")),
            notice_end=day(data.get("notice_end")),
            recognised_on=day(data.get("recognised_on")),
            exited_on=day(data.get("exited_on")),
            exit_reason=ExitReason(data["exit_reason"]) if data.get("exit_reason") else None,
        )


# ---------------------------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------------------------


def _not_after_today(on: dt.date, today: dt.date | None) -> None:
    today = today or wall.today()
    if on > today:
        raise WorkflowError(
            _(
                "The date {date} is after today ({today}); a step is recorded on the day it "
                "happens or later, never in advance."
            ).format(date=on.isoformat(), today=today.isoformat())
        )


def missing_proofs(case: Case) -> tuple[str, ...]:
    """The proof codes of the checklist not ticked as provided (each once, in order).

    A proof serves every claimed category that names it: it is missing while any of its
    checklist items is not ticked.
    """
    missing: list[str] = []
    for item in case.checklist:
        if not item.provided and item.proof not in missing:
            missing.append(item.proof)
    return tuple(missing)


def _proof_labels(case: Case, codes: Iterable[str]) -> str:
    from caseworker.policy.pack import default_library

    proofs = default_library().get(case.policy_id).proofs
    labels = [proofs[c].label if c in proofs else c for c in codes]
    return _("; ").join(labels)


def _check_proofs(case: Case, step: Step) -> tuple[str, ...]:
    """The proofs missing for a step that needs them; refused unless the step confirms."""
    if isinstance(step, CommunityReview | TownshipReview):
        if not step.passed:
            return ()
    elif not isinstance(step, StartPublicNotice | Recognise):
        return ()
    missing = missing_proofs(case)
    if missing and not step.proofs_missing_ok:
        raise ProofsMissingError(
            ngettext(
                "{n} proof is not ticked as provided: {proofs}.",
                "{n} proofs are not ticked as provided: {proofs}.",
                len(missing),
            ).format(n=len(missing), proofs=_proof_labels(case, missing)),
            missing,
        )
    return missing


def open_application(
    on: dt.date,
    categories: Iterable[Category | str],
    pack: PolicyPack,
    *,
    note: str = "",
    today: dt.date | None = None,
) -> Case:
    """Register an application (申请) claiming ``categories``, with the pack's proof checklist.

    ``on`` may not be after ``today`` (default: :func:`caseworker.core.wall.today`).
    """
    _not_after_today(on, today)
    claimed: list[Category] = []
    for value in categories:
        try:
            code = Category(value)
        except ValueError:
            raise WorkflowError(
                _("{code} is not a category; the categories are: {codes}.").format(
                    code=value, codes=", ".join(c.value for c in Category)
                )
            ) from None
        if code in claimed:
            raise WorkflowError(_("The category {code} is claimed twice.").format(code=code.value))
        claimed.append(code)
    if not claimed:
        raise WorkflowError(_("An application must claim at least one category."))
    ordered = tuple(c for c in Category if c in claimed)
    checklist = tuple(
        ChecklistItem(code, proof.code, proof.label_zh)
        for code in ordered
        for proof in pack.checklist(code)
    )
    return Case(
        policy_id=pack.id,
        stage=Stage.APPLIED,
        categories=ordered,
        checklist=checklist,
        notice_working_days=pack.public_notice_working_days,
        applied_on=on,
        events=(Event(StepKind.APPLY, on, note=note),),
    )


#: The stage each step requires.
_REQUIRED_STAGE: dict[StepKind, Stage] = {
    StepKind.COMMUNITY_REVIEW: Stage.APPLIED,
    StepKind.TOWNSHIP_REVIEW: Stage.COMMUNITY_PASSED,
    StepKind.PUBLIC_NOTICE: Stage.TOWNSHIP_PASSED,
    StepKind.RECOGNISE: Stage.PUBLIC_NOTICE,
    StepKind.PERIODIC_REVIEW: Stage.RECOGNISED,
    StepKind.EXIT: Stage.RECOGNISED,
}

_OUT_OF_ORDER: dict[StepKind, str] = {
    StepKind.COMMUNITY_REVIEW: N_(
        "The community review can only follow an application that has not been reviewed yet."
    ),
    StepKind.TOWNSHIP_REVIEW: N_("The township review can only follow a passed community review."),
    StepKind.PUBLIC_NOTICE: N_("The public notice can only follow a passed township review."),
    StepKind.RECOGNISE: N_("Recognition can only follow a public notice."),
    StepKind.PERIODIC_REVIEW: N_(
        "A periodic review is only possible while the person is recognised."
    ),
    StepKind.EXIT: N_("Only a recognised person can exit."),
}


def _kind(step: Step) -> StepKind:
    if isinstance(step, CommunityReview):
        return StepKind.COMMUNITY_REVIEW
    if isinstance(step, TownshipReview):
        return StepKind.TOWNSHIP_REVIEW
    if isinstance(step, StartPublicNotice):
        return StepKind.PUBLIC_NOTICE
    if isinstance(step, Recognise):
        return StepKind.RECOGNISE
    if isinstance(step, PeriodicReview):
        return StepKind.PERIODIC_REVIEW
    return StepKind.EXIT


def _step_date(step: Step) -> dt.date:
    return step.start if isinstance(step, StartPublicNotice) else step.on


def allowed_steps(case: Case) -> tuple[StepKind, ...]:
    """The kinds of step that may come next (for enabling buttons)."""
    return tuple(kind for kind, stage in _REQUIRED_STAGE.items() if stage is case.stage)


def advance(
    case: Case,
    step: Step,
    *,
    calendar: WorkingCalendar | None = None,
    today: dt.date | None = None,
) -> Case:
    """Apply ``step`` to ``case`` and return the new case, or raise :class:`WorkflowError`.

    ``calendar`` (default: the shipped working-day calendar) computes the public-notice end;
    ``today`` (default: :func:`caseworker.core.wall.today`) is the latest date a step may have.
    A step that needs the proofs raises :class:`ProofsMissingError` while some are missing,
    unless it says ``proofs_missing_ok``.
    """
    kind = _kind(step)
    if case.stage.closed:
        raise WorkflowError(
            _("This case is closed ({stage}); no further step is possible.").format(
                stage=_(STAGE_LABELS[case.stage])
            )
        )
    if _REQUIRED_STAGE[kind] is not case.stage:
        raise WorkflowError(
            _("{problem} The case is now at the stage: {stage}.").format(
                problem=_(_OUT_OF_ORDER[kind]), stage=_(STAGE_LABELS[case.stage])
            )
        )
    on = _step_date(step)
    if on < case.last_date:
        raise WorkflowError(
            _(
                "The date {date} is before the previous step of this case ({last}); dates "
                "cannot go backwards."
            ).format(date=on.isoformat(), last=case.last_date.isoformat())
        )
    _not_after_today(on, today)

    if isinstance(step, CommunityReview | TownshipReview):
        missing = _check_proofs(case, step)
        event = Event(kind, on, passed=step.passed, note=step.note, missing_proofs=missing)
        if isinstance(step, CommunityReview):
            stage = Stage.COMMUNITY_PASSED if step.passed else Stage.COMMUNITY_REJECTED
        else:
            stage = Stage.TOWNSHIP_PASSED if step.passed else Stage.TOWNSHIP_REJECTED
        return replace(case, stage=stage, events=(*case.events, event))

    if isinstance(step, StartPublicNotice):
        cal = calendar or default_calendar()
        if not cal.is_working_day(step.start):
            raise WorkflowError(
                _("The public notice must start on a working day; {date} is not one.").format(
                    date=step.start.isoformat()
                )
            )
        end = cal.add_working_days(step.start, case.notice_working_days)
        missing = _check_proofs(case, step)
        event = Event(kind, step.start, end=end, note=step.note, missing_proofs=missing)
        return replace(
            case,
            stage=Stage.PUBLIC_NOTICE,
            notice_start=step.start,
            notice_end=end,
            events=(*case.events, event),
        )

    if isinstance(step, Recognise):
        assert case.notice_end is not None
        if step.on <= case.notice_end:
            raise WorkflowError(
                _(
                    "Recognition can only come after the public notice has ended: the notice "
                    "runs until {end}, so the earliest date is {earliest}."
                ).format(
                    end=case.notice_end.isoformat(),
                    earliest=(case.notice_end + dt.timedelta(days=1)).isoformat(),
                )
            )
        missing = _check_proofs(case, step)
        event = Event(kind, step.on, note=step.note, missing_proofs=missing)
        return replace(
            case, stage=Stage.RECOGNISED, recognised_on=step.on, events=(*case.events, event)
        )

    if isinstance(step, PeriodicReview):
        return replace(case, events=(*case.events, Event(kind, step.on, note=step.note)))

    reason = ExitReason(step.reason)
    if reason is ExitReason.OTHER and not step.note.strip():
        raise WorkflowError(_("Say in a note why the person exits when the reason is other."))
    event = Event(kind, step.on, reason=reason, note=step.note)
    return replace(
        case,
        stage=Stage.EXITED,
        exited_on=step.on,
        exit_reason=reason,
        events=(*case.events, event),
    )
