"""Monthly attendance (考勤) of placements: required and worked days, an optional score, a note,
and the employer's part of social insurance paid for the month.

- ``required`` is the month's working days on the calendar (Xinjiang's) unless the station
  sets it; ``worked`` may not exceed the working days of the month that fall inside the
  placement and its subsidy period (:func:`possible_days`).
- A month whose claim has left the draft state is locked: nothing of it changes here.
- The station's attendance sheet (``.xlsx`` or ``.csv``) is read by the project's streaming
  reader, every row checked first; only a file without faults is written, in the caller's one
  transaction.
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker import claims
from caseworker.core import wall
from caseworker.core.errors import UserError, ValidationError, WorkflowError
from caseworker.core.money import Money
from caseworker.core.tables import CellError, Formula, column_name, open_table
from caseworker.i18n import _
from caseworker.policy.calendar import default_calendar
from caseworker.posts.rules import rules_on
from caseworker.registry import persons
from caseworker.security.roles import Action, require
from caseworker.store.models import Attendance, Person, Placement, WelfarePost

KIND = "post_subsidy"
MAX_IMPORT_PROBLEMS = 20


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_last(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` (also ``YYYY年M月`` and ``YYYY/MM``) as the first day of the month."""
    raw = text.strip().replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    parts = raw.split("-")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() and len(parts[0]) == 4:
        month = int(parts[1])
        if 1 <= month <= 12 and (
            len(parts) == 2 or (len(parts) == 3 and parts[2] in ("", "1", "01"))
        ):
            return dt.date(int(parts[0]), month, 1)
    raise ValidationError(
        _("{value} is not a month written as YYYY-MM.").format(value=text), "month"
    )


@cache
def working_dates(month: dt.date) -> tuple[dt.date, ...]:
    """The working days of the month on the calendar, in order."""
    cal = default_calendar()
    day, last = month, month_last(month)
    found: list[dt.date] = []
    while day <= last:
        if cal.is_working_day(day):
            found.append(day)
        day += dt.timedelta(days=1)
    return tuple(found)


def calendar_days(month: dt.date) -> int:
    return len(working_dates(month))


def possible_days(placement: Placement, month: dt.date) -> int:
    """Working days of ``month`` inside the placement and its subsidy period."""
    days = working_dates(month)
    start = placement.starts_on
    end = placement.subsidy_until
    if placement.ended_on is not None and placement.ended_on < end:
        end = placement.ended_on
    if end < start:
        return 0
    return bisect.bisect_right(days, end) - bisect.bisect_left(days, start)


def locked(session: Session, month: dt.date) -> bool:
    claim = claims.find_claim(session, KIND, month)
    return claim is not None and claim.state != claims.ClaimState.DRAFT


def ensure_open(session: Session, month: dt.date) -> None:
    claim = claims.find_claim(session, KIND, month)
    if claim is not None:
        claims.ensure_draft(claim)


@dataclass(frozen=True, slots=True)
class Entry:
    """One month of one placement as entered (``None``: keep the stored value / default)."""

    worked: int
    required: int | None = None
    score: int | None = None
    note: str = ""
    pension: Money | None = None
    medical: Money | None = None
    unemployment: Money | None = None


def check(placement: Placement, person_name: str, month: dt.date, entry: Entry) -> None:
    """Refuse an entry that breaks a rule (the month itself is checked by the caller)."""
    if month > month_of(wall.today()):
        raise ValidationError(
            _("{month} has not begun; attendance is recorded once it is worked.").format(
                month=claims.month_text(month)
            ),
            "month",
        )
    if entry.required is not None and not 1 <= entry.required <= 31:
        raise ValidationError(_("The required days must be from 1 to 31."), "required")
    if entry.worked < 0:
        raise ValidationError(_("The days worked cannot be negative."), "worked")
    possible = possible_days(placement, month)
    if entry.worked > possible:
        raise ValidationError(
            _(
                "{name} can have worked at most {n} days in {month} (the working days inside "
                "the placement and its subsidy period); {worked} is too many."
            ).format(
                name=person_name, n=possible, month=claims.month_text(month), worked=entry.worked
            ),
            "worked",
        )
    if entry.score is not None:
        top = rules_on(month).score_max
        if not 0 <= entry.score <= top:
            raise ValidationError(_("The score must be from 0 to {max}.").format(max=top), "score")
    for name in ("pension", "medical", "unemployment"):
        value = getattr(entry, name)
        if value is not None and value.fen < 0:
            raise ValidationError(_("An amount paid cannot be negative."), name)
    if len(entry.note) > 500:
        raise ValidationError(_("This is longer than {n} characters.").format(n=500), "note")


def placement_in(session: Session, person_id: uuid.UUID, month: dt.date) -> Placement:
    """The person's placement that covers part of ``month`` (the latest such)."""
    found = session.scalars(
        select(Placement)
        .where(
            Placement.person_id == person_id,
            Placement.deleted.is_(False),
            Placement.starts_on <= month_last(month),
        )
        .order_by(Placement.starts_on.desc())
    ).all()
    for placement in found:
        if placement.ended_on is None or placement.ended_on >= month:
            return placement
    raise WorkflowError(
        _("The person had no placement in {month}.").format(month=claims.month_text(month))
    )


def find(session: Session, placement_id: uuid.UUID, month: dt.date) -> Attendance | None:
    return session.scalar(
        select(Attendance).where(
            Attendance.placement_id == placement_id,
            Attendance.month == month,
            Attendance.deleted.is_(False),
        )
    )


def record(
    session: Session, placement: Placement, person_name: str, month: dt.date, entry: Entry
) -> Attendance:
    """Check and write one month of one placement (an existing row is updated)."""
    month = month_of(month)
    ensure_open(session, month)
    check(placement, person_name, month, entry)
    return _write(session, placement, month, entry)


def _write(session: Session, placement: Placement, month: dt.date, entry: Entry) -> Attendance:
    require(session, Action.MANAGE_POSTS)
    row = find(session, placement.id, month)
    if row is None:
        row = Attendance(
            placement_id=placement.id, month=month, worked=entry.worked,
            station_code=placement.station_code, note="",
            pension=Money(0), medical=Money(0), unemployment=Money(0),
        )  # fmt: skip
        session.add(row)
    row.worked = entry.worked
    row.required = entry.required
    row.score = entry.score
    row.note = entry.note.strip()
    for name in ("pension", "medical", "unemployment"):
        value = getattr(entry, name)
        if value is not None:
            setattr(row, name, value)
    session.flush()
    return row


def set_for_person(
    session: Session, person_id: uuid.UUID, month: dt.date, entry: Entry
) -> Attendance:
    person = session.get(Person, person_id)
    assert person is not None
    month = month_of(month)
    ensure_open(session, month)
    return record(session, placement_in(session, person_id, month), person.name, month, entry)


# ---------------------------------------------------------------------------------------------
# The grid: a post or a village for one month
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridRow:
    placement_id: uuid.UUID
    name: str
    id_number: str
    post: str
    village: str
    possible: int
    required: int | None
    worked: int | None
    score: int | None
    note: str


def grid(
    session: Session,
    month: dt.date,
    *,
    post_id: uuid.UUID | None = None,
    village: str | None = None,
) -> list[GridRow]:
    """The placements that cover part of ``month`` (of one post or one village), with their
    attendance when recorded."""
    month = month_of(month)
    stmt = (
        select(Placement, Person.name, Person.id_number, WelfarePost.title, WelfarePost.village)
        .join(Person, Person.id == Placement.person_id)
        .join(WelfarePost, WelfarePost.id == Placement.post_id)
        .where(
            Placement.deleted.is_(False),
            Placement.starts_on <= month_last(month),
            (Placement.ended_on.is_(None)) | (Placement.ended_on >= month),
        )
        .order_by(WelfarePost.village, WelfarePost.title, Person.name_pinyin)
    )
    if post_id is not None:
        stmt = stmt.where(Placement.post_id == post_id)
    if village is not None:
        stmt = stmt.where(WelfarePost.village == village)
    rows = session.execute(stmt).all()
    ids = [p.id for p, *_rest in rows]
    recorded = {
        a.placement_id: a
        for a in session.scalars(
            select(Attendance).where(
                Attendance.month == month,
                Attendance.deleted.is_(False),
                Attendance.placement_id.in_(ids),
            )
        )
    }
    out = []
    for placement, name, number, title, vill in rows:
        a = recorded.get(placement.id)
        out.append(
            GridRow(
                placement.id,
                name,
                number,
                title,
                vill,
                possible_days(placement, month),
                a.required if a else None,
                a.worked if a else None,
                a.score if a else None,
                a.note if a else "",
            )
        )
    return out


def save_grid(session: Session, month: dt.date, entries: Sequence[tuple[uuid.UUID, Entry]]) -> int:
    """Check every entry of the grid, then write them all (one transaction: the caller's)."""
    month = month_of(month)
    ensure_open(session, month)
    checked = []
    for placement_id, entry in entries:
        placement = session.get(Placement, placement_id)
        if placement is None or placement.deleted:
            raise WorkflowError(_("A placement of the grid no longer exists; open it again."))
        person = session.get(Person, placement.person_id)
        assert person is not None
        check(placement, person.name, month, entry)
        checked.append((placement, entry))
    for placement, entry in checked:
        _write(session, placement, month, entry)
    return len(checked)


# ---------------------------------------------------------------------------------------------
# The attendance sheet
# ---------------------------------------------------------------------------------------------

HEADERS = {
    "id_number": ("身份证号码", "身份证号", "id_number"),
    "name": ("姓名", "name"),
    "month": ("月份", "month"),
    "worked": ("实际出勤天数", "本月累计出勤天数", "出勤天数", "worked"),
    "required": ("规定出勤天数", "应出勤天数", "required"),
    "score": ("考核得分", "考核评分", "score"),
    "note": ("备注", "note"),
    "pension": ("单位养老保险", "pension"),
    "medical": ("单位医疗保险", "medical"),
    "unemployment": ("单位失业保险", "unemployment"),
}
REQUIRED_HEADERS = ("id_number", "month", "worked")


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int
    persons: int
    months: tuple[str, ...]


def _columns(headers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        text = "".join(str(header or "").split()).lower()
        for key, names in HEADERS.items():
            if text in {n.lower() for n in names} and key not in found:
                found[key] = index
    missing = [HEADERS[k][0] for k in REQUIRED_HEADERS if k not in found]
    if missing:
        raise UserError(
            _("The attendance sheet has no column {headers}.").format(headers="、".join(missing))
        )
    return found


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _whole(value: object, header: str) -> int | None:
    text = _cell_text(value)
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(
            _("{header}: {value} is not a whole number").format(header=header, value=text)
        )
    return int(text)


def _money(value: object, header: str) -> Money | None:
    text = _cell_text(value)
    if not text:
        return None
    try:
        return Money.parse(text)
    except ValidationError as exc:
        raise ValidationError(f"{header}: {exc}") from None


def import_sheet(session: Session, path: Path) -> ImportResult:
    """Read the attendance sheet; check every row; write only when no row has a fault."""
    table = open_table(path)
    try:
        columns = _columns(table.headers)
        problems: list[str] = []
        staged: list[tuple[Placement, dt.date, Entry]] = []
        seen: set[tuple[uuid.UUID, dt.date]] = set()
        for line, cells in table.rows():
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            try:
                staged.append(_row(session, columns, cells, seen))
            except UserError as exc:
                problems.append(_("row {line}: {problem}").format(line=line, problem=exc))
                if len(problems) >= MAX_IMPORT_PROBLEMS:
                    break
    finally:
        table.close()
    if problems:
        raise UserError(
            _("The attendance sheet was not imported; nothing was changed. {problems}").format(
                problems="；".join(problems)
            )
        )
    if not staged:
        raise UserError(_("The attendance sheet has no rows."))
    for placement, month, entry in staged:
        _write(session, placement, month, entry)
    return ImportResult(
        rows=len(staged),
        persons=len({p.person_id for p, _m, _e in staged}),
        months=tuple(sorted({claims.month_text(m) for _p, m, _e in staged})),
    )


def _row(
    session: Session,
    columns: dict[str, int],
    cells: list[object],
    seen: set[tuple[uuid.UUID, dt.date]],
) -> tuple[Placement, dt.date, Entry]:
    def cell(key: str) -> object:
        index = columns.get(key)
        if index is None or index >= len(cells):
            return None
        value = cells[index]
        if isinstance(value, Formula):
            raise ValidationError(
                _(
                    "column {column} holds a formula (={formula}) without a saved result; open "
                    "the file in Excel or WPS, save it, and import it again"
                ).format(column=column_name(index), formula=value.text)
            )
        if isinstance(value, CellError):
            raise ValidationError(
                _("column {column} shows the error {code}").format(
                    column=column_name(index), code=value.code
                )
            )
        return value

    number = _cell_text(cell("id_number"))
    person = persons.find_by_id_number(session, number) if number else None
    if person is None or person.deleted:
        raise ValidationError(
            _("No registered person has the ID number {value}.").format(value=number or "—")
        )
    name = _cell_text(cell("name"))
    if name and name != person.name:
        raise ValidationError(
            _("the ID number {number} is {name}'s, not {other}'s").format(
                number=number, name=person.name, other=name
            )
        )
    raw_month = cell("month")
    month = (
        raw_month.date().replace(day=1)
        if isinstance(raw_month, dt.datetime)
        else parse_month(_cell_text(raw_month))
    )
    ensure_open(session, month)
    worked = _whole(cell("worked"), HEADERS["worked"][0])
    if worked is None:
        raise ValidationError(_("{header} is empty").format(header=HEADERS["worked"][0]))
    entry = Entry(
        worked=worked,
        required=_whole(cell("required"), HEADERS["required"][0]),
        score=_whole(cell("score"), HEADERS["score"][0]),
        note=_cell_text(cell("note")),
        pension=_money(cell("pension"), HEADERS["pension"][0]),
        medical=_money(cell("medical"), HEADERS["medical"][0]),
        unemployment=_money(cell("unemployment"), HEADERS["unemployment"][0]),
    )
    placement = placement_in(session, person.id, month)
    key = (placement.id, month)
    if key in seen:
        raise ValidationError(
            _("{name} appears twice for {month}").format(
                name=person.name, month=claims.month_text(month)
            )
        )
    seen.add(key)
    check(placement, person.name, month, entry)
    return placement, month, entry


def recorded_months(session: Session, placement_ids: Iterable[uuid.UUID]) -> set[dt.date]:
    return set(
        session.scalars(
            select(Attendance.month).where(
                Attendance.placement_id.in_(list(placement_ids)), Attendance.deleted.is_(False)
            )
        )
    )
