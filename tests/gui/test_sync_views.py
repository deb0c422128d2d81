"""The Sync dialog of a station and the county's screens, driven as a person would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from caseworker.gui import tasks
from caseworker.gui.views.county import CountyWindow, MergeDialog
from caseworker.gui.views.main_window import MainWindow
from caseworker.gui.views.sync_dialog import SyncDialog
from caseworker.sync import export
from tests.helpers import make_id, register
from tests.sync_world import World, station_code

A, B = station_code(1), station_code(2)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    found = World(tmp_path / "world")
    found.add_station(1)
    found.add_station(2)
    from caseworker import bootstrap

    def keys_dir() -> Path:
        return found.keys

    monkeypatch.setattr(bootstrap, "keys_dir", keys_dir)
    yield found
    assert tasks.wait_for_all(20_000)
    found.close()


def _wait(qtbot: Any, job: tasks.Job) -> None:
    qtbot.waitUntil(job.done.is_set, timeout=20_000)
    qtbot.wait(50)


def test_the_sync_dialog_exports_and_imports_the_receipt(
    qtbot: Any, qtmodeltester: Any, world: World, message_boxes: Any, tmp_path: Path
) -> None:
    station = world.stations[A]
    register(station, "张三", make_id(seq=131))
    dialog = SyncDialog(station)
    qtbot.addWidget(dialog)
    pending = int(dialog.pending.text())
    assert pending > 0
    assert A not in dialog.county.text()
    assert "650102" in dialog.county.text()
    stick = tmp_path / "usb"
    stick.mkdir()
    _wait(qtbot, dialog.export_to(stick))
    (written,) = stick.glob("*.cwb")
    assert message_boxes.shown
    assert str(written) in message_boxes.shown[-1][1]
    assert dialog.model.rowCount() == 1
    qtmodeltester.check(dialog.model)
    world.import_(written)
    receipt_path = world.outbox / "r.cwb"
    from caseworker.sync import receipt

    receipt.write_receipt(world.county, world.keys, A, receipt_path)
    _wait(qtbot, dialog.import_receipt(receipt_path))
    assert dialog.pending.text() == "0"
    assert dialog.model.rowCount() == 2
    assert "up to row" in message_boxes.shown[-1][1]


def test_cancel_leaves_no_bundle(
    qtbot: Any, world: World, message_boxes: Any, tmp_path: Path
) -> None:
    station = world.stations[A]
    register(station, "张三", make_id(seq=131))
    dialog = SyncDialog(station)
    qtbot.addWidget(dialog)
    stick = tmp_path / "usb"
    stick.mkdir()
    original = export.export

    def cancel_at_once(*args: Any, **kwargs: Any) -> Any:
        return original(*args, **{**kwargs, "progress": lambda done, total: False})

    import caseworker.sync.export as module

    module.export = cancel_at_once  # type: ignore[assignment]
    try:
        _wait(qtbot, dialog.export_to(stick))
    finally:
        module.export = original  # type: ignore[assignment]
    assert list(stick.iterdir()) == []
    assert dialog.model.rowCount() == 0
    assert export.status(station).last_export is None


def _county_with_a_duplicate(world: World) -> list[Path]:
    number = make_id(seq=131)
    register(world.stations[A], "张三", number, phone="13900000000")
    register(world.stations[B], "张叁", number, phone="13911111111")
    return [p for p in (world.export(A), world.export(B)) if p is not None]


def test_the_county_window_imports_and_resolves(
    qtbot: Any, qtmodeltester: Any, world: World, message_boxes: Any
) -> None:
    paths = _county_with_a_duplicate(world)
    window = CountyWindow(world.county)
    qtbot.addWidget(window)
    assert window.stations_model.rowCount() == 2
    assert window.conflict_model.rowCount() == 0
    _wait(qtbot, window.import_bundles(paths))
    assert "refused: 0" in message_boxes.shown[-1][1]
    for model in (
        window.stations_model,
        window.conflict_model,
        window.side_model,
        window.report_model,
    ):
        qtmodeltester.check(model)
    assert window.conflict_model.rowCount() == 1
    assert window.side_model.columnCount() == 3  # the field, and one column per station
    names = next(r for r in window.side_model.rows if "张三" in r[1])
    assert set(names[1]) == {"张三", "张叁"}
    assert names[2]
    differing = window.side_model.index(window.side_model.rows.index(names), 1)
    assert window.side_model.data(differing, Qt.ItemDataRole.FontRole).bold()
    assert not window.keep_button.isHidden()
    assert window.incoming_button.isHidden()
    kept = window.shown.parties[0]
    window.side_table.setCurrentIndex(window.side_model.index(0, 1))
    window.keep_selected()
    assert window.conflict_model.rowCount() == 0
    assert "next receipts" in message_boxes.shown[-1][1]
    with world.county.reading() as session:
        from caseworker.store.models import Person

        assert not session.get(Person, kept).held
    window.report_kind.setCurrentIndex(window.report_kind.findData("persons"))
    assert window.report_model.rowCount() == 3  # two stations and the total


def test_the_merge_dialog_takes_a_field_from_the_other_record(qtbot: Any, world: World) -> None:
    from caseworker.sync import conflicts as view

    world.import_(*_county_with_a_duplicate(world))
    (item,) = view.listing(world.county)
    shown = view.show(world.county, str(item.id))
    dialog = MergeDialog(shown)
    qtbot.addWidget(dialog)
    assert "phone" in dialog.fields
    dialog.keep.setCurrentIndex(0)
    box = dialog.fields["phone"]
    box.setCurrentIndex(1)
    keep, take = dialog.choice()
    assert keep == str(shown.parties[0])
    assert take == {"phone": str(shown.parties[1])}


def test_the_main_windows_sync_menu_opens_the_right_screen(
    qtbot: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(SyncDialog, "exec", lambda self: opened.append("station") or 0)
    monkeypatch.setattr(CountyWindow, "exec", lambda self: opened.append("county") or 0)
    for store, expected in ((world.stations[A], "station"), (world.county, "county")):
        window = MainWindow(store)
        qtbot.addWidget(window)
        assert window.sync_action.isEnabled()
        window.sync_action.trigger()
        assert opened[-1] == expected


def test_the_first_conflict_is_shown_right_to_left_too(
    qtbot: Any, qapp: Any, world: World, message_boxes: Any
) -> None:
    """In Uyghur (right to left), a window not shown yet still opens on its first conflict
    (QTableView.selectRow finds no column there and would clear the current row)."""
    world.import_(*_county_with_a_duplicate(world))
    qapp.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    window = CountyWindow(world.county)
    qtbot.addWidget(window)
    assert window.conflict_table.currentIndex().row() == 0
    assert window.side_model.rowCount() > 0
    assert window.side_table.currentIndex().column() == 1


def test_a_bundle_opened_from_the_file_manager_is_imported_once_ready(
    qtbot: Any, world: World, message_boxes: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``caseworker FILE.cwb`` (the desktop entry's ``%f``): once the database is open, the
    Sync dialog opens and imports the file; a file that is no receipt is refused in words."""
    from caseworker.gui.app import _import_when_ready

    damaged = tmp_path / "receipt-650102.cwb"
    damaged.write_bytes(b"not a bundle")
    opened: list[Any] = []

    def fake_exec(dialog: Any) -> int:
        opened.append(dialog)
        qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=20_000)
        return 0

    monkeypatch.setattr(SyncDialog, "exec", fake_exec)
    window = MainWindow(world.stations[A])
    qtbot.addWidget(window)
    _import_when_ready(window, damaged)
    window.attach(world.stations[A])  # the store is open: the window is ready
    qtbot.waitUntil(lambda: bool(opened), timeout=20_000)
    assert isinstance(opened[0], SyncDialog)
    assert message_boxes.shown
    window.ready.emit()  # a rebuild (another language) does not import it again
    qtbot.wait(50)
    assert len(opened) == 1


def test_the_command_line_starts_the_program_with_a_bundle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import caseworker.gui.__main__ as gui_entry
    from caseworker import cli

    parsed: list[tuple[Any, ...]] = []

    def run(db: Any = None, language: Any = None, bundle: Any = None, **_other: Any) -> int:
        parsed.append((db, language, bundle))
        return 0

    monkeypatch.setattr("caseworker.gui.app.run", run)
    assert gui_entry.main(["--db", "station.sqlite3", "/media/usb/receipt.cwb"]) == 0
    assert parsed == [("station.sqlite3", None, "/media/usb/receipt.cwb")]
    seen: list[list[str]] = []
    monkeypatch.setattr(gui_entry, "main", lambda argv: seen.append(list(argv)) or 0)
    assert cli.main(["--db", "station.sqlite3", "/media/usb/receipt.CWB"]) == 0
    assert seen == [["--db", "station.sqlite3", "/media/usb/receipt.CWB"]]
    assert cli.main(["--lang", "en", "persons.xlsx"]) == 2  # not a bundle: a command is needed
    assert len(seen) == 1
