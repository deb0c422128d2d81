"""The person page: every registry field, the household, and the recognition panel.

Values are checked by ``registry.persons.validate`` (messages appear under the fields); saving
is one transaction through ``registry.persons`` with the version read when the page opened, so
an edit made meanwhile by someone else is refused rather than overwritten.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import itertools
import uuid
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
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
from caseworker.gui.questions import ask, ask_yes_no, tell
from caseworker.gui.views.household import HouseholdBox
from caseworker.gui.views.recognition_panel import RecognitionPanel
from caseworker.gui.widgets.fields import ERROR_STYLE, FieldEditor
from caseworker.gui.widgets.forms import align_labels, fit_scroll_area
from caseworker.gui.widgets.wheel import guard_wheel
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
#: Fields the form asks for although the registry (imports) may leave them empty: a station's
#: person belongs to one of its villages or communities.
REQUIRED_IN_FORM = ("village",)
#: An ID number that makes the person this old is asked about once before saving (an ID
#: number of 1900 is valid, but almost always mistyped).
QUESTIONABLE_AGE = 100


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
    b = QMessageBox.StandardButton
    return ask(
        parent,
        name="unsavedDialog",
        title=_("Unsaved changes"),
        text=_("This person has changes that are not saved."),
        informative=_("Save them before leaving?"),
        buttons=b.Save | b.Discard | b.Cancel,
        default=b.Save,
        escape=b.Cancel,
    )


def ask_age(parent: QWidget | None, birth: str, age: int) -> bool:
    """Confirm an ID number that gives an age of :data:`QUESTIONABLE_AGE` or more."""
    return ask_yes_no(
        parent,
        name="ageQuestion",
        title=_("Check the ID number"),
        text=_(
            "The ID number gives the birth date {date}: the person would be {age} years old."
        ).format(date=birth, age=age),
        informative=_("Is the ID number right?"),
    )


def ask_delete(parent: QWidget | None, name: str) -> bool:
    """Confirm deleting a person (the record is kept as deleted and can be restored)."""
    return ask_yes_no(
        parent,
        name="deleteDialog",
        title=_("Delete person"),
        text=_("Delete {name} from the registry?").format(name=name),
        informative=_("The record is kept as deleted, with its history; it can be restored later."),
        warning=True,
    )


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
        self._age_confirmed_for = ""

        from caseworker.registry import stations

        with store.reading() as session:
            villages = [(v.name, v.id) for v in stations.villages(session, store.station_code)]
        self.has_villages = bool(villages)
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
        self.history_action = QAction(_("History of &changes…"), self)
        self.history_action.setObjectName("personHistory")
        self.history_action.triggered.connect(self.show_history)
        self.delete_action = QAction(_("&Delete person…"), self)
        self.delete_action.setObjectName("deletePerson")
        self.delete_action.triggered.connect(self.delete)
        self.deleted = False
        self._active = True
        self.deleted_banner = QLabel()
        self.deleted_banner.setObjectName("deletedBanner")
        self.deleted_banner.setStyleSheet(ERROR_STYLE + " padding: 4px;")
        self.deleted_banner.setTextFormat(Qt.TextFormat.RichText)
        self.deleted_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.deleted_banner.linkActivated.connect(self._link)
        self.deleted_banner.setVisible(False)

        self.form_widget = QWidget()
        self.form_widget.setObjectName("personForm")
        form_layout = QVBoxLayout(self.form_widget)
        order: list[QWidget] = []
        labels: list[QLabel] = []
        for title, names in SECTIONS:
            group = QGroupBox(_(title))
            layout = QFormLayout(group)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for name in names:
                editor = self.editors[name]
                label = QLabel(_(BY_NAME[name].label))
                label.setBuddy(editor.input)
                if BY_NAME[name].required or (name in REQUIRED_IN_FORM and self.has_villages):
                    label.setText(_("{label} *").format(label=label.text()))
                layout.addRow(label, editor.container)
                labels.append(label)
                order.append(editor.input)
                if isinstance(editor.input, QComboBox):
                    editor.input.setSizeAdjustPolicy(
                        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                    )
                    editor.input.setMinimumContentsLength(8)
                if name == "id_number":
                    for text, value in (
                        (_("Sex"), self.sex_value),
                        (_("Birth date"), self.birth_value),
                        (_("Age"), self.age_value),
                    ):
                        derived = QLabel(text)
                        layout.addRow(derived, value)
                        labels.append(derived)
            form_layout.addWidget(group)
        form_layout.addStretch(1)
        align_labels(labels)
        assert set(self.editors) == {n for _t, names in SECTIONS for n in names}
        self.first_field = order[0]

        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setWidget(self.form_widget)
        self.form_scroll.setObjectName("personFormScroll")
        fit_scroll_area(self.form_scroll)

        self.household = HouseholdBox(store)
        self.household.changed.connect(self._facts_changed)
        self.household.open_person_requested.connect(self._open_other)
        self.recognition = RecognitionPanel(store)
        self.recognition.changed.connect(self._case_changed)
        # refit once the new content is laid out (after the events now queued)
        self.recognition.layout_changed.connect(lambda: QTimer.singleShot(0, self._refit_side))
        self.side_widget = QWidget()
        self.side_widget.setObjectName("personSide")
        side = QVBoxLayout(self.side_widget)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.household)
        side.addWidget(self.recognition, 1)
        self.side_scroll = QScrollArea()
        self.side_scroll.setObjectName("personSideScroll")
        self.side_scroll.setWidgetResizable(True)
        self.side_scroll.setWidget(self.side_widget)
        fit_scroll_area(self.side_scroll)

        from caseworker.gui.views.assistance import AssistancePanel

        self.assistance = AssistancePanel(store)
        self.assistance.changed.connect(self._case_changed)
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.addTab(self.side_scroll, _("Household and recognition"))
        self.side_tabs.addTab(self.assistance, _("Assistance"))
        from caseworker.gui.views.placements import PlacementPanel

        self.placements = PlacementPanel(store)
        self.placements.changed.connect(self._case_changed)
        self.side_tabs.addTab(self.placements, _("Posts"))

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.form_scroll)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([560, 560])

        buttons = QHBoxLayout()
        buttons.addWidget(self.title, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        page = QVBoxLayout(self)
        page.addLayout(buttons)
        page.addWidget(self.deleted_banner)
        page.addWidget(self.banner)
        page.addWidget(self.notice)
        page.addWidget(self.splitter, 1)
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
            editor.on_change(functools.partial(self._changed, name))
        self.editors["id_number"].on_change(self._update_derived)
        guard_wheel(self)
        self.load(None)

    # -- loading ----------------------------------------------------------------------------

    def load(self, person_id: uuid.UUID | None) -> None:
        """Show ``person_id`` (None: an empty form for a new person)."""
        self._loading = True
        try:
            values: dict[str, object] = {}
            if person_id is not None:
                values = self._values_of(person_id)
            else:
                self.version = None
                self.deleted = False
                values = new_person_defaults()
            self.person_id = person_id
            for name, editor in self.editors.items():
                editor.set_value(values.get(name))
                editor.set_error(None)
            self._apply_role(values)
        finally:
            self._loading = False
        self._touched.clear()
        self._show_all_errors = False
        self.banner.setVisible(False)
        self.notice.setVisible(False)
        self._show_deleted()
        self._snapshot = self.raw_values()
        self._age_confirmed_for = ""
        self._update_derived()
        self._update_title()
        self.household.load(person_id, read_only=self.deleted)
        self.recognition.load(person_id, self.form_facts, read_only=self.deleted)
        self.assistance.load(person_id)
        self.placements.load(person_id, read_only=self.deleted)
        self.scroll_to_top()

    def _apply_role(self, values: dict[str, object]) -> None:
        """What the logged-in role may see and do here: whole ID number, phone and bank
        account for caseworkers and station heads (masked for others), editing for those who
        may register (see :mod:`caseworker.security.masking` and ``roles``)."""
        from caseworker.security import masking, roles

        store = self.store
        open_mode = not store.accounts_required
        self.may_edit = roles.allowed(store.principal, roles.Action.REGISTER, open_mode=open_mode)
        whole = masking.shows_whole(store.principal, masking.Place.PERSON_PAGE, open_mode=open_mode)
        for name, editor in self.editors.items():
            editor.input.setEnabled(self.may_edit)
            if name in masking.FIELDS and not whole:
                editor.set_value(masking.mask(name, str(values.get(name) or "")))
        self.save_button.setEnabled(self.may_edit and not self.deleted)

    may_edit = True

    def _values_of(self, person_id: uuid.UUID) -> dict[str, object]:
        """The stored values of ``person_id`` by form field (as normalised when saved)."""
        from caseworker.registry import persons

        with self.store.reading() as session:
            person = persons.get(session, person_id)
            data = persons.data_of(person)
            self.version = person.version
            self.deleted = person.deleted
        return {
            spec.name: getattr(data, "village_id" if spec.name == "village" else spec.name)
            for spec in PERSON_FIELDS
        }

    def _refit_side(self) -> None:
        """The side's content changed (a case loaded): its scroll area fits it again."""
        layout = self.side_widget.layout()
        if layout is not None:
            layout.activate()
        fit_scroll_area(self.side_scroll)

    def scroll_to_top(self) -> None:
        """A page opens at its top (not where the previous person was left)."""
        for area in (self.form_scroll, self.side_scroll):
            area.verticalScrollBar().setValue(0)
            area.horizontalScrollBar().setValue(0)

    def show_placements(self) -> None:
        """Show the placement tab (from the posts section)."""
        self.side_tabs.setCurrentWidget(self.placements)

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
        self.birth_value.setText(formatting.date(number.birth_date))
        self.age_value.setText(formatting.number(idcard.age_on(number.birth_date, wall.today())))

    # -- validation -----------------------------------------------------------------------------

    def _validate(self) -> tuple[Any, dict[str, str]]:
        from caseworker.registry import persons

        raw = self.raw_values()
        missing: dict[str, str] = {}
        if "village" in REQUIRED_IN_FORM and self.has_villages and raw.get("village_id") is None:
            missing["village"] = _("Choose the village or community the person belongs to.")
        try:
            data = persons.validate(raw)
        except persons.FieldErrors as exc:
            return None, {**exc.errors, **missing}
        return (None, missing) if missing else (data, {})

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
        if not self._age_is_right(data):
            self.editors["id_number"].input.setFocus()
            return False
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
        new = self.person_id is None
        self.person_id = person_id
        self._show_saved(person_id)
        self._reassess_after_save(person_id)
        if maybe:
            self.notice.setText(
                _("Saved. Check for a duplicate: same name and birth date as {persons}.").format(
                    persons="; ".join(maybe)
                )
            )
        else:
            self.notice.setText(_("Saved."))
        self.notice.setVisible(True)
        self._show_deleted()
        if new:
            self.household.load(person_id)
            self.assistance.load(person_id)
            self.placements.load(person_id)
        self.recognition.load(person_id, self.form_facts)
        self.saved.emit(person_id)
        return True

    def _age_is_right(self, data: Any) -> bool:
        """Ask once per ID number when it makes the person :data:`QUESTIONABLE_AGE` or older."""
        age = idcard.age_on(data.birth_date, wall.today())
        if age < QUESTIONABLE_AGE or self._age_confirmed_for == data.id_number:
            return True
        if ask_age(self, formatting.date(data.birth_date), age):
            self._age_confirmed_for = data.id_number
            return True
        return False

    def _show_saved(self, person_id: uuid.UUID) -> None:
        """Show the values as stored (names and numbers are normalised when saved)."""
        values = self._values_of(person_id)
        self._loading = True
        try:
            for name, editor in self.editors.items():
                if editor.value() != editor.value_for(values.get(name)):
                    editor.set_value(values.get(name))
        finally:
            self._loading = False
        self._snapshot = self.raw_values()
        self._touched.clear()
        self._update_derived()
        self._update_title()

    def _reassess_after_save(self, person_id: uuid.UUID) -> None:
        """Re-assess the person's recognised case, and those of their household, on today's
        facts (a person found employed is flagged for review; nobody exits automatically)."""
        from caseworker.recognition import service

        try:
            with self.store.transaction() as session:
                service.reassess_person(session, person_id, wall.today())
        except UserError as exc:  # the record is saved; the flag waits for the next time
            from caseworker.gui.errors import log_exception

            log_exception(exc, "re-assessment after saving")

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
        self.save_button.setEnabled(not self.deleted and self.may_edit)
        self.update_actions(active=self._active)

    def update_actions(self, *, active: bool) -> None:
        """Enable the menu's person actions while the page is shown (``active``): save and
        print unless the record is deleted, delete once it is saved."""
        self._active = active
        for action in (self.save_action, self.cancel_action, self.print_action):
            action.setEnabled(active and (action is self.cancel_action or not self.deleted))
        self.save_action.setEnabled(self.save_action.isEnabled() and self.may_edit)
        self.delete_action.setEnabled(active and self.person_id is not None and not self.deleted)
        self.history_action.setEnabled(active and self.person_id is not None)

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

    def show_history(self) -> None:
        """Who changed what of this person (and their household membership, employment and
        cases), and when: the change log, read-only (deleted records too)."""
        if self.person_id is None:
            return
        from caseworker.gui.views.history import HistoryDialog

        dialog = HistoryDialog(self.store, self.person_id, self)
        dialog.exec()

    def print_application(self) -> None:
        """Preview (then print or save) the stored person's application form."""
        if self.person_id is None or self.is_dirty():
            tell(
                self,
                name="printNeedsSave",
                title=_("Print application"),
                text=_("Save the person before printing the application form."),
            )
            return
        from caseworker.gui.printing import preview_application

        preview_application(self, self.store, self.person_id)

    def focus_first(self) -> None:
        self.first_field.setFocus()
