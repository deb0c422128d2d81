"""Import persons from the station's spreadsheet (.xlsx or .csv) and export the registry.

The template (``resources/templates/persons-template.xlsx`` and ``.csv``) has one column per
field of :data:`~caseworker.registry.fields.PERSON_FIELDS`, headed in Chinese; only 姓名 and
身份证号 are required.  Every row is validated before anything is written; rows whose ID
number is already registered are skipped (so importing the same file twice adds nothing);
the good rows go in as one transaction; the report lists each rejected row with its line
number and reason.  See ``docs/import-template.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseworker.core.errors import UserError
from caseworker.core.files import write_atomically
from caseworker.i18n import _
from caseworker.registry import persons, vocab
from caseworker.registry.fields import BY_HEADER, PERSON_FIELDS, Kind
from caseworker.store.models import Person, Village
from caseworker.store.uow import Store

Progress = Callable[[int, int], bool]
REQUIRED_HEADERS = ("姓名", "身份证号")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    reason: str
    name: str = ""
    id_number: str = ""


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    already_registered: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    possible_duplicates: list[tuple[int, str]] = field(default_factory=list)
    cancelled: bool = False


def _cell_text(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[object]]]]:
    """Headers and (line number, cells) of the first sheet or the CSV file."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise UserError(_("The file {path} does not exist.").format(path=path))
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    raise UserError(
        _("Import reads .xlsx or .csv files, not {suffix}.").format(suffix=suffix or path.name)
    )


def _read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, list[object]]]]:
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise UserError(_("The file's text encoding is not UTF-8 or GB18030."))
    reader = csv.reader(io.StringIO(text))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise UserError(_("The file is empty.")) from None
    rows: list[tuple[int, list[object]]] = [
        (index, list(row)) for index, row in enumerate(reader, start=2)
    ]
    return headers, iter(rows)


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, list[object]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UserError(
            _("The file {path} cannot be read as a spreadsheet: {error}").format(
                path=path.name, error=exc
            )
        ) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        book.close()
        raise UserError(_("The file is empty.")) from None
    data = [(index, [_cell_text(c) for c in row]) for index, row in enumerate(rows, start=2)]
    book.close()
    return headers, iter(data)


def _is_blank(cells: Sequence[object]) -> bool:
    return all(c is None or str(c).strip() == "" for c in cells)


def import_persons(
    store: Store,
    path: Path,
    *,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    headers, rows = read_rows(path)
    missing = [h for h in REQUIRED_HEADERS if h not in headers]
    if missing:
        raise UserError(
            _("The file has no column {headers}; use the import template.").format(
                headers="、".join(missing)
            )
        )
    report = ImportReport(ignored_columns=[h for h in headers if h and h not in BY_HEADER])
    columns = [(i, BY_HEADER[h].name) for i, h in enumerate(headers) if h in BY_HEADER]
    with store.transaction() as session:
        villages = persons.village_names(session, store.station_code)
        registered = set(session.scalars(select(Person.id_number)))
        seen: dict[str, int] = {}
        good: list[tuple[int, persons.PersonData]] = []
        all_rows = list(rows)
        total = len(all_rows)
        for done, (line, cells) in enumerate(all_rows, start=1):
            if _is_blank(cells):
                continue
            report.rows += 1
            raw = {name: cells[i] if i < len(cells) else None for i, name in columns}
            try:
                data = persons.validate(raw, villages=villages, today=today)
            except persons.FieldErrors as exc:
                report.rejected.append(
                    Rejected(
                        line,
                        _describe_errors(exc),
                        str(raw.get("name") or ""),
                        str(raw.get("id_number") or ""),
                    )
                )
                continue
            if data.id_number in registered:
                report.already_registered.append((line, data.id_number))
            elif data.id_number in seen:
                report.rejected.append(
                    Rejected(
                        line,
                        _("The same ID number is on line {line}.").format(
                            line=seen[data.id_number]
                        ),
                        data.name,
                        data.id_number,
                    )
                )
            else:
                seen[data.id_number] = line
                good.append((line, data))
            if progress is not None and done % 200 == 0 and not progress(done, total * 2):
                report.cancelled = True
                session.rollback()
                return report
        if dry_run:
            report.imported = 0
            session.rollback()
            return report
        for done, (line, data) in enumerate(good, start=1):
            result = persons.register(session, data)
            for other in result.possible_duplicates:
                report.possible_duplicates.append((line, persons.describe(other)))
            if progress is not None and done % 200 == 0 and not progress(total + done, total * 2):
                report.cancelled = True
                session.rollback()
                return report
        report.imported = len(good)
    return report


def _describe_errors(exc: persons.FieldErrors) -> str:
    labels = {f.name: f.header for f in PERSON_FIELDS}
    return "；".join(f"{labels.get(k, k)}: {v}" for k, v in exc.errors.items())


def _export_value(person: Person, name: str, villages: dict[Any, str]) -> object:
    spec = next(f for f in PERSON_FIELDS if f.name == name)
    if spec.kind is Kind.VILLAGE:
        return villages.get(person.village_id, "")
    value = getattr(person, name)
    if spec.kind is Kind.BOOL:
        return "是" if value else "否"
    if spec.kind is Kind.CODE:
        assert spec.vocabulary is not None
        return vocab.zh_label(spec.vocabulary, value)
    if value is None:
        return ""
    return value


def write_workbook(path: Path, rows: Sequence[Sequence[object]], *, title: str) -> None:
    """Write a sheet with the template headers (text ID numbers, frozen header), atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    headers = [f.header for f in PERSON_FIELDS]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    text_columns = {i + 1 for i, f in enumerate(PERSON_FIELDS) if f.kind is Kind.TEXT}
    for row in rows:
        sheet.append(list(row))
    for index, spec in enumerate(PERSON_FIELDS, start=1):
        letter = get_column_letter(index)
        width = {
            "id_number": 21,
            "name": 18,
            "hukou_address": 30,
            "address": 26,
            "bank_account": 22,
        }.get(spec.name, max(10, len(spec.header) * 2 + 2))
        sheet.column_dimensions[letter].width = width
        if index in text_columns or spec.kind is Kind.CODE:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"
        if spec.kind is Kind.DATE:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    write_atomically(path, book.save)


def export_persons(store: Store, path: Path, *, include_deleted: bool = False) -> int:
    """Write the registry to ``path`` (.xlsx) with the template's headers; returns the count."""
    if path.suffix.lower() != ".xlsx":
        raise UserError(_("Export writes .xlsx files; name the file with .xlsx at the end."))
    with store.reading() as session:
        rows = export_rows(session, include_deleted=include_deleted)
    write_workbook(path, rows, title="就业困难人员登记")
    return len(rows)


def export_rows(session: Session, *, include_deleted: bool = False) -> list[list[object]]:
    village_names = dict(session.execute(select(Village.id, Village.name)).all())
    stmt = select(Person).order_by(Person.name_pinyin, Person.id_number)
    if not include_deleted:
        stmt = stmt.where(Person.deleted.is_(False))
    return [
        [_export_value(p, f.name, village_names) for f in PERSON_FIELDS]
        for p in session.scalars(stmt)
    ]


def write_template(directory: Path) -> tuple[Path, Path]:
    """Write the empty import template (.xlsx and .csv) into ``directory``."""
    xlsx = directory / "persons-template.xlsx"
    write_workbook(xlsx, [], title="人员导入模板")
    csv_path = directory / "persons-template.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerow([f.header for f in PERSON_FIELDS])
    return xlsx, csv_path
