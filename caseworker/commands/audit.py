"""``caseworker audit verify|show``: check the change log, and read a person's history."""

from __future__ import annotations

import argparse
import sys

from caseworker import bootstrap
from caseworker.core.errors import NotFoundError
from caseworker.i18n import N_, _
from caseworker.registry import fields, persons
from caseworker.store import audit

#: How each problem of :func:`caseworker.store.audit.verify` reads.
PROBLEMS = {
    audit.BROKEN_LINK: N_("row {seq}: it does not follow the row before it (a row was removed or changed)"),
    audit.BAD_HASH: N_("row {seq}: its content was changed after it was written"),
    audit.SEQ_ORDER: N_("row {seq}: out of order"),
    audit.BAD_STAMP: N_("row {seq}: its time stamp is malformed"),
    audit.MISSING_GUARD: N_("the database protection {detail} is missing"),
    audit.NOT_IN_LOG: N_("{entity} {id}: the record has no history in the log"),
    audit.NO_VALUES: N_("{entity} {id}: the log does not hold the record's values (row {seq})"),
    audit.MISMATCH: N_("{entity} {id}: the record differs from its history in: {detail} (last row {seq})"),
    audit.STAMP_MISMATCH: N_("{entity} {id}: the record's time stamp is not its last change's (row {seq})"),
    audit.RECORD_GONE: N_("{entity} {id}: the record was removed from the table (last row {seq})"),
}  # fmt: skip
OPS = {
    "insert": N_("created"),
    "baseline": N_("values recorded"),
    "update": N_("changed"),
    "delete": N_("deleted"),
    "restore": N_("restored"),
}


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


def describe(problem: audit.Problem) -> str:
    return _(PROBLEMS[problem.code]).format(
        seq=problem.seq, entity=problem.entity, id=problem.entity_id, detail=problem.detail
    )


def run_verify(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db, create=False)
    try:
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
        print("  " + describe(problem), file=sys.stderr)
    if len(report.problems) > 20:
        print("  " + _("… and {n} more.").format(n=len(report.problems) - 20), file=sys.stderr)
    return 1


def field_label(entity: str, name: str) -> str:
    if entity == "person" and name in fields.BY_NAME:
        return _(fields.BY_NAME[name].label)
    return name


def entry_lines(entry: audit.Entry) -> list[str]:
    """How one change reads, a line for the change and a line per value of an insert."""
    when = entry.at.astimezone().strftime("%Y-%m-%d %H:%M")
    who = entry.actor or _("(the program)")
    what = _(OPS.get(entry.op, entry.op))
    head = f"{when}  {who}  {entry.entity}  {what}"
    if entry.field == "*":
        return [
            head,
            *(
                f"    {field_label(entry.entity, k)}: {v}"
                for k, v in sorted(entry.values.items())
                if v not in (None, "")
            ),
        ]
    old = entry.old_value if entry.old_value is not None else "—"
    new = entry.new_value if entry.new_value is not None else "—"
    return [f"{head}  {field_label(entry.entity, entry.field)}: {old} → {new}"]


def run_show(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db, create=False)
    try:
        with store.reading() as session:
            person = persons.find(session, args.person)
            if person is None:
                raise NotFoundError(
                    _("No person with the ID number or record id {value}.").format(
                        value=args.person
                    )
                )
            history = audit.person_history(session, person.id)
            print(persons.describe(person))
    finally:
        store.dispose()
    for entry in history:
        for line in entry_lines(entry):
            print(line)
    return 0
