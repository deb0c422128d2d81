"""The mouse wheel scrolls forms (it changes a field only when the field has the focus), and
date fields take a whole typed date and let Tab move on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

from caseworker.gui.views.person import PersonPage
from caseworker.gui.widgets.wheel import guarded


def wheel(widget: QWidget, steps: int = -3) -> None:
    """Turn the wheel over ``widget`` (negative: towards the person, scrolling down)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(widget.rect().center())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


@pytest.fixture
def page(gui_store: Any, qtbot: Any) -> PersonPage:
    widget = PersonPage(gui_store)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)  # the form scrolls
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_wheel_over_a_combo_box_scrolls_the_form(page: PersonPage, qtbot: Any) -> None:
    education = page.editors["education"].input
    assert isinstance(education, QComboBox)
    graduate = education.findData("postgraduate")
    education.setCurrentIndex(graduate)
    bar = page.form_scroll.verticalScrollBar()
    assert bar.maximum() > 0
    page.first_field.setFocus()  # the focus is elsewhere, as when scrolling with the mouse
    before = bar.value()
    wheel(education)
    assert education.currentIndex() == graduate  # 研究生 stays 研究生
    assert bar.value() > before  # and the form scrolled
    assert not education.hasFocus()  # the wheel does not give it the focus either
    education.setFocus()
    wheel(education)  # once chosen (focused), the wheel may change it
    assert education.currentIndex() != graduate


def test_every_form_guards_its_combo_boxes_and_date_fields(
    gui_store: Any, qtbot: Any, page: PersonPage
) -> None:
    from caseworker.gui.views.household import PersonPicker, RelativeDialog
    from caseworker.gui.views.recognition_list import RecognitionListView
    from caseworker.gui.views.registry import RegistryView
    from caseworker.gui.views.settings import SettingsView
    from caseworker.gui.views.step_dialog import StepDialog
    from caseworker.gui.views.wizard import SetupWizard

    forms: list[QWidget] = [
        page,
        RelativeDialog(),
        PersonPicker(gui_store, None),
        SettingsView(gui_store),
        SetupWizard(gui_store, language="en"),
        RegistryView(gui_store),
        RecognitionListView(gui_store),
        StepDialog("exit"),
    ]
    for form in forms:
        if form is not page:
            qtbot.addWidget(form)
        fields = [*form.findChildren(QComboBox), *form.findChildren(QAbstractSpinBox)]
        assert fields, type(form).__name__
        for field in fields:
            assert guarded(field), (type(form).__name__, field.objectName())
            assert field.focusPolicy() == Qt.FocusPolicy.StrongFocus


@pytest.fixture
def period(qtbot: Any) -> Any:
    from caseworker.gui.printing.period import NoticePeriodDialog

    dialog = NoticePeriodDialog(today=dt.date(2026, 11, 28))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_typed_date_is_taken_and_tab_moves_on(period: Any, qtbot: Any) -> None:
    """Tab leaves the field; "20261204" typed after Tab is 2026-12-04 (not 2026-02-02)."""
    start, end = period.start, period.end
    start.edit.setFocus()
    qtbot.keyClick(start.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(start.edit, "20261204")
    assert start.date() == dt.date(2026, 12, 4)
    qtbot.keyClick(start.edit, Qt.Key.Key_Tab)
    assert end.edit.hasFocus()  # to the next field, not to the month
    assert start.edit.text() == "2026-12-04"  # shown in one form once left
    qtbot.keyClick(end.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(end.edit, "2026/12/31")
    qtbot.keyClick(end.edit, Qt.Key.Key_Tab)
    assert period.period() == (dt.date(2026, 12, 4), dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2024-03-01", dt.date(2024, 3, 1)),
        ("2024/3/1", dt.date(2024, 3, 1)),
        ("2024.3.1", dt.date(2024, 3, 1)),
        ("20240301", dt.date(2024, 3, 1)),
        ("2024年3月1日", dt.date(2024, 3, 1)),
        ("２０２４－０３－０１", dt.date(2024, 3, 1)),
    ],
)
def test_every_accepted_form_sets_the_date(period: Any, typed: str, expected: dt.date) -> None:
    period.start.edit.setText(typed)  # (keyClicks cannot type Chinese)
    assert period.start.date() == expected
    assert period.start.error() is None


def test_a_date_it_cannot_read_is_said_not_kept(period: Any, qtbot: Any) -> None:
    """Ctrl+A and a wrong date: the old value is not kept silently."""
    start = period.start
    assert start.date() == dt.date(2026, 11, 28)
    start.edit.setFocus()
    qtbot.keyClick(start.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(start.edit, "2026-02-30")
    assert start.date() is None
    assert "not a real date" in start.error()
    assert start.message.isVisibleTo(period)
    from PySide6.QtWidgets import QDialogButtonBox

    assert not period.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's popups
def test_the_calendar_opens_from_the_keyboard_and_sets_the_date(period: Any, qtbot: Any) -> None:
    from PySide6.QtCore import QDate

    start = period.start
    start.edit.setFocus()
    qtbot.keyClick(start.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = start.calendar
    assert calendar is not None
    assert calendar.isVisible()
    calendar.clicked.emit(QDate(2026, 10, 9))
    assert start.date() == dt.date(2026, 10, 9)
    assert not calendar.isVisible()
