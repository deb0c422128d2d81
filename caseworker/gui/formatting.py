"""Dates, numbers and money for people, formatted by Babel for the active locale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from caseworker import i18n

#: The one style of dates on screen: Babel's "medium" date of the active locale, which names
#: the month and writes the whole year (2024年5月16日, May 16, 2024, 16-ماي، 2024), so that no
#: language shows a two-digit year or a day and a month that can be swapped.
DATE_FORMAT = "medium"


def date(value: dt.date | None) -> str:
    """A date in the active language, in the program's one style (``''`` for no date)."""
    if value is None:
        return ""
    from babel.dates import format_date

    return format_date(value, format=DATE_FORMAT, locale=i18n.babel_locale())


def month_abbreviation(value: dt.date) -> str:
    """The month of ``value``, abbreviated, in the active language (chart axes)."""
    from babel.dates import format_date

    return format_date(value, format="MMM", locale=i18n.babel_locale())


def date_range(start: dt.date, end: dt.date) -> str:
    """``start`` to ``end`` in the active language."""
    from caseworker.i18n import _

    return _("{start} to {end}").format(start=date(start), end=date(end))


def ltr(text: str) -> str:
    """``text`` as a left-to-right island (ID numbers, phone numbers) inside right-to-left
    Uyghur text: without it ``6501**********123X`` would be shown as ``123X**********6501``."""
    return "\u2066" + text + "\u2069" if text else text


def masked_id(value: str) -> str:
    """The masked ID number for lists (``6501**********123X``), kept left to right."""
    from caseworker.core import idcard

    return ltr(idcard.mask(value)) if value else ""


def number(value: int | float | Decimal) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=i18n.babel_locale())


def money(value: int | float | Decimal) -> str:
    from babel.numbers import format_currency

    return format_currency(value, "CNY", locale=i18n.babel_locale())
