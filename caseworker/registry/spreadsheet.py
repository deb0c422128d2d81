"""Import persons from the station's spreadsheet (.xlsx or .csv) and export the registry.

The template (``resources/templates/persons-template.xlsx`` and ``.csv``) has one column per
field of :data:`~caseworker.registry.fields.PERSON_FIELDS`, headed in Chinese; only 姓名 and
身份证号 are required.  The import (:mod:`caseworker.registry.importing`) checks every row
before anything is written and writes the good rows in one transaction, or none.  The export
writes every live person who is not demo data (synthetic rows never leave the program), as
text cells that no spreadsheet program takes for a formula; importing the export again gives
the same values, cell for cell.  See ``docs/import-template.md``.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseworker.core.errors import UserError
from caseworker.core.files import write_atomically
from caseworker.core.xlsxwrite import Column, SheetStats, StopWriting, Style, write_sheet
from caseworker.i18n import _
from caseworker.registry import household_import, vocab
from caseworker.registry.fields import PERSON_FIELDS, Kind
from caseworker.registry.importing import (
    ImportReport,
    NameDiffers,
    Rejected,
    Staged,
    check_file,
    import_persons,
    write_staged,
)
from caseworker.security import journal
from caseworker.security.roles import Action, require_store
from caseworker.store.models import Household, HouseholdMember, Person, Village
from caseworker.store.uow import Store

log = logging.getLogger(__name__)

__all__ = [
    "COLUMNS",
    "HEADERS",
    "ExportReport",
    "ImportReport",
    "NameDiffers",
    "Rejected",
    "Staged",
    "check_file",
    "export_notes",
    "export_persons",
    "export_rows",
    "import_persons",
    "write_staged",
    "write_template",
    "write_workbook",
]

Progress = Callable[[int, int], bool]
_WIDTHS = {"id_number": 21, "name": 18, "hukou_address": 30, "address": 26, "bank_account": 22}


def _style(kind: Kind) -> Style:
    if kind is Kind.DATE:
        return Style.DATE
    if kind in (Kind.TEXT, Kind.CODE):
        return Style.TEXT
    return Style.GENERAL


#: The export's columns: the template's headers, widths and cell formats (the person's
#: fields, then the household's key and the relation to its head).
COLUMNS = (
    *(
        Column(f.header, _WIDTHS.get(f.name, max(10, len(f.header) * 2 + 2)), _style(f.kind))
        for f in PERSON_FIELDS
    ),
    Column(household_import.KEY_HEADER, 14, Style.TEXT),
    Column(household_import.RELATION_HEADER, 12, Style.TEXT),
)
#: The template's headers.
HEADERS = tuple(column.header for column in COLUMNS)


@dataclass(frozen=True, slots=True)
class ExportReport:
    exported: int
    demo_left_out: int = 0
    pictured: int = 0  # cells of old records whose control characters were shown as symbols
    cancelled: bool = False


def _export_value(person: Person, name: str, kind: Kind, villages: dict[Any, str]) -> object:
    if kind is Kind.VILLAGE:
        return villages.get(person.village_id, "")
    value = getattr(person, name)
    if kind is Kind.BOOL:
        return "是" if value else "否"
    if kind is Kind.CODE:
        spec = next(f for f in PERSON_FIELDS if f.name == name)
        assert spec.vocabulary is not None
        return vocab.zh_label(spec.vocabulary, value)
    return value


def write_workbook(
    path: Path,
    rows: Iterator[list[object]] | list[list[object]],
    *,
    title: str,
    total: int | None = None,
    progress: Progress | None = None,
) -> SheetStats:
    """Write a sheet with the template's headers (text cells, dates as dates, a frozen
    header), atomically."""
    count = len(rows) if isinstance(rows, list) else (total or 0)
    return write_atomically(
        path,
        lambda tmp: write_sheet(
            tmp, title=title, columns=COLUMNS, rows=rows, total=count, progress=progress
        ),
    )


def _live(include_deleted: bool) -> Any:
    condition: Any = Person.demo.is_(False)
    if not include_deleted:
        condition = condition & Person.deleted.is_(False)
    return condition


def export_rows(session: Session, *, include_deleted: bool = False) -> Iterator[list[object]]:
    """The exported rows, in the registry's order, read in pages (never all at once).

    A member of a household gets its key (the station's 户编号, or the record id of a
    household made in the program, which the import finds again) and the relation to the
    head."""
    village_names = dict(session.execute(select(Village.id, Village.name)).all())
    membership = (
        select(
            HouseholdMember.person_id, HouseholdMember.relation, Household.id, Household.station_key
        )
        .join(Household, Household.id == HouseholdMember.household_id)
        .where(HouseholdMember.deleted.is_(False), Household.deleted.is_(False))
        .subquery()
    )
    stmt = (
        select(Person, membership.c.relation, membership.c.id, membership.c.station_key)
        .outerjoin(membership, membership.c.person_id == Person.id)
        .where(_live(include_deleted))
        .order_by(Person.name_pinyin, Person.id_number)
        .execution_options(yield_per=1000)
    )
    specs = [(f.name, f.kind) for f in PERSON_FIELDS]
    for person, relation, household_id, key in session.execute(stmt):
        row = [_export_value(person, name, kind, village_names) for name, kind in specs]
        if household_id is None:
            row += ["", ""]
        else:
            row += [key or str(household_id), vocab.zh_label("relation", relation)]
        yield row
        session.expunge(person)


def export_persons(
    store: Store,
    path: Path,
    *,
    include_deleted: bool = False,
    progress: Progress | None = None,
    reason: str = "",
) -> ExportReport:
    """Write the registry to ``path`` (.xlsx) with the template's headers; demo rows are left
    out (and counted).  ``progress(done, total)`` returning False cancels: no file is left."""
    require_store(store, Action.EXPORT)
    from caseworker.security.masking import check_reason

    reason = check_reason(reason, required=store.accounts_required)
    if path.suffix.lower() != ".xlsx":
        raise UserError(_("Export writes .xlsx files; name the file with .xlsx at the end."))
    demo_rows: Any = Person.demo.is_(True)
    if not include_deleted:
        demo_rows = demo_rows & Person.deleted.is_(False)
    with store.reading() as session:
        count = select(func.count()).select_from(Person)
        total = session.scalar(count.where(_live(include_deleted))) or 0
        demo = session.scalar(count.where(demo_rows)) or 0
        try:
            stats = write_workbook(
                path,
                export_rows(session, include_deleted=include_deleted),
                title="就业困难人员登记",
                total=total,
                progress=progress,
            )
        except StopWriting:
            return ExportReport(0, demo, 0, cancelled=True)
    log_export(store, "persons", stats.rows, path, reason)
    return ExportReport(stats.rows, demo, stats.pictured)


def log_export(store: Store, what: str, rows: int, path: Path, reason: str = "") -> None:
    """Write the export to the change log (who, when, what, how many rows, which file); a
    file that cannot be changed (read-only, damaged) notes it in the log file instead."""
    if store.write_refusal is not None:
        log.warning(
            "export of %s rows of %s not in the change log: the file is read-only", rows, what
        )
        return
    with store.transaction() as session:
        journal.record(
            session, journal.ACCESS, journal.act_id(what), journal.EXPORT, what,
            f"{rows} → {path.name}", reason,
        )  # fmt: skip


def export_notes(report: ExportReport) -> list[str]:
    """What the person should know about an export besides the count."""
    notes = []
    if report.demo_left_out:
        notes.append(
            _("{n} demo persons (made-up data) were left out; they are never exported.").format(
                n=report.demo_left_out
            )
        )
    if report.pictured:
        notes.append(
            _(
                "{n} cells held control characters from before they were refused; they are "
                "written as visible symbols (␛, ␀ …)."
            ).format(n=report.pictured)
        )
    return notes


def write_template(directory: Path) -> tuple[Path, Path]:
    """Write the empty import template (.xlsx and .csv) into ``directory``."""
    xlsx = directory / "persons-template.xlsx"
    write_workbook(xlsx, [], title="人员导入模板")
    csv_path = directory / "persons-template.csv"

    def write_csv(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerow(HEADERS)

    write_atomically(csv_path, write_csv)
    return xlsx, csv_path
