"""Tables that run over several pages: header row repeated on each page, text blocks before
(first page only) and after (last page) the rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from caseworker.forms.draw import PAD, Block, block, draw_block
from caseworker.forms.layout import LayoutError
from caseworker.forms.page import DrawPage
from caseworker.forms.text import TextStack
from caseworker.i18n import _

HEADER_FILL = Color(0.9, 0.9, 0.9)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    ug: str | None
    width: float
    align: str = "left"


def columns_from_layout(layout: dict[str, Any], width: float, keys: Sequence[str]) -> list[Column]:
    """Columns from ``layout["columns"]``, widths scaled to fill ``width`` points."""
    raw = layout.get("columns")
    if not isinstance(raw, list) or not raw:
        raise LayoutError(_("The form layout has no columns."))
    total = sum(float(c.get("width_mm", 20)) for c in raw)
    cols = []
    for c in raw:
        key = str(c.get("key", ""))
        if key not in keys:
            raise LayoutError(
                _("The form layout names an unknown column '{key}'; use one of: {keys}.").format(
                    key=key, keys=", ".join(keys)
                )
            )
        cols.append(
            Column(
                key,
                str(c.get("title", "")),
                str(c["ug"]) if c.get("ug") else None,
                float(c.get("width_mm", 20)) / total * width,
                str(c.get("align", "left")),
            )
        )
    return cols


@dataclass(slots=True)
class Para:
    """A text block drawn across the table width."""

    block: Block
    align: str = "left"
    mode: int = 0
    space_before: float = 0.0

    @property
    def height(self) -> float:
        return self.block.height + self.space_before + 2 * PAD


@dataclass(slots=True)
class ListLayout:
    stack: TextStack
    left: float
    width: float
    top: float
    bottom: float
    columns: list[Column]
    size: float
    ug_size: float
    bilingual: bool
    min_row_height: float
    preamble: list[Para] = field(default_factory=list)
    trailer: list[Para] = field(default_factory=list)
    continued: Para | None = None

    def para(
        self,
        text: str,
        ug: str | None = None,
        size: float | None = None,
        align: str = "left",
        mode: int = 0,
        space_before: float = 0.0,
    ) -> Para:
        size = size or self.size
        b = block(
            self.stack,
            text,
            self.width,
            size,
            ug if self.bilingual else None,
            max(self.ug_size, size * 0.8),
        )
        return Para(b, align, mode, space_before)


def _draw_para(canvas: Canvas, lay: ListLayout, p: Para, top: float) -> None:
    draw_block(
        canvas,
        lay.stack,
        p.block,
        lay.left,
        top - p.space_before,
        lay.width,
        p.block.height + 2 * PAD,
        p.align,
        "top",
        p.mode,
    )


def build_pages(lay: ListLayout, rows: Sequence[Sequence[str]]) -> list[DrawPage]:
    """Lay out the preamble, the table (``rows`` of cell text) and the trailer into pages."""
    stack, size = lay.stack, lay.size
    cols = lay.columns
    header = [
        block(stack, c.title, c.width, size, c.ug if lay.bilingual else None, lay.ug_size)
        for c in cols
    ]
    header_h = max([lay.min_row_height] + [b.height + 2 * PAD for b in header])
    pages: list[list[Callable[[Canvas], None]]] = [[]]
    y = lay.top

    def put(height: float, draw: Callable[[Canvas, float], None]) -> None:
        nonlocal y
        top = y
        pages[-1].append(lambda canvas: draw(canvas, top))
        y -= height

    def para_draw(p: Para) -> Callable[[Canvas, float], None]:
        return lambda canvas, top: _draw_para(canvas, lay, p, top)

    def header_draw(canvas: Canvas, top: float) -> None:
        _draw_row(canvas, lay, header, header_h, top, fill=True, align="centre")

    for p in lay.preamble:
        put(p.height, para_draw(p))
    put(header_h, header_draw)
    min_h = lay.min_row_height
    for cells in rows:
        blocks = [
            block(stack, text, c.width, size) if text else Block((), size)
            for text, c in zip(cells, cols, strict=True)
        ]
        h = max(min_h, max(b.height for b in blocks) + 2 * PAD)
        if y - h < lay.bottom:
            pages.append([])
            y = lay.top
            if lay.continued is not None:
                put(lay.continued.height, para_draw(lay.continued))
            put(header_h, header_draw)
        put(h, _row_draw(lay, blocks, h))
    for p in lay.trailer:
        if y - p.height < lay.bottom:
            pages.append([])
            y = lay.top
        put(p.height, para_draw(p))

    def page(items: list[Callable[[Canvas], None]]) -> DrawPage:
        def draw(canvas: Canvas) -> None:
            for item in items:
                item(canvas)

        return draw

    return [page(items) for items in pages]


def _row_draw(lay: ListLayout, blocks: list[Block], h: float) -> Callable[[Canvas, float], None]:
    return lambda canvas, top: _draw_row(canvas, lay, blocks, h, top)


def _draw_row(
    canvas: Canvas,
    lay: ListLayout,
    blocks: list[Block],
    height: float,
    top: float,
    *,
    fill: bool = False,
    align: str | None = None,
) -> None:
    x = lay.left
    if fill:
        canvas.setFillColor(HEADER_FILL)
        canvas.rect(x, top - height, lay.width, height, stroke=0, fill=1)
        canvas.setFillColor(black)
    canvas.setLineWidth(0.5)
    canvas.rect(x, top - height, lay.width, height, stroke=1, fill=0)
    for c, b in zip(lay.columns, blocks, strict=True):
        if x > lay.left:
            canvas.line(x, top, x, top - height)
        if b.lines or b.ug_lines:
            draw_block(canvas, lay.stack, b, x, top, c.width, height, align or c.align)
        x += c.width
