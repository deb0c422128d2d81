"""The composition root: where the data lives, logging, the language, and opening the store."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir, user_log_dir, user_state_dir

from caseworker.core.redact import redact
from caseworker.store.engine import sqlite_url
from caseworker.store.uow import Store

if TYPE_CHECKING:
    from caseworker.security.login import Credentials
    from caseworker.security.throttle import Throttle

APP_NAME = "caseworker"
DB_ENV = "CASEWORKER_DB"
LANGUAGE_KEY = "language"
CASEWORKER_KEY = "caseworker_name"
log = logging.getLogger(__name__)


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def keys_dir() -> Path:
    """This user's private keys for the bundles to and from the county (0700; see
    :mod:`caseworker.sync.keys`)."""
    return data_dir() / "keys"


def log_dir() -> Path:
    return Path(user_log_dir(APP_NAME, appauthor=False))


_active_log: Path | None = None


def log_file() -> Path:
    """The log file in use (or the one that would be used)."""
    return _active_log or log_dir() / "caseworker.log"


def default_db_path() -> Path:
    return data_dir() / "caseworker.sqlite3"


def database_url(db: str | None = None) -> str:
    """A SQLAlchemy URL from ``--db`` (a path or a URL), ``$CASEWORKER_DB``, or the default."""
    value = db or os.environ.get(DB_ENV) or str(default_db_path())
    if "://" in value:
        return value
    return sqlite_url(Path(value).expanduser().resolve())


class RedactingFormatter(logging.Formatter):
    """Log lines (with their tracebacks) without ID numbers, phone numbers or names
    (:func:`caseworker.core.redact.redact`)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: int = logging.INFO) -> Path:
    """Log to a rotating file in the user's log directory; tracebacks go there, not to users."""
    global _active_log
    path = log_dir() / "caseworker.log"
    root = logging.getLogger()
    for existing in root.handlers:
        if getattr(existing, "_caseworker", False):
            root.removeHandler(existing)
            existing.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._caseworker = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    _active_log = path
    return path


def device_registry() -> Path:
    """This machine's registry of database files and their device ids."""
    return Path(user_state_dir(APP_NAME, appauthor=False)) / "devices.json"


def login_delays() -> Path:
    """This user's count of failed logins (see :mod:`caseworker.security.throttle`)."""
    return Path(user_state_dir(APP_NAME, appauthor=False)) / "logins.json"


#: The staff member the command line logs in as (``--user``), set once by the CLI.
_login: Credentials | None = None


def use_login(credentials: Credentials | None) -> None:
    global _login
    _login = credentials


def open_database(
    db: str | None = None,
    *,
    actor: str | None = None,
    create: bool = False,
    login: Credentials | None = None,
    throttle: Throttle | None = None,
) -> Store:
    """Open the station's database.  Unless ``create`` (``init`` and the desktop program's
    first start), a file that does not exist yet is refused, so a mistyped ``--db`` path never
    looks like an empty registry.

    ``login`` (or the command line's ``--user``) logs in: an encrypted file needs it, and so
    does a station with staff accounts (see :mod:`caseworker.security.login`)."""
    url = database_url(db)
    if not create:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        database = parsed.database
        if (
            parsed.get_backend_name() == "sqlite"
            and database
            and database != ":memory:"
            and not Path(database).exists()
        ):
            from caseworker.core.errors import UserError
            from caseworker.i18n import _

            raise UserError(
                _(
                    "There is no database at {path}. Check the path given with --db, or set up "
                    "a new station there with “caseworker init”."
                ).format(path=database)
            )
    from caseworker.security.login import open_as
    from caseworker.security.throttle import Throttle

    store = open_as(
        url,
        login or _login,
        throttle=throttle or Throttle(login_delays()),
        registry_path=device_registry(),
    )
    if store.principal is None:
        store.actor = actor or store.setting(CASEWORKER_KEY) or os.environ.get("USER", "system")
    log.info("opened %s", store.engine.url.render_as_string(hide_password=True))
    return store
