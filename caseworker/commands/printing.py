"""``caseworker print application|notice|roster``: the printed forms as PDF (or Excel lists)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from caseworker import bootstrap
from caseworker.commands.recognition import find_person
from caseworker.core import wall
from caseworker.core.dates import parse_date
from caseworker.core.errors import UserError, ValidationError
from caseworker.forms import (
    render_application,
    render_notice,
    render_roster,
    roster_totals,
    write_notice_xlsx,
    write_roster_xlsx,
)
from caseworker.forms.sources import NEEDS_REVIEW, NO_CASE, application_data, notice_data
from caseworker.forms.sources import roster_data as build_roster
from caseworker.i18n import _
from caseworker.recognition.workflow import Stage

PDF = ".pdf"
XLSX = ".xlsx"
STAGE_CHOICES = (*(s.value for s in Stage), NEEDS_REVIEW, NO_CASE)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("print", help=_("print forms and lists to PDF or Excel files"))
    actions = parser.add_subparsers(dest="action", metavar="FORM", required=True)

    p = actions.add_parser(
        "application", help=_("a person's application form for recognition (PDF)")
    )
    p.add_argument("--person", required=True, help=_("ID number or record id"))
    p.add_argument("-o", "--output", type=Path, required=True, help=_("the PDF file to write"))
    p.add_argument(
        "--bilingual", action="store_true", help=_("print Uyghur beneath the Chinese labels")
    )
    p.set_defaults(handler=run_application)

    p = actions.add_parser("notice", help=_("the public-notice list of a period (PDF or Excel)"))
    p.add_argument("--from", dest="start", required=True, help=_("first day of the period"))
    p.add_argument("--to", dest="end", required=True, help=_("last day of the period"))
    p.add_argument(
        "-o", "--output", type=Path, required=True, help=_("the .pdf or .xlsx file to write")
    )
    p.add_argument(
        "--bilingual", action="store_true", help=_("print Uyghur beneath the Chinese labels")
    )
    p.set_defaults(handler=run_notice)

    p = actions.add_parser("roster", help=_("a roster of registered persons (PDF or Excel)"))
    p.add_argument("--village", help=_("only this village or community"))
    p.add_argument("--category", help=_("only persons claiming this category code"))
    p.add_argument("--stage", choices=STAGE_CHOICES, help=_("only persons at this stage"))
    p.add_argument("--query", help=_("only persons matching this search (name, ID, phone)"))
    p.add_argument(
        "-o", "--output", type=Path, required=True, help=_("the .pdf or .xlsx file to write")
    )
    p.add_argument(
        "--bilingual", action="store_true", help=_("print Uyghur beneath the Chinese labels")
    )
    p.set_defaults(handler=run_roster)

    from caseworker.commands.assist_print import register_print

    register_print(actions)
    from caseworker.commands.posts_print import register_print as register_posts_print

    register_posts_print(actions)


def output_kind(path: Path, allowed: tuple[str, ...]) -> str:
    """The suffix of ``path`` (``.pdf`` or ``.xlsx``) when it is one of ``allowed``."""
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise UserError(
            _("Cannot write {path}: the file name must end in {suffixes}.").format(
                path=path, suffixes=", ".join(allowed)
            )
        )
    return suffix


def _now() -> dt.datetime:
    return wall.local_now().replace(tzinfo=None, second=0, microsecond=0)


def _date(value: str, option: str) -> dt.date:
    parsed = parse_date(value, option)
    if parsed is None:
        raise ValidationError(_("Give a date for --{option}.").format(option=option), option)
    return parsed


def run_application(args: argparse.Namespace) -> int:
    output_kind(args.output, (PDF,))
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            person = find_person(session, args.person)
            data = application_data(session, person.id, now=_now())
    finally:
        store.dispose()
    render_application(data, args.output, bilingual=args.bilingual)
    print(
        _("Wrote the application form of {name} to {path}.").format(
            name=data.person.name, path=args.output
        )
    )
    return 0


def run_notice(args: argparse.Namespace) -> int:
    suffix = output_kind(args.output, (PDF, XLSX))
    start, end = _date(args.start, "from"), _date(args.end, "to")
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            data = notice_data(session, start, end, now=_now(), station_code=store.station_code)
    finally:
        store.dispose()
    if suffix == PDF:
        render_notice(data, args.output, bilingual=args.bilingual)
    else:
        write_notice_xlsx(data, args.output)
    print(
        _("Wrote the public-notice list ({start} to {end}, {n} persons) to {path}.").format(
            start=data.period_start.isoformat(),
            end=data.period_end.isoformat(),
            n=len(data.persons),
            path=args.output,
        )
    )
    return 0


def run_roster(args: argparse.Namespace) -> int:
    suffix = output_kind(args.output, (PDF, XLSX))
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            data = build_roster(
                session,
                village=args.village,
                category=args.category,
                stage=args.stage,
                query=args.query,
                now=_now(),
                station_code=store.station_code,
            )
    finally:
        store.dispose()
    if suffix == PDF:
        render_roster(data, args.output, bilingual=args.bilingual)
    else:
        write_roster_xlsx(data, args.output)
    totals = roster_totals(data.rows)
    print(_("Wrote a roster of {n} persons to {path}.").format(n=totals.count, path=args.output))
    return 0


__all__ = ["output_kind", "register", "run_application", "run_notice", "run_roster"]
