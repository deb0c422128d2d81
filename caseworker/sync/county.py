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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy.exc
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.bulkwork import bulk_work
from caseworker.core.clock import ClockAheadError
from caseworker.i18n import _
from caseworker.security.roles import Action, require_store
from caseworker.store import changelog
from caseworker.store.sync_models import SyncBundle, SyncPeer, SyncRow
from caseworker.store.uow import Store
from caseworker.sync import ahead, bundle, changes, integrate, keys, setup
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


_KNOWN = select(SyncRow.hash).where(
    SyncRow.station_code == bindparam("station"),
    SyncRow.hash.in_(bindparam("hashes", expanding=True)),
)


def known_hashes(session: Session, station: str, hashes: Sequence[str]) -> set[str]:
    """Which of ``hashes`` the county has among ``station``'s rows (the genesis is known)."""
    found = {changelog.GENESIS} & set(hashes)
    connection = session.connection()
    for chunk in integrate.batched(list(hashes)):
        found.update(connection.execute(_KNOWN, {"station": station, "hashes": chunk}).scalars())
    return found


#: The hashes of a station's rows in a range of its sequence.
_IN_RANGE = select(SyncRow.hash).where(
    SyncRow.station_code == bindparam("station"),
    SyncRow.seq.between(bindparam("low"), bindparam("high")),
)


def _first_new(session: Session, incoming: changes.Incoming) -> int:
    """The index of the first row the county does not have (the known rows are a prefix).

    A row's hash covers its ``seq``, so the rows the county has of the bundle's are among the
    station's rows in the bundle's range of ``seq`` (one read of an index, not one a chunk
    of 500 hashes)."""
    stored = session.connection().execute(
        _IN_RANGE,
        {"station": incoming.station, "low": incoming.seq_from, "high": incoming.seq_to},
    )
    known = set(stored.scalars()) & {line.hash for line in incoming.lines}
    for index, line in enumerate(incoming.lines):
        if line.hash not in known:
            if any(later.hash in known for later in incoming.lines[index + 1 :]):
                raise refused(
                    _(
                        "The bundle's chain is broken: rows it says are new come before rows the county has."
                    )
                )
            return index
    return len(incoming.lines)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str
    start: int = 0
    reason: str = ""
    waiting: list[tuple[str, str]] = field(default_factory=list)


def examine(session: Session, incoming: changes.Incoming, *, held_here: bool = False) -> Verdict:
    """What importing ``incoming`` would do, from the county's database as it is."""
    connection = session.connection()
    if not held_here:
        existing = connection.execute(
            select(SyncBundle.manifest_hash, SyncBundle.status).where(
                SyncBundle.bundle_id == incoming.bundle_id
            )
        ).first()
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
    waiting = missing(session, incoming, start)
    if waiting:
        return Verdict(HELD, start, "predecessor", waiting)
    return Verdict(APPLIED, start)


def missing(session: Session, incoming: changes.Incoming, start: int) -> list[tuple[str, str]]:
    """The rows (station, hash) the county needs before the new rows of ``incoming``: the row
    before them, and the rows that records they import come after."""
    before = incoming.lines[start - 1].hash if start > 0 else incoming.prev_hash
    needed = {(incoming.station, before)}
    needed.update(line.after for line in incoming.lines[start:] if line.after is not None)
    return unknown(session, needed)


def unknown(session: Session, needed: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Those of the rows ``(station, hash)`` the county does not have."""
    by_station: dict[str, list[str]] = {}
    for station, hash_ in needed:
        by_station.setdefault(station, []).append(hash_)
    absent: list[tuple[str, str]] = []
    for station, hashes in by_station.items():
        known = known_hashes(session, station, hashes)
        absent += [(station, h) for h in hashes if h not in known]
    return sorted(absent)


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


def _apply(
    store: Store, session: Session, incoming: changes.Incoming, start: int
) -> integrate.Plan:
    try:
        store.clock.observe(incoming.max_hlc)
    except ClockAheadError:
        raise refused(
            _("The bundle carries time stamps more than a day ahead of this computer's clock.")
        ) from None
    result = integrate.plan(session, incoming.station, incoming.bundle_id, incoming.lines[start:])
    try:
        integrate.write(session, result)
    except sqlalchemy.exc.IntegrityError as exc:
        # Rolled back by the caller (the whole import, or the held bundle's savepoint).
        detail = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        raise refused(
            _("The bundle's records clash with records the county has ({detail}).").format(
                detail=detail
            )
        ) from None
    return result


def _summary(result: integrate.Plan) -> str:
    return json.dumps(
        {
            "rows": len(result.rows),
            "records": result.written,
            "conflicts": len(result.add_conflicts),
        }
    )


def release_held(
    store: Store, session: Session, added: set[str], limits: Limits = DEFAULT_LIMITS
) -> list[str]:
    """Apply every held bundle that can now follow (repeatedly); their file names.  ``added``:
    the stations whose rows just arrived (only a bundle waiting for one of those can follow)."""
    released: list[str] = []
    connection = session.connection()
    added = set(added)
    while added:
        progressed = False
        held = connection.execute(
            select(SyncBundle.bundle_id, SyncBundle.summary)
            .where(SyncBundle.direction == "in", SyncBundle.status == HELD)
            .order_by(SyncBundle.station_code, SyncBundle.seq_from)
        ).all()
        arrived, added = added, set()
        for bundle_id, summary in held:
            waiting = json.loads(summary or "{}").get("waiting", [])
            if not {w[0] for w in waiting} & arrived or unknown(
                session, [tuple(w) for w in waiting]
            ):
                continue
            row = session.get(SyncBundle, bundle_id)
            assert row is not None
            peer = session.get(SyncPeer, row.key_id)
            if peer is None or row.payload is None:
                continue
            try:
                incoming = changes.parse(bundle.open_inner(row.payload, peer, limits), limits)
                verdict = examine(session, incoming, held_here=True)
                if verdict.status == HELD:
                    row.summary = json.dumps({"waiting": verdict.waiting})
                    continue
                done = ""
                if verdict.status == APPLIED:
                    with session.begin_nested():
                        done = _summary(_apply(store, session, incoming, verdict.start))
            except BundleRefused as exc:
                log.warning("held bundle %s of %s stays held: %s", bundle_id, row.station_code, exc)
                continue
            row.status = APPLIED
            row.applied_at = wall.now()
            row.payload = None
            row.summary = done
            session.flush()
            released.append(row.file_name or str(bundle_id))
            added.add(row.station_code)
            progressed = True
        if not progressed:
            break
    return released


def _open(
    key_id: str, pair: object, data: bytes, peers: dict[str, SyncPeer], limits: Limits
) -> bundle.Opened:
    """The bundle decrypted, its signature and members checked (raises its refusal)."""
    from caseworker.sync import crypto

    assert isinstance(pair, crypto.KeyPair)
    opened = bundle.open_sealed(data, key_id, pair, peers.get, limits)
    if opened.sender.role != keys.STATION:
        raise refused(_("This is not a station's changes bundle."))
    return opened


def import_bytes(
    store: Store,
    key_id: str,
    pair: object,
    data: bytes,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
    peers: dict[str, SyncPeer] | None = None,
) -> Outcome:
    """Import one file's bytes (see the module notes); never raises for a bad bundle.
    ``peers``: the enrolled keys by id (read from the database when not given)."""
    outcome = Outcome(name, REFUSED)
    try:
        if peers is None:
            peers = enrolled(store)
        incoming = changes.parse(_open(key_id, pair, data, peers, limits), limits)
        _integrate(store, incoming, name, limits, outcome)
    except BundleRefused as exc:
        _refused(outcome, exc)
    return outcome


def _refused(outcome: Outcome, exc: BundleRefused) -> None:
    outcome.status = REFUSED
    outcome.message = str(exc)
    log.warning("bundle %s refused: %s", outcome.name, exc)


def _integrate(
    store: Store, incoming: changes.Incoming, name: str, limits: Limits, outcome: Outcome
) -> None:
    """Apply, hold or skip a checked bundle, in one transaction (raises its refusal)."""
    outcome.station, outcome.bundle_id = incoming.station, incoming.bundle_id
    # Examined under the write lock; a duplicate writes nothing (the file stays as it is).
    with store.transaction() as session:
        verdict = examine(session, incoming)
        if verdict.status == DUPLICATE:
            outcome.status = DUPLICATE
            return
        if verdict.status == HELD:
            held = _bundle_row(incoming, HELD, name)
            held.summary = json.dumps({"waiting": verdict.waiting})
            session.add(held)
            outcome.status = HELD
            outcome.message = verdict.reason
            return
        result = _apply(store, session, incoming, verdict.start)
        row = _bundle_row(incoming, APPLIED, name)
        row.summary = _summary(result)
        session.add(row)
        session.flush()
        outcome.released = release_held(store, session, {incoming.station}, limits)
        outcome.status = APPLIED
        outcome.rows, outcome.records = len(result.rows), result.written
        outcome.conflicts = len(result.add_conflicts)


def enrolled(store: Store) -> dict[str, SyncPeer]:
    """Every station key enrolled here (revoked ones too: their bundles are refused by name)."""
    with store.reading() as session:
        return {p.key_id: p for p in session.scalars(select(SyncPeer))}


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
    require_store(store, Action.COUNTY_IMPORT)
    with store.reading() as session:
        key_id, pair = keys.own_keys(keys_folder, session)
    peers = enrolled(store)
    outcomes: list[Outcome] = []
    with bulk_work():  # (full collection passes walked every live object, for nothing)
        _import_paths(store, key_id, pair, peers, paths, limits, progress, outcomes)
    if progress is not None:
        progress(len(outcomes), len(paths))
    return outcomes


def _import_paths(
    store: Store,
    key_id: str,
    pair: object,
    peers: dict[str, SyncPeer],
    paths: Sequence[Path],
    limits: Limits,
    progress: Progress | None,
    outcomes: list[Outcome],
) -> None:
    def open_file(index: int) -> bundle.Opened | Outcome:
        """File ``index`` read and opened, or the outcome of its refusal."""
        path = paths[index]
        try:
            size = path.stat().st_size
            if size > limits.max_file:
                raise refused(
                    _("The file is larger than the limit of {n} MB.").format(
                        n=limits.max_file >> 20
                    )
                )
            data = path.read_bytes()
        except OSError as exc:
            return Outcome(path.name, REFUSED, _("The file cannot be read: {error}").format(
                error=exc.strerror or exc))  # fmt: skip
        except BundleRefused as exc:
            return Outcome(path.name, REFUSED, str(exc))
        try:
            return _open(key_id, pair, data, peers, limits)
        except BundleRefused as exc:
            outcome = Outcome(path.name, REFUSED)
            _refused(outcome, exc)
            return outcome

    opened: dict[int, bundle.Opened | Outcome] = {}
    bind = store.engine.dialect.name == "sqlite"
    with ahead.Ahead(limits, ahead.wanted(paths), bind) as helper:
        for index, path in enumerate(paths):
            if progress is not None and not progress(index, len(paths)):
                break
            # The next bundles go to the helper before this one is written (see sync.ahead).
            for later in range(index + 1, min(index + 1 + ahead.DEPTH, len(paths))):
                if helper.working and later not in opened:
                    opened[later] = open_file(later)
                    if isinstance(opened[later], bundle.Opened):
                        helper.submit(later, opened[later])  # type: ignore[arg-type]
            current = opened.pop(index) if index in opened else open_file(index)
            if isinstance(current, Outcome):
                outcomes.append(current)
                continue
            outcome = Outcome(path.name, REFUSED)
            try:
                _integrate(store, helper.take(index, current), path.name, limits, outcome)
            except BundleRefused as exc:
                _refused(outcome, exc)
            outcomes.append(outcome)
