from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest

from mobill_tko_core.demo import history as dh

TODAY = date(2026, 12, 7)
MONTHS = [dh.add_months(date(2025, 1, 1), i) for i in range(23)]  # 01.2025 … 11.2026


def charges_of(count, legal=0):
    """``count`` individuals ("a1"…) and ``legal`` legal entities ("c1"…) charged every month."""
    charges = {}
    for i in range(count):
        amount = Decimal("150.00") + Decimal(i % 37) + Decimal("0.37")
        charges[f"a{i}"] = {month: amount for month in MONTHS}
    for i in range(legal):
        charges[f"c{i}"] = {month: Decimal("12345.67") + i for month in MONTHS}
    return charges


@pytest.fixture(scope="module")
def history():
    charges = charges_of(1000, legal=50)
    return charges, dh.plan_history(charges, TODAY, legal={f"c{i}" for i in range(50)})


def test_same_seed_same_history(history):
    charges, first = history
    again = dh.plan_history(charges, TODAY, legal={f"c{i}" for i in range(50)})
    assert again == first
    other = dh.plan_history(charges, TODAY, legal={f"c{i}" for i in range(50)}, seed=7)
    assert other.payments != first.payments


def test_profile_shares(history):
    _charges, result = history
    individuals = Counter(p.kind for k, p in result.profiles.items() if k.startswith("a"))
    legal = Counter(p.kind for k, p in result.profiles.items() if k.startswith("c"))
    assert individuals == {
        dh.PUNCTUAL: 700,
        dh.LATE: 120,
        dh.PARTIAL: 80,
        dh.STOPPED: 60,
        dh.ADVANCE: 40,
    }
    assert legal == {dh.PUNCTUAL: 35, dh.LATE: 6, dh.PARTIAL: 4, dh.STOPPED: 3, dh.ADVANCE: 2}
    # a small region still has a stopped payer and a late payer among a few dozen accounts
    small = dh.assign_profiles([f"a{i}" for i in range(40)], TODAY)
    assert {p.kind for p in small.values()} == {
        dh.PUNCTUAL,
        dh.LATE,
        dh.PARTIAL,
        dh.STOPPED,
        dh.ADVANCE,
    }


def test_amounts_positive_in_kopecks_and_never_after_today(history):
    _charges, result = history
    assert result.payments
    for payment in result.payments:
        assert payment.amount > 0
        assert payment.amount == payment.amount.quantize(Decimal("0.01"))
        assert isinstance(payment.amount, Decimal)
        assert payment.date_paid <= payment.date_booked <= TODAY
    assert [p.date_paid for p in result.payments] == sorted(p.date_paid for p in result.payments)


def by_payer(result):
    out = defaultdict(list)
    for payment in result.payments:
        out[payment.payer].append(payment)
    return out


def test_stopped_payers_pay_nothing_since_they_stopped(history):
    charges, result = history
    payments = by_payer(result)
    stopped = [k for k, p in result.profiles.items() if p.kind == dh.STOPPED]
    assert stopped
    for key in stopped:
        profile = result.profiles[key]
        assert dh.add_months(TODAY, -14) <= profile.stop <= dh.add_months(TODAY, -6)
        assert all(p.date_paid < profile.stop for p in payments[key])
        # their debt is the months since they stopped: 6 to 15 months of charges
        debt = sum(charges[key].values()) - sum(p.amount for p in payments[key])
        monthly = charges[key][MONTHS[-1]]
        assert 6 * monthly <= debt <= 16 * monthly


def test_punctual_payers_pay_every_month_in_full_before_it_is_30_days_late(history):
    charges, result = history
    payments = by_payer(result)
    for key, profile in result.profiles.items():
        if profile.kind != dh.PUNCTUAL:
            continue
        paid = {p.period: p for p in payments[key]}
        # every month but the last one (due on the 10th of next month, not paid by the 7th)
        assert set(paid) >= set(MONTHS[:-1])
        for month, payment in paid.items():
            assert payment.amount == charges[key][month]
            due = dh.add_months(month, 1).replace(day=10)
            assert (payment.date_paid - due).days < 30
            if key.startswith("c"):
                assert payment.date_paid <= due and payment.channel == "bank"


def test_late_partial_and_advance_payers(history):
    charges, result = history
    payments = by_payer(result)
    for key, profile in result.profiles.items():
        total_charged = sum(charges[key].values())
        total_paid = sum(p.amount for p in payments[key])
        if profile.kind == dh.LATE:
            assert 1 <= profile.lag <= 3
            for payment in payments[key]:
                late = dh.add_months(payment.period, 1 + profile.lag)
                assert payment.date_paid.replace(day=1) == late
            # the last months are unpaid: the debt is lag + 1 months of charges at most
            assert total_charged - total_paid <= (profile.lag + 1) * charges[key][MONTHS[-1]]
        elif profile.kind == dh.PARTIAL:
            assert Decimal("0.4") <= profile.share <= Decimal("0.8")
            assert all(p.period is None for p in payments[key])
            assert total_paid < total_charged
        elif profile.kind == dh.ADVANCE:
            assert all(p.amount % 100 == 0 and p.period is None for p in payments[key])
            assert total_paid > total_charged


def test_accounts_opened_later_and_empty_months():
    charges = {"late-opened": {date(2026, 6, 1): Decimal("100"), date(2026, 7, 1): Decimal("0")}}
    profile = dh.Profile(dh.PUNCTUAL, "bank", 5)
    planned = dh.plan_payer("late-opened", profile, charges["late-opened"], TODAY)
    assert [(p.date_paid.month, p.amount) for p in planned] == [(7, Decimal("100.00"))]


@pytest.mark.parametrize(
    ("paid", "channel", "booked"),
    [
        (date(2026, 11, 6), "bank", date(2026, 11, 9)),  # Friday -> Monday
        (date(2026, 11, 9), "bank", date(2026, 11, 16)),  # Monday -> next Monday
        (date(2026, 11, 15), "post", date(2026, 11, 16)),
        (date(2026, 11, 3), "agent", date(2026, 11, 16)),
        (date(2026, 11, 16), "agent", date(2026, 12, 1)),
        (date(2026, 12, 20), "post", date(2027, 1, 1)),
    ],
)
def test_booking_day(paid, channel, booked):
    assert dh.booking_day(paid, channel) == booked
