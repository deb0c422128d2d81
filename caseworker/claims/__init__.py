"""The one state machine of every claim the program keeps (the monthly post-subsidy roster
now, the individual subsidies later)::

    draft ──submit──▶ submitted (locked) ──approve──▶ approved ──pay──▶ paid

Each step is a :class:`~caseworker.store.models.ClaimStep` with who and when.  Only a draft
may change; a claim past the draft is locked, and a correction is an adjustment line in a
later claim (see :mod:`caseworker.posts.payroll`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.errors import WorkflowError
from caseworker.i18n import N_, _
from caseworker.store.models import Claim, ClaimStep

__all__ = [
    "ACTIONS",
    "Action",
    "ClaimState",
    "advance",
    "ensure_draft",
    "find_claim",
    "get_or_create",
    "steps",
]


class ClaimState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PAID = "paid"


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    PAY = "paid"


#: action → (the state it leaves, the state it reaches)
ACTIONS: dict[Action, tuple[ClaimState, ClaimState]] = {
    Action.SUBMIT: (ClaimState.DRAFT, ClaimState.SUBMITTED),
    Action.APPROVE: (ClaimState.SUBMITTED, ClaimState.APPROVED),
    Action.PAY: (ClaimState.APPROVED, ClaimState.PAID),
}

STATE_LABELS = {
    ClaimState.DRAFT: N_("draft"),
    ClaimState.SUBMITTED: N_("submitted (locked)"),
    ClaimState.APPROVED: N_("approved"),
    ClaimState.PAID: N_("paid"),
}
STATE_ZH = {
    ClaimState.DRAFT: "草稿",
    ClaimState.SUBMITTED: "已报送",
    ClaimState.APPROVED: "已审核",
    ClaimState.PAID: "已发放",
}


def state_label(state: str) -> str:
    return _(STATE_LABELS[ClaimState(state)])


def month_text(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def find_claim(session: Session, kind: str, month: dt.date) -> Claim | None:
    return session.scalar(
        select(Claim).where(
            Claim.kind == kind, Claim.month == month.replace(day=1), Claim.deleted.is_(False)
        )
    )


def get_or_create(session: Session, kind: str, month: dt.date, station_code: str) -> Claim:
    claim = find_claim(session, kind, month)
    if claim is None:
        claim = Claim(
            kind=kind, month=month.replace(day=1), state=ClaimState.DRAFT, station_code=station_code
        )
        session.add(claim)
        session.flush()
    return claim


def ensure_draft(claim: Claim) -> None:
    """Refuse any change to a claim that has left the draft state."""
    if claim.state != ClaimState.DRAFT:
        raise WorkflowError(
            _(
                "The claim of {month} is {state}: it is locked and cannot be changed. A "
                "correction goes into a later month as an adjustment."
            ).format(month=month_text(claim.month), state=state_label(claim.state))
        )


def advance(
    session: Session,
    claim: Claim,
    action: Action,
    *,
    actor_id: uuid.UUID | None,
    note: str = "",
    at: dt.datetime | None = None,
) -> ClaimStep:
    """Take one step of the state machine, recorded with who and when."""
    leaves, reaches = ACTIONS[action]
    if claim.state != leaves:
        raise WorkflowError(
            _("The claim of {month} is {state}; it must be {needed} to be {done}.").format(
                month=month_text(claim.month),
                state=state_label(claim.state),
                needed=state_label(leaves),
                done=state_label(reaches),
            )
        )
    claim.state = reaches
    step = ClaimStep(
        claim_id=claim.id,
        state=reaches,
        at=at or wall.now(),
        actor_id=actor_id,
        note=note,
        station_code=claim.station_code,
    )
    session.add(step)
    session.flush()
    return step


def steps(session: Session, claim_id: uuid.UUID) -> list[ClaimStep]:
    return list(
        session.scalars(
            select(ClaimStep)
            .where(ClaimStep.claim_id == claim_id, ClaimStep.deleted.is_(False))
            .order_by(ClaimStep.at)
        )
    )
