"""The unit of work: one user action is one transaction.

Services open a transaction with :meth:`Store.transaction`; it commits when the block ends and
rolls back whole when anything in it fails.  Sessions are never global and never kept.

- A write transaction takes the write lock at its start (``BEGIN IMMEDIATE`` on SQLite, an
  advisory lock on PostgreSQL), waiting up to the busy timeout for another writer; if the wait
  runs out the user reads :class:`StoreBusyError` ("another program or window is writing").
- :meth:`Store.reading` is a session that cannot write: the flush refuses changes and the
  database connection is read-only for its duration.
- The session of a transaction stamps and logs every change (:mod:`caseworker.store.changelog`)
  with the staff member acting (:class:`~caseworker.store.models.Staff`, made on first use of
  a name), this device's id and the station's code.
- Who is logged in: bootstrap sets :attr:`Store.principal` after a login (see
  :mod:`caseworker.security`); every session carries it in ``session.info[PRINCIPAL_KEY]`` so
  that the services check the role's actions, and every change is logged under its name.  On a
  station that has accounts, a transaction without a logged-in principal is refused.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy.exc
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from caseworker.core.clock import HybridLogicalClock
from caseworker.core.errors import UserError
from caseworker.i18n import _
from caseworker.store import changelog, faults, identity
from caseworker.store.engine import (
    READ_ONLY_OPTION,
    WRITE_OPTION,
    connect_raw,
    engine_key,
    is_sqlite,
)
from caseworker.store.models import Account, ChangeLog, Setting, Staff, Station

log = logging.getLogger(__name__)


class StoreSession(Session):
    """Sessions of the store: synced records are stamped and logged on flush."""


changelog.install(StoreSession)

DEVICE_KEY = "device_id"
INSTANCE_KEY = "instance_id"
MACHINE_KEY = "device_machine"
STATION_KEY = "station_code"
#: The actor name of the program itself (migrations, automatic work): no staff record.
SYSTEM_ACTOR = "system"
#: Session-info keys: the logged-in principal (or None), and whether the station has accounts.
PRINCIPAL_KEY = "caseworker_principal"
ACCOUNTS_KEY = "caseworker_accounts"
_BUSY_MARKERS = ("database is locked", "database table is locked", "database is busy")


class LoginRequiredError(UserError):
    """The station has staff accounts and nobody is logged in."""


def login_required() -> LoginRequiredError:
    return LoginRequiredError(
        _(
            "This station has staff accounts: log in first (in the command line, with "
            "--user NAME). Nothing was changed."
        )
    )


class StoreBusyError(UserError):
    """Another program or window holds the write lock longer than the busy timeout."""


def is_busy(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return any(marker in text for marker in _BUSY_MARKERS)


def busy_error() -> StoreBusyError:
    return StoreBusyError(
        _(
            "Another program or window is writing to the database; wait a moment and try "
            "again. Nothing was changed."
        )
    )


class Store:
    """The station's database: engine, sessions, clock, device, and who is working."""

    def __init__(
        self,
        engine: Engine,
        *,
        actor: str = SYSTEM_ACTOR,
        registry_path: Path | None = None,
        refuse_writes: UserError | None = None,
    ) -> None:
        self.engine = engine
        self.actor = actor
        self.registry_path = registry_path
        #: Why no change may be written (a damaged or read-only file); reads still work.
        self.write_refusal = refuse_writes
        self._reader = sessionmaker(
            engine.execution_options(**{READ_ONLY_OPTION: True}),
            class_=StoreSession,
            expire_on_commit=False,
        )
        self._writer = sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}),
            class_=StoreSession,
            expire_on_commit=False,
        )
        self._actor_ids: dict[str, uuid.UUID | None] = {SYSTEM_ACTOR: None}
        #: The logged-in staff member (a :class:`caseworker.security.roles.Principal`), or
        #: None; the store only passes it on to the services and names changes after it.
        self.principal: Any = None
        #: Whether the station has enabled accounts (then every change needs a principal).
        self.accounts_required = False
        try:
            with self.reading() as session:
                self.accounts_required = self.has_accounts(session)
        except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.ProgrammingError):
            log.info("no account table yet (a file not upgraded)")
        with self.reading() as session:
            settings = dict(session.execute(select(Setting.key, Setting.value)).all())
            last = session.scalar(select(ChangeLog.hlc).order_by(ChangeLog.hlc.desc()).limit(1))
            seq, head_hash = changelog.head(session.connection())
        self.station_code = settings.get(STATION_KEY, "")
        self.device_id = settings.get(DEVICE_KEY, "")
        self.instance_id = settings.get(INSTANCE_KEY, "")
        self.device_change: identity.Binding | None = None
        self._registry: identity.Registry | None = None
        self.clock = HybridLogicalClock(self._node(self.device_id or "pending"))
        if last:
            self.clock.resume(last)
        self._bind_device(settings, seq, head_hash)

    # -- identity ---------------------------------------------------------------------------

    def _node(self, device: str) -> str:
        return f"{self.station_code or 'local'}.{device}"

    def _file_path(self) -> str | None:
        database = self.engine.url.database
        if not is_sqlite(self.engine) or not database or database == ":memory:":
            return None
        return str(Path(database).resolve())

    def _bind_device(self, settings: dict[str, str], seq: int, head_hash: str) -> None:
        path = self._file_path()
        registry = (
            identity.Registry.load(self.registry_path)
            if path is not None and self.registry_path is not None
            else None
        )
        if registry is None:
            binding = identity.Binding(
                self.instance_id or str(uuid.uuid4()),
                self.device_id or identity.new_device_id(),
                settings.get(MACHINE_KEY, ""),
                None,
                None,
            )
        else:
            assert path is not None

            def hash_at(at_seq: int) -> str | None:
                with self.reading() as session:
                    value = session.scalar(select(ChangeLog.hash).where(ChangeLog.seq == at_seq))
                    return str(value) if value is not None else None

            facts = identity.FileFacts(
                path=path,
                instance=self.instance_id or None,
                device=self.device_id or None,
                machine=settings.get(MACHINE_KEY),
                head_seq=seq,
                hash_at=hash_at,
            )
            db_key = engine_key(self.engine)
            binding = identity.bind(registry, facts, lambda other: _probe_instance(other, db_key))
        changed = {
            DEVICE_KEY: binding.device,
            INSTANCE_KEY: binding.instance,
            **({MACHINE_KEY: binding.machine} if binding.machine else {}),
        }
        if self.write_refusal is None and any(settings.get(k) != v for k, v in changed.items()):
            self.device_id = binding.device
            self.clock.rename(self._node(binding.device))
            with self.transaction(SYSTEM_ACTOR) as session:
                for key, value in changed.items():
                    self.put_setting(session, key, value)
            if binding.reason is not None:
                log.warning(
                    "device id changed from %s to %s: the database was %s",
                    binding.previous_device, binding.device, binding.reason,
                )  # fmt: skip
                self.device_change = binding
        self.device_id = binding.device
        self.instance_id = binding.instance
        self.clock.rename(self._node(binding.device))
        if registry is not None:
            self._registry = registry
            self._remember()

    def renew_device(self) -> str:
        """Give this file a new device id (a restored copy must never write as the device
        that wrote the original: the county would take its changes for the same ones).  The
        change is a logged setting, so the earlier identity stays in the log."""
        previous = self.device_id
        device = identity.new_device_id()
        self.device_id = device
        self.clock.rename(self._node(device))
        with self.transaction(SYSTEM_ACTOR) as session:
            self.put_setting(session, DEVICE_KEY, device)
        self.device_change = identity.Binding(
            self.instance_id, device, "", identity.RESTORED, previous
        )
        log.warning("device id changed from %s to %s: the database was restored", previous, device)
        return device

    def _remember(self) -> None:
        """Note this file's current log head in the machine's registry (see identity).  The
        registry is read again first: other databases open on this machine note theirs in the
        same file, and an old copy of it would undo what they noted."""
        path = self._file_path()
        if self._registry is None or path is None or self.registry_path is None:
            return
        registry = self._registry = self._registry.reloaded()
        with self.reading() as session:
            seq, head_hash = changelog.head(session.connection())
        registry.remember(
            identity.Binding(self.instance_id, self.device_id, registry.machine, None, None),
            path,
            seq,
            head_hash if seq else None,
        )
        registry.save()

    # -- sessions ---------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """The database file (or the URL without a password), for messages."""
        return self._file_path() or self.engine.url.render_as_string(hide_password=True)

    def _fault(self, exc: BaseException, *, writing: bool) -> UserError | None:
        if is_busy(exc):
            return busy_error()
        fault = faults.user_error(exc, self.location)
        if isinstance(fault, faults.ReadOnlyError) and not writing:
            return None  # a write tried in reading(): a bug, not a read-only file
        return fault

    @contextmanager
    def transaction(self, actor: str | None = None) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back whole."""
        if self.write_refusal is not None:
            refusal = self.write_refusal
            raise type(refusal)(str(refusal))
        principal = self.principal
        if principal is not None and actor != SYSTEM_ACTOR:
            name = str(principal.name)[:40]
        elif self.accounts_required and actor != SYSTEM_ACTOR:
            raise login_required()
        else:
            name = (actor or self.actor or SYSTEM_ACTOR)[:40]
        try:
            with self._writer() as session, session.begin():
                self._mark(session)
                actor_id = self._actor_id(session, name)
                session.info[changelog.CONTEXT_KEY] = changelog.Context(
                    self.clock, actor_id, self.device_id, self.station_code, name
                )
                yield session
        except sqlalchemy.exc.DBAPIError as exc:
            self._actor_ids = {SYSTEM_ACTOR: None}
            fault = self._fault(exc, writing=True)
            if fault is not None:
                raise fault from exc
            raise
        except BaseException:
            self._actor_ids = {SYSTEM_ACTOR: None}  # a staff record made here was rolled back
            raise
        if self._registry is not None:
            self._remember()

    def _actor_id(self, session: Session, name: str) -> uuid.UUID | None:
        if name in self._actor_ids:
            return self._actor_ids[name]
        found = find_staff(session, name)
        if found is None:
            session.info[changelog.CONTEXT_KEY] = changelog.Context(
                self.clock, None, self.device_id, self.station_code, name
            )
            found = staff_id(session, name, self.station_code)
        self._actor_ids[name] = found
        return found

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only: changes are refused, and nothing is ever committed.

        Objects read stay usable after the block (detached, with what was loaded).
        """
        try:
            with self._reader() as session:
                self._mark(session)
                session.autoflush = False
                session.info[changelog.READ_ONLY_KEY] = True
                yield session
        except sqlalchemy.exc.DBAPIError as exc:
            fault = self._fault(exc, writing=False)
            if fault is not None:
                raise fault from exc
            raise

    def _mark(self, session: Session) -> None:
        session.info[PRINCIPAL_KEY] = self.principal
        session.info[ACCOUNTS_KEY] = self.accounts_required

    @staticmethod
    def has_accounts(session: Session) -> bool:
        """Whether the station has an enabled account (then logins are required)."""
        found = session.scalar(select(Account.id).where(Account.disabled.is_(False)).limit(1))
        return found is not None

    # -- settings ---------------------------------------------------------------------------

    def station(self, session: Session) -> Station | None:
        if not self.station_code:
            return None
        return session.scalar(select(Station).where(Station.code == self.station_code))

    def set_station_code(self, code: str) -> None:
        """Serve another station code from now on (stamps keep going forward)."""
        self.station_code = code
        self.clock.rename(self._node(self.device_id))

    def setting(self, key: str, default: str = "") -> str:
        with self.reading() as session:
            value = session.get(Setting, key)
            return value.value if value is not None else default

    def set_setting(self, key: str, value: str, actor: str | None = None) -> None:
        """Change a setting; the change is logged (who, when, old and new value)."""
        with self.transaction(actor) as session:
            self.put_setting(session, key, value)

    def put_setting(self, session: Session, key: str, value: str) -> None:
        """Change a setting inside the caller's transaction, logged."""
        put_setting(session, key, value)

    def dispose(self) -> None:
        self.engine.dispose()


def put_setting(session: Session, key: str, value: str) -> None:
    """Change a setting inside the session's transaction, logged (who, when, old, new)."""
    row = session.get(Setting, key)
    old = row.value if row is not None else None
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    context = session.info[changelog.CONTEXT_KEY]
    changelog.log_setting(session.connection(), context, key, old, value)


def find_staff(session: Session, name: str) -> uuid.UUID | None:
    """The id of the live staff record named ``name``, or None."""
    return session.scalar(
        select(Staff.id).where(Staff.name == name, Staff.deleted.is_(False)).limit(1)
    )


def staff_id(session: Session, name: str, station_code: str) -> uuid.UUID:
    """The id of the live staff record named ``name``; one is added (and logged, with the
    session's actor) when there is none.  The store makes the actor of a transaction the same
    way."""
    found = find_staff(session, name)
    if found is not None:
        return found
    staff = Staff(name=name, station_code=station_code)
    session.add(staff)
    session.flush()
    return staff.id


def _probe_instance(path: str, key: bytes | None = None) -> str | None:
    """The instance id stored in another database file (read-only, no migration; opened
    with this file's key when it is encrypted)."""
    connection = connect_raw(path, key, read_only=True, timeout=1)
    try:
        row = connection.execute(
            "SELECT value FROM setting WHERE key = ?", (INSTANCE_KEY,)
        ).fetchone()
    finally:
        connection.close()
    return str(row[0]) if row else None
