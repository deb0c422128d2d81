"""GUI tests: offscreen, QSettings in a temporary folder, tasks finished before teardown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox


class UnansweredDialog(AssertionError):
    """A modal dialog opened in a test that did not say how to answer it (it would hang)."""


@pytest.fixture(autouse=True)
def _modal_dialogs_need_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal dialog no test answers fails at once instead of blocking the run: tests that
    expect one patch ``exec`` themselves (``message_boxes``, or their own fake)."""
    from PySide6.QtWidgets import QDialog

    def refuse(dialog: QDialog) -> int:
        text = dialog.text() if isinstance(dialog, QMessageBox) else dialog.windowTitle()
        raise UnansweredDialog(f"modal dialog {dialog.objectName()!r} opened: {text}")

    monkeypatch.setattr(QMessageBox, "exec", refuse)
    monkeypatch.setattr(QDialog, "exec", refuse)


@pytest.fixture(autouse=True)
def _qt_settings_in_tmp(tmp_path: Path, qapp: QApplication) -> Iterator[None]:
    folder = tmp_path / "qsettings"
    folder.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    yield
    from caseworker.gui import tasks

    assert tasks.wait_for_all(20_000)
    QApplication.processEvents()


@pytest.fixture
def gui_store(store: Any) -> Iterator[Any]:
    """The station store; background jobs are finished before it is closed."""
    yield store
    from caseworker.gui import tasks

    tasks.wait_for_all(20_000)
    QApplication.processEvents()


@pytest.fixture
def demo_store(gui_store: Any) -> Any:
    from caseworker.registry import demo

    demo.generate(gui_store, persons=300, seed=11, today=dt.date(2025, 6, 2))
    return gui_store


class MessageBoxes:
    """Records message boxes instead of showing them; answers with ``answer``."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []
        self.answer = QMessageBox.StandardButton.Ok

    def exec(self, box: QMessageBox) -> int:
        self.shown.append((box.objectName(), box.text(), box.informativeText()))
        self.buttons = {b.text() for b in box.buttons()}
        return int(self.answer.value)


@pytest.fixture
def message_boxes(monkeypatch: pytest.MonkeyPatch) -> MessageBoxes:
    boxes = MessageBoxes()

    def fake_exec(box: QMessageBox) -> int:
        return boxes.exec(box)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return boxes
