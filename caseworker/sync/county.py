"""The county imports stations' bundles: applied, held, duplicate or refused.

For each file, in order (each file on its own: one refused file does not stop the others):

1. open and check it whole (:mod:`caseworker.sync.bundle`, :mod:`caseworker.sync.changes`):
   any failure refuses it, with nothing written;
2. compare it with what the county has: the same bundle again, or nothing new in it, is a
   *duplicate* and changes nothing; another bundle under a known bundle id is refused;
3. if the row before its first new row is not known yet (a bundle delivered before its
   predecessor, or a record it imports from a transfer the county has not seen the other
   station hand over yet) it is *held*: kept, verified, until those rows arrive;
4. otherwise it is *applied* (:mod:`caseworker.sync.integrate`), and then every held bundle
   that can now follow is applied too, in the same transaction.

Refusals are not recorded in the database (it stays byte for byte as it was); they are
printed and written to the log file.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.clock import ClockAheadError
from caseworker.i18n import _
from caseworker.store import changelog
from caseworker.store.sync_models import SyncBundle, SyncPeer, SyncRow
from caseworker.store.uow import Store
from caseworker.sync import bundle, changes, integrate, keys, setup
from caseworker.sync.container import DEFAULT_LIMITS, BundleRefused, Limits, refused

log = logging.getLogger(__name__)

APPLIED = "applied"
HELD = "held"
DUPLICATE = "duplicate"
REFUSED = "refused"
Progress = Callable[[int, int], bool]


@dataclass
class Outcome:
    name: str
    status: str
    message: str = ""
    station: str = ""
    bundle_id: uuid.UUID | None = None
    rows: int = 0
    records: int = 0
    conflicts: int = 0
    #: Bundles held earlier that were applied after this one.
    released: list[str] = field(default_factory=list)


def _known(session: Session, station: str, hash_: str) -> bool:
    if hash_ == changelog.GENESIS:
        return True
    return (
        session.scalar(
            select(SyncRow.seq).where(SyncRow.station_code == station, SyncRow.hash == hash_)
        )
        is not None
    )


def _first_new(session: Session, incoming: changes.Incoming) -> int:
    """The index of the first row the county does not have (the known rows are a prefix)."""
    lines = incoming.lines
    if _known(session, incoming.station, lines[-1].hash):
        return len(lines)
    low, high = 0, len(lines) - 1  # lines[high] is not known
    while low < high:
        middle = (low + high) // 2
        if _known(session, incoming.station, lines[middle].hash):
            low = middle + 1
        else:
            high = middle
    return low


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str
    start: int = 0
    reason: str = ""


def examine(session: Session, incoming: changes.Incoming, *, held_here: bool = False) -> Verdict:
    """What importing ``incoming`` would do, from the county's database as it is."""
    if not held_here:
        existing = session.get(SyncBundle, incoming.bundle_id)
        if existing is not None:
            if existing.manifest_hash != incoming.opened.manifest_hash:
                raise refused(
                    _("Another bundle with the same id ({id}) was imported before; this one "
                      "differs from it.").format(id=incoming.bundle_id)
                )  # fmt: skip
            return Verdict(DUPLICATE, reason=existing.status)
    start = _first_new(session, incoming)
    if start == len(incoming.lines):
        return Verdict(DUPLICATE, start)
    before = incoming.lines[start - 1].hash if start > 0 else incoming.prev_hash
    if not _known(session, incoming.station, before):
        return Verdict(HELD, start, "predecessor")
    for line in incoming.lines[start:]:
        if line.after is not None and not _known(session, *line.after):
            return Verdict(HELD, start, "dependency")
    return Verdict(APPLIED, start)


def _bundle_row(incoming: changes.Incoming, status: str, name: str) -> SyncBundle:
    now = wall.now()
    return SyncBundle(
        bundle_id=incoming.bundle_id, direction="in", kind=bundle.CHANGES,
        station_code=incoming.station, key_id=incoming.opened.sender.key_id,
        manifest_hash=incoming.opened.manifest_hash,
        manifest=bundle.canonical_json(incoming.opened.manifest).decode(),
        seq_from=incoming.seq_from, seq_to=incoming.seq_to, prev_hash=incoming.prev_hash,
        last_hash=incoming.last_hash, status=status, at=now,
        applied_at=now if status == APPLIED else None,
        payload=incoming.opened.inner if status == HELD else None, acked_seq=None,
        acked_hash=None, summary="", file_name=name[:255],
    )  # fmt: skip


def _apply(store: Store, session: Session, incoming: changes.Incoming, start: int) -> integrate.Plan:
    try:
        store.clock.observe(incoming.max_hlc)
    except ClockAheadError:
        raise refused(
            _("The bundle carries time stamps more than a day ahead of this computer's clock.")
        ) from None
    result = integrate.plan(session, incoming.station, incoming.bundle_id, incoming.lines[start:])
    integrate.write(session, result)
    return result


def _summary(result: integrate.Plan) -> str:
    return json.dumps(
        {"rows": len(result.rows), "records": result.written, "conflicts": len(result.add_conflicts)}
    )


def release_held(store: Store, session: Session, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """Apply every held bundle that can now follow (repeatedly); their file names."""
    released: list[str] = []
    while True:
        progressed = False
        held = session.scalars(
            select(SyncBundle)
            .where(SyncBundle.direction == "in", SyncBundle.status == HELD)
            .order_by(SyncBundle.station_code, SyncBundle.seq_from)
        ).all()
        for row in held:
            peer = session.get(SyncPeer, row.key_id)
            if peer is None or row.payload is None:
                continue
            try:
                incoming = changes.parse(bundle.open_inner(row.payload, peer, limits), limits)
                verdict = examine(session, incoming, held_here=True)
                if verdict.status == HELD:
                    continue
                summary = ""
                if verdict.status == APPLIED:
                    with session.begin_nested():
                        summary = _summary(_apply(store, session, incoming, verdict.start))
            except BundleRefused as exc:
                log.warning("held bundle %s of %s stays held: %s", row.bundle_id, row.station_code, exc)
                continue
            row.status = APPLIED
            row.applied_at = wall.now()
            row.payload = None
            row.summary = summary
            session.flush()
            released.append(row.file_name or str(row.bundle_id))
            progressed = True
        if not progressed:
            return released


def import_bytes(
    store: Store,
    key_id: str,
    pair: object,
    data: bytes,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
) -> Outcome:
    """Import one file's bytes (see the module notes); never raises for a bad bundle."""
    from caseworker.sync import crypto

    assert isinstance(pair, crypto.KeyPair)
    outcome = Outcome(name, REFUSED)
    try:
        with store.reading() as session:
            peers = {p.key_id: p for p in session.scalars(select(SyncPeer))}
        opened = bundle.open_sealed(data, key_id, pair, peers.get, limits)
        if opened.sender.role != keys.STATION:
            raise refused(_("This is not a station's changes bundle."))
        incoming = changes.parse(opened, limits)
        outcome.station, outcome.bundle_id = incoming.station, incoming.bundle_id
        with store.reading() as session:
            verdict = examine(session, incoming)
        if verdict.status == DUPLICATE:
            outcome.status = DUPLICATE
            return outcome
        with store.transaction() as session:
            verdict = examine(session, incoming)  # again, under the write lock
            if verdict.status == DUPLICATE:
                outcome.status = DUPLICATE
                return outcome
            if verdict.status == HELD:
                session.add(_bundle_row(incoming, HELD, name))
                outcome.status = HELD
                outcome.message = verdict.reason
                return outcome
            result = _apply(store, session, incoming, verdict.start)
            row = _bundle_row(incoming, APPLIED, name)
            row.summary = _summary(result)
            session.add(row)
            session.flush()
            outcome.released = release_held(store, session, limits)
            outcome.status = APPLIED
            outcome.rows, outcome.records = len(result.rows), result.written
            outcome.conflicts = len(result.add_conflicts)
    except BundleRefused as exc:
        outcome.status = REFUSED
        outcome.message = str(exc)
        log.warning("bundle %s refused: %s", name, exc)
    return outcome


def import_files(
    store: Store,
    keys_folder: Path,
    paths: Sequence[Path],
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Import station bundles at the county, one file after the other.  ``progress(done,
    total)`` is called before each file; returning False stops there (the files done stay
    done; none is ever half applied)."""
    setup.require_county(store)
    with store.reading() as session:
        key_id, pair = keys.own_keys(keys_folder, session)
    outcomes: list[Outcome] = []
    for index, path in enumerate(paths):
        if progress is not None and not progress(index, len(paths)):
            break
        try:
            size = path.stat().st_size
            if size > limits.max_file:
                raise refused(
                    _("The file is larger than the limit of {n} MB.").format(n=limits.max_file >> 20)
                )
            data = path.read_bytes()
        except OSError as exc:
            outcomes.append(
                Outcome(path.name, REFUSED, _("The file cannot be read: {error}").format(
                    error=exc.strerror or exc))
            )  # fmt: skip
            continue
        except BundleRefused as exc:
            outcomes.append(Outcome(path.name, REFUSED, str(exc)))
            continue
        outcomes.append(import_bytes(store, key_id, pair, data, path.name, limits))
    if progress is not None:
        progress(len(outcomes), len(paths))
    return outcomes
