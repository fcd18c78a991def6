"""Money arithmetic: Decimal only, rounded at stated points.

Amounts are ``decimal.Decimal`` in roubles. Rounding is ROUND_HALF_UP to kopecks and is
done once, at the points the law brief names (each monthly charge line, each VAT line,
each penalty line); intermediate values (norm / 12, days / days in month) are never
pre-rounded.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

KOPECK = Decimal("0.01")
ZERO = Decimal("0")


def to_decimal(value) -> Decimal:
    """Convert int, str or Decimal to Decimal; floats go through ``repr`` so that 0.1 stays 0.1.

    Accepts a comma as decimal mark and spaces as thousands separators ("1 234,56").
    """
    if isinstance(value, Decimal):
        return value
    if value is None:
        return ZERO
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def round_money(value) -> Decimal:
    """Round to kopecks, half up (0.005 -> 0.01)."""
    return to_decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def to_kopecks(value) -> int:
    """Whole kopecks of an amount, rounded half up."""
    return int(round_money(value) * 100)


def from_kopecks(kopecks: int) -> Decimal:
    """Roubles of a whole number of kopecks."""
    return (Decimal(int(kopecks)) / 100).quantize(KOPECK)
