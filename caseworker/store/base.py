"""Declarative base with a naming convention, and the columns every synced record carries."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, Integer, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Synced:
    """Mixin for records that may cross to the county.

    - ``id``: a UUID made on this machine, never reused.
    - ``station_code``: the station that owns the record.
    - ``created_hlc`` / ``updated_hlc``: hybrid-logical-clock timestamps (text, sortable).
    - ``version``: incremented on every update (optimistic concurrency).
    - ``deleted``: a tombstone; rows are never deleted.
    """

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    station_code: Mapped[str] = mapped_column(String(12), index=True)
    created_hlc: Mapped[str] = mapped_column(String(48))
    updated_hlc: Mapped[str] = mapped_column(String(48), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


#: Columns maintained by the store itself, never logged as user changes.
SYSTEM_COLUMNS = frozenset({"created_hlc", "updated_hlc", "version", "search_text"})
