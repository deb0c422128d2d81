"""The Assistance tab of the person page: the plan, what is due, refusals, and the timeline of
contacts (corrections shown beside what they replaced), offers and outcomes; a contact is added
in a few keystrokes (the date is today, the channel a phone call: type what was done, Enter).

Every action is one transaction through :mod:`caseworker.casework.plans`; a refusal is shown
in a dialog and changes nothing.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from caseworker.casework.vocab import (
    ANSWER_LABELS,
    BASIS_LABELS,
    CHANNEL_LABELS,
    CLOSE_LABELS,
    DUE_LABELS,
    EVIDENCE_LABELS,
    OFFER_LABELS,
    SERVICE_LABELS,
    Answer,
    label,
)
from caseworker.core import wall
from caseworker.core.errors import UserError
from caseworker.gui import formatting
from caseworker.gui.errors import show_error
from caseworker.gui.models.rows import RowsTableModel
from caseworker.gui.views.assistance_dialogs import (
    AnswerDialog,
    CloseDialog,
    ContactDialog,
    OfferDialog,
    OutcomeDialog,
    PlanDialog,
    ServiceBoxes,
    combo,
    date_edit,
    from_qdate,
)
from caseworker.gui.widgets.fields import ERROR_STYLE
from caseworker.i18n import N_, _

Index = QModelIndex | QPersistentModelIndex
KINDS = {
    "opened": N_("Plan opened"),
    "closed": N_("Plan closed"),
    "contact": N_("Contact"),
    "offer": N_("Post offered"),
    "outcome": N_("Employed"),
}


def entry_text(entry: Any, rules: Any = None) -> str:
    """What a timeline entry says, in the active language."""
    if entry.kind == "opened":
        return label(BASIS_LABELS, entry.code)
    if entry.kind == "closed":
        return " ".join(t for t in (label(CLOSE_LABELS, entry.code), entry.text) if t)
    if entry.kind == "contact":
        services = ", ".join(label(SERVICE_LABELS, s) for s in entry.services)
        parts = [label(CHANNEL_LABELS, entry.code), services, entry.text]
        if entry.next_on is not None:
            parts.append(_("next: {date}").format(date=formatting.date(entry.next_on)))
        return " · ".join(p for p in parts if p)
    if entry.kind == "offer":
        answer = label(ANSWER_LABELS, entry.answer)
        if entry.answer == Answer.REFUSED.value and entry.text:
            answer = _("{answer}: {reason}").format(answer=answer, reason=entry.text)
        where = " · ".join(p for p in (entry.post, entry.employer) if p)
        return f"{label(OFFER_LABELS, entry.code)} · {where} — {answer}"
    threshold = rules.threshold_text(entry.code) if rules is not None else ""
    text = label(EVIDENCE_LABELS, entry.code).format(threshold=threshold)
    return " · ".join(t for t in (text, entry.text) if t)


class TimelineModel(RowsTableModel[Any]):
    HEADERS: ClassVar[tuple[str, ...]] = (N_("Date"), N_("What"), N_("Details"), N_("By"))
    TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rules: Any = None
        self.corrected_on: dict[uuid.UUID, Any] = {}

    def set_entries(self, entries: Any, rules: Any) -> None:
        self.rules = rules
        self.corrected_on = {
            e.corrects: e.on for e in entries if e.kind == "contact" and e.corrects
        }
        self.set_rows(list(entries))

    def cell(self, row: Any, column: int) -> str | None:
        if column == 0:
            return formatting.date(row.on)
        if column == 1:
            text = _(KINDS[row.kind])
            if row.replaced:
                text = _("{kind} (replaced by a correction)").format(kind=text)
            elif row.corrects is not None:
                text = _("{kind} (a correction)").format(kind=text)
            return text
        if column == 2:
            return entry_text(row, self.rules)
        return str(row.worker)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < len(self.rows):
            row = self.rows[index.row()]
            if row.replaced and role == Qt.ItemDataRole.ForegroundRole:
                return QColor("#808080")
            if row.replaced and role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setStrikeOut(True)
                return font
        return super().data(index, role)


class AssistancePanel(QWidget):
    """The person's plan and its timeline; actions through ``casework.plans``."""

    changed = Signal()

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assistancePanel")
        self.store = store
        self.person_id: uuid.UUID | None = None
        self.view: Any = None
        self.rules: Any = None

        self.summary = QLabel()
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.flag = QLabel()
        self.flag.setObjectName("refusalFlag")
        self.flag.setWordWrap(True)
        self.flag.setStyleSheet(ERROR_STYLE + " padding: 3px;")
        self.flag.setVisible(False)

        self.buttons: dict[str, QPushButton] = {}
        actions = QWidget()
        grid = QGridLayout(actions)
        grid.setContentsMargins(0, 0, 0, 0)
        for position, (key, text, slot) in enumerate(
            (
                ("open", _("Open a plan…"), self.open_plan),
                ("edit", _("Edit the plan…"), self.edit_plan),
                ("offer", _("Record a post offered…"), self.add_offer),
                ("answer", _("Answer to the offer…"), self.answer_offer),
                ("outcome", _("Employment outcome…"), self.record_outcome),
                ("correct", _("Correct the contact…"), self.correct_contact),
                ("close", _("Close the plan…"), self.close_plan),
            )
        ):
            button = QPushButton(text)
            button.setObjectName(f"assist_{key}")
            button.clicked.connect(slot)
            self.buttons[key] = button
            grid.addWidget(button, position // 2, position % 2)  # two columns fit a small screen
        self.more = QToolButton()
        self.more.setObjectName("assistMore")
        self.more.setText(_("More…"))
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self.more)
        self.more_actions: dict[str, QAction] = {}
        entries: tuple[tuple[str, str, Callable[[], object]], ...] = (
            ("history", _("History of changes…"), self.show_history),
            ("card", _("Print the assistance card…"), self.print_card),
            ("record", _("Print the contact record…"), self.print_record),
        )
        for key, text, handler in entries:
            action = menu.addAction(text)
            action.setObjectName(f"assist_{key}")
            action.triggered.connect(handler)
            self.more_actions[key] = action
        self.more.setMenu(menu)
        grid.addWidget(self.more, 3, 1)

        # the quick contact: today, a phone call; type what was done and press Enter
        self.quick = QGroupBox(_("Add a contact"))
        self.quick.setObjectName("quickContact")
        self.contact_date = date_edit(None, "quickDate")
        self.contact_channel = combo(CHANNEL_LABELS, "quickChannel", "phone")
        self.contact_services = ServiceBoxes()
        self.contact_note = QLineEdit()
        self.contact_note.setObjectName("quickNote")
        self.contact_note.setPlaceholderText(_("What was done (Enter saves)"))
        self.contact_next = date_edit(None, "quickNext")
        self.next_set = QPushButton(_("Next contact…"))
        self.next_set.setObjectName("quickNextSet")
        self.next_set.setCheckable(True)
        self.contact_next.setEnabled(False)
        self.next_set.toggled.connect(self.contact_next.setEnabled)
        self.add_button = QPushButton(_("Add"))
        self.add_button.setObjectName("quickAdd")
        self.add_button.clicked.connect(self.add_contact)
        self.contact_note.returnPressed.connect(self.add_contact)
        top = QHBoxLayout()
        top.addWidget(self.contact_date)
        top.addWidget(self.contact_channel)
        top.addWidget(self.next_set)
        top.addWidget(self.contact_next)
        form = QFormLayout(self.quick)
        form.addRow(top)
        form.addRow(self.contact_services)
        note_row = QHBoxLayout()
        note_row.addWidget(self.contact_note, 1)
        note_row.addWidget(self.add_button)
        form.addRow(note_row)

        self.timeline = TimelineModel(self)
        self.table = QTableView()
        self.table.setObjectName("assistanceTimeline")
        self.table.setModel(self.timeline)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._enable())

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.flag)
        layout.addWidget(actions)
        layout.addWidget(self.quick)
        layout.addWidget(self.table, 1)
        self.load(None)

    # -- loading --------------------------------------------------------------------------

    def load(self, person_id: uuid.UUID | None) -> None:
        from caseworker.casework.overview import overview
        from caseworker.casework.rules import rules_on

        self.person_id = person_id
        today = wall.today()
        self.rules = rules_on(today)
        self.view = None
        if person_id is not None:
            with self.store.reading() as session:
                self.view = overview(session, person_id, today)
        self._show()

    def _show(self) -> None:
        view = self.view
        self.flag.setVisible(False)
        if self.person_id is None:
            self.summary.setText(_("Save the person first."))
        elif view is None:
            self.summary.setText(_("No assistance plan."))
        else:
            self.summary.setText(self._summary_html(view))
            if view.is_open and view.refusals_reached:
                self.flag.setText(
                    _(
                        "Refused {n} offers since {start} ({source}): a ground to consider an "
                        "exit. The caseworker decides."
                    ).format(
                        n=view.refusals,
                        start=formatting.date(view.refusal_window_start),
                        source=self.rules.pack.param_citation("assistance_refusal_count"),
                    )
                )
                self.flag.setVisible(True)
        self.timeline.set_entries(view.entries if view is not None else (), self.rules)
        self.table.resizeRowsToContents()
        self._enable()

    def _summary_html(self, view: Any) -> str:
        plan = view.plan
        lines = [
            html.escape(
                _("Plan opened on {date}; responsible: {worker}. {basis}.").format(
                    date=formatting.date(plan.opened_on),
                    worker=view.worker,
                    basis=label(BASIS_LABELS, plan.basis),
                )
            )
        ]
        if not view.is_open:
            lines.append(
                html.escape(
                    _("Closed on {date}: {reason}.").format(
                        date=formatting.date(plan.closed_on),
                        reason=label(CLOSE_LABELS, plan.close_reason),
                    )
                )
            )
        elif view.due is not None:
            due = view.due
            text = _("Next contact due on {date} ({reason}).").format(
                date=formatting.date(due.due_on), reason=label(DUE_LABELS, due.reason)
            )
            if due.days_overdue:
                text = (
                    "<b>"
                    + html.escape(text)
                    + " "
                    + html.escape(
                        _("Overdue by {n} days.").format(n=formatting.number(due.days_overdue))
                    )
                    + "</b>"
                )
            else:
                text = html.escape(text)
            lines.append(text)
        elif view.follow_up_complete:
            lines.append(
                html.escape(_("Six months of stable work reached; the plan may close as stable."))
            )
        if plan.measures:
            lines.append(html.escape(_("Measures: {text}").format(text=plan.measures)))
        return "<br>".join(lines)

    def _selected(self) -> Any:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().hasSelection():
            return None
        return self.timeline.rows[index.row()]

    def _enable(self) -> None:
        has_person = self.person_id is not None
        is_open = self.view is not None and self.view.is_open
        selected = self._selected()
        self.buttons["open"].setEnabled(has_person and not is_open)
        for key in ("edit", "offer", "outcome", "close"):
            self.buttons[key].setEnabled(is_open)
        self.buttons["correct"].setEnabled(
            is_open
            and selected is not None
            and selected.kind == "contact"
            and not selected.replaced
        )
        self.buttons["answer"].setEnabled(
            is_open and selected is not None and selected.kind == "offer"
            and selected.answer == Answer.PENDING.value
        )  # fmt: skip
        for action in self.more_actions.values():
            action.setEnabled(has_person and self.view is not None)
        self.quick.setEnabled(is_open)

    # -- actions --------------------------------------------------------------------------

    def _run(self, work: Any) -> bool:
        """Run ``work(session, person_id)`` in one transaction; reload and tell the page."""
        if self.person_id is None:
            return False
        try:
            with self.store.transaction() as session:
                work(session, self.person_id)
        except UserError as exc:
            show_error(self, exc)
            return False
        self.load(self.person_id)
        self.changed.emit()
        return True

    def _staff(self) -> list[str]:
        from sqlalchemy import select

        from caseworker.store.models import Staff

        with self.store.reading() as session:
            return list(
                session.scalars(
                    select(Staff.name)
                    .where(Staff.deleted.is_(False), Staff.active.is_(True))
                    .order_by(Staff.name)
                )
            )

    def open_plan(self) -> bool:
        from caseworker.casework import plans

        dialog = PlanDialog(self._staff(), default_worker=self.store.actor or "", parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        values = dialog.values()
        return self._run(lambda s, pid: plans.open_plan(s, pid, **values))

    def edit_plan(self) -> bool:
        from caseworker.casework import plans

        dialog = PlanDialog(self._staff(), self.view.plan, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        values = dialog.values()
        values.pop("on")
        return self._run(lambda s, pid: plans.update_plan(s, pid, **values))

    def add_contact(self) -> bool:
        from caseworker.casework import plans

        values = {
            "on": from_qdate(self.contact_date.date()),
            "channel": self.contact_channel.currentData(),
            "services": self.contact_services.codes(),
            "note": self.contact_note.text(),
            "next_on": from_qdate(self.contact_next.date()) if self.next_set.isChecked() else None,
        }
        if not self._run(lambda s, pid: plans.add_contact(s, pid, **values)):
            return False
        self.contact_note.clear()
        self.contact_services.clear()
        self.next_set.setChecked(False)
        self.contact_note.setFocus()
        return True

    def correct_contact(self) -> bool:
        from caseworker.casework import plans

        entry = self._selected()
        if entry is None or entry.kind != "contact":
            return False
        dialog = ContactDialog(entry, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        values = dialog.values()
        return self._run(
            lambda s, pid: plans.add_contact(s, pid, supersedes=entry.record_id, **values)
        )

    def add_offer(self) -> bool:
        from caseworker.casework import plans

        dialog = OfferDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        values = dialog.values()
        return self._run(lambda s, pid: plans.add_offer(s, pid, **values))

    def answer_offer(self) -> bool:
        from caseworker.casework import plans

        entry = self._selected()
        if entry is None or entry.kind != "offer":
            return False
        dialog = AnswerDialog(entry.on, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        values = dialog.values()
        return self._run(lambda s, _pid: plans.answer_offer(s, entry.record_id, **values))

    def record_outcome(self) -> bool:
        from caseworker.casework import plans

        dialog = OutcomeDialog(self.rules, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        values = dialog.values()
        return self._run(lambda s, pid: plans.record_outcome(s, pid, **values))

    def close_plan(self) -> bool:
        from caseworker.casework import plans

        dialog = CloseDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        values = dialog.values()
        return self._run(lambda s, pid: plans.close_plan(s, pid, **values))

    def show_history(self) -> None:
        from caseworker.gui.views.history import HistoryDialog

        if self.person_id is not None:
            HistoryDialog(self.store, self.person_id, self).exec()

    def print_card(self) -> None:
        from caseworker.gui.printing.assistance import preview_card

        if self.person_id is not None:
            preview_card(self, self.store, self.person_id)

    def print_record(self) -> None:
        from caseworker.gui.printing.assistance import preview_contact_record

        if self.person_id is not None:
            preview_contact_record(self, self.store, self.person_id)
