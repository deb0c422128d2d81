"""The main window's Print menu opens the roster and notice-list previews."""

from __future__ import annotations

from typing import Any

import pytest

from caseworker.gui.views.main_window import MainWindow
from tests.helpers import make_id, register


def test_print_menu_actions(qtbot: Any, monkeypatch: pytest.MonkeyPatch, gui_store: Any) -> None:
    from caseworker.gui import printing
    from caseworker.gui.printing import period

    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(
        printing, "preview_roster", lambda parent, store, query: calls.append(("roster", query))
    )
    monkeypatch.setattr(
        period, "print_notice_list", lambda parent, store: calls.append(("notice", store))
    )
    register(gui_store, "张三", make_id(seq=11))
    window = MainWindow(gui_store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.registry.model.rowCount() == 1)
    assert window.print_roster_action.isEnabled()
    assert window.print_roster_action.shortcut().toString() == "Ctrl+Shift+P"
    window.registry.search.setText("zs")
    window.print_roster_action.trigger()
    window.print_notice_action.trigger()
    assert [kind for kind, _ in calls] == ["roster", "notice"]
    assert calls[0][1].text == "zs"
    assert calls[1][1] is gui_store
    page = window.person_page()
    assert page.print_action in window.person_menu.actions()
