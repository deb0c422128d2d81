"""One editor per kind of person field, with an inline message below it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from caseworker.i18n import _
from caseworker.registry import vocab
from caseworker.registry.fields import FieldSpec, Kind

ERROR_STYLE = "color: #b00020;"


class FieldEditor:
    """A field's input widget, its container (input + message) and how values move in and out."""

    def __init__(self, spec: FieldSpec, villages: Sequence[tuple[str, uuid.UUID]] = ()) -> None:
        self.spec = spec
        self.input: QWidget = self._make_input(spec, villages)
        self.input.setObjectName(f"field_{spec.name}")
        self.message = QLabel()
        self.message.setObjectName(f"error_{spec.name}")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.container = QWidget()
        box = QVBoxLayout(self.container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.input)
        box.addWidget(self.message)

    @staticmethod
    def _make_input(spec: FieldSpec, villages: Sequence[tuple[str, uuid.UUID]]) -> QWidget:
        if spec.kind is Kind.BOOL:
            return QCheckBox()
        if spec.kind is Kind.CODE:
            combo = QComboBox()
            assert spec.vocabulary is not None
            if spec.name != "work_capacity":
                combo.addItem("", None)
            for term in vocab.BY_CODE[spec.vocabulary].values():
                combo.addItem(_(term.en), term.code)
            return combo
        if spec.kind is Kind.VILLAGE:
            combo = QComboBox()
            combo.addItem("", None)
            for name, village_id in villages:
                combo.addItem(name, str(village_id))
            return combo
        if spec.name == "notes":
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(70)
            return edit
        line = QLineEdit()
        if spec.max_length:
            line.setMaxLength(max(spec.max_length, 18) + 2)
        if spec.kind is Kind.DATE:
            line.setPlaceholderText(_("YYYY-MM-DD"))
            line.setMaxLength(20)
        elif spec.kind is Kind.INT:
            line.setValidator(QIntValidator(0, 200, line))
        if spec.name in ("id_number", "phone", "bank_account", "employment_card_no"):
            line.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        return line

    def value(self) -> object:
        w = self.input
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            data = w.currentData()
            if self.spec.kind is Kind.VILLAGE:
                return uuid.UUID(data) if data else None
            return data or ""
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        assert isinstance(w, QLineEdit)
        return w.text()

    def value_for(self, value: object) -> object:
        """What :meth:`value` returns once ``value`` is shown (to tell whether it changes)."""
        w = self.input
        if isinstance(w, QCheckBox):
            return bool(value)
        if isinstance(w, QComboBox):
            data = str(value) if isinstance(value, uuid.UUID) else value
            index = max(w.findData(data), 0) if data is not None else 0
            item = w.itemData(index)
            if self.spec.kind is Kind.VILLAGE:
                return uuid.UUID(item) if item else None
            return item or ""
        if isinstance(value, dt.date):
            return value.isoformat()
        return "" if value is None else str(value)

    def set_value(self, value: object) -> None:
        w = self.input
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            if isinstance(value, uuid.UUID):
                value = str(value)
            index = w.findData(value) if value is not None else 0
            w.setCurrentIndex(max(index, 0))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(str(value or ""))
        else:
            assert isinstance(w, QLineEdit)
            if isinstance(value, dt.date):
                text = value.isoformat()
            else:
                text = "" if value is None else str(value)
            w.setText(text)

    def on_change(self, callback: Callable[[], None]) -> None:
        w = self.input
        if isinstance(w, QCheckBox):
            w.toggled.connect(lambda _v: callback())
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(lambda _i: callback())
        elif isinstance(w, QPlainTextEdit):
            w.textChanged.connect(callback)
        else:
            assert isinstance(w, QLineEdit)
            w.textChanged.connect(lambda _t: callback())

    def set_error(self, message: str | None) -> None:
        self.message.setText(message or "")
        self.message.setVisible(bool(message))
        self.input.setProperty("invalid", bool(message))
        self.input.setToolTip(message or "")
