"""Importing and exporting persons in the window: progress with Cancel, and a result the
person can see and trust.

The import runs in two steps, each off the GUI thread with a progress dialog and Cancel:

1. **Check** (:func:`caseworker.registry.spreadsheet.check_file`): every row is read and
   checked; nothing is written.  Then a dialog says how many rows will be imported, how many
   are already registered or refused (each listed with its line and reason under "Show
   details"), how many households the rows with a 户编号 make or join, and asks before
   anything is written.
2. **Write** (:func:`caseworker.registry.spreadsheet.write_staged`): all the good rows in one
   transaction.  Cancel (or any error) leaves the database as it was: the closing message says
   "nothing was imported", or how many were, all in one step.

The export writes the file as a stream with a progress dialog and Cancel (a cancelled export
leaves no file), then says how many persons were written and how many demo persons were left
out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from caseworker.gui.errors import show_error
from caseworker.gui.language import label_message_box
from caseworker.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable

    from caseworker.gui import tasks


def _box(
    parent: QWidget,
    icon: QMessageBox.Icon,
    text: str,
    details: list[str],
    *,
    name: str,
    informative: str = "",
) -> QMessageBox:
    box = QMessageBox(icon, _("Import"), text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(name)
    if informative:
        box.setInformativeText(informative)
    if details:
        box.setDetailedText("\n".join(details))
    label_message_box(box)
    return box


def _informative(report: Any) -> str:
    from caseworker.registry import importing

    text = _(
        "Nothing has been written yet. The {ready} persons are written together in one "
        "step, or not at all."
    ).format(ready=report.ready)
    if report.household_rows:
        text = importing.households_summary(report) + "\n" + text
    return text


def run_import(
    parent: QWidget, store: Any, path: Path, *, on_changed: Callable[[], None]
) -> tasks.Job:
    """Check ``path``, ask, then write its good rows (see the module docstring)."""
    from caseworker.gui import tasks

    def check(progress: tasks.Progress) -> Any:
        from caseworker.registry import spreadsheet

        return spreadsheet.check_file(store, path, progress=progress)

    def checked(staged: Any) -> None:
        from caseworker.registry import importing

        report = staged.report
        if report.cancelled or report.ready == 0:
            staged.close()
            text = (
                importing.summary(report)
                if report.cancelled
                else _("No row of {name} can be imported; nothing was imported.").format(
                    name=path.name
                )
            )
            _box(
                parent, QMessageBox.Icon.Information, text, importing.details(report),
                name="importResult",
            ).exec()  # fmt: skip
            return
        box = _box(
            parent,
            QMessageBox.Icon.Question,
            _(
                "{ready} of the {rows} rows of {name} can be imported. Already registered: "
                "{known}. Refused: {refused}."
            ).format(
                ready=report.ready,
                rows=report.rows,
                name=path.name,
                known=report.already_count,
                refused=report.rejected_count,
            ),
            importing.details(report),
            name="importConfirm",
            informative=_informative(report),
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        label_message_box(box)
        ok = box.button(QMessageBox.StandardButton.Ok)
        if ok is not None:
            ok.setText(_("Import {n} persons").format(n=report.ready))
        if box.exec() != QMessageBox.StandardButton.Ok.value:
            staged.close()
            return
        write(staged)

    def write(staged: Any) -> None:
        def work(progress: tasks.Progress) -> Any:
            from caseworker.registry import spreadsheet

            return spreadsheet.write_staged(store, staged, progress=progress)

        def done(report: Any) -> None:
            from caseworker.registry import importing

            staged.close()
            on_changed()
            icon = QMessageBox.Icon.Information
            _box(
                parent, icon, importing.summary(report), importing.details(report),
                name="importResult",
            ).exec()  # fmt: skip

        def failed(exc: BaseException) -> None:
            staged.close()
            show_error(
                parent, exc, title=_("Import")
            )  # the transaction rolled back: nothing was imported

        tasks.run_with_progress(
            parent,
            work,
            label=_("Writing the persons of {name}…").format(name=path.name),
            on_success=done,
            on_error=failed,
        )

    return tasks.run_with_progress(
        parent,
        check,
        label=_("Checking {name}…").format(name=path.name),
        on_success=checked,
    )


def run_export(parent: QWidget, store: Any, path: Path, reason: str = "") -> tasks.Job:
    """Export the registry to ``path`` with progress and Cancel (``reason``: why whole values
    leave the program; logged with the export)."""
    from caseworker.gui import tasks

    def work(progress: tasks.Progress) -> Any:
        from caseworker.registry import spreadsheet

        return spreadsheet.export_persons(store, path, progress=progress, reason=reason)

    def done(report: Any) -> None:
        from caseworker.registry import spreadsheet

        if report.cancelled:
            text = _("The export was cancelled; no file was written.")
        else:
            text = _("Exported {n} persons to {path}.").format(n=report.exported, path=path)
        notes = spreadsheet.export_notes(report)
        window = parent.window()
        status = getattr(window, "statusBar", None)
        if status is not None:
            status().showMessage(text, 10_000)
        if notes or report.cancelled:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                _("Export"),
                text,
                QMessageBox.StandardButton.Ok,
                parent,
            )
            box.setObjectName("exportResult")
            if notes:
                box.setInformativeText("\n".join(notes))
            label_message_box(box)
            box.exec()

    return tasks.run_with_progress(parent, work, label=_("Exporting…"), on_success=done)
