"""The change log: every insert, update and tombstone, in the same transaction, hash-chained.

How a change gets logged
------------------------
Inside :meth:`caseworker.store.uow.Store.transaction` the session carries a :class:`Context`
(the clock, the staff member acting, the device, the station).  A ``before_flush`` listener
stamps every new or changed synced record with a hybrid-logical-clock timestamp and writes
its log rows *before* the record itself is written:

- an insert is one row, ``field`` ``*``, with every value of the new record as JSON in
  ``new_value`` (so any earlier state can be rebuilt by replaying the log);
- an update is one row per changed field with the old and the new value (the old value is
  loaded from the database if it had been expired: every column has *active history*);
- a tombstone or a restore is an update of ``deleted`` with op ``delete`` / ``restore``.

Bulk loads (demo data, imports) go through :func:`insert_records`, which writes the same rows.
Settings are logged by :func:`log_setting`.

The one rule, and where it is enforced
--------------------------------------
*No row of a synced table is inserted or updated without a change-log row carrying its new
stamp, and no change-log row is ever changed or removed.*  The database itself enforces this
with triggers (:mod:`caseworker.store.guards`), so it holds for every path: the ORM, a Core
``update()``, raw SQL, another program.  Outside a transaction (``Store.reading()``) a
session cannot write at all.

The chain
---------
Each row carries ``prev_hash`` (the hash of the row before it in ``seq`` order) and ``hash``,
the SHA-256 of its canonical content and ``prev_hash``.  Rows are appended under the write
lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so ``seq`` has no gaps.
:mod:`caseworker.store.audit` walks the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, event, insert, inspect, select
from sqlalchemy.orm import Mapper, Session, attributes, configure_mappers

from caseworker.core import ids, wall
from caseworker.core.clock import HybridLogicalClock
from caseworker.core.errors import UserError
from caseworker.core.money import Money
from caseworker.i18n import _
from caseworker.store.base import SYSTEM_COLUMNS, Base, Synced
from caseworker.store.bulk import bound, insert_bound, insert_rows, table_name
from caseworker.store.models import ChangeLog

INSERT = "insert"
UPDATE = "update"
TOMBSTONE = "delete"
RESTORE = "restore"
#: A record written from elsewhere: at a station, received from the county (a transfer); at
#: the county, its copy of a station's record after the station's rows (whole values).
IMPORT = "import"
#: The values of a record that existed before the log kept insert values (migration 0004).
BASELINE = "baseline"
#: ``prev_hash`` of the first row.
GENESIS = "0" * 64
#: The session-info keys.
CONTEXT_KEY = "caseworker_log"
READ_ONLY_KEY = "caseworker_read_only"
#: The entity name of settings in the log (``entity_id`` is :func:`setting_id` of the key).
SETTING_ENTITY = "setting"
_SETTING_NAMESPACE = uuid.UUID("0b3e1f0c-6a4e-4b7e-9a55-6c61736577ab")


class ReadOnlyError(RuntimeError):
    """A change attempted in a session that only reads (``Store.reading()``)."""


class NotOwnerError(UserError):
    """A change to a record another station owns (every record has one writer, its owner)."""


def _not_owner(owner: str) -> NotOwnerError:
    return NotOwnerError(
        _("This record belongs to station {code}; only that station can change it.").format(
            code=owner
        )
    )


def _check_owner(obj: Synced, station_code: str, *, new: bool) -> None:
    """Refuse a change to a record this database does not own (a transferred person, or a
    station's record at the county).  A record with no owner yet takes this one."""
    if not station_code:
        return
    if new:
        owner = obj.station_code
    else:
        history = inspect(obj).attrs["station_code"].history
        owner = history.deleted[0] if history.deleted else obj.station_code
    if owner and owner != station_code:
        raise _not_owner(owner)


@dataclass(frozen=True, slots=True)
class Context:
    """Who and what stamps the changes of one transaction."""

    clock: HybridLogicalClock
    actor_id: uuid.UUID | None
    device_id: str
    station_code: str
    actor_name: str = "system"


def encode(value: object) -> str | None:
    """A stable text form of a column value for the log (and for comparing states): text as
    it is, booleans and numbers as JSON, dates and instants (UTC) in ISO form."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if value is None:
        return None
    if kind is bool:
        return "true" if value else "false"
    if kind is dt.date:
        assert isinstance(value, dt.date)
        return value.isoformat()
    if kind is uuid.UUID or kind is int:
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, Money):
        return str(value.fen)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def setting_id(key: str) -> uuid.UUID:
    """The stable ``entity_id`` of a setting in the log."""
    return uuid.uuid5(_SETTING_NAMESPACE, key)


# ---------------------------------------------------------------------------------------------
# Rows and the chain
# ---------------------------------------------------------------------------------------------

#: The fields a row's hash covers, in order.
HASHED = (
    "seq", "change_id", "hlc", "at", "actor_id", "device_id", "station_code",
    "entity", "entity_id", "op", "field", "old_value", "new_value", "prev_hash",
)  # fmt: skip


def canonical(row: Mapping[str, object]) -> bytes:
    """The bytes a row's hash is taken over (the same on every backend)."""
    return json.dumps(
        [encode(row[name]) if name != "seq" else int(str(row[name])) for name in HASHED],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def digest(row: Mapping[str, object]) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


def new_row(
    context: Context,
    *,
    hlc: str,
    at: dt.datetime,
    entity: str,
    entity_id: uuid.UUID,
    op: str,
    field: str,
    old: str | None,
    new: str | None,
    station_code: str | None = None,
) -> dict[str, object]:
    """A log row before it is chained (``seq``, ``prev_hash`` and ``hash`` come in
    :func:`append`)."""
    return {
        "change_id": ids.time_ordered(), "hlc": hlc, "at": at, "actor_id": context.actor_id,
        "device_id": context.device_id, "station_code": station_code or context.station_code,
        "entity": entity, "entity_id": entity_id, "op": op, "field": field,
        "old_value": old, "new_value": new,
    }  # fmt: skip


def head(connection: Connection) -> tuple[int, str]:
    """The last ``(seq, hash)`` of the log, or ``(0, GENESIS)``."""
    last = connection.execute(
        select(ChangeLog.seq, ChangeLog.hash).order_by(ChangeLog.seq.desc()).limit(1)
    ).first()
    return (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)


def append(connection: Connection, rows: Sequence[dict[str, object]]) -> None:
    """Chain ``rows`` after the last row of the log and insert them, in order."""
    if not rows:
        return
    seq, prev = head(connection)
    for row in rows:
        seq += 1
        row["seq"] = seq
        row["prev_hash"] = prev
        prev = row["hash"] = digest(row)
    insert_rows(connection, ChangeLog, rows)


#: The JSON text of one string as :func:`canonical` writes it (``json.dumps(text,
#: ensure_ascii=False)``: what ``JSONEncoder(ensure_ascii=False)`` uses for a string).
json_text: Callable[[str], str] = json.encoder.encode_basestring
#: The hashed fields between ``seq`` and ``prev_hash``: the values a bulk writer gives
#: :func:`append_made` for each row, in this order.
MADE_KEYS = HASHED[1:-1]
_CHAINED_KEYS = ("seq", *MADE_KEYS, "prev_hash", "hash")


def hashed_text(encoded: Sequence[str | None]) -> str:
    """The part of :func:`canonical` between ``seq`` and ``prev_hash``, from :func:`encode` of
    each field of :data:`MADE_KEYS` (a bulk writer makes it when it makes the row)."""
    return ",".join("null" if text is None else json_text(text) for text in encoded)


def chained_bytes(seq: int, hashed: str, prev_hash: str) -> bytes:
    """:func:`canonical` of a row from its :func:`hashed_text`: the same bytes, for a caller
    that knows the values' text (a bulk writer)."""
    return f"[{seq},{hashed},{json_text(prev_hash)}]".encode()


def append_made(
    connection: Connection,
    rows: Sequence[tuple[Any, ...]],
    hashed: Sequence[str],
    *,
    ready: bool = False,
) -> None:
    """:func:`append` for a bulk writer: ``rows[i]`` holds the values of :data:`MADE_KEYS` and
    ``hashed[i]`` their :func:`hashed_text`.  The same chain and the same hashes, without
    making a dict of each row or encoding every value again.  ``ready``: the values are
    made ready for SQLite's driver already (:func:`caseworker.store.bulk.bound`)."""
    if not rows:
        return
    if len(hashed) != len(rows):
        raise ValueError("one hashed text is needed for each row")
    seq, prev = head(connection)
    sha256 = hashlib.sha256
    chained: list[tuple[Any, ...]] = []
    append_row = chained.append
    for row, text in zip(rows, hashed, strict=True):
        seq += 1
        digest_ = sha256(chained_bytes(seq, text, prev)).hexdigest()
        append_row((seq, *row, prev, digest_))
        prev = digest_
    if ready:
        insert_bound(connection, ChangeLog, _CHAINED_KEYS, chained)
    elif connection.dialect.name == "sqlite":
        insert_bound(
            connection, ChangeLog, _CHAINED_KEYS,
            bound(connection.dialect, ChangeLog, _CHAINED_KEYS, chained),
        )  # fmt: skip
    else:
        connection.execute(
            insert(ChangeLog), [dict(zip(_CHAINED_KEYS, row, strict=True)) for row in chained]
        )


# ---------------------------------------------------------------------------------------------
# Record values
# ---------------------------------------------------------------------------------------------


def logged_keys(mapper: Mapper[Any]) -> list[str]:
    """The attribute keys of a synced record that the log carries (not the system columns)."""
    return [a.key for a in mapper.column_attrs if a.key not in SYSTEM_COLUMNS]


def values_json(values: Mapping[str, object]) -> str:
    """The insert row's ``new_value``: every logged value, encoded, as sorted JSON."""
    return json.dumps(
        {key: encode(value) for key, value in values.items()},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def _fill_defaults(obj: Synced) -> None:
    """Apply the Python-side column defaults now, so the insert row logs the stored values (a
    value left None in a column that may not be empty gets its default too)."""
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        if attr.key in state.dict and (state.dict[attr.key] is not None or column.nullable):
            continue
        default = column.default
        if default is None:
            continue
        if default.is_scalar:
            setattr(obj, attr.key, default.arg)
        elif default.is_callable:
            setattr(obj, attr.key, default.arg(None))


def _fill_references(obj: Synced) -> None:
    """Set the foreign-key columns of a new record from the records it was given through its
    relationships (SQLAlchemy would set them only while writing, after the log row)."""
    state = inspect(obj)
    for relationship in state.mapper.relationships:
        if relationship.direction.name != "MANYTOONE" or relationship.viewonly:
            continue
        target = state.dict.get(relationship.key)
        if target is None:
            continue
        for local, remote in relationship.local_remote_pairs:
            value = getattr(target, inspect(target).mapper.get_property_by_column(remote).key)
            key = state.mapper.get_property_by_column(local).key
            if value is not None and getattr(obj, key) is None:
                setattr(obj, key, value)


def _changes(obj: Synced) -> list[tuple[str, object, object]]:
    state = inspect(obj)
    found: list[tuple[str, object, object]] = []
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
            found.append((key, old, new))
        else:  # the same value set again: not a change (and no UPDATE for it)
            attributes.set_committed_value(obj, key, new)
    return found


def _before_flush(session: Session, _context: Any, _instances: Iterable[Any] | None) -> None:
    info = session.info
    if info.get(READ_ONLY_KEY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyError("this session only reads; make changes in Store.transaction()")
    for obj in list(session.deleted):
        if isinstance(obj, Synced):
            raise RuntimeError(
                f"{type(obj).__name__} rows are never deleted; set deleted=True (a tombstone)"
            )
    context: Context | None = info.get(CONTEXT_KEY)
    new = [o for o in session.new if isinstance(o, Synced)]
    dirty = [o for o in session.dirty if isinstance(o, Synced) and session.is_modified(o)]
    if context is None:
        if new or dirty:
            raise RuntimeError("synced records are written only inside Store.transaction()")
        return
    for obj in new:
        _check_owner(obj, context.station_code, new=True)
    for obj in dirty:
        _check_owner(obj, context.station_code, new=False)
    at = wall.now()
    rows: list[dict[str, object]] = []
    for obj in new:
        _fill_defaults(obj)
    for obj in new:
        _fill_references(obj)
        if not obj.station_code:
            obj.station_code = context.station_code
        stamp = str(context.clock.now())
        obj.created_hlc = obj.updated_hlc = stamp
        mapper = inspect(obj).mapper
        values = {key: getattr(obj, key) for key in logged_keys(mapper)}
        rows.append(
            new_row(
                context, hlc=stamp, at=at, entity=table_name(mapper), entity_id=obj.id,
                op=INSERT, field="*", old=None, new=values_json(values),
                station_code=obj.station_code,
            )
        )  # fmt: skip
    for obj in dirty:
        changes = _changes(obj)
        if not changes:
            continue
        stamp = str(context.clock.now())
        obj.updated_hlc = stamp
        entity = table_name(inspect(obj).mapper)
        for key, old, value in changes:
            op = (TOMBSTONE if value else RESTORE) if key == "deleted" else UPDATE
            rows.append(
                new_row(
                    context, hlc=stamp, at=at, entity=entity, entity_id=obj.id, op=op,
                    field=key, old=encode(old), new=encode(value), station_code=obj.station_code,
                )
            )  # fmt: skip
    append(session.connection(), rows)


# ---------------------------------------------------------------------------------------------
# Bulk loads and settings
# ---------------------------------------------------------------------------------------------


def insert_values(model: type[Synced], row: Mapping[str, Any]) -> str:
    """The ``new_value`` of the insert log row of ``row`` (a new record of ``model`` with every
    logged value, ``station_code``, ``deleted`` and ``demo`` included): what
    :func:`insert_records` logs.  Bulk loads build it with the row, before the write lock."""
    keys = logged_keys(inspect(model))
    missing = [k for k in keys if k not in row]
    if missing:
        raise ValueError(f"{model.__name__} rows need every logged value; missing {missing}")
    return values_json({k: row[k] for k in keys})


def insert_records(
    connection: Connection,
    context: Context,
    model: type[Synced],
    rows: Sequence[dict[str, Any]],
    *,
    at: dt.datetime | None = None,
    op: str = INSERT,
    notes: Sequence[str | None] | None = None,
    new_values: Sequence[str] | None = None,
) -> None:
    """Insert many new records of ``model`` (dicts of attribute values, ``id`` included),
    stamped and logged exactly as the session would (the log rows go in first).

    ``op`` ``import`` logs records received from the county (a transfer); ``notes`` then gives
    each row's ``old_value`` (where the record comes from, see :mod:`caseworker.sync`).
    ``new_values``, when given, are :func:`insert_values` of the rows, made beforehand (the
    first is checked against its row)."""
    _write(connection, context, [(model, rows, new_values)], at, op, notes)


def insert_many(
    connection: Connection,
    context: Context,
    batches: Sequence[tuple[type[Synced], Sequence[dict[str, Any]]]],
    *,
    at: dt.datetime | None = None,
) -> None:
    """:func:`insert_records` for several models at once, in the order given (the order the
    foreign keys need): the log rows of all of them are chained and written first, in one go."""
    _write(connection, context, [(model, rows, None) for model, rows in batches], at)


def _write(
    connection: Connection,
    context: Context,
    batches: Sequence[tuple[type[Synced], Sequence[dict[str, Any]], Sequence[str] | None]],
    at: dt.datetime | None,
    op: str = INSERT,
    notes: Sequence[str | None] | None = None,
) -> None:
    at = at or wall.now()
    log: list[dict[str, object]] = []
    for model, rows, new_values in batches:
        if rows:
            log += _log_rows(context, model, rows, at, new_values, op, notes)
    append(connection, log)
    for model, rows, _new_values in batches:
        if rows:
            insert_rows(connection, model, rows)  # type: ignore[arg-type]


def _log_rows(
    context: Context,
    model: type[Synced],
    rows: Sequence[dict[str, Any]],
    at: dt.datetime,
    new_values: Sequence[str] | None = None,
    op: str = INSERT,
    notes: Sequence[str | None] | None = None,
) -> list[dict[str, object]]:
    """Stamp ``rows`` (new records of ``model``) and make their insert log rows."""
    mapper = inspect(model)
    table = table_name(mapper)
    keys = logged_keys(mapper)
    if new_values is not None and (
        len(new_values) != len(rows) or new_values[0] != insert_values(model, rows[0])
    ):
        raise ValueError(f"the logged values given do not match the {table} rows")
    log: list[dict[str, object]] = []
    for index, row in enumerate(rows):
        row.setdefault("station_code", context.station_code)
        row.setdefault("deleted", False)
        row.setdefault("demo", False)
        row["version"] = 1
        stamp = str(context.clock.now())
        row["created_hlc"] = row["updated_hlc"] = stamp
        if new_values is None:
            missing = [k for k in keys if k not in row]
            if missing:
                raise ValueError(f"{table} rows need every logged value; missing {missing}")
            new = values_json({k: row[k] for k in keys})
        else:
            new = new_values[index]
        log.append(
            new_row(
                context, hlc=stamp, at=at, entity=table, entity_id=row["id"], op=op,
                field="*", old=notes[index] if notes is not None else None, new=new,
                station_code=str(row["station_code"]),
            )
        )  # fmt: skip
    return log


def reassert(session: Session, obj: Synced, key: str, old: str | None, new: str | None) -> None:
    """Log a change of ``key`` from ``old`` to ``new`` where the record has ``new`` already:
    the county refused this record's change as made on a stale value, a county user decided
    for it, and the county's copy (which has ``old``) takes it from this row.  The record is
    stamped anew (and its version moves on), as any logged change."""
    from sqlalchemy import update

    context: Context = session.info[CONTEXT_KEY]
    mapper = inspect(obj).mapper
    stamp = str(context.clock.now())
    connection = session.connection()
    append(
        connection,
        [
            new_row(
                context, hlc=stamp, at=wall.now(), entity=table_name(mapper), entity_id=obj.id,
                op=UPDATE, field=key, old=old, new=new, station_code=obj.station_code,
            )
        ],
    )  # fmt: skip
    table = mapper.local_table
    connection.execute(
        update(table)
        .where(table.c.id == obj.id)
        .values(updated_hlc=stamp, version=table.c.version + 1)
    )
    session.expire(obj)


def log_setting(
    connection: Connection, context: Context, key: str, old: str | None, new: str | None
) -> None:
    """Log a change of a setting of this installation (the station, the caseworker …)."""
    if old == new:
        return
    log_act(
        connection, context, SETTING_ENTITY, setting_id(key), INSERT if old is None else UPDATE,
        key, old, new,
    )  # fmt: skip


def log_act(
    connection: Connection,
    context: Context,
    entity: str,
    entity_id: uuid.UUID,
    op: str,
    field: str,
    old: str | None,
    new: str | None,
) -> None:
    """Append one row for a change that is not a synced record's (a setting, an account, a
    whole value shown or exported, a backup or a restore), stamped now."""
    append(
        connection,
        [
            new_row(
                context, hlc=str(context.clock.now()), at=wall.now(), entity=entity,
                entity_id=entity_id, op=op, field=field, old=old, new=new,
            )
        ],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Installation
# ---------------------------------------------------------------------------------------------


def _keep_old_value(_target: object, _value: object, _old: object, _initiator: object) -> None:
    """A no-op ``set`` listener; registering it with ``active_history`` is what matters."""


def _active_history() -> None:
    """Make every logged column of every synced record load its old value before a set, so
    an update of an expired attribute logs the real old value (never NULL)."""
    configure_mappers()
    for mapper in Base.registry.mappers:
        if not issubclass(mapper.class_, Synced):
            continue
        for key in logged_keys(mapper):
            attribute = getattr(mapper.class_, key)
            if not event.contains(attribute, "set", _keep_old_value):
                event.listen(attribute, "set", _keep_old_value, active_history=True)


def install(session_class: type[Session]) -> None:
    """Attach the listener to a session class (idempotent)."""
    _active_history()
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
