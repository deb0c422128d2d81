"""The public-welfare posts screens: employers and posts, a post's people, the attendance grid
(keyboard entry, refusals said in the message line), the month's roster with its steps and
totals, the person page's placement tab, and all of it on a 1024x700 screen in Chinese, Uyghur
and English (screenshots)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from caseworker.gui.fonts import apply_fonts
from caseworker.gui.language import apply_language
from caseworker.gui.views.main_window import SECTIONS, MainWindow
from caseworker.gui.views.person import PersonPage
from caseworker.gui.views.posts import (
    CorrectionDialog,
    EmployerDialog,
    PostDialog,
    PostsView,
    select_month,
)
from caseworker.posts import service
from tests.gui.test_small_screen import buttons_cut, labels_cut
from tests.helpers import make_id, on_day, recognise, register

D = dt.date
TODAY = D(2025, 5, 20)


@pytest.fixture
def today() -> Iterator[Any]:
    with on_day(TODAY) as wall:
        yield wall


@pytest.fixture
def people(gui_store: Any, today: Any) -> list[Any]:
    with on_day(D(2024, 9, 1)):
        found = [
            register(gui_store, name, make_id(birth=D(1975 + i, 4, 1), seq=131 + 2 * i),
                     registered_unemployed_since=D(2023, 1, 1), village="红旗村")
            for i, name in enumerate(["张三", "王五", "艾力·买买提"])
        ]  # fmt: skip
    for who in found:
        recognise(gui_store, who.id)
    return found


def add_post(view: PostsView) -> None:
    tab = view.posts_tab
    dialog = EmployerDialog(tab)
    dialog.name.setText("红旗村村委会")
    dialog.credit_code.setText("91350100M000100Y43")
    assert tab.save_employer(dialog)
    dialog = PostDialog(["红旗村村委会"], tab)
    dialog.title.setText("保洁员")
    dialog.village.setText("红旗村")
    dialog.headcount.setValue(5)
    dialog.standard.setText("1900")
    assert tab.save_post(dialog)


def place_all(store: Any, people: list[Any]) -> None:
    with store.transaction() as session:
        post_id = service.post_rows(session)[0].id
        for who in people:
            service.start_placement(session, who.id, post_id=post_id, on=D(2024, 11, 1))


def test_posts_attendance_and_the_roster(gui_store: Any, qtbot: Any, people: list[Any]) -> None:
    view = PostsView(gui_store)
    qtbot.addWidget(view)
    view.show()
    add_post(view)
    bad = EmployerDialog(view)
    bad.name.setText("某公司")
    bad.credit_code.setText("91350100M000100Y44")
    assert not view.posts_tab.save_employer(bad)
    assert "check character" in view.posts_tab.message.text()
    place_all(gui_store, people)
    view.posts_tab.reload()
    assert view.posts_tab.posts.item(0, 5).text() == "3 / 5"
    view.posts_tab.posts.selectRow(0)
    assert view.posts_tab.people.rowCount() == 3

    view.tabs.setCurrentWidget(view.attendance_tab)
    grid = view.attendance_tab
    assert select_month(grid.month, D(2025, 4, 1))
    assert grid.grid.rowCount() == 3
    assert "22 working days" in grid.calendar_days.text()
    grid.grid.setFocus()
    grid.grid.setCurrentCell(0, 5)
    qtbot.keyClick(grid.grid, Qt.Key.Key_2)  # typing starts editing (keyboard only)
    editor = grid.grid.findChild(QLineEdit)
    assert editor is not None
    qtbot.keyClicks(editor, "3")
    grid.grid.setCurrentCell(1, 5)  # moving on commits (offscreen, Return has no focus)
    assert grid.grid.item(0, 5).text() == "23", grid.grid.item(0, 5).text()
    assert not grid.save()
    assert "at most 22 days" in grid.message.text()
    for row, days in enumerate(("22", "21", "20")):
        grid.grid.item(row, 5).setText(days)
    assert grid.save()
    assert "3 persons" in grid.message.text()

    view.tabs.setCurrentWidget(view.roster_tab)
    roster = view.roster_tab
    assert select_month(roster.month, D(2025, 4, 1))
    assert "Not built" in roster.state.text()
    assert roster.step("build")
    assert roster.table.rowCount() == 3
    assert "5,440.91" in roster.totals.text()
    assert not roster.buttons["approve"].isEnabled()
    assert roster.step("submit")
    assert "submitted" in roster.state.text()
    assert not roster.buttons["build"].isEnabled()
    view.tabs.setCurrentWidget(view.attendance_tab)
    assert not grid.save_button.isEnabled()
    assert "locked" in grid.calendar_days.text()

    # a line of the locked April roster is corrected in May's draft
    view.tabs.setCurrentWidget(view.roster_tab)
    roster.table.clearSelection()
    assert not roster.correct_button.isEnabled()  # nothing selected
    roster.table.selectRow(0)
    assert roster.correct_button.isEnabled()
    line = roster.selected_line()
    assert roster.later_months() == [D(2025, 5, 1)]
    dialog = CorrectionDialog(
        line.name, D(2025, 4, 1), line.required, line.worked, roster.later_months(), roster
    )
    dialog.worked.setValue(line.required + 3)
    assert not roster.save_correction(line.line_id, dialog)  # more days than required
    assert "22" in roster.message.text()
    dialog.worked.setValue(line.worked - 2)
    dialog.note.setText("考勤更正")
    assert roster.save_correction(line.line_id, dialog)
    assert "added to the roster of" in roster.message.text()
    assert "-" in roster.message.text()  # two days fewer: a negative adjustment
    assert select_month(roster.month, D(2025, 5, 1))
    assert roster.table.rowCount() == 1  # the adjustment line, in May's draft
    assert roster.table.item(0, 8).text() == "2025-04"
    roster.table.selectRow(0)
    assert not roster.correct_button.isEnabled()  # a draft's adjustment line


def test_the_person_page_places_and_records_the_exit(
    gui_store: Any, qtbot: Any, people: list[Any]
) -> None:
    view = PostsView(gui_store)
    qtbot.addWidget(view)
    add_post(view)
    page = PersonPage(gui_store)
    qtbot.addWidget(page)
    page.show()
    page.load(people[0].id)
    page.show_placements()
    panel = page.placements
    assert "Not placed" in panel.current.text()
    panel.start_on.set_date(D(2024, 11, 1))
    assert panel.start()
    assert "2027-10-31" in panel.message.text() or "2027" in panel.message.text()
    assert "36 months from the start" in panel.current.text()
    assert panel.history.rowCount() == 1
    panel.end_on.set_date(D(2025, 4, 30))
    panel.reason.setCurrentIndex(panel.reason.findData("employed"))
    assert panel.end()
    assert panel.history.item(0, 4).text() == "stable employment elsewhere"


@pytest.mark.parametrize("language", ["zh_CN", "ug_CN", "en"])
def test_the_posts_section_and_tab_fit_1024x700(
    gui_store: Any,
    qtbot: Any,
    qapp: QApplication,
    people: list[Any],
    language: str,
    tmp_path: Path,
) -> None:
    font = qapp.font()
    apply_language(qapp, language)
    apply_fonts(qapp, language == "ug_CN")
    try:
        window = MainWindow(gui_store)
        qtbot.addWidget(window)
        window.resize(1024, 700)
        window.show()
        index = [key for key, _label in SECTIONS].index("posts")
        window.show_section(index)
        view = window.stack.currentWidget()
        assert isinstance(view, PostsView)
        add_post(view)
        place_all(gui_store, people)
        out = Path(os.environ.get("POSTS_SHOTS", tmp_path))
        out.mkdir(parents=True, exist_ok=True)
        for tab, month_tab in ((view.posts_tab, False), (view.attendance_tab, True),
                               (view.roster_tab, True)):  # fmt: skip
            view.tabs.setCurrentWidget(tab)
            if month_tab:
                assert select_month(tab.month, D(2025, 4, 1))  # type: ignore[attr-defined]
            if tab is view.attendance_tab:
                for row, days in enumerate(("22", "21", "20")):
                    view.attendance_tab.grid.item(row, 5).setText(days)
                assert view.attendance_tab.save()
            if tab is view.roster_tab:
                assert view.roster_tab.step("build")
                assert view.roster_tab.step("submit")
                table = view.roster_tab.table  # a click (selectRow picks no cell in RTL)
                cell = table.visualItemRect(table.item(0, 0)).center()
                qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
                assert view.roster_tab.correct_button.isEnabled()
            QApplication.processEvents()
            assert window.width() == 1024
            assert buttons_cut(view) == []
            assert labels_cut(view) == []
            window.grab().save(str(out / f"posts-{tab.objectName()}-{language}.png"))
        roster = view.roster_tab
        line = roster.selected_line()
        dialog = CorrectionDialog(
            line.name, D(2025, 4, 1), line.required, line.worked, roster.later_months(), window
        )
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        assert buttons_cut(dialog) == []
        assert labels_cut(dialog) == []
        dialog.grab().save(str(out / f"posts-correction-{language}.png"))
        dialog.close()
        window.open_person(people[0].id)
        assert window.person is not None
        window.person.show_placements()
        QApplication.processEvents()
        assert window.width() == 1024
        assert buttons_cut(window.person.placements) == []
        window.grab().save(str(out / f"person-placements-{language}.png"))
        window.close()
    finally:
        apply_language(qapp, "en")
        qapp.setFont(font)
