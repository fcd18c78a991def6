"""Explanation notes rendered for a language: Russian templates and Russian number formats."""

import re
from datetime import date
from decimal import Decimal as D
from fractions import Fraction

import pytest

from mobill_tko_core.charges import compute_charge, recalculate
from mobill_tko_core.explain import (
    CODES,
    TEMPLATES,
    Approx,
    format_date,
    format_number,
    number,
    render,
)

NBSP = "\u00a0"

E1 = {
    "method": "residents",
    "consumer": "individual",
    "period": "2025-05",
    "residents": 3,
    "norm": "1.56",
    "tariff": "557.76",
    "vat_mode": "included",
}

#: inputs whose explanations use every code the calculation emits
CASES = [
    E1,
    dict(E1, residents=0, owners=2),
    dict(E1, method="owners", residents=None, owners=2),
    {"method": "area", "period": "2025-05", "area": "1054.3", "norm": "0.03", "tariff": "600"},
    {
        "method": "norm_units",
        "consumer": "legal",
        "period": "2025-05",
        "units": [
            {"category": "trade_area_m2", "units": "100", "norm": "0.8"},
            {"units": "2", "norm": "1.1"},
        ],
        "tariff": "600",
        "vat_mode": "excluded",
    },
    {
        "method": "containers",
        "period": "2025-05",
        "tariff": "600",
        "containers": [{"count": 2, "volume": "0.75", "pickups": 4}],
    },
    {"method": "fixed_volume", "period": "2025-05", "annual_volume": "120", "tariff": "600"},
    {"method": "fixed_volume", "period": "2025-05", "monthly_volume": "5", "tariff": "600"},
    {"method": "measured_volume", "period": "2025-05", "volume": "12.345", "tariff": "600"},
    {"method": "measured_mass", "period": "2025-05", "mass": "1.234", "tariff": "5500.55"},
    dict(E1, service_start="2025-05-11"),
    dict(E1, vat_mode="not_subject"),
    dict(
        E1,
        absences=[
            {"departure": "2025-05-01", "arrival": "2025-05-20", "persons": 1},
            {"departure": "2025-05-20", "arrival": "2025-05-24", "persons": 1},
        ],
    ),
]


def _notes():
    notes = []
    for inputs in CASES:
        result = compute_charge(inputs)
        notes += result.explanation + [a.explanation for a in result.adjustments]
    notes += recalculate(E1, dict(E1, residents=2)).explanation
    tiny = {
        "method": "residents",
        "period": "2025-05",
        "residents": 1,
        "norm": "1",
        "tariff": "1.26",
    }
    notes += recalculate(tiny, dict(tiny, residents=2)).explanation  # a rounding difference
    legal = CASES[4]
    notes += recalculate(legal, dict(legal, tariff="610")).explanation
    return notes


def _params(template):
    return set(re.findall(r"\{(\w+)\}", template))


def test_every_code_has_a_russian_template_with_the_same_parameters():
    for code in CODES:
        assert code in TEMPLATES["ru"], f"no Russian template for {code}"
        assert _params(TEMPLATES["ru"][code]) - {"currency"} == _params(TEMPLATES["en"][code]), code
    assert set(TEMPLATES["ru"]) == set(CODES)


def test_every_code_the_calculation_emits_is_known_and_renders_in_russian():
    notes = _notes()
    emitted = {n["code"] for n in notes}
    # the calculations emit every code but those of the ledger lines (rendered by the interface)
    # and the sub-templates
    parts = {
        c for c in CODES if c.rsplit(".", 1)[-1] in ("term", "term_category", "row", "row_short")
    }
    assert emitted == {c for c in CODES if not c.startswith("line.")} - parts
    for item in notes:
        text = render(item, "ru_RU")
        assert text and "{" not in text, item["code"]
        # no decimal point, no ISO date, no unit code in the Russian text
        plain = re.sub(r"\d\d\.\d\d\.\d{4}", "", text.replace("п. 148", ""))
        assert not re.search(r"\d\.\d", plain), (item["code"], text)
        assert not re.search(r"\d{4}-\d{2}", text), text
        assert "m3" not in text and "m³" not in text, text
        # the core's own text is the English template
        assert item["text"] == render(item, "en_US")


def test_residents_in_russian():
    r = compute_charge(E1)
    ru = [render(n, "ru_RU") for n in r.explanation]
    assert ru[0].startswith("Объём = n × N / 12 = 3 × 1,56 / 12 = 0,39 м³ в месяц")
    assert "N / 12 = 0,13 на человека" in ru[0]
    assert ru[1] == (
        "Сумма = 0,39 м³ × 557,76 руб. (тариф) = 217,5264 → 217,53 руб. "
        "(округление один раз до копейки, половина вверх)."
    )
    assert ru[2] == (
        "НДС 20 % в том числе: 217,53 × 20 / (100 + 20) = 36,26 руб.; без НДС 181,27 руб."
    )
    # the English text of the core is unchanged in substance
    assert "217.5264 → 217.53" in r.explanation[1]["text"]
    assert "3 × 1.56 / 12 = 0.39 m³" in r.explanation[0]["text"]


def test_currency_symbol_is_the_callers():
    r = compute_charge(E1)
    assert render(r.explanation[1], "ru_RU", currency="₽").endswith(
        "217,53 ₽ (округление один раз до копейки, половина вверх)."
    )


def test_thousands_and_non_terminating_values():
    r = compute_charge(CASES[3])  # 1054.3 × 0.03 / 12 = 2.63575 m³, × 600 = 1581.45
    ru = [render(n, "ru") for n in r.explanation]
    assert f"1{NBSP}054,3 × 0,03 / 12 = 2,63575 м³" in ru[0]
    assert f"→ 1{NBSP}581,45 руб." in ru[1]
    r = compute_charge(dict(E1, norm="1.1"))  # 1.1 / 12 does not terminate
    assert "≈0,091667 на человека" in render(r.explanation[0], "ru_RU")


def test_absence_rows_in_russian_with_dates():
    r = compute_charge(CASES[-1])
    text = render(r.adjustments[0].explanation, "ru_RU")
    assert "1 чел. отсутствовали с 01.05.2025 по 20.05.2025: полных дней 18" in text
    assert "с 20.05.2025 по 24.05.2025: полных дней 3, не более 5 — перерасчёт не делается" in text
    assert "ΔP = " in text and "руб. (округление один раз)" in text
    assert "2025-05" not in text


def test_format_number():
    assert format_number(D("1234567.5"), "ru_RU", places=2) == f"1{NBSP}234{NBSP}567,50"
    assert format_number(D("-12.30"), "ru_RU") == "−12,3"
    assert format_number(D("1.5600"), "ru_RU") == "1,56"
    assert format_number(D("600.00"), "ru_RU") == "600"
    assert format_number(46.9, "ru_RU") == "46,9"
    assert format_number(Fraction(1, 3), "ru_RU") == "≈0,333333"
    assert format_number(Fraction(1, 4), "ru_RU") == "0,25"
    assert format_number(D("1234.5"), "en_US") == "1234.5"
    assert isinstance(number(Fraction(2, 3)), Approx)
    assert number(Fraction(13, 100)) == D("0.13")


def test_format_date():
    assert format_date(date(2026, 12, 7), "ru_RU") == "07.12.2026"
    assert format_date("2026-12-07", "ru_RU") == "07.12.2026"
    assert format_date(date(2026, 12, 7), "en_US") == "2026-12-07"


def test_ledger_line_notes():
    summary = {
        "code": "line.recalc.summary",
        "params": {
            "period": "2025-05",
            "old": "217.53",
            "before": "0",
            "new": D("145.02"),
            "diff": -72.51,
            "mode": "exact",
        },
    }
    assert render(summary, "ru_RU") == (
        "Начислено за 05.2025: 217,53 руб.; ранее проведённые корректировки: 0,00 руб.; "
        "пересчитано сейчас: 145,02 руб.; проведена разница: −72,51 руб. "
        "(точная разница, округлённая один раз)."
    )
    assert "exact difference rounded once" in render(summary, "en_US")


def test_unknown_code_shows_its_text():
    assert render({"code": "no.such", "text": "As is"}, "ru_RU") == "As is"


@pytest.mark.parametrize("code", CODES)
def test_each_code_renders_in_russian(code):
    text = render({"code": code, "params": {}}, "ru_RU")
    assert text, code
    assert not re.search(r"[A-Za-z]{3,}", text.replace("ΔP", "")), (code, text)
