from datetime import date

import pytest

from mobill_tko_core import penalties
from mobill_tko_core.due_dates import (
    DEFAULT_DUE_DAY,
    SQL_FUNCTION,
    due_date_for,
    due_date_sql,
    payer_due_day,
)


def test_payer_due_day_contract_then_company_then_tenth():
    assert payer_due_day(20, 15) == 20
    assert payer_due_day(None, 15) == 15
    assert payer_due_day(0, 15) == 15
    assert payer_due_day(None, None) == DEFAULT_DUE_DAY == 10
    assert payer_due_day(None, 0) == 10


@pytest.mark.parametrize(
    ("period", "day", "months_after", "due"),
    [
        (date(2024, 3, 1), 10, 1, date(2024, 4, 10)),
        (date(2024, 12, 1), 10, 1, date(2025, 1, 10)),
        (date(2025, 1, 1), 31, 1, date(2025, 2, 28)),
        (date(2024, 1, 1), 31, 1, date(2024, 2, 29)),
        (date(2025, 12, 1), 15, 1, date(2026, 1, 15)),
        (date(2025, 5, 1), 25, 0, date(2025, 5, 25)),
        (date(2025, 11, 1), 31, 2, date(2026, 1, 31)),
        (date(2025, 5, 17), 10, 1, date(2025, 6, 10)),
    ],
)
def test_due_date_for(period, day, months_after, due):
    assert due_date_for(period, day, months_after) == due


def test_due_date_for_defaults():
    assert due_date_for(date(2025, 1, 1)) == date(2025, 2, 10)
    assert due_date_for(date(2025, 1, 1), None, None) == date(2025, 2, 10)
    # the penalty engine's name is the same function
    assert penalties.due_date_for is due_date_for


def test_due_date_sql_chooses_the_day_as_payer_due_day():
    sql = due_date_sql("m.period", "cond.due_day", "co.tko_due_day", "co.tko_due_months_after")
    assert sql == (
        "tko_due_date(m.period, COALESCE(NULLIF(cond.due_day, 0), NULLIF(co.tko_due_day, 0), "
        "10), COALESCE(co.tko_due_months_after, 1))"
    )
    assert "CREATE OR REPLACE FUNCTION tko_due_date(" in SQL_FUNCTION
    assert "IMMUTABLE" in SQL_FUNCTION
