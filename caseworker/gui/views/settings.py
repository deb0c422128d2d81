"""Settings: language (applies at once), the caseworker's name, the station and its villages."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
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
        layout = QVBoxLayout(self)
        layout.addWidget(general)
        layout.addWidget(station_box)
        layout.addWidget(files)
        layout.addStretch(1)
        align_form_labels(g, s, f)
        guard_wheel(self)

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
