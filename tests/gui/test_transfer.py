"""Import and export in the window: check, ask, write all or nothing, with progress and Cancel."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from caseworker.gui.views.main_window import MainWindow
from caseworker.registry import persons
from tests.gui.conftest import MessageBoxes
from tests.helpers import make_id, register


@pytest.fixture
def window(gui_store: Any, qtbot: Any) -> MainWindow:
    register(gui_store, "张三", make_id(seq=11))
    win = MainWindow(gui_store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.registry.model.rowCount() == 1)
    return win


def csv_file(tmp_path: Path, count: int) -> Path:
    import datetime as dt

    born = dt.date(1980, 1, 1)
    lines = [
        f"李{'一二三四五六七八九十'[i % 10]},{make_id(birth=born + dt.timedelta(days=i // 400), seq=1 + 2 * (i % 400))}"
        for i in range(count)
    ]
    path = tmp_path / "persons.csv"
    path.write_text("姓名,身份证号\n" + "\n".join([*lines, "赵六,bad"]) + "\n", encoding="utf-8")
    return path


def hook_inserts(monkeypatch: pytest.MonkeyPatch, before: Any) -> None:
    """Write in chunks of 20 and call ``before(n)`` ahead of the n-th bulk insert."""
    from caseworker.registry import importing

    original = importing.changelog.insert_records
    calls = {"n": 0}

    def hooked(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        before(calls["n"])
        original(*args, **kwargs)

    monkeypatch.setattr(importing, "CHUNK", 20)
    monkeypatch.setattr(importing.changelog, "insert_records", hooked)


def count(store: Any) -> int:
    with store.reading() as session:
        return persons.count(session)


def test_the_import_checks_asks_and_writes(
    window: MainWindow, qtbot: Any, tmp_path: Path, message_boxes: MessageBoxes
) -> None:
    buttons: list[set[str]] = []
    original = message_boxes.exec

    def exec_and_note(box: QMessageBox) -> int:
        buttons.append({b.text() for b in box.buttons()})
        return original(box)

    message_boxes.exec = exec_and_note  # type: ignore[method-assign]
    window.run_import(csv_file(tmp_path, 3))
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 2, timeout=20_000)
    (name, text, info), (result_name, result, _info) = message_boxes.shown
    assert name == "importConfirm"
    assert "3 of the 4 rows of persons.csv can be imported" in text
    assert "Refused: 1" in text
    assert "Nothing has been written yet" in info
    assert "Import 3 persons" in buttons[0]
    assert "Cancel" in buttons[0]
    assert result_name == "importResult"
    assert "Imported 3 of 4 rows, all in one step" in result
    assert count(window.store) == 4
    qtbot.waitUntil(lambda: window.count_label.text() == "4 persons")


def test_the_import_says_what_it_does_with_households(
    window: MainWindow, qtbot: Any, tmp_path: Path, message_boxes: MessageBoxes
) -> None:
    from caseworker.registry import households

    shots: list[QMessageBox] = []
    original = message_boxes.exec

    def exec_and_keep(box: QMessageBox) -> int:
        box.show()  # (a picture of each box stays in tmp_path, to look at)
        box.grab().save(str(tmp_path / f"import-households-{len(shots)}.png"))
        box.hide()
        shots.append(box)
        return original(box)

    message_boxes.exec = exec_and_keep  # type: ignore[method-assign]
    head, spouse = make_id(seq=21), make_id(seq=23)
    path = tmp_path / "families.csv"
    path.write_text(
        "户编号,姓名,身份证号,与户主关系,常住地址\n"
        f"H-1,李梅,{spouse},配偶,\nH-1,王强,{head},户主,红旗村3组\nH-2,赵六,{make_id(seq=25)},子,\n",
        encoding="utf-8",
    )
    window.run_import(path)
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 2, timeout=20_000)
    (_name, text, info), (_result_name, result, _info) = message_boxes.shown
    assert "2 of the 3 rows of families.csv can be imported" in text
    assert "Households: 1 new, 2 members added" in info
    assert "Households: 1 new, 2 members added" in result
    assert "The household H-2 has no row with 与户主关系 户主." in shots[0].detailedText()
    with window.store.reading() as session:
        found = persons.find_by_id_number(session, head)
        assert found is not None
        household = households.of_person(session, found.id)
        assert household is not None
        assert (household.station_key, household.address) == ("H-1", "红旗村3组")
    from caseworker.gui.views.household import HouseholdBox

    box = HouseholdBox(window.store)
    qtbot.addWidget(box)
    box.load(found.id)
    assert box.title() == "Household H-1"
    assert box.model.rowCount() == 2
    box.resize(520, 300)
    box.show()
    box.grab().save(str(tmp_path / "household-box.png"))


def test_saying_no_writes_nothing(
    window: MainWindow, qtbot: Any, tmp_path: Path, message_boxes: MessageBoxes
) -> None:
    message_boxes.answer = QMessageBox.StandardButton.Cancel
    job = window.run_import(csv_file(tmp_path, 3))
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=20_000)
    qtbot.waitUntil(job.done.is_set)
    assert len(message_boxes.shown) == 1
    assert count(window.store) == 1


def test_cancel_while_writing_writes_nothing(
    window: MainWindow,
    qtbot: Any,
    tmp_path: Path,
    message_boxes: MessageBoxes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook_inserts(monkeypatch, lambda _n: time.sleep(0.05))
    window.run_import(csv_file(tmp_path, 1000))
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 1, timeout=30_000)

    def writing() -> QProgressDialog | None:
        for dialog in window.findChildren(QProgressDialog, "progressDialog"):
            if "Writing" in dialog.labelText() and dialog.value() > 0:
                return dialog
        return None

    qtbot.waitUntil(lambda: writing() is not None, timeout=30_000)
    dialog = writing()
    assert dialog is not None
    assert "Writing the persons of persons.csv" in dialog.labelText()
    dialog.canceled.emit()  # what the Cancel button does
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 2, timeout=30_000)
    assert message_boxes.shown[1][1] == "The import was cancelled; nothing was imported."
    assert count(window.store) == 1


def test_an_error_while_writing_leaves_nothing_and_says_so(
    window: MainWindow,
    qtbot: Any,
    tmp_path: Path,
    message_boxes: MessageBoxes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from caseworker.store import faults

    def full(n: int) -> None:
        if n == 3:
            raise faults.disk_full("station.sqlite3")

    hook_inserts(monkeypatch, full)
    window.run_import(csv_file(tmp_path, 100))
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 2, timeout=30_000)
    name, text, _info = message_boxes.shown[1]
    assert name == "errorDialog"
    assert "is full" in text
    assert count(window.store) == 1


def test_a_cancelled_export_leaves_no_file(
    window: MainWindow,
    qtbot: Any,
    tmp_path: Path,
    message_boxes: MessageBoxes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from caseworker.registry import spreadsheet

    def stopped(*_args: Any, **kwargs: Any) -> Any:
        assert kwargs["progress"](0, 10) in (True, False)
        return spreadsheet.ExportReport(0, 0, 0, cancelled=True)

    monkeypatch.setattr(spreadsheet, "export_persons", stopped)
    out = tmp_path / "out.xlsx"
    window.run_export(out)
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=20_000)
    assert message_boxes.shown[0][1] == "The export was cancelled; no file was written."
    assert not out.exists()


def test_the_export_says_what_was_left_out(
    window: MainWindow, qtbot: Any, tmp_path: Path, message_boxes: MessageBoxes
) -> None:
    from caseworker.registry import demo

    demo.generate(window.store, persons=5, seed=2)
    out = tmp_path / "out.xlsx"
    window.run_export(out)
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=20_000)
    name, text, info = message_boxes.shown[0]
    assert name == "exportResult"
    assert f"Exported 1 persons to {out}" in text
    assert "5 demo persons (made-up data) were left out" in info
    assert out.exists()


def test_the_details_button_speaks_uyghur(qapp: Any) -> None:
    from caseworker.gui.language import apply_language

    try:
        apply_language(qapp, "ug_CN")
        box = QMessageBox(QMessageBox.Icon.Information, "t", "x")
        box.setDetailedText("line 1")
        texts = {b.text() for b in box.buttons()}
        # the program's own Qt catalog (caseworker/gui/qt/caseworker_qt_ug_CN.po)
        assert "تەپسىلاتىنى كۆرسەت..." in texts
        assert "Show Details..." not in texts
    finally:
        apply_language(qapp, "en")
