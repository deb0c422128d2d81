"""The unit of work: one user action is one transaction.

Services open a transaction with :meth:`Store.transaction`; it commits when the block ends and
rolls back whole when anything in it fails.  Sessions are never global and never kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from caseworker.core.clock import HybridLogicalClock
from caseworker.store import changelog
from caseworker.store.models import ChangeLog, Setting, Station


class StoreSession(Session):
    """Sessions of the store: synced records are stamped and logged on flush."""


changelog.install(StoreSession)

DEVICE_KEY = "device_id"
STATION_KEY = "station_code"


class Store:
    """The station's database: engine, sessions, clock, and who is working."""

    def __init__(self, engine: Engine, *, actor: str = "system") -> None:
        self.engine = engine
        self.actor = actor
        self._sessions = sessionmaker(engine, class_=StoreSession, expire_on_commit=False)
        with self._sessions() as session:
            settings = dict(session.execute(select(Setting.key, Setting.value)).all())
            device = settings.get(DEVICE_KEY)
            if device is None:
                device = secrets.token_hex(4)
                session.add(Setting(key=DEVICE_KEY, value=device))
                session.commit()
            self.station_code = settings.get(STATION_KEY, "")
            self.clock = HybridLogicalClock(f"{self.station_code or 'local'}.{device}")
            last = session.scalar(select(func.max(ChangeLog.hlc)))
            if last:
                self.clock.observe(last)

    @contextmanager
    def transaction(self, actor: str | None = None) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back whole."""
        with self._sessions() as session:
            session.info.update(
                clock=self.clock, actor=actor or self.actor, station_code=self.station_code
            )
            with session.begin():
                yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only: it never commits, and closing it discards any change.

        Objects read stay usable after the block (detached, with what was loaded).
        """
        with self._sessions() as session:
            session.autoflush = False
            yield session

    def station(self, session: Session) -> Station | None:
        if not self.station_code:
            return None
        return session.scalar(select(Station).where(Station.code == self.station_code))

    def set_station_code(self, code: str) -> None:
        self.station_code = code
        self.clock = HybridLogicalClock(f"{code}.{self.clock.node.split('.', 1)[1]}")

    def setting(self, key: str, default: str = "") -> str:
        with self.reading() as session:
            value = session.get(Setting, key)
            return value.value if value is not None else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as session:
            session.merge(Setting(key=key, value=value))

    def dispose(self) -> None:
        self.engine.dispose()
