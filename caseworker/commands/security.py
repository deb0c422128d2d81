"""``caseworker users …``, ``encrypt``, ``recovery-key``, ``recover``: accounts and keys."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from caseworker import bootstrap
from caseworker.core.errors import UserError
from caseworker.i18n import _
from caseworker.security import accounts, backups, encryption, keys, roles

#: The new password of ``users add`` and ``users reset-password`` for scripts.
NEW_PASSWORD_ENV = "CASEWORKER_NEW_PASSWORD"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help=_("staff accounts: add, list, disable, reset a password"))
    actions = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("add", help=_("add a staff account"))
    p.add_argument("name", help=_("the staff member's name, as it appears in the change log"))
    p.add_argument(
        "--role",
        action="append",
        required=True,
        help=_("caseworker, head, county or admin (repeat for several)"),
    )
    p.set_defaults(handler=run_add)
    p = actions.add_parser("list", help=_("list the staff accounts"))
    p.set_defaults(handler=run_list)
    p = actions.add_parser("disable", help=_("disable an account (it can no longer log in)"))
    p.add_argument("name")
    p.set_defaults(handler=run_disable)
    p = actions.add_parser("reset-password", help=_("set a new password for an account"))
    p.add_argument("name")
    p.set_defaults(handler=run_reset)

    p = sub.add_parser(
        "encrypt", help=_("encrypt the station's database file (a backup is made first)")
    )
    p.add_argument(
        "--recovery-key",
        metavar="FILE",
        type=Path,
        help=_("the county's recovery public key (PEM)"),
    )
    p.set_defaults(handler=run_encrypt)

    p = sub.add_parser("backup", help=_("back up the database now (into backups/, or -o FILE)"))
    p.add_argument("-o", "--output", metavar="FILE", type=Path)
    p.set_defaults(handler=run_backup)
    p = sub.add_parser(
        "restore", help=_("replace the database with a backup, after checking the backup whole")
    )
    p.add_argument("file", type=Path, help=_("the backup file"))
    p.set_defaults(handler=run_restore)

    p = sub.add_parser("recovery-key", help=_("make the county's recovery key pair"))
    p.add_argument("--private", metavar="FILE", type=Path, required=True)
    p.add_argument("--public", metavar="FILE", type=Path, required=True)
    p.set_defaults(handler=run_recovery_key)

    p = sub.add_parser(
        "recover",
        help=_("open an encrypted database with the county's recovery key and set a new password"),
    )
    p.add_argument("--recovery-key", metavar="FILE", type=Path, required=True)
    p.add_argument("--account", metavar="NAME", required=True)
    p.set_defaults(handler=run_recover)


def new_password(name: str, *, also_env: str | None = None) -> str:
    """The new password of ``name``: from ``$CASEWORKER_NEW_PASSWORD`` (or ``also_env``), or
    asked twice."""
    from caseworker.cli import secret_from_environment

    value = secret_from_environment(name, [NEW_PASSWORD_ENV, also_env])
    if value is not None:
        return value
    import getpass

    first = getpass.getpass(_("New password of {name}: ").format(name=name))
    second = getpass.getpass(_("The same password again: "))
    if first != second:
        raise UserError(_("The two passwords differ; nothing was changed."))
    return first


def run_add(args: argparse.Namespace) -> int:
    role_set = roles.parse_roles(",".join(args.role))
    password = new_password(args.name)
    store = bootstrap.open_database(args.db)
    try:
        info = accounts.add(store, args.name, role_set, password)
    finally:
        store.dispose()
    print(
        _("Account {name} added ({roles}).").format(
            name=info.name, roles=roles.describe_roles(info.roles)
        )
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        found = accounts.list_accounts(store)
    finally:
        store.dispose()
    for info in found:
        state = _("disabled") if info.disabled else _("active")
        print(f"{info.name}\t{roles.roles_text(info.roles)}\t{state}")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        accounts.disable(store, args.name)
    finally:
        store.dispose()
    print(_("Account {name} is disabled.").format(name=args.name))
    return 0


def run_reset(args: argparse.Namespace) -> int:
    password = new_password(args.name)
    store = bootstrap.open_database(args.db)
    try:
        accounts.reset_password(store, args.name, password)
    finally:
        store.dispose()
    print(_("The password of {name} was reset.").format(name=args.name))
    return 0


def read_key_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc


def run_encrypt(args: argparse.Namespace) -> int:
    from caseworker.cli import ask_password

    recovery = read_key_file(args.recovery_key) if args.recovery_key else None
    store = bootstrap.open_database(args.db)
    try:
        password = ask_password(store.principal.name) if store.principal is not None else ""
        result = encryption.encrypt(store, password=password, recovery_public=recovery)
    finally:
        store.dispose()
    if result.backup is None:
        print(_("The county's recovery key was added."))
        return 0
    print(
        _("The database is encrypted; the backup made first is {path} (encrypted too).").format(
            path=result.backup
        )
    )
    if result.without_key:
        print(
            _(
                "These accounts need a new password from an administrator before they can "
                "log in (caseworker users reset-password NAME): {names}"
            ).format(names=", ".join(result.without_key))
        )
    if recovery is None:
        print(
            _(
                "No county recovery key was given: if every password is forgotten, the data "
                "is lost. Add one with “caseworker encrypt --recovery-key FILE”."
            )
        )
    return 0


def run_backup(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        made = backups.make(store, target=args.output.resolve() if args.output else None)
    finally:
        store.dispose()
    print(_("Backed up to {path}.").format(path=made))
    if keys.envelope_path(made).exists():
        print(
            _("The backup is encrypted with the database's key; keep {keys} with it.").format(
                keys=keys.envelope_path(made)
            )
        )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    store = bootstrap.open_database(args.db)
    try:
        result = backups.restore(store, args.file.resolve())
    finally:
        store.dispose()
    print(
        _(
            "The backup is restored, with the new device id {device}; the file it replaced "
            "is kept as {path}."
        ).format(device=result.device, path=result.replaced)
    )
    return 0


def run_recovery_key(args: argparse.Namespace) -> int:
    private, public = keys.new_recovery_pair()
    for path, data in ((args.private, private), (args.public, public)):
        if path.exists():
            raise UserError(_("{path} exists already; nothing was written.").format(path=path))
        del data
    from caseworker.core.files import write_atomically

    for path, data in ((args.private, private), (args.public, public)):
        write_atomically(path, _writer(data))
    args.private.chmod(0o600)
    print(
        _("The county's recovery key pair is written: keep {private} offline and safe; give "
          "{public} to every station.").format(private=args.private, public=args.public)
    )  # fmt: skip
    return 0


def _writer(data: bytes) -> Callable[[Path], int]:
    return lambda tmp: tmp.write_bytes(data)


def run_recover(args: argparse.Namespace) -> int:
    private = read_key_file(args.recovery_key)
    password = new_password(args.account)
    encryption.recover(bootstrap.database_url(args.db), private, args.account, password)
    print(_("The database is open again: {name} has a new password.").format(name=args.account))
    return 0
