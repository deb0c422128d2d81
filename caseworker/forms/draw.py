"""Drawing helpers shared by the forms: wrapped bilingual cells, checkboxes, signature lines."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from caseworker.forms.text import TextStack, has_arabic

PAD: float = 1.4 * mm
LEADING = 1.22
UG_LEADING = 1.35


@dataclass(frozen=True, slots=True)
class Block:
    """Text laid out for a cell: Chinese lines and optional Uyghur lines beneath."""

    lines: tuple[str, ...]
    size: float
    ug_lines: tuple[str, ...] = ()
    ug_size: float = 0.0

    @property
    def height(self) -> float:
        h = len(self.lines) * self.size * LEADING
        if self.ug_lines:
            h += len(self.ug_lines) * self.ug_size * UG_LEADING
        return h


def block(
    stack: TextStack,
    text: str,
    width: float,
    size: float,
    ug: str | None = None,
    ug_size: float = 0.0,
) -> Block:
    """Wrap ``text`` (and ``ug`` beneath it, when given) to ``width`` points.

    Results are cached on the stack: lists repeat the same sexes, villages and categories."""
    key = (text, width, size, ug, ug_size)
    cache = stack.blocks
    found = cache.get(key)
    if isinstance(found, Block):
        return found
    inner = max(width - 2 * PAD, size)
    lines = tuple(stack.lines(text, size, inner)) if text else ()
    ug_lines = tuple(stack.lines(ug, ug_size, inner)) if ug else ()
    result = Block(lines, size, ug_lines, ug_size)
    if len(cache) < 20_000:
        cache[key] = result
    return result


def draw_block(
    canvas: Canvas,
    stack: TextStack,
    b: Block,
    x: float,
    top: float,
    width: float,
    height: float,
    align: str = "centre",
    valign: str = "middle",
    mode: int = 0,
) -> None:
    """Draw ``b`` inside the box whose top-left corner is ``(x, top)``."""
    y = top - (height - b.height) / 2 if valign == "middle" else top - PAD
    for line in b.lines:
        y -= b.size * LEADING
        line_align = "right" if align == "left" and has_arabic(line) else align
        _draw_aligned(canvas, stack, line, x, y + b.size * 0.25, width, b.size, line_align, mode)
    for line in b.ug_lines:
        y -= b.ug_size * UG_LEADING
        ug_align = "right" if align == "left" and has_arabic(line) else align
        _draw_aligned(canvas, stack, line, x, y + b.ug_size * 0.4, width, b.ug_size, ug_align)


def _draw_aligned(
    canvas: Canvas,
    stack: TextStack,
    line: str,
    x: float,
    baseline: float,
    width: float,
    size: float,
    align: str,
    mode: int = 0,
) -> None:
    if align == "left":
        stack.draw(canvas, x + PAD, baseline, line, size, mode=mode)
    elif align == "right":
        stack.draw(canvas, x + width - PAD, baseline, line, size, "right", mode)
    else:
        stack.draw(canvas, x + width / 2, baseline, line, size, "centre", mode)


def checkbox(canvas: Canvas, x: float, y: float, side: float, checked: bool) -> None:
    """A square box with its lower-left corner at ``(x, y)``; a tick when ``checked``.

    The tick is drawn with lines, so it never depends on a font having ``√`` or ``☑``.
    """
    canvas.saveState()
    canvas.setLineWidth(0.7)
    canvas.rect(x, y, side, side, stroke=1, fill=0)
    if checked:
        canvas.setLineWidth(1.3)
        path = canvas.beginPath()
        path.moveTo(x + side * 0.18, y + side * 0.52)
        path.lineTo(x + side * 0.42, y + side * 0.22)
        path.lineTo(x + side * 0.86, y + side * 0.86)
        canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


def signature_line(
    canvas: Canvas,
    stack: TextStack,
    x: float,
    y: float,
    label: str,
    line_width: float,
    size: float,
    ug: str | None = None,
) -> float:
    """``label`` then a line to sign on; returns the x after the line."""
    stack.draw(canvas, x, y, stack.prepare(label), size)
    lx: float = x + stack.width(label, size) + 1 * mm
    canvas.saveState()
    canvas.setLineWidth(0.5)
    canvas.line(lx, y - 1.2, lx + line_width, y - 1.2)
    canvas.restoreState()
    if ug:
        stack.draw(canvas, x, y - size * 1.3, stack.prepare(ug), size * 0.72)
    return lx + line_width
