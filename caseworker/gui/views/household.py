"""The household on the person page: members from the registry or recorded relatives.

Each change (add, remove) is its own transaction through ``registry.households``; a person
without a household gets one (with themselves as head) when the first member is added.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseworker.core.errors import UserError, ValidationError
from caseworker.gui import formatting
from caseworker.gui.errors import show_error
from caseworker.gui.language import label_button_box
from caseworker.gui.models.rows import RowsTableModel
from caseworker.gui.widgets.fields import ERROR_STYLE
from caseworker.gui.widgets.wheel import guard_wheel
from caseworker.i18n import N_, _
from caseworker.registry import vocab

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: uuid.UUID
    person_id: uuid.UUID | None
    name: str
    relation: str
    id_number: str
    employed: bool
    registered: bool


def relation_label(code: str) -> str:
    term = vocab.BY_CODE["relation"].get(code)
    return _(term.en) if term else code


class HouseholdModel(RowsTableModel[MemberRow]):
    """The members of one household (a handful of rows: held whole)."""

    HEADERS = (
        N_("Name"),
        N_("Relation"),
        N_("ID number"),
        N_("Employment status"),
        N_("Record"),
    )

    def cell(self, row: MemberRow, column: int) -> str | None:
        if column == 0:
            return row.name
        if column == 1:
            return relation_label(row.relation)
        if column == 2:
            return formatting.masked_id(row.id_number)
        if column == 3:
            if row.employed:
                return _("Employed")
            return _("Registered unemployed") if row.registered else _("Not employed")
        if column == 4:
            return _("Registered person") if row.person_id else _("Recorded relative")
        return None


def load_members(session: Any, person_id: uuid.UUID) -> list[MemberRow]:
    from caseworker.registry import households

    household = households.of_person(session, person_id)
    if household is None:
        return []
    rows = []
    for member in household.members:
        person = member.person
        if person is not None:
            rows.append(
                MemberRow(
                    member.id, person.id, person.name, member.relation, person.id_number,
                    person.employed, person.registered_unemployed_since is not None,
                )
            )  # fmt: skip
        else:
            rows.append(
                MemberRow(
                    member.id, None, member.name, member.relation, member.id_number,
                    member.employed, member.registered_unemployed,
                )
            )  # fmt: skip
    return rows


def household_of(session: Any, person_id: uuid.UUID) -> uuid.UUID:
    """The person's household id, creating it (with the person as head) when there is none."""
    from caseworker.registry import households, persons

    household = households.of_person(session, person_id)
    if household is not None:
        return household.id
    person = persons.get(session, person_id)
    household = households.create(session, address=person.address, village_id=person.village_id)
    households.add_person(session, household.id, person_id, "head")
    return household.id


def _relation_combo(include_head: bool = False) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("relationCombo")
    for term in vocab.RELATIONS:
        if term.code == "head" and not include_head:
            continue
        combo.addItem(_(term.en), term.code)
    return combo


class PersonPicker(QDialog):
    """Choose a registered person (search as you type) and their relation."""

    def __init__(
        self, store: Any, exclude: uuid.UUID | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from caseworker.gui.models.listing import ListQuery
        from caseworker.gui.models.persons import PersonTableModel
        from caseworker.gui.views.registry import ListController

        self.setObjectName("personPicker")
        self.setWindowTitle(_("Add a registered person to the household"))
        self.exclude = exclude
        self.model = PersonTableModel(store, parent=self)
        self.controller = ListController(store, self.model, self)
        self.search = QLineEdit()
        self.search.setObjectName("pickerSearch")
        self.search.setPlaceholderText(_("Search by name, pinyin, ID or phone number"))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column in (5, 6, 7):
            self.table.hideColumn(column)
        self.relation = _relation_combo()
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.buttons = label_button_box(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            )
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.table.doubleClicked.connect(lambda _i: self._accept())
        form = QFormLayout()
        form.addRow(_("Relation to the head of household"), self.relation)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(640, 420)
        guard_wheel(self)
        self.search.textChanged.connect(
            lambda text: self.controller.request(ListQuery(text=text), delay=True)
        )
        self.controller.loaded.connect(self._loaded)

    def _loaded(self, rows: int) -> None:
        if rows:
            self.table.selectRow(0)

    def chosen(self) -> uuid.UUID | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def _accept(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            self.message.setText(_("Choose a person from the list."))
            return
        if chosen == self.exclude:
            self.message.setText(_("This is the person whose page is open."))
            return
        self.accept()


class RelativeDialog(QDialog):
    """Record a relative who is not registered as a person."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relativeDialog")
        self.setWindowTitle(_("Add a relative to the household"))
        self.name = QLineEdit()
        self.name.setObjectName("relativeName")
        self.relation = _relation_combo()
        self.id_number = QLineEdit()
        self.id_number.setObjectName("relativeIdNumber")
        self.id_number.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.id_number.setMaxLength(20)
        # room for a whole 18-character ID number, with the frame and a little space
        self.id_number.setMinimumWidth(
            self.id_number.fontMetrics().horizontalAdvance("650102199001011234") + 24
        )
        self.employed = QCheckBox()
        self.registered = QCheckBox()
        self.capacity = QComboBox()
        for term in vocab.WORK_CAPACITIES:
            self.capacity.addItem(_(term.en), term.code)
        self.wants_work = QCheckBox()
        self.wants_work.setChecked(True)
        self.message = QLabel()
        self.message.setObjectName("relativeMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Name"), self.name)
        form.addRow(_("Relation to the head of household"), self.relation)
        form.addRow(_("ID number"), self.id_number)
        form.addRow(_("Employed"), self.employed)
        form.addRow(_("Registered unemployed"), self.registered)
        form.addRow(_("Work capacity"), self.capacity)
        form.addRow(_("Wants work"), self.wants_work)
        self.buttons = label_button_box(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            )
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.data: Any = None
        guard_wheel(self)

    def _accept(self) -> None:
        from caseworker.registry import households

        try:
            self.data = households.validate_relative(
                self.name.text(),
                str(self.relation.currentData()),
                self.id_number.text(),
                employed=self.employed.isChecked(),
                registered_unemployed=self.registered.isChecked(),
                work_capacity=str(self.capacity.currentData()),
                wants_work=self.wants_work.isChecked(),
            )
        except ValidationError as exc:
            self.message.setText(str(exc))
            return
        self.accept()


class HouseholdBox(QGroupBox):
    """Members of the open person's household, with buttons to add and remove."""

    changed = Signal()
    open_person_requested = Signal(object)

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(_("Household"), parent)
        self.setObjectName("householdBox")
        self.store = store
        self.person_id: uuid.UUID | None = None
        self.model = HouseholdModel(self)
        self.table = QTableView()
        self.table.setObjectName("householdTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # the few rows are measured whole: names and ID numbers are never cut
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setMinimumHeight(120)
        self.table.doubleClicked.connect(self._open)
        self.hint = QLabel(_("Save the person first; then add the members of their household."))
        self.hint.setWordWrap(True)
        self.add_person_button = QPushButton(_("Add a registered person…"))
        self.add_person_button.setObjectName("addMemberButton")
        self.add_relative_button = QPushButton(_("Add a relative…"))
        self.add_relative_button.setObjectName("addRelativeButton")
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.setObjectName("removeMemberButton")
        self.relation_button = QPushButton(_("Change relation…"))
        self.relation_button.setObjectName("relationButton")
        self.relation_button.clicked.connect(self.change_relation)
        self.business_income = QCheckBox(_("The household has business or investment income"))
        self.business_income.setObjectName("businessIncome")
        self.business_income.toggled.connect(self.set_business_income)
        self.add_person_button.clicked.connect(self.pick_person)
        self.add_relative_button.clicked.connect(self.add_relative)
        self.remove_button.clicked.connect(self.remove_selected)
        self.read_only = False
        # two by two: each button keeps its whole text on a small screen
        buttons = QGridLayout()
        buttons.addWidget(self.add_person_button, 0, 0)
        buttons.addWidget(self.add_relative_button, 0, 1)
        buttons.addWidget(self.relation_button, 1, 0)
        buttons.addWidget(self.remove_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.business_income)

    def load(self, person_id: uuid.UUID | None, *, read_only: bool = False) -> None:
        """Show the household of ``person_id``; ``read_only`` (a deleted record): no changes."""
        self.person_id = person_id
        self.read_only = read_only
        rows: list[MemberRow] = []
        income = False
        key = ""
        if person_id is not None:
            from caseworker.registry import households

            with self.store.reading() as session:
                rows = load_members(session, person_id)
                household = households.of_person(session, person_id)
                income = household is not None and household.business_or_investment_income
                key = household.station_key if household is not None else ""
        # the station's own household key (户编号), as in its sheets
        self.setTitle(_("Household {key}").format(key=key) if key else _("Household"))
        self.model.set_rows(rows)
        saved = person_id is not None
        self.hint.setVisible(not saved)
        for button in (
            self.add_person_button,
            self.add_relative_button,
            self.remove_button,
            self.relation_button,
            self.business_income,
        ):
            button.setEnabled(saved and not read_only)
        self.business_income.blockSignals(True)
        self.business_income.setChecked(income)
        self.business_income.blockSignals(False)

    def _run(self, action: Any) -> bool:
        assert self.person_id is not None
        if self.read_only:
            return False
        try:
            with self.store.transaction() as session:
                action(session, household_of(session, self.person_id))
        except UserError as exc:
            show_error(self, exc)
            return False
        self.load(self.person_id)
        self.changed.emit()
        return True

    def add_member(self, other_id: uuid.UUID, relation: str) -> bool:
        from caseworker.registry import households

        return self._run(lambda s, hid: households.add_person(s, hid, other_id, relation))

    def add_relative_data(self, data: Any) -> bool:
        from caseworker.registry import households

        return self._run(lambda s, hid: households.add_relative(s, hid, data))

    def remove_member(self, member_id: uuid.UUID) -> bool:
        from caseworker.registry import households

        return self._run(lambda s, _hid: households.remove_member(s, member_id))

    def set_business_income(self, value: bool) -> bool:
        """Record whether the household has business or investment income (it decides
        whether the family can be a zero-employment family)."""
        from caseworker.registry import households

        return self._run(
            lambda s, hid: households.update(s, hid, business_or_investment_income=value)
        )

    def set_member_relation(self, member_id: uuid.UUID, relation: str) -> bool:
        from caseworker.registry import households

        return self._run(lambda s, _hid: households.set_relation(s, member_id, relation))

    def change_relation(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        row = self.model.rows[index.row()]
        dialog = QDialog(self)
        dialog.setObjectName("relationDialog")
        dialog.setWindowTitle(_("Relation to the head of household"))
        combo = _relation_combo(include_head=True)
        combo.setCurrentIndex(max(combo.findData(row.relation), 0))
        box = label_button_box(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            )
        )
        box.accepted.connect(dialog.accept)
        box.rejected.connect(dialog.reject)
        form = QFormLayout(dialog)
        form.addRow(row.name, combo)
        form.addRow(box)
        guard_wheel(dialog)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_member_relation(row.id, str(combo.currentData()))

    def pick_person(self) -> None:
        dialog = PersonPicker(self.store, self.person_id, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            chosen = dialog.chosen()
            if chosen is not None:
                self.add_member(chosen, str(dialog.relation.currentData()))

    def add_relative(self) -> None:
        dialog = RelativeDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.data is not None:
            self.add_relative_data(dialog.data)

    def remove_selected(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        row = self.model.rows[index.row()]
        if row.person_id == self.person_id:
            return  # the open person stays in their household; remove others
        self.remove_member(row.id)

    def _open(self, index: QModelIndex) -> None:
        row = self.model.rows[index.row()]
        if row.person_id is not None and row.person_id != self.person_id:
            self.open_person_requested.emit(row.person_id)
