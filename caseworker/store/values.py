"""Values as list queries read them fast: record ids and dates selected as stored text (on
SQLite a UUID is 32 hex digits and a date ``YYYY-MM-DD``; PostgreSQL hands back UUIDs and
dates), converted in Python only where they are used."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

__all__ = ["as_date", "as_uuid", "id_blob"]


def as_uuid(value: object) -> uuid.UUID:
    """A record id read as stored text (SQLite) or as a UUID (PostgreSQL)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_date(value: object) -> dt.date:
    """A date read as stored text (SQLite, ``YYYY-MM-DD``) or as a date (PostgreSQL)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def id_blob(values: Iterable[object]) -> bytes:
    """Record ids packed 16 bytes each (for the screens' paged models)."""
    items = list(values)
    if all(type(v) is str for v in items):  # SQLite: one conversion for all
        return bytes.fromhex("".join(items))  # type: ignore[arg-type]
    return b"".join(as_uuid(v).bytes for v in items)
