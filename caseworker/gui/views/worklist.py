"""The worklist: who needs a contact (due by today, overdue, today, this week, every open
plan), with the registry's search and paging: the ids come from one query in the thread pool
(the latest request wins), the rows a page at a time.  Enter or a double click opens the
person's Assistance tab."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseworker.casework.vocab import DUE_LABELS, label
from caseworker.casework.worklist import DueRow, Window
from caseworker.core import wall
from caseworker.gui import formatting, tasks
from caseworker.gui.models.ids import IdList
from caseworker.gui.models.paged import ColumnSpec, PagedTableModel
from caseworker.i18n import N_, _

SEARCH_DELAY_MS = 150
WINDOWS = (
    (Window.DUE, N_("Due by today")),
    (Window.OVERDUE, N_("Overdue")),
    (Window.TODAY, N_("Due today")),
    (Window.WEEK, N_("Due this week")),
    (Window.ALL, N_("Every open plan")),
)


def show_failure(label: QLabel, exc: BaseException, context: str) -> None:
    """A list that could not be read says why in its summary line (the log has the rest)."""
    from caseworker.gui.errors import log_exception, message_for

    log_exception(exc, context)
    label.setText(message_for(exc))


def due_columns() -> list[ColumnSpec[DueRow]]:
    return [
        ColumnSpec("name", lambda: _("Name"), lambda r: r.name, sortable=False),
        ColumnSpec("id_number", lambda: _("ID number"), lambda r: formatting.masked_id(r.id_number), sortable=False),
        ColumnSpec("village", lambda: _("Village or community"), lambda r: r.village, sortable=False),
        ColumnSpec("phone", lambda: _("Phone"), lambda r: formatting.ltr(r.phone), sortable=False),
        ColumnSpec("worker", lambda: _("Responsible"), lambda r: r.worker, sortable=False),
        ColumnSpec("due_on", lambda: _("Due on"), lambda r: formatting.date(r.due_on), sortable=False),
        ColumnSpec(
            "overdue", lambda: _("Days overdue"),
            lambda r: formatting.number(r.days_overdue) if r.days_overdue else "", numeric=True,
            sortable=False,
        ),
        ColumnSpec("last", lambda: _("Last contact"), lambda r: formatting.date(r.last_contact_on), sortable=False),
        ColumnSpec("reason", lambda: _("Reason"), lambda r: label(DUE_LABELS, r.reason), sortable=False),
    ]  # fmt: skip


class WorklistModel(PagedTableModel[DueRow]):
    def __init__(self, store: Any, parent: Any = None) -> None:
        self.store = store
        super().__init__(due_columns(), self._fetch, parent=parent)

    def _fetch(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, DueRow]:
        from caseworker.casework import worklist

        with self.store.reading() as session:
            rows = worklist.due_rows(session, wall.today(), person_ids=ids)
        return {r.person_id: r for r in rows}


class WorklistView(QWidget):
    open_person_requested = Signal(object)  # uuid.UUID

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("worklistView")
        self.store = store
        self.generation = 0
        self.model = WorklistModel(store, self)
        self.search = QLineEdit()
        self.search.setObjectName("worklistSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search by name, pinyin, initials, ID or phone number"))
        self.window_filter = QComboBox()
        self.window_filter.setObjectName("worklistWindow")
        for code, text in WINDOWS:
            self.window_filter.addItem(_(text), code)
        self.worker = QComboBox()
        self.worker.setObjectName("worklistWorker")
        self.village = QComboBox()
        self.village.setObjectName("worklistVillage")
        self._fill_filters()
        for box in (self.window_filter, self.worker, self.village):
            box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(8)
        self.summary = QLabel()
        self.summary.setObjectName("worklistSummary")
        self.table = QTableView()
        self.table.setObjectName("worklistTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((130, 160, 120, 110, 110, 90, 80, 90)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._activated)
        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.window_filter, 1)
        top.addWidget(self.worker, 1)
        top.addWidget(self.village, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self.timer.start())
        for box in (self.window_filter, self.worker, self.village):
            box.currentIndexChanged.connect(lambda _i: self.reload())

    def _fill_filters(self) -> None:
        from sqlalchemy import select

        from caseworker.registry import stations
        from caseworker.store.models import Staff

        self.worker.addItem(_("Every caseworker"), None)
        self.village.addItem(_("All villages and communities"), None)
        with self.store.reading() as session:
            for staff_id, name in session.execute(
                select(Staff.id, Staff.name).where(Staff.deleted.is_(False)).order_by(Staff.name)
            ):
                self.worker.addItem(name, str(staff_id))
            for village in stations.villages(session, self.store.station_code):
                self.village.addItem(village.name, str(village.id))

    def set_window(self, window: str) -> None:
        self.window_filter.setCurrentIndex(max(0, self.window_filter.findData(window)))

    def reload(self) -> None:
        self.generation += 1
        generation = self.generation
        store = self.store
        text = self.search.text()
        window = self.window_filter.currentData()
        worker = self.worker.currentData()
        village = self.village.currentData()

        def work(_progress: tasks.Progress) -> IdList:
            from caseworker.casework import worklist

            with store.reading() as session:
                blob = worklist.due_ids(
                    session, wall.today(), window=window, text=text,
                    worker_id=uuid.UUID(worker) if worker else None,
                    village_id=uuid.UUID(village) if village else None,
                )  # fmt: skip
            return IdList(blob)

        tasks.start(work, lambda ids: self._arrived(generation, ids), self._failed, owner=self)

    def _arrived(self, generation: int, ids: object) -> None:
        if generation != self.generation:
            return
        assert isinstance(ids, IdList)
        self.model.set_ids(ids)
        self.summary.setText(_("{n} persons listed").format(n=formatting.number(len(ids))))
        if len(ids) and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def _failed(self, exc: BaseException) -> None:
        show_failure(self.summary, exc, "worklist")

    def _activated(self, index: QModelIndex) -> None:
        person_id = self.model.id_at(index.row())
        if person_id is not None:
            self.open_person_requested.emit(person_id)
