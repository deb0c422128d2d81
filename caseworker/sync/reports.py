"""County reports: persons by station and category, the stations' exchange, cross-station
duplicates.  Each is a table that the command line prints and that saves as ``.xlsx``.

Persons held at the county (an ID number two stations registered) are counted apart, so a
duplicate is never counted twice; deleted records are not counted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from caseworker.core import wall
from caseworker.core.files import write_atomically
from caseworker.core.idcard import mask
from caseworker.i18n import N_, _
from caseworker.policy.categories import Category, category_label
from caseworker.store.models import CaseCategory, Person, RecognitionCase, Station
from caseworker.store.sync_models import SyncBundle, SyncConflict
from caseworker.store.uow import Store
from caseworker.sync import keys, receipt, setup
from caseworker.sync.replay import DUPLICATE_ID

PERSONS = "persons"
STATIONS = "stations"
DUPLICATES = "duplicates"
KINDS = (PERSONS, STATIONS, DUPLICATES)
TITLES = {
    PERSONS: N_("Persons and recognised persons by station and category"),
    STATIONS: N_("Stations: last bundle and pending conflicts"),
    DUPLICATES: N_("ID numbers registered by more than one station"),
}


@dataclass(frozen=True, slots=True)
class Report:
    kind: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    #: The columns kept as text in a spreadsheet (ID numbers, codes).
    text_columns: frozenset[int] = frozenset()


def _station_names(session: Session) -> dict[str, str]:
    names = {s.code: s.name for s in session.scalars(select(Station))}
    for peer in keys.peers(session, keys.STATION, live_only=False):
        names.setdefault(peer.code, peer.name)
    return names


def persons_report(session: Session) -> Report:
    live = and_(Person.deleted.is_(False), Person.demo.is_(False))
    counts = dict(
        session.execute(
            select(Person.station_code, func.count())
            .where(live, Person.held.is_(False))
            .group_by(Person.station_code)
        ).all()
    )
    held = dict(
        session.execute(
            select(Person.station_code, func.count()).where(live, Person.held.is_(True))
            .group_by(Person.station_code)
        ).all()
    )  # fmt: skip
    recognised = (
        select(RecognitionCase.station_code, RecognitionCase.person_id, RecognitionCase.id)
        .join(Person, Person.id == RecognitionCase.person_id)
        .where(RecognitionCase.stage == "recognised", RecognitionCase.deleted.is_(False), live)
        .subquery()
    )
    recognised_counts: dict[str, int] = dict(
        session.execute(
            select(recognised.c.station_code, func.count(func.distinct(recognised.c.person_id)))
            .group_by(recognised.c.station_code)
        ).all()
    )  # fmt: skip
    by_category: dict[str, dict[str, int]] = defaultdict(dict)
    for code, category, n in session.execute(
        select(recognised.c.station_code, CaseCategory.category, func.count(func.distinct(recognised.c.person_id)))
        .join(CaseCategory, and_(CaseCategory.case_id == recognised.c.id, CaseCategory.deleted.is_(False)))
        .group_by(recognised.c.station_code, CaseCategory.category)
    ):  # fmt: skip
        by_category[code][category] = n
    names = _station_names(session)
    codes = sorted(set(counts) | set(held) | set(recognised_counts))
    categories = list(Category)
    rows: list[list[object]] = []
    for code in codes:
        rows.append(
            [code, names.get(code, ""), counts.get(code, 0), held.get(code, 0),
             recognised_counts.get(code, 0), *(by_category[code].get(c, 0) for c in categories)]
        )  # fmt: skip
    if rows:
        rows.append(
            [_("Total"), "", *(sum(int(r[i]) for r in rows) for i in range(2, len(rows[0])))]  # type: ignore[call-overload]
        )
    columns = [
        _("Station code"), _("Station"), _("Persons"), _("Held (duplicates)"),
        _("Recognised persons"), *(category_label(c) for c in categories),
    ]  # fmt: skip
    return Report(PERSONS, _(TITLES[PERSONS]), columns, rows, frozenset({0}))


def stations_report(session: Session) -> Report:
    names = _station_names(session)
    last = receipt.last_bundles(session)
    peers = keys.peers(session, keys.STATION, live_only=False)
    held = dict(
        session.execute(
            select(SyncBundle.station_code, func.count())
            .where(SyncBundle.direction == "in", SyncBundle.status == "held")
            .group_by(SyncBundle.station_code)
        ).all()
    )
    open_conflicts: dict[str, int] = defaultdict(int)
    for item in session.scalars(select(SyncConflict).where(SyncConflict.status == "open")):
        for code in conflict_stations(session, item):
            open_conflicts[code] += 1
    codes = sorted({p.code for p in peers} | set(last))
    rows: list[list[object]] = []
    for code in codes:
        live_keys = [p for p in peers if p.code == code and p.revoked_at is None]
        when = last.get(code)
        rows.append(
            [code, names.get(code, ""), len(live_keys),
             when.astimezone(wall.local_now().tzinfo).strftime("%Y-%m-%d %H:%M") if when else _("never"),
             held.get(code, 0), open_conflicts.get(code, 0)]
        )  # fmt: skip
    columns = [
        _("Station code"), _("Station"), _("Keys"), _("Last bundle"), _("Bundles held"),
        _("Open conflicts"),
    ]  # fmt: skip
    return Report(STATIONS, _(TITLES[STATIONS]), columns, rows, frozenset({0}))


def conflict_stations(session: Session, item: SyncConflict) -> set[str]:
    """The stations a conflict concerns (the parties' owners, or the station whose change it is
    and the record's owner)."""
    found = {item.station_code} if item.station_code else set()
    ids = [str(p) for p in json.loads(item.detail or "{}").get("parties", [])]
    if item.entity_id is not None:
        ids.append(str(item.entity_id))
    if ids and item.entity == "person":
        import uuid

        found.update(
            session.scalars(
                select(Person.station_code).where(Person.id.in_([uuid.UUID(i) for i in ids]))
            )
        )
    return found


def duplicates_report(session: Session, *, full_ids: bool = False) -> Report:
    names = _station_names(session)
    rows: list[list[object]] = []
    items = session.scalars(
        select(SyncConflict).where(SyncConflict.kind == DUPLICATE_ID).order_by(SyncConflict.key)
    ).all()
    for item in items:
        detail = json.loads(item.detail or "{}")
        number = str(detail.get("id_number", ""))
        import uuid

        for party in detail.get("parties", []):
            person = session.get(Person, uuid.UUID(party))
            if person is None:
                continue
            rows.append(
                [number if full_ids else mask(number), str(item.id)[:8],
                 _("open") if item.status == "open" else _("resolved"), person.station_code,
                 names.get(person.station_code, ""), person.name, person.birth_date.isoformat(),
                 _("deleted") if person.deleted else "", str(person.id)]
            )  # fmt: skip
    columns = [
        _("ID number"), _("Conflict"), _("Status"), _("Station code"), _("Station"), _("Name"),
        _("Birth date"), _("Deleted"), _("Record id"),
    ]  # fmt: skip
    return Report(DUPLICATES, _(TITLES[DUPLICATES]), columns, rows, frozenset({0, 3, 8}))


def report(store: Store, kind: str, *, full_ids: bool = False) -> Report:
    setup.require_county(store)
    with store.reading() as session:
        if kind == PERSONS:
            return persons_report(session)
        if kind == STATIONS:
            return stations_report(session)
        return duplicates_report(session, full_ids=full_ids)


def write_xlsx(found: Report, path: Path, subtitle: str = "") -> Path:
    """The report as a workbook: title, subtitle, a bold header row, text kept as text (an
    ID number never becomes a number, and nothing becomes a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = found.kind
    sheet.append([found.title])
    sheet["A1"].font = Font(size=14, bold=True)
    sheet.append(
        [subtitle or _("Made {when}").format(when=wall.local_now().strftime("%Y-%m-%d %H:%M"))]
    )
    sheet.append(found.columns)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for values in found.rows:
        sheet.append([None] * len(values))
        row = sheet.max_row
        for index, value in enumerate(values):
            cell = sheet.cell(row=row, column=index + 1)
            cell.value = value if not isinstance(value, dt.date) else value.isoformat()
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            if index in found.text_columns:
                cell.number_format = "@"
    for index, name in enumerate(found.columns, start=1):
        width = max([len(str(name))] + [len(str(r[index - 1])) for r in found.rows]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 50)
    sheet.freeze_panes = "A4"
    write_atomically(path, lambda tmp: book.save(str(tmp)))
    return path


def as_text(found: Report) -> list[str]:
    """The report as lines of text (tab-separated columns)."""
    lines = [found.title, "\t".join(found.columns)]
    lines += ["\t".join(str(v) for v in row) for row in found.rows]
    return lines
