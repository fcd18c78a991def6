import io
import json
import zipfile
from datetime import date, time
from decimal import Decimal

import pytest

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.onec_bank import BankDocument
from mobill_tko_core.formats.registry import (
    GENERIC_CSV,
    SBERBANK_STANDARD,
    RegistryPayment,
    RegistryProfile,
    match_bank_document,
    parse_period,
    read_registry,
    write_registry,
)

# The composed example of formats.md §4.
SBER = (
    "04-02-2025;10-15-42;8608;1234;102938475610;1000123;ИВАНОВ ИВАН ИВАНОВИЧ;"
    "г Калуга ул Ленина д 1 кв 2;012025;1250.50;1238.00;12.50\r\n"
    "04-02-2025;11-02-07;8608;1240;102938475611;1000456;ПЕТРОВА АННА СЕРГЕЕВНА;"
    "г Калуга ул Мира д 5 кв 10;012025;980.00;970.20;9.80\r\n"
    "=2;2230.50;2208.20;22.30;517;05-02-2025\r\n"
)


def sber(text: str = SBER) -> bytes:
    return text.encode("cp1251")


def test_reads_sberbank_registry_with_trailer():
    res = read_registry(sber(), SBERBANK_STANDARD)
    assert res.ok, res.errors
    assert res.encoding == "cp1251"
    first, second = res.records
    assert first == RegistryPayment(
        account="1000123",
        amount=Decimal("1250.50"),
        payer="ИВАНОВ ИВАН ИВАНОВИЧ",
        address="г Калуга ул Ленина д 1 кв 2",
        period=date(2025, 1, 1),
        paid_date=date(2025, 2, 4),
        paid_time=time(10, 15, 42),
        operation_id="102938475610",
        commission=Decimal("12.50"),
        transfer_amount=Decimal("1238.00"),
        branch="8608",
        cashier="1234",
        line=1,
        key=first.key,
    )
    assert first.key.startswith("sberbank:")
    assert second.line == 2 and second.account == "1000456"
    t = res.trailer
    assert (t.line, t.count, t.total, t.transfer_total, t.commission_total) == (
        3,
        2,
        Decimal("2230.50"),
        Decimal("2208.20"),
        Decimal("22.30"),
    )
    assert (t.order_number, t.order_date) == ("517", date(2025, 2, 5))
    assert res.totals["amount"] == Decimal("2230.50")
    assert res.totals["count"] == res.totals["lines"] == 2


def test_three_bad_lines_are_all_reported_with_their_numbers():
    good = SBER.splitlines()[0]
    lines = [
        good,
        good.replace("102938475610", "1").replace("1250.50;1238.00;12.50", "12,5O;12.50;0.00"),
        good.replace("102938475610", "2").replace("04-02-2025", "2025-02-04", 1),
        good.replace("102938475610", "3").replace(";012025;", ";132025;"),
        good.replace("102938475610", "4"),
        "04-02-2025;10-15-42;8608",
        "=6;7503.00;7428.00;75.00;518;05-02-2025",
    ]
    res = read_registry(sber("\r\n".join(lines) + "\r\n"))
    assert not res.ok
    assert [(e.line, e.field, e.code) for e in res.errors] == [
        (2, "amount", "bad_amount"),
        (3, "paid_date", "bad_date"),
        (4, "period", "bad_period"),
        (6, None, "too_few_columns"),
    ]
    # Each error carries the values its message is built from (Odoo translates by code).
    assert [dict(e.params) for e in res.errors] == [
        {"value": "12,5O"},
        {"value": "2025-02-04", "format": "dd-mm-yyyy"},
        {"value": "132025"},
        {"columns": 3, "expected": 12},
    ]
    # The good lines are returned (not to be booked, since ok is False).
    assert [p.line for p in res.records] == [1, 5]
    assert res.error_lines() == [2, 3, 4, 6]
    # The count was still checked (6 data lines); the sums could not be.
    assert [w.code for w in res.warnings] == ["trailer_not_checked"]


def test_trailer_count_and_sum_mismatch_are_errors_on_the_trailer_line():
    text = SBER.replace("=2;2230.50;2208.20;22.30", "=3;2230.00;2208.20;22.30")
    res = read_registry(sber(text))
    assert [(e.line, e.code, e.field) for e in res.errors] == [
        (3, "trailer_count_mismatch", "count"),
        (3, "trailer_sum_mismatch", "total"),
    ]
    assert [dict(e.params) for e in res.errors] == [
        {"declared": 3, "counted": 2},
        {"field": "total", "declared": Decimal("2230.00"), "counted": Decimal("2230.50")},
    ]
    assert len(res.records) == 2


def test_missing_trailer_and_lines_after_it():
    res = read_registry(sber("".join(SBER.splitlines(keepends=True)[:2])))
    assert [(e.line, e.code) for e in res.errors] == [(2, "trailer_missing")]
    res = read_registry(sber(SBER + SBER.splitlines(keepends=True)[0]))
    assert [(e.line, e.code) for e in res.errors] == [(4, "data_after_trailer")]


def test_commission_must_add_up():
    text = SBER.replace("1250.50;1238.00;12.50", "1250.50;1238.00;12.00")
    res = read_registry(sber(text))
    assert ("commission_mismatch", 1) in [(e.code, e.line) for e in res.errors]


def test_keys_are_stable_across_reads_and_distinct_per_payment():
    a = read_registry(sber())
    b = read_registry(sber(SBER.replace("\r\n", "\n")))  # other bytes, same payments
    assert a.fingerprint != b.fingerprint
    assert [p.key for p in a.records] == [p.key for p in b.records]
    assert len({p.key for p in a.records}) == 2
    # The same operation in another registry (another trailer) keeps its key.
    c = read_registry(sber(SBER.replace(";517;", ";600;")))
    assert [p.key for p in c.records] == [p.key for p in a.records]


def test_keys_without_operation_id_keep_identical_payments_apart():
    profile = RegistryProfile.from_dict(
        {**SBERBANK_STANDARD.to_dict(), "name": "no_ids", "bank": "x"}
    )
    line = "04-02-2025;10-15-42;8608;1234;;1000123;ИВАНОВ И И;адрес;012025;100.00;99.00;1.00"
    text = f"{line}\r\n{line}\r\n=2;200.00;198.00;2.00;517;05-02-2025\r\n"
    first = read_registry(sber(text), profile)
    second = read_registry(sber(text), profile)
    assert first.ok
    keys = [p.key for p in first.records]
    assert len(set(keys)) == 2
    assert keys == [p.key for p in second.records]


def test_duplicate_operation_is_a_warning_and_shares_the_key():
    lines = SBER.splitlines()
    text = "\r\n".join([lines[0], lines[0], "=2;2501.00;2476.00;25.00;517;05-02-2025"])
    res = read_registry(sber(text))
    assert res.ok
    assert [(w.line, w.code) for w in res.warnings] == [(2, "duplicate_payment")]
    assert res.records[0].key == res.records[1].key


def test_write_and_read_round_trip_sberbank():
    payments = [
        RegistryPayment(
            account="1000123",
            amount=Decimal("1250.50"),
            payer="ИВАНОВ ИВАН ИВАНОВИЧ",
            address="г Калуга ул Ленина д 1 кв 2",
            period=date(2025, 1, 1),
            paid_date=date(2025, 2, 4),
            paid_time=time(10, 15, 42),
            operation_id="102938475610",
            commission=Decimal("12.50"),
            transfer_amount=Decimal("1238.00"),
            branch="8608",
            cashier="1234",
        ),
        RegistryPayment(
            account="1000456",
            amount=Decimal("980.00"),
            payer="ПЕТРОВА АННА СЕРГЕЕВНА",
            address="г Калуга ул Мира д 5 кв 10",
            period=date(2025, 1, 1),
            paid_date=date(2025, 2, 4),
            paid_time=time(11, 2, 7),
            operation_id="102938475611",
            commission=Decimal("9.80"),
            transfer_amount=Decimal("970.20"),
            branch="8608",
            cashier="1240",
        ),
    ]
    data = write_registry(payments, order_number="517", order_date=date(2025, 2, 5))
    assert data == sber()
    res = read_registry(data)
    assert res.ok
    assert [(p.account, p.amount, p.period) for p in res.records] == [
        (p.account, p.amount, p.period) for p in payments
    ]


def test_generic_csv_profile_round_trip_with_quotes():
    payments = [
        RegistryPayment(
            account="A-1",
            amount=Decimal("10.5"),
            payer="Сидоров; Пётр",
            address='г. Калуга, ул. "Мира", 1',
            period=date(2025, 3, 1),
            paid_date=date(2025, 3, 10),
            operation_id="op1",
        ),
        RegistryPayment(account="A-2", amount=Decimal("7"), paid_date=date(2025, 3, 11)),
    ]
    data = write_registry(payments, GENERIC_CSV)
    text = data.decode("utf-8")
    assert (
        text.splitlines()[0]
        == "paid_date;account;payer;address;period;amount;commission;operation_id"
    )
    assert "10,50" in text and "03.2025" in text
    res = read_registry(data, GENERIC_CSV)
    assert res.ok, res.errors
    assert res.header_lines == [text.splitlines()[0]]
    assert res.records[0].payer == "Сидоров; Пётр"
    assert res.records[0].address == 'г. Калуга, ул. "Мира", 1'
    assert res.records[1].period is None
    assert res.totals["amount"] == Decimal("17.50")


def test_profile_serialises_to_and_from_a_dict():
    d = SBERBANK_STANDARD.to_dict()
    assert RegistryProfile.from_dict(json.loads(json.dumps(d))) == SBERBANK_STANDARD
    with pytest.raises(FormatError) as exc:
        RegistryProfile.from_dict({**d, "colour": "red"})
    assert exc.value.code == "formats.registry.bad_profile"
    with pytest.raises(FormatError) as exc:
        RegistryProfile(name="x", columns={"account": 0}, encoding="no-such-codec")
    assert "amount" in exc.value.message and "no-such-codec" in exc.value.message


def test_profile_problems_travel_as_codes_with_their_values():
    with pytest.raises(FormatError) as exc:
        RegistryProfile(
            name="x",
            columns={"account": 0, "period": -1},
            decimal_mark=";",
            trailer_regex="(",
            encoding="no-such-codec",
        )
    problems = {p.code: p.params for p in exc.value.params["problems"]}
    assert problems == {
        "formats.profile.bad_decimal_mark": {"value": ";"},
        "formats.profile.missing_column": {"column": "amount"},
        "formats.profile.bad_column": {"column": "period"},
        "formats.profile.bad_trailer_regex": {
            "error": problems["formats.profile.bad_trailer_regex"]["error"]
        },
        "formats.unknown_encoding": {"encoding": "no-such-codec"},
    }
    assert exc.value.params["profile"] == "x"


def test_variant_profile_dots_comma_decimals_and_a_regex_trailer():
    profile = RegistryProfile(
        name="post_bank",
        decimal_mark=",",
        date_format="%d.%m.%Y",
        period_format="MM.YYYY",
        columns={"account": 0, "amount": 1, "paid_date": 2, "period": 3, "service": 4},
        trailer_prefix=None,
        trailer_regex=r"^ИТОГО:\s*(?P<count>\d+)\s+строк\s+на\s+(?P<total>[\d,.]+)",
        trailer_required=True,
    )
    text = (
        "# реестр Почта Банка\n1000123;100,25;04.02.2025;01.2025;ТКО\n1000456;50;04.02.2025;;ТКО\n"
    )
    res = read_registry((text + "ИТОГО: 2 строк на 150,25\n").encode("cp1251"), profile)
    assert res.ok, res.errors
    assert res.records[0].extra == {"service": "ТКО"}
    assert res.records[0].period == date(2025, 1, 1)
    assert res.header_lines == ["# реестр Почта Банка"]
    res = read_registry((text + "ИТОГО: 2 строк на 150,00\n").encode("cp1251"), profile)
    assert [e.code for e in res.errors] == ["trailer_sum_mismatch"]


def test_zip_with_one_file_is_unpacked_and_bad_encoding_lines_are_reported():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("7701000001_40702810900000001234_001_0225.txt", sber())
    res = read_registry(buffer.getvalue())
    assert res.ok and len(res.records) == 2
    profile = RegistryProfile.from_dict({**SBERBANK_STANDARD.to_dict(), "encoding": "utf-8"})
    res = read_registry(sber(), profile)  # cp1251 bytes read as UTF-8
    assert {e.code for e in res.errors} >= {"bad_encoding"}
    assert [e.line for e in res.errors if e.code == "bad_encoding"] == [1, 2]


def test_not_a_zip_registry_raises():
    with pytest.raises(FormatError) as exc:
        read_registry(b"PK\x03\x04garbage")
    assert exc.value.code == "formats.registry.bad_zip"


def test_parse_period_variants():
    assert parse_period("012025") == parse_period("01.2025") == date(2025, 1, 1)
    assert parse_period("2025-01") == date(2025, 1, 1)
    assert parse_period("0125") is None
    assert parse_period("0125", "MMYY") == date(2025, 1, 1)
    assert parse_period("132025") is None


def test_match_bank_document_links_registry_to_statement():
    res = read_registry(sber())
    doc = BankDocument(
        kind="Платежное поручение",
        number="517",
        date=date(2025, 2, 5),
        amount=Decimal("2208.20"),
    )
    other = BankDocument(
        kind="Платежное поручение", number="517", date=date(2025, 2, 5), amount=Decimal("1")
    )
    assert match_bank_document(res, [other, doc]) is doc
    assert match_bank_document(res, [other]) is None
