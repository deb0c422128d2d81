"""Every page works on a 1024x700 screen in Chinese, Uyghur and English: no form scrolls
sideways, no field, button or column header is cut, no registry column is off-screen.

The pages are also grabbed as screenshots (the same code as ``caseworker.gui.screenshots``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTableView,
    QWidget,
)

from caseworker.gui import screenshots
from caseworker.gui.fonts import apply_fonts
from caseworker.gui.language import apply_language
from caseworker.gui.views.main_window import MainWindow
from caseworker.gui.widgets.columns import FittedTableView

SIZE = (1024, 700)
LANGUAGES = ("zh_CN", "ug_CN", "en")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """A station with demo persons and cases at every stage (shared by the languages)."""
    from caseworker.registry import stations
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    folder = tmp_path_factory.mktemp("small")
    store = open_store(sqlite_url(folder / "demo.sqlite3"), actor="古丽")
    stations.initialise(
        store, "650102001", "燕儿窝街道就业服务站", ["南湖社区", "红旗村", "团结村"]
    )
    showcase = screenshots.prepare(store, 80)
    yield store, showcase
    from caseworker.gui import tasks

    tasks.wait_for_all()
    store.dispose()


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    code = str(request.param)
    font = qapp.font()
    apply_language(qapp, code)
    apply_fonts(qapp, code == "ug_CN")
    yield code
    apply_language(qapp, "en")
    qapp.setFont(font)


def visible(widget: QWidget) -> bool:
    return widget.isVisibleTo(widget.window())


def cut_off(area: QScrollArea) -> list[str]:
    """What inside the scroll area is not whole within its visible width."""
    problems = []
    if area.horizontalScrollBar().isVisible():
        problems.append(f"{area.objectName()}: horizontal scroll bar")
    inner = area.widget()
    assert inner is not None
    viewport = area.viewport()
    if inner.width() > viewport.width():
        problems.append(f"{area.objectName()}: form {inner.width()} > {viewport.width()}")
    kinds = (QLineEdit, QComboBox, QAbstractButton, QTableView)
    for child in inner.findChildren(QWidget):
        if not isinstance(child, kinds) or not visible(child):
            continue
        left = child.mapTo(viewport, QPoint(0, 0)).x()
        if left < 0 or left + child.width() > viewport.width():
            problems.append(
                f"{child.objectName() or type(child).__name__} at {left}+{child.width()}"
            )
    return problems


def buttons_cut(root: QWidget) -> list[str]:
    """Push buttons whose text does not fit them."""
    problems = []
    for button in root.findChildren(QAbstractButton):
        if visible(button) and button.text() and button.width() < button.sizeHint().width() - 1:
            problems.append(f"{button.text()!r}: {button.width()} < {button.sizeHint().width()}")
    return problems


def headers_cut(table: FittedTableView) -> list[str]:
    return [
        str(table.model().headerData(c, table.horizontalHeader().orientation()))
        for c in range(table.model().columnCount())
        if table.columnWidth(c) < table.minimum(c)
    ]


def labels_cut(root: QWidget) -> list[str]:
    """Labels that do not wrap and are narrower than their text."""
    return [
        label.text()
        for label in root.findChildren(QLabel)
        if visible(label)
        and label.text()
        and not label.wordWrap()
        and "<" not in label.text()
        and label.width() < label.sizeHint().width() - 1
    ]


def test_every_page_fits_1024x700(
    demo: tuple[Any, Any], language: str, qtbot: Any, qapp: QApplication, tmp_path: Path
) -> None:
    store, showcase = demo
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    assert window.registry is not None
    registry = window.registry
    qtbot.waitUntil(lambda: registry.model.rowCount() > 0)
    QApplication.processEvents()
    assert (window.width(), window.height()) == SIZE  # nothing forces the window wider
    assert isinstance(registry.table, FittedTableView)
    table = registry.table
    widths = [table.columnWidth(c) for c in range(table.model().columnCount())]
    assert table.columns_fit(), ("registry columns off-screen", widths, table.viewport().width())
    assert headers_cut(registry.table) == []
    for combo in (registry.village, registry.category, registry.status):
        assert combo.width() >= combo.sizeHint().width(), combo.currentText()
    assert buttons_cut(registry) == []
    window.grab().save(str(tmp_path / f"registry-{language}.png"))

    window.open_person(showcase)
    page = window.person
    assert page is not None
    for _turn in range(3):  # the side's refit runs once the case is laid out (a queued call)
        QApplication.processEvents()
    assert window.width() == SIZE[0]
    for area in (page.form_scroll, page.side_scroll):
        assert cut_off(area) == []
    assert buttons_cut(page) == []
    assert labels_cut(page) == []
    # the derived age and the household buttons are shown (they were hidden in Uyghur)
    assert visible(page.age_value)
    assert page.age_value.text().isdigit()
    for button in (page.household.add_person_button, page.household.remove_button):
        assert visible(button)
    window.grab().save(str(tmp_path / f"person-{language}.png"))

    window.show_list()
    window.show_section(1)
    recognition = window.recognition
    assert recognition is not None
    qtbot.waitUntil(lambda: recognition.model.rowCount() > 0)
    assert recognition.table.columns_fit()
    assert headers_cut(recognition.table) == []
    window.show_section(2)
    QApplication.processEvents()
    assert window.settings_view is not None
    assert buttons_cut(window.settings_view) == []
    assert window.width() == SIZE[0]
    window.grab().save(str(tmp_path / f"settings-{language}.png"))
    window.show_section(5)  # the dashboard: its figures flow into fewer columns, never sideways
    QApplication.processEvents()
    dashboard = window.casework_views[2]
    (scroll,) = dashboard.findChildren(QScrollArea)
    assert scroll.horizontalScrollBar().maximum() == 0, dashboard.columns
    assert window.width() == SIZE[0]
    window.close()
