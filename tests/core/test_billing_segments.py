"""The month split by dated versions, and the charge cases built from the registry's versions."""

from datetime import date
from decimal import Decimal

import pytest

from mobill_tko_core.billing import (
    individual_month,
    legal_month,
    month_bounds,
    schedule_from_fields,
    split_window,
)
from mobill_tko_core.charges import ChargeError, compute_batch, compute_charge

D = Decimal
MAY = date(2025, 5, 1)
TARIFF = [(date(2025, 1, 1), None, D("557.76"), "included", 7)]
NORM = [(date(2025, 1, 1), None, D("1.56"), 9)]


def test_month_bounds():
    assert month_bounds(date(2024, 2, 17)) == (date(2024, 2, 1), date(2024, 2, 29), 29)


def test_split_window_without_change_is_one_segment():
    assert split_window(date(2025, 5, 1), date(2025, 5, 31), [(date(2024, 1, 1), None)]) == [
        (date(2025, 5, 1), date(2025, 5, 31))
    ]


def test_split_window_cuts_at_starts_and_ends():
    segments = split_window(
        date(2025, 5, 1),
        date(2025, 5, 31),
        [
            (date(2025, 1, 1), date(2025, 5, 14)),
            (date(2025, 5, 15), None),
            (date(2025, 5, 20), None),
        ],
    )
    assert segments == [
        (date(2025, 5, 1), date(2025, 5, 14)),
        (date(2025, 5, 15), date(2025, 5, 19)),
        (date(2025, 5, 20), date(2025, 5, 31)),
    ]
    # the segments cover the window without gaps or overlaps
    days = sum((b - a).days + 1 for a, b in segments)
    assert days == 31


def test_split_window_empty_when_start_after_end():
    assert split_window(date(2025, 5, 10), date(2025, 5, 1), []) == []


def test_full_month_is_one_fast_case_equal_to_e1():
    chars = [
        ("residents_permanent", D("2"), date(2024, 1, 1), None, 101),
        ("residents_temporary", D("1"), date(2025, 3, 1), None, 102),
        ("owners", D("1"), date(2024, 1, 1), None, 103),
    ]
    cases = individual_month(MAY, "residents", date(2020, 1, 1), None, chars, TARIFF, NORM)
    assert len(cases) == 1
    case = cases[0]
    assert case.fast
    assert case.inputs["residents"] == 3 and type(case.inputs["residents"]) is int
    assert case.refs["residents_permanent"] == [101]
    assert case.refs["residents_temporary"] == [102]
    assert case.refs["tariff"] == [7] and case.refs["norm"] == [9]
    assert "service_start" not in case.inputs
    # the fast path of compute_batch and compute_charge agree: law brief E1
    batch = next(compute_batch([case.inputs]))
    assert batch.error_code is None and batch.total == D("217.53")
    assert compute_charge(case.inputs).total == D("217.53")


def test_residents_change_mid_month_gives_two_segments_pro_rata():
    chars = [
        ("residents_permanent", D("3"), date(2024, 1, 1), date(2025, 5, 14), 1),
        ("residents_permanent", D("2"), date(2025, 5, 15), None, 2),
    ]
    cases = individual_month(MAY, "residents", None, None, chars, TARIFF, NORM)
    assert [(c.start, c.end) for c in cases] == [
        (date(2025, 5, 1), date(2025, 5, 14)),
        (date(2025, 5, 15), date(2025, 5, 31)),
    ]
    assert [c.inputs["residents"] for c in cases] == [3, 2]
    assert [c.refs["residents_permanent"] for c in cases] == [[1], [2]]
    assert not any(c.fast for c in cases)
    results = [compute_charge(c.inputs) for c in cases]
    assert [r.days_in_service for r in results] == [14, 17]
    # 3 × 0.13 × 557.76 × 14/31 = 98.2377… ; 2 × 0.13 × 557.76 × 17/31 = 79.5264…
    assert [r.total for r in results] == [D("98.24"), D("79.53")]


def test_tariff_change_mid_month_and_account_opened_mid_month():
    tariffs = [
        (date(2025, 1, 1), date(2025, 5, 19), D("500"), "included", 1),
        (date(2025, 5, 20), None, D("600"), "included", 2),
    ]
    chars = [("residents_permanent", D("1"), date(2024, 1, 1), None, 5)]
    cases = individual_month(MAY, "residents", date(2025, 5, 10), None, chars, tariffs, NORM)
    assert [(c.start, c.end, c.inputs["tariff"]) for c in cases] == [
        (date(2025, 5, 10), date(2025, 5, 19), D("500")),
        (date(2025, 5, 20), date(2025, 5, 31), D("600")),
    ]
    assert cases[0].inputs["service_start"] == date(2025, 5, 10)


def test_account_closed_before_the_month_gives_nothing():
    chars = [("residents_permanent", D("1"), date(2024, 1, 1), None, 5)]
    assert individual_month(MAY, "residents", None, date(2025, 4, 30), chars, TARIFF, NORM) == []


def test_zone_norm_falls_back_to_the_norm_of_every_zone():
    chars = [("residents_permanent", D("1"), date(2024, 1, 1), None, 5)]
    zone_norm = [(date(2025, 5, 16), None, D("2"), 30)]
    any_norm = [(date(2020, 1, 1), None, D("1.2"), 31)]
    cases = individual_month(MAY, "residents", None, None, chars, TARIFF, zone_norm, any_norm)
    assert [(c.inputs["norm"], c.refs["norm"]) for c in cases] == [
        (D("1.2"), [31]),
        (D("2"), [30]),
    ]


def test_missing_tariff_or_norm_is_an_error_with_a_code():
    chars = [("residents_permanent", D("1"), date(2024, 1, 1), None, 5)]
    with pytest.raises(ChargeError) as err:
        individual_month(MAY, "residents", None, None, chars, [], NORM)
    assert err.value.code == "billing.no_tariff"
    with pytest.raises(ChargeError) as err:
        individual_month(MAY, "residents", None, None, chars, TARIFF, [])
    assert err.value.code == "billing.no_norm"


def test_fractional_residents_are_rejected():
    chars = [("residents_permanent", D("1.5"), date(2024, 1, 1), None, 5)]
    with pytest.raises(ChargeError) as err:
        individual_month(MAY, "residents", None, None, chars, TARIFF, NORM)
    assert err.value.code == "billing.not_whole"


def test_nobody_resident_bills_owners_also_on_the_fast_path():
    chars = [("owners", D("2"), date(2024, 1, 1), None, 8)]
    (case,) = individual_month(MAY, "residents", None, None, chars, TARIFF, NORM, case_id=3)
    assert case.fast
    assert case.inputs["residents"] == 0 and case.inputs["owners"] == 2
    assert case.batch["residents"] == 2 and "owners" not in case.batch
    result = compute_charge(case.inputs)
    assert result.inputs["owners"] == 2
    assert result.total == D("145.02")  # 2 × 0.13 × 557.76 = 145.0176
    batch = next(compute_batch([case.batch]))
    assert (batch.id, batch.total, batch.net, batch.vat) == (
        3,
        result.total,
        result.net,
        result.vat,
    )


def test_fast_path_equals_compute_charge_for_many_cases():
    import random

    rng = random.Random(7)
    for _ in range(300):
        residents, owners = rng.randint(0, 6), rng.randint(0, 4)
        norm = D(rng.randint(50, 400)) / 100
        tariff = D(rng.randint(10000, 99999)) / 100
        chars = [
            ("residents_permanent", D(residents), None, None, 1),
            ("owners", D(owners), None, None, 2),
        ]
        tariffs = [(None, None, tariff, rng.choice(["included", "not_subject"]), 3)]
        period = date(2025 + rng.randint(0, 1), rng.randint(1, 12), 1)
        (case,) = individual_month(
            period, "residents", None, None, chars, tariffs, [(None, None, norm, 4)]
        )
        full = compute_charge(case.inputs)
        if case.fast:
            fast = next(compute_batch([case.batch]))
            assert (fast.total, fast.net, fast.vat) == (full.total, full.net, full.vat)
        else:
            assert residents == 0 and owners == 0


def test_area_method():
    chars = [("area_total", D("54.3"), date(2024, 1, 1), None, 4)]
    norms = [(date(2025, 1, 1), None, D("0.05"), 3)]
    (case,) = individual_month(MAY, "area", None, None, chars, TARIFF, norms)
    assert case.inputs["area"] == D("54.3") and case.refs["area_total"] == [4]
    # 54.3 × 0.05 / 12 × 557.76 = 126.1932
    assert compute_charge(case.inputs).total == D("126.19")


def test_absence_goes_into_the_case_and_is_recalculated_by_the_core():
    chars = [("residents_permanent", D("3"), date(2024, 1, 1), None, 1)]
    absences = [{"departure": date(2025, 5, 10), "arrival": date(2025, 5, 20), "persons": 1}]
    (case,) = individual_month(MAY, "residents", None, None, chars, TARIFF, NORM, absences=absences)
    assert not case.fast
    result = compute_charge(case.inputs)
    (adj,) = result.adjustments
    # 9 full days: −1 × 0.13 × 557.76 × 9 / 31 = −21.0509…
    assert adj.amount == D("-21.05")
    assert result.total == D("217.53") - D("21.05")


def test_schedule_from_fields():
    assert schedule_from_fields("weekdays", weekdays="1, 4") == {
        "kind": "weekdays",
        "weekdays": [1, 4],
    }
    assert schedule_from_fields("every_n_days", interval=3, start=date(2025, 5, 2)) == {
        "kind": "every_n_days",
        "every": 3,
        "from": "2025-05-02",
    }
    assert schedule_from_fields("dates", dates="2025-05-05, 2025-05-19")["dates"] == [
        "2025-05-05",
        "2025-05-19",
    ]
    with pytest.raises(ChargeError):
        schedule_from_fields(False)


OTHER = [(date(2025, 1, 1), None, D("600.00"), "excluded", 70)]


def test_legal_norm_scheme_e2():
    units = [(date(2024, 1, 1), None, D("100"), 11)]
    norms = [(date(2025, 1, 1), None, D("0.8"), 12)]
    (case,) = legal_month(
        MAY, "norm", (None, None), OTHER, units=units, category="SHOP_FOOD", norms=norms
    )
    result = compute_charge(case.inputs)
    assert (result.net, result.vat, result.total) == (D("4000.00"), D("800.00"), D("4800.00"))
    assert case.refs == {"tariff": [70], "units": [11], "norm": [12]}


def test_legal_individual_tariff_wins_and_line_window_is_pro_rata():
    own = [(date(2025, 5, 1), None, D("300.00"), "excluded", 99)]
    (case,) = legal_month(
        MAY, "limit", (date(2025, 5, 11), None), OTHER, tariffs_own=own, limit_volume=D("3.1")
    )
    assert case.inputs["tariff"] == D("300.00") and case.refs["tariff"] == [99]
    result = compute_charge(case.inputs)
    # 3.1 m³ × 21/31 × 300 = 630.00
    assert result.net == D("630.00")


def test_legal_containers_count_pickups_in_each_segment():
    weekly = {"count": 2, "volume": D("0.75"), "schedule": {"kind": "weekdays", "weekdays": [1]}}
    containers = [
        (date(2025, 1, 1), date(2025, 5, 15), weekly, 21),
        (date(2025, 5, 16), None, {**weekly, "count": 3}, 22),
    ]
    cases = legal_month(MAY, "containers", (None, None), OTHER, containers=containers)
    assert len(cases) == 2
    pickups = [compute_charge(c.inputs).inputs["containers"][0]["pickups"] for c in cases]
    assert pickups == [2, 2]  # Mondays 5, 12 | 19, 26 of May 2025
    assert [c.refs["containers"] for c in cases] == [[21], [22]]


def test_legal_measured_needs_a_measurement():
    with pytest.raises(ChargeError) as err:
        legal_month(MAY, "measured_mass", (None, None), OTHER, measurements=[])
    assert err.value.code == "billing.no_measurement"
    tonnes = [(date(2025, 5, 3), D("1.5"), 1), (date(2025, 5, 20), D("0.5"), 2)]
    (case,) = legal_month(MAY, "measured_mass", (None, None), OTHER, measurements=tonnes)
    assert case.inputs["mass"] == D("2.0") and case.refs["measurements"] == [1, 2]
    assert compute_charge(case.inputs).net == D("1200.00")


def test_plain_month_shortcut_equals_the_general_path():
    chars = [
        ("residents_permanent", D("2"), date(2024, 1, 1), None, 1),
        ("residents_temporary", D("1"), date(2025, 2, 1), None, 2),
        ("owners", D("2"), date(2024, 1, 1), None, 3),
    ]
    plain = individual_month(MAY, "residents", None, None, chars, TARIFF, NORM, case_id=5)
    # two tariff versions that change nothing inside May force the general path
    split = [
        (date(2025, 1, 1), date(2025, 4, 30), D("557.76"), "included", 7),
        (date(2025, 5, 1), None, D("557.76"), "included", 7),
    ]
    general = individual_month(MAY, "residents", None, None, chars, split, NORM, case_id=5)
    assert [(c.inputs, c.refs, c.fast) for c in plain] == [
        (c.inputs, c.refs, c.fast) for c in general
    ]
    area = [("area_total", D("40"), date(2024, 1, 1), None, 4)]
    assert [c.inputs for c in individual_month(MAY, "area", None, None, area, TARIFF, NORM)] == [
        c.inputs for c in individual_month(MAY, "area", None, None, area, split, NORM)
    ]


def test_whole_numbers_read_as_text():
    chars = [
        ("residents_permanent", "3.0000", date(2024, 1, 1), None, 1),
        ("residents_temporary", "1", date(2024, 1, 1), None, 2),
    ]
    (case,) = individual_month(MAY, "residents", None, None, chars, TARIFF, NORM)
    assert case.inputs["residents"] == 4 and type(case.inputs["residents"]) is int
    with pytest.raises(ChargeError):
        individual_month(
            MAY, "residents", None, None, [("owners", "2.5000", None, None, 3)], TARIFF, NORM
        )
