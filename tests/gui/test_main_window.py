"""The main window: sections, status bar, shortcuts, remembered geometry and section, language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from caseworker.gui import prefs
from caseworker.gui.views.main_window import MainWindow
from tests.helpers import make_id, register


@pytest.fixture
def window(gui_store: Any, qtbot: Any) -> MainWindow:
    register(gui_store, "张三", make_id(seq=11))
    register(gui_store, "李四", make_id(seq=13))
    win = MainWindow(gui_store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.registry.model.rowCount() == 2)
    return win


def test_sections_and_status_bar(window: MainWindow) -> None:
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "Registry",
        "Recognition",
        "Settings",
        "Worklist",
        "Family tracker",
        "Dashboard",
        "Welfare posts",
    ]
    assert "650102001" in window.station_label.text()
    assert window.count_label.text() == "2 persons"
    shortcuts = {
        a.objectName(): a.shortcut().toString()
        for a in window.findChildren(type(window.new_action))
    }
    assert shortcuts["newPerson"] == "Ctrl+N"
    assert shortcuts["find"] == "Ctrl+F"
    assert shortcuts["importPersons"] == "Ctrl+I"


def test_new_person_save_updates_list_and_count(window: MainWindow, qtbot: Any) -> None:
    window.new_action.trigger()
    assert window.registry_stack.currentWidget() is window.person
    window.person.editors["name"].input.setText("王五")
    window.person.editors["id_number"].input.setText(make_id(seq=15))
    window.person.editors["village"].input.setCurrentIndex(1)
    assert window.person.save()
    assert window.count_label.text() == "3 persons"
    qtbot.waitUntil(lambda: window.registry.model.rowCount() == 3)
    window.person.cancel()
    assert window.registry_stack.currentWidget() is window.registry


def test_section_and_geometry_are_remembered(gui_store: Any, qtbot: Any) -> None:
    first = MainWindow(gui_store)
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 560)
    assert (first.width(), first.height()) == (760, 560)
    first.section_actions[2].trigger()
    assert first.stack.currentWidget() is first.settings_view
    first.close()
    ini = Path(prefs.settings().fileName())
    assert ini.exists()
    second = MainWindow(gui_store)
    qtbot.addWidget(second)
    second.show()
    assert second.section() == 2
    assert second.stack.currentWidget() is second.settings_view
    assert (second.width(), second.height()) == (760, 560)


def test_language_change_applies_at_once(
    window: MainWindow, qtbot: Any, qapp: QApplication
) -> None:
    from caseworker import bootstrap, i18n

    window.show_section(2)
    try:
        window.settings_view.language.setCurrentIndex(
            window.settings_view.language.findData("ug_CN")
        )
        qtbot.waitUntil(
            lambda: (
                window.settings_view is not None
                and window.settings_view.language.currentData() == "ug_CN"
            )
        )
        assert qapp.layoutDirection() == Qt.LayoutDirection.RightToLeft
        assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
        assert window.store.setting(bootstrap.LANGUAGE_KEY) == "ug_CN"
        assert prefs.stored_language() == "ug_CN"
        assert window.section() == 2
    finally:
        from caseworker.gui.language import apply_language

        apply_language(qapp, "en")
    assert i18n.current_language() == "en"


def test_leaving_a_dirty_person_asks(window: MainWindow, message_boxes: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    window.registry.open_person_requested.emit(window.registry.model.id_at(0))
    window.person.set_field("phone", "13912345678")
    message_boxes.answer = QMessageBox.StandardButton.Cancel
    window.section_actions[1].trigger()
    assert window.stack.currentWidget() is window.registry_stack  # stayed
    assert window.registry_stack.currentWidget() is window.person
    message_boxes.answer = QMessageBox.StandardButton.Discard
    window.section_actions[1].trigger()
    assert window.stack.currentWidget() is window.recognition


def test_demo_data_runs_in_the_background(window: MainWindow, qtbot: Any) -> None:
    window.run_demo(50, seed=3)
    qtbot.waitUntil(lambda: window.count_label.text() == "52 persons", timeout=20_000)
    qtbot.waitUntil(lambda: window.registry.model.rowCount() == 52)


def test_import_and_export(
    window: MainWindow, qtbot: Any, tmp_path: Path, message_boxes: Any
) -> None:
    csv = tmp_path / "persons.csv"
    csv.write_text(f"姓名,身份证号\n王五,{make_id(seq=15)}\n赵六,bad\n", encoding="utf-8")
    window.run_import(csv)
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 2, timeout=20_000)
    assert "1 of the 2 rows" in message_boxes.shown[0][1]  # checked first, then asked
    assert "Imported 1 of 2" in message_boxes.shown[1][1]
    assert window.count_label.text() == "3 persons"
    out = tmp_path / "out.xlsx"
    window.run_export(out)
    qtbot.waitUntil(out.exists, timeout=20_000)


def test_first_run_opens_the_wizard(
    db_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog

    from caseworker.gui.views import wizard
    from caseworker.store.engine import sqlite_url
    from caseworker.store.migrate import open_store

    store = open_store(sqlite_url(db_path), actor="tester")
    shown: list[str] = []
    opened: list[Any] = []

    def fake_exec(self: Any) -> int:
        shown.append(self.objectName())
        self.answers.code, self.answers.name = "650102001", "站"
        self.answers.villages_text, self.answers.caseworker = "红旗村", "古丽"
        self.answers.password = self.answers.password_again = "guli pass 1"
        self.store = wizard.setup_state.apply(self.store, self.answers)
        opened.append(self.store)
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(wizard.SetupWizard, "exec", fake_exec)
    try:
        win = MainWindow(store)
        qtbot.addWidget(win)
        assert shown == ["setupWizard"]
        assert win.registry is not None
        assert "650102001" in win.station_label.text()
        from caseworker.gui import tasks

        tasks.wait_for_all()
        QApplication.processEvents()
        assert win.store is opened[0]
        assert win.store.principal.name == "古丽"
    finally:
        store.dispose()
        for other in opened:
            other.dispose()


def test_the_person_menu_is_never_empty(window: MainWindow) -> None:
    actions = [a for a in window.person_menu.actions() if not a.isSeparator()]
    assert window.new_action in actions
    assert window.find_action in actions
    window.new_action.trigger()  # once a page exists, its actions follow it
    assert window.person is not None
    assert window.person.save_action in window.person_menu.actions()
    assert window.person.save_action.isEnabled()
    window.person.cancel()
    window._update_person_actions()
    assert not window.person.save_action.isEnabled()  # no person is open


def test_switching_language_keeps_the_section_the_filters_and_the_person(
    window: MainWindow, qtbot: Any, qapp: QApplication
) -> None:
    from caseworker.gui.language import apply_language
    from caseworker.gui.models.listing import NO_CASE

    registry = window.registry
    assert registry is not None
    registry.search.setText("张")
    registry.village.setCurrentIndex(2)
    registry.status.setCurrentIndex(registry.status.findData(NO_CASE))
    before = registry.current_query()
    try:
        window.change_language("ug_CN")
        qtbot.waitUntil(lambda: window.registry is not registry)
        assert window.section() == 0
        assert window.registry.current_query() == before
        window.show_section(1)
        window.change_language("zh_CN")
        qtbot.waitUntil(lambda: window.registry.village.currentText() != "")
        qtbot.wait(10)
        assert window.section() == 1  # not thrown back to the registry
        assert window.registry.current_query() == before
        window.show_section(0)
        from caseworker.registry import persons

        with window.store.reading() as session:
            person_id = persons.find_by_id_number(session, make_id(seq=11)).id
        window.open_person(person_id)
        window.change_language("en")
        qtbot.waitUntil(lambda: window.person is not None and window.person.person_id == person_id)
        assert window.registry_stack.currentWidget() is window.person
    finally:
        apply_language(qapp, "en")


def test_the_status_of_a_person_without_a_case_reads_no_application(
    window: MainWindow,
) -> None:
    model = window.registry.model
    column = [model.columns[c].key for c in range(model.columnCount())].index("status")
    assert model.data(model.index(0, column)) == "No application"


def test_settings_labels_line_up_across_the_groups(window: MainWindow) -> None:
    from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel

    assert window.settings_view is not None
    widths = set()
    for group in window.settings_view.findChildren(QGroupBox):
        layout = group.layout()
        assert isinstance(layout, QFormLayout)
        for row in range(layout.rowCount()):
            item = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                widths.add(item.widget().width() or item.widget().minimumWidth())
    assert len(widths) == 1
