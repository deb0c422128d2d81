"""The county's screens: stations with their last bundle, the conflict list with both versions
side by side, and the reports (saved as .xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from caseworker import bootstrap
from caseworker.gui import formatting, tasks
from caseworker.gui.errors import show_error
from caseworker.gui.language import label_button_box
from caseworker.gui.models.rows import Index, RowsTableModel
from caseworker.gui.views.sync_dialog import Exchange
from caseworker.i18n import N_, _
from caseworker.sync import conflicts as view
from caseworker.sync import reports
from caseworker.sync.replay import DUPLICATE_ID


class ReportModel(RowsTableModel[list[object]]):
    """Any report: its columns come with it."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.columns: list[str] = []
        self.text_columns: frozenset[int] = frozenset()

    def set_report(self, found: reports.Report) -> None:
        self.beginResetModel()
        self.columns = list(found.columns)
        self.text_columns = found.text_columns
        self.rows = list(found.rows)
        self.endResetModel()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.rows):
            return str(section + 1)
        return None

    def cell(self, row: list[object], column: int) -> str | None:
        if not 0 <= column < len(row):
            return None
        value = row[column]
        if isinstance(value, int):
            return formatting.number(value)
        text = str(value)
        return formatting.ltr(text) if column in self.text_columns else text


class ConflictModel(RowsTableModel[view.Item]):
    HEADERS: ClassVar[tuple[str, ...]] = (N_("Conflict"), N_("What"), N_("Record"), N_("Stations"))

    def cell(self, row: view.Item, column: int) -> str | None:
        if column == 0:
            return formatting.ltr(str(row.id)[:8])
        if column == 1:
            return view.kind_label(row.kind)
        if column == 2:
            return row.record
        return formatting.ltr(", ".join(row.stations))


class SideBySideModel(RowsTableModel[tuple[str, list[str], bool]]):
    """One conflict: a row per field, a column per version; differing rows stand out."""

    TEXT_ROLES: ClassVar[tuple[Qt.ItemDataRole, ...]] = (
        Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
    )  # fmt: skip

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers: list[str] = []

    def set_shown(self, shown: view.Shown | None) -> None:
        self.beginResetModel()
        self.headers = [_("Field"), *shown.headers] if shown else []
        self.rows = list(shown.rows) if shown else []
        self.endResetModel()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def cell(self, row: tuple[str, list[str], bool], column: int) -> str | None:
        if column == 0:
            return row[0]
        values = row[1]
        return values[column - 1] if 0 <= column - 1 < len(values) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < len(self.rows) and self.rows[index.row()][2]:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor("#fff1c2"))
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return super().data(index, role)


def _table(model: Any, name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class CountyWindow(Exchange, QDialog):
    """Stations, conflicts and reports of a county database."""

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from caseworker.sync import setup

        self.setObjectName("countyWindow")
        self.store = store
        self.job = None
        self.message_name = "countyMessage"
        self.setWindowTitle(
            _("County {code} {name}").format(code=store.station_code, name=setup.county_name(store))
        )
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("countyTabs")
        self.tabs.addTab(self._stations_tab(), _("Stations"))
        self.tabs.addTab(self._conflicts_tab(), _("Conflicts"))
        self.tabs.addTab(self._reports_tab(), _("Reports"))
        buttons = label_button_box(QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(1100, 680)
        self.refresh()

    # -- building -------------------------------------------------------------------------------

    def _stations_tab(self) -> QWidget:
        page = QWidget()
        self.stations_model = ReportModel(self)
        self.stations_table = _table(self.stations_model, "countyStations")
        self.import_button = QPushButton(_("Import bundles…"))
        self.import_button.setObjectName("countyImport")
        self.import_button.clicked.connect(self.choose_bundles)
        self.receipt_button = QPushButton(_("Write a receipt for the station…"))
        self.receipt_button.setObjectName("countyReceipt")
        self.receipt_button.clicked.connect(self.choose_receipt_folder)
        enroll = QPushButton(_("Enrol a station…"))
        enroll.clicked.connect(self.choose_station_key)
        row = QHBoxLayout()
        for button in (self.import_button, self.receipt_button, enroll):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.stations_table, 1)
        return page

    def _conflicts_tab(self) -> QWidget:
        page = QWidget()
        self.conflict_model = ConflictModel(self)
        self.conflict_table = _table(self.conflict_model, "countyConflicts")
        self.conflict_table.selectionModel().currentRowChanged.connect(self._conflict_changed)
        self.side_model = SideBySideModel(self)
        self.side_table = _table(self.side_model, "countySideBySide")
        self.side_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectColumns)
        self.side_title = QLabel()
        self.side_title.setWordWrap(True)
        self.keep_button = QPushButton(_("Keep the selected version"))
        self.keep_button.setObjectName("countyKeep")
        self.keep_button.clicked.connect(self.keep_selected)
        self.merge_button = QPushButton(_("Merge…"))
        self.merge_button.clicked.connect(self.merge)
        self.current_button = QPushButton(_("Keep the county's value"))
        self.current_button.clicked.connect(lambda: self.choose("current"))
        self.incoming_button = QPushButton(_("Take the incoming value"))
        self.incoming_button.setObjectName("countyIncoming")
        self.incoming_button.clicked.connect(lambda: self.choose("incoming"))
        actions = QHBoxLayout()
        for button in (
            self.keep_button,
            self.merge_button,
            self.current_button,
            self.incoming_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.side_title)
        right_layout.addWidget(self.side_table, 1)
        right_layout.addLayout(actions)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.conflict_table)
        split.addWidget(right)
        split.setStretchFactor(1, 2)
        split.setSizes([360, 720])
        layout = QVBoxLayout(page)
        note = QLabel(
            _("A decision goes to the stations in their next receipts; the record's owner makes "
              "the change, and it comes back in its next bundle.")
        )  # fmt: skip
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(split, 1)
        return page

    def _reports_tab(self) -> QWidget:
        page = QWidget()
        self.report_kind = QComboBox()
        self.report_kind.setObjectName("countyReportKind")
        for kind in reports.KINDS:
            self.report_kind.addItem(_(reports.TITLES[kind]), kind)
        self.report_kind.currentIndexChanged.connect(lambda _i: self.show_report())
        save = QPushButton(_("Save as .xlsx…"))
        save.setObjectName("countySaveReport")
        save.clicked.connect(self.choose_report_file)
        self.report_model = ReportModel(self)
        self.report_table = _table(self.report_model, "countyReport")
        row = QHBoxLayout()
        row.addWidget(self.report_kind, 1)
        row.addWidget(save)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.report_table, 1)
        return page

    # -- state ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.stations_model.set_report(reports.report(self.store, reports.STATIONS))
        current = self._current_conflict()
        self.conflict_model.set_rows(view.listing(self.store))
        rows = [i for i, item in enumerate(self.conflict_model.rows) if item.id == current]
        if self.conflict_model.rows:
            self.select_conflict(rows[0] if rows else 0)
        self._conflict_changed()
        self.show_report()
        busy = self.job is not None
        self.import_button.setEnabled(not busy)
        self.receipt_button.setEnabled(not busy)
        self.tabs.setTabText(
            1, _("Conflicts ({n})").format(n=formatting.number(len(self.conflict_model.rows)))
        )

    def select_conflict(self, row: int) -> None:
        # (not QTableView.selectRow: right to left, in a view not shown yet, it finds no column
        # at the view's edge and clears the current row instead)
        flags = QItemSelectionModel.SelectionFlag
        self.conflict_table.selectionModel().setCurrentIndex(
            self.conflict_model.index(row, 0), flags.ClearAndSelect | flags.Rows
        )

    def show_report(self) -> None:
        kind = str(self.report_kind.currentData())
        self.report_model.set_report(reports.report(self.store, kind))

    def _current_conflict(self) -> Any:
        index = self.conflict_table.currentIndex()
        if not index.isValid() or index.row() >= len(self.conflict_model.rows):
            return None
        return self.conflict_model.rows[index.row()].id

    def _conflict_changed(self, *_args: Any) -> None:
        conflict = self._current_conflict()
        shown = view.show(self.store, str(conflict)) if conflict is not None else None
        self.shown = shown
        self.side_model.set_shown(shown)
        duplicate = shown is not None and shown.item.kind == DUPLICATE_ID
        self.side_title.setText(self._title(shown.item) if shown else _("No open conflicts."))
        self.keep_button.setVisible(duplicate)
        self.merge_button.setVisible(duplicate)
        self.current_button.setVisible(shown is not None and not duplicate)
        self.incoming_button.setVisible(shown is not None and not duplicate)
        if duplicate:
            flags = QItemSelectionModel.SelectionFlag
            self.side_table.selectionModel().setCurrentIndex(
                self.side_model.index(0, 1), flags.ClearAndSelect | flags.Columns
            )

    @staticmethod
    def _title(item: view.Item) -> str:
        """The conflict in one line; numbers kept left to right inside Uyghur text."""
        parts = [formatting.ltr(str(item.id)[:8]), view.kind_label(item.kind),
                 formatting.ltr(item.record) if item.kind == DUPLICATE_ID else item.record,
                 formatting.ltr(", ".join(item.stations))]  # fmt: skip
        if item.kind != DUPLICATE_ID and item.field not in ("", "*"):
            parts.append(
                f"{view.label(item.entity, item.field)}: "
                f"{formatting.ltr(item.current or '—')} → {formatting.ltr(item.incoming or '—')}"
            )
        return "  ".join(parts)

    # -- decisions ------------------------------------------------------------------------------

    def _resolve(self, **how: Any) -> None:
        from caseworker.sync import decisions

        if self.shown is None:
            return
        try:
            made = decisions.resolve(self.store, str(self.shown.item.id), **how)
        except Exception as exc:
            show_error(self, exc)
            return
        self.refresh()
        lines = [view.decision_line(d) for d in made.decisions]
        self.inform(
            _("Resolved. The decisions go to the stations in their next receipts."),
            "\n".join(lines),
        )

    def keep_selected(self) -> None:
        if self.shown is None:
            return
        column = self.side_table.currentIndex().column()
        if column < 1 or column > len(self.shown.parties):
            column = 1
        self._resolve(keep=str(self.shown.parties[column - 1]))

    def choose(self, which: str) -> None:
        self._resolve(choose=which)

    def merge(self) -> None:
        if self.shown is None or not self.shown.parties:
            return
        dialog = MergeDialog(self.shown, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            keep, take = dialog.choice()
            self._resolve(keep=keep, take=take)

    # -- files ----------------------------------------------------------------------------------

    def choose_bundles(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, _("Import station bundles"), "", _("Bundles (*.cwb)")
        )
        if paths:
            self.import_bundles([Path(p) for p in paths])

    def import_bundles(self, paths: list[Path]) -> tasks.Job:
        from caseworker.sync import county

        store = self.store

        def work(progress: tasks.Progress) -> Any:
            return county.import_files(store, bootstrap.keys_dir(), paths, progress=progress)

        def done(outcomes: Any) -> None:
            from caseworker.commands.sync import outcome_line

            refused = sum(1 for o in outcomes if o.status == county.REFUSED)
            text = _("Imported {n} of {total} files; refused: {refused}.").format(
                n=len(outcomes), total=len(paths), refused=refused
            )
            self.inform(text, "\n".join(outcome_line(o) for o in outcomes))

        return self.run_job(work, _("Importing bundles…"), done)

    def _selected_station(self) -> str | None:
        index = self.stations_table.currentIndex()
        if not index.isValid():
            return None
        return str(self.stations_model.rows[index.row()][0])

    def choose_receipt_folder(self) -> None:
        station = self._selected_station()
        if station is None:
            codes = [str(r[0]) for r in self.stations_model.rows]
            if not codes:
                return
            station, ok = QInputDialog.getItem(self, _("Receipt"), _("Station"), codes, 0, False)
            if not ok:
                return
        folder = QFileDialog.getExistingDirectory(self, _("Write the receipt into which folder?"))
        if folder:
            self.write_receipt(station, Path(folder))

    def write_receipt(self, station: str, folder: Path) -> None:
        from caseworker.sync import receipt

        try:
            written = receipt.write_receipt(self.store, bootstrap.keys_dir(), station, folder)
        except Exception as exc:
            show_error(self, exc)
            return
        self.refresh()
        self.inform(
            _("Wrote {path}: {decisions} decisions; {files} reference files.").format(
                path=written.path, decisions=written.decisions, files=written.reference
            )
        )

    def choose_station_key(self) -> None:
        from caseworker.sync import setup

        path, _filter = QFileDialog.getOpenFileName(
            self, _("A station's public key"), "", _("Public keys (*.pub)")
        )
        if not path:
            return
        try:
            party, _new = setup.enroll(self.store, Path(path))
        except Exception as exc:
            show_error(self, exc)
            return
        self.refresh()
        self.inform(
            _("Enrolled station {code} {name}, key {key}.").format(
                code=party.code, name=party.name, key=formatting.ltr(party.key_id)
            )
        )

    def choose_report_file(self) -> None:
        kind = str(self.report_kind.currentData())
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the report"), f"{kind}.xlsx", _("Excel workbook (*.xlsx)")
        )
        if path:
            self.save_report(Path(path))

    def save_report(self, path: Path) -> None:
        from caseworker.sync import setup

        kind = str(self.report_kind.currentData())
        try:
            found = reports.report(self.store, kind)
            reports.write_xlsx(
                found, path, f"{self.store.station_code} {setup.county_name(self.store)}"
            )
        except Exception as exc:
            show_error(self, exc)
            return
        self.inform(_("Saved {path} ({n} rows).").format(path=path, n=len(found.rows)))


class MergeDialog(QDialog):
    """Which record to keep, and for each field that differs, whose value it takes."""

    def __init__(self, shown: view.Shown, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle(_("Merge the records"))
        self.shown = shown
        self.keep = QComboBox()
        for index, header in enumerate(shown.headers):
            self.keep.addItem(header, str(shown.parties[index]))
        form = QFormLayout()
        form.addRow(_("Keep the record of"), self.keep)
        self.fields: dict[str, QComboBox] = {}
        from caseworker.registry.fields import BY_NAME

        labels = {_(spec.label): name for name, spec in BY_NAME.items()}
        for label, values, differ in shown.rows:
            name = labels.get(label)
            if not differ or name is None or name in ("id_number", "name"):
                continue
            choice = QComboBox()
            for index, value in enumerate(values):
                choice.addItem(value or "—", str(shown.parties[index]))
            self.fields[name] = choice
            form.addRow(label, choice)
        buttons = label_button_box(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
            )
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def choice(self) -> tuple[str, dict[str, str]]:
        keep = str(self.keep.currentData())
        take = {
            name: str(box.currentData())
            for name, box in self.fields.items()
            if str(box.currentData()) != keep
        }
        return keep, take
