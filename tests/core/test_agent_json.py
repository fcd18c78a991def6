import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.agent_json import (
    DebtAnswer,
    debt_answer,
    payment_key,
    read_debt_answer,
    read_payments,
    write_payments,
)

GOOD = {
    "id": "A-1001",
    "account": "1000123",
    "amount": "1250.50",
    "paid_at": "2025-02-04T10:15:42+03:00",
    "period": "2025-01",
    "payer": "Иванов Иван Иванович",
}


def body(*items, **extra):
    return json.dumps({**extra, "payments": list(items)}, ensure_ascii=False).encode()


def test_good_payments_become_records_with_keys():
    second = {"id": 77, "contract": "ТКО-123", "amount": 980, "paid_at": "2025-02-05"}
    res = read_payments(body(GOOD, second, registry_number="R-1"), "qiwi")
    assert res.ok, res.errors
    assert res.registry_number == "R-1"
    first, other = res.records
    assert first.line == 1 and other.line == 2
    assert first.amount == Decimal("1250.50")
    assert first.paid_date == date(2025, 2, 4)
    assert first.paid_at.utcoffset() == timedelta(hours=3)
    assert first.period == date(2025, 1, 1)
    assert first.account == "1000123" and not first.contract
    assert first.payer == "Иванов Иван Иванович"
    assert other.contract == "ТКО-123" and other.payment_id == "77"
    assert other.amount == Decimal("980.00") and other.paid_at is None
    assert first.key == payment_key("qiwi", "A-1001")
    assert first.key != other.key
    assert res.totals == {"items": 2, "count": 2, "amount": Decimal("2230.50")}
    assert len(res.fingerprint) == 64


def test_bare_list_and_bom_are_accepted():
    data = b"\xef\xbb\xbf" + json.dumps([GOOD]).encode()
    res = read_payments(data, "qiwi")
    assert res.ok and len(res.records) == 1


def test_key_depends_on_agent_and_id_only():
    a = read_payments(body(GOOD), "qiwi").records[0].key
    b = read_payments(body(dict(GOOD, amount="1.00", payer="")), "qiwi").records[0].key
    c = read_payments(body(GOOD), "post").records[0].key
    assert a == b
    assert a != c
    assert a.startswith("agent:qiwi:")


def test_every_bad_item_is_reported_with_its_index():
    items = [
        GOOD,
        "not an object",
        {"account": "1", "amount": "10", "paid_at": "2025-02-04"},  # no id
        dict(GOOD, id="B2", account="", contract=""),
        dict(GOOD, id="B3", contract="ТКО-1"),
        dict(GOOD, id="B4", amount="12,50"),
        dict(GOOD, id="B5", amount="-3"),
        dict(GOOD, id="B6", amount="0"),
        dict(GOOD, id="B7", amount=1.005),
        dict(GOOD, id="B8", amount=True),
        dict(GOOD, id="B9", paid_at="04.02.2025"),
        dict(GOOD, id="B10", period="13.2025"),
        dict(GOOD, id="B11", account=1000123),
        dict(GOOD, id="B12", paid_at=""),
        {k: v for k, v in GOOD.items() if k != "amount"} | {"id": "B13"},
        dict(GOOD, id="B14", amount="99999999.00"),
    ]
    res = read_payments(body(*items), "qiwi")
    assert not res.ok
    assert [r.line for r in res.records] == [1]
    by_line = {e.line: e for e in res.errors}
    assert sorted(by_line) == list(range(2, 17))
    assert by_line[2].code == "agent_json.not_an_object"
    assert by_line[3].code == "agent_json.no_id" and by_line[3].field == "id"
    assert by_line[4].code == "agent_json.no_target"
    assert by_line[5].code == "agent_json.two_targets"
    for line in (6, 7, 8, 9, 10, 16):
        assert by_line[line].code == "agent_json.bad_amount", line
        assert by_line[line].field == "amount"
    assert by_line[11].code == "agent_json.bad_date"
    assert by_line[12].code == "agent_json.bad_period"
    assert by_line[13].code == "agent_json.bad_number"
    assert by_line[14].code == "agent_json.no_date"
    assert by_line[15].code == "agent_json.no_amount"
    assert "04.02.2025" in by_line[11].message


def test_future_date_is_refused_when_today_is_given():
    tomorrow = dict(GOOD, paid_at="2025-02-05T00:10:00+03:00")
    assert read_payments(body(tomorrow), "a").ok
    res = read_payments(body(tomorrow), "a", today=date(2025, 2, 4))
    assert [e.code for e in res.errors] == ["agent_json.future_date"]


def test_the_same_payment_twice_is_booked_once_another_under_its_id_is_an_error():
    res = read_payments(body(GOOD, GOOD), "a")
    assert res.ok
    assert len(res.records) == 1
    assert [w.code for w in res.warnings] == ["agent_json.duplicate_payment"]
    assert res.warnings[0].line == 2
    res = read_payments(body(GOOD, dict(GOOD, amount="5.00")), "a")
    assert [(e.line, e.code) for e in res.errors] == [(2, "agent_json.id_reused")]


def test_unknown_fields_are_warnings():
    res = read_payments(body(dict(GOOD, cashier="7")), "a")
    assert res.ok
    assert res.warnings[0].code == "agent_json.unknown_field"
    assert "cashier" in res.warnings[0].message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{not json", "agent_json.not_json"),
        (b"\xff\xfe{", "agent_json.not_utf8"),
        (b'{"items": []}', "agent_json.no_payments"),
        (b"42", "agent_json.no_payments"),
        (b"[]", "agent_json.empty"),
        (json.dumps([GOOD] * 10_001).encode(), "agent_json.too_many"),
    ],
)
def test_unreadable_bodies_raise(data, code):
    with pytest.raises(FormatError) as info:
        read_payments(data, "a")
    assert info.value.code == code


def test_agent_code_is_required():
    with pytest.raises(FormatError):
        read_payments(body(GOOD), "")


def test_write_payments_round_trip():
    data = write_payments(
        [
            {
                "id": "X1",
                "account": "1000123",
                "amount": Decimal("10.5"),
                "paid_at": datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc),
                "period": "2025-02",
            }
        ],
        registry_number="R9",
    )
    res = read_payments(data, "a")
    assert res.ok
    assert res.registry_number == "R9"
    assert res.records[0].amount == Decimal("10.50")
    assert res.records[0].paid_date == date(2025, 3, 1)


def test_debt_answer_round_trip_and_masking():
    answer = DebtAnswer(
        account="1000123",
        due=Decimal("1234.565"),
        on_date=date(2025, 3, 1),
        payer="Иванов Иван Иванович",
        address="г. Тестовск, ул. Ленина, д. 1, кв. 1",
        periods=[
            {"period": date(2025, 1, 1), "due": Decimal("600")},
            {"period": date(2025, 2, 1), "due": Decimal("634.565")},
            {"period": date(2024, 12, 1), "due": Decimal("0")},
        ],
    )
    out = debt_answer(answer)
    assert out["due"] == "1234.57"
    assert out["to_pay"] == "1234.57"
    assert out["payer"] == "Иванов И. И."
    assert out["periods"] == [
        {"period": "2025-01", "due": "600.00"},
        {"period": "2025-02", "due": "634.57"},
    ]
    back = read_debt_answer(json.dumps(out))
    assert back.due == Decimal("1234.57")
    assert back.periods[1]["period"] == date(2025, 2, 1)
    over = debt_answer(DebtAnswer(account="1", due=Decimal("-10"), on_date=date(2025, 1, 1)))
    assert over["due"] == "-10.00" and over["to_pay"] == "0.00"
    with pytest.raises(FormatError):
        read_debt_answer(b'{"account": "1"}')
