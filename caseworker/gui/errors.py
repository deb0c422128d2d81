"""Errors for people: a clear dialog; the traceback only in the log file."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

from caseworker.core.errors import UserError
from caseworker.gui.language import label_message_box
from caseworker.i18n import _

log = logging.getLogger(__name__)


def message_for(exc: BaseException) -> str:
    """What a person is told: a UserError as it is, anything else where the details are."""
    if isinstance(exc, UserError):
        return str(exc)
    from caseworker import bootstrap

    return _(
        "Something went wrong and the action was not completed. The details are in {path}."
    ).format(path=bootstrap.log_file())


def log_exception(exc: BaseException, context: str = "") -> None:
    if isinstance(exc, UserError):
        log.info("user error%s: %s", f" in {context}" if context else "", exc)
        return
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("unexpected error%s:\n%s", f" in {context}" if context else "", text)


def show_error(parent: QWidget | None, exc: BaseException, *, title: str | None = None) -> None:
    """Log ``exc`` and show it in a dialog (modal; never a traceback)."""
    from PySide6.QtWidgets import QMessageBox

    log_exception(exc)
    box = QMessageBox(parent)
    box.setIcon(
        QMessageBox.Icon.Warning if isinstance(exc, UserError) else QMessageBox.Icon.Critical
    )
    box.setWindowTitle(title or _("Caseworker"))
    box.setText(message_for(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    label_message_box(box)
    box.setObjectName("errorDialog")
    box.exec()


def install_excepthook() -> None:
    """Unexpected errors in slots go to the log and a dialog, never to a console."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        from PySide6.QtWidgets import QApplication

        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        app = QApplication.instance()
        parent = QApplication.activeWindow() if app is not None else None
        try:
            show_error(parent, exc)
        except Exception:  # pragma: no cover - never let the hook itself fail loudly
            log.exception("cannot show the error dialog")

    sys.excepthook = hook
