"""The Recognition section: cases by stage, and those flagged for review."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from caseworker.gui import formatting, tasks
from caseworker.gui.models.ids import IdList
from caseworker.gui.models.paged import ColumnSpec, PagedTableModel
from caseworker.gui.models.persons import categories_label, stage_label
from caseworker.gui.widgets.columns import FittedTableView
from caseworker.gui.widgets.filters import FilterCombo
from caseworker.gui.widgets.wheel import guard_wheel
from caseworker.i18n import _

FLAGGED = "__flagged__"


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: uuid.UUID
    person_id: uuid.UUID
    name: str
    id_number: str
    village: str
    stage: str
    categories: tuple[str, ...]
    opened_on: dt.date
    notice_end: dt.date | None
    needs_review: bool
    review_reason: str


def case_columns() -> list[ColumnSpec[CaseRow]]:
    return [
        ColumnSpec("name", lambda: _("Name"), lambda r: r.name, sortable=False),
        ColumnSpec("id_number", lambda: _("ID number"), lambda r: formatting.masked_id(r.id_number), sortable=False),
        ColumnSpec("village", lambda: _("Village or community"), lambda r: r.village, sortable=False),
        ColumnSpec(
            "stage", lambda: _("Stage"), lambda r: stage_label(r.stage, r.needs_review),
            lambda r: r.review_reason or stage_label(r.stage), sortable=False,
        ),
        ColumnSpec(
            "categories", lambda: _("Categories claimed"), lambda r: categories_label(r.categories),
            lambda r: categories_label(r.categories), sortable=False,
        ),
        ColumnSpec("opened_on", lambda: _("Applied on"), lambda r: formatting.date(r.opened_on), sortable=False),
        ColumnSpec(
            "notice_end", lambda: _("Public notice ends"),
            lambda r: formatting.date(r.notice_end), sortable=False,
        ),
    ]  # fmt: skip


def fetch_case_rows(session: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, CaseRow]:
    from sqlalchemy import select

    from caseworker.recognition import service
    from caseworker.store.models import Person, RecognitionCase, Village

    rows = session.execute(
        select(
            RecognitionCase.id, RecognitionCase.person_id, Person.name, Person.id_number,
            Village.name, RecognitionCase.stage, RecognitionCase.id,
            RecognitionCase.opened_on, RecognitionCase.notice_end,
            RecognitionCase.needs_review, RecognitionCase.review_reason,
            RecognitionCase.review_flagged_on,
        )
        .join(Person, Person.id == RecognitionCase.person_id)
        .outerjoin(Village, Village.id == Person.village_id)
        .where(RecognitionCase.id.in_(ids))
    ).all()  # fmt: skip
    codes = service.category_codes_of(session, (r[0] for r in rows))
    return {
        r[0]: CaseRow(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4] or "",
            r[5],
            codes.get(r[0], ()),
            r[7],
            r[8],
            bool(r[9]),
            service.review_reason_text(r[10] or "", r[11]),
        )
        for r in rows
    }


class CaseModel(PagedTableModel[CaseRow]):
    def __init__(self, store: Any, parent: Any = None) -> None:
        self.store = store
        super().__init__(case_columns(), self._fetch, parent=parent)

    def _fetch(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, CaseRow]:
        with self.store.reading() as session:
            return fetch_case_rows(session, ids)

    def person_at(self, row: int) -> uuid.UUID | None:
        data = self.row_data(row)
        return data.person_id if data is not None else None


class RecognitionListView(QWidget):
    open_person_requested = Signal(object)

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from caseworker.recognition.workflow import STAGE_LABELS
        from caseworker.registry import stations

        self.setObjectName("recognitionList")
        self.store = store
        self.generation = 0
        self.model = CaseModel(store, self)
        self.stage = FilterCombo()
        self.stage.setObjectName("stageFilter")
        self.stage.addItem(_("All cases"), None)
        self.stage.addItem(_("Flagged for review"), FLAGGED)
        for stage, label in STAGE_LABELS.items():
            self.stage.addItem(_(label), stage.value)
        self.village = FilterCombo()
        self.village.addItem(_("All villages and communities"), None)
        with store.reading() as session:
            for village in stations.villages(session, store.station_code):
                self.village.addItem(village.name, str(village.id))

        self.summary = QLabel()
        self.summary.setObjectName("caseSummaryLine")
        day = formatting.date(dt.date(2024, 9, 30))
        self.table = FittedTableView(
            (3, 1, 2, 4, 6, 0, 0), ("", "6501**********123X", "", "", "", day, day)
        )
        self.table.setObjectName("caseTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.activated.connect(self._open)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Stage")))
        top.addWidget(self.stage, 1)
        top.addWidget(self.village, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.stage.currentIndexChanged.connect(lambda _i: self.reload())
        self.village.currentIndexChanged.connect(lambda _i: self.reload())
        guard_wheel(self)

    def reload(self) -> None:
        self.generation += 1
        generation = self.generation
        stage = self.stage.currentData()
        village = self.village.currentData()
        village_id = uuid.UUID(village) if village else None
        store = self.store

        def work(_progress: tasks.Progress) -> IdList:
            from caseworker.recognition import service

            with store.reading() as session:
                found = service.cases(
                    session,
                    stage=None if stage in (None, FLAGGED) else stage,
                    village_id=village_id,
                    flagged=stage == FLAGGED,
                )
                return IdList.from_uuids(c.id for c in found)

        tasks.start(work, lambda ids: self._arrived(generation, ids), owner=self)

    def _arrived(self, generation: int, ids: object) -> None:
        if generation != self.generation or not shiboken6.isValid(self.model):
            return  # stale, or the view is gone (rebuilt in a new language)
        assert isinstance(ids, IdList)
        self.model.set_ids(ids)
        self.summary.setText(_("{n} cases").format(n=formatting.number(len(ids))))

    def _open(self, index: QModelIndex) -> None:
        person_id = self.model.person_at(index.row())
        if person_id is not None:
            self.open_person_requested.emit(person_id)
