"""The recognition panel on the person page: the assessment, the case, its steps and history.

The assessment re-runs (after a short pause) whenever the form's facts change, on the form's
current unsaved values; the household comes from the register through
``recognition.service.facts_for``.  Every step goes through ``recognition.service`` in one
transaction; the workflow decides what may come next.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseworker.core import idcard, wall
from caseworker.core.errors import UserError, ValidationError
from caseworker.gui import formatting
from caseworker.gui.errors import show_error
from caseworker.gui.language import label_button_box
from caseworker.gui.models.rows import RowsTableModel
from caseworker.gui.widgets.fields import ERROR_STYLE
from caseworker.i18n import N_, _

Index = QModelIndex | QPersistentModelIndex
FormValues = Callable[[], dict[str, object]]
ASSESS_DELAY_MS = 200

STEP_LABELS = {
    "apply": N_("Application"),
    "community_review": N_("Community review"),
    "township_review": N_("Township review"),
    "public_notice": N_("Public notice"),
    "recognise": N_("Recognition"),
    "periodic_review": N_("Periodic review"),
    "exit": N_("Exit"),
}
STEP_ACTIONS = {
    "community_review": N_("Community review…"),
    "township_review": N_("Township review…"),
    "public_notice": N_("Start the public notice…"),
    "recognise": N_("Recognise…"),
    "periodic_review": N_("Periodic review…"),
    "exit": N_("Exit…"),
}


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def facts_from_form(raw: dict[str, object], household: Any) -> Any:
    """Policy facts from the form's current values; raises ValidationError without a valid ID."""
    from caseworker.core.dates import parse_date
    from caseworker.policy import Facts

    number = idcard.parse(str(raw.get("id_number", "")))
    try:
        since = parse_date(raw.get("registered_unemployed_since") or None)
    except ValidationError:
        since = None
    base_text = str(raw.get("retirement_base_age") or "").strip()
    return Facts(
        id_number=number,
        resident_in_region=bool(raw.get("resident_in_region", True)),
        work_capacity=str(raw.get("work_capacity") or "full"),  # type: ignore[arg-type]
        wants_work=bool(raw.get("wants_work", True)),
        employed=bool(raw.get("employed", False)),
        registered_unemployed_since=since,
        min_living_allowance=bool(raw.get("min_living_allowance", False)),
        disabled=bool(raw.get("disabled", False)),
        college_graduate=bool(raw.get("college_graduate", False)),
        land_expropriated=bool(raw.get("land_expropriated", False)),
        income_below_local_average=bool(raw.get("income_below_local_average", False)),
        retirement_base_age=int(base_text) if base_text.isdigit() else None,
        household=household,
    )


@dataclass(frozen=True, slots=True)
class StepRow:
    kind: str
    on: dt.date
    passed: bool | None
    end: dt.date | None
    note: str
    actor: str


class HistoryModel(RowsTableModel[StepRow]):
    """The steps of one case (a few rows: held whole)."""

    HEADERS = (N_("Step"), N_("Date"), N_("Result"), N_("Note"), N_("By"))
    TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)

    def cell(self, row: StepRow, column: int) -> str | None:
        if column == 0:
            return _(STEP_LABELS.get(row.kind, row.kind))
        if column == 1:
            if row.end is not None:
                return _("{start} to {end}").format(
                    start=formatting.date(row.on, "short"), end=formatting.date(row.end, "short")
                )
            return formatting.date(row.on, "short")
        if column == 2:
            if row.passed is None:
                return ""
            return _("Passed") if row.passed else _("Rejected")
        if column == 3:
            return row.note
        if column == 4:
            return row.actor
        return None


class StepDialog(QDialog):
    """The date (and result, reason, note) of one workflow step."""

    def __init__(
        self,
        kind: str,
        *,
        earliest: dt.date | None = None,
        notice_days: int = 5,
        categories: tuple[str, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from caseworker.policy.categories import CATEGORY_LABELS
        from caseworker.recognition.workflow import EXIT_REASON_LABELS

        self.setObjectName("stepDialog")
        self.kind = kind
        self.notice_days = notice_days
        self.setWindowTitle(_(STEP_LABELS.get(kind, kind)))
        self.date = QDateEdit()
        self.date.setObjectName("stepDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDate(to_qdate(wall.today()))
        if earliest is not None:
            self.date.setMinimumDate(to_qdate(earliest))
        self.passed = QRadioButton(_("Passed"))
        self.passed.setChecked(True)
        self.rejected = QRadioButton(_("Rejected"))
        self.reason = QComboBox()
        for reason, label in EXIT_REASON_LABELS.items():
            self.reason.addItem(_(label), reason.value)
        self.note = QLineEdit()
        self.note.setObjectName("stepNote")
        self.end_label = QLabel()
        self.end_label.setObjectName("noticeEnd")
        self.category_boxes: dict[str, QCheckBox] = {}
        form = QFormLayout()
        form.addRow(_("Date"), self.date)
        if kind == "apply":
            box = QWidget()
            grid = QVBoxLayout(box)
            grid.setContentsMargins(0, 0, 0, 0)
            for code, label in CATEGORY_LABELS.items():
                check = QCheckBox(_(label))
                check.setChecked(code.value in categories)
                self.category_boxes[code.value] = check
                grid.addWidget(check)
            form.addRow(_("Categories claimed"), box)
        if kind in ("community_review", "township_review"):
            result = QWidget()
            row = QVBoxLayout(result)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.passed)
            row.addWidget(self.rejected)
            form.addRow(_("Result"), result)
        if kind == "exit":
            form.addRow(_("Reason"), self.reason)
        if kind == "public_notice":
            form.addRow(_("Ends on"), self.end_label)
            self.date.dateChanged.connect(lambda _d: self._update_end())
            self._update_end()
        form.addRow(_("Note"), self.note)
        self.buttons = label_button_box(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            )
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def _update_end(self) -> None:
        from caseworker.policy import add_working_days

        start = from_qdate(self.date.date())
        try:
            end = add_working_days(start, self.notice_days)
        except UserError as exc:
            self.end_label.setText(str(exc))
            return
        self.end_label.setText(
            _("{end} ({n} working days)").format(
                end=formatting.date(end, "long"), n=self.notice_days
            )
        )

    def chosen_categories(self) -> list[str]:
        return [code for code, box in self.category_boxes.items() if box.isChecked()]

    def step(self) -> Any:
        from caseworker.recognition import workflow

        on = from_qdate(self.date.date())
        note = self.note.text().strip()
        if self.kind == "community_review":
            return workflow.CommunityReview(on=on, passed=self.passed.isChecked(), note=note)
        if self.kind == "township_review":
            return workflow.TownshipReview(on=on, passed=self.passed.isChecked(), note=note)
        if self.kind == "public_notice":
            return workflow.StartPublicNotice(start=on, note=note)
        if self.kind == "recognise":
            return workflow.Recognise(on=on, note=note)
        if self.kind == "periodic_review":
            return workflow.PeriodicReview(on=on, note=note)
        if self.kind == "exit":
            return workflow.Exit(
                on=on, reason=workflow.ExitReason(self.reason.currentData()), note=note
            )
        raise ValueError(self.kind)


class RecognitionPanel(QGroupBox):
    """Assessment of the open person and their recognition case."""

    changed = Signal()

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(_("Recognition"), parent)
        self.setObjectName("recognitionPanel")
        self.store = store
        self.person_id: uuid.UUID | None = None
        self.case_id: uuid.UUID | None = None
        self.case_stage: str | None = None
        self.form_values: FormValues = dict
        self.decision: Any = None
        self._household: Any = None
        self._omitted: list[str] = []
        self.on = wall.today()

        self.verdict = QLabel()
        self.verdict.setObjectName("assessmentVerdict")
        self.verdict.setWordWrap(True)
        font = self.verdict.font()
        font.setBold(True)
        self.verdict.setFont(font)
        self.reasons = QLabel()
        self.reasons.setObjectName("assessmentReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.case_label = QLabel()
        self.case_label.setObjectName("caseSummary")
        self.case_label.setWordWrap(True)
        self.case_label.setTextFormat(Qt.TextFormat.RichText)
        self.review_label = QLabel()
        self.review_label.setObjectName("reviewFlag")
        self.review_label.setWordWrap(True)
        self.review_label.setStyleSheet(ERROR_STYLE)
        self.proof_box = QWidget()
        self.proof_layout = QVBoxLayout(self.proof_box)
        self.proof_layout.setContentsMargins(0, 0, 0, 0)
        self.apply_button = QPushButton(_("Apply for recognition…"))
        self.apply_button.setObjectName("applyButton")
        self.apply_button.clicked.connect(self._apply_dialog)
        self.step_buttons: dict[str, QPushButton] = {}
        actions = QWidget()
        grid = QGridLayout(actions)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.apply_button, 0, 0)
        for position, (kind, label) in enumerate(STEP_ACTIONS.items(), start=1):
            button = QPushButton(_(label))
            button.setObjectName(f"step_{kind}")
            button.clicked.connect(lambda _c=False, kind=kind: self._step_dialog(kind))
            self.step_buttons[kind] = button
            grid.addWidget(button, position // 2, position % 2)
        self.history = HistoryModel(self)
        self.history_view = QTableView()
        self.history_view.setObjectName("historyTable")
        self.history_view.setModel(self.history)
        self.history_view.verticalHeader().setVisible(False)
        self.history_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.history_view.horizontalHeader().setStretchLastSection(True)
        self.history_view.setMinimumHeight(110)

        assessment = QGroupBox(_("Assessment"))
        a = QVBoxLayout(assessment)
        a.addWidget(self.verdict)
        a.addWidget(self.reasons)
        case = QGroupBox(_("Application and steps"))
        c = QVBoxLayout(case)
        c.addWidget(self.case_label)
        c.addWidget(self.review_label)
        c.addWidget(self.proof_box)
        c.addWidget(actions)
        c.addWidget(QLabel(_("History")))
        c.addWidget(self.history_view)
        layout = QVBoxLayout(self)
        layout.addWidget(assessment)
        layout.addWidget(case)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(ASSESS_DELAY_MS)
        self.timer.timeout.connect(self.reassess)

    # -- loading --------------------------------------------------------------------------

    def load(self, person_id: uuid.UUID | None, form_values: FormValues) -> None:
        self.person_id = person_id
        self.form_values = form_values
        self._load_household()
        self._load_case()
        self.reassess()

    def _load_household(self) -> None:
        from caseworker.recognition import service
        from caseworker.store.models import Person

        self._household = None
        self._omitted = []
        if self.person_id is None:
            return
        with self.store.reading() as session:
            person = session.get(Person, self.person_id)
            if person is None:
                return
            facts = service.facts_for(session, person, self.on)
            self._household = facts.household
            self._omitted = service.omitted_members(session, person, self.on)

    def facts_changed(self) -> None:
        """The form or the household changed: assess again after a short pause."""
        self.timer.start()

    def household_changed(self) -> None:
        self._load_household()
        self.facts_changed()

    # -- assessment -----------------------------------------------------------------------

    def reassess(self) -> None:
        from caseworker.policy import assess

        self.timer.stop()
        try:
            facts = facts_from_form(self.form_values(), self._household)
        except ValidationError:
            self.decision = None
            self.verdict.setText(_("Enter a valid ID number to see the assessment."))
            self.reasons.setText("")
            self._update_buttons()
            return
        try:
            decision = assess(facts, self.on)
        except UserError as exc:
            self.decision = None
            self.verdict.setText(str(exc))
            self.reasons.setText("")
            self._update_buttons()
            return
        self.decision = decision
        if decision.eligible:
            self.verdict.setText(_("Eligible: a person with employment difficulty."))
            self.verdict.setStyleSheet("color: #1b5e20;")
        else:
            self.verdict.setText(_("Not eligible at present."))
            self.verdict.setStyleSheet("color: #8d4a00;")
        items = [f"<li>{html.escape(reason)}</li>" for reason in decision.reasons[1:]]
        if self._omitted:
            items.append(
                "<li>{}</li>".format(
                    html.escape(
                        _("Left out of the household facts (no ID number): {names}.").format(
                            names=", ".join(self._omitted)
                        )
                    )
                )
            )
        self.reasons.setText(
            "<p>{}</p><ul>{}</ul>".format(html.escape(decision.reasons[0]), "".join(items))
        )
        self._update_buttons()

    def matched_categories(self) -> tuple[str, ...]:
        if self.decision is None:
            return ()
        return tuple(c.value for c in self.decision.categories)

    # -- the case -------------------------------------------------------------------------

    def _load_case(self) -> None:
        from caseworker.gui.models.persons import stage_label
        from caseworker.policy.categories import category_label
        from caseworker.recognition import service

        self.case_id = None
        self.case_stage = None
        self._allowed: tuple[str, ...] = ()
        for index in reversed(range(self.proof_layout.count())):
            item = self.proof_layout.takeAt(index)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        if self.person_id is None:
            self.case_label.setText(_("Save the person first; then an application can be made."))
            self.review_label.setVisible(False)
            self.history.set_rows([])
            self._update_buttons()
            return
        with self.store.reading() as session:
            case = service.current_case(session, self.person_id)
            if case is None:
                self.case_label.setText(_("No application for recognition yet."))
                self.review_label.setVisible(False)
                self.history.set_rows([])
                self._update_buttons()
                return
            self.case_id = case.id
            self.case_stage = case.stage
            self._allowed = tuple(k.value for k in service.allowed_steps(session, case.id))
            workflow_case = service.to_workflow_case(session, case.id)
            provided = {(p.category, p.proof): p.provided for p in service.proofs(session, case.id)}
            steps = [
                StepRow(s.kind, s.on, s.passed, s.end_on, s.note, s.actor_name)
                for s in service.history(session, case.id)
            ]
        lines = [
            f"<b>{html.escape(stage_label(case.stage))}</b>",
            html.escape(
                _("Categories claimed: {list}").format(
                    list="; ".join(category_label(c) for c in case.category_codes)
                )
            ),
            html.escape(
                _("Applied on {date}").format(date=formatting.date(case.opened_on, "long"))
            ),
        ]
        if case.notice_start and case.notice_end:
            lines.append(
                html.escape(
                    _("Public notice from {start} to {end} ({n} working days)").format(
                        start=formatting.date(case.notice_start, "long"),
                        end=formatting.date(case.notice_end, "long"),
                        n=workflow_case.notice_working_days,
                    )
                )
            )
        if case.recognised_on:
            lines.append(
                html.escape(
                    _("Recognised on {date}").format(
                        date=formatting.date(case.recognised_on, "long")
                    )
                )
            )
        if case.exited_on:
            lines.append(
                html.escape(
                    _("Exited on {date}").format(date=formatting.date(case.exited_on, "long"))
                )
            )
        self.case_label.setText("<br>".join(lines))
        self.review_label.setVisible(bool(case.needs_review))
        if case.needs_review:
            self.review_label.setText(
                _("Flagged for review: {reason}").format(
                    reason=service.review_reason_text(case.review_reason, case.review_flagged_on)
                )
            )
        self.notice_days = workflow_case.notice_working_days
        self.last_date = workflow_case.last_date
        if workflow_case.checklist:
            self.proof_layout.addWidget(QLabel(_("Proofs provided:")))
        shown_category = None
        for item in workflow_case.checklist:
            if item.category != shown_category:
                shown_category = item.category
                heading = QLabel(category_label(item.category))
                heading.setWordWrap(True)
                heading.setStyleSheet("font-style: italic;")
                self.proof_layout.addWidget(heading)
            check = QCheckBox(item.label_zh)
            check.setObjectName(f"proof_{item.category.value}_{item.proof}")
            check.setChecked(provided.get((item.category.value, item.proof), False))
            check.toggled.connect(
                lambda on, c=item.category.value, p=item.proof: self.set_proof(c, p, on)
            )
            self.proof_layout.addWidget(check)
        self.history.set_rows(steps)
        self._update_buttons()

    def _update_buttons(self) -> None:
        allowed = getattr(self, "_allowed", ())
        saved = self.person_id is not None
        open_case = self.case_id is not None and self.case_stage is not None and not self._closed()
        self.apply_button.setVisible(saved and not open_case)
        self.apply_button.setEnabled(saved and not open_case and self.decision is not None)
        for kind, button in self.step_buttons.items():
            button.setVisible(kind in allowed)

    def _closed(self) -> bool:
        from caseworker.recognition.workflow import Stage

        return self.case_stage is not None and Stage(self.case_stage).closed

    # -- actions --------------------------------------------------------------------------

    def open_application(self, on: dt.date, categories: list[str], note: str = "") -> bool:
        from caseworker.recognition import service

        assert self.person_id is not None
        try:
            with self.store.transaction() as session:
                service.open_application(session, self.person_id, on, categories, note=note)
        except UserError as exc:
            show_error(self, exc)
            return False
        self._load_case()
        self.changed.emit()
        return True

    def take_step(self, step: Any) -> bool:
        from caseworker.recognition import service

        assert self.case_id is not None
        try:
            with self.store.transaction() as session:
                service.advance(session, self.case_id, step)
        except UserError as exc:
            show_error(self, exc)
            return False
        self._load_case()
        self.changed.emit()
        return True

    def set_proof(self, category: str, proof: str, provided: bool) -> None:
        from caseworker.recognition import service

        assert self.case_id is not None
        try:
            with self.store.transaction() as session:
                service.set_proof(session, self.case_id, category, proof, provided)
        except UserError as exc:
            show_error(self, exc)

    def _apply_dialog(self) -> None:
        dialog = StepDialog("apply", categories=self.matched_categories(), parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.open_application(
                from_qdate(dialog.date.date()), dialog.chosen_categories(), dialog.note.text()
            )

    def _step_dialog(self, kind: str) -> None:
        dialog = StepDialog(
            kind,
            earliest=getattr(self, "last_date", None),
            notice_days=getattr(self, "notice_days", 5),
            parent=self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.take_step(dialog.step())
