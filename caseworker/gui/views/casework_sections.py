"""The main window's sections for one-to-one assistance and public-welfare posts: the
worklist, the zero-employment family tracker, the dashboard and the posts, and how their
lists lead to a person or to the registry.

The main window builds them with :func:`build` and calls :func:`shown` when one is shown; the
rest of the wiring lives here, so the main window needs only a few lines."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QWidget


def build(window: Any) -> list[QWidget]:
    """The worklist, the family tracker and the dashboard of ``window`` (a MainWindow)."""
    from caseworker.gui.views.dashboard import DashboardView
    from caseworker.gui.views.families import FamilyTrackerView
    from caseworker.gui.views.posts import PostsView
    from caseworker.gui.views.worklist import WorklistView

    store = window.store
    worklist = WorklistView(store)
    families = FamilyTrackerView(store)
    dashboard = DashboardView(store)
    posts = PostsView(store)
    first = 3  # after the registry, recognition and settings

    def open_assistance(person_id: object) -> None:
        assert isinstance(person_id, uuid.UUID)
        window.open_person(person_id)
        if window.person is not None and window.person.person_id == person_id:
            window.person.show_assistance()

    def show_worklist(code: str) -> None:
        worklist.set_window(code)
        window.show_section(first)

    def show_families(code: str) -> None:
        families.set_filter(code)
        window.show_section(first + 1)

    def show_registry(category: object, stage: object) -> None:
        registry = window.registry
        for combo, value in ((registry.category, category), (registry.status, stage)):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        window.show_section(0)
        window.show_list()

    for view in (worklist, families, dashboard):
        view.open_person_requested.connect(open_assistance)

    def open_placement(person_id: object) -> None:
        assert isinstance(person_id, uuid.UUID)
        window.open_person(person_id)
        if window.person is not None and window.person.person_id == person_id:
            window.person.show_placements()

    posts.open_person_requested.connect(open_placement)
    dashboard.open_worklist.connect(show_worklist)
    dashboard.open_families.connect(show_families)
    dashboard.open_registry.connect(show_registry)
    return [worklist, families, dashboard, posts]


def shown(widget: QWidget) -> None:
    """A section of ours became visible: read it again."""
    reload = getattr(widget, "reload", None)
    if reload is not None:
        reload()
