"""Opening the station's database as a staff member.

1. An encrypted file (an envelope beside it, see :mod:`caseworker.security.keys`) is opened
   with the key unwrapped by the name and password: a wrong password opens nothing.
2. On a station with accounts, the account must exist and be enabled (and, for a plain file,
   the password must match its hash); the store then carries the principal, so every service
   checks its role and every change is logged under its name.
3. A station without accounts (and without encryption) opens as before, without a login.

Failed attempts are counted (:mod:`caseworker.security.throttle`); each one makes the next try
wait longer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from caseworker.core.errors import UserError
from caseworker.i18n import _, ngettext
from caseworker.security import accounts, keys
from caseworker.security.throttle import Throttle
from caseworker.store.migrate import open_store
from caseworker.store.uow import LoginRequiredError, Store, login_required

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    """A name and a way to get the password (asked only when it is needed)."""

    name: str
    password: Callable[[], str]


class TooSoonError(UserError):
    """A login tried again before the delay after the last failure ran out."""

    @property
    def reason(self) -> str:
        return _("Too many wrong passwords.")


def file_of(url: str) -> Path | None:
    """The SQLite file of ``url`` (None for another backend or an in-memory database)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def envelope_of(url: str) -> keys.Envelope | None:
    path = file_of(url)
    return keys.Envelope.load(keys.envelope_path(path)) if path is not None else None


def throttle_key(url: str, name: str) -> str:
    path = file_of(url)
    return f"{path.resolve() if path else url}|{name}"


def _failed(throttle: Throttle, key: str, exc: UserError) -> UserError:
    delay = round(throttle.failed(key))
    log.warning("failed login")  # never the name: it may be a mistyped password
    message = (
        str(exc)
        + " "
        + ngettext(
            "Wait {n} second before the next try.", "Wait {n} seconds before the next try.", delay
        ).format(n=delay)
    )
    failure = type(exc)(message)
    failure.reason = str(exc)  # type: ignore[attr-defined]  # without the wait (the GUI counts)
    return failure


def _check_wait(throttle: Throttle, key: str) -> None:
    wait = throttle.wait_seconds(key)
    if wait > 0:
        raise TooSoonError(
            ngettext(
                "Too many wrong passwords: wait {n} second before the next try.",
                "Too many wrong passwords: wait {n} seconds before the next try.",
                wait,
            ).format(n=wait)
        )


def open_as(
    url: str,
    credentials: Credentials | None,
    *,
    throttle: Throttle,
    registry_path: Path | None = None,
) -> Store:
    """Open the database at ``url`` as ``credentials`` (see the module notes)."""
    envelope = envelope_of(url)
    key: bytes | None = None
    password: str | None = None
    if envelope is not None:
        if credentials is None:
            raise LoginRequiredError(
                _(
                    "This station's database is encrypted: log in (in the command line, with "
                    "--user NAME)."
                )
            )
        tkey = throttle_key(url, credentials.name)
        _check_wait(throttle, tkey)
        password = credentials.password()
        try:
            key = envelope.unwrap(credentials.name, password)
        except keys.WrongPasswordError as exc:
            raise _failed(throttle, tkey, exc) from None
    store = open_store(url, registry_path=registry_path, key=key)
    try:
        if not store.accounts_required:
            if credentials is not None and key is None:
                raise UserError(
                    _(
                        "This station has no staff accounts yet, so nobody logs in: leave out "
                        "--user, or make the first administrator with “caseworker users add”."
                    )
                )
            return store
        if credentials is None:
            raise login_required()
        tkey = throttle_key(url, credentials.name)
        if key is None:
            _check_wait(throttle, tkey)
            password = credentials.password()
        try:
            principal = accounts.authenticate(store, credentials.name, None if key else password)
        except keys.WrongPasswordError as exc:
            raise _failed(throttle, tkey, exc) from None
        throttle.succeeded(tkey)
        store.principal = principal
        store.actor = principal.name
        return store
    except BaseException:
        store.dispose()
        raise
