"""The print preview: the real PDF pages, zoom, Print… and Save as PDF…."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QIcon,
    QKeySequence,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from caseworker.core.files import write_atomically
from caseworker.gui import tasks
from caseworker.gui.errors import show_error
from caseworker.gui.printing.documents import PreviewDocument
from caseworker.gui.printing.pdf import PdfPages, configure_printer, print_pdf
from caseworker.i18n import _

log = logging.getLogger(__name__)

ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
PAGE_GAP = 12
POINTS_PER_INCH = 72.0


class PageView(QScrollArea):
    """The pages one under the other; only the pages near the visible area hold an image.

    After a scroll (or a jump to a far page) the pages in view are rendered first, at once;
    the pages a screen above and below follow one at a time, so the window stays responsive.
    """

    def __init__(self, pages: PdfPages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageView")
        self.pages = pages
        self.zoom = 1.0
        self.released = False
        self._rendered: dict[int, float] = {}
        self.setWidgetResizable(True)
        self.setBackgroundRole(self.backgroundRole())
        self.setStyleSheet("QScrollArea#pageView > QWidget > QWidget { background: #808080; }")
        container = QWidget()
        layout = QVBoxLayout(container)
        layout.setSpacing(PAGE_GAP)
        layout.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.labels: list[QLabel] = []
        for index in range(len(pages)):
            label = QLabel()
            label.setObjectName(f"page{index + 1}")
            label.setStyleSheet("background: white;")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.labels.append(label)
        self.setWidget(container)
        self._pending: list[int] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self.render_visible)
        self._idle = QTimer(self)  # renders the pages around the view, one per turn
        self._idle.setSingleShot(True)
        self._idle.setInterval(0)
        self._idle.timeout.connect(self._render_next)
        # valueChanged(int) must not reach QTimer.start(int): the offset would be the delay
        self.verticalScrollBar().valueChanged.connect(lambda _value: self._timer.start())
        self.horizontalScrollBar().valueChanged.connect(lambda _value: self._timer.start())
        self.set_zoom(1.0)

    def pixels_per_point(self, zoom: float | None = None) -> float:
        return (zoom or self.zoom) * self.logicalDpiX() / POINTS_PER_INCH

    def page_size(self, index: int, zoom: float | None = None) -> QSize:
        width, height = self.pages.sizes[index]
        scale = self.pixels_per_point(zoom)
        return QSize(round(width * scale), round(height * scale))

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        for index, label in enumerate(self.labels):
            label.setFixedSize(self.page_size(index))
            label.clear()
        self._rendered.clear()
        self._timer.start()

    def fit_width_zoom(self) -> float:
        if not self.pages.sizes:
            return 1.0
        room = self.viewport().width() - 2 * PAGE_GAP - 2
        widest = max(w for w, _h in self.pages.sizes)
        return max(0.2, min(4.0, room / (widest * self.pixels_per_point(1.0))))

    def visible_pages(self, margin: int = 0) -> list[int]:
        """Pages that intersect the visible area grown by ``margin`` pixels above and below."""
        area = QRect(
            self.horizontalScrollBar().value(),
            self.verticalScrollBar().value() - margin,
            self.viewport().width(),
            self.viewport().height() + 2 * margin,
        )
        return [i for i, label in enumerate(self.labels) if label.geometry().intersects(area)]

    def render_visible(self) -> None:
        """Render the pages in view now, queue those a screen around; forget those far away."""
        if self.released:
            return
        visible = self.visible_pages()
        for index in visible:
            self.render_page(index)
        near = self.visible_pages(self.viewport().height())
        self._pending = [i for i in near if i not in visible and self._rendered.get(i) != self.zoom]
        keep = set(self.visible_pages(3 * self.viewport().height()))
        for index in list(self._rendered):
            if index not in keep:
                self.labels[index].clear()
                del self._rendered[index]
        if self._pending:
            self._idle.start()

    def _render_next(self) -> None:
        if self.released or not self._pending:
            return
        self.render_page(self._pending.pop(0))
        if self._pending:
            self._idle.start()

    def release(self) -> None:
        """Stop rendering (the PDF is about to be closed)."""
        self.released = True
        self._timer.stop()
        self._idle.stop()
        self._pending.clear()
        for label in self.labels:
            label.clear()
        self._rendered.clear()

    def render_page(self, index: int) -> None:
        if self.released or self._rendered.get(index) == self.zoom:
            return
        ratio = self.devicePixelRatioF()
        image = self.pages.render(index, self.pixels_per_point() * ratio)
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self.labels[index].setPixmap(pixmap)
        self._rendered[index] = self.zoom

    def rendered_pages(self) -> list[int]:
        return sorted(self._rendered)

    def current_page(self) -> int:
        visible = self.visible_pages()
        return visible[0] if visible else 0

    def show_page(self, index: int) -> None:
        self.verticalScrollBar().setValue(self.labels[index].geometry().top() - PAGE_GAP)

    def first_page(self) -> None:
        self.verticalScrollBar().setValue(0)

    def last_page(self) -> None:
        if self.labels:
            self.show_page(len(self.labels) - 1)


class PrintPreviewDialog(QDialog):
    """Shows a rendered document; prints it or saves a copy.  Owns the document's files."""

    def __init__(self, document: PreviewDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printPreviewDialog")
        self.document = document
        self.pages = PdfPages(document.path)
        self.setWindowTitle(_("Print preview: {title}").format(title=document.title))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._fitted = False
        self._fit_width = True  # follow the window's width until the person zooms
        self._closed = False
        self._print_job: tasks.Job | None = None

        self.view = PageView(self.pages, self)
        self.thumbnails = QListWidget(self)
        self.thumbnails.setObjectName("pageThumbnails")
        self.thumbnails.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbnails.setFlow(QListWidget.Flow.TopToBottom)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setMovement(QListWidget.Movement.Static)
        self.thumbnails.setSpacing(6)
        self.thumbnails.setIconSize(self._thumbnail_size())
        for index, image in enumerate(document.thumbnails):
            item = QListWidgetItem(QIcon(QPixmap.fromImage(image)), str(index + 1))
            item.setData(Qt.ItemDataRole.UserRole, index)
            self.thumbnails.addItem(item)
        self.thumbnails.setFixedWidth(self._thumbnail_size().width() + 40)
        self.thumbnails.currentRowChanged.connect(self._thumbnail_chosen)

        self.status = QLabel(self)
        self.status.setObjectName("pageStatus")
        self.view.verticalScrollBar().valueChanged.connect(self._update_status)

        self.toolbar = QToolBar(self)
        self.print_action = self._action(
            _("&Print…"), self.print_document, QKeySequence.StandardKey.Print, "printAction"
        )
        self.save_action = self._action(
            _("&Save as PDF…"), self.save_as_pdf, QKeySequence.StandardKey.Save, "saveAction"
        )
        self.toolbar.addSeparator()
        self._action(
            _("Zoom &out"), self.zoom_out, QKeySequence.StandardKey.ZoomOut, "zoomOutAction"
        )
        self._action(_("Zoom &in"), self.zoom_in, QKeySequence.StandardKey.ZoomIn, "zoomInAction")
        self._action(_("&Actual size"), lambda: self.set_zoom(1.0), "Ctrl+0", "actualSizeAction")
        self._action(_("Fit &width"), self.fit_width, "Ctrl+9", "fitWidthAction")
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("zoomLabel")
        self.toolbar.addWidget(self.zoom_label)
        self.toolbar.addSeparator()
        self._action(_("&Close"), self.close, QKeySequence.StandardKey.Close, "closeAction")
        for text, slot, keys, name in (
            (_("First page"), self.view.first_page, ("Home", "Ctrl+Home"), "firstPageAction"),
            (_("Last page"), self.view.last_page, ("End", "Ctrl+End"), "lastPageAction"),
        ):
            action = QAction(text, self)
            action.setObjectName(name)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

        middle = QHBoxLayout()
        middle.addWidget(self.thumbnails)
        middle.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)
        self.resize(1000, 760)
        self.finished.connect(self._release)
        self._update_zoom_label()
        self._update_status()

    # -- building ------------------------------------------------------------------------------

    def _action(self, text: str, slot: Any, shortcut: Any, name: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        self.addAction(action)
        return action

    def _thumbnail_size(self) -> QSize:
        if not self.document.thumbnails:
            return QSize(120, 170)
        width = max(image.width() for image in self.document.thumbnails)
        height = max(image.height() for image in self.document.thumbnails)
        return QSize(width, height)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            QTimer.singleShot(0, self.fit_width)

    # -- pages and zoom ------------------------------------------------------------------------

    def page_count(self) -> int:
        return len(self.pages)

    def set_zoom(self, zoom: float, *, fit: bool = False) -> None:
        self._fit_width = fit
        if abs(zoom - self.view.zoom) > 0.001:
            self.view.set_zoom(zoom)
        self._update_zoom_label()

    def zoom_in(self) -> None:
        self.set_zoom(next((z for z in ZOOMS if z > self.view.zoom + 0.01), ZOOMS[-1]))

    def zoom_out(self) -> None:
        self.set_zoom(next((z for z in reversed(ZOOMS) if z < self.view.zoom - 0.01), ZOOMS[0]))

    def fit_width(self) -> None:
        self.set_zoom(self.view.fit_width_zoom(), fit=True)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_width and self._fitted:
            QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        if self._fit_width and not self._closed:
            self.fit_width()

    def _update_zoom_label(self) -> None:
        self.zoom_label.setText(_("{percent}%").format(percent=round(self.view.zoom * 100)))

    def _update_status(self) -> None:
        self.status.setText(
            _("Page {page} of {count}").format(
                page=self.view.current_page() + 1, count=self.page_count()
            )
        )

    def _thumbnail_chosen(self, row: int) -> None:
        if row >= 0:
            self.view.show_page(row)

    # -- print and save ------------------------------------------------------------------------

    def print_document(self, printer: QPrinter | None = None) -> tasks.Job | None:
        """Ask for a printer (QPrintDialog), then print every chosen page in the background."""
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        configure_printer(printer, self.pages, self.document.title)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("printDialog")
        dialog.setMinMax(1, max(1, self.page_count()))
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> tasks.Job:
        """Print on an already configured printer, with a progress dialog."""
        path = self.document.path
        self._print_job = tasks.run_with_progress(
            self,
            lambda progress: print_pdf(printer, path, progress),
            label=_("Printing {title}…").format(title=self.document.title),
            on_success=self._printed,
        )
        return self._print_job

    def _printed(self, pages: object) -> None:
        log.info("printed %s pages of %s", pages, self.document.title)
        self.status.setText(_("Sent {n} pages to the printer.").format(n=pages))

    def save_as_pdf(self) -> Path | None:
        """Save a copy of the PDF where the person chooses; errors in a dialog."""
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Save as PDF"),
            str(Path.home() / self.document.file_name),
            _("PDF files (*.pdf)"),
        )
        if not name:
            return None
        target = Path(name)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            write_atomically(target, lambda tmp: shutil.copyfile(self.document.path, tmp))
        except Exception as exc:
            show_error(self, exc)
            return None
        self.status.setText(_("Saved {path}.").format(path=target))
        return target

    # -- closing -------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self._release()

    def _release(self) -> None:
        """Close the PDF and remove the temporary files (once)."""
        if self._closed:
            return
        self._closed = True
        self.view.release()
        self.pages.close()
        job = self._print_job
        if job is not None and not job.done.is_set():  # printing still reads the file
            document = self.document
            job.signals.succeeded.connect(lambda _result: document.cleanup())
            job.signals.failed.connect(lambda _exc: document.cleanup())
        else:
            self.document.cleanup()


__all__ = ["PageView", "PrintPreviewDialog"]
