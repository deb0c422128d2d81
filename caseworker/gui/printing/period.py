"""Ask for the period of a public-notice list (two dates), then preview it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from caseworker.core import wall
from caseworker.gui import tasks
from caseworker.gui.language import label_button_box
from caseworker.i18n import _


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class NoticePeriodDialog(QDialog):
    """From and to dates (both included); the list holds every notice overlapping them."""

    def __init__(self, parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticePeriodDialog")
        self.setWindowTitle(_("Print public-notice list"))
        today = today or wall.today()
        self.start = QDateEdit(_qdate(today - dt.timedelta(days=today.weekday())), self)
        self.end = QDateEdit(_qdate(today), self)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.start.setObjectName("noticeFrom")
        self.end.setObjectName("noticeTo")
        note = QLabel(
            _("The list shows every person whose public notice overlaps these dates."), self
        )
        note.setWordWrap(True)
        buttons = label_button_box(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                self,
            )
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(_("From"), self.start)
        form.addRow(_("To"), self.end)
        form.addRow(note)
        form.addRow(buttons)

    def period(self) -> tuple[dt.date, dt.date]:
        start, end = _date(self.start.date()), _date(self.end.date())
        return (start, end) if start <= end else (end, start)


def print_notice_list(parent: QWidget | None, store: Any) -> tasks.Job | None:
    """Ask for the period, then :func:`~caseworker.gui.printing.preview_notice`."""
    from caseworker.gui.printing import preview_notice

    dialog = NoticePeriodDialog(parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        start, end = dialog.period()
    finally:
        dialog.deleteLater()
    return preview_notice(parent, store, start, end)


__all__ = ["NoticePeriodDialog", "print_notice_list"]
