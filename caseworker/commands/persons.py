"""``caseworker persons import|export|list|show``."""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker import bootstrap
from caseworker.core import idcard
from caseworker.core.errors import NotFoundError
from caseworker.i18n import _
from caseworker.registry import households, importing, persons, search, spreadsheet, vocab
from caseworker.registry.fields import PERSON_FIELDS, Kind
from caseworker.security import masking
from caseworker.store.models import Person, Village


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("persons", help=_("import, export, list and show persons"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = actions.add_parser("import", help=_("import persons from a .xlsx or .csv file"))
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help=_("check the file, import nothing"))
    p.set_defaults(handler=run_import)

    p = actions.add_parser("export", help=_("export the registry to a .xlsx file"))
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--include-deleted", action="store_true")
    p.add_argument(
        "--reason",
        default="",
        help=_("why the whole ID numbers, phones and bank accounts leave the program (logged)"),
    )
    p.set_defaults(handler=run_export)

    p = actions.add_parser("template", help=_("write the empty import template"))
    p.add_argument("-o", "--output-dir", type=Path, default=Path())
    p.set_defaults(handler=run_template)

    p = actions.add_parser("list", help=_("list persons, or those matching a search"))
    p.add_argument("query", nargs="?", default="", help=_("name, pinyin, ID or phone fragment"))
    p.add_argument("--village", default="", help=_("only this village or community"))
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--full-ids", action="store_true", help=_("show whole ID numbers"))
    p.add_argument("--reason", default="", help=_("why whole ID numbers are shown (logged)"))
    p.set_defaults(handler=run_list)

    p = actions.add_parser("show", help=_("show one person"))
    p.add_argument("person", help=_("ID number or record id"))
    p.add_argument(
        "--reveal",
        metavar="REASON",
        default=None,
        help=_("show the whole ID number, phone and bank account, for this reason (logged)"),
    )
    p.set_defaults(handler=run_show)


def run_import(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        report = spreadsheet.import_persons(store, args.file, dry_run=args.dry_run)
    finally:
        store.dispose()
    print(importing.summary(report, dry_run=args.dry_run))
    for line in importing.details(report):
        print(line)
    return 1 if report.rejected_count or report.household_problem_count or report.cancelled else 0


def run_export(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        report = spreadsheet.export_persons(
            store, args.output, include_deleted=args.include_deleted, reason=args.reason
        )
    finally:
        store.dispose()
    print(_("Exported {n} persons to {path}.").format(n=report.exported, path=args.output))
    for line in spreadsheet.export_notes(report):
        print(line)
    return 0


def run_template(args: argparse.Namespace) -> int:
    xlsx, csv_path = spreadsheet.write_template(args.output_dir)
    print(_("Wrote {xlsx} and {csv}.").format(xlsx=xlsx, csv=csv_path))
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def list_persons(
    session: Session, query: str, *, village: str = "", limit: int = 50
) -> list[search.Hit]:
    """What ``persons list`` shows: the first ``limit`` persons for ``query`` in the registry
    search's order (everyone for a blank query), in one village or community if named."""
    village_id = None
    if village.strip():
        live = select(Village.name, Village.id).where(Village.deleted.is_(False))
        known = dict(session.execute(live).all())
        village_id = known.get(village.strip())
        if village_id is None:
            raise NotFoundError(
                _("There is no village or community called {name}. Known: {names}").format(
                    name=village.strip(), names="、".join(known) or "-"
                )
            )
    return search.search(session, query, limit=limit, village_id=village_id)


def run_list(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            hits = list_persons(session, args.query, village=args.village, limit=args.limit)
        if args.full_ids:  # whole ID numbers on a list: an act with a reason, logged
            masking.reveal(
                store, [h.id for h in hits], ["id_number"], args.reason, masking.Place.LIST
            )
    finally:
        store.dispose()
    for hit in hits:
        number = hit.id_number if args.full_ids else idcard.mask(hit.id_number)
        print(
            "  ".join(
                (
                    _pad(hit.name, 22),
                    _pad(vocab.zh_label("sex", hit.sex), 3),
                    _pad(number, 19),
                    _pad(masking.mask_phone(hit.phone), 12),
                    hit.village,
                )
            ).rstrip()
        )
    print(_("{n} shown.").format(n=len(hits)))
    return 0


def _find(session: object, text: str) -> Person:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    person = persons.find(session, text)
    if person is None:
        raise NotFoundError(
            _("No person with the ID number or record id {value}.").format(value=text)
        )
    return person


def _line(label: str, value: object) -> str:
    return _("{label}: {value}").format(label=label, value=value)


def run_show(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        with store.reading() as session:
            p = _find(session, args.person)
        if args.reveal is not None:
            masking.reveal(store, [p.id], masking.FIELDS, args.reveal, masking.Place.PERSON_PAGE)
        with store.reading() as session:
            p = _find(session, args.person)
            print(_line(_("Record id"), p.id) + ("  " + _("[deleted record]") if p.deleted else ""))
            print(_line(_("Sex"), vocab.label("sex", p.sex)))
            print(_line(_("Birth date"), p.birth_date.isoformat()))
            for spec in PERSON_FIELDS:
                if spec.kind is Kind.VILLAGE:
                    value: object = p.village.name if p.village else ""
                else:
                    value = getattr(p, spec.name)
                if spec.kind is Kind.CODE and spec.vocabulary:
                    value = vocab.label(spec.vocabulary, value if isinstance(value, str) else None)
                elif spec.kind is Kind.BOOL:
                    value = _("Yes") if value else _("No")
                elif spec.name in masking.FIELDS and args.reveal is None:
                    value = masking.shown(
                        store, masking.Place.PERSON_PAGE, spec.name, str(value or "")
                    )
                if value in (None, ""):
                    continue
                print(_line(_(spec.label), value))
            household = households.of_person(session, p.id)
            if household is not None:
                print(_("Household:"))
                for member in household.members:
                    relation = vocab.label("relation", member.relation)
                    print(f"  {relation}  {member.shown_name}  {member.shown_id_number}")
    finally:
        store.dispose()
    return 0
