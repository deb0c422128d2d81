"""``caseworker families zero``: the zero-employment families (零就业家庭), most overdue first.

The tracker first looks at every household as of today (opening episodes for families newly
found, ending those no longer in zero employment), then lists the episodes open on ``--on``.
Exit status as ``caseworker assist``: 1 refused input, 2 a usage mistake.
"""

from __future__ import annotations

import argparse
import json

from caseworker import bootstrap
from caseworker.casework import families
from caseworker.cli import EXIT_REFUSED
from caseworker.commands.assist import iso_date
from caseworker.core import idcard, wall
from caseworker.i18n import _


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("families", help=_("zero-employment families (零就业家庭)"))
    parser.set_defaults(refused_status=EXIT_REFUSED)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("zero", help=_("the zero-employment families, most overdue first"))
    p.add_argument("--on", type=iso_date, required=True, help=_("the day of the list"))
    p.add_argument("--all", action="store_true", help=_("add the episodes already cleared"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_zero, refused_status=EXIT_REFUSED)


def run_zero(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        families.look(store, wall.today())
        with store.reading() as session:
            rows = families.open_families(session, args.on, include_ended=args.all)
    finally:
        store.dispose()
    if args.json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        line = f"{r.head_name}  {idcard.mask(r.head_id_number)}  {r.village}  " + _(
            "identified {date}, deadline {deadline}, {days} days"
        ).format(
            date=r.identified_on.isoformat(), deadline=r.deadline.isoformat(), days=r.days_open
        )
        if r.cleared_on is not None:
            line += "  " + _("ended {date}").format(date=r.cleared_on.isoformat())
        elif r.overdue:
            line += "  " + _("[overdue]")
        print(line)
    print(_("{n} families.").format(n=len(rows)))
    return 0


__all__ = ["register"]
