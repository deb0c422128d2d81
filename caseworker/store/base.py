"""Declarative base with a naming convention, the columns every synced record carries, and the
column types for instants (aware UTC) and money (integer fen)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Boolean, DateTime, Dialect, Integer, MetaData, String, Uuid, false
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from caseworker.core.money import Money

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant: aware on the way in (refused if naive), aware UTC on the way out.

    PostgreSQL keeps it as ``timestamptz``; SQLite as text of the UTC time.  Both backends
    therefore hand back the same aware value.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("instants are stored aware (UTC); got a naive datetime")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class MoneyType(TypeDecorator[Money]):
    """:class:`~caseworker.core.money.Money` as an INTEGER number of fen (never REAL)."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Money | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Money):
            raise TypeError(f"expected Money, got {type(value).__name__}")
        return value.fen

    def process_result_value(self, value: Any, dialect: Dialect) -> Money | None:
        return None if value is None else Money(int(value))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Synced:
    """Mixin for records that may cross to the county.

    - ``id``: a UUID made on this machine, never reused.
    - ``station_code``: the station that owns the record.
    - ``created_hlc`` / ``updated_hlc``: hybrid-logical-clock timestamps (text, sortable).
    - ``version``: incremented on every update (optimistic concurrency).
    - ``deleted``: a tombstone; rows are never deleted.
    - ``demo``: made by ``caseworker demo`` (synthetic; never exported).

    Every insert and update of such a record carries a change-log row with its stamp; the
    database refuses one without it (:mod:`caseworker.store.guards`).
    """

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    station_code: Mapped[str] = mapped_column(String(12), index=True)
    created_hlc: Mapped[str] = mapped_column(String(48))
    updated_hlc: Mapped[str] = mapped_column(String(48), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


#: Columns maintained by the store itself, never logged as user changes.  ``held`` is the
#: county's mark on a person whose ID number another station registered too (see
#: :mod:`caseworker.sync`); a station never sets it.
SYSTEM_COLUMNS = frozenset({"created_hlc", "updated_hlc", "version", "search_text", "held"})
