"""The print pipeline: PDF forms (ReportLab) and Excel lists (openpyxl).  No Qt, no database.

Public API::

    render_application(data, path, *, bilingual=False, fonts=None, layout_dir=None)
    render_notice(data, path, *, bilingual=False, fonts=None, layout_dir=None)
    render_roster(data, path, *, bilingual=False, fonts=None, layout_dir=None)
    write_notice_xlsx(data, path)
    write_roster_xlsx(data, path)
    load_fonts(FontSettings(...)) -> FontSet      # font discovery (see docs/forms.md)
"""

from __future__ import annotations

from caseworker.forms.application import render_application
from caseworker.forms.data import (
    CATEGORY_CODES,
    ApplicationData,
    ApplicationPerson,
    Category,
    HouseholdMember,
    NoticeData,
    NoticePerson,
    RosterData,
    RosterRow,
    RosterTotals,
    Station,
    roster_totals,
)
from caseworker.forms.excel import write_notice_xlsx, write_roster_xlsx
from caseworker.forms.fonts import FontMissingError, FontSet, FontSettings, load_fonts
from caseworker.forms.layout import LayoutError, categories_for, default_categories
from caseworker.forms.lists import render_notice, render_roster
from caseworker.forms.page import list_hash, parse_qr_payload, qr_payload

__all__ = [
    "CATEGORY_CODES",
    "ApplicationData",
    "ApplicationPerson",
    "Category",
    "FontMissingError",
    "FontSet",
    "FontSettings",
    "HouseholdMember",
    "LayoutError",
    "NoticeData",
    "NoticePerson",
    "RosterData",
    "RosterRow",
    "RosterTotals",
    "Station",
    "categories_for",
    "default_categories",
    "list_hash",
    "load_fonts",
    "parse_qr_payload",
    "qr_payload",
    "render_application",
    "render_notice",
    "render_roster",
    "roster_totals",
    "write_notice_xlsx",
    "write_roster_xlsx",
]
