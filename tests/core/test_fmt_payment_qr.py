from datetime import date
from decimal import Decimal

import pytest

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.payment_qr import (
    build_payment_string,
    parse_payment_string,
    payment_bytes,
)

PAYEE = {
    "Name": "ООО «Региональный оператор»",
    "PersonalAcc": "40702810900000001234",
    "BankName": "ПАО СБЕРБАНК",
    "BIC": "044525225",
    "CorrespAcc": "30101810400000000225",
}
EXAMPLE = (
    "ST00012|Name=ООО «Региональный оператор»|PersonalAcc=40702810900000001234|"
    "BankName=ПАО СБЕРБАНК|BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=4000000001|"
    "KPP=400001001|Sum=125050|Purpose=Обращение с ТКО за 01.2025, л/с 1000123|PersAcc=1000123|"
    "PaymPeriod=012025|LastName=Иванов|PayerAddress=г. Калуга, ул. Ленина, д. 1, кв. 2|TechCode=02"
)


def fields(**more):
    # Optional fields first on purpose: the builder puts the mandatory block first.
    return {
        "PayeeINN": "4000000001",
        **PAYEE,
        "KPP": "400001001",
        "Sum": Decimal("1250.50"),
        "Purpose": "Обращение с ТКО за 01.2025, л/с 1000123",
        "PersAcc": "1000123",
        "PaymPeriod": date(2025, 1, 1),
        "LastName": "Иванов",
        "PayerAddress": "г. Калуга, ул. Ленина, д. 1, кв. 2",
        "TechCode": "02",
        **more,
    }


def test_builds_the_formats_md_example():
    text = build_payment_string(fields())
    assert text == EXAMPLE


def test_sum_in_kopecks_from_decimal_or_int():
    assert "|Sum=125050|" in build_payment_string(fields(Sum=Decimal("1250.5")))
    assert "|Sum=99|" in build_payment_string(fields(Sum=99))


def test_round_trip_in_every_encoding():
    for digit, codec in ((1, "cp1251"), (2, "utf-8"), (3, "koi8_r")):
        source = fields(Name="ООО Региональный оператор")  # «» are not in KOI8-R
        text = build_payment_string(source, encoding=digit)
        data = payment_bytes(text)
        assert data.startswith(f"ST0001{digit}|".encode("ascii"))
        assert data == text.encode(codec)
        parsed = parse_payment_string(data)
        assert parsed.encoding == digit and parsed.separator == "|"
        assert parsed.text == text
        assert parsed.amount == Decimal("1250.50")
        assert parsed.period == date(2025, 1, 1)
        assert parsed.fields["PersAcc"] == "1000123"
        assert list(parsed.fields)[:5] == ["Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc"]


def test_every_problem_is_reported():
    bad = fields(BIC="04452522", Sum="12.50", PaymPeriod="132025", Purpose="a|b")
    del bad["BankName"]
    with pytest.raises(FormatError) as exc:
        build_payment_string(bad)
    assert exc.value.code == "formats.qr.invalid"
    assert sorted((f, c) for f, c, _m in exc.value.params["problems"]) == [
        ("BIC", "bad_value"),
        ("BankName", "missing_field"),
        ("PaymPeriod", "bad_value"),
        ("Purpose", "separator_in_value"),
        ("Sum", "bad_value"),
    ]


def test_alternative_separator_when_asked():
    text = build_payment_string(fields(Purpose="ТКО | январь"), separator=None)
    assert text.startswith("ST00012#Name=")
    assert parse_payment_string(text).fields["Purpose"] == "ТКО | январь"


def test_mandatory_block_limit_and_unencodable_text():
    with pytest.raises(FormatError) as exc:
        build_payment_string(fields(Name="Я" * 160), encoding=2)  # 320 bytes in UTF-8
    assert [c for _f, c, _m in exc.value.params["problems"]] == ["too_long"]
    assert build_payment_string(fields(Name="Я" * 160), encoding=1)  # 160 bytes in cp1251
    with pytest.raises(FormatError) as exc:
        build_payment_string(fields(LastName="Иванов ✓"), encoding=1)
    assert ("LastName", "unencodable") in [(f, c) for f, c, _m in exc.value.params["problems"]]


def test_parse_rejects_foreign_strings():
    with pytest.raises(FormatError) as exc:
        parse_payment_string("https://example.org")
    assert exc.value.code == "formats.qr.not_a_payment"
    with pytest.raises(FormatError) as exc:
        parse_payment_string("ST00012|BIC=044525225|Name=X")
    assert exc.value.code == "formats.qr.invalid"
