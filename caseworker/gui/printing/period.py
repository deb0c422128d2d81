"""Ask for the period of a public-notice list (two dates), then preview it.

The period offered is that of the notices open now and those coming next (from the earliest
start to the latest end of every notice that has not ended yet); an empty list is not printed:
the caseworker is told instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from caseworker.core import wall
from caseworker.gui import formatting, tasks
from caseworker.gui.language import label_button_box
from caseworker.gui.questions import tell
from caseworker.gui.widgets.dates import DateField
from caseworker.gui.widgets.wheel import guard_wheel
from caseworker.i18n import _


def current_notices(store: Any, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The span of the notices open on ``today`` or starting later (None: there are none)."""
    from caseworker.recognition import service

    with store.reading() as session:
        cases = service.notice_cases(session, today, dt.date.max)
        spans = [(c.notice_start, c.notice_end) for c in cases if c.notice_start and c.notice_end]
    if not spans:
        return None
    return min(s for s, _e in spans), max(e for _s, e in spans)


def notice_count(store: Any, start: dt.date, end: dt.date) -> int:
    """How many persons' public notices overlap ``start``..``end``."""
    from caseworker.recognition import service

    with store.reading() as session:
        return len(service.notice_cases(session, start, end))


class NoticePeriodDialog(QDialog):
    """From and to dates (both included); the list holds every notice overlapping them."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
        period: tuple[dt.date, dt.date] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noticePeriodDialog")
        self.setWindowTitle(_("Print public-notice list"))
        today = today or wall.today()
        start, end = period or (today, today)
        self.start = DateField(start, self, name="noticeFrom")
        self.end = DateField(end, self, name="noticeTo")
        if period is not None:
            hint = _("The notices open now and next run from {period}.").format(
                period=formatting.date_range(*period)
            )
        else:
            hint = _("No public notice is open now or coming.")
        self.hint = QLabel(hint, self)
        self.hint.setObjectName("noticePeriodHint")
        self.hint.setWordWrap(True)
        note = QLabel(
            _("The list shows every person whose public notice overlaps these dates."), self
        )
        note.setWordWrap(True)
        self.buttons = label_button_box(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                self,
            )
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.hint)
        form.addRow(_("From"), self.start)
        form.addRow(_("To"), self.end)
        form.addRow(note)
        form.addRow(self.buttons)
        for field in (self.start, self.end):
            field.date_changed.connect(lambda _d: self._changed())
        self._changed()
        guard_wheel(self)

    def _changed(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(self.start.date() is not None and self.end.date() is not None)

    def accept(self) -> None:
        if self.start.date() is None or self.end.date() is None:
            return
        super().accept()

    def period(self) -> tuple[dt.date, dt.date]:
        start, end = self.start.date(), self.end.date()
        if start is None or end is None:
            raise ValueError("the period dialog has no valid dates")
        return (start, end) if start <= end else (end, start)


def tell_empty(parent: QWidget | None, start: dt.date, end: dt.date) -> None:
    """Say that no public notice overlaps the period (nothing is printed)."""
    tell(
        parent,
        name="emptyNoticeList",
        title=_("Print public-notice list"),
        text=_("No person's public notice overlaps {period}; there is nothing to print.").format(
            period=formatting.date_range(start, end)
        ),
    )


def print_notice_list(parent: QWidget | None, store: Any) -> tasks.Job | None:
    """Ask for the period, then :func:`~caseworker.gui.printing.preview_notice` (an empty list
    is not printed)."""
    from caseworker.gui.printing import preview_notice

    today = wall.today()
    dialog = NoticePeriodDialog(parent, today=today, period=current_notices(store, today))
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        start, end = dialog.period()
    finally:
        dialog.deleteLater()
    if not notice_count(store, start, end):
        tell_empty(parent, start, end)
        return None
    return preview_notice(parent, store, start, end)


__all__ = ["NoticePeriodDialog", "current_notices", "notice_count", "print_notice_list"]
