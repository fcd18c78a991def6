import csv
import io

import pytest

from mobill_tko_core.spreadsheet import csv_safe, csv_unescape, is_formula_like

HOSTILE = [
    '=HYPERLINK("http://evil.example","Оплатить")',
    "+7(900)0000000+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_texts_are_escaped_and_read_back(text):
    assert is_formula_like(text)
    escaped = csv_safe(text)
    assert escaped == "'" + text
    assert csv_unescape(escaped) == text
    # through a real CSV round trip, too
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerow([escaped])
    (cell,) = next(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";"))
    assert not cell.startswith(("=", "+", "-", "@"))
    assert csv_unescape(cell) == text


@pytest.mark.parametrize(
    "value", ["Иванов Иван", "ООО «Ромашка»", "-12,50", "+100", "1 000,00", 42, None, "", "'quoted"]
)
def test_harmless_values_are_unchanged(value):
    assert not is_formula_like(value)
    assert csv_safe(value) == value
    assert csv_unescape(value) == value
