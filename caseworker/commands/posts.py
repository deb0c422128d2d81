"""``caseworker employers|posts|placements|attendance|payroll``: public-welfare posts on the
console (JSON where asked; money printed as strings with two decimals, ``"1809.52"``).

Exit status: 0 done; 1 refused input (an unknown person, not eligible, a cap reached, more
days than possible, a locked month …), with one line saying why and nothing written; 2 a
usage mistake.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from caseworker import bootstrap, claims
from caseworker.cli import EXIT_REFUSED
from caseworker.commands.assist import amount, iso_date, whole_number
from caseworker.commands.assist_print import month
from caseworker.commands.recognition import find_person
from caseworker.core.errors import UsageError
from caseworker.i18n import _
from caseworker.posts import attendance, payroll, service
from caseworker.posts.rules import rule_text, rules_on
from caseworker.posts.vocab import Area, Contract, ExitReason, Hours
from caseworker.recognition.service import _actor_id
from caseworker.store.uow import Store

_CONTRACTS = {"labour": Contract.LABOUR, "service": Contract.SERVICE}


def _choices(kind: type[Any]) -> list[str]:
    return [member.value for member in kind]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    person_help = _("ID number or record id")

    group = sub.add_parser("employers", help=_("employers of public-welfare posts (用人单位)"))
    group.set_defaults(refused_status=EXIT_REFUSED)
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("add", help=_("register an employer (prints its record id)"))
    p.add_argument("--name", required=True, help=_("the employer's name"))
    p.add_argument("--credit-code", default="", help=_("unified social credit code (18 chars)"))
    p.add_argument("--phone", default="", help=_("contact phone"))
    p.add_argument("--contact", default="", help=_("contact person"))
    p.add_argument("--bank", default="", help=_("bank name"))
    p.add_argument("--account", default="", help=_("bank account number"))
    p.set_defaults(handler=run_employer_add, refused_status=EXIT_REFUSED)
    p = actions.add_parser("list", help=_("the employers"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_employer_list, refused_status=EXIT_REFUSED)

    group = sub.add_parser("posts", help=_("public-welfare posts (公益性岗位)"))
    group.set_defaults(refused_status=EXIT_REFUSED)
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("add", help=_("add a post (prints its record id)"))
    p.add_argument("--employer", required=True, help=_("the employer's name"))
    p.add_argument("--title", required=True, help=_("the post's title"))
    p.add_argument("--kind", choices=_choices(Area), required=True, help=_("urban or rural"))
    p.add_argument("--standard", type=amount, required=True, help=_("monthly standard, yuan"))
    p.add_argument("--hours", choices=_choices(Hours), default=Hours.FULL.value)
    p.add_argument("--village", default="", help=_("the village or community"))
    p.add_argument("--headcount", type=whole_number, default=1, help=_("places in the post"))
    p.add_argument("--funded-from", type=iso_date, help=_("first day of the post's funding"))
    p.add_argument("--funded-until", type=iso_date, help=_("last day of the post's funding"))
    p.set_defaults(handler=run_post_add, refused_status=EXIT_REFUSED)
    p = actions.add_parser("list", help=_("the posts with their places taken"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_post_list, refused_status=EXIT_REFUSED)

    group = sub.add_parser("placements", help=_("placements in public-welfare posts"))
    group.set_defaults(refused_status=EXIT_REFUSED)
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("start", help=_("place a person in a post"))
    p.add_argument("person", help=person_help)
    p.add_argument("--post", required=True, help=_("the post's record id"))
    p.add_argument("--on", type=iso_date, required=True, help=_("the first day in the post"))
    p.add_argument("--contract", choices=list(_CONTRACTS), default="labour")
    p.add_argument("--until", type=iso_date, help=_("the contract's last day (default: a year)"))
    p.set_defaults(handler=run_start, refused_status=EXIT_REFUSED)
    p = actions.add_parser("renew", help=_("renew the contract of the open placement"))
    p.add_argument("person", help=person_help)
    p.add_argument("--until", type=iso_date, help=_("the new last day (default: a year more)"))
    p.set_defaults(handler=run_renew, refused_status=EXIT_REFUSED)
    p = actions.add_parser("end", help=_("record an exit from the post (退岗)"))
    p.add_argument("person", help=person_help)
    p.add_argument("--on", type=iso_date, required=True, help=_("the last day in the post"))
    p.add_argument("--reason", choices=_choices(ExitReason), required=True)
    p.add_argument("--note", default="", help=_("a note kept with the exit"))
    p.set_defaults(handler=run_end, refused_status=EXIT_REFUSED)
    p = actions.add_parser("show", help=_("a person's placements"))
    p.add_argument("person", help=person_help)
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_show, refused_status=EXIT_REFUSED)
    p = actions.add_parser("ending", help=_("placements whose subsidy period ends soon"))
    p.add_argument("--on", type=iso_date, help=_("the day of the list (default: today)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_ending, refused_status=EXIT_REFUSED)

    group = sub.add_parser("attendance", help=_("monthly attendance of placed persons"))
    group.set_defaults(refused_status=EXIT_REFUSED)
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("set", help=_("record a person's days of a month"))
    p.add_argument("person", help=person_help)
    p.add_argument("--month", type=month, required=True, help=_("the month, YYYY-MM"))
    p.add_argument("--worked", type=whole_number, required=True, help=_("days worked"))
    p.add_argument("--required", type=whole_number, help=_("days required (default: calendar)"))
    p.add_argument("--score", type=whole_number, help=_("the month's score (out of 100)"))
    p.add_argument("--note", default="", help=_("a note"))
    for name, text in (
        ("pension", _("employer's pension insurance paid for the month")),
        ("medical", _("employer's medical insurance paid for the month")),
        ("unemployment", _("employer's unemployment insurance paid for the month")),
    ):
        p.add_argument(f"--{name}", type=amount, help=text)
    p.set_defaults(handler=run_attendance_set, refused_status=EXIT_REFUSED)
    p = actions.add_parser("import", help=_("import the station's attendance sheet (.xlsx)"))
    p.add_argument("file", type=Path, help=_("the .xlsx or .csv file"))
    p.set_defaults(handler=run_attendance_import, refused_status=EXIT_REFUSED)

    group = sub.add_parser("payroll", help=_("the monthly post-subsidy roster"))
    group.set_defaults(refused_status=EXIT_REFUSED)
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, helptext in (
        ("build", _("build (or build again) the draft roster of the month")),
        ("submit", _("submit the month's roster (it is then locked)")),
        ("approve", _("record the county's approval")),
        ("paid", _("record the payment")),
    ):
        p = actions.add_parser(name, help=helptext)
        p.add_argument("--month", type=month, required=True, help=_("the month, YYYY-MM"))
        p.set_defaults(handler=run_payroll_step, refused_status=EXIT_REFUSED)
    p = actions.add_parser("show", help=_("the month's roster and its state"))
    p.add_argument("--month", type=month, required=True, help=_("the month, YYYY-MM"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_payroll_show, refused_status=EXIT_REFUSED)
    p = actions.add_parser("adjust", help=_("correct a line of a locked month in a later month"))
    p.add_argument("--line", required=True, help=_("the record id of the line to correct"))
    p.add_argument("--month", type=month, required=True, help=_("the draft month, YYYY-MM"))
    p.add_argument("--worked", type=whole_number, help=_("the corrected days worked"))
    p.add_argument("--required", type=whole_number, help=_("the corrected days required"))
    p.add_argument("--note", default="", help=_("why"))
    p.set_defaults(handler=run_adjust, refused_status=EXIT_REFUSED)


# ---------------------------------------------------------------------------------------------


def _write(args: argparse.Namespace, work: Callable[[Session, Store], str]) -> int:
    store = bootstrap.open_database(args.db)
    try:
        with store.transaction() as session:
            message = work(session, store)
    finally:
        store.dispose()
    print(message)
    return 0


def _read(args: argparse.Namespace, work: Callable[[Session, Store], None]) -> int:
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            work(session, store)
    finally:
        store.dispose()
    return 0


def _dump(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def run_employer_add(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> str:
        employer = service.add_employer(
            session, store.station_code, name=args.name, credit_code=args.credit_code,
            phone=args.phone, contact_name=args.contact, bank_name=args.bank,
            bank_account=args.account,
        )  # fmt: skip
        return str(employer.id)

    return _write(args, work)


def run_employer_list(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> None:
        rows = [
            {"id": str(e.id), "name": e.name, "credit_code": e.credit_code, "phone": e.phone}
            for e in service.employers(session)
        ]
        if args.json:
            _dump(rows)
        for row in [] if args.json else rows:
            print(f"{row['id']}  {row['name']}  {row['credit_code']}  {row['phone']}")

    return _read(args, work)


def run_post_add(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> str:
        post = service.add_post(
            session, store.station_code, employer=args.employer, title=args.title,
            area=args.kind, standard=args.standard, hours=args.hours, village=args.village,
            headcount=args.headcount, funded_from=args.funded_from,
            funded_until=args.funded_until,
        )  # fmt: skip
        return str(post.id)

    return _write(args, work)


def run_post_list(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> None:
        rows = service.post_rows(session)
        if args.json:
            _dump(
                [
                    {
                        "id": str(r.id),
                        "employer": r.employer,
                        "title": r.title,
                        "kind": r.area,
                        "hours": r.hours,
                        "village": r.village,
                        "headcount": r.headcount,
                        "occupied": r.occupied,
                        "standard": str(r.standard),
                        "funded_from": _iso(r.funded_from),
                        "funded_until": _iso(r.funded_until),
                    }
                    for r in rows
                ]
            )
            return
        for r in rows:
            print(
                f"{r.id}  {r.employer}  {r.title}  {r.village}  "
                f"{r.occupied}/{r.headcount}  {r.standard}"
            )

    return _read(args, work)


def run_start(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> str:
        person = find_person(session, args.person)
        placement = service.start_placement(
            session, person.id, post_id=args.post, on=args.on,
            contract=_CONTRACTS[args.contract], until=args.until,
        )  # fmt: skip
        rules = rules_on(placement.starts_on)
        return _("{name}: placed from {start}; subsidies until {until} ({rule}).").format(
            name=person.name,
            start=placement.starts_on.isoformat(),
            until=placement.subsidy_until.isoformat(),
            rule=rule_text(
                placement.subsidy_rule, rules, retirement=service.retirement_of(person, rules)
            ),
        )

    return _write(args, work)


def run_renew(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> str:
        person = find_person(session, args.person)
        placement = service.renew(session, person.id, until=args.until)
        assert placement.contract_until is not None
        return _("{name}: contract renewed until {date}.").format(
            name=person.name, date=placement.contract_until.isoformat()
        )

    return _write(args, work)


def run_end(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> str:
        person = find_person(session, args.person)
        service.end_placement(session, person.id, on=args.on, reason=args.reason, note=args.note)
        return _("{name}: left the post on {date}.").format(
            name=person.name, date=args.on.isoformat()
        )

    return _write(args, work)


def run_show(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> None:
        person = find_person(session, args.person)
        history = service.placements_of(session, person.id)
        titles = {p.post_id: service.get_post(session, p.post_id).title for p in history}
        current = service.open_placement(session, person.id)
        if args.json:
            _dump(
                {
                    "id_number": person.id_number,
                    "placements": [
                        {
                            "post": titles[p.post_id],
                            "start": p.starts_on.isoformat(),
                            "end": _iso(p.ended_on),
                            "subsidy_until": p.subsidy_until.isoformat(),
                            "rule": p.subsidy_rule,
                        }
                        for p in history
                    ],
                    "subsidy_until": _iso(current.subsidy_until if current else None),
                }
            )
            return
        print(f"{person.name}  {person.id_number}")
        if not history:
            print(_("No placements."))
        for p in history:
            rules = rules_on(p.starts_on)
            print(
                f"{titles[p.post_id]}  {p.starts_on.isoformat()} – {_iso(p.ended_on) or '…'}  "
                + _("subsidies until {date} ({rule})").format(
                    date=p.subsidy_until.isoformat(),
                    rule=rule_text(
                        p.subsidy_rule, rules, retirement=service.retirement_of(person, rules)
                    ),
                )
            )

    return _read(args, work)


def run_ending(args: argparse.Namespace) -> int:
    from caseworker.core import wall

    def work(session: Session, store: Store) -> None:
        rows = service.ending_soon(session, args.on or wall.today())
        if args.json:
            _dump(
                [
                    {
                        "id_number": r.id_number,
                        "name": r.name,
                        "post": r.post,
                        "subsidy_until": r.subsidy_until.isoformat(),
                    }
                    for r in rows
                ]
            )
            return
        for r in rows:
            print(f"{r.subsidy_until.isoformat()}  {r.name}  {r.id_number}  {r.post}")

    return _read(args, work)


def run_attendance_set(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> str:
        person = find_person(session, args.person)
        entry = attendance.Entry(
            worked=args.worked, required=args.required, score=args.score, note=args.note,
            pension=args.pension, medical=args.medical, unemployment=args.unemployment,
        )  # fmt: skip
        attendance.set_for_person(session, person.id, args.month, entry)
        return _("{name}: {worked} days recorded for {month}.").format(
            name=person.name, worked=args.worked, month=claims.month_text(args.month)
        )

    return _write(args, work)


def run_attendance_import(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> str:
        result = attendance.import_sheet(session, args.file)
        return _("Imported {rows} rows of attendance ({persons} persons; {months}).").format(
            rows=result.rows, persons=result.persons, months=", ".join(result.months)
        )

    return _write(args, work)


def run_payroll_step(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> str:
        if args.action == "build":
            result = payroll.build(session, args.month, store.station_code)
            lines = [
                _("The roster of {month} is built: {n} lines.").format(
                    month=claims.month_text(args.month), n=result.lines
                )
            ]
            lines += [
                _("No attendance yet: {name} ({post}).").format(name=m.name, post=m.post)
                for m in result.missing
            ]
            return "\n".join(lines)
        action = {"submit": claims.Action.SUBMIT, "approve": claims.Action.APPROVE}.get(
            args.action, claims.Action.PAY
        )
        claim = payroll.step(session, args.month, action, _actor_id(session))
        return _("The roster of {month} is now {state}.").format(
            month=claims.month_text(args.month), state=claims.state_label(claim.state)
        )

    return _write(args, work)


def roster_json(roster: payroll.Roster) -> dict[str, object]:
    return {
        "month": claims.month_text(roster.month),
        "state": roster.state,
        "lines": [
            {
                "id_number": line.id_number,
                "name": line.name,
                "post": line.post,
                "required": line.required,
                "worked": line.worked,
                "standard": str(line.standard),
                "amount": str(line.amount),
                "social_insurance": str(line.social_insurance),
                "corrects": str(line.corrects) if line.corrects else None,
            }
            for line in roster.lines
        ],
        "total_amount": str(roster.total_amount),
        "total_social_insurance": str(roster.total_social_insurance),
        "persons": roster.persons,
    }


def run_payroll_show(args: argparse.Namespace) -> int:
    def work(session: Session, store: Store) -> None:
        roster = payroll.roster(session, args.month)
        if args.json:
            _dump(roster_json(roster))
            return
        print(
            _("Roster of {month}: {state}").format(
                month=claims.month_text(roster.month), state=claims.state_label(roster.state)
            )
        )
        for line in roster.lines:
            print(
                f"{line.line_id}  {line.name}  {line.id_number}  {line.post}  "
                f"{line.worked}/{line.required}  {line.amount}  {line.social_insurance}"
            )
        print(
            _("Total: {n} persons, {amount} yuan; social insurance {si} yuan.").format(
                n=roster.persons, amount=roster.total_amount, si=roster.total_social_insurance
            )
        )

    return _read(args, work)


def run_adjust(args: argparse.Namespace) -> int:
    try:
        line_id = uuid.UUID(args.line.strip())
    except ValueError:
        raise UsageError(_("--line takes a record id of a roster line.")) from None
    if args.worked is None and args.required is None:
        raise UsageError(_("Give --worked or --required."))

    def work(session: Session, store: Store) -> str:
        adjustment = payroll.correct(
            session, line_id, into=args.month, worked=args.worked, required=args.required,
            note=args.note,
        )  # fmt: skip
        return _("Adjustment of {amount} yuan added to the roster of {month}.").format(
            amount=adjustment.amount, month=claims.month_text(args.month)
        )

    return _write(args, work)


__all__ = ["register", "roster_json"]
