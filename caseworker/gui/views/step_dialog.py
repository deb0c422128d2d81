"""The dialog for one workflow step (its date, result, reason, note) and the question asked
when a step is taken with proofs missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from caseworker.core import wall
from caseworker.core.errors import UserError
from caseworker.gui import formatting
from caseworker.gui.language import label_button_box
from caseworker.gui.questions import ask_yes_no
from caseworker.gui.widgets.dates import DateField
from caseworker.gui.widgets.wheel import guard_wheel
from caseworker.i18n import N_, _

__all__ = ["STEP_ACTIONS", "STEP_LABELS", "StepDialog", "ask_proofs_missing"]

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


def ask_proofs_missing(parent: QWidget | None, step: str, proofs: Sequence[str]) -> bool:
    """Ask whether to take ``step`` although ``proofs`` (their names) are not ticked."""
    return ask_yes_no(
        parent,
        name="proofsMissingDialog",
        title=_(STEP_LABELS.get(step, step)),
        text=_("These proofs are not ticked as provided:"),
        informative="\n".join(f"• {name}" for name in proofs)
        + "\n\n"
        + _("Take the step anyway? The step records that these proofs were missing."),
        warning=True,
    )


class StepDialog(QDialog):
    """The date (and result, reason, note) of one workflow step.

    The date is typed or chosen in a :class:`DateField`; a date after today, or before the
    case's previous step, is refused in the dialog (OK stays disabled) as in the workflow.
    """

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
        today = wall.today()
        self.date = DateField(today, self, name="stepDate", earliest=earliest, latest=today)
        self.passed_choice = QRadioButton(_("Passed"))
        self.passed_choice.setObjectName("passedChoice")
        self.passed_choice.setChecked(True)
        self.rejected_choice = QRadioButton(_("Rejected"))
        self.rejected_choice.setObjectName("rejectedChoice")
        self.reason = QComboBox()
        self.reason.setObjectName("exitReason")
        for reason, label in EXIT_REASON_LABELS.items():
            self.reason.addItem(_(label), reason.value)
        self.note = QLineEdit()
        self.note.setObjectName("stepNote")
        self.end_label = QLabel()
        self.end_label.setObjectName("noticeEnd")
        self.end_label.setWordWrap(True)
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
            row.addWidget(self.passed_choice)
            row.addWidget(self.rejected_choice)
            form.addRow(_("Result"), result)
        if kind == "exit":
            form.addRow(_("Reason"), self.reason)
        if kind == "public_notice":
            form.addRow(_("Ends on"), self.end_label)
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
        self.date.date_changed.connect(lambda _d: self._date_changed())
        self._date_changed()
        guard_wheel(self)

    def chosen_date(self) -> dt.date | None:
        return self.date.date()

    def _date_changed(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(self.date.date() is not None)
        if self.kind == "public_notice":
            self._update_end()

    def _update_end(self) -> None:
        from caseworker.policy import default_calendar

        start = self.date.date()
        if start is None:
            self.end_label.setText("")
            return
        calendar = default_calendar()
        try:
            end = calendar.add_working_days(start, self.notice_days)
        except UserError as exc:
            self.end_label.setText(str(exc))
            return
        text = _("{end} ({n} working days)").format(end=formatting.date(end), n=self.notice_days)
        provisional = sorted({d.year for d in (start, end) if calendar.is_provisional(d)})
        if provisional:
            text += "\n" + _(
                "The holidays of {years} are an estimate until the official notice is entered "
                "in the calendar; check the end date."
            ).format(years=", ".join(str(y) for y in provisional))
        self.end_label.setText(text)

    def chosen_categories(self) -> list[str]:
        return [code for code, box in self.category_boxes.items() if box.isChecked()]

    def accept(self) -> None:
        if self.date.date() is None:  # OK is disabled then; Enter in a field still arrives here
            self.date.setFocus()
            return
        super().accept()

    def step(self) -> Any:
        """The workflow step the dialog describes (its date must be valid)."""
        from caseworker.recognition import workflow

        on = self.date.date()
        if on is None:
            raise ValueError("the step dialog has no valid date")
        note = self.note.text().strip()
        passed = self.passed_choice.isChecked()
        if self.kind == "community_review":
            return workflow.CommunityReview(on=on, passed=passed, note=note)
        if self.kind == "township_review":
            return workflow.TownshipReview(on=on, passed=passed, note=note)
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
