"""PDF pages as images (pypdfium2), and the PDF printed on a QPrinter page by page.

PDFium is not thread-safe: every call into it holds :data:`PDFIUM_LOCK`, so the preview (GUI
thread) and a print job (worker thread) can share the library.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pypdfium2
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from caseworker.core.errors import UserError
from caseworker.i18n import _

PDFIUM_LOCK = threading.RLock()
#: Pages are rendered for the printer at its resolution, but never finer than this (a 1200 dpi
#: A4 page would need 400 MB); laser printers print forms crisply at 600 dpi.
MAX_PRINT_DPI = 600
POINTS_PER_INCH = 72.0

Progress = Callable[[int, int], bool]


class PdfPages:
    """An open PDF: page sizes in points and pages rendered to :class:`QImage`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with PDFIUM_LOCK:
            try:
                self._pdf = pypdfium2.PdfDocument(str(path))
            except pypdfium2.PdfiumError as exc:
                raise UserError(
                    _("Cannot open the printed file {path}: {reason}").format(path=path, reason=exc)
                ) from exc
            self.sizes: list[tuple[float, float]] = [
                (float(w), float(h))
                for w, h in (self._pdf.get_page_size(i) for i in range(len(self._pdf)))
            ]

    def __len__(self) -> int:
        return len(self.sizes)

    def landscape(self) -> bool:
        return bool(self.sizes) and self.sizes[0][0] > self.sizes[0][1]

    def render(self, index: int, scale: float, *, grey: bool = False) -> QImage:
        """Page ``index`` (from 0) at ``scale`` pixels per point, on white."""
        with PDFIUM_LOCK:
            page = self._pdf[index]
            try:
                bitmap = page.render(scale=scale, rev_byteorder=True, grayscale=grey)
                channels = bitmap.n_channels
                fmt = {
                    1: QImage.Format.Format_Grayscale8,
                    3: QImage.Format.Format_RGB888,
                    4: QImage.Format.Format_RGBA8888,
                }[channels]
                image = QImage(
                    bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, fmt
                ).copy()  # own the pixels before the bitmap is freed
                bitmap.close()
            finally:
                page.close()
        return image

    def close(self) -> None:
        with PDFIUM_LOCK:
            self._pdf.close()


def configure_printer(printer: QPrinter, pages: PdfPages, title: str) -> None:
    """A4 in the orientation of the document, the full sheet (the forms carry margins)."""
    printer.setDocName(title)
    printer.setFullPage(True)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if pages.landscape() else QPageLayout.Orientation.Portrait
    )
    printer.setFromTo(0, 0)


def page_range(printer: QPrinter, count: int) -> range:
    """The pages (from 0) chosen in the print dialog; all of them when none were chosen."""
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0 and last <= 0:
        return range(count)
    first = max(first, 1)
    last = count if last <= 0 else min(last, count)
    return range(first - 1, last)


def print_pdf(printer: QPrinter, path: Path, progress: Progress | None = None) -> int:
    """Print the PDF at ``path`` on ``printer``: each page rendered at the printer's
    resolution (at most :data:`MAX_PRINT_DPI`) and painted to fill the sheet.

    Returns the number of pages sent; stops (and aborts the job) when ``progress`` returns
    False.  Safe to call in a worker thread (QPainter may paint a QPrinter there).
    """
    pages = PdfPages(path)
    try:
        wanted = page_range(printer, len(pages))
        painter = QPainter()
        if not painter.begin(printer):
            raise UserError(
                _("The printer {name} cannot be used. Check that it is switched on and ready.")
                .format(name=printer.printerName() or printer.outputFileName())
            )  # fmt: skip
        sent = 0
        try:
            grey = printer.colorMode() == QPrinter.ColorMode.GrayScale
            for number, index in enumerate(wanted):
                if number:
                    printer.newPage()
                target = QRectF(painter.viewport())
                width, height = pages.sizes[index]
                fit = min(target.width() / width, target.height() / height)
                scale = min(fit, MAX_PRINT_DPI / POINTS_PER_INCH)
                image = pages.render(index, scale, grey=grey)
                drawn = QRectF(0, 0, width * fit, height * fit)
                drawn.moveCenter(target.center())
                painter.drawImage(drawn, image)
                sent += 1
                if progress is not None and not progress(sent, len(wanted)):
                    printer.abort()
                    break
        finally:
            painter.end()
        return sent
    finally:
        pages.close()


__all__ = [
    "MAX_PRINT_DPI",
    "PDFIUM_LOCK",
    "PdfPages",
    "configure_printer",
    "page_range",
    "print_pdf",
]
