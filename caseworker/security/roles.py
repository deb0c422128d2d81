"""Roles, the actions of the program, and the one table of who may take which.

:data:`PERMISSIONS` is the only place that says which role may take an action.  The services
check it (:func:`require`) with the principal their session carries (see
:mod:`caseworker.store.uow`), so the desktop program and the command line obey the same table;
the screens only read it (:func:`allowed`) to hide what a role cannot do.

A station without accounts (every station before its first administrator is made) is in *open
mode*: nobody logs in and every action is allowed, as before accounts existed.  Once an
enabled account exists, every action needs a logged-in principal whose roles allow it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from caseworker.core.errors import UserError
from caseworker.i18n import N_, _, pgettext
from caseworker.store.uow import ACCOUNTS_KEY, PRINCIPAL_KEY


class Role(StrEnum):
    CASEWORKER = "caseworker"  # 经办人: registers, records assistance, prepares
    HEAD = "head"  # 站长: reviews, approves, signs off rosters
    COUNTY = "county"  # county officer: recognises, resolves conflicts (county mode)
    ADMIN = "admin"  # administrator: accounts and settings


def role_label(role: Role) -> str:
    """The role's name in the user's language."""
    if role is Role.CASEWORKER:
        return pgettext("role", "Caseworker")
    if role is Role.HEAD:
        return pgettext("role", "Station head")
    if role is Role.COUNTY:
        return pgettext("role", "County officer")
    return pgettext("role", "Administrator")


class Action(StrEnum):
    VIEW = "view"  # read the registry, cases and assistance (masked)
    REGISTER = "register"  # persons, households, employment, demo data
    IMPORT = "import"  # read persons from a spreadsheet
    EXPORT = "export"  # write persons to a spreadsheet (logged)
    PRINT = "print"  # print forms and lists
    RECORD_ASSISTANCE = "record_assistance"  # plans, contacts, offers, outcomes
    PREPARE_CASE = "prepare_case"  # applications, proofs, community review, periodic review
    REVIEW_CASE = "review_case"  # township review, public notice
    RECOGNISE = "recognise"  # record the recognition (认定)
    EXIT_CASE = "exit_case"  # close a recognition (退出)
    MANAGE_POSTS = "manage_posts"  # employers, posts, placements, attendance, roster drafts
    SIGN_OFF_ROSTER = "sign_off_roster"  # approve a monthly roster (花名册), mark it paid
    REVEAL = "reveal"  # show or export a full ID number, phone or bank account, with a reason
    AUDIT = "audit"  # read the change log and verify it
    BACKUP = "backup"  # make a backup now
    RESTORE = "restore"  # replace the database with a backup
    ENCRYPT = "encrypt"  # convert the file to an encrypted one
    MANAGE_ACCOUNTS = "manage_accounts"  # add, disable, reset passwords
    CHANGE_SETTINGS = "change_settings"  # station, lock time, backup rotation
    SYNC = "sync"  # exchange bundles with the county (export, receipts, keys)
    # county mode
    COUNTY_IMPORT = "county_import"  # merge a station's export bundle
    RESOLVE_CONFLICTS = "resolve_conflicts"
    COUNTY_ADMIN = "county_admin"  # stations, keys and policy at the county


ACTION_LABELS: dict[Action, str] = {
    Action.VIEW: N_("look at the registry"),
    Action.REGISTER: N_("register and change persons"),
    Action.IMPORT: N_("import persons"),
    Action.EXPORT: N_("export persons"),
    Action.PRINT: N_("print forms and lists"),
    Action.RECORD_ASSISTANCE: N_("record assistance"),
    Action.PREPARE_CASE: N_("prepare recognition cases"),
    Action.REVIEW_CASE: N_("review recognition cases"),
    Action.RECOGNISE: N_("record a recognition"),
    Action.EXIT_CASE: N_("close a recognition"),
    Action.MANAGE_POSTS: N_("manage public-welfare posts and attendance"),
    Action.SIGN_OFF_ROSTER: N_("sign off rosters"),
    Action.SYNC: N_("exchange data with the county"),
    Action.REVEAL: N_("show full ID numbers, phones and bank accounts"),
    Action.AUDIT: N_("read and check the change log"),
    Action.BACKUP: N_("make a backup"),
    Action.RESTORE: N_("restore a backup"),
    Action.ENCRYPT: N_("encrypt the database"),
    Action.MANAGE_ACCOUNTS: N_("manage staff accounts"),
    Action.CHANGE_SETTINGS: N_("change the station's settings"),
    Action.COUNTY_IMPORT: N_("merge a station's data at the county"),
    Action.RESOLVE_CONFLICTS: N_("resolve conflicts at the county"),
    Action.COUNTY_ADMIN: N_("administer the county's stations"),
}

_C, _H, _CO, _A = Role.CASEWORKER, Role.HEAD, Role.COUNTY, Role.ADMIN

#: Who may take each action.  A station head does a caseworker's work too (a station has two
#: to five staff); an administrator manages accounts, settings and the file, not cases.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset({_C, _H, _CO, _A}),
    Action.REGISTER: frozenset({_C, _H}),
    Action.IMPORT: frozenset({_C, _H}),
    Action.EXPORT: frozenset({_C, _H}),
    Action.PRINT: frozenset({_C, _H}),
    Action.RECORD_ASSISTANCE: frozenset({_C, _H}),
    Action.PREPARE_CASE: frozenset({_C, _H}),
    Action.REVIEW_CASE: frozenset({_H}),
    Action.RECOGNISE: frozenset({_H, _CO}),
    Action.EXIT_CASE: frozenset({_H}),
    Action.MANAGE_POSTS: frozenset({_C, _H}),
    Action.SIGN_OFF_ROSTER: frozenset({_H}),
    Action.SYNC: frozenset({_C, _H}),
    Action.REVEAL: frozenset({_C, _H, _CO}),
    Action.AUDIT: frozenset({_C, _H, _CO, _A}),
    Action.BACKUP: frozenset({_H, _A}),
    Action.RESTORE: frozenset({_A}),
    Action.ENCRYPT: frozenset({_A}),
    Action.MANAGE_ACCOUNTS: frozenset({_A}),
    Action.CHANGE_SETTINGS: frozenset({_A}),
    Action.COUNTY_IMPORT: frozenset({_CO}),
    Action.RESOLVE_CONFLICTS: frozenset({_CO}),
    Action.COUNTY_ADMIN: frozenset({_CO}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The logged-in staff member: their account, name (as in the change log) and roles."""

    account_id: uuid.UUID
    name: str
    roles: frozenset[Role]


class NotAllowedError(UserError):
    """The logged-in staff member's roles do not allow the action."""


def parse_roles(text: str | Iterable[str]) -> frozenset[Role]:
    """Roles from their codes (``"head,admin"`` or a list); an unknown code is refused."""
    codes = text.split(",") if isinstance(text, str) else list(text)
    roles: set[Role] = set()
    for raw in codes:
        code = raw.strip()
        if not code:
            continue
        try:
            roles.add(Role(code))
        except ValueError:
            raise UserError(
                _("Unknown role {role}; the roles are {roles}.").format(
                    role=code, roles=", ".join(r.value for r in Role)
                )
            ) from None
    if not roles:
        raise UserError(_("Give at least one role."))
    return frozenset(roles)


def roles_text(roles: Iterable[Role]) -> str:
    return ",".join(sorted(r.value for r in roles))


def describe_roles(roles: Iterable[Role]) -> str:
    """The roles in the user's language."""
    return ", ".join(role_label(r) for r in sorted(roles))


def allowed(principal: Principal | None, action: Action, *, open_mode: bool = False) -> bool:
    """Whether ``principal`` may take ``action`` (anyone may, on a station without accounts)."""
    if principal is None:
        return open_mode
    return any(role in PERMISSIONS[action] for role in principal.roles)


def principal_of(session: Any) -> Principal | None:
    value = session.info.get(PRINCIPAL_KEY)
    return value if isinstance(value, Principal) else None


def require(session: Any, action: Action) -> Principal | None:
    """Refuse ``action`` unless the session's principal may take it (see the module notes).

    Returns the principal (None on a station without accounts)."""
    principal = principal_of(session)
    open_mode = not session.info.get(ACCOUNTS_KEY, False)
    if allowed(principal, action, open_mode=open_mode):
        return principal
    raise _refusal(principal, action)


def _refusal(principal: Principal | None, action: Action) -> NotAllowedError:
    if principal is None:
        return NotAllowedError(
            _("This station has staff accounts: log in first. Nothing was changed.")
        )
    return NotAllowedError(
        _("{name} ({roles}) may not {action}. Nothing was changed.").format(
            name=principal.name,
            roles=describe_roles(principal.roles),
            action=_(ACTION_LABELS[action]),
        )
    )


def refusal_for(store: Any, *actions: Action) -> str | None:
    """Why the store's logged-in user may take none of ``actions``, or None when they may take
    one of them: what a screen says beside a command it disables for the role."""
    principal = store.principal if isinstance(store.principal, Principal) else None
    open_mode = not store.accounts_required
    if any(allowed(principal, action, open_mode=open_mode) for action in actions):
        return None
    if principal is None:
        return _("Log in first.")
    return _("{name} ({roles}) may not {action}.").format(
        name=principal.name,
        roles=describe_roles(principal.roles),
        action=_(ACTION_LABELS[actions[0]]),
    )


def require_store(store: Any, action: Action) -> Principal | None:
    """:func:`require` for a service that works with the store rather than a session."""
    principal = store.principal if isinstance(store.principal, Principal) else None
    if allowed(principal, action, open_mode=not store.accounts_required):
        return principal
    raise _refusal(principal, action)
