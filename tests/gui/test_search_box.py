"""The registry list's search box meets the one registry search (typed text, not the query)."""

from __future__ import annotations

from typing import Any

from caseworker.gui.views.registry import RegistryView
from caseworker.registry import search
from tests.helpers import make_id, register


def _names(view: RegistryView) -> list[str]:
    return [view.model.data(view.model.index(r, 0)) for r in range(view.model.rowCount())]


def test_blank_long_and_extension_b_searches(gui_store: Any, qtbot: Any) -> None:
    register(gui_store, "张三", make_id(seq=11))
    register(gui_store, "𠮷野", make_id(seq=13))
    register(gui_store, "李四", make_id(seq=15))
    view = RegistryView(gui_store)
    qtbot.addWidget(view)
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    view.search.setText("𠮷")
    qtbot.waitUntil(lambda: _names(view) == ["𠮷野"])
    view.search.setText("   ")  # spaces: everyone, as for an empty box
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    view.search.setText(" ".join(["12"] * 1000))
    qtbot.waitUntil(lambda: "too long" in view.summary.text())
    assert "went wrong" not in view.summary.text()
    view.search.setText(" ".join(["1"] * (search.MAX_FRAGMENTS + 1)))
    qtbot.waitUntil(lambda: "too many parts" in view.summary.text())
