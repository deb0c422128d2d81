"""Login, the delay after wrong passwords, the idle lock, the wizard's administrator, and the
backups page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from caseworker import bootstrap
from caseworker.gui.views.login import IdleLock, LoginDialog, UnlockDialog
from caseworker.gui.views.main_window import MainWindow
from caseworker.registry import stations
from caseworker.security import accounts, backups, encryption, keys
from caseworker.security.throttle import Throttle
from caseworker.store.engine import sqlite_url
from tests.helpers import make_id, register

PASSWORD = "admin pass 1"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def encrypted_db(tmp_path: Path) -> Path:
    path = tmp_path / "station.sqlite3"
    store = encryption.create_encrypted(sqlite_url(path), admin="王站长", password=PASSWORD)
    try:
        stations.initialise(store, "650102001", "燕儿窝街道就业服务站", ["南湖社区"])
        accounts.add(store, "王站长", "admin,head", PASSWORD)
        store.principal = accounts.authenticate(store, "王站长", PASSWORD)
        register(store, "张三丰", make_id(seq=101))
    finally:
        store.dispose()
    return path


def test_login_opens_the_encrypted_database_and_waits_longer_after_each_wrong_password(
    encrypted_db: Path, qtbot: Any
) -> None:
    clock = Clock()
    dialog = LoginDialog(str(encrypted_db), throttle=Throttle(None, clock))
    qtbot.addWidget(dialog)
    dialog.name.setText("王站长")
    dialog.password.setText("wrong password")
    dialog.ok.click()
    assert dialog.store is None
    assert not dialog.ok.isEnabled()  # the button waits
    assert dialog.message.text() == (
        "The name or the password is wrong.\nWait 1 second before the next try."
    )
    assert dialog.password.text() == ""
    clock.now += 1
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=3000)
    dialog.password.setText("wrong again")
    dialog.ok.click()
    assert "Wait 2 seconds" in dialog.message.text()
    clock.now += 2
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=3000)
    dialog.password.setText(PASSWORD)
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    try:
        assert dialog.store.principal.name == "王站长"
    finally:
        dialog.store.dispose()


def test_the_main_window_asks_for_a_login_first(
    encrypted_db: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def fake_exec(dialog: LoginDialog) -> int:
        asked.append(dialog.name.text())
        dialog.password.setText(PASSWORD)
        dialog.accept()
        return int(dialog.result())

    monkeypatch.setattr(LoginDialog, "exec", fake_exec)
    win = MainWindow(db=str(encrypted_db))
    win.login_name = "王站长"
    qtbot.addWidget(win)
    win.open_store()
    qtbot.waitUntil(lambda: win.registry is not None, timeout=20_000)
    assert asked == ["王站长"]
    assert win.store.principal.name == "王站长"
    assert win.lock_action.isEnabled()
    qtbot.waitUntil(lambda: bool(backups.list_backups(encrypted_db)), timeout=20_000)
    backup = backups.list_backups(encrypted_db)[0]
    assert backup.reason == "auto"  # the automatic backup on start
    assert "张三丰".encode() not in backup.path.read_bytes()
    win.store.dispose()


def test_the_idle_lock_hides_the_work_and_only_the_same_password_unlocks(
    encrypted_db: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caseworker.security.login import Credentials

    store = bootstrap.open_database(
        str(encrypted_db), login=Credentials("王站长", lambda: PASSWORD)
    )
    seen: list[tuple[bool, str]] = []

    def fake_exec(dialog: UnlockDialog) -> int:
        window = dialog.parentWidget()
        assert isinstance(window, MainWindow)
        central = window.centralWidget()
        assert central is not None
        seen.append((central.isVisible(), dialog.name.text()))
        dialog.password.setText("someone else's")
        dialog.ok.click()
        assert dialog.result() != QDialog.DialogCode.Accepted
        assert "The password is wrong." in dialog.message.text()
        dialog.reject()  # Escape does not unlock
        assert dialog.isVisible() or dialog.result() != QDialog.DialogCode.Accepted
        dialog.throttle = Throttle(None)  # (no wait in the test)
        dialog.password.setText(PASSWORD)
        dialog.ok.setEnabled(True)
        dialog.ok.click()
        return int(dialog.result())

    monkeypatch.setattr(UnlockDialog, "exec", fake_exec)
    try:
        win = MainWindow(store)
        qtbot.addWidget(win)
        win.show()
        assert isinstance(win.idle_lock, IdleLock)
        assert win.idle_lock.minutes == 10  # the setting's default
        win.idle_lock.set_minutes(1)
        win.idle_lock.timer.setInterval(50)  # a minute, shortened for the test
        win.idle_lock.timer.start()
        qtbot.waitUntil(lambda: bool(seen), timeout=5000)
        assert seen == [(False, "王站长")]  # the work was hidden while locked
        central = win.centralWidget()
        assert central is not None
        assert central.isVisible()
    finally:
        from caseworker.gui import tasks

        tasks.wait_for_all()
        store.dispose()


def test_input_restarts_the_idle_time(qtbot: Any) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    locks: list[int] = []
    lock = IdleLock(widget, 5, lambda: locks.append(1))
    lock.timer.start(100)  # almost due …
    QApplication.sendEvent(
        widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)
    )
    assert lock.timer.remainingTime() > 60_000  # … a key press starts the 5 minutes again
    assert locks == []
    lock.stop()


def test_the_wizard_makes_the_administrator_and_encrypts(db_path: Path, qtbot: Any) -> None:
    from caseworker.gui import setup_state
    from caseworker.store.migrate import open_store

    store = open_store(sqlite_url(db_path), actor="tester")
    answers = setup_state.SetupAnswers(
        language="en", code="650102001", name="燕儿窝站", villages_text="南湖社区",
        caseworker="古丽", password="short", password_again="short",
    )  # fmt: skip
    assert "password" in setup_state.check("caseworker", answers)
    answers.password, answers.password_again = "guli pass 1", "guli pass 2"
    assert "password_again" in setup_state.check("caseworker", answers)
    answers.password_again = "guli pass 1"
    opened = setup_state.apply(store, answers)
    try:
        assert opened.principal.name == "古丽"
        assert opened.accounts_required
        assert keys.envelope_path(db_path).exists()
        assert b"SQLite format 3" not in db_path.read_bytes()[:16]
    finally:
        opened.dispose()


def test_the_backups_page_lists_and_restores(
    encrypted_db: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caseworker.gui.views.backups import BackupsDialog
    from caseworker.security.login import Credentials

    store = bootstrap.open_database(
        str(encrypted_db), login=Credentials("王站长", lambda: PASSWORD)
    )
    restored: list[Any] = []
    dialog = BackupsDialog(store, None, restored.append)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0
    assert not dialog.restore_button.isEnabled()
    dialog.backup_button.click()
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "made by hand"
    register(store, "李四光", make_id(seq=102))
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled()
    monkeypatch.setattr(BackupsDialog, "confirm", lambda _self, _path: True)
    dialog.restore_button.click()
    assert len(restored) == 1
    try:
        with restored[0].reading() as session:
            from sqlalchemy import select

            from caseworker.store.models import Person

            assert list(session.scalars(select(Person.name))) == ["张三丰"]
        assert [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())] == [
            "replaced by a restore",
            "made by hand",
        ]
    finally:
        restored[0].dispose()


def test_the_person_page_masks_by_role(gui_store: Any, qtbot: Any) -> None:
    from caseworker.gui.views.person import PersonPage

    id_number = make_id(seq=101)
    person = register(gui_store, "张三丰", id_number, phone="18223146761")
    accounts.add(gui_store, "管理员", "admin", PASSWORD)
    gui_store.principal = accounts.authenticate(gui_store, "管理员", PASSWORD)
    accounts.add(gui_store, "李娜", "caseworker", PASSWORD)
    page = PersonPage(gui_store)
    qtbot.addWidget(page)
    page.load(person.id)  # the administrator: masked, and nothing to edit
    assert page.editors["id_number"].value() == id_number[:4] + "*" * 10 + id_number[-4:]
    assert page.editors["phone"].value() == "182****6761"
    assert not page.editors["name"].input.isEnabled()
    assert not page.save_button.isEnabled()
    gui_store.principal = accounts.authenticate(gui_store, "李娜", PASSWORD)
    page.load(person.id)  # a caseworker: the person's own page, whole
    assert page.editors["id_number"].value() == id_number
    assert page.editors["phone"].value() == "18223146761"
    assert page.editors["name"].input.isEnabled()
    assert page.save_button.isEnabled()


def test_the_settings_page_changes_the_lock_and_backups(gui_store: Any, qtbot: Any) -> None:
    from caseworker.gui.views.settings import SettingsView
    from caseworker.security import guard_settings

    accounts.add(gui_store, "管理员", "admin", PASSWORD)
    gui_store.principal = accounts.authenticate(gui_store, "管理员", PASSWORD)
    accounts.add(gui_store, "李娜", "caseworker", PASSWORD)
    gui_store.principal = accounts.authenticate(gui_store, "李娜", PASSWORD)
    view = SettingsView(gui_store)
    qtbot.addWidget(view)
    assert not view.save_guard.isEnabled()  # a caseworker sees them, an administrator sets them
    gui_store.principal = accounts.authenticate(gui_store, "管理员", PASSWORD)
    view = SettingsView(gui_store)
    qtbot.addWidget(view)
    view.guard_spins["lock_minutes"].setValue(3)
    view.guard_spins["backup_daily"].setValue(14)
    view.save_guard.click()
    assert view.guard_saved.text() == "Saved."
    assert guard_settings.read(gui_store).lock_minutes == 3
    assert guard_settings.read(gui_store).backup_daily == 14


def test_the_menus_disable_what_the_role_may_not_do(gui_store: Any, qtbot: Any) -> None:
    accounts.add(gui_store, "管理员", "admin", PASSWORD)
    gui_store.principal = accounts.authenticate(gui_store, "管理员", PASSWORD)
    accounts.add(gui_store, "李娜", "caseworker", PASSWORD)
    win = MainWindow(gui_store)
    qtbot.addWidget(win)
    for action in (win.new_action, win.import_action, win.export_action, win.demo_action,
                   win.print_roster_action, win.print_notice_action, win.sync_action):  # fmt: skip
        assert not action.isEnabled(), action.objectName()
    assert win.import_action.toolTip() == "管理员 (Administrator) may not import persons."
    assert win.import_action.statusTip() == win.import_action.toolTip()
    assert win.backups_action.isEnabled()  # the administrator's own work
    gui_store.principal = accounts.authenticate(gui_store, "李娜", PASSWORD)
    win._build_menus()
    for action in (win.new_action, win.import_action, win.export_action,
                   win.print_roster_action, win.sync_action):  # fmt: skip
        assert action.isEnabled(), action.objectName()
    assert not win.backups_action.isEnabled()
    assert "may not make a backup" in win.backups_action.toolTip()
