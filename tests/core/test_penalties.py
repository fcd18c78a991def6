import io
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from mobill_tko_core.errors import CoreError
from mobill_tko_core.penalties import (
    DatedRule,
    Debt,
    Payment,
    PenaltyRules,
    compute_penalties,
    compute_penalties_batch,
    due_date_for,
)
from mobill_tko_core.rates import (
    RateError,
    RateTable,
    load_packaged_rates,
    load_rates_csv,
    packaged_rates_path,
    penalty_rate_table,
)

D = Decimal
SHARED = Path(__file__).parents[2] / ".." / "shared" / "reference"


@pytest.fixture(scope="module")
def rates():
    return penalty_rate_table(load_packaged_rates("refinancing"), load_packaged_rates("key"))


@pytest.fixture(scope="module")
def ind(rates):
    return PenaltyRules.individual(rates)


def flat_rules(rows, **changes):
    """Rules without moratoria and caps on a made-up rate table."""
    changes.setdefault("dated_rules", ())
    return PenaltyRules.individual(RateTable(rows), **changes)


def one(rules, period, amount, due, paid=None, calc=date(2026, 3, 1), **kw):
    payments = [(paid, D(amount))] if paid else []
    res = compute_penalties([(period, D(amount), due)], payments, calc, rules, **kw)
    batch = list(
        compute_penalties_batch(
            [("x", [(period, D(amount), due)], payments, kw.get("opt_outs", ()))], calc, rules
        )
    )
    assert batch[0].total == res.total, "the mass engine must agree with the detailed one"
    return res


def summary(res):
    return [(ln.date_from, ln.date_to, ln.days, ln.share, ln.rate, ln.amount) for ln in res.lines]


# --- rates --------------------------------------------------------------------------------------


def test_rate_table_steps():
    t = RateTable([("2024-07-29", "18.00"), ("2024-09-16", "19.00"), ("2023-12-18", "16")])
    assert t.rate_on(date(2024, 7, 28)) == D("16")
    assert t.rate_on(date(2024, 7, 29)) == D("18.00")
    assert t.rate_on("2024-09-15") == D("18.00")
    assert t.rate_on(date(2030, 1, 1)) == D("19.00")
    with pytest.raises(RateError) as err:
        t.rate_on(date(2023, 1, 1))
    assert err.value.code == "rates.no_rate"


def test_rate_table_errors():
    with pytest.raises(RateError):
        RateTable([])
    with pytest.raises(RateError):
        RateTable([("2024-01-01", "5"), ("2024-01-01", "6")])
    with pytest.raises(RateError):
        RateTable([("01.01.2024", "5")])
    with pytest.raises(RateError):
        load_rates_csv(io.StringIO("date_from,rate_percent\n2024-01-01\n"))


def test_load_rates_csv_from_file_object():
    t = load_rates_csv(io.StringIO("date_from,rate_percent\n2024-01-01,16.00\n\n2024-07-29,18\n"))
    assert t.rows() == [(date(2024, 1, 1), D("16.00")), (date(2024, 7, 29), D("18"))]


def test_packaged_rates():
    key = load_packaged_rates("key")
    assert key.rate_on(date(2024, 8, 20)) == D("18.00")
    assert key.rate_on(date(2022, 2, 28)) == D("20.00")
    ref = load_packaged_rates("refinancing")
    assert ref.rate_on(date(2015, 6, 1)) == D("8.25")
    combined = penalty_rate_table(ref, key)
    assert combined.rate_on(date(2015, 12, 31)) == D("8.25")  # refinancing rate
    assert combined.rate_on(date(2016, 1, 1)) == D("11.00")  # = key rate from 2016
    assert combined.rate_on(date(2016, 6, 14)) == D("10.50")
    assert packaged_rates_path("key").name == "cbr_key_rate.csv"
    with pytest.raises(RateError):
        packaged_rates_path("libor")


@pytest.mark.parametrize("name", ["cbr_key_rate.csv", "cbr_refinancing_rate.csv"])
def test_packaged_copies_match_shared_reference(name):
    shared = SHARED / name
    if not shared.exists():
        pytest.skip("shared/reference is not beside the repository")
    assert load_rates_csv(shared) == load_rates_csv(packaged_rates_path(name.split("_")[1]))


def test_due_date_for():
    assert due_date_for(date(2024, 3, 1)) == date(2024, 4, 10)
    assert due_date_for(date(2024, 12, 1)) == date(2025, 1, 10)
    assert due_date_for(date(2025, 1, 1), due_day=31) == date(2025, 2, 28)
    assert due_date_for(date(2025, 12, 1), due_day=15) == date(2026, 1, 15)


# --- the brief's example E3 ---------------------------------------------------------------------


def test_e3(ind):
    res = one(ind, date(2024, 3, 1), "1000.00", date(2024, 4, 10), paid=date(2024, 8, 20))
    assert res.total == D("49.69")
    assert summary(res) == [
        (date(2024, 4, 11), date(2024, 5, 10), 30, "0", None, D("0.00")),
        (date(2024, 5, 11), date(2024, 7, 9), 60, "1/300", D("9.5"), D("19.00")),
        (date(2024, 7, 10), date(2024, 8, 20), 42, "1/130", D("9.5"), D("30.69")),
    ]
    line = res.lines[1]
    assert (line.base_rate, line.rate_date, line.rule) == (D("18.00"), date(2024, 8, 20), "PP474")
    assert (line.day_from, line.day_to) == (31, 90)
    assert res.lines[0].reason == "grace"
    assert "1000.00 × 9.5 % × 60 × 1/300 = 19.00" in line.text
    assert res.debts[0]["penalty"] == D("49.69")
    assert res.unallocated == D("0.00")
    # the same with objects and dicts, due date from the default (10th of the next month)
    res2 = compute_penalties(
        [Debt(date(2024, 3, 1), D("1000.00"))],
        [Payment(date(2024, 8, 20), D("1000"))],
        "2025-01-01",
        ind,
    )
    res3 = compute_penalties(
        [{"period": "2024-03", "amount": "1000.00"}],
        [{"date": "2024-08-20", "amount": "1000.00", "period": "2024-03"}],
        "2025-01-01",
        ind,
    )
    assert res2.total == res3.total == D("49.69")


# --- thresholds ---------------------------------------------------------------------------------


def test_day_30_and_31(ind):
    due = date(2024, 4, 10)
    assert one(ind, date(2024, 3, 1), "1000.00", due, paid=due + timedelta(days=30)).total == D(
        "0.00"
    )
    # day 31: 1000 × 9.5 % / 300 = 0.3167
    assert one(ind, date(2024, 3, 1), "1000.00", due, paid=due + timedelta(days=31)).total == D(
        "0.32"
    )


def test_day_90_and_91(ind):
    due = date(2024, 4, 10)
    assert one(ind, date(2024, 3, 1), "1000.00", due, paid=date(2024, 7, 9)).total == D("19.00")
    # + 1000 × 9.5 % / 130 = 0.7308
    assert one(ind, date(2024, 3, 1), "1000.00", due, paid=date(2024, 7, 10)).total == D("19.73")


def test_payment_day_setting(rates):
    rules = PenaltyRules.individual(rates, payment_day_included=False)
    res = one(rules, date(2024, 3, 1), "1000.00", date(2024, 4, 10), paid=date(2024, 8, 20))
    assert res.lines[-1].date_to == date(2024, 8, 19)
    assert res.total == D("48.96")  # 19.00 + 41 days at 1/130: 29.9615 -> 29.96
    assert res.lines[-1].amount == D("29.96")


def test_before_the_cap_window_uses_the_plain_rate(ind):
    # debt due 10.02.2019, paid 10.06.2019 (day 120): key rate on 10.06.2019 = 7.75 %
    res = one(ind, date(2019, 1, 1), "1000.00", date(2019, 2, 10), paid=date(2019, 6, 10))
    assert summary(res)[1:] == [
        (date(2019, 3, 13), date(2019, 5, 11), 60, "1/300", D("7.75"), D("15.50")),
        (date(2019, 5, 12), date(2019, 6, 10), 30, "1/130", D("7.75"), D("17.88")),
    ]
    assert res.total == D("33.38")


# --- the single rate ----------------------------------------------------------------------------


def test_rate_of_payment_day_vs_calculation_date():
    rules = flat_rules([("2020-01-01", "6"), ("2021-01-01", "8")])
    paid = one(
        rules,
        date(2019, 12, 1),
        "1000.00",
        date(2020, 1, 10),
        paid=date(2020, 6, 10),
        calc=date(2021, 6, 1),
    )
    assert {ln.rate for ln in paid.lines if ln.reason == "accrual"} == {D("6")}
    unpaid = one(rules, date(2019, 12, 1), "1000.00", date(2020, 1, 10), calc=date(2021, 6, 1))
    assert {ln.rate for ln in unpaid.lines if ln.reason == "accrual"} == {D("8")}
    assert unpaid.lines[-1].rate_date == date(2021, 6, 1)
    assert unpaid.lines[-1].date_to == date(2021, 6, 1)  # the calculation date accrues


def test_rate_change_during_the_period_does_not_change_the_single_rate():
    rules = flat_rules([("2024-01-01", "16"), ("2024-07-29", "18")])
    res = one(rules, date(2024, 3, 1), "1000.00", date(2024, 4, 10), paid=date(2024, 8, 20))
    assert summary(res)[1:] == [
        (date(2024, 5, 11), date(2024, 7, 9), 60, "1/300", D("18"), D("36.00")),
        (date(2024, 7, 10), date(2024, 8, 20), 42, "1/130", D("18"), D("58.15")),
    ]
    assert res.total == D("94.15")


def test_cap_is_min_of_9_5_and_the_rate(ind):
    # debt for 04.2022 (a current obligation for ПП 497), paid 10.10.2022 at 7.50 % < 9.5 %
    res = one(ind, date(2022, 4, 1), "1000.00", date(2022, 5, 10), paid=date(2022, 10, 10))
    assert [(ln.rate, ln.rule, ln.amount) for ln in res.lines[1:]] == [
        (D("7.50"), None, D("15.00")),
        (D("7.50"), None, D("36.35")),
    ]
    assert res.total == D("51.35")


def test_cap_starts_on_28_02_2022(ind):
    # due 10.11.2021, paid 31.03.2022 at 20 %: the cap applies only from 28.02.2022
    res = one(ind, date(2021, 10, 1), "1000.00", date(2021, 11, 10), paid=date(2022, 3, 31))
    assert summary(res)[1:] == [
        (date(2021, 12, 11), date(2022, 2, 8), 60, "1/300", D("20.00"), D("40.00")),
        (date(2022, 2, 9), date(2022, 2, 27), 19, "1/130", D("20.00"), D("29.23")),
        (date(2022, 2, 28), date(2022, 3, 31), 32, "1/130", D("9.5"), D("23.38")),
    ]
    assert res.total == D("92.61")


# --- moratoria ----------------------------------------------------------------------------------


def test_pp424_no_penalty_inside_but_days_count(ind):
    # unpaid debt due 10.01.2020, calculated on 31.01.2021 at 4.25 %
    res = one(ind, date(2019, 12, 1), "1000.00", date(2020, 1, 10), calc=date(2021, 1, 31))
    assert [
        (ln.date_from, ln.days, ln.share, ln.reason, ln.rule, ln.amount) for ln in res.lines
    ] == [
        (date(2020, 1, 11), 30, "0", "grace", None, D("0.00")),
        (date(2020, 2, 10), 56, "1/300", "accrual", None, D("7.93")),
        (date(2020, 4, 6), 4, "1/300", "moratorium", "PP424", D("0.00")),
        (date(2020, 4, 10), 266, "1/130", "moratorium", "PP424", D("0.00")),
        (date(2021, 1, 1), 31, "1/130", "accrual", None, D("10.13")),
    ]
    assert res.total == D("18.06")
    # a debt wholly outside the moratorium is not touched
    outside = one(ind, date(2021, 1, 1), "1000.00", date(2021, 2, 10), paid=date(2021, 4, 12))
    assert all(ln.rule is None for ln in outside.lines)


def test_pp424_for_legal_entities_is_a_setting(rates):
    legal = PenaltyRules.legal_entity(rates)
    res = one(legal, date(2019, 12, 1), "1000.00", date(2020, 1, 10), calc=date(2021, 1, 31))
    assert summary(res) == [
        (date(2020, 1, 11), date(2021, 1, 31), 387, "1/130", D("4.25"), D("126.52"))
    ]
    mkd = PenaltyRules.legal_entity(rates, apply_pp424=True)
    res = one(mkd, date(2019, 12, 1), "1000.00", date(2020, 1, 10), calc=date(2021, 1, 31))
    assert [ln.amount for ln in res.lines] == [D("28.12"), D("0.00"), D("10.13")]
    assert res.total == D("38.25")


def test_pp497_old_obligation(ind):
    # debt for 02.2022 arose 28.02.2022 (before 01.04.2022): nothing accrues 01.04–01.10.2022
    res = one(ind, date(2022, 2, 1), "1000.00", date(2022, 3, 10), paid=date(2022, 11, 10))
    assert [(ln.date_from, ln.date_to, ln.reason, ln.rule, ln.amount) for ln in res.lines] == [
        (date(2022, 3, 11), date(2022, 4, 9), "grace", None, D("0.00")),
        (date(2022, 4, 10), date(2022, 6, 8), "moratorium", "PP497", D("0.00")),
        (date(2022, 6, 9), date(2022, 10, 1), "moratorium", "PP497", D("0.00")),
        (date(2022, 10, 2), date(2022, 11, 10), "accrual", None, D("23.08")),
    ]
    assert res.total == D("23.08")


def test_pp497_opt_out(ind):
    res = one(
        ind,
        date(2022, 2, 1),
        "1000.00",
        date(2022, 3, 10),
        paid=date(2022, 11, 10),
        opt_outs={"PP497"},
    )
    assert [ln.amount for ln in res.lines] == [D("0.00"), D("15.00"), D("89.42")]
    assert res.total == D("104.42")


def test_pp497_current_vs_old_obligation(rates, ind):
    old = one(ind, date(2022, 3, 1), "1000.00", date(2022, 4, 10), paid=date(2022, 10, 10))
    assert {ln.rule for ln in old.lines} >= {"PP497"}
    current = one(ind, date(2022, 4, 1), "1000.00", date(2022, 5, 10), paid=date(2022, 10, 10))
    assert "PP497" not in {ln.rule for ln in current.lines}
    assert current.total == D("51.35")
    # the same March debt is current when the obligation is dated by its due date
    by_due = PenaltyRules.individual(rates, obligation_date="due_date")
    res = one(by_due, date(2022, 3, 1), "1000.00", date(2022, 4, 10), paid=date(2022, 10, 10))
    assert "PP497" not in {ln.rule for ln in res.lines}
    # an explicit arose_on wins
    res = compute_penalties(
        [Debt(date(2022, 4, 1), D("1000"), date(2022, 5, 10), arose_on=date(2022, 3, 31))],
        [Payment(date(2022, 10, 10), D("1000"))],
        date(2026, 1, 1),
        ind,
    )
    assert "PP497" in {ln.rule for ln in res.lines}


# --- partial payments and allocation ------------------------------------------------------------


def test_partial_payment_lowers_the_debt(rates, ind):
    debts = [(date(2024, 3, 1), D("1000.00"), date(2024, 4, 10))]
    pays = [(date(2024, 6, 20), D("400.00"), date(2024, 3, 1)), (date(2024, 8, 20), D("600.00"))]
    res = compute_penalties(debts, pays, date(2025, 1, 1), ind)
    accrual = [
        (ln.debt, ln.paid_on, ln.days, ln.share, ln.amount)
        for ln in res.lines
        if ln.reason == "accrual"
    ]
    assert accrual == [
        (D("400.00"), date(2024, 6, 20), 41, "1/300", D("5.19")),
        (D("600.00"), date(2024, 8, 20), 60, "1/300", D("11.40")),
        (D("600.00"), date(2024, 8, 20), 42, "1/130", D("18.42")),
    ]
    assert res.total == D("35.01")
    excl = PenaltyRules.individual(rates, payment_day_included=False)
    assert compute_penalties(debts, pays, date(2025, 1, 1), excl).total == D("34.45")
    for rules in (ind, excl):
        batch = list(compute_penalties_batch([(1, debts, pays)], date(2025, 1, 1), rules))
        assert batch[0].total == compute_penalties(debts, pays, date(2025, 1, 1), rules).total


def test_rate_basis_settings():
    rules_rows = [("2024-01-01", "10"), ("2024-07-01", "12"), ("2025-01-01", "20")]
    debts = [(date(2024, 3, 1), D("1000.00"), date(2024, 4, 10))]
    pays = [(date(2024, 6, 20), D("400.00")), (date(2024, 8, 20), D("600.00"))]
    each = compute_penalties(debts, pays, date(2025, 2, 1), flat_rules(rules_rows))
    assert [ln.rate for ln in each.lines if ln.reason == "accrual"] == [D("10"), D("12"), D("12")]
    last = compute_penalties(
        debts, pays, date(2025, 2, 1), flat_rules(rules_rows, rate_basis="last_payment")
    )
    assert {ln.rate for ln in last.lines if ln.reason == "accrual"} == {D("12")}
    calc = compute_penalties(
        debts, pays, date(2025, 2, 1), flat_rules(rules_rows, rate_basis="calculation")
    )
    assert {ln.rate for ln in calc.lines if ln.reason == "accrual"} == {D("20")}


def test_untagged_payments_go_to_the_oldest_debt(ind):
    debts = [
        (date(2024, 4, 1), D("100.00"), date(2024, 5, 10)),
        (date(2024, 3, 1), D("100.00"), date(2024, 4, 10)),
    ]
    res = compute_penalties(debts, [(date(2024, 4, 5), D("150.00"))], date(2024, 12, 31), ind)
    by_period = {d["period"]: d for d in res.debts}
    assert by_period["2024-03"]["unpaid"] == D("0.00")
    assert by_period["2024-04"]["unpaid"] == D("50.00")
    over = compute_penalties(debts, [(date(2024, 4, 5), D("250.00"))], date(2024, 12, 31), ind)
    assert over.unallocated == D("50.00") and over.total == D("0.00")
    # a payment after the calculation date is ignored
    later = compute_penalties(debts, [(date(2025, 1, 5), D("200.00"))], date(2024, 12, 31), ind)
    assert later.debts[0]["unpaid"] == D("100.00")


# --- legal entities -----------------------------------------------------------------------------


def test_legal_entity_rule(rates):
    legal = PenaltyRules.legal_entity(rates)
    # 1/130 from day 1, rate of the calculation (claim) date, capped at 9.5 % (ПП 474)
    res = one(
        legal,
        date(2024, 3, 1),
        "1000.00",
        date(2024, 4, 10),
        paid=date(2024, 8, 20),
        calc=date(2025, 1, 1),
    )
    assert summary(res) == [
        (date(2024, 4, 11), date(2024, 8, 20), 132, "1/130", D("9.5"), D("96.46"))
    ]
    assert res.lines[0].rate_date == date(2025, 1, 1)
    no_cap = PenaltyRules.legal_entity(
        RateTable([("2024-01-01", "16"), ("2024-12-01", "21")]), dated_rules=()
    )
    res = one(
        no_cap,
        date(2024, 3, 1),
        "1000.00",
        date(2024, 4, 10),
        paid=date(2024, 8, 20),
        calc=date(2025, 1, 1),
    )
    assert res.lines[0].rate == D("21")
    assert res.total == D("213.23")  # 1000 × 21 % × 132 / 130 = 213.2308
    contract = PenaltyRules.legal_entity(rates, scale=((1, 0), (11, 300)))
    res = one(contract, date(2024, 3, 1), "1000.00", date(2024, 4, 10), paid=date(2024, 4, 20))
    assert res.total == D("0.00")


# --- errors -------------------------------------------------------------------------------------


def test_invalid_inputs(ind):
    with pytest.raises(CoreError) as err:
        compute_penalties(
            [(date(2024, 3, 1), "10.005", date(2024, 4, 10))], [], date(2025, 1, 1), ind
        )
    assert err.value.code == "penalty.bad_amount"
    with pytest.raises(CoreError) as err:
        compute_penalties([(date(2024, 3, 1), "10", "10.04.2024")], [], date(2025, 1, 1), ind)
    assert err.value.code == "penalty.bad_date"
    with pytest.raises(CoreError) as err:
        compute_penalties([], [(date(2024, 3, 1), "-5")], date(2025, 1, 1), ind)
    assert err.value.code == "penalty.bad_payment"
    with pytest.raises(CoreError) as err:
        compute_penalties([(date(1990, 1, 1), "10")], [], date(1990, 6, 1), ind)
    assert err.value.code == "rates.no_rate"
    with pytest.raises(CoreError):
        PenaltyRules.individual(ind.rates, rate_basis="whenever")


@pytest.mark.parametrize(
    ("changes", "code", "value"),
    [
        ({"consumer": "state"}, "penalty.rules.bad_consumer", "state"),
        ({"rate_basis": "whenever"}, "penalty.rules.bad_rate_basis", "whenever"),
        ({"obligation_date": "someday"}, "penalty.rules.bad_obligation_date", "someday"),
        ({"payment_day_included": "yes"}, "penalty.rules.bad_payment_day", "yes"),
        ({"due_day": 32}, "penalty.rules.bad_due_day", 32),
        ({"due_months_after": -1}, "penalty.rules.bad_due_months", -1),
        ({"scale": ((1, "x"),)}, "penalty.rules.bad_scale", "((1, 'x'),)"),
        ({"scale": ((2, 300),)}, "penalty.rules.bad_scale_start", "2: 1/300"),
        ({"scale": ((1, 300), (1, 130))}, "penalty.rules.bad_scale_order", "1: 1/300, 1: 1/130"),
    ],
)
def test_each_wrong_setting_has_its_code_and_value(ind, changes, code, value):
    """A wrong setting says which one and what it holds (the message is built from them)."""
    with pytest.raises(CoreError) as err:
        PenaltyRules.individual(ind.rates, **changes)
    assert err.value.code == code
    assert err.value.params["value"] == value


def test_each_wrong_dated_rule_has_its_code():
    with pytest.raises(CoreError) as err:
        DatedRule(code="X", kind="pause", date_from=date(2024, 1, 1), date_to=date(2024, 2, 1))
    assert (err.value.code, err.value.params) == (
        "penalty.rule.bad_kind",
        {"rule": "X", "kind": "pause"},
    )
    with pytest.raises(CoreError) as err:
        DatedRule(code="X", kind="rate_cap", date_from=date(2024, 1, 1), date_to=date(2024, 2, 1))
    assert err.value.code == "penalty.rule.no_cap_rate"
    with pytest.raises(CoreError) as err:
        DatedRule(code="X", kind="no_accrual", date_from=date(2024, 2, 1), date_to=date(2024, 1, 1))
    assert err.value.code == "penalty.rule.bad_dates"
    assert err.value.params["date_to"] == date(2024, 1, 1)
    with pytest.raises(CoreError) as err:
        PenaltyRules(rates=None)
    assert err.value.code == "penalty.rules.no_rates"


def test_batch_reports_errors_and_goes_on(ind):
    good = [(date(2024, 3, 1), D("1000.00"), date(2024, 4, 10))]
    pays = [(date(2024, 8, 20), D("1000.00"))]
    accounts = [
        ("a", good, pays),
        ("b", [(date(2024, 3, 1), "x", date(2024, 4, 10))], []),
        ("c", good, pays, ()),
        None,
        ("d", [("2024-03", "1000.00", "2024-04-10")], [("2024-08-20", "1000")]),
    ]
    out = list(compute_penalties_batch(accounts, date(2025, 1, 1), ind))
    assert [(o.account_id, o.total, o.error_code) for o in out] == [
        ("a", D("49.69"), None),
        ("b", None, "penalty.bad_amount"),
        ("c", D("49.69"), None),
        (None, None, "penalty.bad_input"),
        ("d", D("49.69"), None),
    ]


# --- the mass engine against the detailed one ---------------------------------------------------


def _random_account(rnd, start_year):
    debts, pays = [], []
    for _k in range(rnd.randint(1, 14)):
        m = rnd.randint(0, 40)
        period = date(start_year + m // 12, m % 12 + 1, 1)
        amount = D(rnd.randint(0, 500000)).scaleb(-2)
        due = due_date_for(period, rnd.choice([10, 10, 15, 25]))
        if rnd.random() < 0.2:
            debts.append({"period": period, "amount": amount, "due_date": due})
        else:
            debts.append((period, amount, due))
        x = rnd.random()
        if x < 0.4:
            pays.append((due + timedelta(days=rnd.randint(-20, 400)), amount, period))
        elif x < 0.7:
            part = (amount * D(rnd.random())).quantize(D("0.01"))
            pays.append((due + timedelta(days=rnd.randint(-5, 300)), part))
            if rnd.random() < 0.5:
                pays.append((due + timedelta(days=rnd.randint(0, 500)), amount - part, period))
        elif x < 0.8:
            pays.append((due + timedelta(days=rnd.randint(0, 700)), amount))
    opt = {"PP497"} if rnd.random() < 0.2 else ()
    return debts, pays, opt


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mass_engine_equals_detailed_engine(rates, seed):
    rnd = random.Random(seed)
    rule_sets = [
        PenaltyRules.individual(rates),
        PenaltyRules.individual(rates, payment_day_included=False),
        PenaltyRules.individual(rates, rate_basis="last_payment"),
        PenaltyRules.individual(rates, obligation_date="due_date"),
        PenaltyRules.legal_entity(rates),
        PenaltyRules.legal_entity(rates, apply_pp424=True, rate_basis="payment"),
    ]
    for rules in rule_sets:
        accounts = []
        for i in range(40):
            debts, pays, opt = _random_account(rnd, rnd.choice([2019, 2020, 2021, 2022, 2024]))
            accounts.append((i, debts, pays, opt))
        calc = date(2026, 2, 20) if seed != 2 else date(2022, 9, 1)
        batch = list(compute_penalties_batch(accounts, calc, rules))
        for (i, debts, pays, opt), item in zip(accounts, batch, strict=True):
            detailed = compute_penalties(debts, pays, calc, rules, opt)
            assert item.error_code is None
            assert item.total == detailed.total, (i, rules.consumer)
            assert detailed.total == sum((ln.amount for ln in detailed.lines), D("0.00"))


def test_rate_is_needed_only_when_a_share_is_reached():
    rules = flat_rules([("2024-06-01", "10")])
    # paid within the 30 free days: no rate needed (the table starts later)
    debt = [(date(2024, 3, 1), D("100.00"), date(2024, 4, 10))]
    early = compute_penalties(debt, [(date(2024, 4, 20), D("100.00"))], date(2024, 5, 1), rules)
    assert early.total == D("0.00") and early.lines[0].base_rate is None
    paid = [(date(2024, 4, 20), D("100.00"))]
    assert next(compute_penalties_batch([(1, debt, paid)], date(2024, 5, 1), rules)).total == 0
    # day 31 reached and no rate on 11.05.2024: both engines report the error
    with pytest.raises(RateError):
        compute_penalties(debt, [(date(2024, 5, 11), D("100.00"))], date(2024, 6, 1), rules)
    late = [(date(2024, 5, 11), D("100.00"))]
    item = next(compute_penalties_batch([(1, debt, late)], date(2024, 6, 1), rules))
    assert item.error_code == "rates.no_rate"


def test_opt_outs_as_a_single_code(ind):
    debts = [(date(2022, 2, 1), D("1000.00"), date(2022, 3, 10))]
    pays = [(date(2022, 11, 10), D("1000.00"))]
    assert compute_penalties(debts, pays, date(2026, 1, 1), ind, "PP497").total == D("104.42")
    item = next(compute_penalties_batch([(1, debts, pays, "PP497")], date(2026, 1, 1), ind))
    assert item.total == D("104.42")
