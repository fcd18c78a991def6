"""The Bank of Russia's DailyInfo.KeyRateXML answer: rows read, every problem with its code."""

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from mobill_tko_core.errors import CoreError
from mobill_tko_core.formats import cbr_dailyinfo as cbr


def answer(*rows):
    body = "".join(f"<KR>{row}</KR>" for row in rows)
    return [etree.fromstring(f'<KeyRate xmlns="">{body}</KeyRate>')]


def kr(day, rate):
    return f"<DT>{day}T00:00:00+03:00</DT><Rate>{rate}</Rate>"


def test_rows_are_read_sorted_and_a_repeated_row_is_kept_once():
    rows = cbr.parse_key_rate_elements(
        answer(kr("2026-01-06", "16,00"), kr("2026-01-05", "16.5"), kr("2026-01-06", "16"))
    )
    assert rows == [(date(2026, 1, 5), Decimal("16.5")), (date(2026, 1, 6), Decimal("16"))]
    assert cbr.rate_changes(rows, Decimal("16.5")) == [(date(2026, 1, 6), Decimal("16"))]


@pytest.mark.parametrize(
    ("rows", "code", "params"),
    [
        (("<DT>2026-01-05</DT>",), "cbr.incomplete_row", {"row": "DT=2026-01-05"}),
        ((kr("05.01.2026", "16"),), "cbr.bad_row", None),
        (
            (kr("2026-01-05", "160"),),
            "cbr.implausible_rate",
            {"rate": Decimal("160"), "date": date(2026, 1, 5)},
        ),
        (
            (kr("2026-01-05", "16"), kr("2026-01-05", "17")),
            "cbr.two_rates",
            {"date": date(2026, 1, 5), "first": Decimal("16"), "second": Decimal("17")},
        ),
    ],
)
def test_a_wrong_answer_says_what_is_wrong(rows, code, params):
    with pytest.raises(CoreError) as err:
        cbr.parse_key_rate_elements(answer(*rows))
    assert err.value.code == code
    if params is not None:
        assert err.value.params == params


def test_an_unreachable_service_is_an_error_with_its_cause():
    with pytest.raises(cbr.CbrError) as err:
        cbr.fetch_key_rates(
            date(2026, 1, 1), date(2026, 1, 9), wsdl="http://127.0.0.1:9/x?WSDL", timeout=2
        )
    assert err.value.code == "cbr.unreachable"
    assert err.value.params["error"]
