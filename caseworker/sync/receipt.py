"""Receipts: the county's answer to a station, and the station applying it.

A receipt (``kind`` ``receipt``, signed by the county, encrypted to the station) carries:

- ``acks``: the ends of every chain of the station's change log the county has integrated
  (``seq`` and ``hash``); the station takes the newest one that is in its own log, and its
  "not yet sent" count drops to the rows after it;
- ``decisions``: the county's decisions for this station not yet applied there
  (:mod:`caseworker.sync.decisions`); a station applies each once (by its id), and records
  that it did with a change-log row that travels back in its next bundle;
- ``reference``: reference data: the county's policy packs and calendar years and its
  parameters; each file is checked as the program loads it before any is kept, and kept in the
  received folder (:func:`caseworker.core.resources.received_dir`), where it replaces a shipped
  file of the same name.

Applying the same receipt again changes nothing and says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.errors import UserError, ValidationError
from caseworker.core.files import write_atomically
from caseworker.core.resources import received_dir
from caseworker.i18n import _
from caseworker.security.roles import Action, require_store
from caseworker.store import changelog
from caseworker.store.migrate import HEAD_REVISION
from caseworker.store.models import ChangeLog, EmploymentEpisode, HouseholdMember, Person
from caseworker.store.sync_models import SyncBundle, SyncRow
from caseworker.store.uow import Store
from caseworker.sync import bundle, crypto, decisions, keys, records, setup
from caseworker.sync.container import DEFAULT_LIMITS, Limits, loads_object, refused
from caseworker.sync.export import DECISION_ENTITY

RECEIPT_MEMBER = "receipt.json"
REFERENCE_KINDS = ("policy", "calendar", "county")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,60}\.toml$")
MAX_REFERENCE_FILE = 1 << 20


# ---------------------------------------------------------------------------------------------
# At the county
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    bundle_id: uuid.UUID
    acks: list[dict[str, Any]]
    decisions: int
    reference: int


def heads(session: Session, station: str) -> list[dict[str, Any]]:
    """The last row of each chain of ``station`` the county has (newest first)."""
    rows = session.execute(
        text(
            "SELECT r.seq, r.hash FROM sync_row r WHERE r.station_code = :s AND NOT EXISTS "
            "(SELECT 1 FROM sync_row c WHERE c.station_code = :s AND c.prev_hash = r.hash) "
            "ORDER BY r.seq DESC LIMIT 20"
        ),
        {"s": station},
    ).all()
    return [{"seq": int(seq), "hash": str(hash_)} for seq, hash_ in rows]


def reference_files(store: Store) -> list[dict[str, str]]:
    """The reference data a county sends: its policy packs and calendar years (shipped, or
    replaced by files in its received folder) and its parameters."""
    from caseworker.policy.resources import calendar_dir, policy_dir

    files: list[dict[str, str]] = []
    for kind, shipped in (("policy", policy_dir()), ("calendar", calendar_dir())):
        found: dict[str, Path] = {}
        for folder in (shipped, received_dir(kind)):
            if folder.is_dir():
                found.update((p.name, p) for p in sorted(folder.glob("*.toml")))
        for name, path in sorted(found.items()):
            files.append({"kind": kind, "name": name, "text": path.read_text(encoding="utf-8")})
    name = setup.county_name(store).replace('"', "'")
    files.append({
        "kind": "county", "name": "county.toml",
        "text": f'code = "{store.station_code}"\nname = "{name}"\n',
    })  # fmt: skip
    return files


def write_receipt(
    store: Store, keys_folder: Path, station: str, target: Path, *, key_id: str | None = None
) -> Written:
    """The receipt for ``station`` (to its newest enrolled key, or ``key_id``), written to
    ``target`` (a file, or a folder to put it in)."""
    setup.require_county(store)
    require_store(store, Action.COUNTY_ADMIN)
    reference = reference_files(store)
    with store.transaction() as session:
        own_id, pair = keys.own_keys(keys_folder, session)
        candidates = [
            p for p in keys.peers(session, keys.STATION)
            if p.code == station and key_id in (None, p.key_id)
        ]  # fmt: skip
        if not candidates:
            raise UserError(_("Station {code} is not enrolled.").format(code=station))
        peer = candidates[-1]
        acks = heads(session, station)
        decisions.prepare_receives(session, station)
        messages = [decisions.as_message(d) for d in decisions.pending(session, station)]
        body = {"station": station, "acks": acks, "decisions": messages, "reference": reference}
        data = bundle.canonical_json(body)
        at = wall.now()
        hlc = str(store.clock.now())
        manifest = bundle.manifest_base(
            bundle.RECEIPT, HEAD_REVISION,
            bundle.Endpoint(keys.COUNTY, store.station_code, own_id, setup.county_name(store)),
            bundle.Endpoint(keys.STATION, station, peer.key_id, peer.name),
            at=at, hlc=hlc, suite=pair.suite,
        )  # fmt: skip
        manifest.update(
            acks=acks,
            decisions=len(messages),
            reference=[f"{f['kind']}/{f['name']}" for f in reference],
        )
        sealed, manifest_hash = bundle.seal(
            pair, keys.peer_public(peer), manifest, {RECEIPT_MEMBER: data}
        )
        name = f"receipt-{station}-{wall.local_now():%Y%m%d-%H%M%S}.cwb"
        path = target / name if target.is_dir() else target
        top = acks[0] if acks else {"seq": 0, "hash": changelog.GENESIS}
        session.add(
            SyncBundle(
                bundle_id=uuid.UUID(manifest["bundle_id"]), direction="out", kind=bundle.RECEIPT,
                station_code=station, key_id=peer.key_id, manifest_hash=manifest_hash,
                manifest=bundle.canonical_json(manifest).decode(), seq_from=0,
                seq_to=int(str(top["seq"])), prev_hash="", last_hash=str(top["hash"]),
                status="written", at=at, applied_at=None, payload=None, acked_seq=None,
                acked_hash=None, file_name=path.name,
                summary=json.dumps({"decisions": len(messages), "reference": len(reference)}),
            )
        )  # fmt: skip
        session.flush()
        write_atomically(path, lambda tmp: tmp.write_bytes(sealed))
    return Written(path, uuid.UUID(manifest["bundle_id"]), acks, len(messages), len(reference))


def last_bundles(session: Session) -> dict[str, dt.datetime]:
    """When the county last received a bundle from each station."""
    from sqlalchemy import func

    rows = session.execute(
        select(SyncBundle.station_code, func.max(SyncBundle.at))
        .where(SyncBundle.direction == "in", SyncBundle.kind == bundle.CHANGES)
        .group_by(SyncBundle.station_code)
    ).all()
    return {str(code): at for code, at in rows}


def received_rows(session: Session, station: str) -> int:
    from sqlalchemy import func

    return int(
        session.scalar(
            select(func.count()).select_from(SyncRow).where(SyncRow.station_code == station)
        )
        or 0
    )


# ---------------------------------------------------------------------------------------------
# At the station
# ---------------------------------------------------------------------------------------------


@dataclass
class Applied:
    duplicate: bool = False
    acked_seq: int = 0
    applied: list[str] = field(default_factory=list)  # decision kinds applied
    skipped: list[str] = field(default_factory=list)  # reasons
    reference: list[str] = field(default_factory=list)  # files updated


@dataclass(frozen=True, slots=True)
class _Reference:
    kind: str
    name: str
    text: str


def _check_reference(item: object) -> _Reference:
    if not isinstance(item, dict):
        raise refused(_("The receipt's reference data is not valid."))
    kind, name, body = item.get("kind"), item.get("name"), item.get("text")
    if kind not in REFERENCE_KINDS or not isinstance(name, str) or not _FILE.match(name):
        raise refused(_("The receipt's reference data is not valid."))
    if not isinstance(body, str) or len(body.encode()) > MAX_REFERENCE_FILE:
        raise refused(_("The receipt's reference data is not valid."))
    try:
        data = tomllib.loads(body)
        if kind == "policy":
            from caseworker.policy.pack import parse_pack

            parse_pack(data, name)
        elif kind == "calendar":
            from caseworker.policy.calendar import parse_year

            parse_year(data, name)
        elif not isinstance(data.get("code"), str) or not isinstance(data.get("name"), str):
            raise ValueError("county parameters")
    except (tomllib.TOMLDecodeError, ValidationError, ValueError, KeyError, TypeError) as exc:
        raise refused(
            _("The receipt's reference file {name} is not valid: {error}").format(
                name=name, error=str(exc)[:200]
            )
        ) from None
    return _Reference(kind, name, body)


def _changed_reference(files: list[_Reference]) -> list[_Reference]:
    """The files that differ from what this station reads now (shipped or received)."""
    from caseworker.policy.resources import calendar_dir, policy_dir

    shipped = {"policy": policy_dir(), "calendar": calendar_dir()}
    changed = []
    for item in files:
        current = received_dir(item.kind) / item.name
        if not current.exists() and item.kind in shipped:
            current = shipped[item.kind] / item.name
        try:
            if current.read_text(encoding="utf-8") == item.text:
                continue
        except OSError:
            pass
        changed.append(item)
    return changed


def _ack(session: Session, acks: list[dict[str, Any]]) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for ack in acks:
        seq, hash_ = ack["seq"], ack["hash"]
        stored = session.scalar(select(ChangeLog.hash).where(ChangeLog.seq == seq))
        if stored == hash_ and (best is None or seq > best[0]):
            best = (seq, hash_)
    return best


def _body(opened: bundle.Opened, station: str) -> dict[str, Any]:
    manifest = opened.manifest
    if manifest.get("kind") != bundle.RECEIPT or set(opened.members) != {RECEIPT_MEMBER}:
        raise refused(_("This is not a receipt from the county."))
    if manifest["to"].get("code") != station:
        raise refused(
            _("This receipt is for station {code}, not for this one.").format(
                code=str(manifest["to"].get("code"))[:20]
            )
        )
    bundle.check_schema(manifest)
    body = loads_object(opened.members[RECEIPT_MEMBER], RECEIPT_MEMBER)
    acks, items, reference = body.get("acks"), body.get("decisions"), body.get("reference")
    if (
        body.get("station") != station
        or not isinstance(acks, list)
        or not isinstance(items, list)
        or not isinstance(reference, list)
        or any(
            not isinstance(a, dict) or not isinstance(a.get("seq"), int)
            or not isinstance(a.get("hash"), str) for a in acks
        )
        or any(not isinstance(d, dict) for d in items)
    ):  # fmt: skip
        raise refused(_("The bundle's {part} is not valid.").format(part=RECEIPT_MEMBER))
    return body


def apply_receipt(
    store: Store, keys_folder: Path, path: Path, *, limits: Limits = DEFAULT_LIMITS
) -> Applied:
    """Verify and apply a receipt from the county (see the module notes)."""
    setup.require_station(store)
    require_store(store, Action.SYNC)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(
            _("The file cannot be read: {error}").format(error=exc.strerror or exc)
        ) from exc
    with store.reading() as session:
        key_id, pair = keys.own_keys(keys_folder, session)
        county = {p.key_id: p for p in keys.peers(session, keys.COUNTY, live_only=False)}
    opened = bundle.open_sealed(data, key_id, pair, county.get, limits)
    body = _body(opened, store.station_code)
    files = _changed_reference([_check_reference(item) for item in body["reference"]])
    result = Applied()
    with store.reading() as session:
        if session.get(SyncBundle, opened.bundle_id) is not None:
            result.duplicate = True
            return result
    try:
        store.clock.observe(str(opened.manifest["created_hlc"]))
    except ValueError:
        raise refused(
            _("The bundle carries time stamps more than a day ahead of this computer's clock.")
        ) from None
    with store.transaction() as session:
        ack = _ack(session, body["acks"])
        for item in body["decisions"]:
            _apply_decision(session, item, result)
        session.add(
            SyncBundle(
                bundle_id=opened.bundle_id, direction="in", kind=bundle.RECEIPT,
                station_code=store.station_code, key_id=opened.sender.key_id,
                manifest_hash=opened.manifest_hash,
                manifest=bundle.canonical_json(opened.manifest).decode(), seq_from=0, seq_to=0,
                prev_hash="", last_hash="", status="applied", at=wall.now(),
                applied_at=wall.now(), payload=None, acked_seq=ack[0] if ack else None,
                acked_hash=ack[1] if ack else None, file_name=path.name[:255],
                summary=json.dumps({"applied": result.applied, "skipped": result.skipped}),
            )
        )  # fmt: skip
        result.acked_seq = ack[0] if ack else 0
    for item in files:
        folder = received_dir(item.kind)
        folder.mkdir(parents=True, exist_ok=True)
        _write_text(folder / item.name, item.text)
        result.reference.append(f"{item.kind}/{item.name}")
    if files:
        from caseworker.policy.calendar import default_calendar
        from caseworker.policy.pack import default_library

        default_library.cache_clear()
        default_calendar.cache_clear()
    return result


def _write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _applied_already(session: Session, decision_id: uuid.UUID) -> bool:
    return (
        session.scalar(
            select(ChangeLog.seq)
            .where(ChangeLog.entity == DECISION_ENTITY, ChangeLog.entity_id == decision_id)
            .limit(1)
        )
        is not None
    )


def _mark(session: Session, decision_id: uuid.UUID, kind: str, outcome: str) -> None:
    context: changelog.Context = session.info[changelog.CONTEXT_KEY]
    session.flush()
    changelog.append(
        session.connection(),
        [
            changelog.new_row(
                context, hlc=str(context.clock.now()), at=wall.now(), entity=DECISION_ENTITY,
                entity_id=decision_id, op="applied", field="decision", old=None,
                new=json.dumps({"kind": kind, "outcome": outcome}, ensure_ascii=False),
            )
        ],
    )  # fmt: skip


class _Skip(Exception):
    pass


def _apply_decision(session: Session, item: dict[str, Any], result: Applied) -> None:
    try:
        decision_id = uuid.UUID(str(item.get("id")))
        kind = str(item.get("kind"))
        payload = item.get("payload")
        if not isinstance(payload, dict):
            raise ValueError("payload")
    except ValueError:
        raise refused(_("The receipt's decisions are not valid.")) from None
    if _applied_already(session, decision_id):
        return
    try:
        with session.begin_nested():
            if kind == decisions.TOMBSTONE:
                _tombstone(session, payload)
            elif kind == decisions.SET:
                _set(session, payload)
            elif kind == decisions.HANDOVER:
                _handover(session, payload)
            elif kind == decisions.RECEIVE:
                _receive(session, payload)
            else:
                raise _Skip(f"unknown decision {kind[:20]}")
        outcome = "applied"
        result.applied.append(kind)
    except (_Skip, UserError, records.BadValue) as exc:
        outcome = f"skipped: {exc}"[:500]
        result.skipped.append(f"{kind}: {exc}")
    _mark(session, decision_id, kind, outcome)


def _own(session: Session, payload: dict[str, Any]) -> tuple[records.Model, Any]:
    model = records.model(str(payload.get("entity")))
    if model is None:
        raise _Skip("unknown record table")
    try:
        record_id = uuid.UUID(str(payload.get("id")))
    except ValueError:
        raise _Skip("bad record id") from None
    record = session.get(model.cls, record_id)
    if record is None:
        raise _Skip("the record is not here")
    context: changelog.Context = session.info[changelog.CONTEXT_KEY]
    if record.station_code != context.station_code:
        raise _Skip("the record is not this station's")
    return model, record


def _tombstone(session: Session, payload: dict[str, Any]) -> None:
    _model, record = _own(session, payload)
    if not record.deleted:
        record.deleted = True
        session.flush()


def _set(session: Session, payload: dict[str, Any]) -> None:
    model, record = _own(session, payload)
    values = payload.get("values")
    if not isinstance(values, dict):
        raise _Skip("no values")
    decoded = {key: model.decode_one(key, value) for key, value in values.items()}
    if any(key in ("id", "station_code", "demo") for key in decoded):
        raise _Skip("these fields are not changed by a decision")
    if model.entity == "person":
        from caseworker.registry import persons
        from caseworker.registry.fields import BY_NAME

        editable = {k: v for k, v in decoded.items() if k in BY_NAME or k == "village_id"}
        rest = {k: v for k, v in decoded.items() if k not in editable}
        if editable:
            persons.change(session, record.id, **editable)
        for key, value in rest.items():
            setattr(record, key, value)
    else:
        for key, value in decoded.items():
            setattr(record, key, value)
    session.flush()
    base = payload.get("base")
    if isinstance(base, dict):
        for key, wanted in values.items():
            had = base.get(key)
            if key in base and had != wanted and changelog.encode(getattr(record, key)) == wanted:
                changelog.reassert(session, record, key, had, wanted)


def _handover(session: Session, payload: dict[str, Any]) -> None:
    _model, person = _own(session, {**payload, "entity": "person"})
    target = str(payload.get("to"))
    from caseworker.registry.stations import validate_code

    validate_code(target)
    for membership in session.scalars(
        select(HouseholdMember).where(
            HouseholdMember.person_id == person.id, HouseholdMember.deleted.is_(False)
        )
    ):
        membership.deleted = True
    episodes = session.scalars(
        select(EmploymentEpisode).where(EmploymentEpisode.person_id == person.id)
    ).all()
    session.flush()
    assert isinstance(person, Person)
    person.station_code = target
    person.village_id = None
    for episode in episodes:
        episode.station_code = target
    session.flush()


def _receive(session: Session, payload: dict[str, Any]) -> None:
    items = payload.get("records")
    if not isinstance(items, list) or not items:
        raise _Skip("no records")
    context: changelog.Context = session.info[changelog.CONTEXT_KEY]
    prepared: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("values"), dict):
            raise _Skip("bad record")
        model = records.model(str(item.get("entity")))
        if model is None:
            raise _Skip("unknown record table")
        values = model.decode(item["values"])
        records.check(model.entity, values)
        if values["station_code"] != context.station_code:
            raise _Skip("the record is not for this station")
        if session.get(model.cls, values["id"]) is not None:
            raise _Skip("the record is here already")
        after = item.get("after")
        if not isinstance(after, dict):
            raise _Skip("no dependency")
        note = json.dumps(
            {"after": {"station": str(after.get("station")), "hash": str(after.get("hash"))}},
            sort_keys=True,
        )
        prepared.setdefault(model.entity, []).append((values, note))
    for person_values, _note in prepared.get("person", []):
        same = session.scalar(select(Person).where(Person.id_number == person_values["id_number"]))
        if same is not None:
            raise _Skip(f"the ID number is registered here already ({same.id})")
    connection = session.connection()
    for entity, model in records.models().items():
        rows = prepared.get(entity)
        if not rows:
            continue
        data = []
        for values, _note in rows:
            row = dict(values)
            row.update(records.derived(entity, values))
            if "held" in model.table.c:
                row["held"] = False
            data.append(row)
        changelog.insert_records(
            connection, context, model.cls, data, op=changelog.IMPORT,
            notes=[note for _v, note in rows],
        )  # fmt: skip


__all__ = ["Applied", "Written", "apply_receipt", "crypto", "write_receipt"]
