"""A station's bundle for the county: every change-log row not yet acknowledged.

The bundle covers the rows ``seq_from..seq_to`` of this database's change log, in order, and
names the hash of the row before ``seq_from`` (the county holds the bundle until it knows that
row).  A row of a synced record that is not demo data travels whole (with its hash, which the
county recomputes); every other row (demo records, settings, keys) travels as a stub of
``seq``, ``prev_hash`` and ``hash``, so the chain still verifies without its content.

``seq_from`` is one past the last row the county acknowledged (its newest receipt, if the
acknowledged row is still in this log; after a restored backup it may not be, and the
export starts from the beginning); ``--all`` starts from the beginning anyway.  The county
skips rows it has, so exporting too much is harmless.

Cost: the rows of the range are read by ``seq`` (the primary key) and the demo marks of their
records by id, so the work grows with the number of changes, not with the database.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.errors import UserError
from caseworker.core.files import write_atomically
from caseworker.i18n import _
from caseworker.security.roles import Action, require_store
from caseworker.store import changelog
from caseworker.store.migrate import HEAD_REVISION
from caseworker.store.models import ChangeLog
from caseworker.store.sync_models import SyncBundle
from caseworker.store.uow import Store
from caseworker.sync import bundle, keys, records, setup

CHANGES_MEMBER = "changes.jsonl"
#: Rows of this entity record that a station applied a county decision; they travel whole.
DECISION_ENTITY = "sync_decision"
Progress = Callable[[int, int], bool]


class Cancelled(Exception):
    """The person pressed Cancel; nothing was written."""


@dataclass(frozen=True, slots=True)
class Exported:
    path: Path
    bundle_id: uuid.UUID
    seq_from: int
    seq_to: int
    full: int
    stubs: int
    size: int


@dataclass(frozen=True, slots=True)
class Status:
    pending_changes: int
    last_export: dt.datetime | None
    last_receipt: dt.datetime | None
    acked_seq: int
    head_seq: int

    def as_json(self) -> dict[str, Any]:
        return {
            "pending_changes": self.pending_changes,
            "last_export": self.last_export.isoformat() if self.last_export else None,
            "last_receipt": self.last_receipt.isoformat() if self.last_receipt else None,
        }


def _hash_at(session: Session, seq: int) -> str | None:
    if seq == 0:
        return changelog.GENESIS
    value = session.scalar(select(ChangeLog.hash).where(ChangeLog.seq == seq))
    return str(value) if value is not None else None


def acked_point(session: Session) -> tuple[int, str]:
    """The last row of this log the county acknowledged (``(0, GENESIS)`` if none)."""
    rows = session.execute(
        select(SyncBundle.acked_seq, SyncBundle.acked_hash)
        .where(
            SyncBundle.direction == "in",
            SyncBundle.kind == bundle.RECEIPT,
            SyncBundle.acked_seq.is_not(None),
        )
        .order_by(SyncBundle.acked_seq.desc())
    ).all()
    for seq, hash_ in rows:
        if seq is not None and hash_ is not None and _hash_at(session, seq) == hash_:
            return int(seq), str(hash_)
    return 0, changelog.GENESIS


def exported_entities() -> list[str]:
    return [*records.models(), DECISION_ENTITY]


def _table(entity: str) -> Table | None:
    found = records.model(entity)
    return found.table if found is not None else None


def pending_changes(session: Session, after: int) -> int:
    """Rows after ``after`` that will travel whole (not demo records, not settings)."""
    total = 0
    for entity, found in records.models().items():
        table = found.table
        total += session.scalar(
            select(func.count())
            .select_from(ChangeLog)
            .join(table, table.c.id == ChangeLog.entity_id)
            .where(ChangeLog.seq > after, ChangeLog.entity == entity, table.c.demo.is_(False))
        ) or 0  # fmt: skip
    total += session.scalar(
        select(func.count())
        .select_from(ChangeLog)
        .where(ChangeLog.seq > after, ChangeLog.entity == DECISION_ENTITY)
    ) or 0  # fmt: skip
    return total


def status(store: Store) -> Status:
    with store.reading() as session:
        acked, _hash = acked_point(session)
        head, _last = changelog.head(session.connection())
        last_export = session.scalar(
            select(func.max(SyncBundle.at)).where(SyncBundle.direction == "out")
        )
        last_receipt = session.scalar(
            select(func.max(SyncBundle.at)).where(
                SyncBundle.direction == "in", SyncBundle.kind == bundle.RECEIPT
            )
        )
        pending = pending_changes(session, acked)
    return Status(pending, last_export, last_receipt, acked, head)


def _demo_ids(session: Session, seq_from: int, seq_to: int) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for entity, model in records.models().items():
        table = model.table
        changed = (
            select(ChangeLog.entity_id)
            .where(ChangeLog.seq.between(seq_from, seq_to), ChangeLog.entity == entity)
            .scalar_subquery()
        )
        found.update(
            session.scalars(select(table.c.id).where(table.c.id.in_(changed), table.c.demo))
        )
    return found


def row_json(row: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: (int(row.seq) if name == "seq" else changelog.encode(getattr(row, name)))
        for name in changelog.HASHED
    }
    data["hash"] = row.hash
    return data


def stub_json(row: Any) -> dict[str, Any]:
    return {"seq": int(row.seq), "prev_hash": row.prev_hash, "hash": row.hash, "stub": True}


def _lines(
    session: Session, seq_from: int, seq_to: int, progress: Progress | None
) -> tuple[bytes, Counter[str], int, int]:
    demo = _demo_ids(session, seq_from, seq_to)
    travel = set(exported_entities())
    out: list[bytes] = []
    entities: Counter[str] = Counter()
    full = stubs = 0
    total = seq_to - seq_from + 1
    stream = session.execute(
        select(ChangeLog).where(ChangeLog.seq.between(seq_from, seq_to)).order_by(ChangeLog.seq),
        execution_options={"yield_per": 5000},
    ).scalars()
    for count, row in enumerate(stream, start=1):
        if row.entity in travel and row.entity_id not in demo:
            data = row_json(row)
            entities[row.entity] += 1
            full += 1
        else:
            data = stub_json(row)
            stubs += 1
        out.append(
            json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        )
        if progress is not None and count % 5000 == 0 and not progress(count, total):
            raise Cancelled
    return b"\n".join(out) + b"\n", entities, full, stubs


def default_name(station_code: str, seq_from: int, seq_to: int) -> str:
    stamp = wall.local_now().strftime("%Y%m%d-%H%M%S")
    return f"{station_code}-{stamp}-{seq_from}-{seq_to}.cwb"


def export(
    store: Store,
    keys_folder: Path,
    target: Path,
    *,
    everything: bool = False,
    progress: Progress | None = None,
) -> Exported | None:
    """Write the bundle to ``target`` (a file, or a folder to put it in); None when there is
    nothing to send.  ``progress(done, total)`` returning False cancels (raises
    :class:`Cancelled`; no file is written and nothing is recorded)."""
    setup.require_station(store)
    require_store(store, Action.SYNC)
    with store.reading() as session:
        key_id, pair = keys.own_keys(keys_folder, session)
        county = setup.trusted_county(session)
        station = store.station(session)
        acked, acked_hash = (0, changelog.GENESIS) if everything else acked_point(session)
        head, last_hash = changelog.head(session.connection())
        if head <= acked:
            return None
        seq_from, seq_to = acked + 1, head
        data, entities, full, stubs = _lines(session, seq_from, seq_to, progress)
        previous = session.scalar(
            select(SyncBundle.manifest_hash)
            .where(SyncBundle.direction == "out")
            .order_by(SyncBundle.at.desc())
            .limit(1)
        )
    hlc = str(store.clock.now())
    at = wall.now()
    sender = bundle.Endpoint(
        keys.STATION, store.station_code, key_id, station.name if station else "", store.device_id
    )
    recipient = bundle.Endpoint(keys.COUNTY, county.code, county.key_id, county.name)
    manifest = bundle.manifest_base(
        bundle.CHANGES, HEAD_REVISION, sender, recipient, at=at, hlc=hlc, suite=pair.suite
    )
    manifest.update(
        seq_from=seq_from, seq_to=seq_to, prev_hash=acked_hash, last_hash=last_hash,
        previous_bundle=previous or "",
        counts={"rows": seq_to - seq_from + 1, "full": full, "stubs": stubs,
                "entities": dict(sorted(entities.items()))},
    )  # fmt: skip
    if progress is not None and not progress(seq_to - seq_from + 1, seq_to - seq_from + 1):
        raise Cancelled
    sealed, manifest_hash = bundle.seal(
        pair, keys.peer_public(county), manifest, {CHANGES_MEMBER: data}
    )
    path = (
        target / default_name(store.station_code, seq_from, seq_to) if target.is_dir() else target
    )
    bundle_id = uuid.UUID(manifest["bundle_id"])
    with store.transaction() as session:
        session.add(
            SyncBundle(
                bundle_id=bundle_id, direction="out", kind=bundle.CHANGES,
                station_code=store.station_code, key_id=key_id, manifest_hash=manifest_hash,
                manifest=bundle.canonical_json(manifest).decode(), seq_from=seq_from,
                seq_to=seq_to, prev_hash=acked_hash, last_hash=last_hash, status="written",
                at=at, applied_at=None, payload=None, acked_seq=None, acked_hash=None,
                summary=json.dumps({"full": full, "stubs": stubs}), file_name=path.name,
            )
        )  # fmt: skip
        session.flush()
        write_atomically(path, lambda tmp: tmp.write_bytes(sealed))
    return Exported(path, bundle_id, seq_from, seq_to, full, stubs, len(sealed))


def history(store: Store, limit: int = 200) -> list[SyncBundle]:
    """This database's bundles, newest first (payloads not loaded)."""
    from sqlalchemy.orm import defer

    with store.reading() as session:
        return list(
            session.scalars(
                select(SyncBundle)
                .options(defer(SyncBundle.payload), defer(SyncBundle.manifest))
                .order_by(SyncBundle.at.desc())
                .limit(limit)
            )
        )


def nothing_to_send() -> UserError:
    return UserError(_("Nothing to send: the county has acknowledged every change."))


def chunked(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
