"""What the log file may hold: no ID numbers, phone numbers or names.

:func:`redact` masks, in any text about to be written to the log (messages and tracebacks):

- ID numbers (18 characters, the last a digit or X) and 15-digit old ones: ``6501**********123X``;
- mobile numbers (11 digits from 1): ``182****6761``; bank-card-length digit runs: last 4 kept;
- every run of Chinese characters or of Arabic-script letters (names of persons, villages,
  households are written in these): ``〔3〕`` (only its length is kept).

The log is for finding faults; what a person is called never helps with that.
"""

from __future__ import annotations

import re

_ID = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})(?![0-9])")
_LONG_DIGITS = re.compile(r"(?<![0-9])[0-9]{12,19}(?![0-9])")
_SCRIPT = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0600-\u06ff\u0750-\u077f"
    "\ufb50-\ufdff\ufe70-\ufeff·]+"
)


def _id(match: re.Match[str]) -> str:
    value = match.group(0)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def redact(text: str) -> str:
    """``text`` with ID numbers, phone numbers, card numbers and names masked."""
    text = _ID.sub(_id, text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    text = _LONG_DIGITS.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)
    return _SCRIPT.sub(lambda m: f"〔{len(m.group(0))}〕", text)
