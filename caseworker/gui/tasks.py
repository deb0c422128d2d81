"""Slow work off the GUI thread: a progress dialog with Cancel, errors to a dialog.

A job is a plain function ``fn(progress) -> result``; ``progress(done, total)`` returns False
once the person pressed Cancel (the domain functions take exactly such callbacks).  A job that
touches the database opens its own session (``store.transaction()`` / ``store.reading()``)
inside ``fn``: sessions never cross threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from caseworker.gui.errors import show_error
from caseworker.i18n import _

log = logging.getLogger(__name__)

Progress = Callable[[int, int], bool]
Work = Callable[[Progress], Any]

_running: set[Job] = set()


class _Signals(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)


class Job(QRunnable):
    """One piece of work for the thread pool; its signals arrive on the GUI thread."""

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.work = work
        self.signals = _Signals()
        self._cancel = threading.Event()
        self.done = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int) -> bool:
        self.signals.progressed.emit(int(done), int(total))
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self.work(self.progress)
        except BaseException as exc:  # reported on the GUI thread, logged there
            self.done.set()
            self.signals.failed.emit(exc)
        else:
            self.done.set()
            self.signals.succeeded.emit(result)


def pool() -> QThreadPool:
    return QThreadPool.globalInstance()


def _gone(owner: QObject | None) -> bool:
    return owner is not None and not shiboken6.isValid(owner)


def start(
    work: Work,
    on_success: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    owner: QObject | None = None,
) -> Job:
    """Run ``work`` in the thread pool; call back on the GUI thread.

    ``owner`` is the widget the callbacks belong to: when it has been closed and deleted by
    the time the work ends (a list left while it was still loading), the result is dropped
    instead of being handed to a dead view. A failure is still logged.
    """
    job = Job(work)
    _running.add(job)

    def finished_ok(result: object) -> None:
        _running.discard(job)
        if _gone(owner):
            log.debug("result dropped: its view was closed before the work ended")
            return
        if on_success is not None:
            on_success(result)

    def finished_bad(exc: object) -> None:
        _running.discard(job)
        assert isinstance(exc, BaseException)
        if _gone(owner):
            log.error("work failed after its view was closed", exc_info=exc)
            return
        if on_error is not None:
            on_error(exc)
        else:
            show_error(None, exc)

    job.signals.succeeded.connect(finished_ok, Qt.ConnectionType.QueuedConnection)
    job.signals.failed.connect(finished_bad, Qt.ConnectionType.QueuedConnection)
    pool().start(job)
    return job


def wait_for_all(msecs: int = 30_000) -> bool:
    """Wait for every job (at exit, and in tests before the database goes away)."""
    return pool().waitForDone(msecs)


def run_with_progress(
    parent: QWidget | None,
    work: Work,
    *,
    label: str,
    on_success: Callable[[Any], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    cancellable: bool = True,
    on_error: Callable[[BaseException], None] | None = None,
) -> Job:
    """Run ``work`` with a progress dialog that can cancel it; errors end in a dialog (or go
    to ``on_error``, which then shows them)."""
    dialog = QProgressDialog(label, _("Cancel"), 0, 0, parent)
    dialog.setObjectName("progressDialog")
    dialog.setWindowTitle(_("Please wait"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)

    def close() -> None:
        if not shiboken6.isValid(dialog):  # its parent window was closed meanwhile
            return
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()

    def succeeded(result: object) -> None:
        cancelled = job.cancelled
        close()
        if cancelled and on_cancelled is not None:
            on_cancelled()
        elif on_success is not None:
            on_success(result)

    def failed(exc: BaseException) -> None:
        close()
        if on_error is not None:
            on_error(exc)
        else:
            show_error(parent, exc)

    job = start(work, succeeded, failed)

    def progressed(done: int, total: int) -> None:
        if not shiboken6.isValid(dialog):
            return
        if total > 0 and dialog.maximum() != total:
            dialog.setMaximum(total)
        dialog.setValue(min(done, max(total, 0)))

    job.signals.progressed.connect(progressed, Qt.ConnectionType.QueuedConnection)
    dialog.canceled.connect(job.cancel)
    dialog.setLabelText(label)
    return job
