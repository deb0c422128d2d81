"""The change log: every insert, update and tombstone, field by field, in the same transaction.

A ``before_flush`` listener on the store's sessions stamps synced records with hybrid-logical-
clock timestamps and the owning station, and appends :class:`ChangeLog` rows.  Hard deletes
of synced records are refused: the store keeps tombstones.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.clock import HybridLogicalClock
from caseworker.store.base import SYSTEM_COLUMNS, Synced
from caseworker.store.models import ChangeLog

INSERT = "insert"
UPDATE = "update"
TOMBSTONE = "delete"
RESTORE = "restore"


def encode(value: object) -> str | None:
    """A stable text form of a column value for the log (JSON scalars)."""
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def insert_row(
    *, entity: str, entity_id: uuid.UUID, hlc: str,
    at: dt.datetime, actor: str, station_code: str,
) -> dict[str, object]:  # fmt: skip
    """A change-log row (as a dict for Core bulk inserts) for a newly inserted record.

    The inserted values are not copied: the record itself holds them, and later update rows
    hold every old value, so any earlier state can be rebuilt by replaying updates backwards.
    """
    return {
        "change_id": uuid.uuid4(), "hlc": hlc, "at": at, "actor": actor,
        "station_code": station_code, "entity": entity, "entity_id": entity_id,
        "op": INSERT, "field": "*", "old_value": None, "new_value": None,
    }  # fmt: skip


def _changes(obj: Synced) -> Iterator[tuple[str, object, object]]:
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SYSTEM_COLUMNS:
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if encode(old) != encode(new):
            yield key, old, new


def _before_flush(session: Session, _context: Any, _instances: Iterable[Any] | None) -> None:
    info = session.info
    clock: HybridLogicalClock | None = info.get("clock")
    if clock is None:
        return
    actor = str(info.get("actor", "system"))
    default_station = str(info.get("station_code", ""))
    now = wall.now()
    for obj in list(session.deleted):
        if isinstance(obj, Synced):
            raise RuntimeError(
                f"{type(obj).__name__} rows are never deleted; set deleted=True (a tombstone)"
            )
    for obj in list(session.new):
        if not isinstance(obj, Synced):
            continue
        if obj.id is None:
            obj.id = uuid.uuid4()
        if not obj.station_code:
            obj.station_code = default_station
        stamp = str(clock.now())
        obj.created_hlc = obj.updated_hlc = stamp
        row = insert_row(
            entity=type(obj).__tablename__,  # type: ignore[attr-defined]
            entity_id=obj.id, hlc=stamp, at=now,
            actor=actor, station_code=obj.station_code,
        )  # fmt: skip
        session.add(ChangeLog(**row))
    for obj in list(session.dirty):
        if not isinstance(obj, Synced) or not session.is_modified(obj):
            continue
        changes = list(_changes(obj))
        if not changes:
            continue
        stamp = str(clock.now())
        obj.updated_hlc = stamp
        for key, old, new in changes:
            op = UPDATE
            if key == "deleted":
                op = TOMBSTONE if new else RESTORE
            session.add(
                ChangeLog(
                    change_id=uuid.uuid4(),
                    hlc=stamp,
                    at=now,
                    actor=actor,
                    station_code=obj.station_code,
                    entity=type(obj).__tablename__,  # type: ignore[attr-defined]
                    entity_id=obj.id,
                    op=op,
                    field=key,
                    old_value=encode(old),
                    new_value=encode(new),
                )
            )


def install(session_class: type[Session]) -> None:
    """Attach the listener to a session class (idempotent)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
