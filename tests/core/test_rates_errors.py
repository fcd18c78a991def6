"""The key rate errors carry the values their messages name (the Odoo side renders them)."""

from datetime import date
from decimal import Decimal

import pytest

from mobill_tko_core.rates import RateError, RateTable, load_rates_csv


def _error(call, *args, **kwargs) -> RateError:
    with pytest.raises(RateError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_a_gap_names_the_day_and_the_start_of_the_table():
    error = _error(RateTable([("2025-06-01", "21")], name="key").rate_on, "2024-05-01")
    assert error.code == "rates.no_rate"
    assert error.params == {"date": date(2024, 5, 1), "start": date(2025, 6, 1), "table": "key"}


def test_bad_rows_name_their_values():
    error = _error(RateTable, [("2025-01-01", "5"), ("2025-01-01", "6")])
    assert (error.code, error.params) == (
        "rates.duplicate_date",
        {"date": date(2025, 1, 1), "first": Decimal("5"), "second": Decimal("6")},
    )
    error = _error(RateTable, [("2025-01-01", "-1")])
    assert (error.code, error.params) == (
        "rates.negative_rate",
        {"rate": Decimal("-1"), "date": date(2025, 1, 1)},
    )
    error = _error(load_rates_csv, b"date_from,rate_percent\n2025-01-01\n")
    assert (error.code, error.params) == ("rates.bad_file_row", {"line": 2})
    assert _error(RateTable, [("2025-01-01",)]).code == "rates.bad_row"
