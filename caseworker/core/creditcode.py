"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
31-character alphabet (no I, O, Z, S, V), the last a check character over the first 17."""

from __future__ import annotations

from caseworker.core.errors import ValidationError
from caseworker.i18n import _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
    "0123456789ABCDEFGHJKLMNPQRTUWXY",
)


def check_char(first17: str) -> str:
    """The check character of the first 17 characters (GB 32100-2015, 5.2)."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(text: str, field: str | None = "credit_code") -> str:
    """The code, upper case without spaces; :class:`ValidationError` when it is not valid."""
    code = "".join(text.split()).translate(_FULLWIDTH).upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; {code} has {n}.").format(
                code=code, n=len(code)
            ),
            field,
        )
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        raise ValidationError(
            _("{char} cannot appear in a unified social credit code (no I, O, Z, S or V).").format(
                char=bad[0]
            ),
            field,
        )
    if check_char(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "The unified social credit code {code} is mistyped: its check character is wrong."
            ).format(code=code),
            field,
        )
    return code
