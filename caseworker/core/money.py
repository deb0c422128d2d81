"""Money: an exact amount of yuan, held as integer fen (0.01 yuan).

Amounts are never floats: SQLite keeps SQLAlchemy's ``Numeric`` as REAL, and a sum of a
thousand such amounts already drifts.  The store keeps :class:`Money` in an INTEGER column of
fen (``caseworker.store.base.MoneyType``); arithmetic is on integers; a share of an amount
(``standard × worked ÷ required``) is rounded half-up to the fen once, by
:meth:`Money.ratio`.  Text is always two decimals: ``"1809.52"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from caseworker.core.errors import ValidationError
from caseworker.i18n import _

_TEXT = re.compile(r"^[+-]?(\d+)(?:\.(\d{1,2}))?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")
#: The largest amount accepted from a person (ten million yuan): a typo guard, not a rule.
MAX_INPUT_FEN = 10_000_000_00


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount in fen.  ``Money.parse("1809.52") == Money(180952)``."""

    fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise TypeError("Money holds an integer number of fen")

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def of(cls, value: Money | Decimal | int | str) -> Money:
        """Exact conversion: ``Decimal("12.30")``, ``"12.3"``, ``12`` (yuan) or Money.

        Refuses more than two decimals rather than rounding silently (use :meth:`ratio` for a
        computed share).
        """
        if isinstance(value, Money):
            return value
        if isinstance(value, bool):
            raise TypeError("not an amount")
        if isinstance(value, int):
            return cls(value * 100)
        if isinstance(value, Decimal):
            fen = value * 100
            if fen != fen.to_integral_value():
                raise ValueError(f"{value} has more than two decimals")
            return cls(int(fen))
        if isinstance(value, str):
            return cls.parse(value)
        raise TypeError(f"not an amount: {value!r}")

    @classmethod
    def parse(cls, text: str, field: str | None = None) -> Money:
        """An amount typed or imported: ``1809.52``, ``1,809.5``, ``１８０９``, ``¥1809``.

        Raises :class:`ValidationError` (a message for the user) for anything else, for more
        than two decimals and for amounts over ten million yuan.
        """
        cleaned = text.strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "")
        cleaned = cleaned.removeprefix("¥").removeprefix("￥").removesuffix("元")
        match = _TEXT.match(cleaned)
        if match is None:
            raise ValidationError(
                _("{text} is not an amount of money; write it as 1809.52.").format(text=text),
                field,
            )
        whole, part = match[1], (match[2] or "").ljust(2, "0")
        fen = int(whole) * 100 + int(part or "0")
        if cleaned.startswith("-"):
            fen = -fen
        if abs(fen) > MAX_INPUT_FEN:
            raise ValidationError(
                _("{text} is more than ten million yuan; check the amount.").format(text=text),
                field,
            )
        return cls(fen)

    def ratio(self, numerator: int, denominator: int) -> Money:
        """``self × numerator ÷ denominator``, rounded half-up (away from zero) to the fen."""
        if denominator <= 0:
            raise ValueError("denominator must be positive")
        exact = Fraction(self.fen * numerator, denominator)
        magnitude = abs(exact)
        rounded = int(magnitude) + (1 if magnitude - int(magnitude) >= Fraction(1, 2) else 0)
        return Money(rounded if exact >= 0 else -rounded)

    @property
    def yuan(self) -> Decimal:
        return Decimal(self.fen).scaleb(-2)

    def __str__(self) -> str:
        sign = "-" if self.fen < 0 else ""
        whole, fen = divmod(abs(self.fen), 100)
        return f"{sign}{whole}.{fen:02d}"

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __mul__(self, count: int) -> Money:
        if not isinstance(count, int) or isinstance(count, bool):
            return NotImplemented
        return Money(self.fen * count)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.fen != 0


def total(amounts: Iterable[Money]) -> Money:
    """The exact sum (``sum()`` would start from the integer 0)."""
    return Money(sum(a.fen for a in amounts))


def decimal_half_up(value: Decimal) -> Money:
    """A computed Decimal amount of yuan, rounded half-up to the fen."""
    try:
        return Money(int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value}") from exc
