"""Settings: language (applies at once), the caseworker's name, the station and its villages."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from caseworker import bootstrap, i18n
from caseworker.core.errors import UserError
from caseworker.gui.errors import show_error
from caseworker.gui.views.wizard import LANGUAGE_NAMES
from caseworker.gui.widgets.forms import align_form_labels
from caseworker.gui.widgets.wheel import guard_wheel
from caseworker.i18n import _


class SettingsView(QWidget):
    language_requested = Signal(str)
    station_changed = Signal()

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from caseworker.registry import stations

        self.setObjectName("settingsView")
        self.store = store
        self.language = QComboBox()
        self.language.setObjectName("settingsLanguage")
        for code in i18n.LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(self.language.findData(i18n.current_language()), 0))
        self.language.currentIndexChanged.connect(
            lambda _i: self.language_requested.emit(str(self.language.currentData()))
        )
        self.caseworker = QLineEdit(store.setting(bootstrap.CASEWORKER_KEY))
        self.caseworker.setObjectName("settingsCaseworker")
        self.caseworker.setMaxLength(40)
        save_name = QPushButton(_("Save the name"))
        save_name.clicked.connect(self.save_caseworker)
        self.saved_label = QLabel()

        with store.reading() as session:
            station = store.station(session)
            villages = [v.name for v in stations.villages(session, store.station_code)]
            self.station_code = station.code if station else ""
            self.station_name = station.name if station else ""
        self.villages = QLabel("、".join(villages))
        self.villages.setWordWrap(True)
        self.new_villages = QPlainTextEdit()
        self.new_villages.setObjectName("newVillages")
        self.new_villages.setTabChangesFocus(True)
        self.new_villages.setFixedHeight(70)
        add = QPushButton(_("Add these villages and communities"))
        add.clicked.connect(self.add_villages)

        general = QGroupBox(_("You and the language"))
        g = QFormLayout(general)
        g.addRow(_("Language"), self.language)
        g.addRow(QLabel(_("A new language applies at once to the whole window.")))
        g.addRow(_("Your name"), self.caseworker)
        g.addRow("", save_name)
        g.addRow(self.saved_label)
        station_box = QGroupBox(_("The station"))
        s = QFormLayout(station_box)
        s.addRow(_("Station code"), QLabel(self.station_code))
        s.addRow(_("Station name"), QLabel(self.station_name))
        s.addRow(_("Villages and communities"), self.villages)
        s.addRow(_("Add (one a line)"), self.new_villages)
        s.addRow("", add)
        files = QGroupBox(_("Files"))
        f = QFormLayout(files)
        database = QLabel(str(store.engine.url.database or store.engine.url))
        database.setWordWrap(True)
        log_path = QLabel(str(bootstrap.log_file()))
        log_path.setWordWrap(True)
        f.addRow(_("Database"), database)
        f.addRow(_("Log file"), log_path)
        guard_box, guard_form = self._guard_box()
        content = QWidget()
        layout = QVBoxLayout(content)
        scroll = QScrollArea()
        scroll.setObjectName("settingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout.addWidget(general)
        layout.addWidget(station_box)
        layout.addWidget(guard_box)
        layout.addWidget(files)
        layout.addStretch(1)
        align_form_labels(g, s, guard_form, f)
        guard_wheel(self)

    def _guard_box(self) -> tuple[QGroupBox, QFormLayout]:
        """The idle lock and the automatic backups (an administrator changes them)."""
        from PySide6.QtWidgets import QSpinBox

        from caseworker.security import guard_settings, roles

        current = guard_settings.read(self.store)
        box = QGroupBox(_("Screen lock and backups"))
        form = QFormLayout(box)
        self.guard_spins: dict[str, QSpinBox] = {}
        rows = (
            ("lock_minutes", _("Lock after (minutes)"), 0, 240),
            ("backup_hours", _("Back up every (hours)"), 1, 168),
            ("backup_daily", _("Daily backups kept"), 1, 90),
            ("backup_weekly", _("Weekly backups kept"), 0, 104),
        )
        may = roles.allowed(
            self.store.principal,
            roles.Action.CHANGE_SETTINGS,
            open_mode=not self.store.accounts_required,
        )
        for name, label, low, high in rows:
            spin = QSpinBox()
            spin.setObjectName(f"setting_{name}")
            spin.setRange(low, high)
            spin.setValue(getattr(current, name))
            spin.setEnabled(may)
            self.guard_spins[name] = spin
            form.addRow(label, spin)
        note = QLabel(_("The screen locks after so many minutes without use (0: never)."))
        note.setWordWrap(True)
        form.addRow(note)
        self.save_guard = QPushButton(_("Save these settings"))
        self.save_guard.setObjectName("saveGuardSettings")
        self.save_guard.setEnabled(may)
        self.save_guard.clicked.connect(self.save_guard_settings)
        self.guard_saved = QLabel()
        form.addRow("", self.save_guard)
        form.addRow(self.guard_saved)
        return box, form

    def save_guard_settings(self) -> None:
        from caseworker.security import guard_settings

        values = {name: spin.value() for name, spin in self.guard_spins.items()}
        try:
            guard_settings.change(self.store, guard_settings.GuardSettings(**values))
        except UserError as exc:
            show_error(self, exc)
            return
        self.guard_saved.setText(_("Saved."))
        window = self.window()
        lock = getattr(window, "idle_lock", None)
        if lock is not None:
            lock.set_minutes(values["lock_minutes"])

    def save_caseworker(self) -> None:
        name = self.caseworker.text().strip()
        if not name:
            self.saved_label.setText(_("Enter your name; it is recorded with each change."))
            return
        self.store.set_setting(bootstrap.CASEWORKER_KEY, name)
        self.store.actor = name
        self.saved_label.setText(_("Saved."))

    def add_villages(self) -> None:
        from caseworker.registry import stations

        with self.store.reading() as session:
            current = [v.name for v in stations.villages(session, self.store.station_code)]
        extra = [
            v
            for v in stations.split_village_list(self.new_villages.toPlainText())
            if v not in current
        ]
        if not extra:
            return
        try:
            stations.initialise(self.store, self.station_code, self.station_name, current + extra)
        except UserError as exc:
            show_error(self, exc)
            return
        self.new_villages.clear()
        self.villages.setText("、".join(current + extra))
        self.station_changed.emit()
