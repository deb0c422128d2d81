"""The application: QApplication, language and fonts, the main window, and the event loop."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from caseworker import i18n
from caseworker.gui import prefs
from caseworker.gui.errors import install_excepthook
from caseworker.gui.fonts import apply_fonts
from caseworker.gui.language import apply_language
from caseworker.i18n import _


def initial_language(explicit: str | None = None) -> str:
    """``--lang``, then ``$CASEWORKER_LANG``, then the language chosen last time."""
    return i18n.choose_language(explicit, prefs.stored_language())


def create_application(argv: Sequence[str] = (), language: str | None = None) -> QApplication:
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication(list(argv) or ["caseworker"])
    )
    app.setOrganizationName(prefs.ORGANISATION)
    app.setApplicationName(prefs.APPLICATION)
    language = language or initial_language()
    apply_language(app, language)
    from caseworker.core.resources import resource

    apply_fonts(app, i18n.is_rtl(language), bundled=[resource("fonts")])
    app.setApplicationDisplayName(_("Employment assistance workbench"))
    return app


def build(
    db: str | None = None,
    language: str | None = None,
    user: str | None = None,
    bundle: str | None = None,
) -> tuple[QApplication, object]:
    """The application and its main window, shown; the database opens right after (with the
    login dialog first, named ``user``, when the station has accounts).  A sync ``bundle``
    (``.cwb``) given is imported once the database is open (see :func:`open_sync`)."""
    from caseworker.gui.views.main_window import MainWindow

    app = create_application(sys.argv[:1], language or initial_language())
    install_excepthook()
    window = MainWindow(db=db)
    window.login_name = user or ""
    if bundle:
        _import_when_ready(window, Path(bundle))
    window.show()
    window.open_store()
    return app, window


def _import_when_ready(window: Any, bundle: Path) -> None:
    """Open the Sync dialog on ``bundle`` the first time the window is ready (not again after
    a rebuild for another language)."""
    from PySide6.QtCore import QTimer

    from caseworker.gui.views.sync_menu import open_sync

    pending = [bundle]

    def ready() -> None:
        if pending:
            path = pending.pop()
            QTimer.singleShot(0, lambda: open_sync(window, path))

    window.ready.connect(ready)


def run(
    db: str | None = None,
    language: str | None = None,
    user: str | None = None,
    bundle: str | None = None,
) -> int:
    from caseworker.core import wall
    from caseworker.gui import tasks

    wall.install_from_environment()
    app, window = build(db, language, user, bundle)
    status = app.exec()
    tasks.wait_for_all()
    _delete_window(app, window)
    return int(status)


def _delete_window(app: QApplication, window: object) -> None:
    """Delete the main window, and with it every dialog it owns, before Python exits.

    Left to PySide's clean-up at exit, whatever is left is deleted in any order: after the
    county window had been used, an object was deleted twice ("shared QObject was deleted
    directly") and the program crashed on closing, in about one exit in four."""
    import shiboken6
    from PySide6.QtWidgets import QWidget

    if isinstance(window, QWidget) and shiboken6.isValid(window):
        shiboken6.delete(window)
    app.processEvents()
