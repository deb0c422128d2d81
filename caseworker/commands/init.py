"""``caseworker init``: set up the station this database serves."""

from __future__ import annotations

import argparse

from caseworker import bootstrap
from caseworker.core.errors import UserError
from caseworker.i18n import _
from caseworker.registry import stations


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("init", help=_("set up the station: code, name, villages"))
    parser.add_argument("--code", required=True, help=_("9- or 12-digit administrative code"))
    parser.add_argument("--name", required=True, help=_("the station's name"))
    parser.add_argument(
        "--villages",
        default="",
        help=_("villages and communities, separated by commas (or one a line)"),
    )
    parser.add_argument("--caseworker", default="", help=_("your name, recorded with each change"))
    parser.add_argument("--contact-phone", default="", help=_("the station's phone number"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db, actor=args.caseworker or None, create=True)
    try:
        from caseworker.sync import setup

        if setup.is_county(store):
            raise UserError(
                _("This is the county's database; use another database file for a station.")
            )
        if args.caseworker:
            store.set_setting(bootstrap.CASEWORKER_KEY, args.caseworker.strip())
        villages = stations.split_village_list(args.villages)
        station = stations.initialise(
            store,
            args.code,
            args.name,
            villages,
            contact_name=args.caseworker,
            contact_phone=args.contact_phone,
        )
        print(
            _("Station {code} {name} is ready with {n} villages and communities.").format(
                code=station.code, name=station.name, n=len(villages)
            )
        )
        from caseworker.sync import setup

        public = setup.ensure_keys(store, bootstrap.keys_dir())
        print(_("Database: {url}").format(url=store.engine.url.database or store.engine.url))
        print(
            _("Keys for the county: {key} (in {folder})").format(
                key=public.key_id, folder=bootstrap.keys_dir()
            )
        )
    finally:
        store.dispose()
    return 0
