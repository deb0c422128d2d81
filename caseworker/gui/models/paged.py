"""A table model over a list of ids that fetches display rows a page at a time.

The model holds the ids (one query, in the order the database sorted them) and an LRU cache of
pages; a page is fetched when a row of it is first shown.  Sorting is delegated to the owner
(``sort_requested``), which runs a new id query: rows are never sorted in Python.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from caseworker.gui.models.ids import IdList
from caseworker.gui.models.rows import read_only_flags

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ColumnSpec(Generic[R]):
    """One column: its key, its (untranslated) header, and how a row shows in it."""

    key: str
    header: Callable[[], str]
    display: Callable[[R], str]
    tooltip: Callable[[R], str] | None = None
    numeric: bool = False
    sortable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


class PagedTableModel(QAbstractTableModel, Generic[R]):
    """Rows are ids; display values come from ``fetch(ids) -> {id: row}`` a page at a time."""

    sort_requested = Signal(int, Qt.SortOrder)
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        columns: Sequence[ColumnSpec[R]],
        fetch: Callable[[list[uuid.UUID]], dict[uuid.UUID, R]],
        *,
        page_size: int = 200,
        max_pages: int = 24,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._fetch = fetch
        self.page_size = page_size
        self.max_pages = max_pages
        self._ids = IdList()
        self._pages: OrderedDict[int, list[R | None]] = OrderedDict()
        self.pages_fetched = 0

    # -- ids ------------------------------------------------------------------------------

    def set_ids(self, ids: IdList) -> None:
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self.endResetModel()

    @property
    def ids(self) -> IdList:
        return self._ids

    def id_at(self, row: int) -> uuid.UUID | None:
        if 0 <= row < len(self._ids):
            return self._ids[row]
        return None

    def row_of(self, item_id: uuid.UUID) -> int:
        return self._ids.index(item_id)

    def row_data(self, row: int) -> R | None:
        if not 0 <= row < len(self._ids):
            return None
        number = row // self.page_size
        page = self._pages.get(number)
        if page is None:
            page = self._load(number)
        else:
            self._pages.move_to_end(number)
        return page[row - number * self.page_size]

    def _load(self, number: int) -> list[R | None]:
        start = number * self.page_size
        ids = self._ids.slice(start, start + self.page_size)
        found = self._fetch(ids)
        self.pages_fetched += 1
        page: list[R | None] = [found.get(i) for i in ids]
        self._pages[number] = page
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return page

    def refresh(self) -> None:
        """Forget cached rows (after an edit) and repaint what is shown."""
        self._pages.clear()
        if len(self._ids) and self.columns:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._ids) - 1, len(self.columns) - 1)
            )

    @property
    def cached_pages(self) -> int:
        return len(self._pages)

    # -- Qt -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return read_only_flags(index)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.column() < len(self.columns):
            return None
        if role == self.IdRole:
            return self.id_at(index.row())
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.TextAlignmentRole,
        ):
            return None
        spec = self.columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignTrailing if spec.numeric else Qt.AlignmentFlag.AlignLeading
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        row = self.row_data(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tooltip(row) if spec.tooltip is not None else None
        return spec.display(row)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.columns):
                return self.columns[section].header()
            return None
        if 0 <= section < len(self._ids):
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column >= len(self.columns) or (column >= 0 and not self.columns[column].sortable):
            return
        self.sort_requested.emit(column, order)
