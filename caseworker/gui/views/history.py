"""The history of a person: who changed what, and when (the change log, read-only)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseworker.gui.models.rows import RowsTableModel
from caseworker.i18n import N_, _
from caseworker.registry import history, persons
from caseworker.store import audit


class HistoryModel(RowsTableModel[audit.Entry]):
    HEADERS: ClassVar[tuple[str, ...]] = (N_("When"), N_("Who"), N_("What"))
    #: long insert rows are read whole in the tooltip
    TEXT_ROLES: ClassVar[tuple[Qt.ItemDataRole, ...]] = (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
    )

    def cell(self, row: audit.Entry, column: int) -> str | None:
        if column == 0:
            return history.when(row)
        if column == 1:
            return history.who(row)
        if row.field == "*":
            values = "; ".join(f"{k}: {v}" for k, v in history.inserted_values(row))
            return f"{history.what(row)}  ({values})" if values else history.what(row)
        return history.what(row)


def load(store: Any, person_id: uuid.UUID) -> tuple[str, list[audit.Entry]]:
    """The person's description and history (newest first)."""
    with store.reading() as session:
        person = persons.get(session, person_id)
        title = persons.describe(person)
        entries = audit.person_history(session, person_id)
    return title, list(reversed(entries))


class HistoryDialog(QDialog):
    """A read-only list of every change to a person and the records that belong to them."""

    def __init__(self, store: Any, person_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("History of changes"))
        title, entries = load(store, person_id)
        layout = QVBoxLayout(self)
        heading = QLabel(title, self)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.model = HistoryModel(self)
        self.model.set_rows(entries)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        note = QLabel(
            _(
                "Every change is kept in the change log and cannot be edited; "
                "`caseworker audit verify` checks it."
            ),
            self,
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 480)
