"""The registry list: search as you type updates the list off the GUI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from caseworker.gui.models.listing import ListQuery
from caseworker.gui.views.registry import RegistryView
from tests.helpers import make_id, register


def test_search_updates_the_list(gui_store: Any, qtbot: Any) -> None:
    register(gui_store, "张三", make_id(seq=11))
    register(gui_store, "张三丰", make_id(seq=13))
    register(gui_store, "李四", make_id(seq=15))
    view = RegistryView(gui_store)
    qtbot.addWidget(view)
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    view.search.setText("张三")
    assert view.model.rowCount() == 3  # typing never waits for the query
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    names = {view.model.data(view.model.index(r, 0)) for r in range(2)}
    assert names == {"张三", "张三丰"}
    view.search.setText("lisi")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.data(view.model.index(0, 0)) == "李四"
    assert "1" in view.summary.text()


def test_stale_results_are_dropped(gui_store: Any, qtbot: Any) -> None:
    register(gui_store, "张三", make_id(seq=11))
    register(gui_store, "李四", make_id(seq=15))
    view = RegistryView(gui_store)
    qtbot.addWidget(view)
    controller = view.controller
    controller.request(ListQuery(text="张三"), delay=False)
    controller.request(ListQuery(text="李四"), delay=False)
    qtbot.waitUntil(lambda: not controller.busy)
    from caseworker.gui import tasks

    tasks.wait_for_all()
    qtbot.wait(50)
    assert view.model.rowCount() == 1
    assert view.model.data(view.model.index(0, 0)) == "李四"


def test_clicking_a_header_sorts_in_sql_and_enter_opens(gui_store: Any, qtbot: Any) -> None:
    old = register(gui_store, "甲", make_id(seq=11, birth=__import__("datetime").date(1970, 1, 1)))
    young = register(
        gui_store, "乙", make_id(seq=13, birth=__import__("datetime").date(2000, 1, 1))
    )
    view = RegistryView(gui_store)
    qtbot.addWidget(view)
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    view.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.AscendingOrder)  # age
    qtbot.waitUntil(lambda: view.model.id_at(0) == young.id)
    view.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: view.model.id_at(0) == old.id)
    with qtbot.waitSignal(view.open_person_requested) as blocker:
        view.table.activated.emit(view.model.index(0, 0))
    assert blocker.args == [old.id]


def test_a_result_arriving_after_the_list_is_gone_is_dropped(gui_store: Any, qtbot: Any) -> None:
    """A language switch rebuilds the list while a query runs: its late result is ignored."""
    import shiboken6

    from caseworker.gui.models.ids import IdList
    from caseworker.gui.views.recognition_list import RecognitionListView
    from caseworker.gui.views.registry import RegistryView

    view = RegistryView(gui_store)
    cases = RecognitionListView(gui_store)
    controller = view.controller
    shiboken6.delete(view)
    shiboken6.delete(cases)
    controller._arrived(controller.generation, IdList())  # no "already deleted" error
    cases._arrived(cases.generation, IdList())
