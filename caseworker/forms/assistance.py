"""就业援助卡: the assistance card with the agreement (援助协议, 一人一策), laid out from
``assistance_card.toml`` with the application form's sections (title, grid of fields, ticked
boxes, the station's box with its seal) and two of its own (rows of label and text, the
agreement with the signatures of the person and of the responsible caseworker)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from caseworker.core.files import write_atomically
from caseworker.forms.application import (
    LABEL_FILL,
    Categories,
    Ctx,
    PersonGrid,
    Reviews,
    Section,
    Title,
    _paginate,
    format_date,
)
from caseworker.forms.assistance_data import CardData
from caseworker.forms.draw import PAD, block, draw_block, signature_line
from caseworker.forms.fonts import FontSettings, load_fonts
from caseworker.forms.layout import load_layout, require
from caseworker.forms.page import FOOTER_HEIGHT, PageInfo, qr_payload, write_pdf
from caseworker.forms.text import TextStack

BLACK = Color(0, 0, 0)


def card_fields(data: CardData) -> dict[str, str]:
    """The display text of every field the card's layout may name."""
    return {
        "name": data.name,
        "sex": data.sex,
        "ethnicity": data.ethnicity,
        "birth_date": format_date(data.birth_date),
        "id_number": data.id_number,
        "phone": data.phone,
        "village": data.village,
        "address": data.address,
        "basis": data.basis,
        "recognised_categories": data.recognised_categories,
        "worker": data.worker,
        "opened_on": format_date(data.opened_on),
        "signed_on": format_date(data.signed_on),
        "target_on": format_date(data.target_on),
        "family_situation": data.family_situation,
        "unemployment_reason": data.unemployment_reason,
        "skills": data.skills,
        "training_wish": data.training_wish,
        "job_intention": data.job_intention,
        "measures": data.measures,
        "outcome": data.outcome,
        "closed": data.closed,
    }


def _label_box(canvas: Canvas, ctx: Ctx, top: float, width: float, height: float) -> None:
    canvas.setFillColor(LABEL_FILL)
    canvas.rect(ctx.left, top - height, width, height, stroke=0, fill=1)
    canvas.setFillColor(BLACK)
    canvas.rect(ctx.left, top - height, width, height)
    canvas.rect(ctx.left + width, top - height, ctx.width - width, height)


class LabelledRows(Section):
    """Rows of a label and a text (the five headings; the result of the assistance)."""

    def __init__(self, ctx: Ctx, layout: dict[str, Any], fields: dict[str, str]) -> None:
        self.ctx = ctx
        self.label_w = float(layout.get("label_width_mm", 26)) * mm
        min_h = float(layout.get("min_row_height_mm", 8)) * mm
        text_w = ctx.width - self.label_w
        self.rows = []
        for row in require(layout, "rows", list, "rows"):
            head = ctx.label(str(row.get("label", "")), row.get("ug"), self.label_w)
            text = block(ctx.stack, fields.get(str(row.get("key")), ""), text_w, ctx.size)
            height = max(min_h, head.height + 2 * PAD, text.height + 2 * PAD)
            self.rows.append((height, head, text))
        self.height = sum(h for h, _h, _t in self.rows)

    def draw(self, canvas: Canvas, top: float) -> None:
        c = self.ctx
        canvas.saveState()
        canvas.setLineWidth(0.6)
        y = top
        for height, head, text in self.rows:
            _label_box(canvas, c, y, self.label_w, height)
            draw_block(canvas, c.stack, head, c.left, y, self.label_w, height)
            draw_block(
                canvas,
                c.stack,
                text,
                c.left + self.label_w,
                y,
                c.width - self.label_w,
                height,
                "left",
            )
            y -= height
        canvas.restoreState()


class TextBox(Section):
    """A label and a block of text (the measures agreed)."""

    def __init__(self, ctx: Ctx, layout: dict[str, Any], text: str) -> None:
        self.ctx = ctx
        self.label_w = float(layout.get("label_width_mm", 26)) * mm
        self.head = ctx.label(str(layout.get("label", "")), layout.get("ug"), self.label_w)
        self.text = block(ctx.stack, text, ctx.width - self.label_w, ctx.size)
        self.height = max(
            float(layout.get("min_height_mm", 14)) * mm,
            self.text.height + 2 * PAD,
            self.head.height + 2 * PAD,
        )

    def draw(self, canvas: Canvas, top: float) -> None:
        c = self.ctx
        canvas.saveState()
        canvas.setLineWidth(0.6)
        _label_box(canvas, c, top, self.label_w, self.height)
        draw_block(canvas, c.stack, self.head, c.left, top, self.label_w, self.height)
        draw_block(
            canvas, c.stack, self.text, c.left + self.label_w, top, c.width - self.label_w,
            self.height, "left", "top",
        )  # fmt: skip
        canvas.restoreState()


class Agreement(Section):
    """援助协议: the text, then the signatures of the person and of the caseworker."""

    def __init__(self, ctx: Ctx, layout: dict[str, Any], signed: str) -> None:
        self.ctx = ctx
        self.layout = layout
        self.signed = signed
        self.label_w = float(layout.get("label_width_mm", 26)) * mm
        self.head = ctx.label(str(layout.get("label", "援助协议")), layout.get("ug"), self.label_w)
        self.text = ctx.label(
            str(layout.get("text", "")), layout.get("text_ug"), ctx.width - self.label_w - 2 * mm
        )
        room = (24 if ctx.bilingual else 16) * mm  # for the signatures and the date beneath
        self.height = max(float(layout.get("height_mm", 34)) * mm, self.text.height + room)

    def draw(self, canvas: Canvas, top: float) -> None:
        c, lay = self.ctx, self.layout
        ug = c.bilingual
        canvas.saveState()
        canvas.setLineWidth(0.6)
        _label_box(canvas, c, top, self.label_w, self.height)
        draw_block(canvas, c.stack, self.head, c.left, top, self.label_w, self.height)
        x0 = c.left + self.label_w
        draw_block(
            canvas, c.stack, self.text, x0 + 1 * mm, top - 1 * mm, c.width - self.label_w - 2 * mm,
            self.text.height, "left", "top",
        )  # fmt: skip
        bottom = top - self.height
        base = bottom + (15 if ug else 10) * mm
        half = (c.width - self.label_w) / 2
        signature_line(
            canvas, c.stack, x0 + 3 * mm, base, str(lay.get("person", "本人签字：")), half * 0.45,
            c.size, lay.get("person_ug") if ug else None,
        )  # fmt: skip
        signature_line(
            canvas, c.stack, x0 + half, base, str(lay.get("worker", "援助责任人签字：")), half * 0.4,
            c.size, lay.get("worker_ug") if ug else None,
        )  # fmt: skip
        date = str(lay.get("date", "签订日期：")) + (self.signed or "")
        signature_line(
            canvas, c.stack, x0 + 3 * mm, bottom + (5 if ug else 3.5) * mm, date,
            0 if self.signed else 30 * mm, c.size, lay.get("date_ug") if ug else None,
        )  # fmt: skip
        canvas.restoreState()


def render_card(
    data: CardData,
    path: str | os.PathLike[str],
    *,
    bilingual: bool = False,
    fonts: FontSettings | None = None,
    layout_dir: Path | None = None,
) -> Path:
    """Write the 就业援助卡 of ``data`` to ``path`` (PDF, A4 portrait)."""
    layout = load_layout("assistance_card", layout_dir)
    stack = TextStack(load_fonts(fonts))
    margin = float(layout.get("margin_mm", 14)) * mm
    width, height = A4
    ctx = Ctx(
        width, margin, width - 2 * margin, stack, float(layout.get("font_size", 9.5)),
        float(layout.get("label_size_ug", 6.5)), bilingual,
    )  # fmt: skip
    fields = card_fields(data)
    sections: list[Section] = [
        Title(ctx, layout, data),
        PersonGrid(ctx, require(layout, "person", dict, "person"), fields),
        LabelledRows(ctx, require(layout, "situation", dict, "situation"), fields),
        Categories(ctx, layout.get("services", {}), data),
        TextBox(ctx, layout.get("measures", {}), data.measures),
        LabelledRows(ctx, require(layout, "result", dict, "result"), fields),
        Agreement(ctx, layout.get("agreement", {}), format_date(data.signed_on)),
    ]
    if layout.get("reviews"):
        sections.append(Reviews(ctx, layout["reviews"], layout.get("review", {})))
    pages = _paginate(sections, height - margin, FOOTER_HEIGHT + 4 * mm)
    info = PageInfo(
        station=f"{data.station.name}（{data.station.code}）",
        printed_at=data.printed_at,
        policy_pack_id=data.policy_pack_id,
        qr=qr_payload("assistance_card", data.record_id, data.station.code),
        trace_label=f"援助协议编号：{data.record_id}",
    )
    title = str(layout.get("title", ""))
    write_atomically(
        path, lambda tmp: write_pdf(tmp, info, pages, stack, stack.fonts, margin, title)
    )
    return Path(path)
