"""Numbers as the explanations and the core inputs show them (no float arithmetic)."""

from decimal import Decimal
from fractions import Fraction

from mobill_tko_core import explain
from mobill_tko_core.billing import fmt_number


def format_number(value, places=None) -> str:
    """A float read from the ORM, a Decimal or a Fraction as exact text.

    ``places``: the digits of the field the value comes from (a float is first turned into
    that many decimal places, then trailing zeros are dropped).
    """
    if value is None or value is False:
        return ""
    if isinstance(value, float):
        value = Decimal(str(value))
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            return format(value.quantize(Decimal(1)), "f")
        if value.as_tuple().exponent < -6:
            return "≈" + format(value.quantize(Decimal("0.000001")), "f")
        return format(value, "f")
    if isinstance(value, Fraction):
        return fmt_number(value)
    return str(value)


def user_number(env, value, places=None) -> str:
    """A number as text for the user's language (the core's formats: "1 234,56")."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    return explain.format_number(value, env.lang or "en_US", places=places)


def user_date(env, value) -> str:
    """A date as text for the user's language ("07.12.2026" in Russian)."""
    return explain.format_date(value, env.lang or "en_US")
