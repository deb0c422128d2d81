"""Pages of a printed document: the trace footer (station, print time, policy pack, page x of
y, QR code) on every page, drawn after the layout knows how many pages there are."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from caseworker.forms.fonts import FontSet
from caseworker.forms.text import TextStack

QR_PREFIX = "CW1"
QR_SIZE = 17 * mm
QR_FORM = "cwqr"
FOOTER_HEIGHT = 20 * mm
GREY = Color(0.35, 0.35, 0.35)

#: Held while a PDF is written: :func:`write_pdf` changes ReportLab's process-wide
#: ``rl_config.useA85``, so two renders in different threads must not overlap.
WRITE_LOCK = threading.Lock()

DrawPage = Callable[[Canvas], None]


def qr_payload(kind: str, ident: str, station_code: str) -> str:
    """The text held by the QR code: ``CW1|<kind>|<station code>|<id>``.

    ``kind`` is ``application``, ``notice`` or ``roster``; ``ident`` is the record's UUID
    or, for lists, the list id or :func:`list_hash`.
    """
    return f"{QR_PREFIX}|{kind}|{station_code}|{ident}"


def parse_qr_payload(payload: str) -> tuple[str, str, str]:
    """``(kind, station code, id)`` from :func:`qr_payload` text; ``ValueError`` otherwise."""
    prefix, kind, station, ident = payload.split("|", 3)
    if prefix != QR_PREFIX:
        raise ValueError(payload)
    return kind, station, ident


def list_hash(parts: Iterable[str]) -> str:
    """A short stable hash of a list's contents (for lists that have no id of their own)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return "h" + digest.hexdigest()[:20]


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules (``True`` is dark) for ``payload``, error correction level M."""
    widget = QrCodeWidget(payload, barLevel="M")
    widget.qr.make()
    return [[bool(m) for m in row] for row in widget.qr.modules]


@dataclass(frozen=True, slots=True)
class PageInfo:
    station: str
    printed_at: dt.datetime
    policy_pack_id: str
    qr: str
    trace_label: str
    landscape: bool = False


def page_size(is_landscape: bool) -> tuple[float, float]:
    w, h = landscape(A4) if is_landscape else A4
    return float(w), float(h)


def _define_qr(canvas: Canvas, payload: str) -> None:
    matrix = qr_matrix(payload)
    border = 2
    box = QR_SIZE / (len(matrix) + 2 * border)
    canvas.beginForm(QR_FORM, 0, 0, QR_SIZE, QR_SIZE)
    canvas.setFillColor(black)
    for r, row in enumerate(matrix):
        c = 0
        for dark, group in itertools.groupby(row):
            n = len(list(group))
            if dark:
                y = QR_SIZE - (r + border + 1) * box
                canvas.rect((c + border) * box, y, n * box, box, stroke=0, fill=1)
            c += n
    canvas.endForm()


def qr_origin(info: PageInfo, margin: float) -> tuple[float, float]:
    """Lower-left corner of the QR code on every page."""
    width, _h = page_size(info.landscape)
    return width - margin - QR_SIZE, 5 * mm


def write_pdf(
    path: Path,
    info: PageInfo,
    pages: list[DrawPage],
    stack: TextStack,
    fonts: FontSet,
    margin: float,
    title: str,
) -> None:
    """Draw ``pages`` into ``path`` (already a temporary file) with the footer on each."""
    size = page_size(info.landscape)
    with WRITE_LOCK:
        use_a85 = rl_config.useA85
        rl_config.useA85 = 0  # binary streams: smaller and faster than ASCII85
        try:
            _write(path, info, pages, stack, fonts, margin, title, size)
        finally:
            rl_config.useA85 = use_a85


def _write(
    path: Path,
    info: PageInfo,
    pages: list[DrawPage],
    stack: TextStack,
    fonts: FontSet,
    margin: float,
    title: str,
    size: tuple[float, float],
) -> None:
    canvas = Canvas(
        str(path),
        pagesize=size,
        pageCompression=1,
        invariant=1,
        initialFontName=fonts.cjk.name,  # never the unembedded Helvetica
    )
    canvas.setTitle(title)
    canvas.setAuthor(info.station)
    canvas.setCreator("caseworker")
    _define_qr(canvas, info.qr)
    total = len(pages)
    for number, draw in enumerate(pages, start=1):
        canvas.setStrokeColor(black)
        canvas.setFillColor(black)
        draw(canvas)
        _footer(canvas, info, stack, fonts, margin, number, total)
        canvas.showPage()
    canvas.save()


def _footer(
    canvas: Canvas,
    info: PageInfo,
    stack: TextStack,
    fonts: FontSet,
    margin: float,
    number: int,
    total: int,
) -> None:
    width, _h = page_size(info.landscape)
    qx, qy = qr_origin(info, margin)
    canvas.saveState()
    canvas.translate(qx, qy)
    canvas.doForm(QR_FORM)
    canvas.restoreState()
    canvas.saveState()
    canvas.setFillColor(GREY)
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.4)
    top = qy + QR_SIZE
    canvas.line(margin, top + 1.5 * mm, width - margin, top + 1.5 * mm)
    size = 7.5
    printed = info.printed_at.strftime("%Y-%m-%d %H:%M")
    stack.draw(canvas, margin, top - 3.5 * mm, stack.prepare(info.station), size)
    stack.draw(
        canvas,
        margin,
        top - 7.5 * mm,
        f"打印时间：{printed}    政策包：{info.policy_pack_id}",
        size,
    )
    stack.draw(canvas, margin, top - 11.5 * mm, info.trace_label, size)
    stack.draw(
        canvas, qx - 4 * mm, top - 3.5 * mm, f"第 {number} 页 / 共 {total} 页", size, "right"
    )
    if fonts.fallback_note:
        _height = page_size(info.landscape)[1]
        canvas.setFillColor(Color(0.75, 0, 0))
        for i, line in enumerate(stack.lines(fonts.fallback_note, size, width - 2 * margin)):
            stack.draw(canvas, width / 2, _height - (4.5 + 3.5 * i) * mm, line, size, "centre")
    canvas.restoreState()
