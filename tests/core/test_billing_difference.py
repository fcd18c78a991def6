"""Differences of a past period: what should have been minus what was charged and corrected."""

from decimal import Decimal

import pytest

from mobill_tko_core.billing import period_difference, vat_split
from mobill_tko_core.charges import ChargeError, compute_charge, recalculate

D = Decimal


def case(**kw):
    base = {"method": "residents", "period": "2025-03", "norm": "1.56", "tariff": "557.76"}
    base.update(kw)
    return base


def test_no_change_no_delta():
    old = [compute_charge(case(residents=3))]
    new = [compute_charge(case(residents=3))]
    assert period_difference(old, new) == []


def test_exact_mode_matches_core_recalculate_for_one_line():
    old_in, new_in = case(residents=3), case(residents=2)
    expected = recalculate(old_in, new_in)
    (delta,) = period_difference([compute_charge(old_in)], [compute_charge(new_in)])
    assert (delta.net, delta.vat, delta.total) == (expected.net, expected.vat, expected.total)
    assert delta.total == D("-72.51")  # −1 × 0.13 × 557.76 = −72.5088
    assert delta.old_total == D("217.53") and delta.new_total == D("145.02")


def test_exact_mode_rounds_the_sum_of_segments_once():
    old = [compute_charge(case(residents=3))]
    new = [
        compute_charge(case(residents=3, service_end="2025-03-14")),
        compute_charge(case(residents=2, service_start="2025-03-15")),
    ]
    (delta,) = period_difference(old, new)
    exact = sum(r.exact for r in new) - old[0].exact
    num, den = exact.numerator, exact.denominator
    expected = (D(num) / D(den)).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert delta.total == expected
    # booking it again changes nothing: the correction is subtracted
    again = period_difference(
        old, new, [(delta.vat_mode, delta.vat_rate, delta.net, delta.vat, delta.total)]
    )
    assert again == []


def test_document_mode_for_legal_entities():
    leg = {"method": "fixed_volume", "period": "2025-03", "tariff": "600", "consumer": "legal"}
    old = [compute_charge({**leg, "monthly_volume": "5"})]
    new = [compute_charge({**leg, "monthly_volume": "4"})]
    (delta,) = period_difference(old, new, mode="document")
    assert (delta.net, delta.vat, delta.total) == (D("-600.00"), D("-120.00"), D("-720.00"))
    corr = [("excluded", D("20"), D("-600.00"), D("-120.00"), D("-720.00"))]
    assert period_difference(old, new, corr, mode="document") == []


def test_groups_by_vat_mode_and_rate():
    old = [compute_charge(case(residents=1))]
    new = [compute_charge(case(residents=1, vat_mode="not_subject"))]
    deltas = period_difference(old, new)
    assert {(d.vat_mode, d.total) for d in deltas} == {
        ("included", D("-72.51")),
        ("not_subject", D("72.51")),
    }


def test_bad_mode():
    with pytest.raises(ChargeError):
        period_difference([], [], mode="other")


def test_vat_split():
    assert vat_split(D("217.53"), "included", D("20")) == (D("181.27"), D("36.26"), D("217.53"))
    assert vat_split(D("4000.00"), "excluded", 22) == (D("4000.00"), D("880.00"), D("4880.00"))
    assert vat_split(D("10.00"), "not_subject", None) == (D("10.00"), D("0.00"), D("10.00"))
