from decimal import Decimal

import pytest

from mobill_tko_core.money import from_kopecks, round_money, to_decimal, to_kopecks


def test_round_half_up():
    assert round_money(Decimal("217.5264")) == Decimal("217.53")
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("-0.005")) == Decimal("-0.01")
    assert round_money("2.675") == Decimal("2.68")


def test_to_decimal_parses_russian_notation():
    assert to_decimal("1 234,56") == Decimal("1234.56")
    assert to_decimal(0.1) == Decimal("0.1")
    with pytest.raises(ValueError):
        to_decimal("12,3,4")
    with pytest.raises(TypeError):
        to_decimal(True)


def test_kopecks_round_trip():
    assert to_kopecks("100.005") == 10001
    assert from_kopecks(10001) == Decimal("100.01")
