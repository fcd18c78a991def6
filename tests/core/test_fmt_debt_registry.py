import json
from datetime import date
from decimal import Decimal

import pytest

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.debt_registry import (
    SBERBANK_DEBT,
    DebtRegistryProfile,
    DebtRow,
    export_due,
    period_to_pay,
    write_debt_registry,
)

INN = "4000000001"
ACCOUNT = "40702810900000001234"


def rows():
    return [
        DebtRow("1000123", Decimal("1250.5"), "ИВАНОВ ИВАН ИВАНОВИЧ", "г Калуга, ул Ленина; д 1"),
        DebtRow("1000456", Decimal("-10.00"), "ПЕТРОВА А С", "г Калуга ул Мира д 5"),
        DebtRow("1000789", Decimal("99.999"), "СИДОРОВ П П", "", period=date(2024, 12, 1)),
    ]


def test_sberbank_default_layout_and_file_name():
    name, data = write_debt_registry(
        rows(), inn=INN, account=ACCOUNT, seq=1, period=date(2025, 2, 1)
    )
    assert name == f"{INN}_{ACCOUNT}_001_0225.txt"
    assert data.decode("cp1251").split("\r\n") == [
        "1000123;ИВАНОВ ИВАН ИВАНОВИЧ;г Калуга, ул Ленина д 1;022025;1250.50",
        "1000456;ПЕТРОВА А С;г Калуга ул Мира д 5;022025;0.00",  # advance: 0.00
        "1000789;СИДОРОВ П П;;122024;100.00",
        "",
    ]


def test_custom_profile_with_header_trailer_and_pattern():
    profile = DebtRegistryProfile(
        name="bank_x",
        encoding="utf-8",
        separator="|",
        decimal_mark=",",
        columns=["account", "amount", "period", "service"],
        period_format="MM.YYYY",
        header=["#{inn};{date:%d.%m.%Y}"],
        trailer="={count}|{total}",
        filename_pattern="{inn}_{date:%Y%m%d}_{seq}.txt",
        line_ending="\n",
        non_positive="skip",
    )
    [first, _advance, third] = rows()
    first.extra["service"] = "ТКО"
    name, data = write_debt_registry(
        [first, _advance, third],
        profile,
        inn=INN,
        seq=7,
        period=date(2025, 2, 14),
        export_date=date(2025, 2, 20),
    )
    assert name == f"{INN}_20250220_7.txt"
    assert data.decode("utf-8") == (
        f"#{INN};20.02.2025\n1000123|1250,50|02.2025|ТКО\n1000789|100,00|12.2024|\n=2|1350,50\n"
    )


def test_all_bad_rows_are_reported_together():
    bad = [
        DebtRow("", Decimal("1")),
        DebtRow("1000123", Decimal("5")),
        DebtRow("10 001", Decimal("1")),
        DebtRow("1000999", "abc"),
    ]
    with pytest.raises(FormatError) as exc:
        write_debt_registry(bad, inn=INN, account=ACCOUNT, period=date(2025, 2, 1))
    assert exc.value.code == "formats.debt_registry.bad_rows"
    assert [(e.line, e.code) for e in exc.value.params["errors"]] == [
        (1, "missing_field"),
        (3, "bad_value"),
        (4, "bad_amount"),
    ]


def test_requisites_and_period_are_checked():
    with pytest.raises(FormatError) as exc:
        write_debt_registry(rows(), inn="123", account="1", seq=1000, period=date(2025, 2, 1))
    assert exc.value.code == "formats.debt_registry.bad_requisites"
    assert [(p.code, p.params) for p in exc.value.params["problems"]] == [
        ("formats.debt_registry.bad_inn", {"inn": "123"}),
        ("formats.debt_registry.bad_account", {"account": "1"}),
        ("formats.debt_registry.bad_seq", {"seq": 1000}),
    ]
    with pytest.raises(FormatError) as exc:
        write_debt_registry(rows()[:1], inn=INN, account=ACCOUNT)
    assert exc.value.code == "formats.debt_registry.bad_rows"  # the row has no period either
    no_period_column = DebtRegistryProfile(name="x", columns=["account", "amount"])
    with pytest.raises(FormatError) as exc:
        write_debt_registry(rows()[:1], no_period_column, inn=INN, account=ACCOUNT)
    assert exc.value.code == "formats.debt_registry.no_period"


def test_unencodable_row_is_reported():
    profile = DebtRegistryProfile.from_dict({**SBERBANK_DEBT.to_dict(), "encoding": "koi8_r"})
    with pytest.raises(FormatError) as exc:
        write_debt_registry(
            [DebtRow("1", Decimal("1"), "Иванов ✓")], profile, inn=INN, period=date(2025, 1, 1)
        )
    assert exc.value.params["errors"][0].code == "unencodable"


def test_profile_round_trips_through_json():
    d = json.loads(json.dumps(SBERBANK_DEBT.to_dict()))
    assert DebtRegistryProfile.from_dict(d) == SBERBANK_DEBT
    with pytest.raises(FormatError) as exc:
        DebtRegistryProfile.from_dict({**d, "non_positive": "maybe", "filename_pattern": ""})
    assert [p.code for p in exc.value.params["problems"]] == [
        "formats.profile.bad_non_positive",
        "formats.profile.no_filename_pattern",
    ]
    assert exc.value.params["problems"][0].params["value"] == "maybe"


def test_profile_from_dict_rejects_unknown_keys():
    data = {**SBERBANK_DEBT.to_dict(), "colums": ["ЛС"]}
    with pytest.raises(FormatError) as exc:
        DebtRegistryProfile.from_dict(data)
    assert exc.value.code == "formats.debt_registry.bad_profile"
    assert exc.value.params["keys"] == ["colums"]
    assert DebtRegistryProfile.from_dict(SBERBANK_DEBT.to_dict()) == SBERBANK_DEBT


def test_period_to_pay():
    assert period_to_pay(date(2025, 2, 20)) == date(2025, 1, 1)
    assert period_to_pay(date(2025, 1, 5)) == date(2024, 12, 1)
    assert period_to_pay(date(2025, 1, 5), 0) == date(2025, 1, 1)
    assert period_to_pay(date(2025, 3, 31), 14) == date(2024, 1, 1)
    with pytest.raises(ValueError):
        period_to_pay(date(2025, 1, 5), -1)


@pytest.mark.parametrize(
    ("schedule", "day", "today", "last", "due"),
    [
        ("none", 1, date(2025, 2, 5), None, False),
        ("daily", 1, date(2025, 2, 5), None, True),
        ("daily", 1, date(2025, 2, 5), date(2025, 2, 4), True),
        ("daily", 1, date(2025, 2, 5), date(2025, 2, 5), False),
        ("monthly", 5, date(2025, 2, 4), None, False),  # not yet
        ("monthly", 5, date(2025, 2, 5), None, True),
        ("monthly", 5, date(2025, 2, 9), date(2025, 1, 5), True),  # missed day: catch up
        ("monthly", 5, date(2025, 2, 9), date(2025, 2, 5), False),  # done this month
        ("monthly", 31, date(2025, 2, 28), date(2025, 1, 31), True),  # clipped to Feb 28
        ("monthly", 31, date(2025, 2, 27), date(2025, 1, 31), False),
    ],
)
def test_export_due(schedule, day, today, last, due):
    assert export_due(schedule, day, today, last) is due


def test_export_due_rejects_bad_settings():
    with pytest.raises(ValueError):
        export_due("weekly", 1, date(2025, 2, 5), None)
    with pytest.raises(ValueError):
        export_due("monthly", 0, date(2025, 2, 5), None)
