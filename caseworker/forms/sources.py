"""The forms' input dataclasses, read from the station's database (no Qt, no output).

The front ends call these with their own session (``store.reading()``) and pass the result to
:func:`~caseworker.forms.render_application`, :func:`~caseworker.forms.render_notice` or
:func:`~caseworker.forms.render_roster`.  Everything printed is Chinese, as the paper forms
are; only error messages go through ``_()``.

Which categories are ticked on an application
---------------------------------------------
When the person has a recognition case (:func:`caseworker.recognition.service.current_case`:
the open case, else the latest), the form ticks the categories **claimed in that case** and
prints the case's policy pack: the paper then matches what was applied for.  Without a case
the form ticks the categories the assessment matches today
(:func:`caseworker.recognition.service.assess_person`) and prints the pack in force; the
caseworker can then print a form for the person to sign before the application is recorded.

The public-notice period
------------------------
:func:`notice_data` lists the persons whose notice period overlaps the dates asked for.  The
period printed is the span of those persons' own notice periods (from the earliest start to
the latest end, as recorded by the workflow), so a notice printed for any day of a batch
shows the batch's real period; with nobody in the list the dates asked for are printed.
The working-day count comes from the holiday calendar.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from caseworker.core import idcard
from caseworker.core.errors import NotFoundError, ValidationError
from caseworker.forms.data import (
    ApplicationData,
    ApplicationPerson,
    HouseholdMember,
    NoticeData,
    NoticePerson,
    RosterData,
    RosterRow,
    Station,
)
from caseworker.forms.layout import categories_for, default_categories, load_layout
from caseworker.i18n import _
from caseworker.policy import default_calendar, default_library
from caseworker.recognition import service
from caseworker.recognition.workflow import Stage
from caseworker.registry import households, search, vocab
from caseworker.store.models import Person, RecognitionCase, Setting, Village
from caseworker.store.models import Station as StationRow

__all__ = [
    "NEEDS_REVIEW",
    "NO_CASE",
    "STAGE_ZH",
    "RosterFilters",
    "application_data",
    "notice_data",
    "relation_to_applicant_zh",
    "roster_data",
    "roster_filters_text",
    "roster_title",
]

#: Stage filters that are not stages: persons flagged for review, persons without a case.
NEEDS_REVIEW = "needs_review"
NO_CASE = "none"
CASEWORKER_KEY = "caseworker_name"

#: Stage names printed on paper (the forms stay Chinese whatever the interface language).
STAGE_ZH: dict[str, str] = {
    Stage.APPLIED.value: "已申请",
    Stage.COMMUNITY_PASSED.value: "社区(村)初审通过",
    Stage.COMMUNITY_REJECTED.value: "社区(村)初审未通过",
    Stage.TOWNSHIP_PASSED.value: "乡镇(街道)审核通过",
    Stage.TOWNSHIP_REJECTED.value: "乡镇(街道)审核未通过",
    Stage.PUBLIC_NOTICE.value: "公示中",
    Stage.RECOGNISED.value: "已认定",
    Stage.EXITED.value: "已退出",
    NEEDS_REVIEW: "待复核",
    NO_CASE: "未申请认定",
}

_ARABIC = range(0x0600, 0x0700)


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


def _station_row(session: Session, station_code: str | None) -> StationRow | None:
    code = station_code or session.info.get("station_code") or ""
    stmt = select(StationRow).where(StationRow.deleted.is_(False))
    if code:
        found = session.scalar(stmt.where(StationRow.code == code))
        if found is not None:
            return found
    return session.scalar(stmt.order_by(StationRow.created_hlc).limit(1))


def _station(row: StationRow | None) -> Station:
    if row is None:
        return Station("", "")
    return Station(row.name, row.code)


def _caseworker_name(session: Session) -> str:
    setting = session.get(Setting, CASEWORKER_KEY)
    return setting.value if setting is not None else ""


def _labels_zh(codes: Iterable[str], layout_dir: Path | None) -> tuple[str, ...]:
    table = {c.code: c.label_zh for c in default_categories(layout_dir)}
    return tuple(table.get(code, code) for code in codes if code)


def _native_uyghur(text: str) -> str | None:
    """The native-script name when it is written in Arabic script (Uyghur), else None."""
    text = text.strip()
    if text and any(ord(ch) in _ARABIC for ch in text):
        return text
    return None


# ---------------------------------------------------------------------------------------------
# 就业困难人员认定申请表
# ---------------------------------------------------------------------------------------------


def _employment_zh(employed: bool, registered: bool, capacity: str, age: int | None) -> str:
    if employed:
        return "已就业"
    if age is not None and age < 16:
        return "未成年"
    if capacity == vocab.WorkCapacity.NONE.value:
        return "无劳动能力"
    if registered:
        return "登记失业"
    return "未就业"


#: (the applicant's relation to the head, the member's) -> the member's relation to the
#: applicant, for pairs the household register states for certain beyond spouse/child/parent.
_KIN_ZH: dict[tuple[str, str], str] = {
    ("head", "spouse"): "配偶",
    ("head", "child"): "子女",
    ("head", "parent"): "父母",
    ("spouse", "head"): "配偶",
    ("spouse", "child"): "子女",
    ("spouse", "parent"): "公婆/岳父母",
    ("child", "head"): "父母",
    ("child", "spouse"): "父母",
    ("child", "child"): "兄弟姐妹",
    ("child", "parent"): "祖父母/外祖父母",
    ("parent", "head"): "子女",
    ("parent", "spouse"): "子女配偶",
    ("parent", "child"): "孙子女/外孙子女",
}


def relation_to_applicant_zh(own: str | None, member: str) -> str:
    """The member's relation to the applicant, in Chinese, from both relations to the head.

    When the applicant is the head (or not in the register's terms) the member's relation to
    the head is printed; a pair the register does not settle prints 其他.
    """
    if own is None or own == vocab.Relation.HEAD.value:
        return vocab.zh_label("relation", member)
    return _KIN_ZH.get((own, member), vocab.zh_label("relation", vocab.Relation.OTHER.value))


def _members(session: Session, person: Person, on: dt.date) -> tuple[int, list[HouseholdMember]]:
    household = households.of_person(session, person.id)
    if household is None:
        return 1, []
    own = next((m.relation for m in household.members if m.person_id == person.id), None)
    rows: list[HouseholdMember] = []
    size = 0
    for member in household.members:
        if member.person is not None and member.person.deleted:
            continue
        size += 1
        if member.person_id == person.id:
            continue
        facts = households.member_facts(member, on)
        age = idcard.age_on(facts.birth_date, on) if facts.birth_date else None
        rows.append(
            HouseholdMember(
                name=facts.name,
                relation=relation_to_applicant_zh(own, member.relation),
                id_number=facts.id_number,
                employment=_employment_zh(
                    facts.employed, facts.registered_unemployed, facts.work_capacity, age
                ),
            )
        )
    return max(size, 1), rows


def application_data(
    session: Session,
    person_id: uuid.UUID,
    *,
    now: dt.datetime,
    layout_dir: Path | None = None,
) -> ApplicationData:
    """The application form of a registered person (full ID number: their own form).

    Raises :class:`NotFoundError` when there is no such person or the record is deleted.
    """
    person = session.get(Person, person_id)
    if person is None or person.deleted:
        raise NotFoundError(_("No registered person has this record number."))
    today = now.date()
    case = service.current_case(session, person.id)
    if case is not None:
        codes = frozenset(case.category_codes)
        pack_id = case.policy_id
    else:
        decision = service.assess_person(session, person.id, today)
        codes = frozenset(c.value for c in decision.categories)
        pack_id = decision.policy_id
    size, members = _members(session, person, today)
    station = _station_row(session, person.station_code)
    applicant = ApplicationPerson(
        name=person.name,
        sex=vocab.zh_label("sex", person.sex),
        ethnicity=vocab.zh_label("ethnicity", person.ethnicity),
        birth_date=person.birth_date,
        id_number=person.id_number,
        education=vocab.zh_label("education", person.education),
        health=vocab.zh_label("health", person.health),
        marital_status=vocab.zh_label("marital_status", person.marital_status),
        phone=person.phone,
        registered_address=person.hukou_address,
        residence_address=person.address,
        village=person.village.name if person.village is not None else "",
        household_size=size,
        unemployment_registered=person.registered_unemployed_since,
        employment_card_no=person.employment_card_no,
        name_ug=_native_uyghur(person.name_native),
    )
    return ApplicationData(
        station=_station(station),
        person=applicant,
        categories=categories_for(codes, layout_dir),
        record_id=str(person.id),
        policy_pack_id=pack_id,
        printed_at=now,
        members=tuple(members),
    )


# ---------------------------------------------------------------------------------------------
# 就业困难人员认定公示名单
# ---------------------------------------------------------------------------------------------


def _working_days(start: dt.date, end: dt.date) -> int:
    try:
        return default_calendar().working_days_between(start, end)
    except ValidationError:  # a year the holiday table does not cover: Monday to Friday
        days = (end - start).days + 1
        return sum(1 for i in range(max(days, 0)) if (start + dt.timedelta(i)).weekday() < 5)


def notice_data(
    session: Session,
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime,
    station_code: str | None = None,
    layout_dir: Path | None = None,
) -> NoticeData:
    """The public-notice list of the persons whose notice period overlaps ``start``..``end``.

    ID numbers are passed in full; the form masks them.  Ages are on the first day of the
    period printed (see the module notes).
    """
    if end < start:
        raise ValidationError(
            _("The end of the period ({end}) is before its start ({start}).").format(
                start=start.isoformat(), end=end.isoformat()
            )
        )
    cases = service.notice_cases(session, start, end)
    starts = [c.notice_start for c in cases if c.notice_start is not None]
    ends = [c.notice_end for c in cases if c.notice_end is not None]
    period_start = min(starts) if starts else start
    period_end = max(ends) if ends else end
    persons: list[NoticePerson] = []
    for case in cases:
        person = case.person
        persons.append(
            NoticePerson(
                name=person.name,
                sex=vocab.zh_label("sex", person.sex),
                age=idcard.age_on(person.birth_date, period_start),
                categories=_labels_zh(case.category_codes, layout_dir),
                village=person.village.name if person.village is not None else "",
                id_number=person.id_number,
            )
        )
    station = _station_row(session, station_code)
    contact = station.contact_name if station is not None else ""
    pack = cases[0].policy_id if cases else default_library().in_force_on(period_start).id
    return NoticeData(
        station=_station(station),
        persons=tuple(persons),
        period_start=period_start,
        period_end=period_end,
        working_days=_working_days(period_start, period_end),
        contact_name=contact or _caseworker_name(session),
        contact_phone=station.contact_phone if station is not None else "",
        policy_pack_id=pack,
        printed_at=now,
    )


# ---------------------------------------------------------------------------------------------
# 就业困难人员花名册
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RosterFilters:
    """The filters of a roster, as the registry list has them (all optional).

    ``village``: a village or community name, or its record id; ``category``: a category code
    claimed in the person's current case; ``stage``: a stage of the current case, or
    ``needs_review`` / ``none``; ``query``: the registry search text.
    """

    village: str | None = None
    category: str | None = None
    stage: str | None = None
    query: str | None = None


def _village(session: Session, text: str) -> Village:
    value = text.strip()
    stmt = select(Village).where(Village.deleted.is_(False))
    try:
        found = session.scalar(stmt.where(Village.id == uuid.UUID(value)))
    except ValueError:
        found = session.scalar(stmt.where(Village.name == value))
    if found is None:
        names = "、".join(session.scalars(stmt.with_only_columns(Village.name)))
        raise NotFoundError(
            _("There is no village or community called {name}. Known: {names}").format(
                name=value, names=names or "-"
            )
        )
    return found


def _check(filters: RosterFilters) -> None:
    codes = {c.code for c in default_categories()}
    if filters.category and filters.category not in codes:
        raise ValidationError(
            _("{value} is not a category code. Known: {codes}").format(
                value=filters.category, codes=", ".join(sorted(codes))
            ),
            "category",
        )
    if filters.stage and filters.stage not in STAGE_ZH:
        raise ValidationError(
            _("{value} is not a stage. Known: {stages}").format(
                value=filters.stage, stages=", ".join(STAGE_ZH)
            ),
            "stage",
        )


def _roster_statement(
    session: Session, filters: RosterFilters, village: Village | None
) -> Select[Any]:
    latest = RecognitionCase.__table__.alias("latest_case")
    matching = search.matches(session, filters.query or "")
    stmt: Select[Any] = (
        select(
            Person.id,
            Person.name,
            Person.sex,
            Person.id_number,
            latest.c.id,
            Village.name,
            Person.registered_unemployed_since,
            Person.phone,
        )
        .select_from(Person)
        .outerjoin(Village, Village.id == Person.village_id)
        .outerjoin(latest, latest.c.id == service.current_case_id())
        .where(Person.deleted.is_(False))
    )
    if matching is not None:  # the registry search's matches (everyone for a blank query)
        stmt = stmt.where(matching)
    if village is not None:
        stmt = stmt.where(Person.village_id == village.id)
    if filters.category:
        stmt = stmt.where(service.has_category(latest.c.id, filters.category))
    if filters.stage == NO_CASE:
        stmt = stmt.where(latest.c.id.is_(None))
    elif filters.stage == NEEDS_REVIEW:
        stmt = stmt.where(latest.c.needs_review.is_(True))
    elif filters.stage:
        stmt = stmt.where(latest.c.stage == filters.stage)
    village_order = func.coalesce(Village.sort_order, 1_000_000)
    return stmt.order_by(village_order, Person.name_pinyin, Person.id_number)


def roster_filters_text(filters: RosterFilters, village_name: str | None = None) -> str:
    """The filters as printed under the roster's title (Chinese, like the form)."""
    parts: list[str] = []
    if village_name or filters.village:
        parts.append("村/社区：" + (village_name or filters.village or ""))
    if filters.category:
        parts.append("类别：" + "".join(_labels_zh([filters.category], None)))
    if filters.stage:
        parts.append("认定状态：" + STAGE_ZH.get(filters.stage, filters.stage))
    if filters.query and not search.parse_query(filters.query).blank:
        parts.append("查询：" + filters.query.strip())
    return "；".join(parts) if parts else "全部登记人员"


def roster_title(stage: str | None, layout_dir: Path | None = None) -> tuple[str, str | None]:
    """The roster's title (Chinese, and the Uyghur line) for what it lists: the layout's
    ``[titles]`` by status filter (``all`` without one); only recognised persons make a
    就业困难人员花名册."""
    layout = load_layout("roster", layout_dir)
    titles = layout.get("titles", {})
    entry = titles.get(stage or "all") if isinstance(titles, dict) else None
    if isinstance(entry, dict) and isinstance(entry.get("zh"), str):
        ug = entry.get("ug")
        return entry["zh"], ug if isinstance(ug, str) else None
    return str(layout.get("title", "")), None


#: Ids fetched per query when a roster follows a given list of persons.
_ID_CHUNK = 500


def _ordered_rows(session: Session, stmt: Select[Any], ids: Sequence[uuid.UUID]) -> list[Any]:
    """The rows of ``stmt`` for ``ids``, in the order of ``ids`` (chunked IN queries)."""
    found: dict[uuid.UUID, Any] = {}
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = list(ids[start : start + _ID_CHUNK])
        for row in session.execute(stmt.where(Person.id.in_(chunk))):
            found[row[0]] = row
    return [found[i] for i in ids if i in found]


def _all_rows(session: Session, stmt: Select[Any]) -> list[Any]:
    return list(session.execute(stmt).all())


def roster_data(
    session: Session,
    *,
    village: str | None = None,
    category: str | None = None,
    stage: str | None = None,
    query: str | None = None,
    now: dt.datetime,
    station_code: str | None = None,
    layout_dir: Path | None = None,
    ids: Sequence[uuid.UUID] | None = None,
) -> RosterData:
    """The roster of the registered persons matching the filters (see :class:`RosterFilters`).

    Persons are listed by village (in the station's order) and then by pinyin, or, when
    ``ids`` is given (the registry list's persons, in the list's order), in that order: the
    roster then prints what the list shows.  Categories are those claimed in each person's
    current recognition case.  The title says what is listed (:func:`roster_title`).  Totals
    are counted by the form (:func:`~caseworker.forms.roster_totals`).  An unknown village,
    category or stage raises a :class:`~caseworker.core.errors.UserError`.
    """
    filters = RosterFilters(village or None, category or None, stage or None, query or None)
    _check(filters)
    place = _village(session, filters.village) if filters.village else None
    stmt = _roster_statement(session, filters, place)
    rows_found = _ordered_rows(session, stmt, ids) if ids is not None else _all_rows(session, stmt)
    codes = service.category_codes_of(session, (r[4] for r in rows_found if r[4] is not None))
    rows = tuple(
        RosterRow(
            name=name,
            sex=vocab.zh_label("sex", sex),
            id_number=id_number,
            categories=_labels_zh(codes.get(case_id, ()), layout_dir),
            village=village_name or "",
            unemployment_registered=since,
            phone=phone or "",
        )
        for _id, name, sex, id_number, case_id, village_name, since, phone in rows_found
    )
    station = _station_row(session, station_code)
    title, title_ug = roster_title(filters.stage, layout_dir)
    return RosterData(
        station=_station(station),
        rows=rows,
        filters=roster_filters_text(filters, place.name if place is not None else None),
        policy_pack_id=default_library().in_force_on(now.date()).id,
        printed_at=now,
        title=title,
        title_ug=title_ug,
    )
