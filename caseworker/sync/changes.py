"""Reading a station's changes bundle at the county: every row checked before anything is
written.

The checks (any failure refuses the whole bundle, with the reason in one line):

- the manifest: kind ``changes``, this county's schema revision, a sane range and counts;
- the rows: one JSON object a line, ``seq`` running without a gap from ``seq_from`` to
  ``seq_to``, each row's ``prev_hash`` the hash of the row before (the first: the manifest's
  ``prev_hash``), the last row's hash the manifest's ``last_hash``, the hash of every whole
  row recomputed from its content, every stamp well formed and at most a day ahead of this
  machine's clock;
- the records: a known synced table, a known operation, every value fitting its column
  (type, length, empty or not), and each table's own checks (a person's ID number is valid).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from caseworker.core import wall
from caseworker.core.clock import DEFAULT_MAX_AHEAD_MS, Timestamp
from caseworker.i18n import _
from caseworker.store import changelog
from caseworker.sync import bundle, records
from caseworker.sync.container import DEFAULT_LIMITS, BundleRefused, Limits, refused
from caseworker.sync.export import CHANGES_MEMBER, DECISION_ENTITY
from caseworker.sync.replay import INSERT_OPS, UPDATE_OPS, Row

_HASH = re.compile(r"^[0-9a-f]{64}$")
_FULL_KEYS = frozenset({*changelog.HASHED, "hash"})
_STUB_KEYS = frozenset({"seq", "prev_hash", "hash", "stub"})
_TEXT_FIELDS = tuple(name for name in changelog.HASHED if name != "seq")
DECISION_OP = "applied"


#: (Not ``frozen``: a frozen dataclass is made nine times slower, and an import makes one a
#: row; nothing changes one after it is made.  ``unsafe_hash``: hashed as a frozen one.)
@dataclass(slots=True, unsafe_hash=True)
class Line:
    """One row of the bundle: a stub (``row`` None) or a whole row."""

    seq: int
    prev_hash: str
    hash: str
    row: Row | None
    #: (None when checked ahead with ``bound``: only the ``sync_row`` needs it, and has it.)
    change_id: uuid.UUID | None = None
    device_id: str | None = None
    row_station: str | None = None
    #: An import row's dependency: the row of another station it comes after.
    after: tuple[str, str] | None = None
    #: Its ``sync_row`` values (:func:`sync_values`) made ready for SQLite's driver
    #: (:func:`caseworker.store.bulk.bound`), when checked ahead (:mod:`caseworker.sync.ahead`).
    bound: tuple[Any, ...] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Incoming:
    opened: bundle.Opened
    station: str
    seq_from: int
    seq_to: int
    prev_hash: str
    last_hash: str
    lines: list[Line]
    max_hlc: str

    @property
    def bundle_id(self) -> uuid.UUID:
        return self.opened.bundle_id


def _bad_row(seq: object, why: str) -> Exception:
    return refused(_("Row {seq} of the bundle is not valid: {why}").format(seq=seq, why=why[:160]))


def _int(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise refused(_("The bundle's {part} is not valid.").format(part=name))
    return value


def _hash(value: object, name: str) -> str:
    if not isinstance(value, str) or not _HASH.match(value):
        raise refused(_("The bundle's {part} is not valid.").format(part=name))
    return value


def parse(opened: bundle.Opened, limits: Limits = DEFAULT_LIMITS) -> Incoming:
    """Check the rows of an opened changes bundle (see the module notes); raises
    :class:`~caseworker.sync.container.BundleRefused`."""
    parts = _parse(opened.manifest, opened.members, limits)
    return Incoming(opened, *parts)


_Parts = tuple[str, int, int, str, str, list[Line], str]


def _parse(
    manifest: dict[str, Any], members: dict[str, bytes], limits: Limits, now_ms: int | None = None
) -> _Parts:
    if manifest.get("kind") != bundle.CHANGES:
        raise refused(_("This is not a station's changes bundle."))
    bundle.check_schema(manifest)
    seq_from = _int(manifest.get("seq_from"), "manifest")
    seq_to = _int(manifest.get("seq_to"), "manifest")
    prev_hash = _hash(manifest.get("prev_hash"), "manifest")
    last_hash = _hash(manifest.get("last_hash"), "manifest")
    counts = manifest.get("counts")
    if (
        seq_from < 1
        or seq_to < seq_from
        or seq_to - seq_from + 1 > limits.max_rows
        or not isinstance(counts, dict)
        or set(members) != {CHANGES_MEMBER}
    ):
        raise refused(_("The bundle's {part} is not valid.").format(part="manifest"))
    if seq_from == 1 and prev_hash != changelog.GENESIS:
        raise refused(_("The bundle's {part} is not valid.").format(part="manifest"))
    station = str(manifest["from"]["code"])
    data = members[CHANGES_MEMBER]
    if not data.endswith(b"\n"):
        raise refused(_("The bundle's {part} is not valid.").format(part=CHANGES_MEMBER))
    raw_lines = data[:-1].split(b"\n")
    if len(raw_lines) != seq_to - seq_from + 1:
        raise refused(_("The bundle's rows do not match the range its manifest gives."))
    lines: list[Line] = []
    entities: Counter[str] = Counter()
    previous = prev_hash
    limit_ms = (now_ms if now_ms is not None else now_millis()) + DEFAULT_MAX_AHEAD_MS
    max_hlc = ""
    for expected_seq, raw in enumerate(raw_lines, start=seq_from):
        if len(raw) > limits.max_line:
            raise _bad_row(expected_seq, "too long")
        line = _line(raw, expected_seq, station)
        if line.prev_hash != previous:
            raise refused(
                _("The bundle's chain is broken at row {seq}: it does not follow the row "
                  "before it.").format(seq=expected_seq)
            )  # fmt: skip
        previous = line.hash
        if line.row is not None:
            entities[line.row.entity] += 1
            try:
                stamp = Timestamp.parse(line.row.hlc)
            except ValueError:
                raise _bad_row(expected_seq, "time stamp") from None
            if stamp.millis > limit_ms:
                raise refused(
                    _("Row {seq} carries a time stamp more than a day ahead of this computer's "
                      "clock; check the date and time of the station's computer.")
                    .format(seq=expected_seq)
                )  # fmt: skip
            max_hlc = max(max_hlc, line.row.hlc)
        lines.append(line)
    if previous != last_hash:
        raise refused(_("The bundle's last row is not the one its manifest names."))
    full = sum(1 for line in lines if line.row is not None)
    if (
        counts.get("full") != full
        or counts.get("stubs") != len(lines) - full
        or counts.get("entities") != dict(sorted(entities.items()))
    ):
        raise refused(_("The bundle's counts do not match its rows."))
    return station, seq_from, seq_to, prev_hash, last_hash, lines, max_hlc


def now_millis() -> int:
    """This program's "now" (:mod:`caseworker.core.wall`: a training date too), in Unix ms."""
    return int(wall.now().timestamp() * 1000)


def _line(raw: bytes, seq: int, station: str) -> Line:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad_row(seq, "not JSON") from None
    if not isinstance(data, dict):
        raise _bad_row(seq, "not an object")
    if data.get("seq") != seq:
        raise refused(
            _("The bundle's rows are out of order or missing at row {seq}.").format(seq=seq)
        )
    keys = data.keys()
    if keys == _STUB_KEYS:
        if data["stub"] is not True:
            raise _bad_row(seq, "stub")
        return Line(seq, _hash(data["prev_hash"], "rows"), _hash(data["hash"], "rows"), None)
    if keys != _FULL_KEYS:
        raise _bad_row(seq, "unexpected fields")
    for name in _TEXT_FIELDS:
        value = data[name]
        if value is not None and type(value) is not str and not isinstance(value, str):
            raise _bad_row(seq, f"{name} is not text")
    prev_hash = _hash(data["prev_hash"], "rows")
    hash_ = _hash(data["hash"], "rows")
    if _digest(data) != hash_:
        raise refused(
            _("Row {seq} of the bundle was changed after it was written (its hash does not "
              "match).").format(seq=seq)
        )  # fmt: skip
    return _whole(data, seq, station, prev_hash, hash_)


#: ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))``, made once (``dumps`` with
#: arguments makes a new encoder at each call).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _digest(data: dict[str, Any]) -> str:
    """:func:`caseworker.store.changelog.digest` of a row read from JSON: its values are text
    (or None) already, as the log's canonical form writes them, and ``seq`` a number; the
    bytes are the same, without encoding each value again."""
    body = _CANONICAL.encode([data[name] for name in changelog.HASHED]).encode("utf-8")
    return hashlib.sha256(body).hexdigest()


_intern = sys.intern
#: Values up to this length are held once (:func:`sys.intern`): codes, flags, dates, names.
_SHORT = 24
#: The text of a record id exactly as ``str(uuid.UUID(...))`` writes it.
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuid(value: object, seq: int, name: str) -> uuid.UUID:
    """The id ``value`` is the text of (``str()`` of it gives ``value`` back)."""
    if type(value) is not str or _UUID_TEXT.fullmatch(value) is None:
        raise _bad_row(seq, f"{name} is not an id")
    return records.uuid_of(value)


def _whole(data: dict[str, Any], seq: int, station: str, prev_hash: str, hash_: str) -> Line:
    entity = data["entity"]
    op = data["op"]
    field = data["field"]
    if not isinstance(entity, str) or not isinstance(op, str) or not isinstance(field, str):
        raise _bad_row(seq, "entity, op or field")
    entity, op, field = _intern(entity), _intern(op), _intern(field)
    try:
        at = dt.datetime.fromisoformat(str(data["at"]))
    except ValueError:
        raise _bad_row(seq, "time stamp") from None
    if at.tzinfo is None:
        raise _bad_row(seq, "time stamp")
    entity_id = _uuid(data["entity_id"], seq, "entity_id")
    actor_id = _uuid(data["actor_id"], seq, "actor_id") if data["actor_id"] is not None else None
    change_id = _uuid(data["change_id"], seq, "change_id")
    device = data["device_id"]
    row_station = data["station_code"]
    if device is None or len(device) > 16 or row_station is None or len(row_station) > 12:
        raise _bad_row(seq, "device or station")
    device, row_station = _intern(device), _intern(row_station)
    values: dict[str, str | None] | None = None
    decoded: dict[str, Any] | None = None
    after: tuple[str, str] | None = None
    if entity == DECISION_ENTITY:
        if op != DECISION_OP or field != "decision":
            raise _bad_row(seq, "decision row")
    else:
        model = records.model(entity)
        if model is None:
            raise _bad_row(seq, f"unknown record table {entity[:40]}")
        if field == "*":
            if op not in INSERT_OPS:
                raise _bad_row(seq, f"operation {op[:20]}")
            values, after, decoded = _values(model, data, seq, op)
        else:
            if op not in UPDATE_OPS or field not in model.columns:
                raise _bad_row(seq, f"operation {op[:20]} of {field[:40]}")
            if op in ("delete", "restore") and field != "deleted":
                raise _bad_row(seq, "a tombstone of another field")
            try:
                model.decode_one(field, data["old_value"])
                model.decode_one(field, data["new_value"])
            except records.BadValue as exc:
                raise _bad_row(seq, str(exc)) from None
    row = Row(
        station, seq, hash_, data["hlc"], at, actor_id, entity, entity_id, op, field,
        data["old_value"], data["new_value"], values, decoded,
    )  # fmt: skip
    return Line(seq, prev_hash, hash_, row, change_id, device, row_station, after)


def _values(
    model: records.Model, data: dict[str, Any], seq: int, op: str
) -> tuple[dict[str, str | None] | None, tuple[str, str] | None, dict[str, Any] | None]:
    text = data["new_value"]
    if text is None:
        if op != "insert":
            raise _bad_row(seq, "no values")
        return None, None, None  # an insert logged before migration 0004 (its baseline follows)
    try:
        values = json.loads(text)
    except (ValueError, RecursionError):
        raise _bad_row(seq, "values are not JSON") from None
    if not isinstance(values, dict):
        raise _bad_row(seq, "values")
    # Names and short values held once (a bundle repeats them on every row: one object each
    # to send from the helper process and to keep, not one a row)
    values = {
        _intern(key): _intern(value) if type(value) is str and len(value) <= _SHORT else value
        for key, value in values.items()
    }
    try:
        decoded = model.decode(values)
        records.check(model.entity, decoded)
    except records.BadValue as exc:
        if any(v is not None and not isinstance(v, str) for v in values.values()):
            raise _bad_row(seq, "values") from None  # (told first, as a whole)
        raise _bad_row(seq, str(exc)) from None
    if str(decoded["id"]) != data["entity_id"]:
        raise _bad_row(seq, "the record's id is not the row's")
    after: tuple[str, str] | None = None
    if op == "import" and data["old_value"] is not None:
        after = _after(data["old_value"], seq)
    elif data["old_value"] is not None:
        raise _bad_row(seq, "old value of an insert")
    return values, after, decoded


def _after(text: str, seq: int) -> tuple[str, str]:
    try:
        found = json.loads(text)
        station, hash_ = found["after"]["station"], found["after"]["hash"]
    except (ValueError, KeyError, TypeError):
        raise _bad_row(seq, "import dependency") from None
    if not isinstance(station, str) or len(station) > 12:
        raise _bad_row(seq, "import dependency")
    return station, _hash(hash_, "rows")


# ---------------------------------------------------------------------------------------------
# In another process (:mod:`caseworker.sync.ahead`): the rows checked there, sent back as plain
# tuples (a tuple of text, numbers and ids is several times faster to pickle than the objects)
# ---------------------------------------------------------------------------------------------

Packed = tuple[Any, ...]

#: The ``sync_row`` columns, in the order of :func:`sync_values`.
SYNC_KEYS = (
    "station_code", "hash", "seq", "prev_hash", "stub", "bundle_id", "change_id", "hlc", "at",
    "actor_id", "device_id", "row_station", "entity", "entity_id", "op", "field", "old_value",
    "new_value",
)  # fmt: skip


def sync_values(line: Line, station: str, bundle_id: uuid.UUID) -> tuple[Any, ...]:
    """The ``sync_row`` the county keeps of ``line`` (the station's row whole, or its stub)."""
    row = line.row
    if row is None:
        return (station, line.hash, line.seq, line.prev_hash, True, bundle_id, line.change_id,
                None, None, None, line.device_id, line.row_station, None, None, None, None,
                None, None)  # fmt: skip
    return (station, line.hash, line.seq, line.prev_hash, False, bundle_id, line.change_id,
            row.hlc, row.at, row.actor_id, line.device_id, line.row_station, row.entity,
            row.entity_id, row.op, row.field, row.old_value, row.new_value)  # fmt: skip


def parse_packed(
    manifest: dict[str, Any],
    members: dict[str, bytes],
    limits: Limits,
    bind: bool = False,
    now_ms: int | None = None,
) -> Packed:
    """:func:`parse` of a bundle's manifest and members, for another process: ``("refused",
    reason)``, or ``("ok", ...)`` for :func:`unpack`.  The records' derived columns are made
    here too, and with ``bind`` (the county's database is SQLite) the rows' ``sync_row``
    values and the new records' values, ready for SQLite's driver.  ``now_ms``: the calling
    program's "now" (:func:`now_millis`; its clock may be set to a training date).  What the
    rows made ready hold is left out of the rest (the change id; a new record's decoded and
    derived values)."""
    try:
        station, seq_from, seq_to, prev_hash, last_hash, lines, max_hlc = _parse(
            manifest, members, limits, now_ms
        )
    except BundleRefused as exc:
        return ("refused", str(exc))
    derived = [
        records.derived(line.row.entity, line.row.decoded)
        if line.row is not None and line.row.decoded is not None
        else None
        for line in lines
    ]
    sync_bound: list[Any] = [None] * len(lines)
    record_bound: list[Any] = [None] * len(lines)
    if bind:
        sync_bound, record_bound = _bind(
            lines, derived, station, uuid.UUID(str(manifest["bundle_id"]))
        )
    packed: list[tuple[Any, ...]] = []
    for line, extra, sync, record in zip(lines, derived, sync_bound, record_bound, strict=True):
        row = line.row
        if row is None:
            packed.append((line.seq, line.prev_hash, line.hash, sync))
            continue
        # What the rows made ready hold is not sent again (ids and dates are slow to unpickle,
        # and the program unpickles while it writes): the change id is only in the sync_row,
        # and a record's column values only in its row (made again from its values on the
        # rare path that needs them: a '*' row that changes a record the county has).
        decoded = row.decoded if record is None else None
        packed.append(
            (line.seq, line.prev_hash, line.hash, line.change_id if sync is None else None,
             line.device_id, line.row_station, line.after, row.hlc, row.at, row.actor_id,
             row.entity, row.entity_id, row.op, row.field, row.old_value, row.new_value,
             row.values, decoded, extra if decoded is not None else None, sync, record)
        )  # fmt: skip
    return ("ok", station, seq_from, seq_to, prev_hash, last_hash, packed, max_hlc)


def _bind(
    lines: list[Line], derived: list[dict[str, Any] | None], station: str, bundle_id: uuid.UUID
) -> tuple[list[Any], list[Any]]:
    """The lines' ``sync_row`` values and their records' values (the log's values with the
    derived columns: ``(keys, values)``), ready for SQLite's driver."""
    from sqlalchemy.dialects import sqlite

    from caseworker.store import bulk
    from caseworker.store.sync_models import SyncRow

    dialect = sqlite.dialect()
    sync = bulk.bound(
        dialect, SyncRow, SYNC_KEYS, [sync_values(x, station, bundle_id) for x in lines]
    )
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    values: list[dict[str, Any] | None] = [None] * len(lines)
    for index, (line, extra) in enumerate(zip(lines, derived, strict=True)):
        if line.row is None or line.row.decoded is None or extra is None:
            continue
        whole = {**line.row.decoded, **extra}
        values[index] = whole
        groups.setdefault((line.row.entity, tuple(whole)), []).append(index)
    record: list[Any] = [None] * len(lines)
    for (entity, keys), indexes in groups.items():
        model = records.models()[entity]
        rows = bulk.bound(dialect, model.cls, keys, [values[i] for i in indexes], by_key=True)  # type: ignore[arg-type]
        for index, made in zip(indexes, rows, strict=True):
            record[index] = (keys, made)
    return sync, record


def unpack(opened: bundle.Opened, packed: Packed) -> Incoming:
    """The :class:`Incoming` :func:`parse_packed` checked (raises its refusal)."""
    if packed[0] != "ok":
        raise refused(str(packed[1]))
    _ok, station, seq_from, seq_to, prev_hash, last_hash, rows, max_hlc = packed
    lines: list[Line] = []
    for p in rows:
        if len(p) == 4:
            lines.append(Line(p[0], p[1], p[2], None, bound=p[3]))
            continue
        record = p[20]
        row = Row(
            station, p[0], p[2], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15],
            p[16], p[17], p[18], record[0] if record else None, record[1] if record else None,
        )  # fmt: skip
        lines.append(Line(p[0], p[1], p[2], row, p[3], p[4], p[5], p[6], p[19]))
    return Incoming(opened, station, seq_from, seq_to, prev_hash, last_hash, lines, max_hlc)
