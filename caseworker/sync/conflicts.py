"""The county's conflict list as people read it: one line each, and one conflict side by side
(both versions, and who made each), for the command line and the county screens."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.idcard import mask
from caseworker.i18n import N_, _
from caseworker.registry.history import entity_label, field_label
from caseworker.store.audit import staff_names
from caseworker.store.models import Person
from caseworker.store.sync_models import SyncConflict, SyncDecision
from caseworker.store.uow import Store
from caseworker.sync import decisions, integrate, setup
from caseworker.sync.replay import DIVERGED, DUPLICATE_ID, NO_BASE, NOT_OWNER, STALE_BASE

KIND_LABELS = {
    DUPLICATE_ID: N_("ID number registered by more than one station"),
    NOT_OWNER: N_("changed by a station that does not own the record"),
    STALE_BASE: N_("changed on an out-of-date value"),
    DIVERGED: N_("the owner's copy differs from the county's"),
    NO_BASE: N_("a change to a record the county does not have"),
}
DECISION_LABELS = {
    decisions.TOMBSTONE: N_("delete"),
    decisions.SET: N_("set values of"),
    decisions.HANDOVER: N_("hand over"),
    decisions.RECEIVE: N_("receive"),
}
#: The fields shown side by side for a person (the rest of a record's fields follow).
PERSON_FIRST = (
    "name",
    "id_number",
    "birth_date",
    "sex",
    "phone",
    "village_id",
    "address",
    "deleted",
)
#: Fields a person reads no better than the ones shown (the id, the pinyin of the name …).
HIDDEN = frozenset({"id", "demo", "name_pinyin", "name_initials"})
#: Labels of the fields that are not on the person's form.
FIELD_LABELS = {
    "birth_date": N_("Birth date"), "sex": N_("Sex"), "village_id": N_("Village or community"),
    "deleted": N_("Deleted"), "station_code": N_("Station"), "person_id": N_("Person"),
    "household_id": N_("Household"), "starts_on": N_("From"), "ends_on": N_("To"),
    "kind": N_("Kind"),
}  # fmt: skip


def label(entity: str, key: str) -> str:
    if key in FIELD_LABELS:
        return _(FIELD_LABELS[key])
    return field_label(entity, key)


def display(session: Session, entity: str, key: str, value: str | None) -> str:
    """A value as a person reads it: yes or no, the label of a code, the village's name."""
    from caseworker.registry import vocab
    from caseworker.registry.fields import BY_NAME, Kind
    from caseworker.store.models import Village

    if value is None or value == "":
        return ""
    if value in ("true", "false"):
        return _("yes") if value == "true" else _("no")
    if entity == "person" and key == "sex":
        return vocab.label("sex", value)
    spec = BY_NAME.get(key) if entity == "person" else None
    if spec is not None and spec.kind is Kind.CODE and spec.vocabulary:
        return vocab.label(spec.vocabulary, value)
    if key == "village_id":
        village = session.get(Village, uuid.UUID(value))
        return village.name if village is not None else value[:8]
    return value


@dataclass(frozen=True, slots=True)
class Item:
    id: uuid.UUID
    kind: str
    status: str
    entity: str
    entity_id: uuid.UUID | None
    record: str  # who or what it is about, for a person
    stations: list[str]
    field: str
    current: str | None
    incoming: str | None
    opened_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "kind": self.kind, "status": self.status, "entity": self.entity,
            "entity_id": str(self.entity_id) if self.entity_id else None, "record": self.record,
            "stations": self.stations, "field": self.field, "current": self.current,
            "incoming": self.incoming, "opened_at": self.opened_at.isoformat(),
        }  # fmt: skip


@dataclass
class Shown:
    item: Item
    headers: list[str]
    rows: list[tuple[str, list[str], bool]] = field(default_factory=list)  # label, values, differ
    parties: list[uuid.UUID] = field(default_factory=list)
    resolution: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            **self.item.as_json(), "headers": self.headers,
            "rows": [{"field": r[0], "values": r[1], "differ": r[2]} for r in self.rows],
            "parties": [str(p) for p in self.parties], "resolution": self.resolution,
        }  # fmt: skip


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def _person_label(session: Session, person_id: uuid.UUID | None) -> str:
    if person_id is None:
        return ""
    person = session.get(Person, person_id)
    if person is None:
        return str(person_id)
    return f"{person.name} {mask(person.id_number)}"


def _item(session: Session, conflict: SyncConflict) -> Item:
    from caseworker.sync.reports import conflict_stations

    detail = json.loads(conflict.detail or "{}")
    if conflict.kind == DUPLICATE_ID:
        record = mask(str(detail.get("id_number", "")))
    elif conflict.entity == "person":
        record = _person_label(session, conflict.entity_id)
    else:
        record = f"{entity_label(conflict.entity)} {str(conflict.entity_id)[:8]}"
    return Item(
        conflict.id, conflict.kind, conflict.status, conflict.entity, conflict.entity_id, record,
        sorted(conflict_stations(session, conflict)), conflict.field, conflict.current_value,
        conflict.incoming_value, conflict.opened_at,
    )  # fmt: skip


def listing(store: Store, *, include_resolved: bool = False) -> list[Item]:
    setup.require_county(store)
    with store.reading() as session:
        stmt = select(SyncConflict).order_by(SyncConflict.opened_at, SyncConflict.key)
        if not include_resolved:
            stmt = stmt.where(SyncConflict.status == "open")
        return [_item(session, c) for c in session.scalars(stmt)]


def summary_line(item: Item) -> str:
    where = ", ".join(item.stations)
    head = f"{str(item.id)[:8]}  {kind_label(item.kind)}  {item.record}  [{where}]"
    if item.kind != DUPLICATE_ID and item.field and item.field != "*":
        head += f"  {label(item.entity, item.field)}: {item.current} → {item.incoming}"
    if item.status != "open":
        head += "  " + _("(resolved)")
    return head


def _who(session: Session, data: dict[str, Any]) -> str:
    names = staff_names(session)
    actor = data.get("actor_id")
    name = names.get(uuid.UUID(actor), "") if actor else ""
    when = ""
    if data.get("at"):
        when = (
            dt.datetime.fromisoformat(data["at"])
            .astimezone(wall.local_now().tzinfo)
            .strftime("%Y-%m-%d %H:%M")
        )
    parts = [str(data.get("station") or data.get("owner") or ""), name, when]
    return " ".join(p for p in parts if p)


def _ordered(entity: str, keys: list[str]) -> list[str]:
    first = [k for k in PERSON_FIRST if k in keys] if entity == "person" else []
    return first + sorted(k for k in keys if k not in first)


def show(store: Store, conflict_id: str) -> Shown:
    setup.require_county(store)
    with store.reading() as session:
        conflict = decisions.conflict(session, conflict_id)
        item = _item(session, conflict)
        detail = json.loads(conflict.detail or "{}")
        if conflict.kind == DUPLICATE_ID:
            shown = _parties(session, item, decisions.parties(conflict))
        else:
            shown = _versions(session, item, conflict, detail)
        shown.resolution = conflict.resolution
        return shown


def _parties(session: Session, item: Item, parties: list[uuid.UUID]) -> Shown:
    found = integrate.current_records(session, "person", parties)
    headers = []
    columns: list[dict[str, str | None]] = []
    for party in parties:
        record = found.get(party)
        if record is None:
            continue
        headers.append(
            _("Station {code}").format(code=record.values["station_code"]) + f" ({str(party)[:8]})"
        )
        columns.append(record.values)
    shown = Shown(item, headers, parties=[p for p in parties if p in found])
    keys = _ordered("person", [k for k in (columns[0] if columns else {}) if k not in HIDDEN])
    for key in keys:
        values = [display(session, "person", key, c.get(key)) for c in columns]
        differ = len({c.get(key) for c in columns}) > 1
        shown.rows.append((label("person", key), values, differ))
    return shown


def _versions(
    session: Session, item: Item, conflict: SyncConflict, detail: dict[str, Any]
) -> Shown:
    assert conflict.entity_id is not None
    current = integrate.current_records(session, conflict.entity, [conflict.entity_id]).get(
        conflict.entity_id
    )
    left: dict[str, str | None] = dict(current.values) if current else {}
    incoming_data = detail.get("incoming", {})
    if conflict.field == "*":
        right = dict(incoming_data.get("values") or {})
        left = dict(detail.get("current", {}).get("values") or left)
    else:
        right = dict(left)
        right[conflict.field] = conflict.incoming_value
        left[conflict.field] = conflict.current_value
    headers = [
        _("The county's copy: {who}").format(who=_who(session, detail.get("current", {}))),
        _("Incoming: {who}").format(who=_who(session, incoming_data)),
    ]
    shown = Shown(item, headers)
    for key in _ordered(conflict.entity, sorted((set(left) | set(right)) - HIDDEN)):
        pair = [display(session, conflict.entity, key, side.get(key)) for side in (left, right)]
        shown.rows.append((label(conflict.entity, key), pair, left.get(key) != right.get(key)))
    return shown


def lines(shown: Shown) -> list[str]:
    out = [summary_line(shown.item), "    " + " | ".join(shown.headers)]
    for label, values, differ in shown.rows:
        mark = "*" if differ else " "
        out.append(f"  {mark} {label}: " + " | ".join(values))
    if shown.resolution:
        out.append(_("Resolution: {text}").format(text=shown.resolution))
    return out


def decision_line(decision: SyncDecision) -> str:
    kind = _(DECISION_LABELS[decision.kind]) if decision.kind in DECISION_LABELS else decision.kind
    return _("Decision {id}: station {code}: {what} {entity} {record}").format(
        id=str(decision.id)[:8], code=decision.station_code, what=kind,
        entity=entity_label(decision.entity), record=str(decision.entity_id)[:8],
    )  # fmt: skip
