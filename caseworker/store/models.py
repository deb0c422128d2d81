"""The station's records.  Codes for vocabularies are in :mod:`caseworker.registry.vocab`."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseworker.store.base import Base, Synced


class Station(Synced, Base):
    """A township or street job-service station (乡镇/街道 就业服务站)."""

    __tablename__ = "station"

    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    contact_name: Mapped[str] = mapped_column(String(40), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")

    villages: Mapped[list[Village]] = relationship(
        back_populates="station", order_by="Village.sort_order"
    )


class Village(Synced, Base):
    """A village (村) or community (社区) served by the station."""

    __tablename__ = "village"
    __table_args__ = (Index("ix_village_station_name", "station_id", "name", unique=True),)

    station_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("station.id"))
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12), default="village")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    station: Mapped[Station] = relationship(back_populates="villages")


class Person(Synced, Base):
    """A person registered at the station (the subject of help and recognition)."""

    __tablename__ = "person"
    __table_args__ = (
        # the registry list's default order, read from the index alone (migration 0003)
        Index("ix_person_list_order", "name_pinyin", "id_number", "deleted", "id"),
    )

    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    name_native: Mapped[str] = mapped_column(String(80), default="")
    name_pinyin: Mapped[str] = mapped_column(String(240), index=True)
    name_initials: Mapped[str] = mapped_column(String(40), index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    sex: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)
    hukou_address: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    village_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("village.id"), index=True)
    education: Mapped[str | None] = mapped_column(String(24))
    marital_status: Mapped[str | None] = mapped_column(String(12))
    health: Mapped[str | None] = mapped_column(String(12))
    resident_in_region: Mapped[bool] = mapped_column(Boolean, default=True)
    work_capacity: Mapped[str] = mapped_column(String(8), default="full")
    wants_work: Mapped[bool] = mapped_column(Boolean, default=True)
    employed: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_unemployed_since: Mapped[dt.date | None] = mapped_column(Date)
    employment_card_no: Mapped[str] = mapped_column(String(30), default="")
    min_living_allowance: Mapped[bool] = mapped_column(Boolean, default=False)
    min_living_allowance_since: Mapped[dt.date | None] = mapped_column(Date)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disability_cert_no: Mapped[str] = mapped_column(String(30), default="")
    disability_kind: Mapped[str | None] = mapped_column(String(16))
    disability_grade: Mapped[str | None] = mapped_column(String(2))
    college_graduate: Mapped[bool] = mapped_column(Boolean, default=False)
    graduate_school: Mapped[str] = mapped_column(String(100), default="")
    graduation_date: Mapped[dt.date | None] = mapped_column(Date)
    land_expropriated: Mapped[bool] = mapped_column(Boolean, default=False)
    income_below_local_average: Mapped[bool] = mapped_column(Boolean, default=False)
    retirement_base_age: Mapped[int | None] = mapped_column(Integer)
    bank_name: Mapped[str] = mapped_column(String(60), default="")
    bank_account: Mapped[str] = mapped_column(String(30), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    village: Mapped[Village | None] = relationship()
    membership: Mapped[HouseholdMember | None] = relationship(
        primaryjoin="and_(Person.id == HouseholdMember.person_id, "
        "HouseholdMember.deleted == false())",
        viewonly=True,
        uselist=False,
    )


class Household(Synced, Base):
    """A household (户): members with their relation to the head."""

    __tablename__ = "household"

    address: Mapped[str] = mapped_column(String(200), default="")
    village_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("village.id"), index=True)
    business_or_investment_income: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household",
        primaryjoin="and_(Household.id == HouseholdMember.household_id, "
        "HouseholdMember.deleted == false())",
        order_by="HouseholdMember.sort_order",
    )


class HouseholdMember(Synced, Base):
    """A member of a household: a registered person, or a recorded relative.

    A registered person belongs to at most one household (a partial unique index over
    live rows).  For a recorded relative, ``name``, ``id_number`` and the employment facts are
    kept here; for a registered person they are read from the person.
    """

    __tablename__ = "household_member"
    __table_args__ = (
        Index(
            "uq_household_member_live_person",
            "person_id",
            unique=True,
            sqlite_where=text("deleted = 0 AND person_id IS NOT NULL"),
            postgresql_where=text("deleted = false AND person_id IS NOT NULL"),
        ),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), index=True)
    relation: Mapped[str] = mapped_column(String(8))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))
    name: Mapped[str] = mapped_column(String(40), default="")
    id_number: Mapped[str] = mapped_column(String(18), default="", index=True)
    employed: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_unemployed: Mapped[bool] = mapped_column(Boolean, default=False)
    work_capacity: Mapped[str] = mapped_column(String(8), default="full")
    wants_work: Mapped[bool] = mapped_column(Boolean, default=True)

    household: Mapped[Household] = relationship(back_populates="members")
    person: Mapped[Person | None] = relationship()


class ChangeLog(Base):
    """Append-only record of every change: the audit trail and the source of export bundles.

    One row per changed field; an insert is one row with ``field`` ``*`` (the record holds
    its values; later updates log every old value).
    """

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    hlc: Mapped[str] = mapped_column(String(48), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(40))
    station_code: Mapped[str] = mapped_column(String(12))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    op: Mapped[str] = mapped_column(String(10))
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    """Settings of this installation (not synced): the station, the caseworker, the language."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RecognitionCase(Synced, Base):
    """One application for recognition (认定) of a person with employment difficulty.

    ``stage`` holds a :class:`caseworker.recognition.workflow.Stage` value; ``categories`` the
    claimed category codes, comma-separated in the order of clause (八).  ``needs_review`` and
    ``review_reason`` are set by the re-assessment of recognised persons, never by a person.
    """

    __tablename__ = "recognition_case"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    stage: Mapped[str] = mapped_column(String(24), index=True)
    policy_id: Mapped[str] = mapped_column(String(40))
    categories: Mapped[str] = mapped_column(String(400))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    notice_start: Mapped[dt.date | None] = mapped_column(Date)
    notice_end: Mapped[dt.date | None] = mapped_column(Date)
    recognised_on: Mapped[dt.date | None] = mapped_column(Date)
    last_review_on: Mapped[dt.date | None] = mapped_column(Date)
    exited_on: Mapped[dt.date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(16))
    exit_note: Mapped[str] = mapped_column(Text, default="")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    review_reason: Mapped[str] = mapped_column(Text, default="")
    review_flagged_on: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()


class RecognitionStep(Synced, Base):
    """One step of a case's history (申请, 初审, 审核, 公示, 认定, 复核, 退出), in order."""

    __tablename__ = "recognition_step"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("recognition_case.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    on: Mapped[dt.date] = mapped_column("on_date", Date)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    end_on: Mapped[dt.date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(40), default="")
    #: Proof codes (comma-separated) missing when the step was taken with confirmation.
    missing_proofs: Mapped[str] = mapped_column(Text, default="", server_default="")


class ProofItem(Synced, Base):
    """One proof (证明材料) a claimed category needs, and whether the applicant provided it."""

    __tablename__ = "proof_item"
    __table_args__ = (
        Index("ix_proof_item_case_category_proof", "case_id", "category", "proof", unique=True),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("recognition_case.id"))
    category: Mapped[str] = mapped_column(String(40))
    proof: Mapped[str] = mapped_column(String(40))
    provided: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


__all__ = [
    "Base",
    "ChangeLog",
    "Household",
    "HouseholdMember",
    "Person",
    "ProofItem",
    "RecognitionCase",
    "RecognitionStep",
    "Setting",
    "Station",
    "Village",
    "false",
]
