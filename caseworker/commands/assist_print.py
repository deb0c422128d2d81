"""``caseworker print card|contacts|ledger|zero-families``: the assistance forms (PDF) and the
station's lists (PDF or Excel).  Registered under ``caseworker print``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from caseworker import bootstrap
from caseworker.commands.assist import iso_date
from caseworker.commands.printing import PDF, XLSX, _now, output_kind
from caseworker.commands.recognition import find_person
from caseworker.core import wall
from caseworker.forms.assistance import render_card
from caseworker.forms.assistance_lists import (
    render_contact_record,
    render_ledger,
    render_zero_families,
    write_ledger_xlsx,
    write_zero_families_xlsx,
)
from caseworker.forms.assistance_sources import (
    card_data,
    contact_record_data,
    family_list_data,
    ledger_data,
)
from caseworker.i18n import _


def month(text: str) -> Any:
    """An argparse type: a month written ``YYYY-MM``."""
    try:
        return iso_date(f"{text.strip()}-01")
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a month written as YYYY-MM.").format(value=text)
        ) from None


def register_print(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bilingual = _("print Uyghur beneath the Chinese labels")
    for name, helptext, handler in (
        ("card", _("a person's assistance card with the agreement (就业援助卡, PDF)"), run_card),
        ("contacts", _("a person's contact record (帮扶记录表, PDF)"), run_contacts),
    ):
        p = actions.add_parser(name, help=helptext)
        p.add_argument("--person", required=True, help=_("ID number or record id"))
        p.add_argument("-o", "--output", type=Path, required=True, help=_("the PDF file to write"))
        p.add_argument("--bilingual", action="store_true", help=bilingual)
        p.set_defaults(handler=handler)

    p = actions.add_parser(
        "ledger", help=_("the monthly assistance ledger (援助台账, PDF or Excel)")
    )
    p.add_argument("--month", type=month, required=True, help=_("the month, YYYY-MM"))
    p.add_argument(
        "-o", "--output", type=Path, required=True, help=_("the .pdf or .xlsx file to write")
    )
    p.add_argument("--bilingual", action="store_true", help=bilingual)
    p.set_defaults(handler=run_ledger)

    p = actions.add_parser(
        "zero-families", help=_("the zero-employment family list (零就业家庭名单, PDF or Excel)")
    )
    p.add_argument("--on", type=iso_date, help=_("the day of the list (default: today)"))
    p.add_argument(
        "-o", "--output", type=Path, required=True, help=_("the .pdf or .xlsx file to write")
    )
    p.add_argument("--bilingual", action="store_true", help=bilingual)
    p.set_defaults(handler=run_zero_families)


def _person_form(
    args: argparse.Namespace, read: Callable[..., Any], render: Callable[..., Any], what: str
) -> int:
    output_kind(args.output, (PDF,))
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            person = find_person(session, args.person)
            data = read(session, person.id, now=_now())
    finally:
        store.dispose()
    render(data, args.output, bilingual=args.bilingual)
    print(
        _("Wrote the {what} of {name} to {path}.").format(
            what=what, name=data.name, path=args.output
        )
    )
    return 0


def run_card(args: argparse.Namespace) -> int:
    return _person_form(args, card_data, render_card, _("assistance card"))


def run_contacts(args: argparse.Namespace) -> int:
    return _person_form(args, contact_record_data, render_contact_record, _("contact record"))


def run_ledger(args: argparse.Namespace) -> int:
    suffix = output_kind(args.output, (PDF, XLSX))
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            data = ledger_data(session, args.month, now=_now(), station_code=store.station_code)
    finally:
        store.dispose()
    if suffix == PDF:
        render_ledger(data, args.output, bilingual=args.bilingual)
    else:
        write_ledger_xlsx(data, args.output)
    print(
        _("Wrote the assistance ledger of {month} ({n} persons) to {path}.").format(
            month=data.month.strftime("%Y-%m"), n=len(data.lines), path=args.output
        )
    )
    return 0


def run_zero_families(args: argparse.Namespace) -> int:
    from caseworker.casework import families

    suffix = output_kind(args.output, (PDF, XLSX))
    on = args.on or wall.today()
    store = bootstrap.open_database(args.db)
    try:
        families.look(store, wall.today())
        with store.reading() as session:
            data = family_list_data(session, on, now=_now(), station_code=store.station_code)
    finally:
        store.dispose()
    if suffix == PDF:
        render_zero_families(data, args.output, bilingual=args.bilingual)
    else:
        write_zero_families_xlsx(data, args.output)
    print(
        _("Wrote the zero-employment family list ({n} families) to {path}.").format(
            n=len(data.lines), path=args.output
        )
    )
    return 0
