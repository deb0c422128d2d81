"""The monthly post-subsidy roster (公益性岗位补贴发放花名册) as a claim.

- :func:`build` makes the draft month from the placements and their attendance: one line per
  placement with attendance, ``amount = standard × worked ÷ required`` half-up to the fen and
  never above the standard (:func:`caseworker.posts.rules.post_subsidy`), and the employer's
  part of social insurance beside it.  Building again updates the draft's lines in place;
  adjustment lines stay.
- :func:`step` moves the month through :mod:`caseworker.claims` (submit, approve, paid).
- :func:`correct` is the only way to change a locked month: an adjustment line in a later,
  draft month, pointing at the line it corrects, carrying the difference.
- :func:`roster` reads a month: its lines and totals (totals are the exact sums of the lines).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker import claims
from caseworker.core.errors import NotFoundError, ValidationError, WorkflowError
from caseworker.core.money import Money, total
from caseworker.i18n import _
from caseworker.posts import attendance
from caseworker.posts.attendance import KIND, month_of
from caseworker.posts.rules import post_subsidy
from caseworker.security.roles import Action, require
from caseworker.store import changelog
from caseworker.store.models import (
    Attendance,
    Claim,
    ClaimLine,
    Employer,
    Person,
    Placement,
    WelfarePost,
)


@dataclass(frozen=True, slots=True)
class Missing:
    placement_id: uuid.UUID
    name: str
    id_number: str
    post: str


@dataclass(frozen=True, slots=True)
class BuildResult:
    claim: Claim
    lines: int
    missing: tuple[Missing, ...]


def build(session: Session, month: dt.date, station_code: str) -> BuildResult:
    """Make (or make again) the draft roster of ``month``."""
    require(session, Action.MANAGE_POSTS)
    month = month_of(month)
    existing = claims.find_claim(session, KIND, month)
    if existing is not None:
        claims.ensure_draft(existing)
    rows = session.execute(
        select(Attendance, Placement, WelfarePost.title, WelfarePost.standard, Person.name)
        .join(Placement, Placement.id == Attendance.placement_id)
        .join(WelfarePost, WelfarePost.id == Placement.post_id)
        .join(Person, Person.id == Placement.person_id)
        .where(
            Attendance.month == month,
            Attendance.deleted.is_(False),
            Placement.deleted.is_(False),
            Person.deleted.is_(False),
        )
    ).all()
    calendar_required = attendance.calendar_days(month)
    computed: dict[uuid.UUID, dict[str, object]] = {}
    for att, placement, title, standard, name in rows:
        possible = attendance.possible_days(placement, month)
        if att.worked > possible:
            raise WorkflowError(
                _(
                    "{name} is recorded with {worked} days in {month}, but at most {n} working "
                    "days of the month fall inside the placement and its subsidy period; "
                    "correct the attendance first."
                ).format(name=name, worked=att.worked, month=claims.month_text(month), n=possible)
            )
        if possible == 0:
            continue
        required = att.required or calendar_required
        amount = post_subsidy(standard, att.worked, required)
        if not amount and not (att.pension or att.medical or att.unemployment):
            continue
        computed[placement.id] = {
            "person_id": placement.person_id,
            "post_title": title,
            "required": required,
            "worked": att.worked,
            "standard": standard,
            "amount": amount,
            "pension": att.pension,
            "medical": att.medical,
            "unemployment": att.unemployment,
        }
    claim = existing or claims.get_or_create(session, KIND, month, station_code)
    current = {
        line.placement_id: line
        for line in session.scalars(
            select(ClaimLine).where(
                ClaimLine.claim_id == claim.id,
                ClaimLine.deleted.is_(False),
                ClaimLine.corrects_id.is_(None),
            )
        )
    }
    fresh: list[dict[str, object]] = []
    for placement_id, values in computed.items():
        line = current.pop(placement_id, None)
        if line is None:
            fresh.append(
                {
                    "id": uuid.uuid4(), "claim_id": claim.id, "placement_id": placement_id,
                    "corrects_id": None, "note": "", "station_code": claim.station_code,
                    **values,
                }
            )  # fmt: skip
            continue
        for key, value in values.items():
            if getattr(line, key) != value:
                setattr(line, key, value)
    if fresh:
        # many new lines at once: stamped and logged exactly as the session would
        changelog.insert_records(
            session.connection(), session.info[changelog.CONTEXT_KEY], ClaimLine, fresh
        )
    for stale in current.values():
        stale.deleted = True
    session.flush()
    return BuildResult(claim, len(computed), tuple(_missing(session, month, set(computed))))


def _missing(session: Session, month: dt.date, paid: set[uuid.UUID]) -> list[Missing]:
    """Placements inside their subsidy period in ``month`` without attendance."""
    out = []
    for row in attendance.grid(session, month):
        if row.worked is None and row.possible > 0 and row.placement_id not in paid:
            out.append(Missing(row.placement_id, row.name, row.id_number, row.post))
    return out


def step(
    session: Session, month: dt.date, action: claims.Action, actor_id: uuid.UUID | None
) -> Claim:
    """Submit, approve or mark paid the roster of ``month``."""
    require(
        session,
        Action.MANAGE_POSTS if action == claims.Action.SUBMIT else Action.SIGN_OFF_ROSTER,
    )
    claim = claims.find_claim(session, KIND, month_of(month))
    if claim is None:
        raise NotFoundError(
            _("There is no roster for {month}; build it first.").format(
                month=claims.month_text(month_of(month))
            )
        )
    if action == claims.Action.SUBMIT and not live_lines(session, claim.id):
        raise WorkflowError(
            _("The roster of {month} has no lines; there is nothing to submit.").format(
                month=claims.month_text(claim.month)
            )
        )
    claims.advance(session, claim, action, actor_id=actor_id)
    return claim


def live_lines(session: Session, claim_id: uuid.UUID) -> list[ClaimLine]:
    return list(
        session.scalars(
            select(ClaimLine).where(ClaimLine.claim_id == claim_id, ClaimLine.deleted.is_(False))
        )
    )


def _effective(session: Session, line: ClaimLine) -> tuple[int, int, Money, Money, Money, Money]:
    """The line's days and amounts after every adjustment made to it so far."""
    adjustments = session.scalars(
        select(ClaimLine)
        .where(ClaimLine.corrects_id == line.id, ClaimLine.deleted.is_(False))
        .order_by(ClaimLine.created_hlc)
    ).all()
    required, worked = line.required, line.worked
    amount, pension, medical, unemployment = (
        line.amount,
        line.pension,
        line.medical,
        line.unemployment,
    )
    for adj in adjustments:
        required, worked = adj.required, adj.worked
        amount, pension = amount + adj.amount, pension + adj.pension
        medical, unemployment = medical + adj.medical, unemployment + adj.unemployment
    return required, worked, amount, pension, medical, unemployment


def correct(
    session: Session,
    line_id: uuid.UUID,
    *,
    into: dt.date,
    worked: int | None = None,
    required: int | None = None,
    pension: Money | None = None,
    medical: Money | None = None,
    unemployment: Money | None = None,
    note: str = "",
) -> ClaimLine:
    """Correct a line of a locked month by an adjustment line in the later draft ``into``."""
    require(session, Action.MANAGE_POSTS)
    line = session.get(ClaimLine, line_id)
    if line is None or line.deleted or line.corrects_id is not None:
        raise NotFoundError(_("No roster line has the record id {id}.").format(id=line_id))
    origin = session.get(Claim, line.claim_id)
    assert origin is not None
    if origin.state == claims.ClaimState.DRAFT:
        raise WorkflowError(
            _(
                "The roster of {month} is still a draft: change the attendance and build it again."
            ).format(month=claims.month_text(origin.month))
        )
    into = month_of(into)
    if into <= origin.month:
        raise ValidationError(
            _("An adjustment goes into a month after {month}.").format(
                month=claims.month_text(origin.month)
            ),
            "into",
        )
    target = claims.get_or_create(session, KIND, into, origin.station_code)
    claims.ensure_draft(target)
    old_required, old_worked, old_amount, old_p, old_m, old_u = _effective(session, line)
    new_required = required if required is not None else old_required
    new_worked = worked if worked is not None else old_worked
    if line.placement_id is not None:
        placement = session.get(Placement, line.placement_id)
        assert placement is not None
        person = session.get(Person, line.person_id)
        assert person is not None
        attendance.check(
            placement, person.name, origin.month,
            attendance.Entry(worked=new_worked, required=new_required, note=note),
        )  # fmt: skip
    new_amount = post_subsidy(line.standard, new_worked, new_required)
    adjustment = ClaimLine(
        claim_id=target.id,
        person_id=line.person_id,
        placement_id=line.placement_id,
        post_title=line.post_title,
        required=new_required,
        worked=new_worked,
        standard=line.standard,
        amount=new_amount - old_amount,
        pension=(pension - old_p) if pension is not None else Money(0),
        medical=(medical - old_m) if medical is not None else Money(0),
        unemployment=(unemployment - old_u) if unemployment is not None else Money(0),
        corrects_id=line.id,
        note=note.strip(),
        station_code=target.station_code,
    )
    session.add(adjustment)
    session.flush()
    return adjustment


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RosterLine:
    line_id: uuid.UUID
    person_id: uuid.UUID
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    post: str
    village: str
    employer: str
    start: dt.date | None
    subsidy_until: dt.date | None
    bank_name: str
    bank_account: str
    required: int
    worked: int
    standard: Money
    amount: Money
    pension: Money
    medical: Money
    unemployment: Money
    corrects: uuid.UUID | None
    corrects_month: dt.date | None

    @property
    def social_insurance(self) -> Money:
        return self.pension + self.medical + self.unemployment


@dataclass(frozen=True, slots=True)
class Roster:
    month: dt.date
    state: str
    claim_id: uuid.UUID | None
    lines: tuple[RosterLine, ...]

    @property
    def total_amount(self) -> Money:
        return total(line.amount for line in self.lines)

    @property
    def total_social_insurance(self) -> Money:
        return total(line.social_insurance for line in self.lines)

    @property
    def persons(self) -> int:
        return len({line.person_id for line in self.lines})

    def of_post(self, title: str | None) -> Roster:
        if title is None:
            return self
        return Roster(
            self.month, self.state, self.claim_id, tuple(x for x in self.lines if x.post == title)
        )


def roster(session: Session, month: dt.date) -> Roster:
    """The roster of ``month`` (empty, in draft, when it was never built)."""
    month = month_of(month)
    claim = claims.find_claim(session, KIND, month)
    if claim is None:
        return Roster(month, claims.ClaimState.DRAFT, None, ())
    corrected = ClaimLine.__table__.alias("corrected")
    corrected_claim = Claim.__table__.alias("corrected_claim")
    rows = session.execute(
        select(
            ClaimLine, Person.id_number, Person.name, Person.sex, Person.birth_date,
            Person.bank_name, Person.bank_account, Placement.starts_on,
            Placement.subsidy_until, WelfarePost.village, Employer.name, corrected_claim.c.month,
        )
        .join(Person, Person.id == ClaimLine.person_id)
        .outerjoin(Placement, Placement.id == ClaimLine.placement_id)
        .outerjoin(WelfarePost, WelfarePost.id == Placement.post_id)
        .outerjoin(Employer, Employer.id == WelfarePost.employer_id)
        .outerjoin(corrected, corrected.c.id == ClaimLine.corrects_id)
        .outerjoin(corrected_claim, corrected_claim.c.id == corrected.c.claim_id)
        .where(ClaimLine.claim_id == claim.id, ClaimLine.deleted.is_(False))
        .order_by(
            ClaimLine.corrects_id.is_not(None), WelfarePost.village, ClaimLine.post_title,
            Person.name_pinyin, Person.id_number,
        )
    ).all()  # fmt: skip
    lines = tuple(
        RosterLine(
            line_id=line.id,
            person_id=line.person_id,
            id_number=number,
            name=name,
            sex=sex,
            birth_date=birth,
            post=line.post_title,
            village=village or "",
            employer=employer or "",
            start=start,
            subsidy_until=until,
            bank_name=bank_name,
            bank_account=account,
            required=line.required,
            worked=line.worked,
            standard=line.standard,
            amount=line.amount,
            pension=line.pension,
            medical=line.medical,
            unemployment=line.unemployment,
            corrects=line.corrects_id,
            corrects_month=corrected_month,
        )
        for (
            line,
            number,
            name,
            sex,
            birth,
            bank_name,
            account,
            start,
            until,
            village,
            employer,
            corrected_month,
        ) in rows
    )
    return Roster(month, claim.state, claim.id, lines)
