"""The 同步 (Sync) menu of the main window: the station's Sync dialog, or in a county's
database the county's screens."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction

from caseworker.i18n import _


def add_sync_menu(window: Any) -> QAction:
    """Add the Sync menu to ``window`` (a :class:`MainWindow`); returns its action."""
    menu = window.menuBar().addMenu(_("&Sync"))
    store = window.store
    county = False
    if store is not None:
        from caseworker.sync import setup

        county = setup.is_county(store)
    text = _("&County: stations, conflicts, reports…") if county else _("&Sync with the county…")
    action = QAction(text, window)
    action.setObjectName("countyWindow" if county else "syncWindow")
    action.setShortcut("Ctrl+Shift+S")
    action.setEnabled(store is not None)
    action.triggered.connect(lambda _checked=False: open_sync(window))
    menu.addAction(action)
    window.sync_action = action
    return action


def open_sync(window: Any) -> None:
    """Open the county's screens or the station's Sync dialog (modal); refresh after."""
    from caseworker.gui.errors import show_error
    from caseworker.sync import setup

    try:
        if setup.is_county(window.store):
            from caseworker.gui.views.county import CountyWindow

            dialog: Any = CountyWindow(window.store, window)
        else:
            from caseworker.gui.views.sync_dialog import SyncDialog

            dialog = SyncDialog(window.store, window)
    except Exception as exc:
        show_error(window, exc)
        return
    window.sync_dialog = dialog
    dialog.exec()
    window.sync_dialog = None
    if getattr(window, "registry", None) is not None:
        window._after_bulk_change()
