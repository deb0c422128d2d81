"""The person page's placement tab (公益性岗位安置): the person's placements in order, each
with its subsidy end date and the rule that set it; start, renew and exit."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from caseworker.core import wall
from caseworker.gui import formatting
from caseworker.gui.errors import log_exception, message_for
from caseworker.gui.views.posts import _item, _table
from caseworker.gui.widgets.dates import DateField
from caseworker.gui.widgets.wheel import guard_wheel
from caseworker.i18n import _
from caseworker.posts.vocab import CONTRACT_LABELS, EXIT_LABELS, Contract, ExitReason


class PlacementPanel(QScrollArea):
    changed = Signal()

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("placementPanel")
        self.setWidgetResizable(True)
        self.store = store
        self.person_id: uuid.UUID | None = None
        self.current = QLabel()
        self.current.setObjectName("placementCurrent")
        self.current.setWordWrap(True)
        self.history = _table("placementHistory", [
            _("Post"), _("Start"), _("Left on"), _("Subsidy until"), _("Exit"),
        ])  # fmt: skip
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setMinimumHeight(110)

        self.start_box = QGroupBox(_("Place in a post"))
        self.post = QComboBox()
        self.post.setObjectName("placementPost")
        self.start_on = DateField(name="placementStart", latest=wall.today())
        self.contract = QComboBox()
        self.contract.setObjectName("placementContract")
        for contract in Contract:
            self.contract.addItem(_(CONTRACT_LABELS[contract]), contract.value)
        self.start_button = QPushButton(_("Place"))
        self.start_button.setObjectName("placementStartButton")
        self.start_button.clicked.connect(self.start)
        form = QFormLayout(self.start_box)
        form.addRow(_("Post"), self.post)
        form.addRow(_("First day"), self.start_on)
        form.addRow(_("Contract"), self.contract)
        form.addRow(self.start_button)

        self.end_box = QGroupBox(_("Exit from the post"))
        self.end_on = DateField(name="placementEnd", latest=wall.today())
        self.reason = QComboBox()
        self.reason.setObjectName("placementReason")
        for reason in ExitReason:
            self.reason.addItem(_(EXIT_LABELS[reason]), reason.value)
        self.note = QLineEdit()
        self.end_button = QPushButton(_("Record the exit"))
        self.end_button.setObjectName("placementEndButton")
        self.end_button.clicked.connect(self.end)
        self.renew_button = QPushButton(_("Renew the contract for a year"))
        self.renew_button.setObjectName("placementRenew")
        self.renew_button.clicked.connect(self.renew)
        form = QFormLayout(self.end_box)
        form.addRow(_("Last day"), self.end_on)
        form.addRow(_("Reason"), self.reason)
        form.addRow(_("Note"), self.note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.renew_button)
        buttons.addWidget(self.end_button)
        form.addRow(buttons)

        self.message = QLabel()
        self.message.setObjectName("placementMessage")
        self.message.setWordWrap(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.current)
        layout.addWidget(self.history)
        layout.addWidget(self.start_box)
        layout.addWidget(self.end_box)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.setWidget(body)
        guard_wheel(self)

    def load(self, person_id: uuid.UUID | None, *, read_only: bool = False) -> None:
        from caseworker.posts import service
        from caseworker.posts.rules import rule_text, rules_on
        from caseworker.store.models import Person

        self.person_id = person_id
        self.message.setText("")
        self.history.setRowCount(0)
        self.setEnabled(person_id is not None)
        if person_id is None:
            self.current.setText("")
            return
        with self.store.reading() as session:
            person = session.get(Person, person_id)
            assert person is not None
            read_only = read_only or person.deleted
            history = service.placements_of(session, person_id)
            titles = {p.post_id: service.get_post(session, p.post_id).title for p in history}
            posts = service.post_rows(session)
            current = service.open_placement(session, person_id)
            text = _("Not placed in a public-welfare post.")
            if current is not None:
                rules = rules_on(current.starts_on)
                text = _("In the post {post} since {start}; subsidies until {until}: {rule}.").format(
                    post=titles[current.post_id],
                    start=formatting.date(current.starts_on),
                    until=formatting.date(current.subsidy_until),
                    rule=rule_text(
                        current.subsidy_rule, rules,
                        retirement=service.retirement_of(person, rules),
                    ),
                )  # fmt: skip
        self.current.setText(text)
        self.history.setRowCount(len(history))
        for r, p in enumerate(history):
            values = [
                titles[p.post_id], formatting.date(p.starts_on), formatting.date(p.ended_on),
                formatting.date(p.subsidy_until),
                _(EXIT_LABELS[ExitReason(p.end_reason)]) if p.end_reason else "",
            ]  # fmt: skip
            for c, value in enumerate(values):
                self.history.setItem(r, c, _item(value))
        self.history.resizeColumnsToContents()
        self.post.clear()
        for row in posts:
            self.post.addItem(
                f"{row.title} · {row.employer} ({row.occupied}/{row.headcount})", row.id
            )
        self.start_box.setEnabled(current is None and not read_only)
        self.end_box.setEnabled(current is not None and not read_only)

    def _run(self, work: Any) -> bool:
        try:
            with self.store.transaction() as session:
                text = work(session)
        except Exception as exc:
            log_exception(exc, "placements")
            self.message.setText(message_for(exc))
            return False
        assert self.person_id is not None
        self.load(self.person_id)
        self.message.setText(text)
        self.changed.emit()
        return True

    def start(self) -> bool:
        from caseworker.posts import service

        on, post_id, person_id = self.start_on.date(), self.post.currentData(), self.person_id
        if on is None or post_id is None or person_id is None:
            self.message.setText(_("Choose a post and the first day."))
            return False

        def work(session: Any) -> str:
            placement = service.start_placement(
                session, person_id, post_id=post_id, on=on,
                contract=str(self.contract.currentData()),
            )  # fmt: skip
            return _("Placed from {start}; subsidies until {until}.").format(
                start=formatting.date(placement.starts_on),
                until=formatting.date(placement.subsidy_until),
            )

        return self._run(work)

    def end(self) -> bool:
        from caseworker.posts import service

        on, person_id = self.end_on.date(), self.person_id
        if on is None or person_id is None:
            self.message.setText(_("Enter the last day in the post."))
            return False

        def work(session: Any) -> str:
            service.end_placement(
                session, person_id, on=on, reason=str(self.reason.currentData()),
                note=self.note.text(),
            )  # fmt: skip
            return _("Left the post on {date}.").format(date=formatting.date(on))

        return self._run(work)

    def renew(self) -> bool:
        from caseworker.posts import service

        person_id = self.person_id
        assert person_id is not None

        def work(session: Any) -> str:
            placement = service.renew(session, person_id)
            return _("Contract renewed until {date}.").format(
                date=formatting.date(placement.contract_until)
            )

        return self._run(work)
