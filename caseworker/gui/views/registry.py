"""The registry list: search as you type, filters, sortable columns over up to 100,000 persons.

Typing never waits for the database: each change restarts a short timer; when it fires, the id
query runs in the thread pool, tagged with a generation number, and a result that arrives after
a newer request is dropped.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseworker.gui import formatting, tasks
from caseworker.gui.models.ids import IdList
from caseworker.gui.models.listing import NEEDS_REVIEW, NO_CASE, ListQuery
from caseworker.gui.models.persons import PersonTableModel
from caseworker.gui.widgets.columns import FittedTableView
from caseworker.gui.widgets.filters import FilterCombo
from caseworker.gui.widgets.wheel import guard_wheel
from caseworker.i18n import _

#: How the spare width is shared among the registry list's columns (name, sex, age, ID number,
#: village, categories, status, registered unemployed since), each having its header's room.
COLUMN_WEIGHTS = (3, 0, 0, 1, 2, 6, 4, 0)
#: The usual content of a column that must not be cut: a name of two parts, a masked ID number
#: (the date column's sample is a date in the active language).
COLUMN_SAMPLES = ("阿布来提·伊力哈木", "", "", "6501**********123X", "", "", "", "")

SEARCH_DELAY_MS = 150


class ListController(QObject):
    """Runs the id query off the GUI thread; the latest request wins."""

    loaded = Signal(int)  # number of rows
    failed = Signal(str)

    def __init__(self, store: Any, model: PersonTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = model
        self.query = ListQuery()
        self.generation = 0
        self.applied_generation = 0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_now)

    def request(self, query: ListQuery, *, delay: bool = True) -> None:
        self.query = query
        self.generation += 1
        if delay:
            self.timer.start()
        else:
            self.timer.stop()
            self.run_now()

    def run_now(self) -> None:
        generation = self.generation
        query = self.query
        store = self.store

        def work(_progress: tasks.Progress) -> IdList:
            from caseworker.gui.models import person_query

            with store.reading() as session:
                return person_query.fetch_ids(session, query)

        tasks.start(work, lambda ids: self._arrived(generation, ids), self._failed, owner=self)

    def _arrived(self, generation: int, ids: object) -> None:
        if generation != self.generation or not shiboken6.isValid(self.model):
            return  # a newer request is on its way, or the list is gone (a new language)
        assert isinstance(ids, IdList)
        self.applied_generation = generation
        self.model.set_ids(ids)
        self.loaded.emit(len(ids))

    def _failed(self, exc: BaseException) -> None:
        from caseworker.gui.errors import log_exception, message_for

        log_exception(exc, "registry list")
        self.failed.emit(message_for(exc))

    @property
    def busy(self) -> bool:
        return self.applied_generation != self.generation


class RegistryView(QWidget):
    """Search field, filters, the table, and a line that says how many persons are listed."""

    open_person_requested = Signal(object)  # uuid.UUID
    new_person_requested = Signal()

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryView")
        self.store = store
        self.model = PersonTableModel(store, parent=self)
        self.controller = ListController(store, self.model, self)

        self.search = QLineEdit()
        self.search.setObjectName("searchField")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search by name, pinyin, initials, ID or phone number"))
        self.village = FilterCombo()
        self.village.setObjectName("villageFilter")
        self.category = FilterCombo()
        self.category.setObjectName("categoryFilter")
        self.status = FilterCombo()
        self.status.setObjectName("statusFilter")
        self.new_button = QPushButton(_("New person"))
        self.new_button.setObjectName("newPersonButton")
        self.new_button.setToolTip(_("Register a new person (Ctrl+N)"))
        self.summary = QLabel()
        self.summary.setObjectName("listSummary")

        self._fill_filters()

        samples = list(COLUMN_SAMPLES)
        samples[7] = formatting.date(dt.date(2024, 9, 30))
        self.table = FittedTableView(COLUMN_WEIGHTS, samples)
        self.table.setObjectName("personTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setHighlightSections(False)
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.table.activated.connect(self._activated)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.village)
        filters.addWidget(self.category)
        filters.addWidget(self.status)
        filters.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self.search.textChanged.connect(lambda _text: self.reload(delay=True))
        self.search.returnPressed.connect(self._open_first)
        for combo in (self.village, self.category, self.status):
            combo.currentIndexChanged.connect(lambda _i: self.reload(delay=False))
        self.new_button.clicked.connect(self.new_person_requested)
        self.controller.loaded.connect(self._loaded)
        self.controller.failed.connect(self.summary.setText)
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.search)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.activated.connect(self._focus_table)
        self.setTabOrder(self.search, self.village)
        self.setTabOrder(self.village, self.category)
        self.setTabOrder(self.category, self.status)
        self.setTabOrder(self.status, self.new_button)
        self.setTabOrder(self.new_button, self.table)
        guard_wheel(self)

    def _fill_filters(self) -> None:
        from caseworker.policy.categories import CATEGORY_LABELS
        from caseworker.recognition.workflow import STAGE_LABELS
        from caseworker.registry import stations

        self.village.addItem(_("All villages and communities"), None)
        with self.store.reading() as session:
            for village in stations.villages(session, self.store.station_code):
                self.village.addItem(village.name, str(village.id))
        self.category.addItem(_("All categories"), None)
        for code, label in CATEGORY_LABELS.items():
            self.category.addItem(_(label), code.value)
            self.category.setItemData(
                self.category.count() - 1, _(label), Qt.ItemDataRole.ToolTipRole
            )
        self.status.addItem(_("Any status"), None)
        self.status.addItem(_("No application"), NO_CASE)
        self.status.addItem(_("Flagged for review"), NEEDS_REVIEW)
        for stage, label in STAGE_LABELS.items():
            self.status.addItem(_(label), stage.value)

    def current_query(self) -> ListQuery:
        header = self.table.horizontalHeader()
        section = header.sortIndicatorSection()
        sort = self.model.column_key(section) if 0 <= section < self.model.columnCount() else None
        return ListQuery(
            text=self.search.text(),
            village_id=uuid.UUID(village) if (village := self.village.currentData()) else None,
            category=self.category.currentData(),
            status=self.status.currentData(),
            sort=sort,
            descending=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
        )

    def restore_query(self, query: ListQuery | None) -> None:
        """Show ``query``'s search text, filters and sort (after the view was built again)."""
        if query is None:
            return
        combos = (
            (self.village, str(query.village_id) if query.village_id else None),
            (self.category, query.category),
            (self.status, query.status),
        )
        for widget in (self.search, *(c for c, _v in combos)):
            widget.blockSignals(True)
        try:
            self.search.setText(query.text)
            for combo, value in combos:
                combo.setCurrentIndex(max(combo.findData(value), 0))
        finally:
            for widget in (self.search, *(c for c, _v in combos)):
                widget.blockSignals(False)
        if query.sort is not None:
            section = next(
                (
                    i
                    for i in range(self.model.columnCount())
                    if self.model.column_key(i) == query.sort
                ),
                -1,
            )
            order = (
                Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
            )
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(section, order)
            header.blockSignals(False)

    def reload(self, *, delay: bool = False) -> None:
        self.controller.request(self.current_query(), delay=delay)

    def refresh_rows(self) -> None:
        """After an edit: query again (the order or the filter may have changed)."""
        self.reload(delay=False)

    def _sort_changed(self, _section: int, _order: Qt.SortOrder) -> None:
        self.reload(delay=False)

    def _loaded(self, rows: int) -> None:
        self.summary.setText(_("{n} persons listed").format(n=formatting.number(rows)))
        if rows and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def _activated(self, index: QModelIndex) -> None:
        person_id = self.model.id_at(index.row())
        if person_id is not None:
            self.open_person_requested.emit(person_id)

    def _open_first(self) -> None:
        if self.controller.busy:
            self.controller.timer.stop()
            self.controller.run_now()
            return
        if self.model.rowCount() == 1:
            self._activated(self.model.index(0, 0))
        else:
            self._focus_table()

    def _focus_table(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def select_person(self, person_id: uuid.UUID) -> None:
        row = self.model.row_of(person_id)
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))
            self.table.scrollTo(self.model.index(row, 0))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
