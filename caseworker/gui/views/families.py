"""The zero-employment family tracker (零就业家庭动态清零): open families, the longest open
(and so the overdue) first, with the deadline of each; the cleared ones on request.

When it is shown, the tracker first looks at every household as of today (in the thread pool:
a member may have turned 16 or retired since), then lists.  Enter or a double click opens the
head of the family (when the head is a registered person).
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseworker.casework.families import FamilyRow
from caseworker.casework.vocab import EPISODE_END_LABELS, label
from caseworker.core import wall
from caseworker.gui import formatting, tasks
from caseworker.gui.models.ids import IdList
from caseworker.gui.models.paged import ColumnSpec, PagedTableModel
from caseworker.i18n import N_, _

OPEN, OVERDUE, ALL = "open", "overdue", "all"
FILTERS = (
    (OPEN, N_("Open families")),
    (OVERDUE, N_("Overdue families")),
    (ALL, N_("Open and ended")),
)


def _state(row: FamilyRow) -> str:
    if row.cleared_on is not None:
        return _("{how} on {date}").format(
            how=label(EPISODE_END_LABELS, row.end_reason),
            date=formatting.date(row.cleared_on),
        )
    return _("Overdue") if row.overdue else _("Open")


def family_columns() -> list[ColumnSpec[FamilyRow]]:
    return [
        ColumnSpec("head", lambda: _("Head of household"), lambda r: r.head_name, sortable=False),
        ColumnSpec("id_number", lambda: _("ID number"), lambda r: formatting.masked_id(r.head_id_number), sortable=False),
        ColumnSpec("village", lambda: _("Village or community"), lambda r: r.village, sortable=False),
        ColumnSpec("members", lambda: _("Members who can work"), lambda r: formatting.number(r.members_of_working_age), numeric=True, sortable=False),
        ColumnSpec("identified", lambda: _("Identified on"), lambda r: formatting.date(r.identified_on), sortable=False),
        ColumnSpec("deadline", lambda: _("Deadline"), lambda r: formatting.date(r.deadline), sortable=False),
        ColumnSpec("days", lambda: _("Days open"), lambda r: formatting.number(r.days_open), numeric=True, sortable=False),
        ColumnSpec("state", lambda: _("State"), _state, lambda r: r.cleared_by, sortable=False),
    ]  # fmt: skip


class FamilyModel(PagedTableModel[FamilyRow]):
    def __init__(self, store: Any, parent: Any = None) -> None:
        self.store = store
        super().__init__(family_columns(), self._fetch, parent=parent)

    def _fetch(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, FamilyRow]:
        from caseworker.casework import families

        with self.store.reading() as session:
            return families.family_rows(session, ids, wall.today())


class FamilyTrackerView(QWidget):
    open_person_requested = Signal(object)  # uuid.UUID

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("familyTracker")
        self.store = store
        self.generation = 0
        self.model = FamilyModel(store, self)
        self.filter = QComboBox()
        self.filter.setObjectName("familyFilter")
        self.filter.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for code, text in FILTERS:
            self.filter.addItem(_(text), code)
        self.print_button = QPushButton(_("Print the list…"))
        self.print_button.setObjectName("printFamilies")
        self.print_button.clicked.connect(self.print_list)
        self.rule = QLabel()
        self.rule.setObjectName("clearingRule")
        self.rule.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("familySummary")
        self.table = QTableView()
        self.table.setObjectName("familyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((130, 160, 120, 130, 100, 100, 80)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._activated)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Show")))
        top.addWidget(self.filter, 1)
        top.addStretch(2)
        top.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.rule)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.filter.currentIndexChanged.connect(lambda _i: self.reload(look=False))

    def set_filter(self, code: str) -> None:
        self.filter.setCurrentIndex(max(0, self.filter.findData(code)))

    def reload(self, *, look: bool = True) -> None:
        """List again; ``look``: first look at every household as of today."""
        from caseworker.casework.rules import rules_on

        self.generation += 1
        generation = self.generation
        store = self.store
        choice = self.filter.currentData()
        rules = rules_on(wall.today())
        self.rule.setText(
            _(
                "A family should have a member at work within {days} days of being identified ({source})."
            ).format(
                days=rules.clearing_days,
                source=rules.pack.param_citation("zero_employment_clearing_days"),
            )
        )

        def work(_progress: tasks.Progress) -> IdList:
            from caseworker.casework import families

            today = wall.today()
            if look:
                families.look(store, today)
            with store.reading() as session:
                stmt = families.episode_statement(
                    today, include_ended=choice == ALL, overdue_only=choice == OVERDUE,
                    clearing_days=rules.clearing_days,
                )  # fmt: skip
                return IdList(families.episode_ids(session, stmt))

        tasks.start(work, lambda ids: self._arrived(generation, ids), self._failed, owner=self)

    def _arrived(self, generation: int, ids: object) -> None:
        if generation != self.generation:
            return
        assert isinstance(ids, IdList)
        self.model.set_ids(ids)
        self.summary.setText(_("{n} families").format(n=formatting.number(len(ids))))

    def _failed(self, exc: BaseException) -> None:
        from caseworker.gui.views.worklist import show_failure

        show_failure(self.summary, exc, "family tracker")

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_data(index.row())
        if row is None:
            return
        from caseworker.registry import persons

        with self.store.reading() as session:
            person = (
                persons.find_by_id_number(session, row.head_id_number)
                if row.head_id_number
                else None
            )
            person_id = person.id if person is not None and not person.deleted else None
        if person_id is not None:
            self.open_person_requested.emit(person_id)

    def print_list(self) -> None:
        from caseworker.gui.printing.assistance import preview_zero_families

        preview_zero_families(self, self.store)
