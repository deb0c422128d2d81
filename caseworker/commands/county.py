"""``caseworker county ...``: the county's database, keys, stations, conflicts and reports."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from caseworker import bootstrap
from caseworker.core.errors import ValidationError
from caseworker.i18n import _
from caseworker.store.uow import Store
from caseworker.sync import conflicts as conflict_view
from caseworker.sync import decisions, receipt, reports, setup


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("county", help=_("the county's database: stations, bundles, conflicts"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("init", help=_("make this database the county's"))
    p.add_argument("--code", required=True, help=_("the county's 6-digit administrative code"))
    p.add_argument("--name", required=True, help=_("the county's name"))
    p.set_defaults(handler=run_init)
    p = actions.add_parser("keys", help=_("write the county's public key for the stations"))
    p.add_argument("-o", "--output", required=True, type=Path, help=_("the .pub file to write"))
    p.add_argument(
        "--new", action="store_true", help=_("make new keys first (stations trust them again)")
    )
    p.set_defaults(handler=run_keys)
    p = actions.add_parser("enroll", help=_("register a station's public key"))
    p.add_argument("file", type=Path, help=_("the station's .pub file"))
    p.set_defaults(handler=run_enroll)
    p = actions.add_parser("revoke", help=_("refuse a station key's bundles from now on"))
    p.add_argument("key", help=_("a key id, or a station code (all its keys)"))
    p.set_defaults(handler=run_revoke)
    p = actions.add_parser(
        "receipt", help=_("write the receipt (with reference data) for a station")
    )
    p.add_argument("station", help=_("the station's code"))
    p.add_argument("-o", "--output", required=True, type=Path, help=_("a .cwb file or a folder"))
    p.set_defaults(handler=run_receipt)
    p = actions.add_parser("stations", help=_("the enrolled stations and their last bundles"))
    p.set_defaults(handler=run_stations)
    p = actions.add_parser("conflicts", help=_("the conflict list, or one conflict side by side"))
    p.add_argument("conflict", nargs="?", help=_("a conflict id (its first characters will do)"))
    p.add_argument("--all", action="store_true", help=_("resolved conflicts too"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_conflicts)
    p = actions.add_parser(
        "resolve", help=_("resolve a conflict; the decision goes to the stations")
    )
    p.add_argument("conflict", help=_("a conflict id (its first characters will do)"))
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--keep", metavar="RECORD", help=_("keep this record; the others are deleted")
    )
    group.add_argument(
        "--transfer-to",
        metavar="STATION",
        help=_("keep the record of this station (the person moved there)"),
    )
    group.add_argument(
        "--choose",
        choices=(decisions.CURRENT, decisions.INCOMING),
        help=_("keep the county's value, or take the incoming one"),
    )
    p.add_argument(
        "--take",
        action="append",
        default=[],
        metavar="FIELD=RECORD",
        help=_("with --keep: take this field from another record (a merge)"),
    )
    p.add_argument("--note", default="", help=_("why (kept with the decision)"))
    p.set_defaults(handler=run_resolve)
    p = actions.add_parser("transfer", help=_("transfer a person to another station"))
    p.add_argument("person", help=_("ID number or record id"))
    p.add_argument("--to", required=True, metavar="STATION", help=_("the receiving station's code"))
    p.set_defaults(handler=run_transfer)
    p = actions.add_parser("report", help=_("county reports, printed or saved as .xlsx"))
    p.add_argument("kind", choices=reports.KINDS)
    p.add_argument("-o", "--output", type=Path, help=_("save as this .xlsx file"))
    p.add_argument("--full-ids", action="store_true", help=_("show ID numbers in full"))
    p.set_defaults(handler=run_report)


def _open(args: argparse.Namespace, *, county: bool = True) -> Store:
    # only "county init" makes a new database (``county`` False)
    store = bootstrap.open_database(args.db, create=not county)
    if county:
        try:
            setup.require_county(store)
        except Exception:
            store.dispose()
            raise
    return store


def run_init(args: argparse.Namespace) -> int:
    store = _open(args, county=False)
    try:
        public = setup.init_county(store, args.code, args.name, bootstrap.keys_dir())
    finally:
        store.dispose()
    print(_("County {code} {name} is ready.").format(code=args.code, name=args.name.strip()))
    print(
        _("Keys for the stations: {key} (in {folder})").format(
            key=public.key_id, folder=bootstrap.keys_dir()
        )
    )
    return 0


def run_keys(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        if args.new:
            setup.ensure_keys(store, bootstrap.keys_dir(), new=True)
        party = setup.write_public_key(
            store, bootstrap.keys_dir(), args.output, setup.county_name(store)
        )
    finally:
        store.dispose()
    print(_("Wrote the county's public key to {path}.").format(path=args.output))
    print(_("Key id (read it out to the stations to compare): {key}").format(key=party.key_id))
    return 0


def run_enroll(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        party, new = setup.enroll(store, args.file)
    finally:
        store.dispose()
    if new:
        print(
            _("Enrolled station {code} {name}, key {key}.").format(
                code=party.code, name=party.name, key=party.key_id
            )
        )
    else:
        print(
            _("That key of station {code} is enrolled already ({key}).").format(
                code=party.code, key=party.key_id
            )
        )
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        found = setup.revoke(store, args.key)
    finally:
        store.dispose()
    for peer in found:
        print(_("Revoked key {key} of station {code}.").format(key=peer.key_id, code=peer.code))
    return 0


def run_receipt(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        written = receipt.write_receipt(store, bootstrap.keys_dir(), args.station, args.output)
    finally:
        store.dispose()
    top = written.acks[0]["seq"] if written.acks else 0
    print(_("Wrote {path}: acknowledges row {seq}; {decisions} decisions; {files} reference files.").format(
        path=written.path, seq=top, decisions=written.decisions, files=written.reference))  # fmt: skip
    return 0


def _print_report(found: reports.Report) -> None:
    for line in reports.as_text(found):
        print(line)


def run_stations(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        _print_report(reports.report(store, reports.STATIONS))
    finally:
        store.dispose()
    return 0


def run_conflicts(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        if args.conflict:
            shown = conflict_view.show(store, args.conflict)
            if args.json:
                print(json.dumps(shown.as_json(), ensure_ascii=False, indent=1))
            else:
                for line in conflict_view.lines(shown):
                    print(line)
            return 0
        items = conflict_view.listing(store, include_resolved=args.all)
    finally:
        store.dispose()
    if args.json:
        print(json.dumps([i.as_json() for i in items], ensure_ascii=False, indent=1))
        return 0
    if not items:
        print(_("No open conflicts."))
    for item in items:
        print(conflict_view.summary_line(item))
    return 0


def _takes(values: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values:
        name, sep, record = value.partition("=")
        if not sep or not name or not record:
            raise ValidationError(_("Write --take FIELD=RECORD, not {value}.").format(value=value))
        found[name.strip()] = record.strip()
    return found


def run_resolve(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        made = decisions.resolve(
            store, args.conflict, keep=args.keep, take=_takes(args.take),
            transfer_to=args.transfer_to, choose=args.choose, note=args.note,
        )  # fmt: skip
    finally:
        store.dispose()
    assert made.conflict is not None
    print(_("Conflict {id} resolved.").format(id=str(made.conflict.id)[:8]))
    for decision in made.decisions:
        print("  " + conflict_view.decision_line(decision))
    if made.decisions:
        print(_("The decisions go to the stations in their next receipts."))
    return 0


def run_transfer(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        decision = decisions.transfer(store, args.person, args.to)
    finally:
        store.dispose()
    print(conflict_view.decision_line(decision))
    print(_("Station {code} hands the person over with its next receipt; station {to} receives them after that.").format(
        code=decision.station_code, to=args.to))  # fmt: skip
    return 0


def run_report(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        found = reports.report(store, args.kind, full_ids=args.full_ids)
        subtitle = f"{store.station_code} {setup.county_name(store)}"
    finally:
        store.dispose()
    if args.output:
        reports.write_xlsx(found, args.output, subtitle)
        print(_("Saved {path} ({n} rows).").format(path=args.output, n=len(found.rows)))
    else:
        _print_report(found)
    return 0
