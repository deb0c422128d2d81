"""The tables of the exchange with the county (migration 0009); see :mod:`caseworker.sync`.

None of them is a synced record: they are this database's own bookkeeping of bundles, keys,
received change-log rows, conflicts and decisions, and never travel as records themselves.

- ``sync_peer``: the keys this database trusts.  At a county, each enrolled station's public
  keys; at a station, the county's.
- ``sync_bundle``: every bundle written or read (a station's exports and receipts; a county's
  imported and held station bundles, and its receipts).  A held bundle keeps its verified
  content in ``payload`` until its predecessor arrives.
- ``sync_row``: at the county, every change-log row received from each station, with its
  hash and its predecessor's, so each station's chain stays verifiable at the county.  Rows
  the station does not export (demo records, settings) are stubs: ``seq``, ``prev_hash`` and
  ``hash`` only.
- ``sync_conflict``: at the county, what clashed: an ID number registered by two stations,
  a change by a station that does not own the record, a change on a stale base.
- ``sync_decision``: at the county, the resolutions and transfers a county user decided,
  carried to the stations in their receipts.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Index, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from caseworker.store.base import Base, UTCDateTime


class SyncPeer(Base):
    __tablename__ = "sync_peer"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))  # "station" or "county"
    code: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    suite: Mapped[str] = mapped_column(String(60))
    sign_key: Mapped[str] = mapped_column(String(64))  # base64 of the raw public key
    box_key: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SyncBundle(Base):
    __tablename__ = "sync_bundle"
    __table_args__ = (Index("ix_sync_bundle_station_status", "station_code", "status"),)

    bundle_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    direction: Mapped[str] = mapped_column(String(4))  # "out" (written here) or "in"
    kind: Mapped[str] = mapped_column(String(10))  # "changes" or "receipt"
    station_code: Mapped[str] = mapped_column(String(12))
    key_id: Mapped[str] = mapped_column(String(32))
    manifest_hash: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[str] = mapped_column(Text)
    seq_from: Mapped[int] = mapped_column(Integer, default=0)
    seq_to: Mapped[int] = mapped_column(Integer, default=0)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(10))  # "written", "applied", "held"
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    acked_seq: Mapped[int | None] = mapped_column(Integer)
    acked_hash: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")


class SyncRow(Base):
    __tablename__ = "sync_row"
    __table_args__ = (
        Index("ix_sync_row_station_seq", "station_code", "seq"),
        Index("ix_sync_row_entity_id_hlc", "entity_id", "hlc"),
        Index("ix_sync_row_station_prev", "station_code", "prev_hash"),
    )

    station_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    stub: Mapped[bool] = mapped_column(Boolean, default=False)
    bundle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    change_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    hlc: Mapped[str | None] = mapped_column(String(48))
    at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    device_id: Mapped[str | None] = mapped_column(String(16))
    row_station: Mapped[str | None] = mapped_column(String(12))
    entity: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    op: Mapped[str | None] = mapped_column(String(10))
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class SyncConflict(Base):
    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_key_status", "key", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(140))
    status: Mapped[str] = mapped_column(String(10), index=True)  # "open" or "resolved"
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    station_code: Mapped[str] = mapped_column(String(12), default="")
    row_hash: Mapped[str | None] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(60), default="")
    current_value: Mapped[str | None] = mapped_column(Text)
    incoming_value: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str] = mapped_column(String(40), default="")
    resolution: Mapped[str] = mapped_column(Text, default="")


class SyncDecision(Base):
    __tablename__ = "sync_decision"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conflict_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))
    station_code: Mapped[str] = mapped_column(String(12), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    payload: Mapped[str] = mapped_column(Text, default="")
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    made_by: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text, default="")
