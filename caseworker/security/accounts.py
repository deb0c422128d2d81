"""Staff accounts: add, list, disable, reset a password, and log in.

Every change of an account is one transaction that also writes a change-log row (entity
``account``: who did it, when, which account, what changed; never the password).  On an
encrypted station the database key is wrapped for the account in the same step (the envelope
is saved before the transaction commits, so a failure leaves neither).

The transition from a station without accounts: the first account must be an administrator;
from then on the station requires a login (see :mod:`caseworker.security.roles`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.errors import NotFoundError, UserError, ValidationError
from caseworker.i18n import _
from caseworker.security import journal, keys, passwords
from caseworker.security.roles import Action, Principal, Role, parse_roles, require, roles_text
from caseworker.store.engine import engine_key
from caseworker.store.models import Account
from caseworker.store.uow import Store, staff_id

MAX_NAME = 40


@dataclass(frozen=True, slots=True)
class AccountInfo:
    name: str
    roles: frozenset[Role]
    disabled: bool
    created_at: dt.datetime


def _info(account: Account) -> AccountInfo:
    return AccountInfo(
        account.name, parse_roles(account.roles), account.disabled, account.created_at
    )


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("Enter the staff member's name."), "name")
    if len(name) > MAX_NAME:
        raise ValidationError(
            _("The name is longer than {n} characters.").format(n=MAX_NAME), "name"
        )
    return name


def database_path(store: Store) -> Path | None:
    database = store.engine.url.database
    if store.engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def _envelope(store: Store) -> tuple[keys.Envelope, Path, bytes] | None:
    """The envelope of an encrypted store, its path and the key (None: a plain store)."""
    key = engine_key(store.engine)
    path = database_path(store)
    if key is None or path is None:
        return None
    envelope_file = keys.envelope_path(path)
    envelope = keys.Envelope.load(envelope_file)
    if envelope is None:
        envelope = keys.Envelope.new(key)
    return envelope, envelope_file, key


def _find(session: Session, name: str) -> Account:
    account = session.scalar(select(Account).where(Account.name == name))
    if account is None:
        raise NotFoundError(_("There is no account named {name}.").format(name=name))
    return account


def _require_manager(session: Session) -> None:
    require(session, Action.MANAGE_ACCOUNTS)


def add(store: Store, name: str, roles: str | frozenset[Role], password: str) -> AccountInfo:
    """Add an account (an administrator's act; on a station without accounts, the first
    account, which must be an administrator)."""
    name = check_name(name)
    role_set = roles if isinstance(roles, frozenset) else parse_roles(roles)
    passwords.check_new(password)
    hashed = passwords.hash_password(password)
    wrapped = _envelope(store)
    with store.transaction() as session:
        _require_manager(session)
        if not Store.has_accounts(session) and Role.ADMIN not in role_set:
            raise ValidationError(
                _("The first account of a station must be an administrator."), "roles"
            )
        if session.scalar(select(Account.id).where(Account.name == name)) is not None:
            raise ValidationError(
                _("There is already an account named {name}.").format(name=name), "name"
            )
        account = Account(
            id=uuid.uuid4(),
            name=name,
            staff_id=staff_id(session, name, store.station_code),
            roles=roles_text(role_set),
            password_hash=hashed,
            disabled=False,
            created_at=wall.now(),
        )
        session.add(account)
        session.flush()
        journal.record(session, journal.ACCOUNT, account.id, "insert", "roles", None, account.roles)
        if wrapped is not None:
            envelope, path, key = wrapped
            envelope.wrap_for(name, password, key)
            envelope.save(path)
        info = _info(account)
    store.accounts_required = True
    return info


def list_accounts(store: Store) -> list[AccountInfo]:
    with store.reading() as session:
        require(session, Action.MANAGE_ACCOUNTS)
        return [_info(a) for a in session.scalars(select(Account).order_by(Account.name))]


def disable(store: Store, name: str) -> AccountInfo:
    """Disable an account: it can no longer log in, and its wrapped key is removed."""
    wrapped = _envelope(store)
    with store.transaction() as session:
        _require_manager(session)
        account = _find(session, name)
        if account.disabled:
            return _info(account)
        if Role.ADMIN in parse_roles(account.roles):
            admins = [
                a
                for a in session.scalars(select(Account).where(Account.disabled.is_(False)))
                if Role.ADMIN in parse_roles(a.roles)
            ]
            if len(admins) <= 1:
                raise UserError(
                    _(
                        "{name} is the station's only administrator and cannot be disabled; "
                        "make another administrator first."
                    ).format(name=name)
                )
        account.disabled = True
        journal.record(session, journal.ACCOUNT, account.id, "update", "disabled", "false", "true")
        if wrapped is not None:
            envelope, path, _key = wrapped
            envelope.remove(name)
            envelope.save(path)
        return _info(account)


def reset_password(store: Store, name: str, password: str) -> None:
    """Set a new password for ``name`` (an administrator's act, logged; the key is wrapped
    again with it)."""
    passwords.check_new(password)
    hashed = passwords.hash_password(password)
    wrapped = _envelope(store)
    with store.transaction() as session:
        _require_manager(session)
        account = _find(session, name)
        if account.disabled:
            raise UserError(_("The account {name} is disabled.").format(name=name))
        account.password_hash = hashed
        journal.record(session, journal.ACCOUNT, account.id, "update", "password", None, "reset")
        if wrapped is not None:
            envelope, path, key = wrapped
            envelope.wrap_for(name, password, key)
            envelope.save(path)


def authenticate(store: Store, name: str, password: str | None) -> Principal:
    """The principal of ``name`` after checking the password against the stored hash (the
    password is None when the key's unwrapping has proven it already); a wrong name or
    password, or a disabled account, raises :class:`~caseworker.security.keys.WrongPasswordError`."""
    with store.reading() as session:
        account = session.scalar(select(Account).where(Account.name == name))
        if account is None or (
            password is not None and not passwords.verify(account.password_hash, password)
        ):
            raise keys.wrong_password()
        if account.disabled:
            raise keys.WrongPasswordError(_("The account {name} is disabled.").format(name=name))
        return Principal(account.id, account.name, parse_roles(account.roles))


def verify_password(store: Store, name: str, password: str) -> bool:
    """Whether ``password`` is ``name``'s (to unlock a locked screen)."""
    with store.reading() as session:
        account = session.scalar(select(Account).where(Account.name == name))
        return (
            account is not None
            and not account.disabled
            and passwords.verify(account.password_hash, password)
        )
