import random
import time
from datetime import date
from decimal import Decimal

import pytest

from mobill_tko_core.allocation import (
    AllocationError,
    AllocationLine,
    allocate_batch,
    allocate_payment,
    match_payment,
)

D = Decimal
JAN, FEB, MAR, APR = (date(2025, m, 1) for m in (1, 2, 3, 4))
DEBTS = [(MAR, D("300.00")), (JAN, D("100.00")), (FEB, D("200.00"))]


def lines(result):
    return [(line.period, line.amount) for line in result]


def test_oldest_debt_first():
    assert lines(allocate_payment(D("250.00"), DEBTS)) == [(JAN, D("100.00")), (FEB, D("150.00"))]


def test_named_period_first_then_oldest():
    assert lines(allocate_payment(D("350.00"), DEBTS, target_period=MAR)) == [
        (MAR, D("300.00")),
        (JAN, D("50.00")),
    ]
    # Less than the named period's debt: all of it there.
    assert lines(allocate_payment(D("120.00"), DEBTS, FEB)) == [(FEB, D("120.00"))]
    # A named period with no debt: oldest first, the rest an advance.
    assert lines(allocate_payment(D("700.00"), DEBTS, APR)) == [
        (JAN, D("100.00")),
        (FEB, D("200.00")),
        (MAR, D("300.00")),
        (None, D("100.00")),
    ]


def test_overpayment_stays_as_advance():
    result = allocate_payment("1000.01", DEBTS)
    assert result[-1] == AllocationLine(None, D("400.01"))
    assert result[-1].is_advance
    assert lines(allocate_payment(D("5"), [])) == [(None, D("5"))]


def test_sums_are_exact_and_debts_merge():
    debts = [(JAN, "0.10"), (JAN, "0.20"), (FEB, "-5.00"), (MAR, "0.00"), (APR, "33.33")]
    result = allocate_payment(D("33.34"), debts)
    assert lines(result) == [(JAN, D("0.30")), (APR, D("33.04"))]
    rng = random.Random(7)
    for _ in range(200):
        debts = [(date(2024, m, 1), D(rng.randint(0, 50000)) / 100) for m in range(1, 13)]
        amount = D(rng.randint(0, 400000)) / 100
        target = rng.choice([None, *(p for p, _ in debts)])
        result = allocate_payment(amount, debts, target)
        assert sum((line.amount for line in result), D(0)) == amount
        assert all(line.amount > 0 for line in result)


def test_zero_and_negative_payments():
    assert allocate_payment(D("0"), DEBTS) == []
    with pytest.raises(AllocationError) as exc:
        allocate_payment(D("-1"), DEBTS)
    assert exc.value.code == "allocation.negative_payment"
    with pytest.raises(AllocationError):
        allocate_payment("x", DEBTS)


def test_batch_sees_earlier_payments():
    debts = {"A": DEBTS, "B": [(JAN, D("10"))]}
    result = allocate_batch(
        [("A", D("150"), None), ("B", D("15"), None), ("A", D("500"), MAR), ("C", D("1"), None)],
        debts,
    )
    assert result.lines == [
        (0, "A", JAN, D("100")),
        (0, "A", FEB, D("50")),
        (1, "B", JAN, D("10")),
        (1, "B", None, D("5")),
        (2, "A", MAR, D("300")),
        (2, "A", FEB, D("150")),
        (2, "A", None, D("50")),
        (3, "C", None, D("1")),
    ]
    assert result.remaining == {"A": [], "B": [], "C": []}
    assert debts["A"] == DEBTS  # input untouched


def test_batch_of_100000_payments_is_fast():
    rng = random.Random(1)
    periods = [date(2024, m, 1) for m in range(1, 13)]
    debts = {
        f"{n:07d}": [(p, D(rng.randint(10000, 90000)) / 100) for p in periods[rng.randint(0, 9) :]]
        for n in range(50000)
    }
    accounts = list(debts)
    payments = [
        (rng.choice(accounts), D(rng.randint(100, 300000)) / 100, rng.choice([None, *periods]))
        for _ in range(100000)
    ]
    start = time.perf_counter()
    result = allocate_batch(payments, debts)
    elapsed = time.perf_counter() - start
    total = sum((amount for _a, amount, _t in payments), D(0))
    assert sum((line[3] for line in result.lines), D(0)) == total
    assert elapsed < 10, elapsed  # the requirement is well under 30 s
    print(f"allocate_batch: 100000 payments, {len(result.lines)} lines in {elapsed:.2f} s")


ACCOUNTS = {"1000123", "1000456"}
CONTRACTS = {"ТКО-123", "45/2024"}
INNS = {"7701000001", "500100732259"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Оплата по договору № ТКО-123 от 01.01.2025 за январь 2025, л/с 1000123. "
            "В т.ч. НДС 20% 400.00",
            ("account", "1000123", 0.95),
        ),
        ("ЛС:1000456 за 01.2025", ("account", "1000456", 0.95)),
        ("Л/С N 1000123", ("account", "1000123", 0.95)),
        ("лицевой счет №1000456", ("account", "1000456", 0.95)),
        ("Лиц.сч. 0001000123", ("account", "1000123", 0.95)),
        ("Оплата по договору оказания услуг № ТКО-123 от 01.01.2025", ("contract", "ТКО-123", 0.9)),
        ("по дог. тко-123", ("contract", "ТКО-123", 0.9)),
        ("дог. 45/2024 оплата", ("contract", "45/2024", 0.9)),
        ("ИНН 7701000001 оплата за ТКО", ("inn", "7701000001", 0.85)),
        ("оплата 1000123", ("account", "1000123", 0.6)),
        ("перевод 500100732259", ("inn", "500100732259", 0.5)),
        ("л/с 1000123 и л/с 1000456", ("account", "1000123", 0.475)),
        ("л/с 999999 за 2025", None),
        ("Оплата за 2025 год", None),
        ("", None),
    ],
)
def test_match_payment(text, expected):
    assert match_payment(text, ACCOUNTS, CONTRACTS, INNS) == expected
