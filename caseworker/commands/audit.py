"""``caseworker audit verify|show``: check the change log, and read a person's history."""

from __future__ import annotations

import argparse
import sys

from caseworker import bootstrap
from caseworker.core.errors import NotFoundError
from caseworker.i18n import _
from caseworker.registry import history, persons
from caseworker.security.roles import Action, require_store
from caseworker.store import audit


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("audit", help=_("check the change log, or show a person's history"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser(
        "verify", help=_("check that the change log is whole and matches every record")
    )
    p.set_defaults(handler=run_verify)
    p = actions.add_parser("show", help=_("who changed what of a person, and when"))
    p.add_argument("person", help=_("ID number or record id"))
    p.set_defaults(handler=run_show)


def run_verify(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        require_store(store, Action.AUDIT)
        with store.reading() as session:
            report = audit.verify(session)
    finally:
        store.dispose()
    if report.ok:
        print(
            _("The change log is whole: {rows} rows, and {records} records match it.").format(
                rows=report.rows, records=report.records
            )
        )
        return 0
    print(_("The change log does not match the database:"), file=sys.stderr)
    for problem in report.problems[:20]:
        print("  " + history.describe_problem(problem), file=sys.stderr)
    if len(report.problems) > 20:
        print("  " + _("… and {n} more.").format(n=len(report.problems) - 20), file=sys.stderr)
    return 1


def run_show(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        require_store(store, Action.AUDIT)
        with store.reading() as session:
            person = persons.find(session, args.person)
            if person is None:
                raise NotFoundError(
                    _("No person with the ID number or record id {value}.").format(
                        value=args.person
                    )
                )
            entries = audit.person_history(session, person.id)
            print(persons.describe(person))
    finally:
        store.dispose()
    for entry in entries:
        for line in history.entry_lines(entry):
            print(line)
    return 0
