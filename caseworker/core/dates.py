"""Dates as people type them: 2023-01-05, 2023/1/5, 2023.1.5, 20230105, 2023年1月5日."""

from __future__ import annotations

import datetime as dt
import re

from caseworker.core.errors import ValidationError
from caseworker.i18n import _

_SEPARATED = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")


def parse_date(value: object, field: str | None = None) -> dt.date | None:
    """A date from a typed or imported value; ``None`` for an empty value.

    Raises :class:`ValidationError` when the text is not a real date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().translate(_FULLWIDTH)
    if not text:
        return None
    match = _SEPARATED.match(text) or _COMPACT.match(text)
    if match is None:
        raise ValidationError(
            _("{text} is not a date; write it as 2023-01-31.").format(text=text), field
        )
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(_("{text} is not a real date.").format(text=text), field) from None
