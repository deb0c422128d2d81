"""The assistance screens: the person's Assistance tab (plan, quick contact, a correction
shown beside what it replaced, offers and the refusal flag, outcome), the worklist with search
and windows, the family tracker, the dashboard and its click-throughs, the painted charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QDialog

from caseworker.gui.views import assistance_dialogs as dialogs
from caseworker.gui.views.main_window import MainWindow
from caseworker.gui.views.person import PersonPage
from caseworker.gui.widgets.charts import BarChart
from tests.gui.conftest import MessageBoxes
from tests.helpers import make_id, on_day, recognise, register

D = dt.date
TODAY = D(2024, 12, 20)
OPENED = D(2024, 10, 15)


@pytest.fixture
def today() -> Any:
    with on_day(TODAY) as wall:
        yield wall


@pytest.fixture
def person(gui_store: Any, today: Any) -> Any:
    with on_day(D(2024, 9, 1)):
        found = register(
            gui_store, "张三", make_id(birth=D(1975, 4, 1), seq=131),
            registered_unemployed_since=D(2023, 1, 1), village="红旗村",
        )  # fmt: skip
    recognise(gui_store, found.id)
    return found


@pytest.fixture
def page(gui_store: Any, qtbot: Any, person: Any) -> PersonPage:
    widget = PersonPage(gui_store)
    qtbot.addWidget(widget)
    widget.show()
    widget.load(person.id)
    widget.show_assistance()
    return widget


def accept(monkeypatch: pytest.MonkeyPatch, cls: type, fill: Callable[[Any], None]) -> None:
    """Make ``cls`` dialogs filled by ``fill`` and accepted instead of shown."""

    def fake_exec(dialog: Any) -> int:
        fill(dialog)
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(cls, "exec", fake_exec)


def open_plan(page: PersonPage, monkeypatch: pytest.MonkeyPatch, on: dt.date = OPENED) -> None:
    def fill(d: Any) -> None:
        d.worker.setCurrentText("古丽")
        d.opened.setDate(dialogs.to_qdate(on))
        d.headings["skills"].setPlainText("面点")
        d.services.boxes["training"].setChecked(True)
        d.measures.setPlainText("推荐面点培训")

    accept(monkeypatch, dialogs.PlanDialog, fill)
    assert page.assistance.buttons["open"].isEnabled()
    assert page.assistance.open_plan()


def test_plan_and_quick_contact(
    page: PersonPage, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    panel = page.assistance
    assert "No assistance plan" in panel.summary.text()
    assert not panel.quick.isEnabled()
    open_plan(page, monkeypatch)
    assert "古丽" in panel.summary.text()
    assert "Overdue by" in panel.summary.text()  # first contact was due on 2024-11-14
    assert not panel.buttons["open"].isEnabled()
    # a contact in a few keystrokes: the note, then Enter
    panel.contact_services.boxes["job_referral"].setChecked(True)
    panel.contact_note.setText("电话了解求职意向")
    qtbot.keyClick(panel.contact_note, Qt.Key.Key_Return)
    assert panel.contact_note.text() == ""
    assert [e.kind for e in panel.view.entries] == ["contact", "opened"]
    assert panel.view.entries[0].on == TODAY
    assert "Next contact due on" in panel.summary.text()
    QAbstractItemModelTester(panel.timeline, QAbstractItemModelTester.FailureReportingMode.Fatal)


def test_a_correction_is_shown_beside_what_it_replaced(
    page: PersonPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = page.assistance
    open_plan(page, monkeypatch)
    panel.contact_note.setText("电话")
    assert panel.add_contact()
    panel.table.selectRow(0)
    assert panel.buttons["correct"].isEnabled()

    def fill(d: Any) -> None:
        d.channel.setCurrentIndex(d.channel.findData("visit"))
        d.note.setText("实为入户走访")

    accept(monkeypatch, dialogs.ContactDialog, fill)
    assert panel.correct_contact()
    rows = panel.timeline.rows
    assert [(r.kind, r.replaced, r.corrects is not None) for r in rows[:2]] == [
        ("contact", False, True),
        ("contact", True, False),
    ]
    replaced = panel.timeline.index(1, 1)
    assert "replaced by a correction" in panel.timeline.data(replaced)
    assert panel.timeline.data(replaced, Qt.ItemDataRole.FontRole).strikeOut()


def test_offers_refusals_flag_and_outcome(
    page: PersonPage, monkeypatch: pytest.MonkeyPatch, message_boxes: MessageBoxes
) -> None:
    panel = page.assistance
    open_plan(page, monkeypatch)
    for day in (D(2024, 10, 20), D(2024, 11, 5), D(2024, 12, 1)):

        def fill(d: Any, day: dt.date = day) -> None:
            d.date.setDate(dialogs.to_qdate(day))
            d.post.setText("保洁员")
            d.answer.setCurrentIndex(d.answer.findData("refused"))
            d.reason.setText("太远")

        accept(monkeypatch, dialogs.OfferDialog, fill)
        assert panel.add_offer()
    assert panel.flag.isVisible()
    assert "Refused 3 offers" in panel.flag.text()

    # an outcome below the pack's threshold is refused with a message, and nothing changes
    def too_short(d: Any) -> None:
        d.date.setDate(dialogs.to_qdate(D(2024, 12, 10)))
        d.evidence.setCurrentIndex(d.evidence.findData("contract"))
        d.figure.setValue(6)

    accept(monkeypatch, dialogs.OutcomeDialog, too_short)
    assert not panel.record_outcome()
    assert "shorter than 12 months" in message_boxes.shown[-1][1]

    def contract(d: Any) -> None:
        d.date.setDate(dialogs.to_qdate(D(2024, 12, 10)))
        d.evidence.setCurrentIndex(d.evidence.findData("contract"))
        d.figure.setValue(24)

    accept(monkeypatch, dialogs.OutcomeDialog, contract)
    assert panel.record_outcome()
    assert panel.view.entries[0].kind == "outcome"
    assert "Follow-up after employment" in panel.summary.text()


@pytest.fixture
def window(gui_store: Any, qtbot: Any, person: Any, today: Any) -> MainWindow:
    from caseworker.casework import plans

    with gui_store.transaction() as session:
        plans.open_plan(session, person.id, on=D(2024, 10, 15), worker="李娜")
        plans.add_contact(session, person.id, on=D(2024, 10, 20), channel="phone")
    other = register(gui_store, "古丽", make_id(birth=D(1980, 6, 1), seq=142), village="团结村")
    from caseworker.registry import households

    with gui_store.transaction() as session:
        household = households.create(session)
        households.add_person(session, household.id, other.id, "head")
    win = MainWindow(gui_store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.registry.model.rowCount() == 2)
    return win


def test_sections_worklist_search_and_open(window: MainWindow, qtbot: Any, person: Any) -> None:
    names = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert names[3:] == ["Worklist", "Family tracker", "Dashboard", "Welfare posts"]
    window.show_section(3)
    view = window.casework_views[0]
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    QAbstractItemModelTester(view.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert view.model.data(view.model.index(0, 0)) == "张三"
    assert view.model.data(view.model.index(0, 6)) == "31"  # due 2024-11-19, seen 2024-12-20
    view.search.setText("zhang")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and view.summary.text().startswith("1"))
    view.search.setText("lisi")
    qtbot.waitUntil(lambda: view.model.rowCount() == 0)
    view.search.setText("")
    view.set_window("today")
    qtbot.waitUntil(lambda: view.model.rowCount() == 0)
    view.set_window("overdue")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.table.activated.emit(view.model.index(0, 0))
    assert window.registry_stack.currentWidget() is window.person
    assert window.person.side_tabs.currentWidget() is window.person.assistance
    assert window.person.person_id == person.id


def test_family_tracker_identifies_and_lists(window: MainWindow, qtbot: Any) -> None:
    window.show_section(4)
    view = window.casework_views[1]
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    QAbstractItemModelTester(view.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    row = view.model.row_data(0)
    assert row is not None
    assert row.head_name == "古丽"
    assert "30 days" in view.rule.text()
    view.set_filter("overdue")
    qtbot.waitUntil(lambda: view.model.rowCount() == 0)


def test_dashboard_figures_and_click_through(window: MainWindow, qtbot: Any) -> None:
    window.show_section(5)
    view = window.casework_views[2]
    qtbot.waitUntil(lambda: view.figures is not None)
    assert view.figures.open_plans == 1
    assert view.figures.overdue == 1
    assert view.tiles["overdue"].text().startswith("1\n")
    view.tiles["overdue"].click()
    assert window.section() == 3
    assert window.casework_views[0].window_filter.currentData() == "overdue"
    window.show_section(5)
    qtbot.waitUntil(lambda: view.figures is not None)
    view._category_clicked(0)
    assert window.section() == 0
    assert window.registry.status.currentData() == "recognised"
    assert window.registry.category.currentData() == view.figures.by_category[0][0]
    dialog = view.show_offers()
    assert dialog.model.rowCount() == 0
    dialog.close()


def test_bar_chart_clicks_name_the_bar(qtbot: Any) -> None:
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(400, 120)
    chart.set_data(["甲", "乙", "丙"], [3, 1, 2])
    chart.show()
    with qtbot.waitSignal(chart.activated) as blocker:
        qtbot.mouseClick(
            chart, Qt.MouseButton.LeftButton, pos=QPoint(200, 4 + chart.row_height() + 5)
        )
    assert blocker.args == [1]


def _preview_opened(qtbot: Any, trigger: Callable[[], object]) -> Any:
    """Run a print entry point as the user does and wait for its preview window."""
    from PySide6.QtWidgets import QApplication

    from caseworker.gui.printing import PrintPreviewDialog

    def previews() -> list[PrintPreviewDialog]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, PrintPreviewDialog)]

    before = set(map(id, previews()))
    trigger()
    qtbot.waitUntil(lambda: any(id(w) not in before for w in previews()), timeout=30_000)
    (dialog,) = [w for w in previews() if id(w) not in before]
    qtbot.addWidget(dialog)
    return dialog


def test_the_card_and_contact_record_print_from_the_tab(
    page: PersonPage, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    import pypdf

    panel = page.assistance
    open_plan(page, monkeypatch)
    panel.contact_note.setText("电话了解求职意向")
    assert panel.add_contact()
    card = _preview_opened(qtbot, panel.more_actions["card"].trigger)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(card.document.path).pages)
    assert "就业援助" in text
    assert "张三" in text
    assert "面点" in text
    assert card.page_count() >= 1
    record = _preview_opened(qtbot, panel.more_actions["record"].trigger)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(record.document.path).pages)
    assert "帮扶记录" in text
    assert "电话了解求职意向" in text


def test_the_family_list_prints_from_the_tracker(window: MainWindow, qtbot: Any) -> None:
    import pypdf

    window.show_section(4)
    view = window.casework_views[1]
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    dialog = _preview_opened(qtbot, view.print_button.click)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(dialog.document.path).pages)
    assert "零就业家庭" in text
    assert "古丽" in text
