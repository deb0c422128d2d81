"""The history window: every change to a person, newest first, with who made it."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from caseworker.gui.views.history import HistoryDialog
from caseworker.registry import persons
from tests.helpers import make_id, register


def test_history_lists_changes_newest_first(
    qtbot: QtBot, qtmodeltester: Any, gui_store: Any
) -> None:
    person = register(gui_store, "张三", make_id(), phone="13899998888")
    with gui_store.transaction(actor="王芳") as session:
        persons.change(session, person.id, phone="13900001111")
    dialog = HistoryDialog(gui_store, person.id)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    model = dialog.model
    assert model.rowCount() == 2
    newest = [model.data(model.index(0, c)) for c in range(3)]
    assert newest[1] == "王芳"
    assert "13899998888 → 13900001111" in newest[2]
    oldest = [model.data(model.index(1, c)) for c in range(3)]
    assert oldest[1] == "tester"
    assert "张三" in oldest[2]
    dialog.show()
    qtbot.waitExposed(dialog)
