"""``caseworker assist``: one-to-one assistance on the console (plans, contacts, offers,
outcomes, closing; the worklist and refusals as JSON for scripts).

Exit status: 0 done; 1 refused input (an unknown person, a date in the future, a contact
before the plan opened, an outcome for a person already employed …); 2 a usage mistake.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from caseworker import bootstrap
from caseworker.casework import plans, worklist
from caseworker.casework.rules import rules_on
from caseworker.casework.vocab import (
    ANSWER_LABELS,
    CHANNEL_LABELS,
    CLOSE_LABELS,
    DUE_LABELS,
    OFFER_LABELS,
    SERVICE_LABELS,
    Answer,
    Channel,
    CloseReason,
    Evidence,
    OfferKind,
    Service,
    label,
    parse_codes,
    split_codes,
)
from caseworker.cli import EXIT_REFUSED
from caseworker.commands.recognition import find_person
from caseworker.core import idcard
from caseworker.core.errors import UsageError, ValidationError
from caseworker.core.money import Money
from caseworker.i18n import _, ngettext
from caseworker.policy.dates import parse_iso_date
from caseworker.store.uow import find_staff


def iso_date(text: str) -> dt.date:
    """An argparse type: a date written ``YYYY-MM-DD`` (anything else is a usage mistake)."""
    try:
        return parse_iso_date(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a date written as YYYY-MM-DD.").format(value=text)
        ) from None


def code_list(kind: type[Any]) -> Callable[[str], tuple[str, ...]]:
    """An argparse type: codes of ``kind`` separated by commas."""

    def parse(text: str) -> tuple[str, ...]:
        try:
            return parse_codes(text, kind, "codes")
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def whole_number(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(_("{value} is not a whole number.").format(value=text))
    return int(text)


def amount(text: str) -> Money:
    try:
        return Money.parse(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _choices(kind: type[Any]) -> tuple[str, ...]:
    return tuple(member.value for member in kind)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("assist", help=_("one-to-one assistance (一对一就业援助)"))
    parser.set_defaults(refused_status=EXIT_REFUSED)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    person_help = _("ID number or record id")

    p = actions.add_parser("plan", help=_("open an assistance plan for a person"))
    p.add_argument("person", help=person_help)
    p.add_argument("--worker", required=True, help=_("the responsible caseworker (援助责任人)"))
    p.add_argument("--on", type=iso_date, help=_("the opening date (default: today)"))
    p.add_argument("--measures", default="", help=_("the measures agreed (援助措施)"))
    p.add_argument(
        "--services",
        type=code_list(Service),
        default=(),
        help=_("services needed: codes, comma-separated"),
    )
    p.add_argument("--signed", type=iso_date, help=_("the date the agreement was signed"))
    p.add_argument("--target", type=iso_date, help=_("the target date"))
    p.set_defaults(handler=run_plan, refused_status=EXIT_REFUSED)

    p = actions.add_parser("contact", help=_("record a contact (帮扶记录)"))
    p.add_argument("person", help=person_help)
    p.add_argument("--on", type=iso_date, required=True, help=_("the date of the contact"))
    p.add_argument("--channel", choices=_choices(Channel), required=True)
    p.add_argument(
        "--services",
        type=code_list(Service),
        default=(),
        help=_("services given: codes, comma-separated"),
    )
    p.add_argument("--note", default="", help=_("what was done"))
    p.add_argument("--next", type=iso_date, help=_("the date of the next contact"))
    p.add_argument("--worker", help=_("who made the contact (default: you)"))
    p.add_argument("--corrects", help=_("the id of the contact this entry corrects"))
    p.set_defaults(handler=run_contact, refused_status=EXIT_REFUSED)

    p = actions.add_parser("offer", help=_("record a post offered and the answer"))
    p.add_argument("person", help=person_help)
    p.add_argument("--on", type=iso_date, required=True, help=_("the date of the offer"))
    p.add_argument("--kind", choices=_choices(OfferKind), required=True)
    p.add_argument("--post", required=True, help=_("the post"))
    p.add_argument("--employer", default="", help=_("the employer"))
    p.add_argument("--answer", choices=_choices(Answer), required=True)
    p.add_argument("--reason", default="", help=_("why it was refused"))
    p.set_defaults(handler=run_offer, refused_status=EXIT_REFUSED)

    p = actions.add_parser("outcome", help=_("count the person as employed (就业认定)"))
    p.add_argument("person", help=person_help)
    p.add_argument("--on", type=iso_date, required=True, help=_("the first day of work"))
    p.add_argument("--evidence", choices=_choices(Evidence), required=True)
    p.add_argument("--note", default="", help=_("the evidence seen (contract number …)"))
    p.add_argument("--contract-months", type=whole_number, help=_("the contract's length"))
    p.add_argument(
        "--flexible-days", type=whole_number, help=_("days of flexible work in the year")
    )
    p.add_argument("--monthly-income", type=amount, help=_("monthly labour income in yuan"))
    p.set_defaults(handler=run_outcome, refused_status=EXIT_REFUSED)

    p = actions.add_parser("close", help=_("close a person's assistance plan"))
    p.add_argument("person", help=person_help)
    p.add_argument("--on", type=iso_date, required=True, help=_("the closing date"))
    p.add_argument("--reason", choices=_choices(CloseReason), required=True)
    p.add_argument("--note", default="", help=_("a note kept with the closing"))
    p.set_defaults(handler=run_close, refused_status=EXIT_REFUSED)

    p = actions.add_parser("show", help=_("a person's plan, contacts, offers and outcomes"))
    p.add_argument("person", help=person_help)
    p.set_defaults(handler=run_show, refused_status=EXIT_REFUSED)

    p = actions.add_parser("due", help=_("who is due for a contact (the worklist)"))
    p.add_argument("--on", type=iso_date, required=True, help=_("the day of the worklist"))
    p.add_argument("--all", action="store_true", help=_("also those not yet due"))
    p.add_argument("--worker", help=_("only the plans of this caseworker"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_due, refused_status=EXIT_REFUSED)

    p = actions.add_parser("refusals", help=_("persons who refused offers too often"))
    p.add_argument("--on", type=iso_date, required=True, help=_("the last day of the window"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_refusals, refused_status=EXIT_REFUSED)


# ---------------------------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------------------------


def _write(args: argparse.Namespace, work: Callable[[Session, uuid.UUID, str], str]) -> int:
    """Run ``work(session, person_id, name)`` in one transaction and print what it returns."""
    store = bootstrap.open_database(args.db)
    try:
        with store.transaction() as session:
            person = find_person(session, args.person)
            message = work(session, person.id, person.name)
    finally:
        store.dispose()
    print(message)
    return 0


def run_plan(args: argparse.Namespace) -> int:
    on = args.on

    def work(session: Session, person_id: uuid.UUID, name: str) -> str:
        from caseworker.core import wall

        day = on or wall.today()
        plan = plans.open_plan(
            session, person_id, on=day, worker=args.worker,
            situation=plans.Situation(services_needed=args.services, measures=args.measures),
            signed_on=args.signed, target_on=args.target,
        )  # fmt: skip
        return _("{name}: assistance plan opened on {date}, responsible: {worker}.").format(
            name=name, date=plan.opened_on.isoformat(), worker=args.worker.strip()
        )

    return _write(args, work)


def _uuid(text: str | None, option: str) -> uuid.UUID | None:
    if text is None:
        return None
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise UsageError(
            _("{option} takes a record id such as {example}.").format(
                option=option, example="2f1c…"
            )
        ) from None


def run_contact(args: argparse.Namespace) -> int:
    corrects = _uuid(args.corrects, "--corrects")

    def work(session: Session, person_id: uuid.UUID, name: str) -> str:
        contact = plans.add_contact(
            session, person_id, on=args.on, channel=args.channel, services=args.services,
            note=args.note, next_on=args.next, worker=args.worker, supersedes=corrects,
        )  # fmt: skip
        return _("{name}: contact of {date} recorded ({id}).").format(
            name=name, date=contact.on.isoformat(), id=contact.id
        )

    return _write(args, work)


def run_offer(args: argparse.Namespace) -> int:
    def work(session: Session, person_id: uuid.UUID, name: str) -> str:
        plans.add_offer(
            session, person_id, on=args.on, kind=args.kind, post=args.post,
            employer=args.employer, answer=args.answer, reason=args.reason,
        )  # fmt: skip
        count = plans.refusals(session, person_id, args.on)
        rules = rules_on(args.on)
        line = _("{name}: offer of {date} recorded ({answer}).").format(
            name=name, date=args.on.isoformat(), answer=label(ANSWER_LABELS, args.answer)
        )
        if args.answer == Answer.REFUSED and count >= rules.refusal_count:
            line += "\n" + _(
                "{name} refused {n} offers in {months} months ({source}): consider an exit; "
                "the caseworker decides."
            ).format(
                name=name, n=count, months=rules.refusal_window_months,
                source=rules.pack.param_citation("assistance_refusal_count"),
            )  # fmt: skip
        return line

    return _write(args, work)


def run_outcome(args: argparse.Namespace) -> int:
    def work(session: Session, person_id: uuid.UUID, name: str) -> str:
        plans.record_outcome(
            session, person_id, on=args.on, evidence=args.evidence, note=args.note,
            contract_months=args.contract_months, flexible_days=args.flexible_days,
            monthly_income=args.monthly_income,
        )  # fmt: skip
        return _("{name}: employed from {date}.").format(name=name, date=args.on.isoformat())

    return _write(args, work)


def run_close(args: argparse.Namespace) -> int:
    def work(session: Session, person_id: uuid.UUID, name: str) -> str:
        plans.close_plan(session, person_id, on=args.on, reason=args.reason, note=args.note)
        return _("{name}: assistance plan closed on {date} ({reason}).").format(
            name=name, date=args.on.isoformat(), reason=label(CLOSE_LABELS, args.reason)
        )

    return _write(args, work)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _services(codes: str) -> str:
    return ", ".join(label(SERVICE_LABELS, c) for c in split_codes(codes))


def run_show(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            person = find_person(session, args.person)
            print(f"{person.name}  {person.id_number}")
            plan = plans.current_plan(session, person.id)
            if plan is None:
                print(_("No assistance plan."))
                return 0
            print(
                _("Plan opened on {date}, responsible: {worker}.").format(
                    date=plan.opened_on.isoformat(), worker=plan.worker.name
                )
            )
            if plan.closed_on is not None:
                print(
                    _("Closed on {date}: {reason}.").format(
                        date=plan.closed_on.isoformat(),
                        reason=label(CLOSE_LABELS, plan.close_reason),
                    )
                )
            print(_("Contacts:"))
            for contact, replaced in plans.contacts(session, plan.id):
                mark = _("[corrected]") + " " if replaced else ""
                print(
                    f"  {mark}{contact.on.isoformat()}  {label(CHANNEL_LABELS, contact.channel)}  "
                    f"{contact.worker.name}  {_services(contact.services)}  {contact.note}  ({contact.id})"
                )
            print(_("Offers:"))
            for offer in plans.offers(session, plan.id):
                print(
                    f"  {offer.on.isoformat()}  {label(OFFER_LABELS, offer.kind)}  {offer.post}  "
                    f"{offer.employer}  {label(ANSWER_LABELS, offer.answer)}  {offer.reason}"
                )
            print(_("Outcomes:"))
            for outcome in plans.outcomes(session, plan.id):
                print(f"  {outcome.on.isoformat()}  {outcome.evidence}  {outcome.note}")
    finally:
        store.dispose()
    return 0


def _dump(rows: list[dict[str, object]]) -> None:
    print(json.dumps(rows, ensure_ascii=False, indent=2))


def run_due(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            worker_id = None
            if args.worker:
                worker_id = find_staff(session, args.worker.strip())
                if worker_id is None:
                    raise ValidationError(
                        _("No staff member is called {name}.").format(name=args.worker)
                    )
            window = worklist.Window.ALL if args.all else worklist.Window.DUE
            rows = worklist.due_rows(session, args.on, window=window, worker_id=worker_id)
    finally:
        store.dispose()
    if args.json:
        _dump([r.to_json() for r in rows])
        return 0
    for r in rows:
        last = r.last_contact_on.isoformat() if r.last_contact_on else "-"
        print(
            f"{r.name}  {idcard.mask(r.id_number)}  {r.worker}  {r.due_on.isoformat()}  "
            + ngettext("{n} day overdue", "{n} days overdue", r.days_overdue).format(
                n=r.days_overdue
            )
            + f"  {last}  {label(DUE_LABELS, r.reason)}"
        )
    print(_("{n} persons.").format(n=len(rows)))
    return 0


def run_refusals(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            rows = worklist.refusal_list(session, args.on)
    finally:
        store.dispose()
    if args.json:
        _dump([r.to_json() for r in rows])
        return 0
    for r in rows:
        print(
            _("{name} ({id}): {n} refusals since {start}.").format(
                name=r.name,
                id=idcard.mask(r.id_number),
                n=r.refusals,
                start=r.window_start.isoformat(),
            )
        )
    return 0


__all__ = ["amount", "iso_date", "register"]
