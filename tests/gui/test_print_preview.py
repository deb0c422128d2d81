"""The print preview: page images, zoom, Save as PDF, printing on a QPrinter, errors."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from caseworker.forms.sources import RosterFilters
from caseworker.gui.printing import (
    PrintPreviewDialog,
    preview_application,
    preview_notice,
    preview_roster,
)
from caseworker.gui.printing.documents import roster_document, roster_filters
from caseworker.gui.printing.pdf import page_range
from caseworker.gui.printing.period import NoticePeriodDialog
from tests.unit.test_print_sources import Station, populate

ROSTER_PERSONS = 24  # two landscape pages


class MessageBoxes:
    """Message boxes recorded instead of shown: (object name, text)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []


@pytest.fixture
def message_boxes(monkeypatch: pytest.MonkeyPatch) -> MessageBoxes:
    boxes = MessageBoxes()

    def record(box: QMessageBox) -> int:
        boxes.shown.append((box.objectName(), box.text()))
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", record)
    return boxes


@pytest.fixture
def people(gui_store: Any) -> Station:
    return populate(gui_store)


@pytest.fixture
def roster_store(gui_store: Any) -> Any:
    from caseworker.registry import demo

    demo.generate(gui_store, persons=ROSTER_PERSONS, seed=7, today=dt.date(2025, 6, 2))
    return gui_store


def open_preview(qtbot: Any, start: Any, *args: Any) -> PrintPreviewDialog:
    """Run an entry point and wait for its dialog."""
    shown: list[PrintPreviewDialog] = []
    start(None, *args, shown=shown.append)
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    dialog = shown[0]
    qtbot.addWidget(dialog)
    return dialog


@pytest.fixture
def roster(qtbot: Any, roster_store: Any) -> PrintPreviewDialog:
    dialog = open_preview(qtbot, preview_roster, roster_store, None)
    dialog.resize(900, 700)
    return dialog


def test_roster_preview_renders_every_page(qtbot: Any, roster: PrintPreviewDialog) -> None:
    pages = len(pypdf.PdfReader(roster.document.path).pages)
    assert pages == 2
    assert roster.page_count() == 2
    assert len(roster.document.thumbnails) == 2
    assert roster.thumbnails.count() == 2
    assert all(not image.isNull() for image in roster.document.thumbnails)
    assert roster.document.thumbnails[0].width() > roster.document.thumbnails[0].height()
    roster.set_zoom(0.25)  # both pages fit in the window
    qtbot.waitUntil(lambda: roster.view.rendered_pages() == [0, 1])
    for label in roster.view.labels:
        pixmap = label.pixmap()
        assert not pixmap.isNull()
        assert pixmap.width() > pixmap.height()  # the roster is landscape
    assert "of 2" in roster.status.text()


def test_zoom_changes_the_page_size(qtbot: Any, roster: PrintPreviewDialog) -> None:
    roster.set_zoom(1.0)
    width = roster.view.labels[0].width()
    roster.zoom_in()
    assert roster.view.zoom == 1.25
    assert roster.view.labels[0].width() == pytest.approx(width * 1.25, abs=2)
    roster.zoom_out()
    roster.zoom_out()
    assert roster.view.zoom == 0.75
    assert roster.zoom_label.text() == "75%"
    qtbot.waitUntil(lambda: 0 in roster.view.rendered_pages())
    roster.view.show_page(1)
    qtbot.waitUntil(lambda: 1 in roster.view.rendered_pages())


def test_save_as_pdf_copies_the_file(
    roster: PrintPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out" / "花名册"
    target.parent.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(target), ""))
    )
    saved = roster.save_as_pdf()
    assert saved == target.with_name("花名册.pdf")
    assert saved.read_bytes() == roster.document.path.read_bytes()
    assert len(pypdf.PdfReader(saved).pages) == 2
    assert "Saved" in roster.status.text()


def test_save_into_a_missing_folder_shows_the_error(
    roster: PrintPreviewDialog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    message_boxes: MessageBoxes,
) -> None:
    target = tmp_path / "gone" / "x.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(target), ""))
    )
    assert roster.save_as_pdf() is None
    assert len(message_boxes.shown) == 1
    assert "does not exist" in message_boxes.shown[0][1]
    assert not target.parent.exists()


def test_cancelled_save_writes_nothing(
    roster: PrintPreviewDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: ("", "")))
    assert roster.save_as_pdf() is None


def _pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(150)
    return printer


def test_print_through_the_print_dialog(
    qtbot: Any, roster: PrintPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[QPrinter] = []

    def accept(dialog: QPrintDialog) -> int:
        asked.append(dialog.printer())
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    out = tmp_path / "printed.pdf"
    printer = _pdf_printer(out)
    job = roster.print_document(printer)
    assert job is not None
    assert asked == [printer]
    assert printer.pageLayout().orientation().name == "Landscape"
    qtbot.waitUntil(job.done.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: "Sent 2 pages" in roster.status.text())
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    assert reader.pages[0].images  # each page is the rendered image of the form


def test_print_a_page_range_and_a_refusal(
    qtbot: Any, roster: PrintPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QPrintDialog, "exec", lambda _d: int(QDialog.DialogCode.Rejected.value))
    assert roster.print_document(_pdf_printer(tmp_path / "no.pdf")) is None
    assert not (tmp_path / "no.pdf").exists()
    out = tmp_path / "second.pdf"
    printer = _pdf_printer(out)
    printer.setFromTo(2, 2)
    assert list(page_range(printer, 2)) == [1]
    job = roster.print_to(printer)
    qtbot.waitUntil(job.done.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: "Sent 1 pages" in roster.status.text())
    assert len(pypdf.PdfReader(out).pages) == 1


def test_page_range_defaults_to_every_page() -> None:
    printer = QPrinter()
    printer.setFromTo(0, 0)
    assert list(page_range(printer, 3)) == [0, 1, 2]
    printer.setFromTo(2, 9)
    assert list(page_range(printer, 3)) == [1, 2]


def test_application_preview_and_cleanup(qtbot: Any, gui_store: Any, people: Station) -> None:
    dialog = open_preview(qtbot, preview_application, gui_store, people.zhang)
    assert dialog.page_count() == 1
    assert "张三" in dialog.windowTitle()
    text = "".join(pypdf.PdfReader(dialog.document.path).pages[0].extract_text().split())
    assert people.zhang_id in text
    folder = dialog.document.path.parent
    assert folder.is_dir()
    dialog.close()
    assert not folder.exists()


def test_notice_preview(qtbot: Any, gui_store: Any, people: Station) -> None:
    dialog = open_preview(
        qtbot, preview_notice, gui_store, dt.date(2024, 9, 23), dt.date(2024, 9, 27)
    )
    text = "".join(pypdf.PdfReader(dialog.document.path).pages[0].extract_text().split())
    assert "张三" in text
    assert people.zhang_id not in text
    assert dialog.page_count() == 1
    dialog.close()


def test_unknown_person_shows_the_message(
    qtbot: Any, gui_store: Any, message_boxes: MessageBoxes
) -> None:
    shown: list[PrintPreviewDialog] = []
    job = preview_application(None, gui_store, uuid.uuid4(), shown=shown.append)
    qtbot.waitUntil(job.done.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=5_000)
    assert shown == []
    name, text = message_boxes.shown[0]
    assert name == "errorDialog"
    assert "No registered person" in text


def test_unexpected_errors_name_the_log(
    qtbot: Any, gui_store: Any, message_boxes: MessageBoxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caseworker import bootstrap
    from caseworker.gui.printing import documents

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(documents, "render_roster", broken)
    job = preview_roster(None, gui_store, None)
    qtbot.waitUntil(job.done.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=5_000)
    text = message_boxes.shown[0][1]
    assert "boom" not in text
    assert str(bootstrap.log_file()) in text


def test_cancelled_work_leaves_no_files(roster_store: Any) -> None:
    import tempfile

    from caseworker.gui.printing.documents import TEMP_PREFIX

    def folders() -> set[Path]:
        return set(Path(tempfile.gettempdir()).glob(TEMP_PREFIX + "*"))

    before = folders()
    calls: list[int] = []

    def cancel_after_the_pdf(done: int, _total: int) -> bool:
        calls.append(done)
        return done == 0

    work = roster_document(roster_store, RosterFilters(village="红旗村"))
    assert work(cancel_after_the_pdf) is None
    assert calls == [0, 1]
    assert folders() == before
    assert roster_document(roster_store)(lambda _d, _t: False) is None


def test_filters_from_the_registry_list() -> None:
    from caseworker.gui.models.listing import ListQuery

    village = uuid.uuid4()
    query = ListQuery(text="王", village_id=village, category="older_worker", status="none")
    assert roster_filters(query) == RosterFilters(str(village), "older_worker", "none", "王")
    assert roster_filters(None) == RosterFilters()


def test_notice_period_dialog(qtbot: Any) -> None:
    dialog = NoticePeriodDialog(today=dt.date(2024, 9, 26))
    qtbot.addWidget(dialog)
    assert dialog.period() == (dt.date(2024, 9, 26), dt.date(2024, 9, 26))
    assert "No public notice is open now or coming" in dialog.hint.text()
    dialog.start.set_date(dt.date(2024, 10, 9))
    assert dialog.period() == (dt.date(2024, 9, 26), dt.date(2024, 10, 9))
    offered = NoticePeriodDialog(
        today=dt.date(2024, 9, 26), period=(dt.date(2024, 9, 20), dt.date(2024, 10, 15))
    )
    qtbot.addWidget(offered)
    assert offered.period() == (dt.date(2024, 9, 20), dt.date(2024, 10, 15))
    assert "Sep 20, 2024 to Oct 15, 2024" in offered.hint.text()


def test_person_page_prints_the_stored_person(
    qtbot: Any, gui_store: Any, people: Station, message_boxes: MessageBoxes
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from caseworker.gui.views.person import PersonPage

    page = PersonPage(gui_store)
    qtbot.addWidget(page)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)  # a new, unsaved person
    assert message_boxes.shown == [("printNeedsSave", message_boxes.shown[0][1])]
    page.load(people.zhang)

    def previews() -> list[PrintPreviewDialog]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, PrintPreviewDialog)]

    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(previews()), timeout=30_000)
    dialog = previews()[0]
    assert "张三" in dialog.windowTitle()
    dialog.close()
    dialog.deleteLater()


LONG_DOCUMENT_PAGES = 150


@pytest.fixture
def long_preview(qtbot: Any, tmp_path: Path) -> PrintPreviewDialog:
    """A preview of a 150-page landscape document (a long roster's size) without thumbnails."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    from caseworker.gui.printing.documents import PreviewDocument

    folder = tmp_path / "long"
    folder.mkdir()
    path = folder / "long.pdf"
    pdf = canvas.Canvas(str(path), pagesize=landscape(A4))
    for number in range(1, LONG_DOCUMENT_PAGES + 1):
        pdf.setFont("Helvetica", 40)
        pdf.drawString(100, 300, f"Page {number}")
        pdf.showPage()
    pdf.save()
    dialog = PrintPreviewDialog(PreviewDocument(path, "long", "long.pdf"))
    qtbot.addWidget(dialog)
    dialog.resize(900, 700)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: 0 in dialog.view.rendered_pages())
    return dialog


def test_a_far_page_appears_within_a_second_of_reaching_it(
    qtbot: Any, long_preview: PrintPreviewDialog
) -> None:
    """The scroll offset must not become a timer delay (page 140 is ~80,000 pixels down)."""
    view = long_preview.view
    far = LONG_DOCUMENT_PAGES - 10
    assert view.labels[far].geometry().top() > 50_000
    view.show_page(far)
    # a generous bound (the page renders in a few tens of milliseconds here); the old code
    # waited as many milliseconds as the page's offset in pixels
    qtbot.waitUntil(lambda: far in view.rendered_pages(), timeout=5_000)
    assert view.labels[far].pixmap() is not None
    assert not view.labels[far].pixmap().isNull()


def test_the_visible_page_renders_before_its_neighbours(
    qtbot: Any, long_preview: PrintPreviewDialog
) -> None:
    view = long_preview.view
    far = 100
    view.show_page(far)
    view._timer.stop()
    view.render_visible()  # what the timer runs after a jump
    rendered = set(view.rendered_pages())
    assert far in rendered  # at once
    assert view._pending  # the pages around follow, one at a time
    assert not set(view._pending) & rendered
    qtbot.waitUntil(lambda: not view._pending)
    assert {far - 1, far + 1} <= set(view.rendered_pages())


def test_home_and_end_go_to_the_first_and_the_last_page(
    qtbot: Any, long_preview: PrintPreviewDialog
) -> None:
    from PySide6.QtCore import Qt

    long_preview.view.setFocus()
    qtbot.keyClick(long_preview.view, Qt.Key.Key_End)
    last = LONG_DOCUMENT_PAGES - 1
    qtbot.waitUntil(lambda: last in long_preview.view.visible_pages())
    assert f"Page {LONG_DOCUMENT_PAGES - 1}" in long_preview.status.text() or (
        f"of {LONG_DOCUMENT_PAGES}" in long_preview.status.text()
    )
    qtbot.keyClick(long_preview.view, Qt.Key.Key_Home)
    assert long_preview.view.verticalScrollBar().value() == 0
    assert long_preview.status.text().startswith("Page 1 of")


def test_an_empty_public_notice_list_is_not_printed(
    qtbot: Any, gui_store: Any, message_boxes: MessageBoxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caseworker.gui.printing import period

    monkeypatch.setattr(
        NoticePeriodDialog, "exec", lambda _d: int(QDialog.DialogCode.Accepted.value)
    )
    assert period.print_notice_list(None, gui_store) is None
    assert [name for name, _t in message_boxes.shown] == ["emptyNoticeList"]
    assert "nothing to print" in message_boxes.shown[0][1]


def test_the_period_offered_is_that_of_the_notices_open_now_and_next(
    gui_store: Any, people: Station, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    """張三's notice runs from 2024-09-23, 王五's from 2024-11-04: on 2024-09-25 both."""
    from caseworker.core import wall
    from caseworker.gui.printing import period

    with wall.use(wall.FixedWall.on(dt.date(2024, 9, 25))):
        span = period.current_notices(gui_store, dt.date(2024, 9, 25))
        assert span is not None
        assert span[0] == dt.date(2024, 9, 23)
        assert span[1] >= dt.date(2024, 11, 8)
        offered: list[tuple[dt.date, dt.date]] = []

        def accept(dialog: NoticePeriodDialog) -> int:
            offered.append(dialog.period())
            return int(QDialog.DialogCode.Accepted.value)

        monkeypatch.setattr(NoticePeriodDialog, "exec", accept)
        shown: list[Any] = []
        monkeypatch.setattr(
            "caseworker.gui.printing.preview_notice",
            lambda _p, _s, start, end: shown.append((start, end)),
        )
        period.print_notice_list(None, gui_store)
    assert offered == [span]
    assert shown == [span]
    assert period.current_notices(gui_store, dt.date(2025, 1, 1)) is None


def test_the_roster_keeps_the_lists_order_and_says_what_it_lists(
    qtbot: Any, roster_store: Any
) -> None:
    from caseworker.gui.models import person_query
    from caseworker.gui.models.listing import Column, ListQuery

    query = ListQuery(sort=Column.AGE, descending=True)
    with roster_store.reading() as session:
        order = list(person_query.fetch_ids(session, query))
        names = dict(
            session.execute(__import__("sqlalchemy").text("SELECT id, name FROM person")).all()
        )
    dialog = open_preview(qtbot, preview_roster, roster_store, query)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(dialog.document.path).pages)
    assert "登记人员花名册" in text  # every registered person: not a 就业困难人员花名册
    assert "就业困难人员花名册" not in text
    printed = [n for n in (names[str(i).replace("-", "")] for i in order) if n in text]
    positions = [text.index(name) for name in printed]
    assert positions == sorted(positions)  # the list's order (oldest first), not the pinyin
    dialog.close()
