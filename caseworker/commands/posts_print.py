"""``caseworker print payroll-notice|payroll-roster|attendance-sheet|post-subsidy-application|
social-insurance-application``: the printed forms of public-welfare posts (PDF or Excel).
Registered under ``caseworker print``; refused input exits 1."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from caseworker import bootstrap
from caseworker.cli import EXIT_REFUSED
from caseworker.commands.assist_print import month
from caseworker.commands.printing import PDF, XLSX, _now, output_kind
from caseworker.forms import posts_forms as forms
from caseworker.forms.posts_data import payroll_print, sign_in_sheet
from caseworker.i18n import N_, _

#: form → (help, PDF writer, Excel writer, what the data reader needs)
FORMS: dict[str, tuple[str, Callable[..., Path], Callable[..., Path]]] = {
    "payroll-notice": (
        N_("the public notice of the month's post subsidies (公示表, IDs masked)"),
        forms.render_payroll_notice,
        forms.write_payroll_notice_xlsx,
    ),
    "payroll-roster": (
        N_("the month's roster of placed persons (花名册, for the county)"),
        forms.render_payroll_roster,
        forms.write_payroll_roster_xlsx,
    ),
    "attendance-sheet": (
        N_("the blank monthly sign-in sheet of a post (签到册)"),
        forms.render_attendance_sheet,
        forms.write_attendance_sheet_xlsx,
    ),
    "post-subsidy-application": (
        N_("the month's application for post subsidies (公益性岗位补贴申请表)"),
        forms.render_post_application,
        forms.write_post_application_xlsx,
    ),
    "social-insurance-application": (
        N_("the month's application for social-insurance subsidies (社会保险补贴申请表)"),
        forms.render_si_application,
        forms.write_si_application_xlsx,
    ),
}


def register_print(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, (helptext, _pdf, _xlsx) in FORMS.items():
        p = actions.add_parser(name, help=_(helptext))
        p.add_argument("--month", type=month, required=True, help=_("the month, YYYY-MM"))
        p.add_argument("--post", help=_("only this post (its record id)"))
        p.add_argument(
            "-o", "--output", type=Path, required=True, help=_("the .pdf or .xlsx file to write")
        )
        p.add_argument(
            "--bilingual", action="store_true", help=_("print Uyghur beneath the Chinese labels")
        )
        p.set_defaults(handler=run_form, form=name, refused_status=EXIT_REFUSED)


def read(form: str, db: str | None, month_day: Any, post: str | None) -> Any:
    """The data of ``form`` for the month (what the GUI's print action reads too)."""
    store = bootstrap.open_database(db)
    try:
        with store.reading() as session:
            if form == "attendance-sheet":
                return sign_in_sheet(
                    session, month_day, now=_now(), station_code=store.station_code, post_id=post
                )
            return payroll_print(
                session, month_day, now=_now(), station_code=store.station_code, post_id=post,
                categories=form == "social-insurance-application",
            )  # fmt: skip
    finally:
        store.dispose()


def run_form(args: argparse.Namespace) -> int:
    suffix = output_kind(args.output, (PDF, XLSX))
    data = read(args.form, args.db, args.month, args.post)
    _helptext, pdf, xlsx = FORMS[args.form]
    if suffix == PDF:
        pdf(data, args.output, bilingual=args.bilingual)
    else:
        xlsx(data, args.output)
    print(_("Wrote {form} to {path}.").format(form=args.form, path=args.output))
    return 0
