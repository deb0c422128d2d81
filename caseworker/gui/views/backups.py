"""The backups page: the backups beside the database, a backup now, and a restore."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from caseworker.gui import formatting
from caseworker.gui.errors import show_error
from caseworker.gui.language import label_button_box, label_message_box
from caseworker.i18n import N_, _
from caseworker.security import backups
from caseworker.security.accounts import database_path

REASONS = {
    backups.AUTO: N_("automatic"),
    backups.MANUAL: N_("made by hand"),
    backups.REPLACED: N_("replaced by a restore"),
    "before-encrypt": N_("before encrypting"),
}


def reason_label(reason: str) -> str:
    if reason in REASONS:
        return _(REASONS[reason])
    if reason.startswith("before-"):
        return _("before the upgrade to {version}").format(version=reason.removeprefix("before-"))
    return reason


class BackupsDialog(QDialog):
    """Lists the backups (newest first); Back up now; Restore the chosen one.

    ``on_restored(store)`` is called with the store of the restored file (the old one is
    closed by the restore)."""

    def __init__(
        self, store: Any, parent: QWidget | None, on_restored: Callable[[Any], None]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backupsDialog")
        self.setWindowTitle(_("Backups"))
        self.store = store
        self.on_restored = on_restored
        self.database = database_path(store)
        self.intro = QLabel(
            _(
                "The program backs up the database when it starts and every few hours, into "
                "the folder {folder}. Encrypted databases have encrypted backups. A restore "
                "checks the backup whole first and keeps the file it replaces."
            ).format(folder=self.database.parent / "backups" if self.database else "-")
        )
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("backupsTable")
        self.table.setHorizontalHeaderLabels([_("Made"), _("Why"), _("Size")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.backup_button = QPushButton(_("Back up now"))
        self.backup_button.setObjectName("backupNow")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton(_("Restore the chosen backup…"))
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.clicked.connect(self.restore_chosen)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        label_button_box(buttons)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(640, 420)
        self.backups: list[backups.Backup] = []
        self.reload()

    def reload(self) -> None:
        self.backups = backups.list_backups(self.database) if self.database else []
        self.table.setRowCount(len(self.backups))
        for row, backup in enumerate(self.backups):
            made = formatting.date(backup.made.date()) + backup.made.strftime(" %H:%M")
            size = _("{n} KB").format(n=formatting.number(max(1, backup.size // 1024)))
            for column, text in enumerate((made, reason_label(backup.reason), size)):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.chosen() is not None)

    def chosen(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()].path if rows else None

    def backup_now(self) -> None:
        try:
            backups.make(self.store)
        except Exception as exc:
            show_error(self, exc)
        self.reload()

    def confirm(self, path: Path) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Restore a backup"),
            _(
                "Replace the database with the backup {name}? Changes made since it was made "
                "are no longer in the database (the file it replaces is kept in the backups)."
            ).format(name=path.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirmRestore")
        label_message_box(box)
        return box.exec() == QMessageBox.StandardButton.Yes

    def restore_chosen(self) -> None:
        path = self.chosen()
        if path is None or not self.confirm(path):
            return
        self.restore(path)

    def restore(self, path: Path) -> None:
        from caseworker.store.engine import engine_key
        from caseworker.store.migrate import open_store

        store = self.store
        key = engine_key(store.engine)
        url = store.engine.url.render_as_string(hide_password=False)
        try:
            backups.restore(store, path)
        except Exception as exc:
            show_error(self, exc)
            self.reload()
            return
        restored = open_store(_plain_url(url), key=key, registry_path=store.registry_path)
        restored.principal = store.principal
        restored.actor = store.actor
        self.store = restored
        self.on_restored(restored)
        self.reload()


def _plain_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(drivername="sqlite", password=None).render_as_string(hide_password=False)
