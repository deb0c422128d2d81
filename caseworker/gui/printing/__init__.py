"""Printing from the desktop program: a preview of the real PDF, then print or save it.

Entry points for the main window and the person page::

    preview_application(parent, store, person_id)
    preview_notice(parent, store, start, end)
    preview_roster(parent, store, filters)   # RosterFilters, the registry list's ListQuery, or None

Each reads the data and renders the PDF off the GUI thread (with a progress dialog), then
shows a :class:`PrintPreviewDialog`; errors end in a dialog (a UserError's message as it is;
anything else with the log file's path).  They return the background job.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from caseworker.forms.sources import RosterFilters
from caseworker.gui import tasks
from caseworker.gui.printing.dialog import PageView, PrintPreviewDialog
from caseworker.gui.printing.documents import (
    PreviewDocument,
    application_document,
    discard,
    notice_document,
    roster_document,
)
from caseworker.i18n import _

Shown = Callable[[PrintPreviewDialog], None]

#: Previews open now (kept referenced while they are shown).
_open: set[PrintPreviewDialog] = set()


def _show(parent: QWidget | None, work: tasks.Work, label: str, shown: Shown | None) -> tasks.Job:
    holder: list[tasks.Job] = []

    def ready(result: object) -> None:
        job = holder[0]
        if job.cancelled or not isinstance(result, PreviewDocument):
            discard(result)
            return
        dialog = PrintPreviewDialog(result, parent)
        _open.add(dialog)
        dialog.finished.connect(lambda _code: _open.discard(dialog))
        dialog.show()
        if shown is not None:
            shown(dialog)

    holder.append(tasks.run_with_progress(parent, work, label=label, on_success=ready))
    return holder[0]


def preview_application(
    parent: QWidget | None,
    store: Any,
    person_id: uuid.UUID,
    *,
    bilingual: bool = False,
    shown: Shown | None = None,
) -> tasks.Job:
    """Preview the person's 就业困难人员认定申请表."""
    work = application_document(store, person_id, bilingual=bilingual)
    return _show(parent, work, _("Preparing the application form…"), shown)


def preview_notice(
    parent: QWidget | None,
    store: Any,
    start: dt.date,
    end: dt.date,
    *,
    bilingual: bool = False,
    shown: Shown | None = None,
) -> tasks.Job:
    """Preview the 公示名单 of the persons whose public notice overlaps ``start``..``end``."""
    work = notice_document(store, start, end, bilingual=bilingual)
    return _show(parent, work, _("Preparing the public-notice list…"), shown)


def preview_roster(
    parent: QWidget | None,
    store: Any,
    filters: object = None,
    *,
    bilingual: bool = False,
    shown: Shown | None = None,
) -> tasks.Job:
    """Preview a 花名册 of the persons matching ``filters`` (as the registry list filters)."""
    work = roster_document(store, filters, bilingual=bilingual)
    return _show(parent, work, _("Preparing the roster…"), shown)


__all__ = [
    "PageView",
    "PreviewDocument",
    "PrintPreviewDialog",
    "RosterFilters",
    "preview_application",
    "preview_notice",
    "preview_roster",
]
