"""The station's records.  Codes for vocabularies are in :mod:`caseworker.registry.vocab`."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Date,
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

from caseworker.core import ids
from caseworker.core.money import Money
from caseworker.store.base import Base, MoneyType, Synced, UTCDateTime


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
        # a person looked up by id for being live, where it sorts and a list line, from the
        # index alone (the worklist, the dashboard; migration 0013)
        Index(
            "ix_person_id_live",
            "id",
            "deleted",
            "name_pinyin",
            "id_number",
            "name",
            "phone",
            "village_id",
        ),
        # One record per ID number, tombstones included, except where the county holds two
        # stations' records of one number until a county user resolves it (migration 0009).
        Index(
            "uq_person_id_number",
            "id_number",
            unique=True,
            sqlite_where=text("held = 0"),
            postgresql_where=text("held = false"),
        ),
    )

    id_number: Mapped[str] = mapped_column(String(18), index=True)
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
    #: Held at the county: another station registered the same ID number (never set at a
    #: station; not logged as a user change, see ``SYSTEM_COLUMNS``).
    held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    village: Mapped[Village | None] = relationship()
    episodes: Mapped[list[EmploymentEpisode]] = relationship(
        primaryjoin="and_(Person.id == EmploymentEpisode.person_id, "
        "EmploymentEpisode.deleted == false())",
        order_by="EmploymentEpisode.starts_on",
        viewonly=True,
    )
    membership: Mapped[HouseholdMember | None] = relationship(
        primaryjoin="and_(Person.id == HouseholdMember.person_id, "
        "HouseholdMember.deleted == false())",
        viewonly=True,
        uselist=False,
    )


class Household(Synced, Base):
    """A household (户): members with their relation to the head."""

    __tablename__ = "household"
    __table_args__ = (
        # one live household per station and key (migration 0011)
        Index(
            "uq_household_station_key",
            "station_code",
            "station_key",
            unique=True,
            sqlite_where=text("deleted = 0 AND station_key != ''"),
            postgresql_where=text("deleted = false AND station_key != ''"),
        ),
    )

    #: The station's own household key (户编号 of its sheets; empty for a household made in
    #: the program).
    station_key: Mapped[str] = mapped_column(String(40), default="", server_default="")
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

    @property
    def shown_name(self) -> str:
        """The name to show: the registered person's own (kept only there), or the relative's."""
        return self.person.name if self.person is not None else self.name

    @property
    def shown_id_number(self) -> str:
        return self.person.id_number if self.person is not None else self.id_number


class ChangeLog(Base):
    """Append-only record of every change: the audit trail and the source of export bundles.

    One row per changed field of an update; an insert is one row with ``field`` ``*`` and the
    inserted values as JSON in ``new_value``.  Each row carries the hash of the row before it
    (``prev_hash``) and its own (``hash``, over its content and ``prev_hash``): a chain that
    ``caseworker audit verify`` walks.  The database refuses UPDATE and DELETE on this table.
    ``actor_id`` is the staff member who acted (None: the program itself); ``device_id`` the
    installation that wrote the row.
    """

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity_id_hlc", "entity_id", "hlc"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    change_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=ids.time_ordered)
    hlc: Mapped[str] = mapped_column(String(48), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    device_id: Mapped[str] = mapped_column(String(16), default="")
    station_code: Mapped[str] = mapped_column(String(12))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    op: Mapped[str] = mapped_column(String(10))
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Staff(Synced, Base):
    """A member of the station's staff (经办人, 站长 …): who did each change and each step."""

    __tablename__ = "staff"
    __table_args__ = (
        Index(
            "uq_staff_live_name",
            "station_code",
            "name",
            unique=True,
            sqlite_where=text("deleted = 0"),
            postgresql_where=text("deleted = false"),
        ),
    )

    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16), default="caseworker")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class EmploymentEpisode(Synced, Base):
    """A period in which a person was employed: from ``starts_on`` to ``ends_on`` (both days
    included; open while ``ends_on`` is None), of one ``kind``, with its evidence.

    ``person.employed`` is the derived current value (an episode covers today); the
    assessment on a past date reads the episodes of that date.
    """

    __tablename__ = "employment_episode"
    __table_args__ = (
        # "employed on the day", read from the index alone (migration 0013)
        Index("ix_employment_episode_person_span", "person_id", "deleted", "starts_on", "ends_on"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24), default="unspecified")
    evidence: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="registry")

    person: Mapped[Person] = relationship()


class Account(Base):
    """A staff member's login at this station (not synced: each laptop keeps its own).

    ``roles`` are role codes separated by commas (see :mod:`caseworker.security.roles`);
    ``password_hash`` is an argon2id hash in PHC form.  Accounts are never deleted, only
    disabled, so every change-log row keeps naming a real person.  Every change of an
    account is written to the change log (entity ``account``) by the security package."""

    __tablename__ = "account"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    roles: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Setting(Base):
    """Settings of this installation (not synced): the station, the caseworker, the language."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


#: The stages in which a case is closed (``recognition.workflow.Stage.closed``; a test keeps
#: the two in step), as an SQL list for the partial unique index below.
CLOSED_STAGES = ("community_rejected", "township_rejected", "exited")
CLOSED_STAGES_SQL = "(" + ", ".join(f"'{s}'" for s in CLOSED_STAGES) + ")"


class RecognitionCase(Synced, Base):
    """One application for recognition (认定) of a person with employment difficulty.

    ``stage`` holds a :class:`caseworker.recognition.workflow.Stage` value; the claimed
    categories are :class:`CaseCategory` rows.  ``needs_review`` and
    ``review_reason`` are set by the re-assessment of recognised persons, never by a person.
    """

    __tablename__ = "recognition_case"
    __table_args__ = (
        # One open case per person, kept by the database (two sessions can't both pass a
        # check in Python).  The closed stages are those of recognition.workflow.Stage.closed.
        Index(
            "uq_recognition_case_open_person",
            "person_id",
            unique=True,
            sqlite_where=text(f"deleted = 0 AND stage NOT IN {CLOSED_STAGES_SQL}"),
            postgresql_where=text(f"deleted = false AND stage NOT IN {CLOSED_STAGES_SQL}"),
        ),
        # the recognised persons on a day, from the index alone (the dashboard; migration 0013)
        Index(
            "ix_recognition_case_recognised", "stage", "deleted", "recognised_on", "person_id", "id"
        ),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    stage: Mapped[str] = mapped_column(String(24), index=True)
    policy_id: Mapped[str] = mapped_column(String(40))
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
    category_rows: Mapped[list[CaseCategory]] = relationship(
        primaryjoin="and_(RecognitionCase.id == CaseCategory.case_id, "
        "CaseCategory.deleted == false())",
        order_by="CaseCategory.sort_order",
        viewonly=True,
    )

    @property
    def category_codes(self) -> tuple[str, ...]:
        """The claimed category codes, in the order of clause (八)."""
        return tuple(row.category for row in self.category_rows)


class CaseCategory(Synced, Base):
    """One category claimed in a recognition case (rows, not a comma-separated string).

    ``sort_order`` is the category's place in clause (八), so the first claimed category of a
    case is the row with the smallest ``sort_order``.
    """

    __tablename__ = "case_category"
    __table_args__ = (
        Index(
            "uq_case_category_live",
            "case_id",
            "category",
            unique=True,
            sqlite_where=text("deleted = 0"),
            postgresql_where=text("deleted = false"),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("recognition_case.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    case: Mapped[RecognitionCase] = relationship()


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
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    #: Proof codes (comma-separated) missing when the step was taken with confirmation.
    missing_proofs: Mapped[str] = mapped_column(Text, default="", server_default="")

    actor: Mapped[Staff | None] = relationship()

    @property
    def actor_name(self) -> str:
        """Who took the step ("" when the program did)."""
        return self.actor.name if self.actor is not None else ""


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


# ---------------------------------------------------------------------------------------------
# One-to-one assistance (一对一就业援助) and zero-employment families (零就业家庭), migration 0006
# ---------------------------------------------------------------------------------------------


class AssistancePlan(Synced, Base):
    """An assistance plan (援助协议 / 一人一策) of one person, with the responsible caseworker
    (援助责任人) and the five headings of the person's situation.

    ``last_contact_on``, ``next_contact_on`` and ``follow_up_until`` are kept by
    :mod:`caseworker.casework.plans` from the contacts and outcomes (for the worklist's one
    query); the due date itself is computed by :mod:`caseworker.casework.worklist`.
    """

    __tablename__ = "assistance_plan"
    __table_args__ = (
        Index(
            "uq_assistance_plan_open_person",
            "person_id",
            unique=True,
            sqlite_where=text("deleted = 0 AND closed_on IS NULL"),
            postgresql_where=text("deleted = false AND closed_on IS NULL"),
        ),
        # the worklist reads every open plan from this index alone (no wide rows)
        Index(
            "ix_assistance_plan_open",
            "closed_on",
            "deleted",
            "person_id",
            "worker_id",
            "opened_on",
            "last_contact_on",
            "next_contact_on",
            "follow_up_until",
            "id",
            sqlite_where=text("deleted = 0 AND closed_on IS NULL"),
            postgresql_where=text("deleted = false AND closed_on IS NULL"),
        ),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"), index=True)
    basis: Mapped[str] = mapped_column(String(24))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    target_on: Mapped[dt.date | None] = mapped_column(Date)
    family_situation: Mapped[str] = mapped_column(Text, default="")
    unemployment_reason: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[str] = mapped_column(Text, default="")
    training_wish: Mapped[str] = mapped_column(Text, default="")
    job_intention: Mapped[str] = mapped_column(Text, default="")
    services_needed: Mapped[str] = mapped_column(String(200), default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(16))
    close_note: Mapped[str] = mapped_column(Text, default="")
    last_contact_on: Mapped[dt.date | None] = mapped_column(Date)
    next_contact_on: Mapped[dt.date | None] = mapped_column(Date)
    employed_on: Mapped[dt.date | None] = mapped_column(Date)
    follow_up_until: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()
    worker: Mapped[Staff] = relationship()


class AssistanceContact(Synced, Base):
    """One contact (帮扶记录): a fact of the past.  A correction is a new contact whose
    ``supersedes_id`` names the one it replaces; the replaced row stays as it was."""

    __tablename__ = "assistance_contact"
    __table_args__ = (
        # counts by month read this index alone
        Index("ix_assistance_contact_on_date", "on_date", "deleted"),
        # the few corrections, without reading the table (migration 0013)
        Index(
            "ix_assistance_contact_corrections",
            "supersedes_id",
            "deleted",
            "on_date",
            sqlite_where=text("supersedes_id IS NOT NULL"),
            postgresql_where=text("supersedes_id IS NOT NULL"),
        ),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_plan.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    on: Mapped[dt.date] = mapped_column("on_date", Date)
    channel: Mapped[str] = mapped_column(String(12))
    worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    services: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    next_on: Mapped[dt.date | None] = mapped_column(Date)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assistance_contact.id"), index=True
    )

    worker: Mapped[Staff] = relationship()


class AssistanceOffer(Synced, Base):
    """A post offered or a referral (爱心岗位, market post, 公益性岗位) and the answer."""

    __tablename__ = "assistance_offer"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_plan.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    on: Mapped[dt.date] = mapped_column("on_date", Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    post: Mapped[str] = mapped_column(String(100))
    employer: Mapped[str] = mapped_column(String(100), default="")
    answer: Mapped[str] = mapped_column(String(10))
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")


class AssistanceOutcome(Synced, Base):
    """An employment outcome (就业认定): the person counted as employed from ``on`` with one
    kind of evidence; the employment episode it recorded is ``episode_id``."""

    __tablename__ = "assistance_outcome"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistance_plan.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    on: Mapped[dt.date] = mapped_column("on_date", Date, index=True)
    evidence: Mapped[str] = mapped_column(String(24))
    contract_months: Mapped[int | None] = mapped_column(Integer)
    flexible_days: Mapped[int | None] = mapped_column(Integer)
    monthly_income: Mapped[Money | None] = mapped_column(MoneyType)
    note: Mapped[str] = mapped_column(Text, default="")
    episode_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("employment_episode.id"))


class ZeroEmploymentEpisode(Synced, Base):
    """A period in which a household was a zero-employment family (零就业家庭): from
    ``identified_on`` until ``ended_on`` (open while None).  ``end_reason`` says why it ended
    (``employed``: cleared by a member's employment, whose membership is
    ``cleared_by_id``).  A family that falls back opens a new episode."""

    __tablename__ = "zero_employment_episode"
    __table_args__ = (
        Index(
            "uq_zero_employment_episode_open_household",
            "household_id",
            unique=True,
            sqlite_where=text("deleted = 0 AND ended_on IS NULL"),
            postgresql_where=text("deleted = false AND ended_on IS NULL"),
        ),
        # the open families, longest open first, read from this index alone
        Index(
            "ix_zero_employment_episode_open",
            "ended_on",
            "deleted",
            "identified_on",
            "household_id",
            "id",
            sqlite_where=text("deleted = 0 AND ended_on IS NULL"),
            postgresql_where=text("deleted = false AND ended_on IS NULL"),
        ),
        # the families cleared in a period, from the index alone (migration 0013)
        Index("ix_zero_employment_episode_cleared", "end_reason", "ended_on", "deleted"),
    )

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("household.id"), index=True)
    identified_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ended_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    cleared_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("household_member.id"))


from caseworker.store.models_posts import (  # noqa: E402  (split for size)
    Attendance,
    Claim,
    ClaimLine,
    ClaimStep,
    Employer,
    Placement,
    WelfarePost,
)
from caseworker.store.sync_models import (  # noqa: E402 - the sync tables join the metadata
    SyncBundle,
    SyncConflict,
    SyncDecision,
    SyncPeer,
    SyncRow,
)

__all__ = [
    "AssistanceContact",
    "AssistanceOffer",
    "AssistanceOutcome",
    "AssistancePlan",
    "Attendance",
    "Base",
    "CaseCategory",
    "ChangeLog",
    "Claim",
    "ClaimLine",
    "ClaimStep",
    "Employer",
    "EmploymentEpisode",
    "Household",
    "HouseholdMember",
    "Person",
    "Placement",
    "ProofItem",
    "RecognitionCase",
    "RecognitionStep",
    "Setting",
    "Staff",
    "Station",
    "SyncBundle",
    "SyncConflict",
    "SyncDecision",
    "SyncPeer",
    "SyncRow",
    "Village",
    "WelfarePost",
    "ZeroEmploymentEpisode",
    "false",
]
