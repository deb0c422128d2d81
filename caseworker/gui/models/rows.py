"""A table model over a short list of rows held whole (household members, case history)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from caseworker.i18n import _

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex


def read_only_flags(index: Index) -> Qt.ItemFlag:
    """Flags of a cell in a read-only, flat table."""
    if not index.isValid():
        return Qt.ItemFlag.NoItemFlags
    return (
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
    )


class RowsTableModel(QAbstractTableModel, Generic[R]):
    """Rows of one kind, read-only; subclasses name ``HEADERS`` (marked with ``N_``) and say
    what each cell shows in :meth:`cell`."""

    HEADERS: ClassVar[tuple[str, ...]] = ()
    #: Roles answered with the cell's text (tooltips show long notes whole).
    TEXT_ROLES: ClassVar[tuple[Qt.ItemDataRole, ...]] = (Qt.ItemDataRole.DisplayRole,)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def cell(self, row: R, column: int) -> str | None:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return read_only_flags(index)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return _(self.HEADERS[section])
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.rows):
            return str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role not in self.TEXT_ROLES:
            return None
        return self.cell(self.rows[index.row()], index.column())
