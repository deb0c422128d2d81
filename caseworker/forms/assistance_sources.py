"""The assistance forms' input, read from the station's database (no Qt, no output).

Everything printed is Chinese, as the paper forms are; the codes of the assistance records
are printed with the Chinese wording of :mod:`caseworker.casework.vocab`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections import Counter
from typing import TypeVar

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from caseworker.casework import families, plans, worklist
from caseworker.casework.rules import rules_on
from caseworker.casework.vocab import (
    ANSWER_ZH,
    BASIS_ZH,
    CHANNEL_ZH,
    CLOSE_ZH,
    SERVICE_ZH,
    Answer,
    Service,
    split_codes,
)
from caseworker.core.errors import NotFoundError
from caseworker.forms.application import format_date
from caseworker.forms.assistance_data import (
    CardData,
    ContactLine,
    ContactRecordData,
    FamilyLine,
    FamilyListData,
    LedgerData,
    LedgerLine,
)
from caseworker.forms.data import Category
from caseworker.forms.sources import _labels_zh, _station, _station_row
from caseworker.i18n import _
from caseworker.recognition import service
from caseworker.registry import vocab
from caseworker.store.models import (
    AssistanceContact,
    AssistanceOffer,
    AssistanceOutcome,
    AssistancePlan,
    Person,
    Staff,
    Village,
)

__all__ = ["card_data", "contact_record_data", "family_list_data", "ledger_data"]

SERVICE_UG = {
    Service.JOB_REFERRAL: "خىزمەت ئورنى تونۇشتۇرۇش",
    Service.CAREER_GUIDANCE: "كەسپ يېتەكچىلىكى",
    Service.TRAINING: "ماھارەت تەربىيىسى",
    Service.BUSINESS: "تىجارەت مۇلازىمىتى",
    Service.POLICY: "سىياسەت مەسلىھەتى",
    Service.COUNSELLING: "پسىخىك يېتەكچىلىك",
    Service.OTHER: "باشقا",
}


def _plan_of(session: Session, person_id: uuid.UUID) -> tuple[Person, AssistancePlan]:
    person = session.get(Person, person_id)
    if person is None or person.deleted:
        raise NotFoundError(_("No registered person has this record number."))
    plan = plans.current_plan(session, person.id)
    if plan is None:
        raise NotFoundError(_("{name} has no assistance plan to print.").format(name=person.name))
    return person, plan


def _services_zh(codes: str) -> str:
    return "、".join(SERVICE_ZH[Service(c)] for c in split_codes(codes) if c in SERVICE_ZH)


def _outcome_zh(session: Session, plan: AssistancePlan) -> str:
    found = plans.outcomes(session, plan.id)
    if not found:
        return ""
    latest = found[0]
    pack = rules_on(latest.on).pack
    return f"{format_date(latest.on)} {pack.evidence_label_zh(latest.evidence)}"


def card_data(session: Session, person_id: uuid.UUID, *, now: dt.datetime) -> CardData:
    """The person's 就业援助卡 (their own form: the full ID number)."""
    person, plan = _plan_of(session, person_id)
    case = service.current_case(session, person.id)
    recognised = "；".join(_labels_zh(case.category_codes, None)) if case is not None else ""
    needed = set(split_codes(plan.services_needed))
    closed = ""
    if plan.closed_on is not None:
        reason = CLOSE_ZH.get(plan.close_reason or "", plan.close_reason or "")  # type: ignore[call-overload]
        closed = f"{format_date(plan.closed_on)} {reason} {plan.close_note}".strip()
    return CardData(
        station=_station(_station_row(session, person.station_code)),
        record_id=str(plan.id),
        policy_pack_id=rules_on(now.date()).pack.id,
        printed_at=now,
        name=person.name,
        sex=vocab.zh_label("sex", person.sex),
        ethnicity=vocab.zh_label("ethnicity", person.ethnicity),
        birth_date=person.birth_date,
        id_number=person.id_number,
        phone=person.phone,
        village=person.village.name if person.village is not None else "",
        address=person.address or person.hukou_address,
        basis=BASIS_ZH.get(plan.basis, plan.basis),  # type: ignore[call-overload]
        categories=tuple(
            Category(s.value, SERVICE_ZH[s], SERVICE_UG[s], s.value in needed) for s in Service
        ),
        recognised_categories=recognised,
        worker=plan.worker.name,
        opened_on=plan.opened_on,
        signed_on=plan.signed_on,
        target_on=plan.target_on,
        family_situation=plan.family_situation,
        unemployment_reason=plan.unemployment_reason,
        skills=plan.skills,
        training_wish=plan.training_wish,
        job_intention=plan.job_intention,
        measures=plan.measures,
        outcome=_outcome_zh(session, plan),
        closed=closed,
    )


def contact_record_data(
    session: Session, person_id: uuid.UUID, *, now: dt.datetime
) -> ContactRecordData:
    """The person's 帮扶记录表: every contact of the plan, oldest first; a contact a
    correction replaced is printed too, marked, and so is the correction."""
    person, plan = _plan_of(session, person_id)
    lines = [
        ContactLine(
            on=c.on,
            channel=CHANNEL_ZH.get(c.channel, c.channel),  # type: ignore[call-overload]
            services=_services_zh(c.services),
            note=c.note,
            worker=c.worker.name,
            next_on=c.next_on,
            remark="已更正" if replaced else ("更正" if c.supersedes_id else ""),
        )
        for c, replaced in reversed(plans.contacts(session, plan.id))
    ]
    return ContactRecordData(
        station=_station(_station_row(session, person.station_code)),
        record_id=str(plan.id),
        policy_pack_id=rules_on(now.date()).pack.id,
        printed_at=now,
        name=person.name,
        id_number=person.id_number,
        village=person.village.name if person.village is not None else "",
        worker=plan.worker.name,
        opened_on=plan.opened_on,
        lines=tuple(lines),
    )


def month_bounds(month: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``month`` and its last day counted (never after ``today``)."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, min(last, today)


def ledger_data(
    session: Session, month: dt.date, *, now: dt.datetime, station_code: str = ""
) -> LedgerData:
    """援助台账 of ``month``: every plan open at some time in the month, with the month's
    contacts (the standing ones), services, offers and employment."""
    first, last = month_bounds(month, now.date())
    open_in_month = and_(
        AssistancePlan.deleted == false(),
        AssistancePlan.opened_on <= last,
        or_(AssistancePlan.closed_on.is_(None), AssistancePlan.closed_on >= first),
    )
    rows = session.execute(
        select(AssistancePlan, Person, Village.name, Staff.name)
        .join(Person, Person.id == AssistancePlan.person_id)
        .join(Staff, Staff.id == AssistancePlan.worker_id)
        .outerjoin(Village, Village.id == Person.village_id)
        .where(open_in_month, Person.deleted.is_(False))
        .order_by(Village.name, Person.name_pinyin, Person.id_number)
    ).all()
    plan_ids = [r[0].id for r in rows]
    contacts = _in_month(session, AssistanceContact, plan_ids, first, last)
    offers = _in_month(session, AssistanceOffer, plan_ids, first, last)
    outcomes = _in_month(session, AssistanceOutcome, plan_ids, first, last)
    replaced = _replaced(session, plan_ids)
    due = {
        r.plan_id: r.due_on
        for r in worklist.due_rows(session, last, person_ids=[r[1].id for r in rows])
    }
    lines: list[LedgerLine] = []
    for plan, person, village, worker in rows:
        standing = [c for c in contacts.get(plan.id, []) if c.id not in replaced]
        services = Counter(s for c in standing for s in split_codes(c.services))
        offered = Counter(o.answer for o in offers.get(plan.id, []))
        employed = sorted(outcomes.get(plan.id, []), key=lambda o: o.on)
        remark = ""
        if plan.closed_on is not None and plan.closed_on <= last:
            remark = f"{plan.closed_on.isoformat()} {CLOSE_ZH.get(plan.close_reason or '', '')}"  # type: ignore[call-overload]
        lines.append(
            LedgerLine(
                name=person.name,
                sex=vocab.zh_label("sex", person.sex),
                id_number=person.id_number,
                village=village or "",
                basis=BASIS_ZH.get(plan.basis, plan.basis),  # type: ignore[call-overload]
                worker=worker,
                contacts=len(standing),
                services="、".join(
                    f"{SERVICE_ZH[Service(s)]}{n}次" for s, n in services.items() if s in SERVICE_ZH
                ),
                offers="、".join(
                    f"{ANSWER_ZH[Answer(a)]}{n}" for a, n in offered.items() if a in ANSWER_ZH
                ),
                employment=(
                    f"{employed[-1].on.isoformat()}就业" if employed
                    else ("在岗跟踪" if plan.employed_on is not None and plan.employed_on < first else "")
                ),
                next_on=due.get(plan.id) if plan.closed_on is None else None,
                remark=remark,
            )
        )  # fmt: skip
    pack = rules_on(last).pack
    return LedgerData(
        station=_station(_station_row(session, station_code)),
        month=first,
        until=last,
        policy_pack_id=pack.id,
        printed_at=now,
        lines=tuple(lines),
    )


R = TypeVar("R", AssistanceContact, AssistanceOffer, AssistanceOutcome)


def _in_month(
    session: Session, model: type[R], plan_ids: list[uuid.UUID], first: dt.date, last: dt.date
) -> dict[uuid.UUID, list[R]]:
    """The records of these plans dated from ``first`` to ``last``, by plan."""
    found: dict[uuid.UUID, list[R]] = {}
    for start in range(0, len(plan_ids), 5000):
        stmt = select(model).where(
            model.plan_id.in_(plan_ids[start : start + 5000]),
            model.deleted.is_(False),
            model.on >= first,
            model.on <= last,
        )
        for record in session.scalars(stmt):
            found.setdefault(record.plan_id, []).append(record)
    return found


def _replaced(session: Session, plan_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The contacts of these plans that a correction replaced."""
    found: set[uuid.UUID] = set()
    for start in range(0, len(plan_ids), 5000):
        chunk = plan_ids[start : start + 5000]
        found.update(
            session.scalars(
                select(AssistanceContact.supersedes_id).where(
                    AssistanceContact.plan_id.in_(chunk),
                    AssistanceContact.deleted.is_(False),
                    AssistanceContact.supersedes_id.is_not(None),
                )
            )
        )
    return found


def family_list_data(
    session: Session, on: dt.date, *, now: dt.datetime, station_code: str = ""
) -> FamilyListData:
    """零就业家庭名单 on ``on``: the open families, the longest open (the overdue) first."""
    rules = rules_on(on)
    lines = [
        FamilyLine(
            head=row.head_name,
            id_number=row.head_id_number,
            village=row.village,
            members=row.members_of_working_age,
            identified_on=row.identified_on,
            deadline=row.deadline,
            days_open=row.days_open,
            state="超期未清零" if row.overdue else "帮扶中",
        )
        for row in families.open_families(session, on)
    ]
    return FamilyListData(
        station=_station(_station_row(session, station_code)),
        on=on,
        clearing_days=rules.clearing_days,
        clearing_source=rules.pack.param_citation("zero_employment_clearing_days"),
        policy_pack_id=rules.pack.id,
        printed_at=now,
        lines=tuple(lines),
    )
