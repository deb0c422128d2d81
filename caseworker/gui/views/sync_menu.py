"""The 同步 (Sync) menu of the main window: the station's Sync dialog, or in a county's
database the county's screens."""

from __future__ import annotations

from pathlib import Path
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


def open_sync(window: Any, bundle: Path | None = None) -> None:
    """Open the county's screens or the station's Sync dialog (modal); refresh after.

    ``bundle`` (a ``.cwb`` file the user opened, e.g. by double-clicking it) is imported as
    soon as the dialog shows: at the county a station's bundle, at a station the county's
    receipt (a bundle of the wrong kind is refused with its reason)."""
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
    if bundle is not None:
        from PySide6.QtCore import QTimer

        if hasattr(dialog, "import_bundles"):
            QTimer.singleShot(0, lambda: dialog.import_bundles([bundle]))
        else:
            QTimer.singleShot(0, lambda: dialog.import_receipt(bundle))
    dialog.exec()
    window.sync_dialog = None
    if getattr(window, "registry", None) is not None:
        window._after_bulk_change()
