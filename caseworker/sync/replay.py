"""The county's copy of one record: a replay of every row the stations sent for it.

The county keeps every row it received (``sync_row``).  A record's state at the county is the
replay of all its rows, in the order of their hybrid-logical-clock stamps (ties: the station,
then its ``seq``), with these checks, so that it depends only on *which* rows arrived, never on
the order in which the bundles did:

- an insert, baseline or import row (``field`` ``*``) makes the record if there is none yet
  (only the station named as its owner may); it is a no-op if the record has exactly those
  values; from the owner with other values it is a ``diverged`` conflict, from anyone else a
  ``not_owner`` conflict;
- an update (a field, a tombstone, a restore) from the owner applies if the record's value is
  the row's old value, is a no-op if it already is the new value, and is a ``stale_base``
  conflict otherwise; from anyone else it is a ``not_owner`` conflict;
- a record made before its station was set up carries no station code; it is the station's
  whose log made it (the station's setup gives it the code, a logged update);
- ownership moves only when the owner itself changes ``station_code`` (it hands the record
  over, as a county transfer asks it to).

Within one station's log the stamps of a record's rows never go down, so the stamp order is
that log's order; rows of a restored backup (a fork of the log) interleave with the rows of
the other branch by their stamps, and a stale base there becomes a conflict.  Rows from
before the log kept an insert's values (migration 0004) carry none: they are skipped until
the record's baseline row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

INSERT_OPS = frozenset({"insert", "baseline", "import"})
UPDATE_OPS = frozenset({"update", "delete", "restore"})

NOT_OWNER = "not_owner"
STALE_BASE = "stale_base"
DIVERGED = "diverged"
NO_BASE = "no_base"
DUPLICATE_ID = "duplicate_id"
ROW_KINDS = (NOT_OWNER, STALE_BASE, DIVERGED, NO_BASE)


#: (Not ``frozen``: a frozen dataclass is made nine times slower, and an import makes one a
#: row; nothing changes one after it is made.  ``unsafe_hash``: hashed as a frozen one.)
@dataclass(slots=True, unsafe_hash=True)
class Row:
    """One received change-log row (whole, not a stub)."""

    station: str  # the station whose log it is
    seq: int
    hash: str
    hlc: str
    at: dt.datetime
    actor_id: uuid.UUID | None
    entity: str
    entity_id: uuid.UUID
    op: str
    field: str
    old_value: str | None
    new_value: str | None
    values: dict[str, str | None] | None = None  # of a ``*`` row
    #: The same values as column values (decoded when the bundle was checked), if known.
    decoded: dict[str, Any] | None = None
    #: The record's columns the log does not carry (:func:`caseworker.sync.records.derived`
    #: of ``decoded``), when they were made with the check (:mod:`caseworker.sync.ahead`).
    derived: dict[str, Any] | None = dataclasses.field(default=None, compare=False)
    #: The columns and values of ``decoded`` with ``derived``, made ready for SQLite's driver
    #: (:func:`caseworker.store.bulk.bound`) with the check, when the county is on SQLite.
    bound_keys: tuple[str, ...] | None = dataclasses.field(default=None, compare=False)
    bound: tuple[Any, ...] | None = dataclasses.field(default=None, compare=False)

    @property
    def order(self) -> tuple[str, str, int]:
        return (self.hlc, self.station, self.seq)

    def who(self) -> dict[str, Any]:
        return {
            "station": self.station, "hlc": self.hlc, "at": self.at.isoformat(),
            "actor_id": str(self.actor_id) if self.actor_id else None, "op": self.op,
            "seq": self.seq, "hash": self.hash,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Conflict:
    kind: str
    key: str
    entity: str
    entity_id: uuid.UUID | None
    station: str
    row_hash: str | None
    field: str
    current: str | None
    incoming: str | None
    detail: dict[str, Any]


@dataclass
class Result:
    values: dict[str, str | None] | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    applied: int = 0
    last: Row | None = None  # the last row that changed the record
    #: The ``*`` row whose values the record has, unchanged since (None after an update).
    source: Row | None = None


def _conflict(kind: str, row: Row, state: dict[str, str | None] | None, made: dict[str, Row],
              current: str | None, incoming: str | None) -> Conflict:  # fmt: skip
    owner = state.get("station_code") if state else None
    setter = made.get(row.field) or made.get("*")
    detail: dict[str, Any] = {
        "incoming": {**row.who(), "old": row.old_value if row.field != "*" else None},
        "current": {"owner": owner, **(setter.who() if setter is not None else {})},
    }
    if row.field == "*":
        detail["incoming"]["values"] = row.values
        detail["current"]["values"] = dict(state) if state else None
    return Conflict(
        kind, f"{kind}:{row.station}:{row.hash}", row.entity, row.entity_id, row.station,
        row.hash, row.field, current, incoming, detail,
    )  # fmt: skip


def _owner(state: dict[str, str | None], row: Row) -> str | None:
    """The record's owner; a record made before its station was set up (no code yet) is the
    station's whose log holds it."""
    return state.get("station_code") or row.station


def _order(row: Row) -> tuple[str, str, int]:
    return (row.hlc, row.station, row.seq)


def replay(rows: list[Row]) -> Result:
    """The record that ``rows`` (all of one record) give, and the conflicts among them."""
    result = Result()
    state: dict[str, str | None] | None = None
    made: dict[str, Row] = {}  # which row last set each field ("*": the values as a whole)
    legacy = False
    for row in rows if len(rows) == 1 else sorted(rows, key=_order):
        if row.field == "*":
            if row.values is None:
                legacy = True
                continue
            if state is None:
                if row.values.get("station_code") not in (row.station, ""):
                    result.conflicts.append(
                        _conflict(NOT_OWNER, row, state, made, None, row.values.get("station_code"))
                    )
                    continue
                state = dict(row.values)
                made = {"*": row}
                result.applied += 1
                result.last = result.source = row
                continue
            if row.values == state:
                continue
            kind = DIVERGED if row.station == _owner(state, row) else NOT_OWNER
            result.conflicts.append(_conflict(kind, row, state, made, None, None))
            continue
        if state is None:
            if not legacy:
                result.conflicts.append(_conflict(NO_BASE, row, state, made, None, row.new_value))
            continue
        if row.station != _owner(state, row):
            result.conflicts.append(
                _conflict(NOT_OWNER, row, state, made, state.get(row.field), row.new_value)
            )
            continue
        current = state.get(row.field)
        if current == row.new_value:
            continue
        if current != row.old_value:
            result.conflicts.append(_conflict(STALE_BASE, row, state, made, current, row.new_value))
            continue
        state[row.field] = row.new_value
        made[row.field] = row
        result.applied += 1
        result.last = row
        result.source = None
    result.values = state
    return result
