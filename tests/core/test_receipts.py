"""The monthly receipt (ЕПД, ПП 354 п. 69, приказ Минстроя 43/пр) and its QR (ГОСТ Р 56042-2014).

Worked examples, hand-checked: 3 residents × norm 2.2 m³/year / 12 × tariff 750.00 = 412.50 a
month; one resident absent for the month is 2.2 / 12 × 750 = 137.50.
"""

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.payment_qr import parse_payment_string, payment_bytes
from mobill_tko_core.receipts import (
    FLAT_KEYS,
    Payee,
    Payer,
    Recalculation,
    ReceiptError,
    ReceiptInputs,
    ReceiptSettings,
    ServiceLine,
    build_receipt,
    flat,
    from_json,
    payment_fields,
    payment_string,
    route_key,
    to_json,
)

PAYEE = Payee(
    name="ООО «Региональный оператор»",
    inn="4000000008",
    kpp="400001001",
    bank_name="ПАО СБЕРБАНК",
    bic="044525225",
    account="40702810500000001234",
    corr_account="30101810400000000225",
    address="г. Калуга, ул. Ленина, д. 1",
    phone="+7 4842 000000",
)
PAYER = Payer("Иванов Иван Иванович", "Иванов", "г. Калуга, ул. Ленина, д. 1, кв. 2", "248000")
JAN = date(2025, 1, 1)


def tko_line(**more) -> ServiceLine:
    values = {
        "service": "Обращение с ТКО",
        "basis": "residents",
        "unit": "чел.",
        "quantity": D("3"),
        "norm": D("2.2"),
        "tariff": D("750.00"),
        "charged": D("412.50"),
    }
    values.update(more)
    return ServiceLine(**values)


def inputs(**more) -> ReceiptInputs:
    values = {
        "company": 1,
        "account": "1000123",
        "period": date(2025, 1, 15),
        "payer": PAYER,
        "payee": PAYEE,
        "lines": (tko_line(),),
        "route": ("г. Калуга", "ул. Ленина", "1", "", "2"),
        "zone": "Зона 1",
        "district": "Калужский",
        "management_company": "УК «Дом»",
    }
    values.update(more)
    return ReceiptInputs(**values)


def qr_fields(receipt) -> dict:
    return parse_payment_string(payment_bytes(receipt.qr)).fields


# --- worked examples --------------------------------------------------------------------


def test_plain_month():
    r = build_receipt(inputs())
    assert r.period == JAN
    assert (r.charged, r.recalculation, r.benefits) == (D("412.50"), D("0.00"), D("0.00"))
    assert r.lines[0].total == D("412.50")
    assert r.total_for_period == D("412.50")
    assert r.total_to_pay == D("412.50")
    assert str(r.advance) == "0.00"
    assert r.due_date == date(2025, 2, 10)  # ЖК РФ ст. 155: the 10th of the next month
    assert r.purpose == "Обращение с ТКО за 01.2025, л/с 1000123"
    assert not r.correction
    assert r.qr == (
        "ST00012|Name=ООО «Региональный оператор»|PersonalAcc=40702810500000001234|"
        "BankName=ПАО СБЕРБАНК|BIC=044525225|CorrespAcc=30101810400000000225|"
        "PayeeINN=4000000008|KPP=400001001|Sum=41250|"
        "Purpose=Обращение с ТКО за 01.2025, л/с 1000123|PersAcc=1000123|PaymPeriod=012025|"
        "LastName=Иванов|PayerAddress=г. Калуга, ул. Ленина, д. 1, кв. 2|TechCode=02"
    )


def test_advance_gives_nothing_to_pay_and_no_sum():
    r = build_receipt(inputs(opening_balance=D("-500")))
    assert r.opening_balance == D("-500.00")
    assert str(r.total_to_pay) == "0.00"
    assert r.advance == D("87.50")  # 500.00 − 412.50
    assert "Sum" not in qr_fields(r)
    zero = build_receipt(inputs(opening_balance=D("-500")), ReceiptSettings(zero_sum=True))
    assert qr_fields(zero)["Sum"] == "0"


def test_recalculation_with_reason():
    absence = Recalculation(JAN, D("-137.50"), "Временное отсутствие 1 чел.", "absence")
    r = build_receipt(
        inputs(
            period=date(2025, 2, 1),
            lines=(tko_line(recalculation=D("-137.50")),),
            recalculations=(absence,),
            opening_balance=D("412.50"),
            paid=D("412.50"),
            last_payment_date=date(2025, 2, 5),
        )
    )
    assert r.recalculation == D("-137.50")
    assert r.lines[0].total == D("275.00")
    assert r.total_for_period == D("275.00")
    assert r.total_to_pay == D("275.00")  # 412.50 + 275.00 − 412.50
    assert r.recalculations == (absence,)
    assert r.due_date == date(2025, 3, 10)
    assert flat(r)["last_payment_date"] == "05.02.2025"


def test_penalties_separate_then_included():
    args = {"opening_balance": D("1000"), "penalties": D("23.17")}
    separate = build_receipt(inputs(**args))
    assert separate.total_to_pay == D("1412.50")
    assert separate.penalties == D("23.17")
    fields = qr_fields(separate)
    assert (fields["Sum"], fields["AddAmount"]) == ("141250", "2317")
    included = build_receipt(inputs(**args), ReceiptSettings(penalties="included"))
    assert included.total_to_pay == D("1435.67")
    assert included.penalties_included
    assert "AddAmount" not in qr_fields(included)
    assert qr_fields(included)["Sum"] == "143567"
    quiet = build_receipt(inputs(**args), ReceiptSettings(add_amount=False))
    assert "AddAmount" not in qr_fields(quiet)


def test_partial_payment():
    r = build_receipt(
        inputs(opening_balance=D("825.00"), paid=D("300"), last_payment_date=date(2025, 1, 20))
    )
    assert r.paid == D("300.00")
    assert r.total_to_pay == D("937.50")  # 825.00 + 412.50 − 300.00
    assert qr_fields(r)["Sum"] == "93750"


def test_reissue_with_correction_mark_and_benefits():
    r = build_receipt(
        inputs(
            lines=(tko_line(benefits=D("50")),),
            correction_number=1,
            correction_reason="Ошибка в числе проживающих",
        )
    )
    assert r.correction and r.correction_number == 1
    assert r.benefits == D("50.00")
    assert r.total_to_pay == D("362.50")
    assert flat(r)["correction"] == "1"
    assert flat(build_receipt(inputs()))["correction"] == ""


def test_due_date_is_the_due_dates_rule():
    assert build_receipt(inputs(), ReceiptSettings(due_day=15)).due_date == date(2025, 2, 15)
    settings = ReceiptSettings(due_day=31, months_after=1)
    assert build_receipt(inputs(), settings).due_date == date(2025, 2, 28)
    assert build_receipt(inputs(due_day=20), settings).due_date == date(2025, 2, 20)


def test_amounts_are_rounded_once_when_read():
    r = build_receipt(inputs(lines=(tko_line(charged=D("412.505")),), paid=D("0.004")))
    assert r.charged == D("412.51")
    assert r.paid == D("0.00")


# --- totals on random cases -------------------------------------------------------------


def _money(rng, low, high):
    return D(rng.randint(low, high)) / 100


@pytest.mark.parametrize("mode", ["separate", "included"])
def test_totals_equal_the_sum_of_their_parts(mode):
    rng = random.Random(13)
    settings = ReceiptSettings(penalties=mode)
    for _ in range(250):
        lines = tuple(
            tko_line(
                basis=rng.choice(["residents", "owners", "area"]),
                charged=_money(rng, 0, 200000),
                recalculation=_money(rng, -50000, 50000) if rng.random() < 0.3 else D(0),
                benefits=_money(rng, 0, 20000) if rng.random() < 0.2 else D(0),
            )
            for _ in range(rng.randint(0, 3))
        )
        recalcs = tuple(Recalculation(JAN, line.recalculation, "перерасчёт") for line in lines)
        paid = _money(rng, 0, 300000)
        r = build_receipt(
            inputs(
                lines=lines,
                recalculations=recalcs,
                opening_balance=_money(rng, -100000, 300000),
                paid=paid,
                last_payment_date=date(2025, 1, 9) if paid else None,
                penalties=_money(rng, 0, 10000),
            ),
            settings,
        )
        assert r.charged == sum((x.charged for x in r.lines), D(0))
        assert r.recalculation == sum((x.recalculation for x in r.lines), D(0))
        assert r.recalculation == sum((x.amount for x in r.recalculations), D(0))
        assert r.benefits == sum((x.benefits for x in r.lines), D(0))
        for x in r.lines:
            assert x.total == x.charged + x.recalculation - x.benefits
        assert r.total_for_period == sum((x.total for x in r.lines), D(0))
        assert r.total_for_period == r.charged + r.recalculation - r.benefits
        penalties = r.penalties if mode == "included" else D(0)
        balance = r.opening_balance + r.total_for_period - r.paid + penalties
        assert r.total_to_pay - r.advance == balance
        assert r.total_to_pay >= 0 and r.advance >= 0 and min(r.total_to_pay, r.advance) == 0
        fields = qr_fields(r)
        assert int(fields.get("Sum", "0")) == int(r.total_to_pay * 100)
        expected_add = int(r.penalties * 100) if mode == "separate" else 0
        assert int(fields.get("AddAmount", "0")) == expected_add
        assert from_json(to_json(r)) == r


# --- QR ---------------------------------------------------------------------------------


def test_qr_round_trip_every_field():
    r = build_receipt(inputs(penalties=D("10.01")))
    fields = payment_fields(r)
    assert list(fields) == [
        "Name",
        "PersonalAcc",
        "BankName",
        "BIC",
        "CorrespAcc",
        "PayeeINN",
        "KPP",
        "Sum",
        "AddAmount",
        "Purpose",
        "PersAcc",
        "PaymPeriod",
        "LastName",
        "PayerAddress",
        "TechCode",
    ]
    assert fields["Sum"] == "41250"
    assert fields["PaymPeriod"] == "012025"
    assert fields["PersAcc"] == "1000123"
    assert fields["TechCode"] == "02"
    assert payment_string(r) == r.qr
    cp1251 = payment_string(r, encoding=1)
    assert cp1251.startswith("ST00011|")
    parsed = parse_payment_string(payment_bytes(cp1251))
    assert parsed.fields == fields
    assert parsed.amount == D("412.50")
    assert parsed.period == JAN


def test_qr_cuts_long_names_and_never_fails():
    payee = replace(PAYEE, name="Региональный оператор " * 20, bank_name="Банк " * 20)
    long_purpose = ReceiptSettings(purpose="Оплата {account} " + "x" * 300 + " {period}")
    r = build_receipt(inputs(payee=payee), long_purpose)
    fields = payment_fields(r)
    assert 0 < len(fields["Name"]) <= 160
    assert len(fields["BankName"]) <= 45
    assert len(fields["Purpose"]) <= 160
    block = "|".join(
        f"{k}={fields[k]}" for k in ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")
    )
    assert len(("|" + block).encode("utf-8")) <= 300
    assert fields["Name"].startswith("Региональный оператор")
    # windows-1251 takes one byte a letter: the name may stay longer there
    assert len(payment_fields_of(payment_string(r, 1))["Name"]) >= len(fields["Name"])


def payment_fields_of(text):
    return parse_payment_string(text).fields


def test_qr_switches_separator_when_a_value_holds_the_bar():
    payer = replace(PAYER, address="г. Калуга | ул. Ленина")
    r = build_receipt(inputs(payer=payer))
    assert r.qr.startswith("ST00012#")
    assert payment_fields(r)["PayerAddress"] == "г. Калуга | ул. Ленина"


# --- route ------------------------------------------------------------------------------


def test_route_natural_order():
    expected = [
        ("Калуга", "ул. Ленина", "д. 2", "", "кв. 9"),
        ("Калуга", "ул. Ленина", "д. 2", "", "кв. 10"),
        ("Калуга", "ул. Ленина", "д. 10", "", ""),
        ("Калуга", "ул. Ленина", "10к1", "", "1"),
        ("Калуга", "ул. Ленина", "10к2", "", "1"),
        ("Калуга", "ул. Ленина", "11", "", "1"),
        ("Калуга", "ул. Ленина", "11", "2", "1"),
        ("Калуга", "ул. Ленина 2-я", "1", "", ""),
        ("Калуга", "ул. Лесная", "1", "", ""),
        ("Калуга-2", "ул. Ленина", "1", "", ""),
    ]
    shuffled = expected[:]
    random.Random(5).shuffle(shuffled)
    assert sorted(shuffled, key=lambda a: route_key(*a)) == expected
    assert route_key("Ёлкино", "", "007") == route_key("елкино", "", "7")
    assert route_key("г. Калуга", "ул. Ленина", "дом 2", "корп. 1", "кв. 3") == route_key(
        "Калуга", "Ленина", "2", "1", "3"
    )
    assert route_key("", "ул. К. Маркса") != route_key("", "ул. Маркса")
    assert build_receipt(inputs()).route == route_key("г. Калуга", "ул. Ленина", "1", "", "2")


# --- JSON and the flat row --------------------------------------------------------------


def test_json_round_trip_and_stable_bytes():
    note = {"code": "amount", "params": {"volume": D("0.55"), "date": date(2025, 1, 31)}}
    r = build_receipt(
        inputs(
            lines=(tko_line(notes=(note,)),),
            last_payment_date=date(2024, 12, 20),
            paid=D("1"),
            messages=("График вывоза изменён", "Передайте показания"),
            els="12АБ345678",
            ipd="12АБ345678-0125-01",
        )
    )
    text = to_json(r)
    assert from_json(text) == r
    assert to_json(from_json(text)) == text
    assert to_json(build_receipt(inputs(lines=(tko_line(notes=(note,)),)))) == to_json(
        build_receipt(inputs(lines=(tko_line(notes=(note,)),)))
    )
    assert '"charged":"412.50"' in text and '"due_date":"2025-02-10"' in text
    assert r.lines[0].notes[0]["params"] == {"volume": "0.55", "date": "2025-01-31"}


def test_from_json_refuses_unknown_keys_and_schemas():
    text = to_json(build_receipt(inputs()))
    with pytest.raises(FormatError) as err:
        from_json(text.replace('"zone":', '"zona":'))
    assert err.value.code == "receipt.json_unknown_keys"
    assert err.value.params["keys"] == ["zona"]
    with pytest.raises(ReceiptError) as err:
        from_json(text.replace('"schema":1', '"schema":9'))
    assert err.value.code == "receipt.json_schema"
    assert err.value.params == {"schema": 9, "expected": 1}


def test_flat_row():
    r = build_receipt(
        inputs(
            opening_balance=D("-12.3"),
            paid=D("1234.5"),
            last_payment_date=date(2025, 1, 3),
            lines=(tko_line(), tko_line(basis="area", unit="м²", quantity=D("54.30"))),
            els="12АБ345678",
        )
    )
    row = flat(r)
    assert tuple(row) == FLAT_KEYS
    assert all(isinstance(v, str) for v in row.values())
    assert row["period"] == "2025-01"
    assert row["els"] == "12АБ345678" and row["ipd"] == ""
    assert row["opening_balance"] == "-12.30"
    assert row["paid"] == "1234.50"
    assert row["charged"] == "825.00"
    assert row["total_to_pay"] == "0.00"  # −12.30 + 825.00 − 1234.50 < 0
    assert row["basis"] == "residents; area"
    assert row["quantity"] == "3; 54.3"
    assert row["tariff"] == "750; 750"
    assert row["due_date"] == "10.02.2025"
    assert row["last_payment_date"] == "03.01.2025"
    assert row["postcode"] == "248000"
    assert row["management_company"] == "УК «Дом»"
    assert row["payee_account"] == PAYEE.account
    assert row["qr"] == r.qr
    assert flat(build_receipt(inputs()))["last_payment_date"] == ""


# --- errors -----------------------------------------------------------------------------


def _error(**more):
    with pytest.raises(ReceiptError) as err:
        build_receipt(inputs(**more))
    return err.value


@pytest.mark.parametrize(
    ("more", "code", "params"),
    [
        ({"account": " "}, "receipt.no_account", {}),
        ({"period": "2025-01"}, "receipt.bad_period", {"value": "2025-01"}),
        ({"correction_number": -1}, "receipt.bad_correction_number", {"value": -1}),
        ({"correction_number": 2}, "receipt.correction_without_reason", {"number": 2}),
        (
            {"lines": (tko_line(), tko_line(basis="flat"))},
            "receipt.bad_basis",
            {"line": 2, "value": "flat", "allowed": ["residents", "owners", "area"]},
        ),
        (
            {"lines": (tko_line(benefits=D("-1")),)},
            "receipt.negative_amount",
            {"line": 1, "field": "benefits", "value": D("-1.00")},
        ),
        (
            {"lines": (tko_line(total=D("400")),)},
            "receipt.line_total_mismatch",
            {"line": 1, "total": D("400.00"), "expected": D("412.50")},
        ),
        (
            {"recalculations": (Recalculation(JAN, D("5")),)},
            "receipt.recalculation_without_reason",
            {"period": JAN, "amount": D("5.00")},
        ),
        (
            {"recalculations": (Recalculation(JAN, D("5"), "ошибка"),)},
            "receipt.recalculation_mismatch",
            {"listed": D("5.00"), "lines": D("0.00")},
        ),
        (
            {"lines": (tko_line(recalculation=D("-7")),)},
            "receipt.recalculation_mismatch",
            {"listed": D("0.00"), "lines": D("-7.00")},
        ),
        (
            {"penalties": D("-3")},
            "receipt.negative_amount",
            {"line": 0, "field": "penalties", "value": D("-3.00")},
        ),
        ({"paid": D("10")}, "receipt.paid_without_date", {"paid": D("10.00")}),
        (
            {"payee": replace(PAYEE, bank_name="", corr_account=" ")},
            "receipt.payee_incomplete",
            {"field": "bank_name"},
        ),
        (
            {"payee": replace(PAYEE, inn="4000000001")},
            "receipt.bad_payee",
            {"field": "inn", "value": "4000000001", "problem": "inn_checksum"},
        ),
        (
            {"payee": replace(PAYEE, account="40702810900000001234")},
            "receipt.bad_payee",
            {
                "field": "bank_account",
                "value": "40702810900000001234",
                "problem": "bank_account_checksum",
            },
        ),
    ],
)
def test_errors(more, code, params):
    error = _error(**more)
    assert error.code == code
    if code == "receipt.bad_payee":  # the requisite's own error, rendered by its code
        [requisite] = error.params.pop("problems")
        assert requisite.code == params.pop("problem")
        assert requisite.params["value"] == params["value"]
    assert error.params == params


def test_bad_qr_when_the_encoding_cannot_write_a_value():
    payer = replace(PAYER, last_name="Ivanov ☺")
    with pytest.raises(ReceiptError) as err:
        build_receipt(inputs(payer=payer), ReceiptSettings(qr_encoding=1))
    assert err.value.code == "receipt.bad_qr"
    [problem] = err.value.params["problems"]
    assert problem.code == "receipt.qr.unencodable"
    assert dict(problem.params) == {
        "field": "LastName",
        "value": "Ivanov ☺",
        "encoding": "cp1251",
    }
    r = build_receipt(inputs(payer=payer))
    with pytest.raises(ReceiptError) as err:
        payment_string(r, encoding=3)
    assert err.value.code == "receipt.bad_qr"
    with pytest.raises(ReceiptError) as err:
        payment_string(r, encoding=4)
    assert err.value.code == "receipt.bad_qr_encoding"
    assert err.value.params == {"value": 4, "allowed": [1, 2, 3]}


@pytest.mark.parametrize(
    ("settings", "code", "params"),
    [
        (
            {"penalties": "both"},
            "receipt.settings.bad_penalties",
            {"value": "both", "allowed": ["separate", "included"]},
        ),
        ({"qr_encoding": 5}, "receipt.settings.bad_encoding", {"value": 5, "allowed": [1, 2, 3]}),
        ({"due_day": 32}, "receipt.settings.bad_due_day", {"value": 32}),
        ({"months_after": 13}, "receipt.settings.bad_months_after", {"value": 13}),
        ({"purpose": "за {month}"}, "receipt.settings.bad_purpose", {"value": "за {month}"}),
    ],
)
def test_settings_errors(settings, code, params):
    with pytest.raises(ReceiptError) as err:
        ReceiptSettings(**settings)
    assert err.value.code == "receipt.bad_settings"
    [problem] = err.value.params["problems"]
    assert (problem.code, dict(problem.params)) == (code, params)
