"""The program deletes its main window itself when the event loop ends (:func:`caseworker.gui.
app.run`): left to PySide's clean-up at exit, objects were deleted in any order, and after the
county window had been used the program crashed on closing in about one exit in four."""

from __future__ import annotations

from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from caseworker.gui import app as app_module
from caseworker.gui import tasks


def test_the_main_window_and_its_dialogs_are_deleted_when_the_loop_ends(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = QWidget()
    dialog = QDialog(window)  # as the county window and the Sync dialog are made
    window.show()
    ended: list[str] = []

    class Application:  # the real one, with an event loop that ends at once
        def exec(self) -> int:
            ended.append("exec")
            return 3

        def processEvents(self) -> None:  # (Qt's name)
            qapp.processEvents()

    def build(*_args: Any) -> tuple[Any, object]:
        return Application(), window

    monkeypatch.setattr(app_module, "build", build)
    real_wait = tasks.wait_for_all

    def wait_for_all(msecs: int = 30_000) -> bool:
        ended.append("tasks")
        return real_wait(msecs)

    monkeypatch.setattr(tasks, "wait_for_all", wait_for_all)
    assert app_module.run() == 3
    assert ended[:2] == ["exec", "tasks"]  # (the background work waited for first)
    assert not shiboken6.isValid(window)
    assert not shiboken6.isValid(dialog)
