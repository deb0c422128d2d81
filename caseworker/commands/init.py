"""``caseworker init``: set up the station this database serves."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from caseworker import bootstrap
from caseworker.core.errors import UsageError, UserError
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
    parser.add_argument(
        "--admin",
        metavar="NAME",
        help=_(
            "make the first administrator (also station head) and encrypt the new file; the "
            "password is asked, or read from CASEWORKER_PASSWORD"
        ),
    )
    parser.add_argument(
        "--recovery-key",
        metavar="FILE",
        type=Path,
        help=_("the county's recovery public key (PEM), with --admin"),
    )
    parser.set_defaults(handler=run)


def _open(args: argparse.Namespace) -> Any:
    if not args.admin:
        if args.recovery_key:
            raise UsageError(_("--recovery-key goes with --admin."))
        return bootstrap.open_database(args.db, actor=args.caseworker or None, create=True)
    from caseworker.cli import PASSWORD_ENV
    from caseworker.commands.security import new_password, read_key_file
    from caseworker.security import encryption

    recovery = read_key_file(args.recovery_key) if args.recovery_key else None
    password = new_password(args.admin, also_env=PASSWORD_ENV)
    store = encryption.create_encrypted(
        bootstrap.database_url(args.db),
        admin=args.admin,
        password=password,
        recovery_public=recovery,
        registry_path=bootstrap.device_registry(),
    )
    store.actor = args.admin.strip()
    args.admin_password = password
    return store


def run(args: argparse.Namespace) -> int:
    store = _open(args)
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
        if args.admin:
            from caseworker.security import accounts, roles

            accounts.add(
                store,
                args.admin,
                frozenset({roles.Role.ADMIN, roles.Role.HEAD}),
                args.admin_password,
            )
            print(
                _(
                    "Administrator {name} is ready; the database is encrypted, and every "
                    "command needs --user."
                ).format(name=args.admin.strip())
            )
        print(_("Database: {url}").format(url=store.engine.url.database or store.engine.url))
        print(
            _("Keys for the county: {key} (in {folder})").format(
                key=public.key_id, folder=bootstrap.keys_dir()
            )
        )
    finally:
        store.dispose()
    return 0
