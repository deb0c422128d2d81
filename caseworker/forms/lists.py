"""就业困难人员认定公示名单 (public notice) and 就业困难人员花名册 (roster) as PDF."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Protocol

from reportlab.lib.units import mm

from caseworker.core.files import write_atomically
from caseworker.core.idcard import mask
from caseworker.forms.application import format_date
from caseworker.forms.data import NoticeData, RosterData, Station, roster_totals
from caseworker.forms.fonts import FontSettings, load_fonts
from caseworker.forms.layout import load_layout
from caseworker.forms.page import (
    FOOTER_HEIGHT,
    PageInfo,
    list_hash,
    page_size,
    qr_payload,
    write_pdf,
)
from caseworker.forms.table import ListLayout, build_pages, columns_from_layout
from caseworker.forms.text import TextStack

NOTICE_KEYS = ("index", "name", "sex", "age", "categories", "village", "id_masked")
ROSTER_KEYS = (
    "index",
    "name",
    "sex",
    "id_number",
    "categories",
    "village",
    "unemployment_registered",
    "phone",
    "signature",
)
CATEGORY_SEPARATOR = "；"


def iso(d: dt.date) -> str:
    return d.isoformat()


def notice_id(data: NoticeData) -> str:
    """The list id printed in the QR code: ``data.list_id`` or a hash of the list."""
    if data.list_id:
        return data.list_id
    parts = [data.station.code, iso(data.period_start), iso(data.period_end)]
    parts += [p.id_number for p in data.persons]
    return list_hash(parts)


def roster_id(data: RosterData) -> str:
    if data.list_id:
        return data.list_id
    return list_hash([data.station.code, data.filters] + [r.id_number for r in data.rows])


def notice_rows(data: NoticeData) -> list[dict[str, str]]:
    """One dict per person with the text of every notice column (ID numbers masked)."""
    return [
        {
            "index": str(i),
            "name": p.name,
            "sex": p.sex,
            "age": str(p.age),
            "categories": CATEGORY_SEPARATOR.join(p.categories),
            "village": p.village,
            "id_masked": mask(p.id_number),
        }
        for i, p in enumerate(data.persons, start=1)
    ]


def roster_rows(data: RosterData) -> list[dict[str, str]]:
    """One dict per row with the text of every roster column (ID numbers in full)."""
    return [
        {
            "index": str(i),
            "name": r.name,
            "sex": r.sex,
            "id_number": r.id_number,
            "categories": CATEGORY_SEPARATOR.join(r.categories),
            "village": r.village,
            "unemployment_registered": iso(r.unemployment_registered)
            if r.unemployment_registered
            else "",
            "phone": r.phone,
            "signature": "",
        }
        for i, r in enumerate(data.rows, start=1)
    ]


def notice_text(template: str, data: NoticeData) -> str:
    return template.format(
        station=data.station.name,
        start=format_date(data.period_start),
        end=format_date(data.period_end),
        days=data.working_days,
        contact=data.contact_name,
        phone=data.contact_phone,
        count=len(data.persons),
    )


def _list_layout(
    layout: dict[str, Any], keys: tuple[str, ...], fonts: FontSettings | None, bilingual: bool
) -> tuple[ListLayout, float, bool]:
    landscape = bool(layout.get("landscape", False))
    width, height = page_size(landscape)
    margin = float(layout.get("margin_mm", 14)) * mm
    stack = TextStack(load_fonts(fonts))
    lay = ListLayout(
        stack=stack,
        left=margin,
        width=width - 2 * margin,
        top=height - margin,
        bottom=FOOTER_HEIGHT + 4 * mm,
        columns=columns_from_layout(layout, width - 2 * margin, keys),
        size=float(layout.get("font_size", 9.5)),
        ug_size=float(layout.get("label_size_ug", 6.5)),
        bilingual=bilingual,
        min_row_height=float(layout.get("row_height_mm", 7)) * mm,
    )
    return lay, margin, landscape


def _title(lay: ListLayout, layout: dict[str, Any], title: str, ug: str | None = None) -> None:
    lay.preamble.append(lay.para(title, ug or layout.get("title_ug"), lay.size * 1.8, "centre", 2))


def render_notice(
    data: NoticeData,
    path: str | os.PathLike[str],
    *,
    bilingual: bool = False,
    fonts: FontSettings | None = None,
    layout_dir: Path | None = None,
) -> Path:
    """Write 就业困难人员认定公示名单 to ``path`` (PDF, ID numbers masked)."""
    layout = load_layout("notice", layout_dir)
    lay, margin, landscape = _list_layout(layout, NOTICE_KEYS, fonts, bilingual)
    _title(lay, layout, str(layout.get("title", "")))
    lay.preamble.append(
        lay.para(
            notice_text(str(layout.get("text", "")), data),
            layout.get("text_ug"),
            space_before=1 * mm,
        )
    )
    lay.preamble.append(lay.para("", space_before=1 * mm))
    lay.trailer.append(
        lay.para(
            notice_text(str(layout.get("footer", "")), data),
            layout.get("footer_ug"),
            space_before=2 * mm,
        )
    )
    signed = notice_text(str(layout.get("signed", "{station}")), data)
    lay.trailer.append(lay.para(signed, align="right", space_before=4 * mm))
    lay.trailer.append(lay.para(format_date(data.printed_at.date()), align="right"))
    rows = [[r[c.key] for c in lay.columns] for r in notice_rows(data)]
    title = str(layout.get("title", ""))
    return _write_list(path, "notice", notice_id(data), data, lay, rows, margin, landscape, title)


def render_roster(
    data: RosterData,
    path: str | os.PathLike[str],
    *,
    bilingual: bool = False,
    fonts: FontSettings | None = None,
    layout_dir: Path | None = None,
) -> Path:
    """Write 就业困难人员花名册 to ``path`` (PDF, A4 landscape, header row on every page,
    totals at the end)."""
    layout = load_layout("roster", layout_dir)
    lay, margin, landscape = _list_layout(layout, ROSTER_KEYS, fonts, bilingual)
    title = data.title or str(layout.get("title", ""))
    _title(lay, layout, title, data.title_ug)
    lay.preamble.append(lay.para(f"{data.station.name}    {data.filters}", size=lay.size * 0.9))
    lay.continued = lay.para(title + str(layout.get("continued", "")), size=lay.size * 0.9)
    totals = roster_totals(data.rows)
    count = str(layout.get("count", "共 {count} 人")).format(count=totals.count)
    by_cat = "，".join(f"{label} {n} 人" for label, n in totals.by_category)
    by_sex = "，".join(f"{sex} {n} 人" for sex, n in totals.by_sex)
    lay.trailer.append(
        lay.para(
            f"{layout.get('totals', '合计')}：{count}",
            layout.get("totals_ug"),
            space_before=2 * mm,
            mode=2,
        )
    )
    lay.trailer.append(lay.para(f"{layout.get('by_category', '按类别')}：{by_cat}"))
    lay.trailer.append(lay.para(f"{layout.get('by_sex', '按性别')}：{by_sex}"))
    rows = [[r[c.key] for c in lay.columns] for r in roster_rows(data)]
    return _write_list(path, "roster", roster_id(data), data, lay, rows, margin, landscape, title)


class ListSource(Protocol):
    """What the page footer of a list needs from its data."""

    @property
    def station(self) -> Station: ...
    @property
    def printed_at(self) -> dt.datetime: ...
    @property
    def policy_pack_id(self) -> str: ...


def _write_list(
    path: str | os.PathLike[str],
    kind: str,
    ident: str,
    data: ListSource,
    lay: Any,
    rows: list[list[Any]],
    margin: float,
    landscape: bool,
    title: str,
) -> Path:
    """Paginate a list and write it with the traceable page footer (QR of the list id)."""
    pages = build_pages(lay, rows)
    info = PageInfo(
        station=f"{data.station.name}（{data.station.code}）",
        printed_at=data.printed_at,
        policy_pack_id=data.policy_pack_id,
        qr=qr_payload(kind, ident, data.station.code),
        trace_label=f"名单编号：{ident}",
        landscape=landscape,
    )
    write_atomically(
        path, lambda tmp: write_pdf(tmp, info, pages, lay.stack, lay.stack.fonts, margin, title)
    )
    return Path(path)
