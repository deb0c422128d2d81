"""``caseworker recognition list|show|advance|proof|reassess``: the 认定 workflow on the console."""

from __future__ import annotations

import argparse
import datetime as dt

from sqlalchemy.orm import Session

from caseworker import bootstrap
from caseworker.core import idcard, wall
from caseworker.core.dates import parse_date
from caseworker.core.errors import NotFoundError, UserError
from caseworker.i18n import N_, _
from caseworker.policy.categories import Category, category_label
from caseworker.policy.pack import default_library
from caseworker.recognition import service
from caseworker.recognition.workflow import (
    EXIT_REASON_LABELS,
    STAGE_LABELS,
    CommunityReview,
    Exit,
    ExitReason,
    PeriodicReview,
    ProofsMissingError,
    Recognise,
    Stage,
    StartPublicNotice,
    Step,
    StepKind,
    TownshipReview,
)
from caseworker.registry import persons
from caseworker.store.models import Person, RecognitionCase

#: Step names on the command line, and the workflow step kind each one is.
STEPS: dict[str, StepKind] = {
    "apply": StepKind.APPLY,
    "community-review": StepKind.COMMUNITY_REVIEW,
    "township-review": StepKind.TOWNSHIP_REVIEW,
    "notice": StepKind.PUBLIC_NOTICE,
    "recognise": StepKind.RECOGNISE,
    "review": StepKind.PERIODIC_REVIEW,
    "exit": StepKind.EXIT,
}
STAGES = tuple(s.value for s in Stage)
STEP_LABELS: dict[StepKind, str] = {
    StepKind.APPLY: N_("Application"),
    StepKind.COMMUNITY_REVIEW: N_("Community review"),
    StepKind.TOWNSHIP_REVIEW: N_("Township review"),
    StepKind.PUBLIC_NOTICE: N_("Public notice"),
    StepKind.RECOGNISE: N_("Recognition"),
    StepKind.PERIODIC_REVIEW: N_("Periodic review"),
    StepKind.EXIT: N_("Exit"),
}


class UnknownPersonError(NotFoundError):
    """The person named on the command line is not registered."""


class StepUsageError(UserError):
    """A step is missing an option it needs, or has one it cannot use."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "recognition", help=_("recognition of persons with employment difficulty (认定)")
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = actions.add_parser("list", help=_("list recognition cases"))
    p.add_argument("--stage", choices=STAGES, help=_("only cases at this stage"))
    p.add_argument("--flagged", action="store_true", help=_("only cases the re-assessment flagged"))
    p.set_defaults(handler=run_list)

    p = actions.add_parser("show", help=_("show a person's assessment and recognition case"))
    p.add_argument("person", help=_("ID number or record id"))
    p.add_argument("--on", help=_("assess on this date (default: today)"))
    p.set_defaults(handler=run_show)

    p = actions.add_parser("advance", help=_("record the next step of a person's case"))
    p.add_argument("person", help=_("ID number or record id"))
    p.add_argument("step", choices=tuple(STEPS), help=_("the step to record"))
    p.add_argument("--on", help=_("date of the step, or start of the notice (default: today)"))
    verdict = p.add_mutually_exclusive_group()
    verdict.add_argument(
        "--passed", dest="passed", action="store_const", const=True, help=_("the review passed")
    )
    verdict.add_argument(
        "--rejected", dest="passed", action="store_const", const=False, help=_("it was rejected")
    )
    p.add_argument(
        "--reason",
        choices=tuple(r.value for r in ExitReason),
        help=_("why the person exits (for exit)"),
    )
    p.add_argument("--note", default="", help=_("a note kept with the step"))
    p.add_argument(
        "--categories", default="", help=_("claimed category codes, separated by commas (apply)")
    )
    p.add_argument(
        "--proofs-missing-ok",
        action="store_true",
        help=_("take the step although proofs are not ticked as provided (it is recorded)"),
    )
    p.set_defaults(handler=run_advance)

    p = actions.add_parser(
        "proof",
        help=_(
            "tick or untick a proof of a person's open case (one document serves every "
            "category that needs it)"
        ),
    )
    p.add_argument("person", help=_("ID number or record id"))
    p.add_argument(
        "codes",
        nargs="+",
        metavar="[CATEGORY] PROOF",
        help=_("the proof code, optionally after a category code that needs it"),
    )
    p.add_argument("--missing", action="store_true", help=_("mark it as not provided"))
    p.set_defaults(handler=run_proof)

    p = actions.add_parser("reassess", help=_("re-assess every recognised person"))
    p.add_argument("--on", help=_("assess on this date (default: today)"))
    p.set_defaults(handler=run_reassess)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _date(value: str | None, option: str) -> dt.date:
    if not value:
        return wall.today()
    parsed = parse_date(value, option)
    assert parsed is not None
    return parsed


def find_person(session: Session, text: str) -> Person:
    """The live person with this ID number or record id; :class:`UnknownPersonError` if none."""
    person = persons.find(session, text)
    if person is None or person.deleted:
        raise UnknownPersonError(
            _("No registered person has the ID number or record id {value}.").format(value=text)
        )
    return person


def _stage(code: str) -> str:
    return _(STAGE_LABELS[Stage(code)])


def _step_label(kind: str) -> str:
    return _(STEP_LABELS[StepKind(kind)])


def _categories(text: str) -> list[str]:
    return [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]


def _open_case(session: Session, person: Person) -> RecognitionCase:
    case = service.current_case(session, person.id)
    if case is None:
        raise _no_case(person)
    return case


def _no_case(person: Person) -> UserError:
    return StepUsageError(
        _("{name} has no recognition case; record an application first (step apply).").format(
            name=person.name
        )
    )


def build_step(args: argparse.Namespace, kind: StepKind, on: dt.date) -> Step:
    """The workflow step for the command-line options, or :class:`StepUsageError`."""
    note = args.note.strip()
    ok = bool(getattr(args, "proofs_missing_ok", False))
    if kind in (StepKind.COMMUNITY_REVIEW, StepKind.TOWNSHIP_REVIEW):
        if args.passed is None:
            raise StepUsageError(_("Say how the review ended: --passed or --rejected."))
        cls = CommunityReview if kind is StepKind.COMMUNITY_REVIEW else TownshipReview
        return cls(on=on, passed=args.passed, note=note, proofs_missing_ok=ok)
    if args.passed is not None:
        raise StepUsageError(_("--passed and --rejected are only for the reviews."))
    if kind is StepKind.PUBLIC_NOTICE:
        return StartPublicNotice(start=on, note=note, proofs_missing_ok=ok)
    if kind is StepKind.RECOGNISE:
        return Recognise(on=on, note=note, proofs_missing_ok=ok)
    if kind is StepKind.PERIODIC_REVIEW:
        return PeriodicReview(on=on, note=note)
    if not args.reason:
        raise StepUsageError(
            _("Say why the person exits with --reason ({reasons}).").format(
                reasons=", ".join(r.value for r in ExitReason)
            )
        )
    return Exit(on=on, reason=ExitReason(args.reason), note=note)


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            rows = service.cases(session, stage=args.stage, flagged=args.flagged)
            for case in rows:
                person = case.person
                line = "  ".join(
                    (
                        person.name,
                        idcard.mask(person.id_number),
                        person.village.name if person.village else "-",
                        _stage(case.stage),
                        case.opened_on.isoformat(),
                    )
                )
                if case.needs_review:
                    line += "  " + _("[needs review]")
                print(line)
            print(_("{n} cases.").format(n=len(rows)))
    finally:
        store.dispose()
    return 0


def _print_case(session: Session, case: RecognitionCase) -> None:
    print(_("Recognition case: {stage}").format(stage=_stage(case.stage)))
    labels = ", ".join(category_label(c) for c in service.categories_of(case))
    print("  " + _("Categories claimed: {labels}").format(labels=labels))
    print("  " + _("Policy: {policy}").format(policy=case.policy_id))
    dates = (
        (_("Applied on"), case.opened_on),
        (_("Public notice from"), case.notice_start),
        (_("Public notice until"), case.notice_end),
        (_("Recognised on"), case.recognised_on),
        (_("Last periodic review"), case.last_review_on),
        (_("Exited on"), case.exited_on),
    )
    for label, value in dates:
        if value is not None:
            print(f"  {label}: {value.isoformat()}")
    if case.exit_reason:
        reason = _(EXIT_REASON_LABELS[ExitReason(case.exit_reason)])
        print("  " + _("Exit reason: {reason}").format(reason=reason))
        if case.exit_note:
            print(f"    {case.exit_note}")
    if case.needs_review:
        print(
            "  "
            + _("Needs review: {reason}").format(
                reason=service.review_reason_text(case.review_reason, case.review_flagged_on)
            )
        )
    pack = default_library().get(case.policy_id)
    documents = service.proof_documents(session, case.id)
    if documents:
        print(_("Proofs (one document serves every category that needs it):"))
    for document in documents:
        proof = pack.proofs.get(document.proof)
        label = proof.label if proof is not None else document.proof
        mark = {True: "[x]", False: "[ ]", None: "[-]"}[document.provided]
        served = "; ".join(category_label(c) for c in document.categories)
        print(f"  {mark} {label} ({document.proof}): {served}")
    print(_("History:"))
    for step in service.history(session, case.id):
        parts = [step.on.isoformat(), _step_label(step.kind)]
        if step.passed is not None:
            parts.append(_("passed") if step.passed else _("rejected"))
        if step.end_on is not None:
            parts.append(_("until {date}").format(date=step.end_on.isoformat()))
        if step.exit_reason:
            parts.append(_(EXIT_REASON_LABELS[ExitReason(step.exit_reason)]))
        missing = [c for c in step.missing_proofs.split(",") if c]
        if missing:
            names = [pack.proofs[c].label if c in pack.proofs else c for c in missing]
            parts.append(_("[proofs missing: {proofs}]").format(proofs="; ".join(names)))
        parts.append(f"({step.actor_name or _('(the program)')})")
        if step.note:
            parts.append(f"- {step.note}")
        print("  " + " ".join(parts))


def run_show(args: argparse.Namespace) -> int:
    on = _date(args.on, "on")
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            person = find_person(session, args.person)
            village = person.village.name if person.village else "-"
            print(f"{person.name}  {person.id_number}  {village}")
            decision = service.assess_person(session, person.id, on)
            print(_("Assessment on {date}:").format(date=on.isoformat()))
            for reason in decision.reasons:
                print(f"  - {reason}")
            case = service.current_case(session, person.id)
            if case is None:
                print(_("No recognition case."))
            else:
                _print_case(session, case)
    finally:
        store.dispose()
    return 0


def run_advance(args: argparse.Namespace) -> int:
    kind = STEPS[args.step]
    on = _date(args.on, "on")
    if kind is not StepKind.APPLY:
        step = build_step(args, kind, on)
        if args.categories:
            raise StepUsageError(_("--categories is only for the application (step apply)."))
    elif args.passed is not None or args.reason:
        raise StepUsageError(_("The application takes --categories, --on and --note only."))
    elif not _categories(args.categories):
        raise StepUsageError(
            _("Name the claimed categories with --categories ({codes}).").format(
                codes=", ".join(c.value for c in Category)
            )
        )
    store = bootstrap.open_database(args.db)
    try:
        with store.transaction() as session:
            person = find_person(session, args.person)
            if kind is StepKind.APPLY:
                case = service.open_application(
                    session, person.id, on, _categories(args.categories), note=args.note
                )
            else:
                case = service.advance(session, _open_case(session, person).id, step)
            name, stage, end = person.name, case.stage, case.notice_end
            missing = service.history(session, case.id)[-1].missing_proofs
    except ProofsMissingError as exc:
        raise StepUsageError(
            _(
                "{problem} Tick them with `caseworker recognition proof`, or take the step "
                "without them with --proofs-missing-ok (it is recorded)."
            ).format(problem=exc)
        ) from exc
    finally:
        store.dispose()
    if missing:
        print(_("Taken with proofs missing; the step records them."))
    print(_("{name}: {stage}.").format(name=name, stage=_stage(stage)))
    if kind is StepKind.PUBLIC_NOTICE and end is not None:
        print(_("The public notice runs until {date}.").format(date=end.isoformat()))
    return 0


def run_proof(args: argparse.Namespace) -> int:
    if len(args.codes) > 2:
        raise StepUsageError(_("Name the proof, optionally after a category: [CATEGORY] PROOF."))
    *category, proof = (str(c) for c in args.codes)
    store = bootstrap.open_database(args.db)
    try:
        with store.transaction() as session:
            person = find_person(session, args.person)
            case = _open_case(session, person)
            if category:
                service.set_proof(session, case.id, category[0], proof, not args.missing)
            else:
                service.provide_proof(session, case.id, proof, not args.missing)
    finally:
        store.dispose()
    return 0


def run_reassess(args: argparse.Namespace) -> int:
    on = _date(args.on, "on")
    store = bootstrap.open_database(args.db)
    try:
        with store.transaction() as session:
            changed = service.reassess_recognised(session, on)
            lines = [
                (
                    c.person.name,
                    c.needs_review,
                    service.review_reason_text(c.review_reason, c.review_flagged_on),
                )
                for c in changed
            ]
            flagged = len(service.cases(session, stage=Stage.RECOGNISED, flagged=True))
    finally:
        store.dispose()
    for name, needs_review, reason in lines:
        if needs_review:
            print(_("{name}: needs review. {reason}").format(name=name, reason=reason))
        else:
            print(_("{name}: qualifies again; the review flag is cleared.").format(name=name))
    print(
        _("Reassessed on {date}: {changed} flags changed, {flagged} cases need review.").format(
            date=on.isoformat(), changed=len(lines), flagged=flagged
        )
    )
    return 0


__all__ = ["STEPS", "StepUsageError", "UnknownPersonError", "build_step", "find_person", "register"]
