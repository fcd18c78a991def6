"""One allocation order: the ledger's allocation, the unpaid months of the debtors' registry
and the penalty engine's split of debts by payment agree."""

import random
from datetime import date
from decimal import Decimal

from mobill_tko_core.allocation import allocate_batch, settle, unpaid_by_period
from mobill_tko_core.penalties import _allocate

D = Decimal
JAN, FEB, MAR, APR = (date(2025, m, 1) for m in (1, 2, 3, 4))


def test_settle_pays_the_named_period_then_the_oldest_and_works_in_kopecks():
    debts = [[JAN, 10000, "a"], [FEB, 20000, "b"], [MAR, 30000, "c"]]
    paid = settle(35000, debts, MAR)
    assert [(d[2], p) for d, p in paid] == [("c", 30000), ("a", 5000)]
    assert debts == [[JAN, 5000, "a"], [FEB, 20000, "b"]]
    paid = settle(30000, debts)
    assert [(None if d is None else d[2], p) for d, p in paid] == [
        ("a", 5000),
        ("b", 20000),
        (None, 5000),
    ]
    assert debts == []


def test_unpaid_by_period_reads_the_ledgers_lines():
    debts = [(JAN, D("100")), (FEB, D("100")), (MAR, D("100"))]
    # a payment that named March: January and February stay unpaid, January is the oldest
    # (the cumulated reading, 300 charged - 100 paid, would say "since February")
    assert unpaid_by_period(debts, [(MAR, D("100"))]) == [(JAN, D("100")), (FEB, D("100"))]
    # an advance pays the oldest; a line above its period's debt paid penalties: not carried
    assert unpaid_by_period(debts, [(JAN, D("130")), (None, D("150"))]) == [(MAR, D("50"))]
    assert unpaid_by_period(debts, [(None, D("400"))]) == []
    assert unpaid_by_period([], [(None, D("10"))]) == []


def _random_case(rnd):
    months = [date(2024, m, 1) for m in range(1, 13)][: rnd.randint(1, 12)]
    debts = [(m, D(rnd.randint(0, 300000)) / 100) for m in months]
    payments = []
    for _ in range(rnd.randint(0, 8)):
        target = rnd.choice([None, *months, date(2025, 6, 1)])
        payments.append((D(rnd.randint(1, 400000)) / 100, target))
    return debts, payments


def test_ledger_allocation_registry_reading_and_penalty_split_agree():
    rnd = random.Random(20261207)
    for _ in range(500):
        debts, payments = _random_case(rnd)
        # the ledger: every payment allocated in turn
        batch = allocate_batch([("k", amount, target) for amount, target in payments], {"k": debts})
        lines = [(period, amount) for _i, _k, period, amount in batch.lines]
        remaining = dict(batch.remaining.get("k", [(p, a) for p, a in debts if a > 0]))
        # the registry's reading of the stored lines
        unpaid = dict(unpaid_by_period(debts, lines))
        assert unpaid == {p: a for p, a in remaining.items() if a > 0}
        # the penalty engine, in kopecks, fed the payments as the ledger took them
        parsed = [(p, int(a * 100), p.toordinal() + 40, 0) for p, a in debts]
        pays = [(i + 1, int(amount * 100), target) for i, (amount, target) in enumerate(payments)]
        parts, unallocated = _allocate(parsed, pays, 10**9)
        left = {
            debts[i][0]: D(sum(k for when, k in part if when is None)) / 100
            for i, part in enumerate(parts)
        }
        assert {p: a for p, a in left.items() if a} == unpaid
        advance = sum((a for _i, _k, p, a in batch.lines if p is None), D(0))
        assert D(unallocated) / 100 == advance
