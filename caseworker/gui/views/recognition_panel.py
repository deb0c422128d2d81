"""The recognition panel on the person page: the assessment, the case, its steps and history.

The assessment re-runs (after a short pause) whenever the form's facts change, on the form's
current unsaved values; the household comes from the register through
``recognition.service.facts_for``.  Every step goes through ``recognition.service`` in one
transaction; the workflow decides what may come next.  A step that needs the proofs while some
are not ticked asks first, and the step then records them.  The proof checklist shows one box
per document, with the categories it serves: ticking it ticks the document for all of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from caseworker.core import idcard, wall
from caseworker.core.errors import UserError, ValidationError
from caseworker.gui import formatting
from caseworker.gui.errors import show_error
from caseworker.gui.models.rows import RowsTableModel
from caseworker.gui.views.step_dialog import (
    STEP_ACTIONS,
    STEP_LABELS,
    StepDialog,
    ask_proofs_missing,
)
from caseworker.gui.widgets.checks import WrappedCheckBox
from caseworker.gui.widgets.fields import ERROR_STYLE
from caseworker.i18n import N_, _, ngettext

Index = QModelIndex | QPersistentModelIndex
FormValues = Callable[[], dict[str, object]]
ASSESS_DELAY_MS = 200


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
    missing: tuple[str, ...] = ()
    """Names of the proofs that were missing when the step was taken."""


class HistoryModel(RowsTableModel[StepRow]):
    """The steps of one case (a few rows: held whole)."""

    HEADERS = (N_("Step"), N_("Date"), N_("Result"), N_("Note"), N_("By"))
    TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    #: The note takes the room left; the other columns are as wide as their contents.
    STRETCH_COLUMN = 3

    def cell(self, row: StepRow, column: int) -> str | None:
        if column == 0:
            return _(STEP_LABELS.get(row.kind, row.kind))
        if column == 1:
            if row.end is not None:
                return formatting.date_range(row.on, row.end)
            return formatting.date(row.on)
        if column == 2:
            parts = []
            if row.passed is not None:
                parts.append(_("Passed") if row.passed else _("Rejected"))
            if row.missing:
                count = len(row.missing)
                parts.append(
                    ngettext("{n} proof missing", "{n} proofs missing", count).format(n=count)
                )
            return "; ".join(parts)
        if column == 3:
            return row.note
        if column == 4:
            return row.actor
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The result's tooltip names the proofs that were missing."""
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and index.isValid()
            and index.column() == 2
            and 0 <= index.row() < len(self.rows)
            and (missing := self.rows[index.row()].missing)
        ):
            return _("Proofs missing when the step was taken: {proofs}").format(
                proofs="; ".join(missing)
            )
        return super().data(index, role)


class RecognitionPanel(QGroupBox):
    """Assessment of the open person and their recognition case."""

    changed = Signal()
    #: The panel's content changed size (the page refits its scroll area).
    layout_changed = Signal()

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
        self._allowed: tuple[str, ...] = ()
        self.read_only = False
        self.notice_days = 5
        self.last_date: dt.date | None = None
        self.proof_boxes: dict[str, WrappedCheckBox] = {}

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
        self.history_view.setWordWrap(False)
        header = self.history_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HistoryModel.STRETCH_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
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

    @property
    def on(self) -> dt.date:
        """The assessment date: today."""
        return wall.today()

    def load(
        self, person_id: uuid.UUID | None, form_values: FormValues, *, read_only: bool = False
    ) -> None:
        """Show ``person_id``'s assessment and case; ``read_only`` (a deleted record): no
        application, step or proof can be recorded."""
        self.person_id = person_id
        self.form_values = form_values
        self.read_only = read_only
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
            self._no_assessment(_("Enter a valid ID number to see the assessment."))
            return
        try:
            decision = assess(facts, self.on)
        except UserError as exc:
            self._no_assessment(str(exc))
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

    def _no_assessment(self, text: str) -> None:
        """A placeholder instead of a verdict, in the ordinary colour (never the last verdict's)."""
        self.decision = None
        self.verdict.setStyleSheet("")
        self.verdict.setText(text)
        self.reasons.setText("")
        self._update_buttons()

    def matched_categories(self) -> tuple[str, ...]:
        if self.decision is None:
            return ()
        return tuple(c.value for c in self.decision.categories)

    # -- the case -------------------------------------------------------------------------

    def _load_case(self) -> None:
        from caseworker.gui.models.persons import stage_label
        from caseworker.policy import default_library
        from caseworker.policy.categories import category_label
        from caseworker.recognition import service

        self.case_id = None
        self.case_stage = None
        self._allowed = ()
        self.last_date = None
        self.proof_boxes = {}
        for index in reversed(range(self.proof_layout.count())):
            item = self.proof_layout.takeAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
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
            documents = service.proof_documents(session, case.id)
            pack = default_library().get(case.policy_id)
            labels = {code: proof.label for code, proof in pack.proofs.items()}
            steps = [
                StepRow(
                    s.kind, s.on, s.passed, s.end_on, s.note, s.actor_name,
                    tuple(labels.get(c, c) for c in s.missing_proofs.split(",") if c),
                )
                for s in service.history(session, case.id)
            ]  # fmt: skip
        lines = [
            f"<b>{html.escape(stage_label(case.stage))}</b>",
            html.escape(
                _("Categories claimed: {list}").format(
                    list="; ".join(category_label(c) for c in case.category_codes)
                )
            ),
            html.escape(_("Applied on {date}").format(date=formatting.date(case.opened_on))),
        ]
        if case.notice_start and case.notice_end:
            lines.append(
                html.escape(
                    _("Public notice from {start} to {end} ({n} working days)").format(
                        start=formatting.date(case.notice_start),
                        end=formatting.date(case.notice_end),
                        n=workflow_case.notice_working_days,
                    )
                )
            )
        if case.recognised_on:
            lines.append(
                html.escape(
                    _("Recognised on {date}").format(date=formatting.date(case.recognised_on))
                )
            )
        if case.exited_on:
            lines.append(
                html.escape(_("Exited on {date}").format(date=formatting.date(case.exited_on)))
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
        if documents:
            self.proof_layout.addWidget(QLabel(_("Proofs provided:")))
        for document in documents:
            self._add_proof(document, labels, category_label)
        self.history.set_rows(steps)
        self._update_buttons()
        self.layout_changed.emit()

    def _add_proof(self, document: Any, labels: dict[str, str], category_label: Any) -> None:
        """One box for one document, and the categories it serves under it."""
        check = WrappedCheckBox(labels.get(document.proof, document.proof))
        check.box.setObjectName(f"proof_{document.proof}")
        check.box.setChecked(bool(document.provided))
        check.box.setEnabled(not self.read_only and not self._closed())
        served = QLabel(
            _("For: {categories}").format(
                categories="; ".join(category_label(c) for c in document.categories)
            )
        )
        served.setObjectName(f"proofFor_{document.proof}")
        served.setWordWrap(True)
        served.setIndent(24)
        served.setStyleSheet("color: palette(mid);")
        check.box.toggled.connect(lambda on, p=document.proof: self.set_proof(p, on))
        self.proof_boxes[document.proof] = check
        self.proof_layout.addWidget(check)
        self.proof_layout.addWidget(served)

    def _update_buttons(self) -> None:
        saved = self.person_id is not None and not self.read_only
        open_case = self.case_id is not None and self.case_stage is not None and not self._closed()
        self.apply_button.setVisible(saved and not open_case)
        self.apply_button.setEnabled(saved and not open_case and self.decision is not None)
        for kind, button in self.step_buttons.items():
            button.setVisible(saved and kind in self._allowed)

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
        """Record ``step``; when proofs are missing, ask first (and record them if so)."""
        from caseworker.recognition import service
        from caseworker.recognition.workflow import ProofsMissingError

        assert self.case_id is not None
        try:
            with self.store.transaction() as session:
                service.advance(session, self.case_id, step)
        except ProofsMissingError as exc:
            names = self._proof_names(exc.missing)
            kind = type(step).__name__
            if not ask_proofs_missing(self, _STEP_KINDS.get(kind, kind), names):
                return False
            return self.take_step(dataclasses.replace(step, proofs_missing_ok=True))
        except UserError as exc:
            show_error(self, exc)
            return False
        self._load_case()
        self.changed.emit()
        return True

    def _proof_names(self, codes: tuple[str, ...]) -> list[str]:
        return [box.text() if (box := self.proof_boxes.get(c)) else c for c in codes]

    def set_proof(self, proof: str, provided: bool) -> None:
        """Tick (or untick) a proof document: for every category that needs it."""
        from caseworker.recognition import service

        assert self.case_id is not None
        try:
            with self.store.transaction() as session:
                service.provide_proof(session, self.case_id, proof, provided)
        except UserError as exc:
            show_error(self, exc)
            self._load_case()

    def _apply_dialog(self) -> None:
        dialog = StepDialog("apply", categories=self.matched_categories(), parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and (on := dialog.chosen_date()):
            self.open_application(on, dialog.chosen_categories(), dialog.note.text())

    def _step_dialog(self, kind: str) -> None:
        dialog = StepDialog(
            kind, earliest=self.last_date, notice_days=self.notice_days, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.take_step(dialog.step())


#: Workflow step classes by name -> the step kind (for the question's title).
_STEP_KINDS = {
    "CommunityReview": "community_review",
    "TownshipReview": "township_review",
    "StartPublicNotice": "public_notice",
    "Recognise": "recognise",
    "PeriodicReview": "periodic_review",
    "Exit": "exit",
}
