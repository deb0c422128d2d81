"""Building a document to preview: read the data, render the PDF, draw the page thumbnails.

Everything here runs in a worker thread (see :mod:`caseworker.gui.tasks`): it opens its own
read session and produces only plain values and :class:`QImage` objects (never widgets).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

from caseworker.core import wall
from caseworker.forms import render_application, render_notice, render_roster
from caseworker.forms.sources import RosterFilters, application_data, notice_data, roster_data
from caseworker.gui.models.listing import ListQuery
from caseworker.gui.printing.pdf import PdfPages
from caseworker.i18n import _

Progress = Callable[[int, int], bool]
THUMBNAIL_WIDTH = 120  # pixels
TEMP_PREFIX = "caseworker-print-"

#: One render at a time: ReportLab's font registry and settings are process-wide.
RENDER_LOCK = threading.Lock()


@dataclass
class PreviewDocument:
    """A rendered PDF in a private temporary folder, with what the preview needs."""

    path: Path
    title: str
    file_name: str
    """The suggested name when the person saves it."""
    thumbnails: list[QImage] = field(default_factory=list)

    def cleanup(self) -> None:
        """Remove the temporary folder (after the preview has closed the PDF)."""
        shutil.rmtree(self.path.parent, ignore_errors=True)


def _now() -> dt.datetime:
    return wall.local_now().replace(tzinfo=None, second=0, microsecond=0)


def _safe_name(text: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' else ch for ch in text).strip() or "document"


def build_document(
    store: Any,
    read: Callable[[Any, dt.datetime], Any],
    render: Callable[[Any, Path], Path],
    describe: Callable[[Any], tuple[str, str]],
    progress: Progress,
) -> PreviewDocument | None:
    if not progress(0, 0):
        return None
    with store.reading() as session:
        data = read(session, _now())
    title, stem = describe(data)
    folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    cancelled = False
    try:
        path = folder / (_safe_name(stem) + ".pdf")
        with RENDER_LOCK:
            render(data, path)
        document = PreviewDocument(path, title, path.name)
        pages = PdfPages(path)
        try:
            total = len(pages)
            for index in range(total):
                width, _height = pages.sizes[index]
                document.thumbnails.append(pages.render(index, THUMBNAIL_WIDTH / width))
                if not progress(index + 1, total):
                    cancelled = True
                    break
        finally:
            pages.close()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if cancelled:
        document.cleanup()
        return None
    return document


def application_document(
    store: Any, person_id: uuid.UUID, *, bilingual: bool = False
) -> Callable[[Progress], PreviewDocument | None]:
    """Work for :func:`caseworker.gui.tasks.start`: a person's application form."""

    def read(session: Any, now: dt.datetime) -> Any:
        return application_data(session, person_id, now=now)

    def describe(data: Any) -> tuple[str, str]:
        name = data.person.name
        return _("Application form of {name}").format(name=name), f"申请表-{name}"

    def render(data: Any, path: Path) -> Path:
        return render_application(data, path, bilingual=bilingual)

    return lambda progress: build_document(store, read, render, describe, progress)


def notice_document(
    store: Any, start: dt.date, end: dt.date, *, bilingual: bool = False
) -> Callable[[Progress], PreviewDocument | None]:
    """Work: the public-notice list of the persons whose notice overlaps ``start``..``end``."""

    def read(session: Any, now: dt.datetime) -> Any:
        return notice_data(session, start, end, now=now, station_code=store.station_code)

    def describe(data: Any) -> tuple[str, str]:
        from caseworker.gui import formatting

        first, last = data.period_start.isoformat(), data.period_end.isoformat()
        title = _("Public-notice list, {period}").format(
            period=formatting.date_range(data.period_start, data.period_end)
        )
        return title, f"公示名单-{first}-{last}"

    def render(data: Any, path: Path) -> Path:
        return render_notice(data, path, bilingual=bilingual)

    return lambda progress: build_document(store, read, render, describe, progress)


def roster_filters(filters: object) -> RosterFilters:
    """:class:`RosterFilters` from the registry list's query (or from ``None``: everyone).

    Accepts a :class:`RosterFilters`, or any object with the registry list's attributes
    ``text``, ``village_id``, ``category`` and ``status`` (``ListQuery``).
    """
    if filters is None:
        return RosterFilters()
    if isinstance(filters, RosterFilters):
        return filters
    village = getattr(filters, "village_id", None)
    return RosterFilters(
        village=str(village) if village else None,
        category=getattr(filters, "category", None) or None,
        stage=getattr(filters, "status", None) or None,
        query=getattr(filters, "text", None) or None,
    )


def roster_document(
    store: Any, filters: object = None, *, bilingual: bool = False
) -> Callable[[Progress], PreviewDocument | None]:
    """Work: a roster of the registered persons matching ``filters``.

    Given the registry list's query (a ``ListQuery``), the roster lists exactly the persons the
    list shows, in the list's order (its search, filters and sort column).
    """
    wanted = roster_filters(filters)

    def read(session: Any, now: dt.datetime) -> Any:
        ids = None
        if isinstance(filters, ListQuery):
            from caseworker.gui.models import person_query

            ids = list(person_query.fetch_ids(session, filters))
        return roster_data(
            session,
            village=wanted.village,
            category=wanted.category,
            stage=wanted.stage,
            query=wanted.query,
            now=now,
            station_code=store.station_code,
            ids=ids,
        )

    def describe(data: Any) -> tuple[str, str]:
        title = _("Roster ({n} persons)").format(n=len(data.rows))
        return title, f"花名册-{data.printed_at:%Y%m%d}"

    def render(data: Any, path: Path) -> Path:
        return render_roster(data, path, bilingual=bilingual)

    return lambda progress: build_document(store, read, render, describe, progress)


def discard(document: object) -> None:
    """Remove a document that will not be shown (the person cancelled)."""
    if isinstance(document, PreviewDocument):
        with contextlib.suppress(OSError):
            document.cleanup()


__all__ = [
    "PreviewDocument",
    "application_document",
    "discard",
    "notice_document",
    "roster_document",
    "roster_filters",
]
