"""The main window: navigation, the sections, menus with shortcuts, and the status bar.

The window paints first and opens the database right after (in the thread pool), so it
appears at once even on a large registry; the sections are built when the store is open.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QWidget,
)

from caseworker import i18n
from caseworker.gui import formatting, prefs
from caseworker.gui.errors import show_error
from caseworker.gui.language import apply_language, label_message_box
from caseworker.gui.widgets.wheel import guard_wheel

if TYPE_CHECKING:
    from caseworker.gui import tasks
    from caseworker.gui.models.listing import ListQuery
    from caseworker.gui.views.person import PersonPage
    from caseworker.gui.views.recognition_list import RecognitionListView
    from caseworker.gui.views.registry import RegistryView
    from caseworker.gui.views.settings import SettingsView
from caseworker.i18n import N_, _

log = logging.getLogger(__name__)

SECTIONS = (
    ("registry", N_("Registry")),
    ("recognition", N_("Recognition")),
    ("settings", N_("Settings")),
    ("worklist", N_("Worklist")),
    ("families", N_("Family tracker")),
    ("dashboard", N_("Dashboard")),
    ("posts", N_("Welfare posts")),
)


class MainWindow(QMainWindow):
    """The workbench.  ``store`` given: used at once (tests); else ``open_store()`` opens it."""

    ready = Signal()

    def __init__(self, store: Any = None, *, db: str | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.db = db
        self._painted = False
        self._open_when_painted = False
        self._opening = False
        self.store: Any = None
        self.registry: RegistryView | None = None
        self.person: PersonPage | None = None
        self.recognition: RecognitionListView | None = None
        self.settings_view: SettingsView | None = None
        self.nav = QListWidget()
        self.stack = QStackedWidget()
        self.registry_stack = QStackedWidget()
        self.station_label = QLabel()
        self.station_label.setObjectName("stationLabel")
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.statusBar().addWidget(self.station_label)
        self.statusBar().addPermanentWidget(self.count_label)
        self.resize(1280, 800)
        self._restore_geometry()
        self._build_shell()
        if store is not None:
            self.attach(store)

    # -- building -------------------------------------------------------------------------------

    def _build_shell(self) -> None:
        self.setWindowTitle(_("Employment assistance workbench"))
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        for _key, label in SECTIONS:
            self.nav.addItem(_(label))
        # as wide as the longest section name, up to a limit beyond which a long name (the
        # Uyghur for "zero-employment families") wraps: the rest of a small screen goes to the
        # work
        metrics = self.fontMetrics()
        limit = metrics.horizontalAdvance("M" * 7)
        widest = max(self.nav.sizeHintForColumn(0), metrics.horizontalAdvance("M" * 6))
        self.nav.setWordWrap(True)
        self.nav.setFixedWidth(min(widest, limit) + 2 * self.nav.frameWidth() + 16)
        self.stack = QStackedWidget()
        self.stack.setObjectName("sections")
        waiting = QLabel(_("Opening the database…"))
        waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(waiting)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.setEnabled(False)
        self.nav.currentRowChanged.connect(self._section_changed)
        self._build_menus()
        self.station_label.setText(_("Opening the database…"))

    def _action(self, text: str, slot: Any, shortcut: Any = None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if name:
            action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.clear()
        file_menu = bar.addMenu(_("&File"))
        self.new_action = self._action(
            _("&New person"), self.new_person, QKeySequence.StandardKey.New, "newPerson"
        )
        self.import_action = self._action(
            _("&Import persons…"), self.import_persons, "Ctrl+I", "importPersons"
        )
        self.export_action = self._action(
            _("&Export persons…"), self.export_persons, "Ctrl+E", "exportPersons"
        )
        self.demo_action = self._action(_("Add &demo data…"), self.add_demo_data, None, "demoData")
        self.backups_action = self._action(_("&Backups…"), self.show_backups, None, "backups")
        self.lock_action = self._action(_("&Lock the screen"), self.lock, "Ctrl+L", "lock")
        quit_action = self._action(_("&Quit"), self.close, QKeySequence.StandardKey.Quit, "quit")
        for action in (
            self.new_action, self.import_action, self.export_action, self.demo_action,
            self.backups_action,
        ):  # fmt: skip
            file_menu.addAction(action)
            action.setEnabled(self.store is not None)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        self.lock_action.setEnabled(self.store is not None and self.store.principal is not None)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        print_menu = bar.addMenu(_("P&rint"))
        self.print_roster_action = self._action(
            _("Print the &roster of the listed persons…"), self.print_roster, "Ctrl+Shift+P",
            "printRoster",
        )  # fmt: skip
        self.print_notice_action = self._action(
            _("Print the public-&notice list…"), self.print_notice_list, None, "printNotice"
        )
        for action in (self.print_roster_action, self.print_notice_action):
            action.setEnabled(self.store is not None)
            print_menu.addAction(action)
        from caseworker.gui.views.sync_menu import add_sync_menu

        self.sync_action = add_sync_menu(
            self
        )  # 同步: the station's Sync dialog, or the county's screens
        self.person_menu = bar.addMenu(_("&Person"))
        self.person_menu.setObjectName("personMenu")
        self.find_action = self._action(
            _("&Find a person"), self.find_person, QKeySequence.StandardKey.Find, "find"
        )
        self.find_action.setEnabled(self.store is not None)
        # never empty: new and find always; the open person's actions once a page exists
        self.person_menu.addAction(self.new_action)
        self.person_menu.addAction(self.find_action)
        self._add_person_actions()
        self.person_menu.aboutToShow.connect(self._update_person_actions)
        self._by_role()
        view = bar.addMenu(_("&View"))
        self.section_actions: list[QAction] = []
        for index, (_key, label) in enumerate(SECTIONS):
            action = self._action(
                _(label), lambda _c=False, i=index: self.show_section(i), f"Ctrl+{index + 1}"
            )
            action.setEnabled(self.store is not None)
            self.section_actions.append(action)
            view.addAction(action)
        view.addSeparator()
        view.addAction(self.find_action)
        help_menu = bar.addMenu(_("&Help"))
        help_menu.addAction(self._action(_("&About"), self.about, None, "about"))

    def _by_role(self) -> None:
        """Disable the commands the logged-in user's roles do not allow, saying why in the
        tooltip and the status bar (the services refuse them anyway)."""
        if self.store is None:
            return
        from caseworker.security import roles

        do = roles.Action
        county = self.sync_action.objectName() == "countyWindow"  # (add_sync_menu asked)
        sync = (do.COUNTY_IMPORT, do.COUNTY_ADMIN) if county else (do.SYNC,)
        needs: list[tuple[QAction, tuple[roles.Action, ...]]] = [
            (self.new_action, (do.REGISTER,)),
            (self.demo_action, (do.REGISTER,)),
            (self.import_action, (do.IMPORT,)),
            (self.export_action, (do.EXPORT,)),
            (self.backups_action, (do.BACKUP, do.RESTORE)),
            (self.print_roster_action, (do.PRINT,)),
            (self.print_notice_action, (do.PRINT,)),
            (self.sync_action, sync),
        ]
        for action, actions in needs:
            why = roles.refusal_for(self.store, *actions)
            if why is not None:
                action.setEnabled(False)
                action.setToolTip(why)
                action.setStatusTip(why)
        for menu in self.menuBar().findChildren(QMenu):
            menu.setToolTipsVisible(True)

    def _add_person_actions(self) -> None:
        if self.person is None:
            return
        self.person_menu.addSeparator()
        for action in (
            self.person.save_action,
            self.person.cancel_action,
            self.person.print_action,
            self.person.history_action,
        ):
            self.person_menu.addAction(action)
        self.person_menu.addSeparator()
        self.person_menu.addAction(self.person.delete_action)
        self._update_person_actions()

    def _update_person_actions(self) -> None:
        """The open person's actions work only while their page is shown."""
        if self.person is not None:
            self.person.update_actions(active=self._editing())

    def print_roster(self) -> None:
        """Preview the roster of the persons the registry list shows (its search, filters and
        order)."""
        from caseworker.gui.printing import preview_roster

        query = self.registry.current_query() if self.registry is not None else None
        preview_roster(self, self.store, query)

    def print_notice_list(self) -> None:
        """Ask for a period, then preview the public-notice list of that period."""
        from caseworker.gui.printing.period import print_notice_list

        print_notice_list(self, self.store)

    def attach(self, store: Any) -> None:
        """Use ``store``: run the setup wizard when no station is set up, then build the sections."""
        self.store = store
        if not store.station_code:
            from PySide6.QtWidgets import QDialog

            from caseworker.gui.views.wizard import SetupWizard

            wizard = SetupWizard(store, self)
            if wizard.exec() != QDialog.DialogCode.Accepted:
                # a language tried in a cancelled wizard is not kept (the wizard restored it)
                QTimer.singleShot(0, self.close)
                return
            prefs.store_language(wizard.answers.language)
            self.store = store = wizard.store  # now encrypted, opened as the administrator
            self._build_shell()
        self._build_sections()

    def _build_sections(self, keep: dict[str, Any] | None = None) -> None:
        """Build the sections; ``keep`` (from :meth:`_state`) restores the section, the list's
        search and filters and the open person after a rebuild (a new language)."""
        from caseworker.gui.views.recognition_list import RecognitionListView
        from caseworker.gui.views.registry import RegistryView
        from caseworker.gui.views.settings import SettingsView

        store = self.store
        self.setWindowTitle(_("Employment assistance workbench"))
        self.registry = RegistryView(store)
        self.person = None  # built when first opened (its imports are not needed to list)
        self.registry_stack = QStackedWidget()
        self.registry_stack.setObjectName("registryStack")
        self.registry_stack.addWidget(self.registry)
        self.recognition = RecognitionListView(store)
        self.settings_view = SettingsView(store)
        while (widget := self.stack.widget(0)) is not None:
            self.stack.removeWidget(widget)
            widget.deleteLater()
        from caseworker.gui.views import casework_sections

        self.casework_views = casework_sections.build(self)
        for widget in (self.registry_stack, self.recognition, self.settings_view):
            self.stack.addWidget(widget)
        for widget in self.casework_views:
            self.stack.addWidget(widget)
        self.registry.open_person_requested.connect(self.open_person)
        self.registry.new_person_requested.connect(self.new_person)
        self.recognition.open_person_requested.connect(self.open_person)
        self.settings_view.language_requested.connect(self.change_language)
        self.settings_view.station_changed.connect(self._rebuild)
        self.nav.setEnabled(True)
        self._build_menus()
        if keep is not None:
            index = int(keep["section"])
            self.registry.restore_query(keep["query"])
        else:
            index = _stored_section()
        self.show_section(index if 0 <= index < len(SECTIONS) else 0)
        self.registry.reload(delay=False)
        if keep is not None and keep.get("person") is not None:
            self._open_directly(keep["person"])
            if index != 0:
                self.show_section(index)
        self.update_status()
        self._start_guards()
        self.ready.emit()

    def _state(self) -> dict[str, Any]:
        """What a rebuild keeps: the section, the registry list's query, the open person."""
        person = self.person.person_id if self._editing() and self.person is not None else None
        query: ListQuery | None = self.registry.current_query() if self.registry else None
        return {"section": max(self.nav.currentRow(), 0), "query": query, "person": person}

    def person_page(self) -> PersonPage:
        """The person page, built on first use."""
        if self.person is None:
            from caseworker.gui.views.person import PersonPage

            self.person = PersonPage(self.store)
            self.registry_stack.addWidget(self.person)
            self.person.closed.connect(self.show_list)
            self.person.saved.connect(self._person_saved)
            self.person.open_person_requested.connect(self._open_directly)
            self._add_person_actions()
        return self.person

    def _editing(self) -> bool:
        return self.person is not None and self.registry_stack.currentWidget() is self.person

    def _rebuild(self) -> None:
        """Build the sections again (after a language change or new villages), keeping the
        section, the list's search and filters, and the open person."""
        keep = self._state()
        self._build_shell()
        self._build_sections(keep)

    # -- opening the store -------------------------------------------------------------------

    def open_store(self) -> None:
        """Open the database once the window has been painted (so it appears at once)."""
        if self.isVisible() and not self._painted:
            self._open_when_painted = True
            QTimer.singleShot(1000, self._open_store_now)  # in case no paint comes
            return
        self._open_store_now()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self._painted = True
        if self._open_when_painted:
            QTimer.singleShot(0, self._open_store_now)

    def _open_store_now(self) -> None:
        if self._opening:
            return
        self._opening = True
        self._open_when_painted = False
        from caseworker.gui import tasks

        db = self.db

        def work(_progress: tasks.Progress) -> Any:
            from caseworker import bootstrap

            bootstrap.configure_logging()  # (once; the command line may have done it)
            return bootstrap.open_database(db, create=True)

        tasks.start(work, self.attach, self._open_failed)

    def _open_failed(self, exc: BaseException) -> None:
        from caseworker.store.uow import LoginRequiredError

        if isinstance(exc, LoginRequiredError):
            self.log_in()
            return
        show_error(self, exc, title=_("The database cannot be opened"))
        self.close()

    def log_in(self) -> None:
        """Ask the name and password; open the database as that staff member."""
        from PySide6.QtWidgets import QDialog

        from caseworker.gui.views.login import LoginDialog

        dialog = LoginDialog(self.db, self, name=self.login_name)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.store is None:
            QTimer.singleShot(0, self.close)
            return
        self.attach(dialog.store)

    #: The name the login dialog starts with (``--user``).
    login_name = ""

    # -- guarding the data: automatic backups and the idle lock ------------------------------

    def _start_guards(self) -> None:
        from caseworker.gui.views.login import IdleLock
        from caseworker.security import guard_settings

        if getattr(self, "_backup_timer", None) is None:
            self._backup_timer = QTimer(self)
            self._backup_timer.setInterval(30 * 60_000)  # auto() backs up only when due
            self._backup_timer.timeout.connect(self.auto_backup)
            self._backup_timer.start()
            QTimer.singleShot(0, self.auto_backup)
        idle = getattr(self, "idle_lock", None)
        if idle is not None:
            idle.stop()
            self.idle_lock = None
        if self.store.principal is not None:
            minutes = guard_settings.read(self.store).lock_minutes
            self.idle_lock = IdleLock(self, minutes, self.lock)

    idle_lock: Any = None

    def auto_backup(self) -> tasks.Job | None:
        """The automatic backup (in the thread pool) when one is due."""
        from caseworker.gui import tasks
        from caseworker.security import backups

        store = self.store
        if store is None or store.write_refusal is not None:
            return None
        return tasks.start(lambda _p: backups.auto(store), None, self._backup_failed)

    def _backup_failed(self, exc: BaseException) -> None:
        show_error(self, exc, title=_("The automatic backup failed"))

    def lock(self) -> None:
        """Hide the work and ask the logged-in staff member's password."""
        from caseworker.gui.views.login import UnlockDialog

        if self.store is None or self.store.principal is None:
            return
        central = self.centralWidget()
        assert central is not None
        central.setVisible(False)
        self.menuBar().setEnabled(False)
        self.setWindowTitle(_("Locked"))
        try:
            UnlockDialog(self.store, self).exec()
        finally:
            central.setVisible(True)
            self.menuBar().setEnabled(True)
            self.setWindowTitle(_("Employment assistance workbench"))

    def show_backups(self) -> None:
        from caseworker.gui.views.backups import BackupsDialog

        BackupsDialog(self.store, self, self._restored).exec()

    def _restored(self, store: Any) -> None:
        """A backup replaced the database: show the restored file."""
        self.store = store
        self._rebuild()

    # -- navigation -------------------------------------------------------------------------

    def show_section(self, index: int) -> None:
        if self.store is None or self.registry is None:
            return
        if self.nav.currentRow() != index:
            self.nav.setCurrentRow(index)  # calls back
            return
        self._section_changed(index)

    def _section_changed(self, index: int) -> None:
        if self.registry is None or index < 0:
            return
        current = self.stack.currentWidget()
        if (
            current is self.registry_stack
            and self.person is not None
            and self._editing()
            and index != 0
            and not self.person.maybe_leave()
        ):
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(0)
            self.nav.blockSignals(False)
            return
        self.stack.setCurrentIndex(index)
        if index == 1 and self.recognition is not None:
            self.recognition.reload()
        if index >= 3:
            from caseworker.gui.views import casework_sections

            widget = self.stack.widget(index)
            if widget is not None:
                casework_sections.shown(widget)

    def section(self) -> int:
        return self.nav.currentRow()

    def _may_leave_person(self) -> bool:
        """True when no person page is being edited, or it may be left (saved or discarded)."""
        return not self._editing() or self.person is None or self.person.maybe_leave()

    def open_person(self, person_id: object) -> None:
        if not self._may_leave_person():
            return
        self._open_directly(person_id)

    def _open_directly(self, person_id: object) -> None:
        assert isinstance(person_id, uuid.UUID)
        page = self.person_page()
        try:
            page.load(person_id)
        except Exception as exc:
            show_error(self, exc)
            return
        self._show_person_page(page)

    def _show_person_page(self, page: PersonPage) -> None:
        self.show_section(0)
        self.registry_stack.setCurrentWidget(page)
        self._update_person_actions()
        page.focus_first()

    def new_person(self) -> None:
        if self.registry is None or not self._may_leave_person():
            return
        page = self.person_page()
        page.load(None)
        self._show_person_page(page)

    def show_list(self) -> None:
        if self.registry is None:
            return
        self.registry_stack.setCurrentWidget(self.registry)
        self._update_person_actions()
        self.registry.table.setFocus()

    def find_person(self) -> None:
        """Go to the registry list's search field (Ctrl+F)."""
        if self.registry is None or not self._may_leave_person():
            return
        self.show_section(0)
        self.show_list()
        self.registry.focus_search()

    def _person_saved(self, person_id: object) -> None:
        if self.registry is not None:
            self.registry.refresh_rows()
        self.update_status()

    # -- status -----------------------------------------------------------------------------

    def update_status(self) -> None:
        from caseworker.gui.models import person_query

        with self.store.reading() as session:
            station = self.store.station(session)
            count = person_query.count(session)
        self.station_label.setText(
            _("{code} {name}").format(code=station.code, name=station.name) if station else ""
        )
        self.count_label.setText(_("{n} persons").format(n=formatting.number(count)))

    # -- language -----------------------------------------------------------------------------

    def change_language(self, language: str) -> None:
        if language == i18n.current_language():
            return
        if not self._may_leave_person():
            if self.settings_view is not None:
                combo = self.settings_view.language
                combo.blockSignals(True)
                combo.setCurrentIndex(combo.findData(i18n.current_language()))
                combo.blockSignals(False)
            return
        from caseworker import bootstrap
        from caseworker.gui.fonts import apply_fonts

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.store.set_setting(bootstrap.LANGUAGE_KEY, language)
        prefs.store_language(language)
        apply_language(app, language)
        apply_fonts(app, i18n.is_rtl(language))
        QTimer.singleShot(0, self._rebuild)

    # -- long work --------------------------------------------------------------------------

    def _after_bulk_change(self) -> None:
        if self.registry is not None:
            self.registry.reload(delay=False)
        if self.recognition is not None and self.stack.currentWidget() is self.recognition:
            self.recognition.reload()
        self.update_status()

    def import_persons(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import persons"), "", _("Spreadsheets (*.xlsx *.csv)")
        )
        if path:
            self.run_import(Path(path))

    def run_import(self, path: Path) -> tasks.Job:
        from caseworker.gui.views import transfer

        return transfer.run_import(self, self.store, path, on_changed=self._after_bulk_change)

    def export_persons(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        reason: str | None = ""
        if self.store.accounts_required:
            reason = self.ask_reason(
                _("The export holds whole ID numbers, phones and bank accounts. Why are they needed outside the program? (recorded)")
            )  # fmt: skip
            if reason is None:
                return
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export persons"), "persons.xlsx", _("Excel workbook (*.xlsx)")
        )
        if path:
            self.run_export(Path(path), reason or "")

    def ask_reason(self, question: str) -> str | None:
        """A reason asked in a small dialog (None: cancelled)."""
        from PySide6.QtWidgets import QDialog, QInputDialog

        dialog = QInputDialog(self)
        dialog.setObjectName("reasonDialog")
        dialog.setWindowTitle(_("Reason"))
        dialog.setLabelText(question)
        dialog.setOkButtonText(_("OK"))
        dialog.setCancelButtonText(_("Cancel"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.textValue()

    def run_export(self, path: Path, reason: str = "") -> tasks.Job:
        from caseworker.gui.views import transfer

        return transfer.run_export(self, self.store, path, reason)

    def add_demo_data(self) -> None:
        from PySide6.QtWidgets import QDialog, QInputDialog

        dialog = QInputDialog(self)
        dialog.setObjectName("demoDialog")
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setWindowTitle(_("Demo data"))
        dialog.setLabelText(_("How many made-up persons to add?"))
        dialog.setIntRange(1, 200_000)
        dialog.setIntStep(100)
        dialog.setIntValue(1000)
        dialog.setOkButtonText(_("OK"))
        dialog.setCancelButtonText(_("Cancel"))
        guard_wheel(dialog)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.run_demo(dialog.intValue())

    def run_demo(self, count: int, seed: int | None = None) -> tasks.Job:
        import random

        from caseworker.gui import tasks

        store = self.store
        seed = seed if seed is not None else random.randrange(1, 1_000_000)

        def work(progress: tasks.Progress) -> int:
            from caseworker.registry import demo

            return demo.generate(store, persons=count, seed=seed, progress=progress)

        return tasks.run_with_progress(
            self,
            work,
            label=_("Adding {n} made-up persons…").format(n=formatting.number(count)),
            on_success=lambda _n: self._after_bulk_change(),
        )

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from caseworker import __version__, bootstrap

        box = QMessageBox(
            QMessageBox.Icon.Information,
            _("About"),
            _("Employment assistance workbench {version}\nLog file: {path}").format(
                version=__version__, path=bootstrap.log_file()
            ),
            QMessageBox.StandardButton.Ok,
            self,
        )
        label_message_box(box)
        box.exec()

    # -- geometry and closing ------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = prefs.settings().value(prefs.GEOMETRY)
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))

    def save_preferences(self) -> None:
        s = prefs.settings()
        s.setValue(prefs.GEOMETRY, self.saveGeometry())
        if self.registry is not None:
            s.setValue(prefs.SECTION, max(self.nav.currentRow(), 0))
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_leave_person():
            event.ignore()
            return
        self.save_preferences()
        from caseworker.gui import tasks

        tasks.wait_for_all()
        event.accept()


def _stored_section() -> int:
    """The section shown when the window was last closed (0 when none is remembered)."""
    value = prefs.settings().value(prefs.SECTION, 0)
    try:
        return int(str(value))
    except ValueError:
        return 0
