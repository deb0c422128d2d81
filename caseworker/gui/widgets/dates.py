"""A date field that behaves like a text field: type a whole date in any accepted form.

``QDateEdit`` moves between year, month and day on Tab and silently keeps its old value when a
whole date is typed over a selection.  :class:`DateField` is a line edit instead: it accepts
every form :func:`caseworker.core.dates.parse_date` reads (2024-03-01, 2024/3/1, 2024.3.1,
20240301, 2024年3月1日), Tab leaves it like any other field, and a calendar opens from its
button or with Alt+Down.  A date it cannot read, or one outside its range (a step dated after
today), is shown as a message under it and :meth:`DateField.date` is None.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from caseworker.core.dates import parse_date
from caseworker.core.errors import ValidationError
from caseworker.gui import formatting
from caseworker.gui.widgets.fields import ERROR_STYLE
from caseworker.i18n import _

__all__ = ["DateField", "from_qdate", "to_qdate"]


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class DateField(QWidget):
    """A line edit for a date, a calendar button, and a message line for a date it refuses."""

    #: The valid date (a ``datetime.date``), or None while the text is not one.
    date_changed = Signal(object)

    def __init__(
        self,
        value: dt.date | None = None,
        parent: QWidget | None = None,
        *,
        name: str = "",
        earliest: dt.date | None = None,
        latest: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.earliest = earliest
        self.latest = latest
        self._date: dt.date | None = None
        self._error: str | None = None
        self.edit = QLineEdit(self)
        self.edit.setObjectName(name or "dateField")
        self.edit.setPlaceholderText(_("YYYY-MM-DD"))
        self.edit.setMaxLength(20)
        self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("2024-10-31") + 24)
        self.edit.setToolTip(
            _("Type the date, for example 2024-03-01 or 20240301 (Alt+Down: calendar)")
        )
        self.button = QToolButton(self)
        self.button.setObjectName((name or "dateField") + "Calendar")
        self.button.setText("…")
        self.button.setToolTip(_("Choose the date on a calendar (Alt+Down)"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.open_calendar)
        self.message = QLabel(self)
        self.message.setObjectName((name or "dateField") + "Message")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.calendar: QCalendarWidget | None = None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.message)
        self.setFocusProxy(self.edit)
        self.edit.installEventFilter(self)
        self.edit.textChanged.connect(self._read)
        self.edit.editingFinished.connect(self._tidy)
        self.set_date(value)

    # -- value ------------------------------------------------------------------------------

    def date(self) -> dt.date | None:
        """The date typed or chosen, when it is a real date inside the range; else None."""
        return self._date

    def error(self) -> str | None:
        """Why the text is not an acceptable date (None when it is, or when it is empty)."""
        return self._error

    def set_date(self, value: dt.date | None) -> None:
        self.edit.setText(value.isoformat() if value else "")

    def set_range(self, earliest: dt.date | None, latest: dt.date | None) -> None:
        self.earliest, self.latest = earliest, latest
        self._read(self.edit.text())

    def _check(self, text: str) -> tuple[dt.date | None, str | None]:
        try:
            value = parse_date(text)
        except ValidationError as exc:
            return None, str(exc)
        if value is None:
            return None, None
        if self.latest is not None and value > self.latest:
            return None, _("{date} is after {latest}; a date after it cannot be used here.").format(
                date=formatting.date(value), latest=formatting.date(self.latest)
            )
        if self.earliest is not None and value < self.earliest:
            return None, _("{date} is before {earliest}, the earliest date possible here.").format(
                date=formatting.date(value), earliest=formatting.date(self.earliest)
            )
        return value, None

    def _read(self, text: str) -> None:
        value, error = self._check(text)
        self._error = error
        self.message.setText(error or "")
        self.message.setVisible(bool(error))
        self.edit.setProperty("invalid", bool(error))
        if value != self._date:
            self._date = value
            self.date_changed.emit(value)

    def _tidy(self) -> None:
        """On leaving the field, show a date read from another form as YYYY-MM-DD."""
        if self._date is not None and self.edit.text() != self._date.isoformat():
            self.edit.setText(self._date.isoformat())

    # -- calendar ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and event.modifiers() & Qt.KeyboardModifier.AltModifier
        ):
            self.open_calendar()
            return True
        return False

    def open_calendar(self) -> QCalendarWidget:
        """Show a calendar under the field; a click on a day sets the date."""
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setObjectName(self.edit.objectName() + "Popup")
            self.calendar.setGridVisible(True)
            self.calendar.clicked.connect(self._chosen)
            self.calendar.activated.connect(self._chosen)
        calendar = self.calendar
        if self.earliest is not None:
            calendar.setMinimumDate(to_qdate(self.earliest))
        if self.latest is not None:
            calendar.setMaximumDate(to_qdate(self.latest))
        if self._date is not None:
            calendar.setSelectedDate(to_qdate(self._date))
        corner = self.edit.mapToGlobal(self.edit.rect().bottomLeft())
        calendar.move(corner)
        calendar.show()
        calendar.setFocus()
        return calendar

    def _chosen(self, value: QDate) -> None:
        self.set_date(from_qdate(value))
        if self.calendar is not None:
            self.calendar.hide()
        self.edit.setFocus()
