"""Every table model passes Qt's model tester; the person model fetches pages lazily."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from PySide6.QtCore import Qt

from caseworker.gui.models.ids import IdList
from caseworker.gui.models.persons import PersonTableModel
from tests.helpers import make_id, register


def _all_ids(store: Any) -> IdList:
    from caseworker.gui.models import person_query
    from caseworker.gui.models.listing import ListQuery

    with store.reading() as session:
        return person_query.fetch_ids(session, ListQuery())


def test_person_model_passes_the_model_tester(qtmodeltester: Any, demo_store: Any) -> None:
    model = PersonTableModel(demo_store, page_size=50)
    model.set_ids(_all_ids(demo_store))
    qtmodeltester.check(model)
    empty = PersonTableModel(demo_store)
    qtmodeltester.check(empty)


def test_person_model_fetches_pages_lazily_and_bounds_its_cache(demo_store: Any) -> None:
    model = PersonTableModel(demo_store, page_size=20)
    model.max_pages = 3
    ids = _all_ids(demo_store)
    model.set_ids(ids)
    assert model.rowCount() == 300
    assert model.pages_fetched == 0
    name = model.data(model.index(0, 0))
    assert isinstance(name, str)
    assert name
    assert model.pages_fetched == 1
    model.data(model.index(5, 1))
    assert model.pages_fetched == 1  # same page: from the cache
    for row in (40, 80, 120, 160):
        model.data(model.index(row, 0))
    assert model.cached_pages == 3
    assert model.data(model.index(0, 0), PersonTableModel.IdRole) == ids[0]


def test_person_model_masks_id_numbers(gui_store: Any) -> None:
    number = make_id(seq=123)
    person = register(gui_store, "张三", number)
    model = PersonTableModel(gui_store)
    model.set_ids(IdList.from_uuids([person.id]))
    column = [c.key for c in model.columns].index("id_number")
    shown = model.data(model.index(0, column))
    assert shown == "\u2066" + number[:4] + "*" * 10 + number[-4:] + "\u2069"  # kept LTR in Uyghur
    assert number not in {model.data(model.index(0, c)) for c in range(model.columnCount())}


def test_sort_is_delegated_not_done_in_python(demo_store: Any, qtbot: Any) -> None:
    model = PersonTableModel(demo_store)
    ids = _all_ids(demo_store)
    model.set_ids(ids)
    with qtbot.waitSignal(model.sort_requested) as blocker:
        model.sort(2, Qt.SortOrder.DescendingOrder)
    assert blocker.args == [2, Qt.SortOrder.DescendingOrder]
    assert list(model.ids) == list(ids)


def test_household_and_history_models(qtmodeltester: Any) -> None:
    from caseworker.gui.views.household import HouseholdModel, MemberRow
    from caseworker.gui.views.recognition_panel import HistoryModel, StepRow

    household = HouseholdModel()
    household.set_rows(
        [
            MemberRow(uuid.uuid4(), uuid.uuid4(), "张三", "head", make_id(seq=1), False, True),
            MemberRow(uuid.uuid4(), None, "李四", "spouse", "", True, False),
        ]
    )
    qtmodeltester.check(household)
    assert household.data(household.index(1, 2)) == ""
    history = HistoryModel()
    history.set_rows(
        [
            StepRow("apply", dt.date(2024, 1, 2), None, None, "", "tester"),
            StepRow("public_notice", dt.date(2024, 2, 1), None, dt.date(2024, 2, 7), "", "x"),
        ]
    )
    qtmodeltester.check(history)
    assert history.data(history.index(0, 0)) == "Application"


def test_case_model(qtmodeltester: Any, gui_store: Any, qtbot: Any) -> None:
    from caseworker.gui.views.recognition_list import RecognitionListView
    from caseworker.recognition import service

    person = register(gui_store, "张三", make_id(seq=11), registered_unemployed_since="2020-01-01")
    with gui_store.transaction() as session:
        service.open_application(
            session, person.id, dt.date(2024, 3, 1), ["long_term_unemployed_1y"]
        )
    view = RecognitionListView(gui_store)
    qtbot.addWidget(view)
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    qtmodeltester.check(view.model)
    assert view.model.person_at(0) == person.id
    view.stage.setCurrentIndex(view.stage.findData("recognised"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 0)
