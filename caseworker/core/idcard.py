"""Resident ID numbers (居民身份证号码) under GB 11643-1999.

An 18-character number is six digits of administrative-division code, eight digits of birth
date (YYYYMMDD), three digits of sequence (odd for men, even for women) and a check character
computed with ISO 7064 MOD 11-2 (``0``-``9`` or ``X``).  First-generation 15-digit numbers
(YYMMDD birth date in the 1900s, no check character) are converted to 18 characters.

:func:`parse` is the single entry point: it returns a normalised :class:`IdNumber` or raises
:class:`~caseworker.core.errors.ValidationError` whose message says what is wrong in words a
caseworker understands.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from caseworker.core import wall
from caseworker.core.errors import ValidationError
from caseworker.i18n import _

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARS = "10X98765432"

#: First two digits of the division code: provinces, autonomous regions, municipalities,
#: and 71/81/82/83 (Taiwan, Hong Kong, Macao and residence permits for their residents).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip
XINJIANG_PROVINCE_CODE = "65"
EARLIEST_BIRTH_YEAR = 1900

_SPACES = re.compile(r"[\s\u3000-]+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A valid, normalised 18-character resident ID number."""

    value: str

    @property
    def division_code(self) -> str:
        return self.value[:6]

    @property
    def province_code(self) -> str:
        return self.value[:2]

    @property
    def birth_date(self) -> dt.date:
        v = self.value
        return dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))

    @property
    def sex(self) -> Sex:
        return Sex.MALE if int(self.value[16]) % 2 == 1 else Sex.FEMALE

    @property
    def fifteen_digit_form(self) -> str | None:
        """The first-generation form of this number, when one can exist (born 1900-1999)."""
        v = self.value
        if v[6:8] != "19":
            return None
        return v[:6] + v[8:17]

    def masked(self) -> str:
        """The form shown in lists and public notices: ``6501**********123X``."""
        return mask(self.value)

    def __str__(self) -> str:
        return self.value


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def mask(value: str) -> str:
    """Keep the first four and last four characters, star the rest."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def clean(text: str) -> str:
    """Strip spaces and dashes, turn full-width digits and a lower-case x into ASCII ``X``."""
    return _SPACES.sub("", text).translate(_FULLWIDTH).upper()


def upgrade15(value15: str) -> str:
    """Convert a first-generation 15-digit number to 18 characters (no validation)."""
    first17 = value15[:6] + "19" + value15[6:15]
    return first17 + check_char(first17)


def parse(text: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate and normalise an ID number typed by a person.

    Raises :class:`ValidationError` (field ``id_number``) with a message that says what is wrong.
    """
    value = clean(text)
    if not value:
        raise ValidationError(_("Enter the ID number."), "id_number")
    if len(value) == 15:
        if not value.isdigit():
            raise ValidationError(
                _("A 15-digit ID number has digits only; check the number."), "id_number"
            )
        value = upgrade15(value)
    elif len(value) != 18:
        raise ValidationError(
            _("An ID number has 18 characters (or 15 digits for an old card); this one has {n}.")
            .format(n=len(value)),
            "id_number",
        )  # fmt: skip
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(
            _("An ID number has digits only, except that the last character may be X."),
            "id_number",
        )
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The ID number starts with {code}, which is not the code of any province.").format(
                code=value[:2]
            ),
            "id_number",
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("Characters 7 to 14 of the ID number should be the birth date, but {date} is not a real date.")
            .format(date=f"{value[6:10]}-{value[10:12]}-{value[12:14]}"),
            "id_number",
        ) from None  # fmt: skip
    if birth > (today or wall.today()):
        raise ValidationError(
            _("The birth date in the ID number, {date}, is in the future.").format(
                date=birth.isoformat()
            ),
            "id_number",
        )
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(
            _("The birth year in the ID number, {year}, is too early; check the number.").format(
                year=birth.year
            ),
            "id_number",
        )
    expected = check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The last character of the ID number does not match the others: a digit was mistyped or two were swapped."),
            "id_number",
        )  # fmt: skip
    return IdNumber(value)


def is_valid(text: str, *, today: dt.date | None = None) -> bool:
    try:
        parse(text, today=today)
    except ValidationError:
        return False
    return True


def age_on(birth: dt.date, on: dt.date) -> int:
    """Age in whole years: a person reaches age N on their N-th birthday (29 Feb -> 1 Mar)."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years
