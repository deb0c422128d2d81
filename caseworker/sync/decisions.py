"""County decisions: resolving conflicts, and transferring a person to another station.

A county user never edits a station's record at the county; a decision says what the record's
owner is to do, travels to it in its next receipt (:mod:`caseworker.sync.receipt`), and is
applied there by the owner, whose change then comes back in its next bundle like any other.
Every decision and resolution is logged in the county's change log.

Decisions, by kind:

- ``tombstone``: the owner deletes (tombstones) a record;
- ``set``: the owner sets some fields of a record to given values; with each, the county's
  value now (``base``): where the owner has the value already (the county refused it as a
  stale change), the owner records the change again from the county's value, so that the
  county's copy takes it;
- ``handover``: the owner hands a person over to another station (a transfer): the person and
  their employment episodes take the new owner's code, the village is cleared, the household
  membership is ended;
- ``receive``: made when the county has seen the handover: the receiving station gets the
  person and their episodes, each with the handover row it must come after.

Resolutions:

- an ID number registered by two stations: ``keep`` one record (the others' owners delete
  theirs), ``merge`` (keep one, and its owner takes some fields from another), or ``transfer``
  (keep the record of the station the person moved to; the other owners delete theirs);
- a change the county did not apply (not the owner's, or on a stale base): ``current`` (keep
  the county's value; nothing to do) or ``incoming`` (the owner sets the incoming value).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.errors import NotFoundError, UserError, ValidationError
from caseworker.i18n import _
from caseworker.security.roles import Action, require_store
from caseworker.store import changelog
from caseworker.store.models import EmploymentEpisode, Person
from caseworker.store.sync_models import SyncConflict, SyncDecision, SyncRow
from caseworker.store.uow import Store
from caseworker.sync import integrate, keys, records, setup
from caseworker.sync.replay import DUPLICATE_ID, replay

TOMBSTONE = "tombstone"
SET = "set"
HANDOVER = "handover"
RECEIVE = "receive"
KEEP = "keep"
MERGE = "merge"
TRANSFER = "transfer"
CURRENT = "current"
INCOMING = "incoming"
PENDING = "pending"
DECISION_ENTITY = "sync_decision"
CONFLICT_ENTITY = "sync_conflict"


@dataclass(frozen=True, slots=True)
class Made:
    conflict: SyncConflict | None
    decisions: list[SyncDecision]


def _log(session: Session, entity: str, entity_id: uuid.UUID, field: str, old: str | None,
         new: str) -> None:  # fmt: skip
    context: changelog.Context = session.info[changelog.CONTEXT_KEY]
    changelog.append(
        session.connection(),
        [
            changelog.new_row(
                context, hlc=str(context.clock.now()), at=wall.now(), entity=entity,
                entity_id=entity_id, op=changelog.INSERT if old is None else changelog.UPDATE,
                field=field, old=old, new=new,
            )
        ],
    )  # fmt: skip


def decide(
    session: Session, kind: str, station: str, entity: str, record_id: uuid.UUID,
    payload: dict[str, Any], conflict: SyncConflict | None = None,
) -> SyncDecision:  # fmt: skip
    context: changelog.Context = session.info[changelog.CONTEXT_KEY]
    decision = SyncDecision(
        id=uuid.uuid4(), conflict_id=conflict.id if conflict else None, kind=kind,
        station_code=station, entity=entity, entity_id=record_id,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True), made_at=wall.now(),
        made_by=context.actor_name, status=PENDING, applied_at=None, outcome="",
    )  # fmt: skip
    session.add(decision)
    session.flush()
    _log(session, DECISION_ENTITY, decision.id, "*", None, json.dumps(
        {"kind": kind, "station": station, "entity": entity, "id": str(record_id),
         "payload": payload, "conflict": str(conflict.id) if conflict else None},
        ensure_ascii=False, sort_keys=True,
    ))  # fmt: skip
    return decision


def conflict(session: Session, conflict_id: str) -> SyncConflict:
    """A conflict by its id, or by the first characters of it (at least 6)."""
    text = conflict_id.strip().lower()
    found: list[SyncConflict] = []
    if len(text) >= 6:
        found = [c for c in session.scalars(select(SyncConflict)) if str(c.id).startswith(text)]
    if len(found) != 1:
        raise NotFoundError(_("No conflict {id}.").format(id=conflict_id))
    return found[0]


def _record(session: Session, entity: str, record_id: uuid.UUID) -> dict[str, str | None] | None:
    found = integrate.current_records(session, entity, [record_id]).get(record_id)
    return found.values if found is not None else None


def parties(item: SyncConflict) -> list[uuid.UUID]:
    detail = json.loads(item.detail or "{}")
    return [uuid.UUID(p) for p in detail.get("parties", [])]


def resolve(
    store: Store,
    conflict_id: str,
    *,
    keep: str | None = None,
    take: dict[str, str] | None = None,
    transfer_to: str | None = None,
    choose: str | None = None,
    note: str = "",
) -> Made:
    """Resolve an open conflict (see the module notes); the decisions it makes."""
    setup.require_county(store)
    require_store(store, Action.RESOLVE_CONFLICTS)
    with store.transaction() as session:
        item = conflict(session, conflict_id)
        if item.status != "open":
            raise UserError(_("The conflict {id} is resolved already.").format(id=item.id))
        if item.kind == DUPLICATE_ID:
            made = _resolve_duplicate(session, item, keep, take or {}, transfer_to)
        else:
            made = _resolve_row(session, item, choose)
        resolution = json.loads(item.resolution or "{}")
        resolution["note"] = note
        item.resolution = json.dumps(resolution, ensure_ascii=False, sort_keys=True)
        item.status = "resolved"
        item.resolved_at = wall.now()
        item.resolved_by = session.info[changelog.CONTEXT_KEY].actor_name
        session.flush()
        _log(session, CONFLICT_ENTITY, item.id, "resolution", None, item.resolution)
        return Made(item, made)


def _resolve_duplicate(
    session: Session, item: SyncConflict, keep: str | None, take: dict[str, str],
    transfer_to: str | None,
) -> list[SyncDecision]:  # fmt: skip
    people = {p: _record(session, "person", p) for p in parties(item)}
    if transfer_to is not None:
        owned = [p for p, v in people.items() if v and v["station_code"] == transfer_to]
        if len(owned) != 1:
            raise ValidationError(
                _("Station {code} holds none (or more than one) of these records.").format(
                    code=transfer_to
                )
            )
        kept = owned[0]
        action = TRANSFER
    else:
        if keep is None:
            raise ValidationError(_("Say which record to keep."))
        matches = [p for p in people if str(p).startswith(keep.strip().lower())]
        if len(matches) != 1:
            raise ValidationError(_("{id} is not one of this conflict's records.").format(id=keep))
        kept = matches[0]
        action = MERGE if take else KEEP
    decisions: list[SyncDecision] = []
    kept_values = people[kept]
    assert kept_values is not None
    if take:
        values: dict[str, str | None] = {}
        for name, source in take.items():
            other = next((p for p in people if str(p).startswith(source.strip().lower())), None)
            if other is None or other == kept or name not in records.models()["person"].columns:
                raise ValidationError(
                    _("Cannot take {field} from {id}.").format(field=name, id=source)
                )
            if name in ("id", "station_code", "id_number", "deleted", "demo"):
                raise ValidationError(_("{field} cannot be merged.").format(field=name))
            other_values = people[other]
            assert other_values is not None
            values[name] = other_values[name]
        base = {name: kept_values[name] for name in values}
        decisions.append(
            decide(session, SET, str(kept_values["station_code"]), "person", kept,
                   {"entity": "person", "id": str(kept), "values": values, "base": base}, item)
        )  # fmt: skip
    for party, party_values in people.items():
        if party == kept or party_values is None or party_values["deleted"] == "true":
            continue
        decisions.append(
            decide(session, TOMBSTONE, str(party_values["station_code"]), "person", party,
                   {"entity": "person", "id": str(party)}, item)
        )  # fmt: skip
    item.resolution = json.dumps(
        {"action": action, "keep": str(kept), "take": take, "transfer_to": transfer_to},
        sort_keys=True,
    )
    _set_holds(session, {p: p != kept for p in people})
    return decisions


def _set_holds(session: Session, wanted: dict[uuid.UUID, bool]) -> None:
    current = integrate.current_records(session, "person", list(wanted))
    log = integrate._Log(session)
    hold = [(p, c) for p, c in current.items() if wanted[p] and not c.held]
    release = [(p, c) for p, c in current.items() if not wanted[p] and c.held]
    connection = session.connection()
    integrate._set_held(connection, log, hold, True)
    integrate._set_held(connection, log, release, False)


def _resolve_row(session: Session, item: SyncConflict, choose: str | None) -> list[SyncDecision]:
    if choose not in (CURRENT, INCOMING):
        raise ValidationError(_("Choose the current or the incoming value."))
    item.resolution = json.dumps({"action": choose}, sort_keys=True)
    if choose == CURRENT:
        return []
    assert item.entity_id is not None
    current = _record(session, item.entity, item.entity_id)
    if current is None:
        raise UserError(_("The county has no such record to change."))
    if item.field == "*":
        incoming = json.loads(item.detail or "{}").get("incoming", {}).get("values") or {}
        values = {
            k: v for k, v in incoming.items()
            if k not in ("id", "station_code", "demo") and current.get(k) != v
        }  # fmt: skip
    else:
        values = {item.field: item.incoming_value}
    if not values:
        return []
    base = {name: current.get(name) for name in values}
    return [
        decide(session, SET, str(current["station_code"]), item.entity, item.entity_id,
               {"entity": item.entity, "id": str(item.entity_id), "values": values,
                "base": base}, item)
    ]  # fmt: skip


def find_person(session: Session, text: str) -> Person:
    from caseworker.registry import persons

    found = persons.find(session, text)
    if found is None:
        rows = session.scalars(select(Person).where(Person.id_number == text.strip())).all()
        if len(rows) > 1:
            raise UserError(
                _("Two stations registered {value}; name the record id.").format(value=text)
            )
        found = rows[0] if rows else None
    if found is None:
        raise NotFoundError(
            _("No person with the ID number or record id {value}.").format(value=text)
        )
    return found


def transfer(store: Store, person: str, to_code: str) -> SyncDecision:
    """Ask the person's owner to hand them over to station ``to_code``."""
    setup.require_county(store)
    require_store(store, Action.RESOLVE_CONFLICTS)
    with store.transaction() as session:
        found = find_person(session, person)
        if found.deleted:
            raise UserError(_("This person's record is deleted."))
        if found.station_code == to_code:
            raise UserError(_("The person belongs to station {code} already.").format(code=to_code))
        if not keys.peers(session, keys.STATION) or not any(
            p.code == to_code for p in keys.peers(session, keys.STATION)
        ):
            raise UserError(_("Station {code} is not enrolled.").format(code=to_code))
        same = session.scalar(
            select(Person.id).where(
                Person.id_number == found.id_number, Person.station_code == to_code,
                Person.deleted.is_(False),
            )
        )  # fmt: skip
        if same is not None:
            raise UserError(
                _("Station {code} has registered this ID number itself; resolve the duplicate "
                  "instead.").format(code=to_code)
            )  # fmt: skip
        pending = session.scalar(
            select(SyncDecision.id).where(
                SyncDecision.kind == HANDOVER, SyncDecision.entity_id == found.id,
                SyncDecision.status == PENDING,
            )
        )  # fmt: skip
        if pending is not None:
            raise UserError(_("A transfer of this person is waiting already."))
        return decide(
            session, HANDOVER, found.station_code, "person", found.id,
            {"entity": "person", "id": str(found.id), "to": to_code},
        )  # fmt: skip


def _last_row(session: Session, entity: str, record_id: uuid.UUID) -> dict[str, str] | None:
    rows = [
        integrate.row_of(r)
        for r in session.scalars(
            select(SyncRow).where(SyncRow.entity_id == record_id, SyncRow.stub.is_(False))
        )
        if r.entity == entity
    ]
    last = replay(rows).last
    return {"station": last.station, "hash": last.hash} if last is not None else None


def prepare_receives(session: Session, station: str) -> None:
    """Make the ``receive`` decisions of the transfers to ``station`` whose handover the
    county has seen (the person is owned by ``station`` now)."""
    for handover in session.scalars(select(SyncDecision).where(SyncDecision.kind == HANDOVER)):
        payload = json.loads(handover.payload)
        if payload.get("to") != station:
            continue
        made = session.scalar(
            select(SyncDecision.id).where(
                SyncDecision.kind == RECEIVE, SyncDecision.entity_id == handover.entity_id,
                SyncDecision.station_code == station,
            )
        )  # fmt: skip
        if made is not None:
            continue
        person = _record(session, "person", handover.entity_id)
        if person is None or person["station_code"] != station:
            continue
        items: list[tuple[str, uuid.UUID, dict[str, str | None] | None]] = [
            ("person", handover.entity_id, person)
        ]
        episodes = session.scalars(
            select(EmploymentEpisode.id).where(
                EmploymentEpisode.person_id == handover.entity_id,
                EmploymentEpisode.station_code == station,
            )
        ).all()
        items += [
            ("employment_episode", e, _record(session, "employment_episode", e)) for e in episodes
        ]
        body = []
        for entity, record_id, values in items:
            after = _last_row(session, entity, record_id)
            if values is None or after is None:
                continue
            body.append({"entity": entity, "values": values, "after": after})
        decide(session, RECEIVE, station, "person", handover.entity_id, {"records": body})


def pending(session: Session, station: str) -> list[SyncDecision]:
    return list(
        session.scalars(
            select(SyncDecision)
            .where(SyncDecision.station_code == station, SyncDecision.status == PENDING)
            .order_by(SyncDecision.made_at)
        )
    )


def as_message(decision: SyncDecision) -> dict[str, Any]:
    return {
        "id": str(decision.id), "kind": decision.kind, "entity": decision.entity,
        "entity_id": str(decision.entity_id), "payload": json.loads(decision.payload),
    }  # fmt: skip
