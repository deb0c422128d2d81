"""Writing a station's new rows into the county's database, in one transaction.

:func:`plan` reads what it needs and decides everything (the records' new states by replay,
the conflicts, the holds on duplicate ID numbers, the checks of foreign keys) *before* any
write; a problem found there refuses the bundle with nothing written.  :func:`write` then
writes, in this order: the received rows, the holds that must come first, the records in
foreign-key order (parents first), the releases, the conflicts.

Every change to a record is logged in the county's own change log (op ``import``, field
``*``, the record's whole values), stamped by the county's clock, so the guard triggers and
``audit verify`` hold at the county as at a station; a hold or its release is logged as an
update of ``held``.  The stations' own rows stay in ``sync_row``, so each station's chain
stays verifiable at the county, and any record can be replayed again from them.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.orm import Session

from caseworker.core import ids, wall
from caseworker.i18n import _
from caseworker.registry.search import FULL_TEXT_TABLES
from caseworker.store import changelog
from caseworker.store.bulk import bound, insert_bound, insert_rows
from caseworker.store.models import ChangeLog
from caseworker.store.sync_models import SyncConflict, SyncDecision, SyncRow
from caseworker.sync import records
from caseworker.sync.changes import SYNC_KEYS, Line, sync_values
from caseworker.sync.container import refused
from caseworker.sync.export import DECISION_ENTITY
from caseworker.sync.replay import DUPLICATE_ID, ROW_KINDS, Conflict, Row, replay

BATCH = 500
HOLD = "hold"
RELEASE = "release"
IMPORT = changelog.IMPORT


def batched(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


_ROW_COLUMNS = (
    SyncRow.station_code, SyncRow.seq, SyncRow.hash, SyncRow.hlc, SyncRow.at, SyncRow.actor_id,
    SyncRow.entity, SyncRow.entity_id, SyncRow.op, SyncRow.field, SyncRow.old_value,
    SyncRow.new_value,
)  # fmt: skip
_RECEIVED = select(*_ROW_COLUMNS).where(
    SyncRow.entity_id.in_(bindparam("ids", expanding=True)), SyncRow.stub.is_(False)
)


def row_of(stored: Any) -> Row:
    """A received row (a ``sync_row`` row, or a result row of its columns) for replay."""
    values = None
    if stored.field == "*" and stored.new_value is not None:
        values = json.loads(stored.new_value)
    assert stored.hlc is not None
    assert stored.at is not None
    assert stored.entity_id is not None
    return Row(
        stored.station_code, stored.seq, stored.hash, stored.hlc, stored.at, stored.actor_id,
        str(stored.entity), stored.entity_id, str(stored.op), str(stored.field),
        stored.old_value, stored.new_value, values,
    )  # fmt: skip


#: A plan's records, on SQLite: put in a temporary table once, and read with ``IN (SELECT
#: …)`` (one statement a read, instead of one a chunk of 500 ids, each with its ids made and
#: bound one by one: a tenth of a large import).
_PLAN_IDS = Table(
    "caseworker_plan_ids", MetaData(), Column("entity", String(40), primary_key=True),
    Column("id", Uuid, primary_key=True), prefixes=["TEMPORARY"],
)  # fmt: skip
_RECEIVED_LOADED = select(*_ROW_COLUMNS).where(
    SyncRow.entity_id.in_(select(_PLAN_IDS.c.id)), SyncRow.stub.is_(False)
)


def _load_ids(connection: Connection, ids: Iterable[tuple[str, uuid.UUID]]) -> bool:
    """On SQLite, ``(entity, id)`` pairs put in the plan's temporary table (True); elsewhere
    nothing (False: the reads take the ids in chunks)."""
    if connection.dialect.name != "sqlite":
        return False
    connection.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS caseworker_plan_ids "
        "(entity VARCHAR(40) NOT NULL, id CHAR(32) NOT NULL, PRIMARY KEY (entity, id))"
    )
    connection.exec_driver_sql("DELETE FROM temp.caseworker_plan_ids")
    process = _PLAN_IDS.c.id.type._cached_bind_processor(connection.dialect)
    rows = [(entity, process(i) if process else i) for entity, i in ids]
    connection.exec_driver_sql("INSERT INTO temp.caseworker_plan_ids VALUES (?, ?)", rows)
    return True


def _read(
    connection: Connection, statement: Any, ids: Sequence[uuid.UUID], loaded: Any | None
) -> Iterator[Any]:
    """The rows of ``statement`` for ``ids``, a chunk at a time; or of ``loaded`` (the same
    reading the plan's temporary table) when it is given."""
    if loaded is not None:
        yield from connection.execute(loaded)
        return
    for chunk in batched(ids):
        yield from connection.execute(statement, {"ids": list(chunk)})


def received_rows(
    session: Session, ids: Sequence[uuid.UUID], *, loaded: bool = False
) -> dict[uuid.UUID, list[Row]]:
    """Every whole row the county has of these records (``loaded``: they are the ids of the
    plan's temporary table, :func:`_load_ids`)."""
    found: dict[uuid.UUID, list[Row]] = defaultdict(list)
    connection = session.connection()
    for stored in _read(connection, _RECEIVED, ids, _RECEIVED_LOADED if loaded else None):
        if stored.entity != DECISION_ENTITY:
            found[stored.entity_id].append(row_of(stored))
    return found


@dataclass
class Current:
    values: dict[str, str | None]
    version: int
    held: bool


@cache
def _current_columns(entity: str) -> Any:
    model = records.models()[entity]
    table = model.table
    held = [table.c.held] if "held" in table.c else []
    columns = [table.c[c.name] for c in model.columns.values()] + [table.c.version, *held]
    return select(*columns)


@cache
def _current_statement(entity: str) -> Any:
    table = records.models()[entity].table
    return _current_columns(entity).where(table.c.id.in_(bindparam("ids", expanding=True)))


@cache
def _current_loaded(entity: str) -> Any:
    table = records.models()[entity].table
    wanted = select(_PLAN_IDS.c.id).where(_PLAN_IDS.c.entity == entity)
    return _current_columns(entity).where(table.c.id.in_(wanted))


def current_records(
    session: Session, entity: str, ids: Sequence[uuid.UUID], *, loaded: bool = False
) -> dict[uuid.UUID, Current]:
    """The records' values as the log writes them, their versions, whether held
    (``loaded``: see :func:`received_rows`)."""
    model = records.models()[entity]
    keys = list(model.columns)
    held = "held" in model.table.c
    connection = session.connection()
    found: dict[uuid.UUID, Current] = {}
    statement = _current_statement(entity)
    for row in _read(connection, statement, ids, _current_loaded(entity) if loaded else None):
        values = {k: changelog.encode(v) for k, v in zip(keys, row[: len(keys)], strict=True)}
        record_id = uuid.UUID(str(values["id"]))
        found[record_id] = Current(
            values, int(row[len(keys)]), bool(row[len(keys) + 1]) if held else False
        )
    return found


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


@dataclass
class Change:
    entity: str
    record_id: uuid.UUID
    values: dict[str, str | None]  # the new state, as the log writes values
    current: Current | None
    held: bool = False
    #: The received row whose values these are, when they are its values as they came (its
    #: text, decoded values, derived columns and ready row are used as they are).
    source: Row | None = None


@dataclass
class Plan:
    #: For ``sync_row``: the values in the order of SYNC_KEYS, or (``rows_bound``) the same
    #: made ready for SQLite's driver with the check (:mod:`caseworker.sync.ahead`).
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rows_bound: bool = False
    changes: dict[str, list[Change]] = field(default_factory=lambda: defaultdict(list))
    hold_first: list[tuple[uuid.UUID, Current]] = field(default_factory=list)
    release_after: list[tuple[uuid.UUID, Current]] = field(default_factory=list)
    add_conflicts: list[Conflict] = field(default_factory=list)
    drop_conflicts: list[uuid.UUID] = field(default_factory=list)
    update_conflicts: list[tuple[uuid.UUID, dict[str, Any]]] = field(default_factory=list)
    decisions: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)
    applied_rows: int = 0

    @property
    def written(self) -> int:
        return sum(len(c) for c in self.changes.values())


def plan(session: Session, station: str, bundle_id: uuid.UUID, lines: Sequence[Line]) -> Plan:
    """Decide what applying ``lines`` (rows the county has not seen) does; refuse the bundle
    (:class:`~caseworker.sync.container.BundleRefused`) when it cannot be applied."""
    result = Plan()
    ready = [line.bound for line in lines if line.bound is not None]
    result.rows_bound = len(ready) == len(lines)
    result.rows = (
        ready if result.rows_bound else [sync_values(x, station, bundle_id) for x in lines]
    )
    new_rows = [line.row for line in lines if line.row is not None]
    by_record: dict[tuple[str, uuid.UUID], list[Row]] = defaultdict(list)
    for row in new_rows:
        if row.entity == DECISION_ENTITY:
            result.decisions.append((row.entity_id, station, row.new_value or ""))
        else:
            by_record[(row.entity, row.entity_id)].append(row)
    if not by_record:
        return result
    loaded = len(by_record) > BATCH and _load_ids(session.connection(), by_record)
    earlier = received_rows(session, [record_id for _e, record_id in by_record], loaded=loaded)
    ids_by_entity: dict[str, list[uuid.UUID]] = defaultdict(list)
    for entity, record_id in by_record:
        ids_by_entity[entity].append(record_id)
    currents = {
        entity: current_records(session, entity, ids, loaded=loaded)
        for entity, ids in ids_by_entity.items()
    }
    conflicts: dict[uuid.UUID, list[Conflict]] = {}
    for (entity, record_id), rows in by_record.items():
        before = earlier.get(record_id)
        outcome = replay([r for r in before if r.entity == entity] + rows if before else rows)
        result.applied_rows += len(rows)
        conflicts[record_id] = outcome.conflicts
        current = currents[entity].get(record_id)
        if outcome.values is None:
            continue
        if current is not None and current.values == outcome.values:
            continue
        source = outcome.source
        same = source is not None and source.values == outcome.values
        result.changes[entity].append(
            Change(entity, record_id, outcome.values, current, source=source if same else None)
        )
    _check_references(session, result)
    _plan_row_conflicts(session, result, conflicts, loaded)
    _plan_duplicates(session, result)
    return result


def _check_references(session: Session, result: Plan) -> None:
    wanted: dict[str, set[str]] = defaultdict(set)
    made: dict[str, set[str]] = defaultdict(set)
    for entity, changes in result.changes.items():
        foreign = [c for c in records.models()[entity].columns.values() if c.foreign is not None]
        for change in changes:
            made[entity].add(str(change.values["id"]))
            current = change.current.values if change.current is not None else {}
            for column in foreign:
                target = change.values.get(column.key)
                if target is not None and current.get(column.key) != target:
                    wanted[str(column.foreign)].add(target)
    for target_table, targets in wanted.items():
        missing = targets - made.get(target_table, set())
        if not missing:
            continue
        table = records.models()[target_table].table
        found: set[str] = set()
        for chunk in batched(sorted(missing)):
            found.update(
                str(i)
                for i in session.scalars(
                    select(table.c.id).where(table.c.id.in_([uuid.UUID(t) for t in chunk]))
                )
            )
        absent = missing - found
        if absent:
            raise refused(
                _("A record of the bundle refers to a {table} record the county does not have "
                  "({id}); it may be demo data, which is never sent.")
                .format(table=target_table, id=sorted(absent)[0])
            )  # fmt: skip


def _conflict_fields(conflict: Conflict) -> dict[str, Any]:
    return {
        "kind": conflict.kind, "key": conflict.key, "entity": conflict.entity,
        "entity_id": conflict.entity_id, "station_code": conflict.station,
        "row_hash": conflict.row_hash, "field": conflict.field,
        "current_value": conflict.current, "incoming_value": conflict.incoming,
        "detail": json.dumps(conflict.detail, ensure_ascii=False, sort_keys=True),
    }  # fmt: skip


_CONFLICT_COLUMNS = (
    SyncConflict.id, SyncConflict.key, SyncConflict.status, SyncConflict.detail,
    SyncConflict.resolution,
)  # fmt: skip
_ROW_CONFLICTS = select(*_CONFLICT_COLUMNS).where(
    SyncConflict.entity_id.in_(bindparam("ids", expanding=True)), SyncConflict.kind.in_(ROW_KINDS)
)
_KEY_CONFLICTS = select(*_CONFLICT_COLUMNS).where(
    SyncConflict.key.in_(bindparam("keys", expanding=True))
)


_ROW_CONFLICTS_LOADED = select(*_CONFLICT_COLUMNS).where(
    SyncConflict.entity_id.in_(select(_PLAN_IDS.c.id)), SyncConflict.kind.in_(ROW_KINDS)
)


def _plan_row_conflicts(
    session: Session, result: Plan, conflicts: dict[uuid.UUID, list[Conflict]], loaded: bool
) -> None:
    ids = list(conflicts)
    existing: dict[str, Any] = {}
    connection = session.connection()
    for stored in _read(connection, _ROW_CONFLICTS, ids, _ROW_CONFLICTS_LOADED if loaded else None):
        existing[stored.key] = stored
    wanted = {c.key: c for found in conflicts.values() for c in found}
    for key, stored in existing.items():
        if key not in wanted and stored.status == "open":
            result.drop_conflicts.append(stored.id)
    for key, conflict in wanted.items():
        if key not in existing:
            result.add_conflicts.append(conflict)


def _plan_duplicates(session: Session, result: Plan) -> None:
    people = result.changes.get("person", [])
    if not people:
        return
    numbers: set[str] = set()
    for change in people:
        numbers.add(str(change.values["id_number"]))
        if change.current is not None:
            numbers.add(str(change.current.values["id_number"]))
    members: dict[str, set[uuid.UUID]] = defaultdict(set)
    stored: dict[uuid.UUID, tuple[str, bool]] = {}
    for chunk in batched(sorted(numbers)):
        for record_id, number, held in session.execute(
            select(records.models()["person"].table.c.id,
                   records.models()["person"].table.c.id_number,
                   records.models()["person"].table.c.held)
            .where(records.models()["person"].table.c.id_number.in_(chunk))
        ):  # fmt: skip
            members[number].add(record_id)
            stored[record_id] = (number, bool(held))
    planned = {c.record_id: c for c in people}
    for change in people:
        if change.current is not None:
            members[str(change.current.values["id_number"])].discard(change.record_id)
        members[str(change.values["id_number"])].add(change.record_id)
    keys = [f"{DUPLICATE_ID}:{n}" for n in sorted(numbers)]
    conflicts: dict[str, list[Any]] = defaultdict(list)
    connection = session.connection()
    for chunk in batched(keys):
        for found in connection.execute(_KEY_CONFLICTS, {"keys": list(chunk)}):
            conflicts[found.key].append(found)
    final_held: dict[uuid.UUID, bool] = {}
    for number in sorted(numbers):
        parties = sorted(members[number])
        key = f"{DUPLICATE_ID}:{number}"
        open_ = [c for c in conflicts[key] if c.status == "open"]
        resolved = [
            c for c in conflicts[key]
            if c.status == "resolved" and json.loads(c.detail or "{}").get("parties") == [str(p) for p in parties]
        ]  # fmt: skip
        if len(parties) >= 2 and resolved:
            keep = json.loads(resolved[-1].resolution or "{}").get("keep")
            for party in parties:
                final_held[party] = str(party) != keep
            for c in open_:
                result.drop_conflicts.append(c.id)
        elif len(parties) >= 2:
            for party in parties:
                final_held[party] = True
            detail = {"parties": [str(p) for p in parties], "id_number": number}
            if open_:
                result.update_conflicts.append(
                    (open_[0].id, {"detail": json.dumps(detail, sort_keys=True)})
                )
                result.drop_conflicts.extend(c.id for c in open_[1:])
            else:
                result.add_conflicts.append(
                    Conflict(DUPLICATE_ID, key, "person", None, "", None, "id_number", None,
                             number, detail)
                )  # fmt: skip
        else:
            for party in parties:
                final_held[party] = False
            result.drop_conflicts.extend(c.id for c in open_)
    for record_id, held in final_held.items():
        planned_change = planned.get(record_id)
        if planned_change is not None:
            change = planned_change
            change.held = held
            if (
                change.current is not None
                and not change.current.held
                and (held or change.current.values["id_number"] != change.values["id_number"])
            ):
                # out of the unique index before any record takes its number
                result.hold_first.append((record_id, change.current))
                change.current = Current(change.current.values, change.current.version + 1, True)
            continue
        number, was_held = stored[record_id]
        if held and not was_held:
            result.hold_first.append((record_id, _stored_current(session, record_id)))
        elif was_held and not held:
            result.release_after.append((record_id, _stored_current(session, record_id)))


def _stored_current(session: Session, record_id: uuid.UUID) -> Current:
    return current_records(session, "person", [record_id])[record_id]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


class _Log:
    """The county's log rows for the changes it writes (stamped by its clock), kept as the
    values of :data:`~caseworker.store.changelog.MADE_KEYS` with their hashed text made as
    they are added (:func:`caseworker.store.changelog.append_made`); on SQLite made ready for
    its driver as they are added (ids as their 32 hexadecimal digits, made in batches)."""

    def __init__(self, session: Session) -> None:
        self.context: changelog.Context = session.info[changelog.CONTEXT_KEY]
        self.at = wall.now()
        self.rows: list[tuple[Any, ...]] = []
        self.hashed: list[str] = []
        dialect = session.get_bind().dialect
        self.ready = dialect.name == "sqlite"
        self._ids: list[str] = []
        # The same for every row of this write: at, actor_id and device_id, as hashed, and as
        # the rows hold them
        context = self.context
        self._fixed = changelog.hashed_text(
            [changelog.encode(self.at), changelog.encode(context.actor_id),
             changelog.encode(context.device_id)]
        )  # fmt: skip
        self._at: Any = self.at
        self._actor: Any = context.actor_id
        if self.ready:
            self._at, self._actor = bound(
                dialect, ChangeLog, ("at", "actor_id"), [(self.at, context.actor_id)]
            )[0]

    def add(self, entity: str, record_id: uuid.UUID, op: str, field_: str, old: str | None,
            new: str | None, owner: str, record_text: str | None = None) -> str:  # fmt: skip
        """Log one change; ``record_text``: ``str(record_id)``, when the caller has it."""
        context = self.context
        stamp = context.clock.now_text()
        if not self._ids:
            self._ids = ids.time_ordered_hex(1024)
        digits = self._ids.pop()
        change_text = f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
        station = owner or context.station_code
        self.rows.append(
            (digits if self.ready else uuid.UUID(hex=digits), stamp, self._at, self._actor,
             context.device_id, station, entity, record_id.hex if self.ready else record_id,
             op, field_, old, new)
        )  # fmt: skip
        text = changelog.json_text
        self.hashed.append(
            f'"{change_text}",{text(stamp)},{self._fixed},{text(station)},{text(entity)},'
            f"{text(record_text or str(record_id))},{text(op)},{text(field_)},"
            f"{'null' if old is None else text(old)},{'null' if new is None else text(new)}"
        )
        return stamp

    def flush(self, connection: Connection) -> None:
        """Chain and write the rows added so far."""
        changelog.append_made(connection, self.rows, self.hashed, ready=self.ready)
        self.rows, self.hashed = [], []


def _set_held(connection: Connection, log: _Log, targets: list[tuple[uuid.UUID, Current]],
              held: bool) -> None:  # fmt: skip
    if not targets:
        return
    table = records.models()["person"].table
    updates = []
    for record_id, current in targets:
        stamp = log.add(
            "person", record_id, HOLD if held else RELEASE, "held", changelog.encode(not held),
            changelog.encode(held), str(current.values["station_code"]),
        )  # fmt: skip
        updates.append({"i": record_id, "h": held, "s": stamp, "v": current.version + 1})
    log.flush(connection)
    connection.execute(
        update(table)
        .where(table.c.id == bindparam("i"))
        .values(held=bindparam("h"), updated_hlc=bindparam("s"), version=bindparam("v")),
        updates,
    )


def _values_text(values: dict[str, str | None]) -> str:
    """The values as the log writes them (:func:`caseworker.store.changelog.values_json` of the
    decoded values gives the same text: the values are already in the log's form)."""
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _write_records(connection: Connection, log: _Log, changes: dict[str, list[Change]]) -> None:
    from sqlalchemy import bindparam

    ready = connection.dialect.name == "sqlite"
    prepared: list[tuple[records.Model, list[dict[str, Any]], list[dict[str, Any]]]] = []
    # New records whose rows were made ready with the check, by table and columns: the rows,
    # and their (held, updated_hlc, created_hlc, version)
    fast: dict[str, dict[tuple[str, ...], tuple[list[Any], list[Any]]]] = defaultdict(dict)
    for entity, model in records.models().items():
        todo = changes.get(entity)
        if not todo:
            continue
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        prepared.append((model, inserts, updates))
        has_held = "held" in model.table.c
        for change in todo:
            source = change.source
            stamp = log.add(
                entity, change.record_id, IMPORT, "*", None,
                source.new_value if source and source.new_value else _values_text(change.values),
                str(change.values["station_code"]), change.values["id"],
            )  # fmt: skip
            if ready and change.current is None and source and source.bound_keys and source.bound:
                made, system = fast[entity].setdefault(source.bound_keys, ([], []))
                made.append(source.bound)
                system.append((change.held, stamp, stamp, 1) if has_held else (stamp, stamp, 1))
                continue
            if source is not None and source.decoded is not None:
                decoded = source.decoded
                extra = source.derived or records.derived(entity, decoded)
            else:
                decoded = model.decode(change.values)
                extra = records.derived(entity, decoded)
            row = {**decoded, **extra}  # (decoded stays as it is)
            if has_held:
                row["held"] = change.held
            row["updated_hlc"] = stamp
            if change.current is None:
                row["created_hlc"] = stamp
                row["version"] = 1
                inserts.append(row)
            else:
                row["version"] = change.current.version + 1
                updates.append(row)
    log.flush(connection)  # the log rows first (the guards look for them)
    for model, inserts, updates in prepared:  # parents first
        for columns, (made, system) in fast[model.entity].items():
            system_keys = (("held",) if "held" in model.table.c else ()) + _SYSTEM_KEYS
            system_made = bound(connection.dialect, model.cls, system_keys, system)  # type: ignore[arg-type]
            insert_bound(
                connection, model.cls,  # type: ignore[arg-type]
                columns + system_keys, [a + b for a, b in zip(made, system_made, strict=True)],
                one_statement=model.entity in FULL_TEXT_TABLES,
            )  # fmt: skip
        if inserts:
            insert_rows(
                connection, model.cls, inserts,  # type: ignore[arg-type]
                one_statement=model.entity in FULL_TEXT_TABLES,
            )  # fmt: skip
        if updates:
            mapper = model.cls.__mapper__  # type: ignore[attr-defined]
            keys = [k for k in updates[0] if k != "id"]
            statement = (
                update(model.table)
                .where(model.table.c.id == bindparam("_id"))
                .values({mapper.columns[k].name: bindparam(f"_{k}") for k in keys})
            )
            connection.execute(
                statement,
                [{"_id": u["id"], **{f"_{k}": u[k] for k in keys}} for u in updates],
            )


_SYSTEM_KEYS = ("updated_hlc", "created_hlc", "version")


def write(session: Session, result: Plan) -> None:
    connection = session.connection()
    if result.rows_bound:  # (made ready only for SQLite)
        insert_bound(connection, SyncRow, SYNC_KEYS, result.rows)
    elif connection.dialect.name == "sqlite":
        made = bound(connection.dialect, SyncRow, SYNC_KEYS, result.rows)
        insert_bound(connection, SyncRow, SYNC_KEYS, made)
    else:
        insert_rows(
            connection, SyncRow, [dict(zip(SYNC_KEYS, r, strict=True)) for r in result.rows]
        )
    log = _Log(session)
    _set_held(connection, log, result.hold_first, True)
    _write_records(connection, log, result.changes)
    _set_held(connection, log, result.release_after, False)
    now = wall.now()
    if result.drop_conflicts:
        for chunk in batched(result.drop_conflicts):
            connection.execute(delete(SyncConflict).where(SyncConflict.id.in_(chunk)))
    for conflict_id, values in result.update_conflicts:
        connection.execute(
            update(SyncConflict).where(SyncConflict.id == conflict_id).values(**values)
        )
    if result.add_conflicts:
        insert_rows(
            connection,
            SyncConflict,
            [
                {"id": uuid.uuid4(), "status": "open", "opened_at": now, "resolved_at": None,
                 "resolved_by": "", "resolution": "", **_conflict_fields(c)}
                for c in result.add_conflicts
            ],
        )  # fmt: skip
    for decision_id, station, outcome in result.decisions:
        connection.execute(
            update(SyncDecision)
            .where(SyncDecision.id == decision_id, SyncDecision.station_code == station)
            .values(status="applied", applied_at=now, outcome=outcome[:2000])
        )
