"""Date arithmetic used by the rules: calendar months and ages.

* :func:`add_months` adds calendar months; when the day does not exist in the target month the
  last day of that month is used (2022-08-31 plus 6 months is 2023-02-28).
* :func:`age_on` counts whole years: a person reaches age N on their N-th birthday; someone born
  on 29 February reaches it on 1 March in common years.
"""

from __future__ import annotations

import calendar
import datetime as dt

from caseworker.core.idcard import age_on

__all__ = ["add_months", "age_on", "months_between", "parse_iso_date"]


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` plus ``months`` calendar months, the day clamped to the end of the month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


def months_between(earlier: dt.date, later: dt.date) -> int:
    """The number of whole calendar months from ``earlier`` to ``later`` (by :func:`add_months`)."""
    months = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    while months > 0 and add_months(earlier, months) > later:
        months -= 1
    return months


def parse_iso_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` strictly (no other ISO forms); raises :class:`ValueError`."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    if not (text[:4] + text[5:7] + text[8:]).isdigit():
        raise ValueError(text)
    return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
