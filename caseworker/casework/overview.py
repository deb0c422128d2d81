"""A person's assistance at a glance: the plan, what is due, refusals, and the timeline of
contacts, offers and outcomes (newest first).  The person page's Assistance tab and the printed
就业援助卡 / 帮扶记录表 read it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from caseworker.casework import plans, worklist
from caseworker.casework.rules import rules_on
from caseworker.casework.vocab import split_codes
from caseworker.store.models import AssistancePlan

__all__ = ["Entry", "Overview", "overview"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline.  ``kind``: ``contact``, ``offer``, ``outcome``, ``opened``,
    ``closed``; ``code`` the channel, offer kind, evidence or closing reason."""

    on: dt.date
    kind: str
    record_id: uuid.UUID
    code: str = ""
    services: tuple[str, ...] = ()
    text: str = ""
    worker: str = ""
    next_on: dt.date | None = None
    #: contacts: replaced by a correction (the entry stays, shown as replaced)
    replaced: bool = False
    corrects: uuid.UUID | None = None
    #: offers
    post: str = ""
    employer: str = ""
    answer: str = ""
    answered_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Overview:
    plan: AssistancePlan
    worker: str
    is_open: bool
    due: worklist.DueRow | None
    follow_up_complete: bool
    refusals: int
    refusal_threshold: int
    refusal_window_start: dt.date
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    @property
    def contacts(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == "contact")

    @property
    def refusals_reached(self) -> bool:
        return self.refusals >= self.refusal_threshold


def overview(session: Session, person_id: uuid.UUID, on: dt.date) -> Overview | None:
    """The person's current plan (the open one, else the latest) seen on ``on``; None when
    the person never had a plan."""
    plan = plans.current_plan(session, person_id)
    if plan is None:
        return None
    rules = rules_on(on)
    entries: list[Entry] = [Entry(plan.opened_on, "opened", plan.id, plan.basis)]
    for contact, replaced in plans.contacts(session, plan.id):
        entries.append(
            Entry(
                contact.on, "contact", contact.id, contact.channel, split_codes(contact.services),
                contact.note, contact.worker.name, contact.next_on, replaced,
                contact.supersedes_id,
            )
        )  # fmt: skip
    for offer in plans.offers(session, plan.id):
        entries.append(
            Entry(
                offer.on, "offer", offer.id, offer.kind, text=offer.reason, post=offer.post,
                employer=offer.employer, answer=offer.answer, answered_on=offer.answered_on,
            )
        )  # fmt: skip
    for outcome in plans.outcomes(session, plan.id):
        entries.append(
            Entry(outcome.on, "outcome", outcome.id, outcome.evidence, text=outcome.note)
        )
    if plan.closed_on is not None:
        entries.append(
            Entry(plan.closed_on, "closed", plan.id, plan.close_reason or "", text=plan.close_note)
        )
    order = {"closed": 0, "outcome": 1, "offer": 2, "contact": 3, "opened": 4}
    entries.sort(key=lambda e: (e.on, -order[e.kind]), reverse=True)
    is_open = plan.closed_on is None
    due = None
    if is_open:
        found = worklist.due_rows(session, on, person_ids=[person_id])
        due = found[0] if found else None
    complete = (
        is_open and due is None and plan.follow_up_until is not None and on >= plan.follow_up_until
    )
    return Overview(
        plan=plan,
        worker=plan.worker.name,
        is_open=is_open,
        due=due,
        follow_up_complete=complete,
        refusals=plans.refusals(session, person_id, on),
        refusal_threshold=rules.refusal_count,
        refusal_window_start=plans.refusal_window(on, rules),
        entries=tuple(entries),
    )
