"""The public-welfare posts section (公益性岗位): employers and posts with their people, the
month's attendance grid (a post or all posts at once, keyboard only), and the month's roster
with its state, totals, steps and printed forms.

Every write is one transaction through :mod:`caseworker.posts`; a refusal is shown in the
tab's message line, in the user's language, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from caseworker import claims
from caseworker.core import wall
from caseworker.core.errors import UserError, ValidationError
from caseworker.core.money import Money
from caseworker.gui import formatting
from caseworker.gui.errors import log_exception, message_for
from caseworker.gui.language import label_button_box
from caseworker.gui.widgets.wheel import guard_wheel
from caseworker.i18n import _
from caseworker.posts.vocab import AREA_LABELS, HOURS_LABELS, Area, Hours

MONTHS_BACK = 24


def _item(
    text: str, *, editable: bool = False, data: object = None, right: bool = False
) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
    if editable:
        flags |= Qt.ItemFlag.ItemIsEditable
    item.setFlags(flags)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def month_label(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_combo(name: str) -> QComboBox:
    """This month and the months before it, newest first."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    month = wall.today().replace(day=1)
    for _n in range(MONTHS_BACK):
        combo.addItem(month_label(month), month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return combo


def select_month(combo: QComboBox, month: dt.date) -> bool:
    """Choose ``month`` in a month combo (False when it is not offered)."""
    for index in range(combo.count()):
        if combo.itemData(index) == month.replace(day=1):
            combo.setCurrentIndex(index)
            return True
    return False


class _Tab(QWidget):
    """A tab with a message line; :meth:`run` does one write and says what happened."""

    changed = Signal()

    def __init__(self, store: Any, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.store = store
        self.message = QLabel()
        self.message.setObjectName(f"{name}Message")
        self.message.setWordWrap(True)

    def run(self, work: Callable[[Any], str]) -> bool:
        try:
            with self.store.transaction() as session:
                text = work(session)
        except Exception as exc:  # a UserError is said; anything else is logged and said
            log_exception(exc, self.objectName())
            self.message.setText(message_for(exc))
            return False
        self.message.setText(text)
        self.changed.emit()
        return True


# ---------------------------------------------------------------------------------------------
# Employers and posts
# ---------------------------------------------------------------------------------------------


def _ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel, labelled in the user's language, accepting or rejecting ``dialog``."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    label_button_box(buttons)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class EmployerDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("employerDialog")
        self.setWindowTitle(_("Add an employer"))
        self.name = QLineEdit()
        self.credit_code = QLineEdit()
        self.contact = QLineEdit()
        self.phone = QLineEdit()
        self.bank = QLineEdit()
        self.account = QLineEdit()
        form = QFormLayout(self)
        form.addRow(_("Name"), self.name)
        form.addRow(_("Unified social credit code"), self.credit_code)
        form.addRow(_("Contact person"), self.contact)
        form.addRow(_("Phone"), self.phone)
        form.addRow(_("Bank"), self.bank)
        form.addRow(_("Bank account"), self.account)
        form.addRow(_ok_cancel(self))


class PostDialog(QDialog):
    def __init__(self, employers: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("postDialog")
        self.setWindowTitle(_("Add a post"))
        self.employer = QComboBox()
        self.employer.addItems(employers)
        self.title = QLineEdit()
        self.area = QComboBox()
        for area in Area:
            self.area.addItem(_(AREA_LABELS[area]), area.value)
        self.hours = QComboBox()
        for hours in Hours:
            self.hours.addItem(_(HOURS_LABELS[hours]), hours.value)
        self.village = QLineEdit()
        self.headcount = QSpinBox()
        self.headcount.setRange(1, 1000)
        self.standard = QLineEdit()
        self.standard.setPlaceholderText("1900.00")
        form = QFormLayout(self)
        form.addRow(_("Employer"), self.employer)
        form.addRow(_("Title"), self.title)
        form.addRow(_("Urban or rural"), self.area)
        form.addRow(_("Hours"), self.hours)
        form.addRow(_("Village or community"), self.village)
        form.addRow(_("Headcount"), self.headcount)
        form.addRow(_("Monthly standard (yuan)"), self.standard)
        form.addRow(_ok_cancel(self))
        guard_wheel(self)


class PostsTab(_Tab):
    open_person_requested = Signal(object)

    def __init__(self, store: Any) -> None:
        super().__init__(store, "postsTab")
        self.add_employer_button = QPushButton(_("Add an employer…"))
        self.add_employer_button.setObjectName("addEmployer")
        self.add_employer_button.clicked.connect(self.add_employer)
        self.add_post_button = QPushButton(_("Add a post…"))
        self.add_post_button.setObjectName("addPost")
        self.add_post_button.clicked.connect(self.add_post)
        self.posts = _table("postTable", [
            _("Employer"), _("Post"), _("Village or community"), _("Urban or rural"),
            _("Hours"), _("Places taken"), _("Monthly standard"),
        ])  # fmt: skip
        self.posts.itemSelectionChanged.connect(self._show_people)
        self.people = _table("postPeople", [
            _("Name"), _("ID number"), _("Start"), _("Subsidy until"), _("Left on"),
        ])  # fmt: skip
        self.people.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.people.itemActivated.connect(self._open_person)
        self.posts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.ending = QLabel()
        self.ending.setObjectName("endingSoon")
        self.ending.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.add_employer_button)
        top.addWidget(self.add_post_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.posts, 3)
        layout.addWidget(QLabel(_("People of the post")))
        layout.addWidget(self.people, 2)
        layout.addWidget(self.ending)
        layout.addWidget(self.message)

    def reload(self) -> None:
        from caseworker.posts import service

        with self.store.reading() as session:
            rows = service.post_rows(session)
            ending = service.ending_soon(session, wall.today())
        self.posts.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = [
                row.employer, row.title, row.village, _(AREA_LABELS[Area(row.area)]),
                _(HOURS_LABELS[Hours(row.hours)]),
                f"{formatting.number(row.occupied)} / {formatting.number(row.headcount)}",
                formatting.money(row.standard.yuan),
            ]  # fmt: skip
            for c, text in enumerate(values):
                self.posts.setItem(r, c, _item(text, data=row.id, right=c >= 5))
        self.posts.resizeColumnsToContents()
        self.ending.setText(
            _("Subsidy period ending within a month: {names}").format(
                names="、".join(f"{e.name} ({formatting.date(e.subsidy_until)})" for e in ending)
            )
            if ending
            else ""
        )
        self._show_people()

    def selected_post(self) -> uuid.UUID | None:
        row = self.posts.currentRow()
        item = self.posts.item(row, 0) if row >= 0 else None
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, uuid.UUID) else None

    def _show_people(self) -> None:
        from caseworker.posts import service

        post_id = self.selected_post()
        self.people.setRowCount(0)
        if post_id is None:
            return
        with self.store.reading() as session:
            rows = service.people_of_post(session, post_id)
        self.people.setRowCount(len(rows))
        for r, (placement, person) in enumerate(rows):
            values = [
                person.name, formatting.masked_id(person.id_number),
                formatting.date(placement.starts_on), formatting.date(placement.subsidy_until),
                formatting.date(placement.ended_on),
            ]  # fmt: skip
            for c, text in enumerate(values):
                self.people.setItem(r, c, _item(text, data=person.id))

    def _open_person(self, item: QTableWidgetItem) -> None:
        value = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(value, uuid.UUID):
            self.open_person_requested.emit(value)

    def add_employer(self) -> None:
        dialog = EmployerDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.save_employer(dialog)

    def save_employer(self, dialog: EmployerDialog) -> bool:
        from caseworker.posts import service

        def work(session: Any) -> str:
            employer = service.add_employer(
                session, self.store.station_code, name=dialog.name.text(),
                credit_code=dialog.credit_code.text(), contact_name=dialog.contact.text(),
                phone=dialog.phone.text(), bank_name=dialog.bank.text(),
                bank_account=dialog.account.text(),
            )  # fmt: skip
            return _("Employer {name} added.").format(name=employer.name)

        done = self.run(work)
        self.reload()
        return done

    def add_post(self) -> None:
        from caseworker.posts import service

        with self.store.reading() as session:
            names = [e.name for e in service.employers(session)]
        if not names:
            self.message.setText(_("Add an employer first."))
            return
        dialog = PostDialog(names, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.save_post(dialog)

    def save_post(self, dialog: PostDialog) -> bool:
        from caseworker.posts import service

        def work(session: Any) -> str:
            post = service.add_post(
                session, self.store.station_code, employer=dialog.employer.currentText(),
                title=dialog.title.text(), area=str(dialog.area.currentData()),
                hours=str(dialog.hours.currentData()), village=dialog.village.text(),
                headcount=dialog.headcount.value(),
                standard=Money.parse(dialog.standard.text(), "standard"),
            )  # fmt: skip
            return _("Post {title} added.").format(title=post.title)

        done = self.run(work)
        self.reload()
        return done


# ---------------------------------------------------------------------------------------------
# Attendance grid
# ---------------------------------------------------------------------------------------------

GRID_REQUIRED, GRID_WORKED, GRID_SCORE, GRID_NOTE = 4, 5, 6, 7


class AttendanceTab(_Tab):
    def __init__(self, store: Any) -> None:
        super().__init__(store, "attendanceTab")
        self.month = month_combo("attendanceMonth")
        self.post = QComboBox()
        self.post.setObjectName("attendancePost")
        self.post.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.grid = _table("attendanceGrid", [
            _("Name"), _("ID number"), _("Post"), _("Possible days"), _("Required days"),
            _("Days worked"), _("Score"), _("Note"),
        ])  # fmt: skip
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.calendar_days = QLabel()
        self.calendar_days.setObjectName("calendarDays")
        self.save_button = QPushButton(_("Save the attendance"))
        self.save_button.setObjectName("saveAttendance")
        self.save_button.clicked.connect(self.save)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Month")))
        top.addWidget(self.month)
        top.addWidget(QLabel(_("Post")))
        top.addWidget(self.post, 1)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.calendar_days)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.message)
        self.month.currentIndexChanged.connect(lambda _i: self.load_grid())
        self.post.currentIndexChanged.connect(lambda _i: self.load_grid())

    def reload(self) -> None:
        from caseworker.posts import service

        with self.store.reading() as session:
            rows = service.post_rows(session)
        current = self.post.currentData()
        self.post.blockSignals(True)
        self.post.clear()
        self.post.addItem(_("All posts"), None)
        for row in rows:
            self.post.addItem(f"{row.title} · {row.village or row.employer}", row.id)
        self.post.setCurrentIndex(max(0, self.post.findData(current)))
        self.post.blockSignals(False)
        self.load_grid()

    def load_grid(self) -> None:
        from caseworker.posts import attendance

        month = self.month.currentData()
        if not isinstance(month, dt.date):
            return
        with self.store.reading() as session:
            rows = attendance.grid(session, month, post_id=self.post.currentData())
            locked = attendance.locked(session, month)
        self.calendar_days.setText(
            _("{month}: {n} working days on the calendar.").format(
                month=month_label(month), n=attendance.calendar_days(month)
            )
            + (" " + _("The month's roster is locked.") if locked else "")
        )
        self.grid.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = [
                (row.name, False), (formatting.masked_id(row.id_number), False),
                (row.post, False), (formatting.number(row.possible), False),
                ("" if row.required is None else str(row.required), not locked),
                ("" if row.worked is None else str(row.worked), not locked),
                ("" if row.score is None else str(row.score), not locked),
                (row.note, not locked),
            ]  # fmt: skip
            for c, (text, editable) in enumerate(cells):
                self.grid.setItem(r, c, _item(text, editable=editable, data=row.placement_id))
        self.grid.resizeColumnsToContents()
        self.save_button.setEnabled(not locked)

    def _number(self, r: int, c: int, name: str) -> int | None:
        item = self.grid.item(r, c)
        text = item.text().strip() if item is not None else ""
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError(
                _("Row {row}: {value} is not a whole number ({field}).").format(
                    row=r + 1, value=text, field=name
                )
            )
        return int(text)

    def entries(self) -> list[tuple[uuid.UUID, Any]]:
        """The rows with days worked entered (others are left as they are)."""
        from caseworker.posts.attendance import Entry

        out = []
        for r in range(self.grid.rowCount()):
            worked = self._number(r, GRID_WORKED, _("Days worked"))
            if worked is None:
                continue
            item = self.grid.item(r, 0)
            assert item is not None
            note = self.grid.item(r, GRID_NOTE)
            out.append(
                (
                    item.data(Qt.ItemDataRole.UserRole),
                    Entry(
                        worked=worked,
                        required=self._number(r, GRID_REQUIRED, _("Required days")),
                        score=self._number(r, GRID_SCORE, _("Score")),
                        note=note.text() if note is not None else "",
                    ),
                )
            )
        return out

    def save(self) -> bool:
        from caseworker.posts import attendance

        month = self.month.currentData()
        assert isinstance(month, dt.date)
        try:
            entries = self.entries()
        except UserError as exc:
            self.message.setText(str(exc))
            return False

        def work(session: Any) -> str:
            n = attendance.save_grid(session, month, entries)
            return _("Attendance of {n} persons saved for {month}.").format(
                n=n, month=month_label(month)
            )

        done = self.run(work)
        if done:
            self.load_grid()
        return done


# ---------------------------------------------------------------------------------------------
# The month's roster
# ---------------------------------------------------------------------------------------------


class CorrectionDialog(QDialog):
    """Correct a line of a locked roster: the corrected days, the later month whose draft
    roster takes the difference, and why (see :func:`caseworker.posts.payroll.correct`)."""

    def __init__(
        self, name: str, month: dt.date, required: int, worked: int, into: list[dt.date],
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("correctionDialog")
        self.setWindowTitle(_("Correct a line of a locked roster"))
        intro = QLabel(
            _(
                "{name}, {month}: the roster is locked. The difference goes into the draft "
                "roster of a later month as an adjustment line."
            ).format(name=name, month=month_label(month))
        )
        intro.setWordWrap(True)
        self.required = QSpinBox()
        self.required.setObjectName("correctRequired")
        self.required.setRange(0, 31)
        self.required.setValue(required)
        self.worked = QSpinBox()
        self.worked.setObjectName("correctWorked")
        self.worked.setRange(0, 31)
        self.worked.setValue(worked)
        self.into = QComboBox()
        self.into.setObjectName("correctInto")
        self.into.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for later in into:
            self.into.addItem(month_label(later), later)
        self.note = QLineEdit()
        self.note.setObjectName("correctNote")
        for box in (self.required, self.worked, self.into):
            guard_wheel(box)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow(_("Required days"), self.required)
        form.addRow(_("Days worked"), self.worked)
        form.addRow(_("Into the roster of"), self.into)
        form.addRow(_("Why"), self.note)
        form.addRow(_ok_cancel(self))


class RosterTab(_Tab):
    def __init__(self, store: Any) -> None:
        super().__init__(store, "rosterTab")
        self.month = month_combo("rosterMonth")
        self.state = QLabel()
        self.state.setObjectName("rosterState")
        self.table = _table("rosterTable", [
            _("Name"), _("ID number"), _("Post"), _("Required days"), _("Days worked"),
            _("Standard"), _("Post subsidy"), _("Social insurance"), _("Corrects"),
        ])  # fmt: skip
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.totals = QLabel()
        self.totals.setObjectName("rosterTotals")
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Month")))
        row.addWidget(self.month)
        row.addWidget(self.state, 1)
        steps = QHBoxLayout()
        for key, text in (
            ("build", _("Build")),
            ("submit", _("Submit")),
            ("approve", _("Approved")),
            ("paid", _("Paid")),
        ):
            button = QPushButton(text)
            button.setObjectName(f"roster_{key}")
            button.clicked.connect(lambda _c=False, k=key: self.step(k))
            self.buttons[key] = button
            steps.addWidget(button)
        self.correct_button = QPushButton(_("Correct the line…"))
        self.correct_button.setObjectName("rosterCorrect")
        self.correct_button.setToolTip(
            _("A line of a submitted, approved or paid roster is corrected in a later month.")
        )
        self.correct_button.clicked.connect(self.correct_selected)
        self.correct_button.setEnabled(False)
        steps.addWidget(self.correct_button)
        self.print_button = QToolButton()
        self.print_button.setObjectName("rosterPrint")
        self.print_button.setText(_("Print…"))
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.print_button)
        from caseworker.gui.printing.posts import FORMS

        for form, (text, _stem, _render) in FORMS.items():
            action = menu.addAction(_(text))
            action.setObjectName(f"print_{form}")
            action.triggered.connect(lambda _c=False, f=form: self.print_form(f))
        self.print_button.setMenu(menu)
        steps.addStretch(1)
        steps.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(steps)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.message)
        self.month.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.itemSelectionChanged.connect(self._update_correct)
        self.lines: dict[uuid.UUID, Any] = {}
        self.locked = False

    def current_month(self) -> dt.date:
        month = self.month.currentData()
        assert isinstance(month, dt.date)
        return month

    def reload(self) -> None:
        from caseworker.posts import payroll

        with self.store.reading() as session:
            roster = payroll.roster(session, self.current_month())
        built = roster.claim_id is not None
        self.state.setText(
            _("State: {state}").format(state=claims.state_label(roster.state))
            if built
            else _("Not built yet.")
        )
        self.lines = {line.line_id: line for line in roster.lines}
        self.locked = built and roster.state != claims.ClaimState.DRAFT
        self.table.setRowCount(len(roster.lines))
        for r, line in enumerate(roster.lines):
            values = [
                line.name, formatting.masked_id(line.id_number), line.post,
                formatting.number(line.required), formatting.number(line.worked),
                formatting.money(line.standard.yuan), formatting.money(line.amount.yuan),
                formatting.money(line.social_insurance.yuan),
                month_label(line.corrects_month) if line.corrects_month else "",
            ]  # fmt: skip
            for c, text in enumerate(values):
                self.table.setItem(r, c, _item(text, data=line.line_id, right=3 <= c <= 7))
        self.table.resizeColumnsToContents()
        self.totals.setText(
            _("{n} persons; post subsidies {amount}; social insurance {si}.").format(
                n=formatting.number(roster.persons),
                amount=formatting.money(roster.total_amount.yuan),
                si=formatting.money(roster.total_social_insurance.yuan),
            )
        )
        state = roster.state
        self.buttons["build"].setEnabled(state == claims.ClaimState.DRAFT)
        self.buttons["submit"].setEnabled(built and state == claims.ClaimState.DRAFT)
        self.buttons["approve"].setEnabled(state == claims.ClaimState.SUBMITTED)
        self.buttons["paid"].setEnabled(state == claims.ClaimState.APPROVED)
        self._update_correct()

    def selected_line(self) -> Any:
        """The selected line of the roster, if it is one a correction can take (not itself an
        adjustment)."""
        chosen = self.table.selectedItems()
        item = chosen[0] if chosen else None
        line = self.lines.get(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        return line if line is not None and line.corrects is None else None

    def _update_correct(self) -> None:
        self.correct_button.setEnabled(self.locked and self.selected_line() is not None)

    def later_months(self) -> list[dt.date]:
        """The months after the shown one, up to this month (newest first)."""
        month = self.current_month()
        return [m for i in range(self.month.count()) if (m := self.month.itemData(i)) > month]

    def correct_selected(self) -> None:
        line = self.selected_line()
        if line is None or not self.locked:
            return
        later = self.later_months()
        if not later:
            self.message.setText(
                _("An adjustment goes into a month after {month}.").format(
                    month=month_label(self.current_month())
                )
                + " "
                + _("Correct this line when the next month has begun.")
            )
            return
        dialog = CorrectionDialog(
            line.name, self.current_month(), line.required, line.worked, later, self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.save_correction(line.line_id, dialog)

    def save_correction(self, line_id: uuid.UUID, dialog: CorrectionDialog) -> bool:
        from caseworker.posts import payroll

        into = dialog.into.currentData()
        assert isinstance(into, dt.date)

        def work(session: Any) -> str:
            adjustment = payroll.correct(
                session, line_id, into=into, worked=dialog.worked.value(),
                required=dialog.required.value(), note=dialog.note.text(),
            )  # fmt: skip
            return _("Adjustment of {amount} yuan added to the roster of {month}.").format(
                amount=formatting.money(adjustment.amount.yuan), month=claims.month_text(into)
            )

        done = self.run(work)
        self.reload()
        return done

    def step(self, key: str) -> bool:
        from caseworker.posts import payroll
        from caseworker.recognition.service import _actor_id

        month = self.current_month()

        def work(session: Any) -> str:
            if key == "build":
                result = payroll.build(session, month, self.store.station_code)
                text = _("The roster of {month} is built: {n} lines.").format(
                    month=month_label(month), n=result.lines
                )
                if result.missing:
                    text += " " + _("No attendance yet: {names}.").format(
                        names="、".join(m.name for m in result.missing)
                    )
                return text
            action = {
                "submit": claims.Action.SUBMIT,
                "approve": claims.Action.APPROVE,
                "paid": claims.Action.PAY,
            }[key]
            claim = payroll.step(session, month, action, _actor_id(session))
            return _("The roster of {month} is now {state}.").format(
                month=month_label(month), state=claims.state_label(claim.state)
            )

        done = self.run(work)
        self.reload()
        return done

    def print_form(self, form: str) -> Any:
        from caseworker.gui.printing.posts import preview_post_form

        return preview_post_form(self, self.store, form, self.current_month())


class PostsView(QWidget):
    """The section: three tabs."""

    open_person_requested = Signal(object)

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("postsView")
        self.store = store
        self.tabs = QTabWidget()
        self.tabs.setObjectName("postsTabs")
        self.posts_tab = PostsTab(store)
        self.attendance_tab = AttendanceTab(store)
        self.roster_tab = RosterTab(store)
        self.tabs.addTab(self.posts_tab, _("Employers and posts"))
        self.tabs.addTab(self.attendance_tab, _("Attendance"))
        self.tabs.addTab(self.roster_tab, _("Monthly roster"))
        self.posts_tab.open_person_requested.connect(self.open_person_requested)
        self.tabs.currentChanged.connect(lambda _i: self.reload())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        guard_wheel(self)

    def reload(self) -> None:
        widget = self.tabs.currentWidget()
        reload = getattr(widget, "reload", None)
        if reload is not None:
            reload()
