"""``caseworker sync keys|trust|export|import|status``: a station's exchange with the county
(``import`` also reads station bundles at the county)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from caseworker import bootstrap
from caseworker.i18n import _
from caseworker.store.uow import Store
from caseworker.sync import county, export, receipt, setup


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("sync", help=_("bundles to and from the county"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("keys", help=_("write this station's public key for the county"))
    p.add_argument("-o", "--output", required=True, type=Path, help=_("the .pub file to write"))
    p.add_argument("--new", action="store_true", help=_("make new keys first (enrol them again)"))
    p.set_defaults(handler=run_keys)
    p = actions.add_parser("trust", help=_("trust the county's public key"))
    p.add_argument("file", type=Path, help=_("the county's .pub file"))
    p.add_argument("--replace", action="store_true", help=_("replace the county key trusted now"))
    p.set_defaults(handler=run_trust)
    p = actions.add_parser("export", help=_("write a bundle of the changes not yet acknowledged"))
    p.add_argument("-o", "--output", required=True, type=Path, help=_("a .cwb file or a folder"))
    p.add_argument("--all", action="store_true", help=_("every change, acknowledged or not"))
    p.set_defaults(handler=run_export)
    p = actions.add_parser(
        "import", help=_("import bundles: station bundles at the county, receipts at a station")
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.set_defaults(handler=run_import)
    p = actions.add_parser("status", help=_("changes not yet sent, last export and receipt"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(handler=run_status)


def _open(args: argparse.Namespace) -> Store:
    return bootstrap.open_database(args.db)


def run_keys(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        setup.require_station(store)
        if args.new:
            setup.ensure_keys(store, bootstrap.keys_dir(), new=True)
        with store.reading() as session:
            station = store.station(session)
        party = setup.write_public_key(
            store, bootstrap.keys_dir(), args.output, station.name if station else ""
        )
    finally:
        store.dispose()
    print(
        _("Wrote the public key of station {code} to {path}.").format(
            code=party.code, path=args.output
        )
    )
    print(_("Key id (read it out to the county to compare): {key}").format(key=party.key_id))
    return 0


def run_trust(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        party, new = setup.trust(store, args.file, replace=args.replace)
    finally:
        store.dispose()
    if new:
        print(_("This station now trusts county {code} {name}, key {key}.").format(
            code=party.code, name=party.name, key=party.key_id))  # fmt: skip
    else:
        print(_("This station trusts that key already ({key}).").format(key=party.key_id))
    return 0


def run_export(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        done = export.export(store, bootstrap.keys_dir(), args.output, everything=args.all)
    finally:
        store.dispose()
    if done is None:
        print(_("Nothing to send: the county has acknowledged every change."))
        return 0
    print(
        _("Wrote {path}: rows {start} to {end} ({full} changes, {stubs} not sent in full).").format(
            path=done.path, start=done.seq_from, end=done.seq_to, full=done.full, stubs=done.stubs
        )
    )
    return 0


def outcome_line(outcome: county.Outcome) -> str:
    if outcome.status == county.APPLIED:
        text = _("{name}: applied ({rows} rows, {records} records written, {conflicts} new conflicts)").format(
            name=outcome.name, rows=outcome.rows, records=outcome.records, conflicts=outcome.conflicts
        )  # fmt: skip
        if outcome.released:
            text += " " + _("and then the held bundles {names}").format(
                names=", ".join(outcome.released)
            )
        return text
    if outcome.status == county.HELD:
        return _("{name}: held until the changes before it arrive").format(name=outcome.name)
    if outcome.status == county.DUPLICATE:
        return _("{name}: duplicate, nothing new (changed nothing)").format(name=outcome.name)
    return _("{name}: refused: {reason}").format(name=outcome.name, reason=outcome.message)


def run_import(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        if setup.is_county(store):
            outcomes = county.import_files(store, bootstrap.keys_dir(), args.files)
            for outcome in outcomes:
                stream = sys.stderr if outcome.status == county.REFUSED else sys.stdout
                print(outcome_line(outcome), file=stream)
            return 1 if any(o.status == county.REFUSED for o in outcomes) else 0
        return _import_receipts(store, args.files)
    finally:
        store.dispose()


def _import_receipts(store: Store, files: list[Path]) -> int:
    from caseworker.sync.container import BundleRefused

    refused = False
    for path in files:
        try:
            result = receipt.apply_receipt(store, bootstrap.keys_dir(), path)
        except BundleRefused as exc:
            print(
                _("{name}: refused: {reason}").format(name=path.name, reason=exc), file=sys.stderr
            )
            refused = True
            continue
        if result.duplicate:
            print(_("{name}: duplicate, nothing new (changed nothing)").format(name=path.name))
            continue
        print(_("{name}: applied. The county has every change up to row {seq}; decisions applied: {applied}, skipped: {skipped}; reference files updated: {files}.").format(
            name=path.name, seq=result.acked_seq, applied=len(result.applied),
            skipped=len(result.skipped), files=len(result.reference)))  # fmt: skip
        for reason in result.skipped:
            print("  " + reason)
    return 1 if refused else 0


def run_status(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        setup.require_station(store)
        found = export.status(store)
    finally:
        store.dispose()
    if args.json:
        print(json.dumps(found.as_json()))
        return 0
    never = _("never")
    print(_("Changes not yet acknowledged by the county: {n}").format(n=found.pending_changes))
    print(
        _("Last export: {when}").format(
            when=found.last_export.isoformat() if found.last_export else never
        )
    )
    print(
        _("Last receipt: {when}").format(
            when=found.last_receipt.isoformat() if found.last_receipt else never
        )
    )
    return 0
