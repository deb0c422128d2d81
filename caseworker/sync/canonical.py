"""The county's database reduced to what must not depend on the order bundles arrived in.

Two county databases that received the same station rows must give the same dump, whatever
the order, the duplicates and the delays of the deliveries.  The dump holds:

- every record the stations wrote (not the county's own records), by table and id: its logged
  values, and for a person whether it is held;
- every conflict: its kind, key, status, record, station, row, field, both values and its
  detail (both versions and who made them); for an ID number, its records;
- every station's received rows (their hashes), and the bundles still held.

It leaves out what the county itself counts or stamps: ``created_hlc``, ``updated_hlc``,
``version``, the county's change log, when each bundle arrived, the conflicts' own ids and
times, the county's decisions (made by a county user, not by the stations).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.store.sync_models import SyncBundle, SyncConflict, SyncRow
from caseworker.sync import integrate, records


def dump(session: Session, county_code: str) -> dict[str, Any]:
    tables: dict[str, list[Any]] = {}
    for entity, model in records.models().items():
        table = model.table
        ids = list(session.scalars(select(table.c.id).where(table.c.station_code != county_code)))
        found = integrate.current_records(session, entity, ids)
        tables[entity] = sorted(
            [str(record_id), current.values, current.held] for record_id, current in found.items()
        )
    conflicts = sorted(
        json.dumps(
            [c.kind, c.key, c.status, c.entity, str(c.entity_id), c.station_code, c.row_hash,
             c.field, c.current_value, c.incoming_value, json.loads(c.detail or "{}")],
            sort_keys=True, ensure_ascii=False,
        )
        for c in session.scalars(select(SyncConflict))
    )  # fmt: skip
    rows: dict[str, list[str]] = {}
    for station, hash_ in session.execute(select(SyncRow.station_code, SyncRow.hash)):
        rows.setdefault(station, []).append(hash_)
    held = sorted(
        str(b)
        for b in session.scalars(select(SyncBundle.bundle_id).where(SyncBundle.status == "held"))
    )
    return {
        "records": tables,
        "conflicts": conflicts,
        "rows": {k: sorted(v) for k, v in sorted(rows.items())},
        "held": held,
    }
