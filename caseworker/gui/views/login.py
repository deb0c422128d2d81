"""Logging in and the idle lock.

- :class:`LoginDialog`: the name and the password; the database opens as that staff member
  (an encrypted file opens only with a right password).  After a wrong password the button
  waits, longer after each failure (the delays of :mod:`caseworker.security.throttle`).
- :class:`IdleLock`: after the idle minutes of the setting ``lock_minutes`` without a
  key or a mouse click, the window hides its content and asks the same staff member's
  password (:class:`UnlockDialog`); nobody else can unlock it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from caseworker import bootstrap
from caseworker.core.errors import UserError
from caseworker.gui.language import label_button_box
from caseworker.gui.widgets.fields import ERROR_STYLE
from caseworker.i18n import _, ngettext
from caseworker.security.login import Credentials, throttle_key
from caseworker.security.throttle import Throttle

log = logging.getLogger(__name__)


class _PasswordDialog(QDialog):
    """A name, a password, a message line and OK; OK waits after wrong passwords."""

    def __init__(self, parent: QWidget | None, throttle: Throttle | None) -> None:
        super().__init__(parent)
        self.throttle = throttle or Throttle(bootstrap.login_delays())
        self.name = QLineEdit()
        self.name.setObjectName("loginName")
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        label_button_box(self.buttons)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("loginButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QFormLayout(self)
        self.name_label = QLabel(_("Name"))
        self.layout_.addRow(self.name_label, self.name)
        self.layout_.addRow(QLabel(_("Password")), self.password)
        self.layout_.addRow(self.message)
        self.layout_.addRow(self.buttons)
        self._reason = ""
        self._key = ""
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)
        self.setMinimumWidth(420)

    def hold(self, key: str, reason: str) -> None:
        """Show ``reason`` and keep OK disabled until the delay after the failure is over."""
        self._key, self._reason = key, reason
        self.password.clear()
        self._count_down()
        if not self.ok.isEnabled():
            self._tick.start()

    def _count_down(self) -> None:
        wait = self.throttle.wait_seconds(self._key) if self._key else 0
        if wait > 0:
            self.ok.setEnabled(False)
            self.message.setText(
                self._reason
                + "\n"
                + ngettext(
                    "Wait {n} second before the next try.",
                    "Wait {n} seconds before the next try.",
                    wait,
                ).format(n=wait)
            )
            return
        self._tick.stop()
        self.ok.setEnabled(True)
        self.message.setText(self._reason)


class LoginDialog(_PasswordDialog):
    """Opens the database at ``db`` as the staff member who logs in (:attr:`store`)."""

    def __init__(
        self,
        db: str | None,
        parent: QWidget | None = None,
        *,
        name: str = "",
        throttle: Throttle | None = None,
    ) -> None:
        super().__init__(parent, throttle)
        self.setObjectName("loginDialog")
        self.setWindowTitle(_("Log in"))
        self.db = db
        self.store: Any = None
        self.name.setText(name)
        (self.password if name else self.name).setFocus()

    def accept(self) -> None:
        name = self.name.text().strip()
        password = self.password.text()
        if not name or not password:
            self.message.setText(_("Enter your name and your password."))
            return
        try:
            self.store = bootstrap.open_database(
                self.db,
                login=Credentials(name, lambda: password),
                throttle=self.throttle,
            )
        except UserError as exc:
            log.info("login refused")
            url = bootstrap.database_url(self.db)
            self.hold(throttle_key(url, name), str(getattr(exc, "reason", exc)))
            return
        super().accept()


class UnlockDialog(_PasswordDialog):
    """The locked screen's question: the password of the staff member who is logged in."""

    def __init__(
        self,
        store: Any,
        parent: QWidget | None = None,
        *,
        throttle: Throttle | None = None,
    ) -> None:
        super().__init__(parent, throttle)
        self.setObjectName("unlockDialog")
        self.store = store
        self.setWindowTitle(_("Locked"))
        self.name.setText(store.principal.name)
        self.name.setReadOnly(True)
        self.name_label.setText(_("Logged in"))
        self.info = QLabel(_("The screen is locked. Enter your password to go on."))
        self.info.setObjectName("lockInfo")
        self.info.setWordWrap(True)
        self.layout_.insertRow(0, self.info)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setVisible(False)  # only the password unlocks (or closing the program)
        self.password.setFocus()

    def reject(self) -> None:
        """A locked screen cannot be dismissed without the password (close the program)."""

    def accept(self) -> None:
        from caseworker.security import accounts

        name = self.store.principal.name
        key = throttle_key(bootstrap.database_url(self.store.location), name)
        if self.throttle.wait_seconds(key) > 0:
            self._count_down()
            return
        if accounts.verify_password(self.store, name, self.password.text()):
            self.throttle.succeeded(key)
            super().accept()
            return
        self.throttle.failed(key)
        self.hold(key, _("The password is wrong."))


class IdleLock(QObject):
    """Locks ``window`` after ``minutes`` without a key or a mouse click in the program."""

    locked = Signal()

    _INPUT = (
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    )

    def __init__(self, window: QWidget, minutes: int, on_lock: Callable[[], None]) -> None:
        super().__init__(window)
        self.on_lock = on_lock
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._lock)
        self.set_minutes(minutes)
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.minutes = max(0, minutes)
        if self.minutes:
            self.timer.start(self.minutes * 60_000)
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._INPUT and self.minutes and not self.is_locked:
            self.timer.start(self.minutes * 60_000)
        return False

    is_locked = False

    def _lock(self) -> None:
        self.is_locked = True
        self.locked.emit()
        try:
            self.on_lock()
        finally:
            self.is_locked = False
            if self.minutes:
                self.timer.start(self.minutes * 60_000)

    def stop(self) -> None:
        self.timer.stop()
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
