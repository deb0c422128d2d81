"""Public-welfare posts (公益性岗位) and claims (migration 0010): employers, posts, placements,
monthly attendance, and the claims (monthly rosters) with their steps and money lines.

Money columns are integer fen (:class:`~caseworker.store.base.MoneyType`).  A claim that has
left the draft state is never edited: a correction is a new line of a later claim whose
``corrects_id`` names the line it corrects (:mod:`caseworker.posts.payroll`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from caseworker.core.money import Money
from caseworker.store.base import Base, MoneyType, Synced, UTCDateTime


def _live(*conditions: str) -> dict[str, Any]:
    where = " AND ".join(conditions)
    return {
        "sqlite_where": text(f"deleted = 0{' AND ' + where if where else ''}"),
        "postgresql_where": text(f"deleted = false{' AND ' + where if where else ''}"),
    }


class Employer(Synced, Base):
    """A using unit (用人单位) of public-welfare posts."""

    __tablename__ = "employer"
    __table_args__ = (
        Index("uq_employer_live_name", "station_code", "name", unique=True, **_live()),
    )

    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    contact_name: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    bank_name: Mapped[str] = mapped_column(String(60), default="")
    bank_account: Mapped[str] = mapped_column(String(30), default="")


class WelfarePost(Synced, Base):
    """A public-welfare post (公益性岗位) of an employer: ``headcount`` persons at most, each
    paid up to ``standard`` a month while the post is funded."""

    __tablename__ = "welfare_post"

    employer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employer.id"), index=True)
    title: Mapped[str] = mapped_column(String(60))
    area: Mapped[str] = mapped_column(String(8))  # urban | rural
    hours: Mapped[str] = mapped_column(String(8), default="full")  # full | part
    village: Mapped[str] = mapped_column(String(60), default="")
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    standard: Mapped[Money] = mapped_column(MoneyType)
    funded_from: Mapped[dt.date | None] = mapped_column(Date)
    funded_until: Mapped[dt.date | None] = mapped_column(Date)


class Placement(Synced, Base):
    """A person placed in a post from ``starts_on`` (open while ``ended_on`` is None), under a
    contract (``labour`` or ``service``) running to ``contract_until``.  ``subsidy_until`` is
    the last day the subsidies may be paid and ``subsidy_rule`` the rule that set it
    (:func:`caseworker.posts.rules.subsidy_until`)."""

    __tablename__ = "placement"
    __table_args__ = (
        Index("uq_placement_open_person", "person_id", unique=True, **_live("ended_on IS NULL")),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("welfare_post.id"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    contract: Mapped[str] = mapped_column(String(8), default="labour")
    contract_until: Mapped[dt.date | None] = mapped_column(Date)
    subsidy_until: Mapped[dt.date] = mapped_column(Date)
    subsidy_rule: Mapped[str] = mapped_column(String(16))
    ended_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    end_note: Mapped[str] = mapped_column(Text, default="")


class Attendance(Synced, Base):
    """One month of one placement: days required and worked, an optional score (out of 100
    in county practice), and the employer's part of social insurance paid for the month."""

    __tablename__ = "attendance"
    __table_args__ = (
        Index("uq_attendance_live_month", "placement_id", "month", unique=True, **_live()),
    )

    placement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("placement.id"), index=True)
    month: Mapped[dt.date] = mapped_column(Date, index=True)  # the first day of the month
    required: Mapped[int | None] = mapped_column(Integer)  # None: the calendar's working days
    worked: Mapped[int] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    pension: Mapped[Money] = mapped_column(MoneyType, default=Money(0))
    medical: Mapped[Money] = mapped_column(MoneyType, default=Money(0))
    unemployment: Mapped[Money] = mapped_column(MoneyType, default=Money(0))


class Claim(Synced, Base):
    """A claim (a monthly roster): one ``kind`` for one ``month``, in one state of
    :class:`caseworker.claims.ClaimState`."""

    __tablename__ = "claim"
    __table_args__ = (
        Index("uq_claim_live_kind_month", "station_code", "kind", "month", unique=True, **_live()),
    )

    kind: Mapped[str] = mapped_column(String(24))
    month: Mapped[dt.date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(12), default="draft")


class ClaimStep(Synced, Base):
    """A step of a claim (submitted, approved, paid): who and when."""

    __tablename__ = "claim_step"

    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claim.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class ClaimLine(Synced, Base):
    """A money line of a claim: the person, the days, the standard and the amounts as they
    were when the line was made.  An adjustment line has ``corrects_id`` (the line of an
    earlier claim it corrects) and amounts that are the difference."""

    __tablename__ = "claim_line"

    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claim.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    placement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("placement.id"), index=True)
    post_title: Mapped[str] = mapped_column(String(60), default="")
    required: Mapped[int] = mapped_column(Integer, default=0)
    worked: Mapped[int] = mapped_column(Integer, default=0)
    standard: Mapped[Money] = mapped_column(MoneyType, default=Money(0))
    amount: Mapped[Money] = mapped_column(MoneyType)
    pension: Mapped[Money] = mapped_column(MoneyType, default=Money(0))
    medical: Mapped[Money] = mapped_column(MoneyType, default=Money(0))
    unemployment: Mapped[Money] = mapped_column(MoneyType, default=Money(0))
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("claim_line.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    @property
    def social_insurance(self) -> Money:
        """The employer's part of pension, medical and unemployment insurance together."""
        return Money(self.pension.fen + self.medical.fen + self.unemployment.fen)


__all__ = ["Attendance", "Claim", "ClaimLine", "ClaimStep", "Employer", "Placement", "WelfarePost"]
