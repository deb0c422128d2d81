"""Previews of the assistance forms: a person's 就业援助卡 and 帮扶记录表, and the station's
零就业家庭名单 (the same forms ``caseworker print card|contacts|zero-families`` writes)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from caseworker.core import wall
from caseworker.forms.assistance import render_card
from caseworker.forms.assistance_lists import render_contact_record, render_zero_families
from caseworker.forms.assistance_sources import card_data, contact_record_data, family_list_data
from caseworker.gui import tasks
from caseworker.gui.printing import Shown, _show
from caseworker.gui.printing.documents import PreviewDocument, build_document
from caseworker.i18n import _

Work = Callable[[tasks.Progress], PreviewDocument | None]


def _person_form(
    store: Any,
    person_id: uuid.UUID,
    read: Callable[..., Any],
    render: Callable[..., Path],
    title: str,
    stem: str,
) -> Work:
    def describe(data: Any) -> tuple[str, str]:
        return title.format(name=data.name), f"{stem}-{data.name}"

    return lambda progress: build_document(
        store,
        lambda session, now: read(session, person_id, now=now),
        render,
        describe,
        progress,
    )


def preview_card(
    parent: QWidget | None, store: Any, person_id: uuid.UUID, *, shown: Shown | None = None
) -> tasks.Job:
    """Preview the person's 就业援助卡 (the agreement, with signatures and the seal box)."""
    work = _person_form(
        store, person_id, card_data, render_card, _("Assistance card of {name}"), "就业援助卡"
    )
    return _show(parent, work, _("Preparing the assistance card…"), shown)


def preview_contact_record(
    parent: QWidget | None, store: Any, person_id: uuid.UUID, *, shown: Shown | None = None
) -> tasks.Job:
    """Preview the person's 帮扶记录表 (their contacts)."""
    work = _person_form(
        store,
        person_id,
        contact_record_data,
        render_contact_record,
        _("Contact record of {name}"),
        "帮扶记录表",
    )
    return _show(parent, work, _("Preparing the contact record…"), shown)


def preview_zero_families(
    parent: QWidget | None,
    store: Any,
    on: dt.date | None = None,
    *,
    shown: Shown | None = None,
) -> tasks.Job:
    """Preview the station's 零就业家庭名单 on ``on`` (default: today)."""
    day = on or wall.today()

    def describe(_data: Any) -> tuple[str, str]:
        return _("Zero-employment families on {date}").format(
            date=day.isoformat()
        ), f"零就业家庭名单-{day.isoformat()}"

    def work(progress: tasks.Progress) -> PreviewDocument | None:
        return build_document(
            store,
            lambda session, now: family_list_data(
                session, day, now=now, station_code=store.station_code
            ),
            render_zero_families,
            describe,
            progress,
        )

    return _show(parent, work, _("Preparing the zero-employment family list…"), shown)
