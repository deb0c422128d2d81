"""The person page: every registry field, the household, and the recognition panel.

Values are checked by ``registry.persons.validate`` (messages appear under the fields); saving
is one transaction through ``registry.persons`` with the version read when the page opened, so
an edit made meanwhile by someone else is refused rather than overwritten.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import uuid
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from caseworker.core import idcard, wall
from caseworker.core.errors import DuplicateError, UserError, ValidationError
from caseworker.gui import formatting
from caseworker.gui.errors import show_error
from caseworker.gui.language import label_message_box
from caseworker.gui.views.household import HouseholdBox
from caseworker.gui.views.recognition_panel import RecognitionPanel
from caseworker.gui.widgets.fields import ERROR_STYLE, FieldEditor
from caseworker.i18n import N_, _
from caseworker.registry.fields import BY_NAME, PERSON_FIELDS

#: The form's sections and the fields in each, in tab order.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Identity"), ("name", "id_number", "name_native", "ethnicity")),
    (
        N_("Contact and residence"),
        ("phone", "village", "hukou_address", "address", "resident_in_region"),
    ),
    (N_("Education, family and health"), ("education", "marital_status", "health")),
    (
        N_("Work"),
        (
            "work_capacity",
            "wants_work",
            "employed",
            "registered_unemployed_since",
            "employment_card_no",
        ),
    ),
    (
        N_("Circumstances"),
        (
            "min_living_allowance",
            "min_living_allowance_since",
            "disabled",
            "disability_cert_no",
            "disability_kind",
            "disability_grade",
            "college_graduate",
            "graduate_school",
            "graduation_date",
            "land_expropriated",
            "income_below_local_average",
            "retirement_base_age",
        ),
    ),
    (N_("Bank account"), ("bank_name", "bank_account")),
    (N_("Notes"), ("notes",)),
)
SEX_WORDS = {"male": N_("Male"), "female": N_("Female")}
VALIDATE_DELAY_MS = 250


def new_person_defaults() -> dict[str, object]:
    """The form of a new person starts from the registry's defaults (resident, wants work)."""
    from caseworker.registry.persons import PersonData

    values: dict[str, object] = {}
    for f in dataclasses.fields(PersonData):
        if f.default is not dataclasses.MISSING:
            values["village" if f.name == "village_id" else f.name] = f.default
    return values


def ask_unsaved(parent: QWidget | None) -> QMessageBox.StandardButton:
    """Save, Discard or Cancel, in the active language."""
    box = QMessageBox(parent)
    box.setObjectName("unsavedDialog")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_("Unsaved changes"))
    box.setText(_("This person has changes that are not saved."))
    box.setInformativeText(_("Save them before leaving?"))
    b = QMessageBox.StandardButton
    box.setStandardButtons(b.Save | b.Discard | b.Cancel)
    box.setDefaultButton(b.Save)
    box.setEscapeButton(b.Cancel)
    label_message_box(box)
    return QMessageBox.StandardButton(box.exec())


def ask_delete(parent: QWidget | None, name: str) -> bool:
    """Confirm deleting a person (the record is kept as deleted and can be restored)."""
    box = QMessageBox(parent)
    box.setObjectName("deleteDialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_("Delete person"))
    box.setText(_("Delete {name} from the registry?").format(name=name))
    box.setInformativeText(
        _("The record is kept as deleted, with its history; it can be restored later.")
    )
    b = QMessageBox.StandardButton
    box.setStandardButtons(b.Yes | b.No)
    box.setDefaultButton(b.No)
    box.setEscapeButton(b.No)
    label_message_box(box)
    return QMessageBox.StandardButton(box.exec()) == b.Yes


class PersonPage(QWidget):
    """Edit one person (or register a new one)."""

    closed = Signal()
    saved = Signal(object)  # uuid.UUID
    open_person_requested = Signal(object)  # uuid.UUID of another record (duplicate link)

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personPage")
        self.store = store
        self.person_id: uuid.UUID | None = None
        self.version: int | None = None
        self._snapshot: dict[str, object] = {}
        self._loading = False
        self._touched: set[str] = set()
        self._show_all_errors = False

        from caseworker.registry import stations

        with store.reading() as session:
            villages = [(v.name, v.id) for v in stations.villages(session, store.station_code)]
        self.editors = {spec.name: FieldEditor(spec, villages) for spec in PERSON_FIELDS}

        self.title = QLabel()
        self.title.setObjectName("personTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.banner = QLabel()
        self.banner.setObjectName("duplicateBanner")
        self.banner.setStyleSheet(ERROR_STYLE + " padding: 4px;")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.banner.setOpenExternalLinks(False)
        self.banner.linkActivated.connect(self._link)
        self.banner.setVisible(False)
        self.notice = QLabel()
        self.notice.setObjectName("saveNotice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)

        self.sex_value = QLabel()
        self.sex_value.setObjectName("derivedSex")
        self.birth_value = QLabel()
        self.birth_value.setObjectName("derivedBirthDate")
        self.age_value = QLabel()
        self.age_value.setObjectName("derivedAge")

        self.save_button = QPushButton(_("Save"))
        self.save_button.setObjectName("saveButton")
        self.save_button.setToolTip(_("Save (Ctrl+S)"))
        self.cancel_button = QPushButton(_("Back to the list"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip(_("Back to the list (Esc)"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)

        self.save_action = QAction(_("&Save person"), self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.save)
        self.cancel_action = QAction(_("&Close person"), self)
        self.cancel_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.cancel_action.triggered.connect(self.cancel)
        self.addAction(self.save_action)
        self.addAction(self.cancel_action)
        self.print_button = QPushButton(_("Print application…"))
        self.print_button.setObjectName("printApplicationButton")
        self.print_button.setToolTip(_("Preview and print the application form (Ctrl+P)"))
        self.print_button.clicked.connect(self.print_application)
        self.print_action = QAction(_("&Print application…"), self)
        self.print_action.setObjectName("printApplication")
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_action.triggered.connect(self.print_application)
        self.addAction(self.print_action)
        self.delete_action = QAction(_("&Delete person…"), self)
        self.delete_action.setObjectName("deletePerson")
        self.delete_action.triggered.connect(self.delete)
        self.deleted = False
        self.deleted_banner = QLabel()
        self.deleted_banner.setObjectName("deletedBanner")
        self.deleted_banner.setStyleSheet(ERROR_STYLE + " padding: 4px;")
        self.deleted_banner.setTextFormat(Qt.TextFormat.RichText)
        self.deleted_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.deleted_banner.linkActivated.connect(self._link)
        self.deleted_banner.setVisible(False)

        form_widget = QWidget()
        form_layout = QVBoxLayout(form_widget)
        order: list[QWidget] = []
        for title, names in SECTIONS:
            group = QGroupBox(_(title))
            layout = QFormLayout(group)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for name in names:
                editor = self.editors[name]
                label = QLabel(_(BY_NAME[name].label))
                label.setBuddy(editor.input)
                if BY_NAME[name].required:
                    label.setText(_("{label} *").format(label=label.text()))
                layout.addRow(label, editor.container)
                order.append(editor.input)
                if name == "id_number":
                    layout.addRow(_("Sex"), self.sex_value)
                    layout.addRow(_("Birth date"), self.birth_value)
                    layout.addRow(_("Age"), self.age_value)
            form_layout.addWidget(group)
        form_layout.addStretch(1)
        assert set(self.editors) == {n for _t, names in SECTIONS for n in names}
        self.first_field = order[0]

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)
        scroll.setObjectName("personFormScroll")

        self.household = HouseholdBox(store)
        self.household.changed.connect(self._facts_changed)
        self.household.open_person_requested.connect(self._open_other)
        self.recognition = RecognitionPanel(store)
        self.recognition.changed.connect(self._case_changed)
        side_widget = QWidget()
        side = QVBoxLayout(side_widget)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.household)
        side.addWidget(self.recognition, 1)
        side_scroll = QScrollArea()
        side_scroll.setWidgetResizable(True)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setWidget(side_widget)
        side_widget.setMinimumWidth(360)

        from caseworker.gui.views.assistance import AssistancePanel

        self.assistance = AssistancePanel(store)
        self.assistance.changed.connect(self._case_changed)
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.addTab(side_scroll, _("Household and recognition"))
        self.side_tabs.addTab(self.assistance, _("Assistance"))

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(self.side_tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([560, 560])

        buttons = QHBoxLayout()
        buttons.addWidget(self.title, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.deleted_banner)
        layout.addWidget(self.banner)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        if order:
            QWidget.setTabOrder(order[-1], self.save_button)
            QWidget.setTabOrder(self.save_button, self.cancel_button)

        self.validate_timer = QTimer(self)
        self.validate_timer.setSingleShot(True)
        self.validate_timer.setInterval(VALIDATE_DELAY_MS)
        self.validate_timer.timeout.connect(self._live_validate)
        for name, editor in self.editors.items():
            editor.on_change(lambda name=name: self._changed(name))
        self.editors["id_number"].on_change(self._update_derived)
        self.load(None)

    # -- loading ----------------------------------------------------------------------------

    def load(self, person_id: uuid.UUID | None) -> None:
        """Show ``person_id`` (None: an empty form for a new person)."""
        from caseworker.registry import persons

        self._loading = True
        try:
            values: dict[str, object] = {}
            if person_id is not None:
                with self.store.reading() as session:
                    person = persons.get(session, person_id)
                    data = persons.data_of(person)
                    self.version = person.version
                    self.deleted = person.deleted
                for spec in PERSON_FIELDS:
                    key = "village_id" if spec.name == "village" else spec.name
                    values[spec.name] = getattr(data, key)
            else:
                self.version = None
                self.deleted = False
                values = new_person_defaults()
            self.person_id = person_id
            for name, editor in self.editors.items():
                editor.set_value(values.get(name))
                editor.set_error(None)
        finally:
            self._loading = False
        self._touched.clear()
        self._show_all_errors = False
        self.banner.setVisible(False)
        self.notice.setVisible(False)
        self._show_deleted()
        self._snapshot = self.raw_values()
        self._update_derived()
        self._update_title()
        self.household.load(person_id)
        self.recognition.load(person_id, self.form_facts)
        self.assistance.load(person_id)

    def show_assistance(self) -> None:
        """Show the Assistance tab (from the worklist, the tracker, the dashboard)."""
        self.side_tabs.setCurrentWidget(self.assistance)

    def _update_title(self) -> None:
        if self.person_id is None:
            self.title.setText(_("New person"))
        else:
            name = str(self.editors["name"].value()).strip()
            self.title.setText(name or _("Person"))

    # -- values -----------------------------------------------------------------------------

    def raw_values(self) -> dict[str, object]:
        raw: dict[str, object] = {}
        for name, editor in self.editors.items():
            raw["village_id" if name == "village" else name] = editor.value()
        return raw

    def form_facts(self) -> dict[str, object]:
        """The current (unsaved) values, for the recognition panel's assessment."""
        return self.raw_values()

    def is_dirty(self) -> bool:
        return self.raw_values() != self._snapshot

    def set_field(self, name: str, value: object) -> None:
        """Set a field as if typed (used by tests and by the screenshot script)."""
        self.editors[name].set_value(value)

    def _changed(self, name: str) -> None:
        if self._loading:
            return
        self._touched.add(name)
        self.validate_timer.start()
        self.recognition.facts_changed()

    def _facts_changed(self) -> None:
        self.recognition.household_changed()

    def _case_changed(self) -> None:
        self.saved.emit(self.person_id)

    def _update_derived(self) -> None:
        text = str(self.editors["id_number"].value())
        try:
            number = idcard.parse(text)
        except ValidationError:
            for label in (self.sex_value, self.birth_value, self.age_value):
                label.setText("—")
            return
        self.sex_value.setText(_(SEX_WORDS[str(number.sex)]))
        self.birth_value.setText(formatting.date(number.birth_date, "long"))
        self.age_value.setText(formatting.number(idcard.age_on(number.birth_date, wall.today())))

    # -- validation -----------------------------------------------------------------------------

    def _validate(self) -> tuple[Any, dict[str, str]]:
        from caseworker.registry import persons

        try:
            return persons.validate(self.raw_values()), {}
        except persons.FieldErrors as exc:
            return None, exc.errors

    def _live_validate(self) -> None:
        _data, errors = self._validate()
        self.show_errors(errors, only=None if self._show_all_errors else self._touched)

    def show_errors(self, errors: dict[str, str], *, only: set[str] | None = None) -> None:
        for name, editor in self.editors.items():
            if only is not None and name not in only:
                editor.set_error(None)
                continue
            editor.set_error(errors.get(name))

    def errors_shown(self) -> dict[str, str]:
        return {n: e.message.text() for n, e in self.editors.items() if e.message.text()}

    # -- saving ---------------------------------------------------------------------------------

    def save(self) -> bool:
        """Validate and save in one transaction; True when saved."""
        from caseworker.registry import persons

        self.validate_timer.stop()
        self.banner.setVisible(False)
        data, errors = self._validate()
        if errors:
            self._show_all_errors = True
            self.show_errors(errors)
            first = next(n for n in self.editors if n in errors)
            self.editors[first].input.setFocus()
            return False
        self.show_errors({})
        try:
            with self.store.transaction() as session:
                if self.person_id is None:
                    result = persons.register(session, data)
                else:
                    result = persons.update(
                        session, self.person_id, data, expected_version=self.version
                    )
                person_id = result.person.id
                maybe = [persons.describe(p) for p in result.possible_duplicates]
        except DuplicateError as exc:
            self._show_duplicate(exc)
            return False
        except UserError as exc:
            show_error(self, exc)
            return False
        with self.store.reading() as session:
            self.version = persons.get(session, person_id).version
        new = self.person_id is None
        self.person_id = person_id
        self._snapshot = self.raw_values()
        self._update_title()
        if maybe:
            self.notice.setText(
                _("Saved. Check for a duplicate: same name and birth date as {persons}.").format(
                    persons="; ".join(maybe)
                )
            )
        else:
            self.notice.setText(_("Saved."))
        self.notice.setVisible(True)
        if new:
            self.household.load(person_id)
            self.recognition.load(person_id, self.form_facts)
            self.assistance.load(person_id)
        else:
            self.recognition.facts_changed()
        self.saved.emit(person_id)
        return True

    def _show_duplicate(self, exc: DuplicateError) -> None:
        self.editors["id_number"].set_error(_("This ID number is already registered."))
        link = ""
        if exc.existing_id is not None:
            link = ' <a href="person:{id}">{text}</a>'.format(
                id=exc.existing_id, text=html.escape(_("Open the existing record"))
            )
        self.banner.setText(html.escape(str(exc)) + link)
        self.banner.setVisible(True)

    def _link(self, href: str) -> None:
        if href.startswith("person:"):
            self._open_other(uuid.UUID(href.split(":", 1)[1]))
        elif href == "restore":
            self.restore()

    def _show_deleted(self) -> None:
        """A deleted record is shown read-only, with a link to restore it."""
        self.deleted_banner.setText(
            html.escape(_("This record is deleted."))
            + ' <a href="restore">{}</a>'.format(html.escape(_("Restore it")))
        )
        self.deleted_banner.setVisible(self.deleted)
        for widget in (self.save_button, self.print_button):
            widget.setEnabled(not self.deleted)
        for action in (self.save_action, self.print_action):
            action.setEnabled(not self.deleted)
        self.delete_action.setEnabled(self.person_id is not None and not self.deleted)

    def delete(self) -> bool:
        """Delete the open person (a tombstone: kept with its history, restorable)."""
        from caseworker.registry import persons

        if self.person_id is None or self.deleted:
            return False
        if not ask_delete(self, str(self.editors["name"].value())):
            return False
        try:
            with self.store.transaction() as session:
                persons.tombstone(session, self.person_id)
        except UserError as exc:
            show_error(self, exc)
            return False
        person_id = self.person_id
        self._snapshot = self.raw_values()  # nothing left to save
        self.saved.emit(person_id)
        self.closed.emit()
        return True

    def restore(self) -> bool:
        """Bring a deleted person back into the registry."""
        from caseworker.registry import persons

        if self.person_id is None or not self.deleted:
            return False
        try:
            with self.store.transaction() as session:
                persons.restore(session, self.person_id)
        except UserError as exc:
            show_error(self, exc)
            return False
        person_id = self.person_id
        self.load(person_id)
        self.saved.emit(person_id)
        return True

    def _open_other(self, person_id: object) -> None:
        if self.maybe_leave():
            self.open_person_requested.emit(person_id)

    # -- leaving --------------------------------------------------------------------------------

    def maybe_leave(self) -> bool:
        """True when the page may be left: nothing unsaved, saved now, or discarded."""
        if not self.is_dirty():
            return True
        answer = ask_unsaved(self)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self._snapshot = self.raw_values()
            return True
        return False

    def cancel(self) -> None:
        if self.maybe_leave():
            self.closed.emit()

    def print_application(self) -> None:
        """Preview (then print or save) the stored person's application form."""
        if self.person_id is None or self.is_dirty():
            box = QMessageBox(self)
            box.setObjectName("printNeedsSave")
            box.setIcon(QMessageBox.Icon.Information)
            box.setWindowTitle(_("Print application"))
            box.setText(_("Save the person before printing the application form."))
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            label_message_box(box)
            box.exec()
            return
        from caseworker.gui.printing import preview_application

        preview_application(self, self.store, self.person_id)

    def focus_first(self) -> None:
        self.first_field.setFocus()
