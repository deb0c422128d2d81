"""The station's 同步 (Sync) dialog: what is not yet sent, the export to a folder (a USB stick),
the county's receipt, the keys, and the history of bundles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseworker import bootstrap
from caseworker.gui import formatting, tasks
from caseworker.gui.errors import show_error
from caseworker.gui.language import label_button_box, label_message_box
from caseworker.gui.models.rows import RowsTableModel
from caseworker.i18n import N_, _
from caseworker.store.sync_models import SyncBundle

KIND_LABELS = {"changes": N_("Changes"), "receipt": N_("Receipt")}
STATUS_LABELS = {
    "written": N_("written"),
    "applied": N_("applied"),
    "held": N_("held, waiting for earlier changes"),
}


def when(instant: dt.datetime | None) -> str:
    """An instant where the user is, to the minute ("" for none)."""
    if instant is None:
        return ""
    local = instant.astimezone(dt.datetime.now().astimezone().tzinfo)
    return f"{formatting.date(local.date())} {local:%H:%M}"


class BundleModel(RowsTableModel[SyncBundle]):
    HEADERS: ClassVar[tuple[str, ...]] = (
        N_("When"), N_("Direction"), N_("Kind"), N_("Rows"), N_("Status"), N_("File"),
    )  # fmt: skip

    def cell(self, row: SyncBundle, column: int) -> str | None:
        if column == 0:
            return when(row.at)
        if column == 1:
            return _("sent") if row.direction == "out" else _("received")
        if column == 2:
            return _(KIND_LABELS.get(row.kind, row.kind))
        if column == 3:
            if row.kind == "changes":
                return formatting.ltr(f"{row.seq_from}–{row.seq_to}")
            return formatting.ltr(str(row.acked_seq)) if row.acked_seq is not None else ""
        if column == 4:
            return _(STATUS_LABELS[row.status]) if row.status in STATUS_LABELS else row.status
        return formatting.ltr(row.file_name)


class Exchange:
    """What the Sync dialog and the county window share: one job at a time (off the GUI
    thread, with progress), the screen refreshed when it ends, and a message for the result."""

    job: tasks.Job | None = None
    message_name = "syncMessage"

    def refresh(self) -> None:
        raise NotImplementedError

    def run_job(
        self, work: tasks.Work, label: str, done: Any, *, cancellable: bool = True
    ) -> tasks.Job:
        def finished(result: Any) -> None:
            self._job_ended()
            done(result)

        parent: Any = self
        self.job = tasks.run_with_progress(
            parent, work, label=label, on_success=finished, on_cancelled=self._job_ended,
            cancellable=cancellable,
        )  # fmt: skip
        self.job.signals.failed.connect(lambda _exc: self._job_ended())
        self.refresh()
        return self.job

    def _job_ended(self) -> None:
        self.job = None
        self.refresh()

    def inform(self, text: str, details: str = "") -> None:
        parent: Any = self
        box = QMessageBox(QMessageBox.Icon.Information, parent.windowTitle(), text,
                          QMessageBox.StandardButton.Ok, parent)  # fmt: skip
        box.setObjectName(self.message_name)
        if details:
            box.setDetailedText(details)
        label_message_box(box)
        box.exec()


class SyncDialog(Exchange, QDialog):
    """Export the changes not yet acknowledged, import the county's receipt."""

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncDialog")
        self.setWindowTitle(_("Sync with the county"))
        self.store = store
        self.job = None
        self.pending = QLabel()
        self.pending.setObjectName("syncPending")
        self.last_export = QLabel()
        self.last_receipt = QLabel()
        self.county = QLabel()
        self.county.setObjectName("syncCounty")
        self.county.setWordWrap(True)
        state = QGroupBox(_("Not yet sent"))
        form = QFormLayout(state)
        form.addRow(_("Changes not yet acknowledged by the county"), self.pending)
        form.addRow(_("Last export"), self.last_export)
        form.addRow(_("Last receipt from the county"), self.last_receipt)
        form.addRow(_("County"), self.county)

        self.export_button = QPushButton(_("Export to…"))
        self.export_button.setObjectName("syncExport")
        self.export_button.setToolTip(_("Write a bundle into a folder, for example a USB stick"))
        self.export_button.clicked.connect(self.choose_export_folder)
        self.receipt_button = QPushButton(_("Import receipt…"))
        self.receipt_button.setObjectName("syncReceipt")
        self.receipt_button.clicked.connect(self.choose_receipt)
        self.key_button = QPushButton(_("Save this station's public key…"))
        self.key_button.clicked.connect(self.save_public_key)
        self.trust_button = QPushButton(_("Trust the county's key…"))
        self.trust_button.clicked.connect(self.choose_county_key)
        row = QHBoxLayout()
        for button in (self.export_button, self.receipt_button):
            row.addWidget(button)
        row.addStretch(1)
        keys_row = QHBoxLayout()
        for button in (self.key_button, self.trust_button):
            keys_row.addWidget(button)
        keys_row.addStretch(1)

        self.model = BundleModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("syncHistory")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        history = QGroupBox(_("Bundles"))
        QVBoxLayout(history).addWidget(self.table)

        buttons = label_button_box(QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(state)
        layout.addLayout(row)
        layout.addLayout(keys_row)
        layout.addWidget(history, 1)
        layout.addWidget(buttons)
        self.resize(820, 560)
        self.refresh()

    # -- state ------------------------------------------------------------------------------

    def refresh(self) -> None:
        from caseworker.sync import export, keys

        found = export.status(self.store)
        self.pending.setText(formatting.number(found.pending_changes))
        never = _("never")
        self.last_export.setText(when(found.last_export) or never)
        self.last_receipt.setText(when(found.last_receipt) or never)
        with self.store.reading() as session:
            county = keys.peers(session, keys.COUNTY)
        if county:
            peer = county[-1]
            self.county.setText(
                _("{code} {name}, key {key}").format(
                    code=peer.code, name=peer.name, key=formatting.ltr(peer.key_id)
                )
            )
        else:
            self.county.setText(_("No county key is trusted yet: use “Trust the county's key…”."))
        self.export_button.setEnabled(bool(county) and self.job is None)
        self.receipt_button.setEnabled(bool(county) and self.job is None)
        self.model.set_rows(export.history(self.store))

    # -- export -----------------------------------------------------------------------------

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Export to which folder?"))
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> tasks.Job:
        from caseworker.sync import export

        store = self.store

        def work(progress: tasks.Progress) -> Any:
            return export.export(store, bootstrap.keys_dir(), folder, progress=progress)

        def done(result: Any) -> None:
            if result is None:
                self.inform(_("Nothing to send: the county has acknowledged every change."))
            else:
                self.inform(
                    _("Wrote {path}: {full} changes. Take the file to the county.").format(
                        path=result.path, full=formatting.number(result.full)
                    )
                )

        return self.run_job(self._cancelled_is_quiet(work), _("Writing the bundle…"), done)

    @staticmethod
    def _cancelled_is_quiet(work: tasks.Work) -> tasks.Work:
        """Cancel is not an error: the job ends with nothing written."""
        from caseworker.sync.export import Cancelled

        def run(progress: tasks.Progress) -> Any:
            try:
                return work(progress)
            except Cancelled:
                return None

        return run

    # -- receipt ----------------------------------------------------------------------------

    def choose_receipt(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import the county's receipt"), "", _("Bundles (*.cwb)")
        )
        if path:
            self.import_receipt(Path(path))

    def import_receipt(self, path: Path) -> tasks.Job:
        from caseworker.sync import receipt

        store = self.store

        def work(_progress: tasks.Progress) -> Any:
            return receipt.apply_receipt(store, bootstrap.keys_dir(), path)

        def done(result: Any) -> None:
            if result.duplicate:
                self.inform(_("This receipt was imported before; nothing changed."))
                return
            text = _(
                "Receipt imported. The county has every change up to row {seq}. "
                "Decisions applied: {applied}, skipped: {skipped}. Reference files updated: {files}."
            ).format(
                seq=formatting.number(result.acked_seq), applied=len(result.applied),
                skipped=len(result.skipped), files=len(result.reference),
            )  # fmt: skip
            self.inform(text, "\n".join(result.skipped + result.reference))

        return self.run_job(work, _("Importing the receipt…"), done, cancellable=False)

    # -- keys -------------------------------------------------------------------------------

    def save_public_key(self) -> None:
        from caseworker.sync import setup

        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save this station's public key"),
            f"station-{self.store.station_code}.pub", _("Public keys (*.pub)"),
        )  # fmt: skip
        if not path:
            return
        try:
            with self.store.reading() as session:
                station = self.store.station(session)
            party = setup.write_public_key(
                self.store, bootstrap.keys_dir(), Path(path), station.name if station else ""
            )
        except Exception as exc:
            show_error(self, exc)
            return
        self.inform(
            _("Saved. Give the file to the county; read out the key id to compare: {key}").format(
                key=formatting.ltr(party.key_id)
            )
        )

    def choose_county_key(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("The county's public key"), "", _("Public keys (*.pub)")
        )
        if path:
            self.trust_county(Path(path))

    def trust_county(self, path: Path, *, replace: bool = False) -> None:
        from caseworker.sync import setup

        try:
            party, _new = setup.trust(self.store, path, replace=replace)
        except Exception as exc:
            show_error(self, exc)
            return
        self.refresh()
        self.inform(
            _("This station now trusts county {code} {name}, key {key}.").format(
                code=party.code, name=party.name, key=formatting.ltr(party.key_id)
            )
        )
