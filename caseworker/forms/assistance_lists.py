"""帮扶记录表 (a person's contacts), 就业援助台账 (the station's monthly ledger) and
零就业家庭名单 as PDF (the list pipeline of :mod:`caseworker.forms.lists`: header row on every
page, the traceable footer with its QR code) and, for the two station lists, as Excel."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.units import mm

from caseworker.core.idcard import mask
from caseworker.forms.application import format_date
from caseworker.forms.assistance_data import ContactRecordData, FamilyListData, LedgerData
from caseworker.forms.excel import HEADER_ROW, _save, _sheet
from caseworker.forms.fonts import FontSettings
from caseworker.forms.layout import load_layout
from caseworker.forms.lists import _list_layout, _title, _write_list
from caseworker.forms.page import list_hash

CONTACT_KEYS = ("index", "date", "channel", "services", "note", "worker", "next", "remark")
LEDGER_KEYS = (
    "index", "name", "sex", "id_masked", "village", "basis", "worker", "contacts", "services",
    "offers", "employment", "next", "remark",
)  # fmt: skip
FAMILY_KEYS = (
    "index",
    "head",
    "id_masked",
    "village",
    "members",
    "identified",
    "deadline",
    "days",
    "state",
)


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def contact_rows(data: ContactRecordData) -> list[dict[str, str]]:
    return [
        {
            "index": str(i), "date": _iso(line.on), "channel": line.channel,
            "services": line.services, "note": line.note, "worker": line.worker,
            "next": _iso(line.next_on), "remark": line.remark,
        }
        for i, line in enumerate(data.lines, start=1)
    ]  # fmt: skip


def ledger_rows(data: LedgerData) -> list[dict[str, str]]:
    return [
        {
            "index": str(i), "name": line.name, "sex": line.sex,
            "id_masked": mask(line.id_number), "village": line.village, "basis": line.basis,
            "worker": line.worker, "contacts": str(line.contacts), "services": line.services,
            "offers": line.offers, "employment": line.employment, "next": _iso(line.next_on),
            "remark": line.remark,
        }
        for i, line in enumerate(data.lines, start=1)
    ]  # fmt: skip


def family_rows(data: FamilyListData) -> list[dict[str, str]]:
    return [
        {
            "index": str(i), "head": line.head, "id_masked": mask(line.id_number) if line.id_number else "",
            "village": line.village, "members": str(line.members),
            "identified": _iso(line.identified_on), "deadline": _iso(line.deadline),
            "days": str(line.days_open), "state": line.state,
        }
        for i, line in enumerate(data.lines, start=1)
    ]  # fmt: skip


def ledger_id(data: LedgerData) -> str:
    return list_hash(
        [data.station.code, data.month.isoformat(), *(line.id_number for line in data.lines)]
    )


def family_list_id(data: FamilyListData) -> str:
    return list_hash(
        [data.station.code, data.on.isoformat(), *(line.id_number for line in data.lines)]
    )


def ledger_heading(template: str, data: LedgerData) -> str:
    return template.format(
        station=data.station.name, year=data.month.year, month=data.month.month,
        until=format_date(data.until),
    )  # fmt: skip


def ledger_totals(template: str, data: LedgerData) -> str:
    persons, contacts, offered = data.totals
    return template.format(persons=persons, contacts=contacts, offered=offered)


def family_heading(template: str, data: FamilyListData) -> str:
    return template.format(
        station=data.station.name, on=format_date(data.on), days=data.clearing_days,
        source=data.clearing_source,
    )  # fmt: skip


def family_totals(template: str, data: FamilyListData) -> str:
    overdue = sum(1 for line in data.lines if line.state == "超期未清零")
    return template.format(count=len(data.lines), overdue=overdue)


def _render(
    name: str,
    keys: tuple[str, ...],
    rows: list[dict[str, str]],
    heading: str,
    trailer: tuple[str, str | None],
    kind: str,
    ident: str,
    data: Any,
    path: str | os.PathLike[str],
    bilingual: bool,
    fonts: FontSettings | None,
    layout_dir: Path | None,
) -> Path:
    layout = load_layout(name, layout_dir)
    lay, margin, landscape = _list_layout(layout, keys, fonts, bilingual)
    title = str(layout.get("title", ""))
    _title(lay, layout, title)
    lay.preamble.append(lay.para(heading, size=lay.size * 0.95, space_before=1 * mm))
    lay.continued = lay.para(title + str(layout.get("continued", "")), size=lay.size * 0.9)
    text, ug = trailer
    lay.trailer.append(lay.para(text, ug, space_before=3 * mm, mode=2 if ug else 0))
    cells = [[r[c.key] for c in lay.columns] for r in rows]
    return _write_list(path, kind, ident, data, lay, cells, margin, landscape, title)


def render_contact_record(
    data: ContactRecordData,
    path: str | os.PathLike[str],
    *,
    bilingual: bool = False,
    fonts: FontSettings | None = None,
    layout_dir: Path | None = None,
) -> Path:
    """Write a person's 帮扶记录表 (PDF, A4 landscape; their own form: the full ID number)."""
    layout = load_layout("contact_record", layout_dir)
    heading = str(layout.get("heading", "")).format(
        name=data.name, id_number=data.id_number, village=data.village, worker=data.worker,
        opened=format_date(data.opened_on),
    )  # fmt: skip
    trailer = (str(layout.get("signatures", "")), layout.get("signatures_ug"))
    return _render(
        "contact_record", CONTACT_KEYS, contact_rows(data), heading, trailer, "contact_record",
        data.record_id, data, path, bilingual, fonts, layout_dir,
    )  # fmt: skip


def render_ledger(
    data: LedgerData,
    path: str | os.PathLike[str],
    *,
    bilingual: bool = False,
    fonts: FontSettings | None = None,
    layout_dir: Path | None = None,
) -> Path:
    """Write the station's 就业援助台账 of a month (PDF, A4 landscape, ID numbers masked)."""
    layout = load_layout("ledger", layout_dir)
    heading = ledger_heading(str(layout.get("heading", "")), data)
    trailer = (ledger_totals(str(layout.get("totals", "")), data), layout.get("totals_ug"))
    return _render(
        "ledger", LEDGER_KEYS, ledger_rows(data), heading, trailer, "ledger", ledger_id(data),
        data, path, bilingual, fonts, layout_dir,
    )  # fmt: skip


def render_zero_families(
    data: FamilyListData,
    path: str | os.PathLike[str],
    *,
    bilingual: bool = False,
    fonts: FontSettings | None = None,
    layout_dir: Path | None = None,
) -> Path:
    """Write the 零就业家庭名单 (PDF, A4 landscape, ID numbers masked)."""
    layout = load_layout("zero_families", layout_dir)
    heading = family_heading(str(layout.get("heading", "")), data)
    trailer = (family_totals(str(layout.get("totals", "")), data), layout.get("totals_ug"))
    return _render(
        "zero_families", FAMILY_KEYS, family_rows(data), heading, trailer, "zero_families",
        family_list_id(data), data, path, bilingual, fonts, layout_dir,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------


def _workbook(
    title: str,
    sheet: str,
    subtitle: str,
    layout: dict[str, Any],
    keys: tuple[str, ...],
    rows: list[dict[str, str]],
    totals: str,
    path: str | os.PathLike[str],
) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    columns = [
        (str(c["title"]), max(6.0, float(c.get("width_mm", 20)) / 2.2), c["key"] == "id_masked")
        for c in layout["columns"]
        if c["key"] in keys
    ]
    order = [c["key"] for c in layout["columns"] if c["key"] in keys]
    values = [[int(r[k]) if k == "index" else r[k] for k in order] for r in rows]
    _sheet(ws, title, subtitle, columns, values)
    last = HEADER_ROW + len(values) + 2
    ws.cell(row=last, column=1, value=totals).font = Font(bold=True)
    return _save(wb, path)


def write_ledger_xlsx(data: LedgerData, path: str | os.PathLike[str]) -> Path:
    layout = load_layout("ledger")
    subtitle = (
        f"{ledger_heading(str(layout.get('heading', '')), data)}  名单编号：{ledger_id(data)}"
    )
    return _workbook(
        str(layout.get("title", "")), "援助台账", subtitle, layout, LEDGER_KEYS, ledger_rows(data),
        ledger_totals(str(layout.get("totals", "")), data), path,
    )  # fmt: skip


def write_zero_families_xlsx(data: FamilyListData, path: str | os.PathLike[str]) -> Path:
    layout = load_layout("zero_families")
    subtitle = (
        f"{family_heading(str(layout.get('heading', '')), data)}  名单编号：{family_list_id(data)}"
    )
    return _workbook(
        str(layout.get("title", "")), "零就业家庭", subtitle, layout, FAMILY_KEYS,
        family_rows(data), family_totals(str(layout.get("totals", "")), data), path,
    )  # fmt: skip
