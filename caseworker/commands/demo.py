"""``caseworker demo``: fill a database with realistic synthetic persons."""

from __future__ import annotations

import argparse
import time

from caseworker import bootstrap
from caseworker.core.errors import UserError
from caseworker.i18n import _
from caseworker.registry import demo


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("demo", help=_("add synthetic demo persons and households"))
    parser.add_argument("--persons", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.persons < 0 or args.persons > 2_000_000:
        raise UserError(_("--persons must be between 0 and 2000000."))
    store = bootstrap.open_database(args.db)
    try:
        started = time.perf_counter()
        added = demo.generate(store, persons=args.persons, seed=args.seed)
        elapsed = time.perf_counter() - started
        print(_("Added {n} demo persons in {seconds:.1f} s.").format(n=added, seconds=elapsed))
    finally:
        store.dispose()
    return 0
