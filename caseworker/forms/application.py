"""就业困难人员认定申请表: the application form, laid out from ``application.toml``."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from caseworker.core.files import write_atomically
from caseworker.forms.data import ApplicationData, Category, Station
from caseworker.forms.draw import PAD, Block, block, checkbox, draw_block, signature_line
from caseworker.forms.fonts import FontSettings, load_fonts
from caseworker.forms.layout import LayoutError, load_layout, require
from caseworker.forms.page import FOOTER_HEIGHT, DrawPage, PageInfo, qr_payload, write_pdf
from caseworker.forms.text import TextStack
from caseworker.i18n import _

LABEL_FILL = Color(0.93, 0.93, 0.93)
SECTION_GAP = 0.0


def format_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month:02d}月{value.day:02d}日" if value else ""


def application_fields(data: ApplicationData) -> dict[str, str]:
    """The display text of every field a layout may name (``field = "..."``)."""
    p = data.person
    return {
        "name": p.name,
        "sex": p.sex,
        "ethnicity": p.ethnicity,
        "birth_date": format_date(p.birth_date),
        "id_number": p.id_number,
        "education": p.education,
        "health": p.health,
        "marital_status": p.marital_status,
        "phone": p.phone,
        "registered_address": p.registered_address,
        "residence_address": p.residence_address,
        "village": p.village,
        "household_size": "" if p.household_size is None else f"{p.household_size} 人",
        "unemployment_registered": format_date(p.unemployment_registered),
        "employment_card_no": p.employment_card_no,
        "name_ug": p.name_ug or "",
        "station": data.station.name,
        "station_code": data.station.code,
        "record_id": data.record_id,
    }


@dataclass(slots=True)
class Ctx:
    canvas_width: float
    left: float
    width: float
    stack: TextStack
    size: float
    ug_size: float
    bilingual: bool

    def label(self, zh: str, ug: str | None, width: float, size: float | None = None) -> Block:
        return block(
            self.stack, zh, width, size or self.size, ug if self.bilingual else None, self.ug_size
        )


class Identified(Protocol):
    """What a form's title needs: the station and the record's id."""

    @property
    def station(self) -> Station: ...
    @property
    def record_id(self) -> str: ...


class Ticked(Protocol):
    """What a block of ticked boxes needs (categories on the application, services on the
    assistance card)."""

    @property
    def categories(self) -> tuple[Category, ...]: ...


class Section:
    """Something drawn across the page: it knows its height before it is drawn."""

    height: float
    min_height: float | None = None
    """When set, the section may shrink down to this height to stay on the page."""

    def draw(self, canvas: Canvas, top: float) -> None:
        raise NotImplementedError


class Title(Section):
    def __init__(self, ctx: Ctx, layout: dict[str, Any], data: Identified) -> None:
        self.ctx = ctx
        ug = layout.get("title_ug") if ctx.bilingual else None
        self.title = block(
            ctx.stack, str(layout.get("title", "")), ctx.width, ctx.size * 1.9, ug, ctx.size
        )
        sub = f"{data.station.name}    编号：{data.record_id}"
        self.sub = block(ctx.stack, sub, ctx.width, ctx.size * 0.8)
        self.height = self.title.height + self.sub.height + 3 * mm

    def draw(self, canvas: Canvas, top: float) -> None:
        c = self.ctx
        canvas.saveState()
        canvas.setLineWidth(0.35)
        # fill and stroke (mode 2): a bold look with a regular font
        draw_block(canvas, c.stack, self.title, c.left, top, c.width, self.title.height, mode=2)
        canvas.restoreState()
        draw_block(
            canvas,
            c.stack,
            self.sub,
            c.left,
            top - self.title.height - 1 * mm,
            c.width,
            self.sub.height,
            "right",
        )


class PersonGrid(Section):
    def __init__(self, ctx: Ctx, layout: dict[str, Any], fields: dict[str, str]) -> None:
        self.ctx = ctx
        cols = [float(w) * mm for w in require(layout, "columns_mm", list, "person")]
        total = sum(cols)
        scale = ctx.width / total
        self.cols = [w * scale for w in cols]
        photo = layout.get("photo") or {}
        self.photo_rows = int(photo.get("rows", 0))
        self.photo = ctx.label(str(photo.get("label", "照片")), photo.get("ug"), self.cols[-1])
        min_h = float(layout.get("min_row_height_mm", 8)) * mm
        self.rows: list[tuple[float, list[tuple[float, float, Block, bool]]]] = []
        for r, row in enumerate(require(layout, "rows", list, "person")):
            ncols = len(self.cols) - (1 if r < self.photo_rows else 0)
            cells: list[tuple[float, float, Block, bool]] = []
            col = 0
            for cell in row:
                span = int(cell.get("span", 1))
                x = sum(self.cols[:col])
                w = sum(self.cols[col : col + span])
                if "field" in cell:
                    name = str(cell["field"])
                    if name not in fields:
                        raise LayoutError(
                            _("The form layout names an unknown field '{field}'.").format(
                                field=name
                            )
                        )
                    cells.append((x, w, block(ctx.stack, fields[name], w, ctx.size), False))
                else:
                    cells.append(
                        (x, w, ctx.label(str(cell.get("label", "")), cell.get("ug"), w), True)
                    )
                col += span
            if col != ncols:
                raise LayoutError(
                    _(
                        "Row {row} of [person] in the form layout covers {used} columns "
                        "instead of {expected}."
                    ).format(row=r + 1, used=col, expected=ncols)
                )
            height = max([min_h] + [b.height + 2 * PAD for _x, _w, b, _l in cells])
            self.rows.append((height, cells))
        self.height = sum(h for h, _c in self.rows)

    def draw(self, canvas: Canvas, top: float) -> None:
        c = self.ctx
        canvas.saveState()
        canvas.setLineWidth(0.6)
        y = top
        for height, cells in self.rows:
            for x, w, b, is_label in cells:
                if is_label:
                    canvas.setFillColor(LABEL_FILL)
                    canvas.rect(c.left + x, y - height, w, height, stroke=0, fill=1)
                    canvas.setFillColor(Color(0, 0, 0))
                canvas.rect(c.left + x, y - height, w, height, stroke=1, fill=0)
                draw_block(
                    canvas, c.stack, b, c.left + x, y, w, height, "centre" if is_label else "left"
                )
            y -= height
        if self.photo_rows:
            ph = sum(h for h, _c in self.rows[: self.photo_rows])
            px = c.left + sum(self.cols[:-1])
            canvas.rect(px, top - ph, self.cols[-1], ph, stroke=1, fill=0)
            draw_block(canvas, c.stack, self.photo, px, top, self.cols[-1], ph)
        canvas.restoreState()


class Categories(Section):
    def __init__(self, ctx: Ctx, layout: dict[str, Any], data: Ticked) -> None:
        self.ctx = ctx
        self.label_w = float(layout.get("label_width_mm", 22)) * mm
        label = str(layout.get("label", "申请类别")) + "\n" + str(layout.get("hint", ""))
        self.label = ctx.label(label.strip(), layout.get("ug"), self.label_w)
        self.ncols = max(1, int(layout.get("columns", 2)))
        self.box = 3.2 * mm
        col_w = (ctx.width - self.label_w) / self.ncols
        text_w = col_w - self.box - 2 * mm
        self.items: list[tuple[bool, Block]] = [
            (cat.checked, ctx.label(cat.label_zh, cat.label_ug, text_w, ctx.size * 0.95))
            for cat in data.categories
        ]
        self.row_heights: list[float] = []
        for i in range(0, len(self.items), self.ncols):
            chunk = self.items[i : i + self.ncols]
            self.row_heights.append(max(b.height for _c, b in chunk) + 2 * PAD)
        self.col_w = col_w
        self.height = max(sum(self.row_heights) + 2 * PAD, self.label.height + 2 * PAD)

    def draw(self, canvas: Canvas, top: float) -> None:
        c = self.ctx
        canvas.saveState()
        canvas.setLineWidth(0.6)
        canvas.setFillColor(LABEL_FILL)
        canvas.rect(c.left, top - self.height, self.label_w, self.height, stroke=0, fill=1)
        canvas.setFillColor(Color(0, 0, 0))
        canvas.rect(c.left, top - self.height, self.label_w, self.height, stroke=1, fill=0)
        canvas.rect(c.left + self.label_w, top - self.height, c.width - self.label_w, self.height)
        draw_block(canvas, c.stack, self.label, c.left, top, self.label_w, self.height)
        y = top - PAD
        for r, rh in enumerate(self.row_heights):
            for k, (checked, b) in enumerate(self.items[r * self.ncols : (r + 1) * self.ncols]):
                x = c.left + self.label_w + k * self.col_w + 1.5 * mm
                checkbox(canvas, x, y - PAD - self.box - 0.3 * mm, self.box, checked)
                draw_block(
                    canvas,
                    c.stack,
                    b,
                    x + self.box,
                    y,
                    self.col_w - self.box - 2 * mm,
                    rh,
                    "left",
                    "top",
                )
            y -= rh
        canvas.restoreState()


class Members(Section):
    def __init__(self, ctx: Ctx, layout: dict[str, Any], data: ApplicationData) -> None:
        self.ctx = ctx
        self.label_w = float(layout.get("label_width_mm", 22)) * mm
        self.label = ctx.label(str(layout.get("label", "家庭成员")), layout.get("ug"), self.label_w)
        columns = require(layout, "columns", list, "members")
        widths = [float(col.get("width_mm", 30)) * mm for col in columns]
        scale = (ctx.width - self.label_w) / sum(widths)
        self.widths = [w * scale for w in widths]
        self.header = [
            ctx.label(str(col.get("title", "")), col.get("ug"), w, ctx.size * 0.95)
            for col, w in zip(columns, self.widths, strict=True)
        ]
        self.header_h = max(b.height for b in self.header) + 2 * PAD
        rows: list[list[Block]] = []
        for m in data.members:
            values = {
                "name": m.name,
                "relation": m.relation,
                "id_number": m.id_number,
                "employment": m.employment,
            }
            rows.append(
                [
                    block(ctx.stack, values.get(str(col.get("field")), ""), w, ctx.size)
                    for col, w in zip(columns, self.widths, strict=True)
                ]
            )
        min_rows = int(layout.get("min_rows", 4))
        while len(rows) < min_rows:
            rows.append([Block((), ctx.size) for _w in self.widths])
        min_h = 7 * mm
        self.rows = [(max([min_h] + [b.height + 2 * PAD for b in r]), r) for r in rows]
        self.height = self.header_h + sum(h for h, _r in self.rows)

    def draw(self, canvas: Canvas, top: float) -> None:
        c = self.ctx
        canvas.saveState()
        canvas.setLineWidth(0.6)
        canvas.setFillColor(LABEL_FILL)
        canvas.rect(c.left, top - self.height, self.label_w, self.height, stroke=0, fill=1)
        canvas.rect(
            c.left + self.label_w,
            top - self.header_h,
            c.width - self.label_w,
            self.header_h,
            stroke=0,
            fill=1,
        )
        canvas.setFillColor(Color(0, 0, 0))
        canvas.rect(c.left, top - self.height, self.label_w, self.height)
        draw_block(canvas, c.stack, self.label, c.left, top, self.label_w, self.height)
        y = top
        for height, cells, align in [(self.header_h, self.header, "centre")] + [
            (h, r, "left") for h, r in self.rows
        ]:
            x = c.left + self.label_w
            for w, b in zip(self.widths, cells, strict=True):
                canvas.rect(x, y - height, w, height)
                draw_block(canvas, c.stack, b, x, y, w, height, align)
                x += w
            y -= height
        canvas.restoreState()


class Commitment(Section):
    def __init__(self, ctx: Ctx, layout: dict[str, Any]) -> None:
        self.ctx = ctx
        self.layout = layout
        self.label_w = float(layout.get("label_width_mm", 22)) * mm
        self.label = ctx.label(str(layout.get("label", "承诺书")), layout.get("ug"), self.label_w)
        self.text = ctx.label(
            str(layout.get("text", "")), layout.get("text_ug"), ctx.width - self.label_w
        )
        self.fp = 19 * mm
        self.height = max(
            float(layout.get("height_mm", 34)) * mm, self.text.height + self.fp + 6 * mm
        )

    def draw(self, canvas: Canvas, top: float) -> None:
        c, lay = self.ctx, self.layout
        canvas.saveState()
        canvas.setLineWidth(0.6)
        canvas.setFillColor(LABEL_FILL)
        canvas.rect(c.left, top - self.height, self.label_w, self.height, stroke=0, fill=1)
        canvas.setFillColor(Color(0, 0, 0))
        canvas.rect(c.left, top - self.height, self.label_w, self.height)
        canvas.rect(c.left + self.label_w, top - self.height, c.width - self.label_w, self.height)
        draw_block(canvas, c.stack, self.label, c.left, top, self.label_w, self.height)
        x0 = c.left + self.label_w
        draw_block(
            canvas,
            c.stack,
            self.text,
            x0 + 1 * mm,
            top - 1 * mm,
            c.width - self.label_w - 2 * mm,
            self.text.height,
            "left",
            "top",
        )
        ug = c.bilingual
        base = top - self.height + 7 * mm
        x = signature_line(
            canvas,
            c.stack,
            x0 + 3 * mm,
            base,
            str(lay.get("signature", "申请人签字")) + "：",
            38 * mm,
            c.size,
            lay.get("signature_ug") if ug else None,
        )
        fx = x + 6 * mm
        canvas.setDash(2, 2)
        canvas.rect(fx, top - self.height + 2 * mm, self.fp, self.fp)
        canvas.setDash()
        fpb = c.label(
            str(lay.get("fingerprint", "按手印")), lay.get("fingerprint_ug"), self.fp, c.size * 0.85
        )
        draw_block(canvas, c.stack, fpb, fx, top - self.height + 2 * mm + self.fp, self.fp, self.fp)
        signature_line(
            canvas,
            c.stack,
            fx + self.fp + 6 * mm,
            base,
            str(lay.get("date", "日期：")),
            0,
            c.size,
            lay.get("date_ug") if ug else None,
        )
        canvas.restoreState()


class Reviews(Section):
    def __init__(self, ctx: Ctx, blocks: list[dict[str, Any]], common: dict[str, Any]) -> None:
        self.ctx = ctx
        self.common = common
        self.n = max(1, len(blocks))
        self.w = ctx.width / self.n
        self.titles = [ctx.label(str(b.get("title", "")), b.get("ug"), self.w) for b in blocks]
        self.title_h = max(b.height for b in self.titles) + 2 * PAD
        self.height = float(common.get("height_mm", 48)) * mm + self.title_h
        self.min_height = float(common.get("min_height_mm", 30)) * mm + self.title_h

    def draw(self, canvas: Canvas, top: float) -> None:
        c, lay = self.ctx, self.common
        canvas.saveState()
        canvas.setLineWidth(0.6)
        ug = c.bilingual
        for i, title in enumerate(self.titles):
            x = c.left + i * self.w
            canvas.setFillColor(LABEL_FILL)
            canvas.rect(x, top - self.title_h, self.w, self.title_h, stroke=0, fill=1)
            canvas.setFillColor(Color(0, 0, 0))
            canvas.rect(x, top - self.title_h, self.w, self.title_h)
            canvas.rect(x, top - self.height, self.w, self.height)
            draw_block(canvas, c.stack, title, x, top, self.w, self.title_h)
            bottom = top - self.height
            size = c.size * 0.92
            date_y = bottom + (5.5 if ug else 3.5) * mm
            sig_y = date_y + (8 if ug else 6) * mm
            seal_y = sig_y + (7 if ug else 6) * mm
            seal = c.stack.prepare(str(lay.get("seal", "（盖章）")))
            c.stack.draw(canvas, x + self.w - 3 * mm, seal_y, seal, size, "right")
            if ug and lay.get("seal_ug"):
                seal_ug = c.stack.prepare(str(lay["seal_ug"]))
                c.stack.draw(
                    canvas, x + self.w - 3 * mm, seal_y - size * 1.3, seal_ug, size * 0.72, "right"
                )
            signature_line(
                canvas,
                c.stack,
                x + 2 * mm,
                sig_y,
                str(lay.get("signature", "签字：")),
                self.w * 0.45,
                size,
                lay.get("signature_ug") if ug else None,
            )
            signature_line(
                canvas,
                c.stack,
                x + 2 * mm,
                date_y,
                str(lay.get("date", "日期：")),
                0,
                size,
                lay.get("date_ug") if ug else None,
            )
        canvas.restoreState()


def _paginate(sections: list[Section], top: float, bottom: float) -> list[DrawPage]:
    pages: list[list[tuple[Section, float]]] = [[]]
    y = top
    for s in sections:
        if y - s.height < bottom and s.min_height is not None and y - s.min_height >= bottom:
            s.height = y - bottom
        if y - s.height < bottom and pages[-1]:
            pages.append([])
            y = top
        pages[-1].append((s, y))
        y -= s.height + SECTION_GAP

    def page(items: list[tuple[Section, float]]) -> DrawPage:
        def draw(canvas: Canvas) -> None:
            for s, t in items:
                s.draw(canvas, t)

        return draw

    return [page(items) for items in pages]


def build_application(
    data: ApplicationData,
    *,
    bilingual: bool = False,
    fonts: FontSettings | None = None,
    layout_dir: Path | None = None,
) -> tuple[PageInfo, list[DrawPage], TextStack, float, str]:
    layout = load_layout("application", layout_dir)
    font_set = load_fonts(fonts)
    stack = TextStack(font_set)
    margin = float(layout.get("margin_mm", 14)) * mm
    width, height = A4
    ctx = Ctx(
        width,
        margin,
        width - 2 * margin,
        stack,
        float(layout.get("font_size", 9.5)),
        float(layout.get("label_size_ug", 6.5)),
        bilingual,
    )
    fields = application_fields(data)
    reviews = layout.get("reviews", [])
    sections: list[Section] = [
        Title(ctx, layout, data),
        PersonGrid(ctx, require(layout, "person", dict, "person"), fields),
        Categories(ctx, layout.get("categories", {}), data),
        Members(ctx, require(layout, "members", dict, "members"), data),
        Commitment(ctx, layout.get("commitment", {})),
    ]
    if reviews:
        sections.append(Reviews(ctx, reviews, layout.get("review", {})))
    pages = _paginate(sections, height - margin, FOOTER_HEIGHT + 4 * mm)
    info = PageInfo(
        station=f"{data.station.name}（{data.station.code}）",
        printed_at=data.printed_at,
        policy_pack_id=data.policy_pack_id,
        qr=qr_payload("application", data.record_id, data.station.code),
        trace_label=f"记录编号：{data.record_id}",
    )
    return info, pages, stack, margin, str(layout.get("title", ""))


def render_application(
    data: ApplicationData,
    path: str | os.PathLike[str],
    *,
    bilingual: bool = False,
    fonts: FontSettings | None = None,
    layout_dir: Path | None = None,
) -> Path:
    """Write 就业困难人员认定申请表 for ``data`` to ``path`` (PDF, A4 portrait).

    ``bilingual`` prints Uyghur beneath the Chinese labels.  Raises
    :class:`~caseworker.core.errors.UserError` when fonts, the layout or the file fail.
    """
    info, pages, stack, margin, title = build_application(
        data, bilingual=bilingual, fonts=fonts, layout_dir=layout_dir
    )
    font_set = stack.fonts
    write: Callable[[Path], None] = lambda tmp: write_pdf(  # noqa: E731
        tmp, info, pages, stack, font_set, margin, title
    )
    write_atomically(path, write)
    return Path(path)
