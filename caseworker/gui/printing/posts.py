"""Previews of the public-welfare post forms (the same forms ``caseworker print
payroll-notice|payroll-roster|attendance-sheet|post-subsidy-application|
social-insurance-application`` writes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QWidget

from caseworker.forms import posts_forms as forms
from caseworker.forms.posts_data import payroll_print, sign_in_sheet
from caseworker.gui import tasks
from caseworker.gui.printing import Shown, _show
from caseworker.gui.printing.documents import PreviewDocument, build_document
from caseworker.i18n import N_, _

#: form → (menu text, file stem, renderer)
FORMS: dict[str, tuple[str, str, Any]] = {
    "payroll-notice": (N_("Public notice of the subsidies"), "公益性岗位补贴发放公示表",
                       forms.render_payroll_notice),
    "payroll-roster": (N_("Roster for the county"), "公益性岗位人员花名册",
                       forms.render_payroll_roster),
    "attendance-sheet": (N_("Blank sign-in sheet"), "公益性岗位签到册",
                         forms.render_attendance_sheet),
    "post-subsidy-application": (N_("Application for post subsidies"), "公益性岗位补贴申请表",
                                 forms.render_post_application),
    "social-insurance-application": (N_("Application for social-insurance subsidies"),
                                     "社会保险补贴申请表", forms.render_si_application),
}  # fmt: skip


def preview_post_form(
    parent: QWidget | None,
    store: Any,
    form: str,
    month: dt.date,
    post_id: Any = None,
    *,
    shown: Shown | None = None,
) -> tasks.Job:
    """Preview one of the month's forms (of one post when ``post_id`` is given)."""
    text, stem, render = FORMS[form]

    def read(session: Any, now: dt.datetime) -> Any:
        if form == "attendance-sheet":
            return sign_in_sheet(
                session, month, now=now, station_code=store.station_code, post_id=post_id
            )
        return payroll_print(
            session, month, now=now, station_code=store.station_code, post_id=post_id,
            categories=form == "social-insurance-application",
        )  # fmt: skip

    def describe(_data: Any) -> tuple[str, str]:
        label = f"{month.year:04d}-{month.month:02d}"
        return f"{_(text)} {label}", f"{stem}-{label}"

    def work(progress: tasks.Progress) -> PreviewDocument | None:
        return build_document(store, read, render, describe, progress)

    return _show(parent, work, _("Preparing the form…"), shown)
