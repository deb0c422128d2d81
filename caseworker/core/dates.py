"""Dates as people type them: 2023-01-05, 2023/1/5, 2023.1.5, 20230105, 2023年1月5日.

One validator for every way a date comes in (the person form, the import, ``caseworker
assess``): full-width digits and separators (２０２３－０１－０５) are read as ASCII ones, other
digits are not dates, and no date of a person's life is before :data:`EARLIEST_YEAR`.  ``assess``
asks for ``YYYY-MM-DD`` only (``iso_only``); the rules are otherwise the same, and so is
:func:`registration_problem`, the check of an unemployment registration against the birth date.
"""

from __future__ import annotations

import datetime as dt
import re

from caseworker.core import wall
from caseworker.core.errors import ValidationError
from caseworker.i18n import _

_SEPARATED = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
#: No date in a person's records (birth, registration, allowance, graduation) is earlier.
EARLIEST_YEAR = 1900


def parse_date(
    value: object, field: str | None = None, *, iso_only: bool = False
) -> dt.date | None:
    """A date from a typed or imported value; ``None`` for an empty value.

    Raises :class:`ValidationError` when the text is not a real date (or not ``YYYY-MM-DD``
    with ``iso_only``), or is before :data:`EARLIEST_YEAR`.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _checked(value.date(), value.date().isoformat(), field)
    if isinstance(value, dt.date):
        return _checked(value, value.isoformat(), field)
    text = str(value).strip().translate(_FULLWIDTH)
    if not text:
        return None
    match = _ISO.match(text) if iso_only else (_SEPARATED.match(text) or _COMPACT.match(text))
    if match is None:
        if iso_only:
            raise ValidationError(
                _("{text} is not a date written as YYYY-MM-DD.").format(text=text), field
            )
        raise ValidationError(
            _("{text} is not a date; write it as 2023-01-31.").format(text=text), field
        )
    year, month, day = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise ValidationError(_("{text} is not a real date.").format(text=text), field) from None
    return _checked(date, text, field)


def _checked(date: dt.date, text: str, field: str | None) -> dt.date:
    if date.year < EARLIEST_YEAR:
        raise ValidationError(
            _("{text} is before {year}; check the year.").format(text=text, year=EARLIEST_YEAR),
            field,
        )
    return date


def sixteenth_birthday(birth: dt.date) -> dt.date:
    """The day a person born on ``birth`` turns 16 (1 March for 29 February)."""
    if birth.month == 2 and birth.day == 29:
        return dt.date(birth.year + 16, 3, 1)
    return birth.replace(year=birth.year + 16)


def registration_problem(since: dt.date, birth: dt.date) -> str | None:
    """Why an unemployment registration on ``since`` is impossible for someone born on
    ``birth`` (None when it is possible)."""
    if since < sixteenth_birthday(birth):
        return _("The unemployment registration date is before the person turned 16.")
    return None


def happened(on: dt.date, field_name: str) -> dt.date:
    """``on``, the date of something that happened: refused when it is after today."""
    if on > wall.today():
        raise ValidationError(
            _("The date {date} is in the future; record things once they have happened.").format(
                date=on.isoformat()
            ),
            field_name,
        )
    return on
