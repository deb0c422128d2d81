"""The dialogs of the Assistance tab: a plan, a contact (or its correction), an offer and its
answer, an employment outcome, closing a plan.  Each dialog only collects values; the tab
records them through ``casework.plans`` in one transaction and shows a refusal in the dialog's
language, changing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from caseworker.casework.vocab import (
    ANSWER_LABELS,
    CHANNEL_LABELS,
    CLOSE_LABELS,
    EVIDENCE_LABELS,
    OFFER_LABELS,
    SERVICE_LABELS,
    Answer,
    Evidence,
)
from caseworker.core import wall
from caseworker.gui.language import label_button_box
from caseworker.i18n import N_, _

#: The five headings of a person's situation (五清: 家庭状况, 失业原因, 技能特长, 培训愿望, 择业意向).
HEADINGS = (
    ("family_situation", N_("Family situation")),
    ("unemployment_reason", N_("Why unemployed")),
    ("skills", N_("Skills")),
    ("training_wish", N_("Training wished for")),
    ("job_intention", N_("Work wanted")),
)


def to_qdate(value: dt.date) -> Any:
    from PySide6.QtCore import QDate

    return QDate(value.year, value.month, value.day)


def from_qdate(value: Any) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def date_edit(value: dt.date | None = None, name: str = "") -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(to_qdate(value or wall.today()))
    if name:
        edit.setObjectName(name)
    return edit


def combo(table: dict[Any, str], name: str = "", current: str | None = None) -> QComboBox:
    box = QComboBox()
    box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # (no wheel changes while unfocused)
    for code, label in table.items():
        box.addItem(_(label), code.value)
    if current is not None:
        box.setCurrentIndex(max(0, box.findData(current)))
    if name:
        box.setObjectName(name)
    return box


class ServiceBoxes(QWidget):
    """One check box per service, in two columns."""

    def __init__(self, chosen: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        for index, (code, label) in enumerate(SERVICE_LABELS.items()):
            box = QCheckBox(_(label))
            box.setObjectName(f"service_{code.value}")
            box.setChecked(code.value in chosen)
            self.boxes[code.value] = box
            grid.addWidget(box, index // 2, index % 2)

    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, box in self.boxes.items() if box.isChecked())

    def clear(self) -> None:
        for box in self.boxes.values():
            box.setChecked(False)


class OptionalDate(QWidget):
    """A date that may be left out (a check box turns it on)."""

    def __init__(self, label: str, value: dt.date | None, name: str) -> None:
        super().__init__()
        self.check = QCheckBox(label)
        self.check.setObjectName(f"{name}Set")
        self.edit = date_edit(value or wall.today(), name)
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.check.toggled.connect(self.edit.setEnabled)
        row = QGridLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check, 0, 0)
        row.addWidget(self.edit, 0, 1)

    def value(self) -> dt.date | None:
        return from_qdate(self.edit.date()) if self.check.isChecked() else None


class FormDialog(QDialog):
    """A titled form with OK and Cancel."""

    def __init__(self, title: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buttons = label_button_box(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            )
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)


class PlanDialog(FormDialog):
    """Open or edit a plan: the caseworker, the dates, the five headings, services, measures."""

    def __init__(
        self,
        staff: list[str],
        plan: Any = None,
        default_worker: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            _("Assistance plan") if plan is None else _("Edit the plan"), "planDialog", parent
        )
        self.worker = QComboBox()
        self.worker.setObjectName("planWorker")
        self.worker.setEditable(True)
        self.worker.addItems(staff)
        self.worker.setCurrentText(plan.worker.name if plan is not None else default_worker)
        self.opened = date_edit(plan.opened_on if plan is not None else None, "planOpened")
        self.opened.setEnabled(plan is None)
        self.signed = OptionalDate(_("signed on"), plan.signed_on if plan else None, "planSigned")
        self.target = OptionalDate(_("target"), plan.target_on if plan else None, "planTarget")
        self.form.addRow(_("Responsible caseworker"), self.worker)
        self.form.addRow(_("Opened on"), self.opened)
        self.form.addRow(_("Agreement"), self.signed)
        self.form.addRow(_("Target date"), self.target)
        self.headings: dict[str, QPlainTextEdit] = {}
        for key, label in HEADINGS:
            edit = QPlainTextEdit(getattr(plan, key) if plan is not None else "")
            edit.setObjectName(f"plan_{key}")
            edit.setFixedHeight(edit.fontMetrics().height() * 3)
            edit.setTabChangesFocus(True)
            self.headings[key] = edit
            self.form.addRow(_(label), edit)
        needed = tuple(plan.services_needed.split(",")) if plan is not None else ()
        self.services = ServiceBoxes(needed)
        self.form.addRow(_("Services needed"), self.services)
        self.measures = QPlainTextEdit(plan.measures if plan is not None else "")
        self.measures.setObjectName("planMeasures")
        self.measures.setTabChangesFocus(True)
        self.measures.setFixedHeight(self.measures.fontMetrics().height() * 4)
        self.form.addRow(_("Measures agreed"), self.measures)
        self.resize(620, 640)

    def values(self) -> dict[str, Any]:
        from caseworker.casework.plans import Situation

        return {
            "worker": self.worker.currentText().strip(),
            "on": from_qdate(self.opened.date()),
            "signed_on": self.signed.value(),
            "target_on": self.target.value(),
            "situation": Situation(
                **{k: e.toPlainText() for k, e in self.headings.items()},
                services_needed=self.services.codes(),
                measures=self.measures.toPlainText(),
            ),
        }


class ContactDialog(FormDialog):
    """A contact; with ``corrects``, the correction of that contact (its values prefilled)."""

    def __init__(self, corrects: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(
            _("Correct a contact") if corrects is not None else _("Add a contact"),
            "contactDialog",
            parent,
        )
        self.date = date_edit(corrects.on if corrects is not None else None, "contactDate")
        self.channel = combo(CHANNEL_LABELS, "contactChannel", corrects.code if corrects else None)
        self.services = ServiceBoxes(corrects.services if corrects is not None else ())
        self.note = QLineEdit(corrects.text if corrects is not None else "")
        self.note.setObjectName("contactNote")
        self.next = OptionalDate(
            _("next contact on"), corrects.next_on if corrects else None, "contactNext"
        )
        self.form.addRow(_("Date"), self.date)
        self.form.addRow(_("Channel"), self.channel)
        self.form.addRow(_("Services given"), self.services)
        self.form.addRow(_("What was done"), self.note)
        self.form.addRow(_("Next contact"), self.next)

    def values(self) -> dict[str, Any]:
        return {
            "on": from_qdate(self.date.date()),
            "channel": self.channel.currentData(),
            "services": self.services.codes(),
            "note": self.note.text(),
            "next_on": self.next.value(),
        }


class OfferDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Record a post offered"), "offerDialog", parent)
        self.date = date_edit(None, "offerDate")
        self.kind = combo(OFFER_LABELS, "offerKind")
        self.post = QLineEdit()
        self.post.setObjectName("offerPost")
        self.employer = QLineEdit()
        self.employer.setObjectName("offerEmployer")
        self.answer = combo(ANSWER_LABELS, "offerAnswer", Answer.PENDING.value)
        self.reason = QLineEdit()
        self.reason.setObjectName("offerReason")
        self.reason.setPlaceholderText(_("why it was refused"))
        for label, widget in (
            (_("Date"), self.date), (_("Kind of post"), self.kind), (_("Post"), self.post),
            (_("Employer"), self.employer), (_("Answer"), self.answer), (_("Reason"), self.reason),
        ):  # fmt: skip
            self.form.addRow(label, widget)
        self.answer.currentIndexChanged.connect(lambda _i: self._answer_changed())
        self._answer_changed()

    def _answer_changed(self) -> None:
        self.reason.setEnabled(self.answer.currentData() == Answer.REFUSED.value)

    def values(self) -> dict[str, Any]:
        refused = self.answer.currentData() == Answer.REFUSED.value
        return {
            "on": from_qdate(self.date.date()),
            "kind": self.kind.currentData(),
            "post": self.post.text(),
            "employer": self.employer.text(),
            "answer": self.answer.currentData(),
            "reason": self.reason.text() if refused else "",
        }


class AnswerDialog(FormDialog):
    def __init__(self, offered_on: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(_("Answer to the offer"), "answerDialog", parent)
        self.date = date_edit(None, "answerDate")
        self.date.setMinimumDate(to_qdate(offered_on))
        answers = {k: v for k, v in ANSWER_LABELS.items() if k is not Answer.PENDING}
        self.answer = combo(answers, "answerChoice")
        self.reason = QLineEdit()
        self.reason.setObjectName("answerReason")
        self.form.addRow(_("Date"), self.date)
        self.form.addRow(_("Answer"), self.answer)
        self.form.addRow(_("Reason"), self.reason)

    def values(self) -> dict[str, Any]:
        refused = self.answer.currentData() == Answer.REFUSED.value
        return {
            "on": from_qdate(self.date.date()),
            "answer": self.answer.currentData(),
            "reason": self.reason.text() if refused else "",
        }


class OutcomeDialog(FormDialog):
    """The date and the evidence of employment, with the figure the evidence is about."""

    def __init__(self, rules: Any, parent: QWidget | None = None) -> None:
        super().__init__(_("Employment outcome"), "outcomeDialog", parent)
        self.rules = rules
        self.date = date_edit(None, "outcomeDate")
        self.evidence = QComboBox()
        self.evidence.setObjectName("outcomeEvidence")
        for code, label in EVIDENCE_LABELS.items():
            if code.value in rules.pack.employment_evidence:
                text = _(label).format(threshold=rules.threshold_text(code.value))
                self.evidence.addItem(text, code.value)
        self.figure = QSpinBox()
        self.figure.setObjectName("outcomeFigure")
        self.figure.setRange(0, 100_000)
        self.figure.setSpecialValueText(_("not given"))
        self.note = QLineEdit()
        self.note.setObjectName("outcomeNote")
        self.note.setPlaceholderText(_("the evidence seen (contract number …)"))
        self.form.addRow(_("Employed from"), self.date)
        self.form.addRow(_("Evidence"), self.evidence)
        self.form.addRow(_("Figure"), self.figure)
        self.form.addRow(_("Note"), self.note)
        self.evidence.currentIndexChanged.connect(lambda _i: self._evidence_changed())
        self._evidence_changed()

    def _evidence_changed(self) -> None:
        code = self.evidence.currentData()
        suffix = {
            Evidence.CONTRACT.value: _(" months of contract"),
            Evidence.FLEXIBLE.value: _(" days worked in the year"),
            Evidence.INCOME.value: _(" yuan a month"),
        }.get(code)
        self.figure.setEnabled(suffix is not None)
        self.figure.setSuffix(suffix or "")
        self.figure.setValue(0)

    def values(self) -> dict[str, Any]:
        from caseworker.core.money import Money

        code = self.evidence.currentData()
        figure = self.figure.value() or None
        return {
            "on": from_qdate(self.date.date()),
            "evidence": code,
            "note": self.note.text(),
            "contract_months": figure if code == Evidence.CONTRACT.value else None,
            "flexible_days": figure if code == Evidence.FLEXIBLE.value else None,
            "monthly_income": Money.of(figure)
            if figure and code == Evidence.INCOME.value
            else None,
        }


class CloseDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Close the plan"), "closeDialog", parent)
        self.date = date_edit(None, "closeDate")
        self.reason = combo(CLOSE_LABELS, "closeReason")
        self.note = QLineEdit()
        self.note.setObjectName("closeNote")
        self.form.addRow(_("Date"), self.date)
        self.form.addRow(_("Reason"), self.reason)
        self.form.addRow(_("Note"), self.note)

    def values(self) -> dict[str, Any]:
        return {
            "on": from_qdate(self.date.date()),
            "reason": self.reason.currentData(),
            "note": self.note.text(),
        }
