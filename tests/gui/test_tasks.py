"""Long work off the GUI thread: progress, cancel, and errors as a dialog with a log entry."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
import shiboken6

from caseworker import bootstrap
from caseworker.core.errors import UserError
from caseworker.gui import errors, tasks
from tests.gui.conftest import MessageBoxes


def test_work_runs_off_the_gui_thread(qtbot: Any) -> None:
    seen: list[object] = []
    main = threading.get_ident()
    job = tasks.start(lambda _p: threading.get_ident(), seen.append)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen[0] != main
    assert job.done.is_set()


def test_unexpected_error_shows_a_generic_message_and_logs_the_traceback(
    qtbot: Any, message_boxes: MessageBoxes, caplog: pytest.LogCaptureFixture
) -> None:
    def work(_progress: tasks.Progress) -> None:
        raise RuntimeError("disk on fire")

    with caplog.at_level(logging.ERROR):
        tasks.run_with_progress(None, work, label="Working")
        qtbot.waitUntil(lambda: bool(message_boxes.shown))
    name, text, _info = message_boxes.shown[0]
    assert name == "errorDialog"
    assert "disk on fire" not in text
    assert str(bootstrap.log_file()) in text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Traceback" in logged
    assert "RuntimeError: disk on fire" in logged


def test_user_error_is_shown_as_it_is(qtbot: Any, message_boxes: MessageBoxes) -> None:
    def work(_progress: tasks.Progress) -> None:
        raise UserError("The file is not a spreadsheet.")

    tasks.run_with_progress(None, work, label="Working")
    qtbot.waitUntil(lambda: bool(message_boxes.shown))
    assert message_boxes.shown[0][1] == "The file is not a spreadsheet."


def test_log_file_gets_the_traceback(qtbot: Any, message_boxes: MessageBoxes) -> None:
    bootstrap.configure_logging()
    try:
        raise ValueError("bad thing")
    except ValueError as exc:
        errors.show_error(None, exc)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = bootstrap.log_file().read_text(encoding="utf-8")
    assert "Traceback" in text
    assert "ValueError: bad thing" in text


def test_cancel_stops_the_work(qtbot: Any) -> None:
    started = threading.Event()
    release = threading.Event()
    results: list[object] = []
    cancelled: list[bool] = []

    def work(progress: tasks.Progress) -> int:
        done = 0
        started.set()
        release.wait(5)
        while progress(done, 100):
            done += 1
            if done >= 100:
                break
        return done

    job = tasks.run_with_progress(
        None,
        work,
        label="Working",
        on_success=results.append,
        on_cancelled=lambda: cancelled.append(True),
    )
    assert started.wait(5)
    job.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(cancelled))
    assert results == []


def test_excepthook_shows_a_dialog(
    qtbot: Any, message_boxes: MessageBoxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    errors.install_excepthook()
    try:
        raise KeyError("oops")
    except KeyError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert message_boxes.shown
    assert str(bootstrap.log_file()) in message_boxes.shown[0][1]


def test_result_for_a_closed_view_is_dropped(qtbot: Any) -> None:
    """A list left while it was still loading: the result arrives after the view is deleted
    (this once raised "Internal C++ object already deleted" into the event loop)."""
    from PySide6.QtWidgets import QWidget

    view = QWidget()
    seen: list[object] = []
    release = threading.Event()

    def work(_progress: tasks.Progress) -> int:
        release.wait(10)
        return 7

    job = tasks.start(work, seen.append, seen.append, owner=view)
    view.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(view))
    release.set()
    qtbot.waitUntil(job.done.is_set)
    qtbot.wait(50)  # the queued result is delivered, and dropped
    assert seen == []
    assert job not in tasks._running


def test_result_for_a_live_view_arrives(qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    view = QWidget()
    qtbot.addWidget(view)
    seen: list[object] = []
    tasks.start(lambda _p: 7, seen.append, owner=view)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [7]
