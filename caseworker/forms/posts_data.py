"""What the printed forms of public-welfare posts need, read from the database once: the
month's roster (:func:`caseworker.posts.payroll.roster`), the station, the notice period, the
employers' bank details, and the working days of the month."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.casework.plans import basis_on
from caseworker.claims import month_text
from caseworker.core.errors import NotFoundError
from caseworker.core.money import Money
from caseworker.forms.data import Station
from caseworker.forms.sources import _station, _station_row
from caseworker.i18n import _
from caseworker.policy import default_library
from caseworker.policy.calendar import default_calendar
from caseworker.posts import attendance, payroll, service
from caseworker.store.models import Employer, Person

CATEGORY_ZH = {"recognised": "就业困难人员", "zero_employment_family": "零就业家庭成员"}


@dataclass(frozen=True, slots=True)
class EmployerTotal:
    name: str
    credit_code: str
    bank_name: str
    bank_account: str
    posts: tuple[str, ...]
    persons: int
    amount: Money


@dataclass(frozen=True, slots=True)
class PayrollPrint:
    station: Station
    printed_at: dt.datetime
    policy_pack_id: str
    roster: payroll.Roster
    contact_name: str
    contact_phone: str
    notice_start: dt.date
    notice_end: dt.date
    notice_days: int
    employers: tuple[EmployerTotal, ...]
    categories: dict[uuid.UUID, str]
    post_title: str | None = None


def payroll_print(
    session: Session,
    month: dt.date,
    *,
    now: dt.datetime,
    station_code: str | None = None,
    post_id: uuid.UUID | str | None = None,
    categories: bool = False,
) -> PayrollPrint:
    """The roster of ``month`` (of one post when ``post_id`` is given) ready to print."""
    title = service.get_post(session, post_id).title if post_id is not None else None
    roster = payroll.roster(session, month).of_post(title)
    if not roster.lines:  # a notice or an application of "0 persons, 0.00 yuan" is never signed
        raise NotFoundError(
            _("The roster of {month} has no lines; there is nothing to print.").format(
                month=month_text(month)
            )
        )
    row = _station_row(session, station_code)
    pack = default_library().in_force_on(roster.month)
    cal = default_calendar()
    start = cal.next_working_day(now.date())
    days = pack.public_notice_working_days
    end = cal.add_working_days(start, days)
    by_employer: dict[str, list[payroll.RosterLine]] = {}
    for line in roster.lines:
        by_employer.setdefault(line.employer, []).append(line)
    units = {
        e.name: e
        for e in session.scalars(
            select(Employer).where(Employer.deleted.is_(False), Employer.name.in_(by_employer))
        )
    }
    employers = []
    for name, lines in by_employer.items():
        unit = units.get(name)
        employers.append(
            EmployerTotal(
                name=name,
                credit_code=unit.credit_code if unit else "",
                bank_name=unit.bank_name if unit else "",
                bank_account=unit.bank_account if unit else "",
                posts=tuple(sorted({x.post for x in lines})),
                persons=len({x.person_id for x in lines}),
                amount=Money(sum(x.amount.fen for x in lines)),
            )
        )
    found: dict[uuid.UUID, str] = {}
    if categories:
        for line in roster.lines:
            person = session.get(Person, line.person_id)
            assert person is not None
            basis = basis_on(session, person, attendance.month_last(roster.month))
            found[line.person_id] = CATEGORY_ZH.get(basis or "", "")
    return PayrollPrint(
        station=_station(row),
        printed_at=now,
        policy_pack_id=pack.id,
        roster=roster,
        contact_name=row.contact_name if row is not None else "",
        contact_phone=row.contact_phone if row is not None else "",
        notice_start=start,
        notice_end=end,
        notice_days=days,
        employers=tuple(employers),
        categories=found,
        post_title=title,
    )


@dataclass(frozen=True, slots=True)
class SheetPerson:
    name: str
    post: str


@dataclass(frozen=True, slots=True)
class SignInSheet:
    station: Station
    printed_at: dt.datetime
    policy_pack_id: str
    month: dt.date
    post: str
    employer: str
    days: tuple[dt.date, ...]
    persons: tuple[SheetPerson, ...]


def sign_in_sheet(
    session: Session,
    month: dt.date,
    *,
    now: dt.datetime,
    station_code: str | None = None,
    post_id: uuid.UUID | str | None = None,
) -> SignInSheet:
    """The blank sign-in sheet of a post (or of every post) for ``month``."""
    month = attendance.month_of(month)
    post = service.get_post(session, post_id) if post_id is not None else None
    rows = attendance.grid(session, month, post_id=post.id if post else None)
    employer = ""
    if post is not None:
        unit = session.get(Employer, post.employer_id)
        employer = unit.name if unit else ""
    row = _station_row(session, station_code)
    return SignInSheet(
        station=_station(row),
        printed_at=now,
        policy_pack_id=default_library().in_force_on(month).id,
        month=month,
        post=post.title if post else "",
        employer=employer,
        days=attendance.working_dates(month),
        persons=tuple(SheetPerson(r.name, r.post) for r in rows if r.possible > 0),
    )


__all__ = ["PayrollPrint", "SignInSheet", "payroll_print", "sign_in_sheet"]
