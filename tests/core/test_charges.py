import random
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest

from mobill_tko_core.charges import (
    DEFAULT_VAT_TABLE,
    ChargeError,
    ChargeSettings,
    absence_full_days,
    compute_batch,
    compute_charge,
    count_pickups,
    days_in_service,
    document_totals,
    recalculate,
    vat_rate_on,
)
from mobill_tko_core.errors import CoreError
from mobill_tko_core.money import round_money

D = Decimal

E1 = {
    "id": "E1",
    "method": "residents",
    "period": "2025-05",
    "residents": 3,
    "norm": "1.56",
    "tariff": "557.76",
}
E2 = {
    "id": "E2",
    "method": "norm_units",
    "period": "2025-05",
    "units": [{"category": "trade_area_m2", "units": "100", "norm": "0.8"}],
    "tariff": "600.00",
}


def case(base, **changes):
    out = dict(base)
    out.update(changes)
    return out


# --- worked examples of the law brief -------------------------------------------------------


def test_e1_residents_formula_9_1():
    r = compute_charge(E1)
    assert r.total == D("217.53")
    assert r.amount == D("217.53")
    assert r.consumer == "individual"
    assert r.quantity == D("0.39")
    assert r.days_in_service == r.days_in_month == 31
    assert r.inputs["residents"] == 3
    assert r.inputs["norm"] == D("1.56")
    assert r.tariff == D("557.76")
    # the population tariff includes VAT: the VAT part is reported, the total is unchanged
    assert r.vat_mode == "included"
    assert r.vat_rate == D("20")
    assert r.vat == D("36.26")  # 217.53 × 20 / 120 = 36.255
    assert r.net == D("181.27")
    codes = [e["code"] for e in r.explanation]
    assert codes == ["formula.residents", "amount", "vat.included"]
    assert "217.5264 → 217.53" in r.explanation[1]["text"]


def test_e2_legal_entity_by_norm():
    r = compute_charge(E2)
    assert r.consumer == "legal"
    assert (r.net, r.vat, r.total) == (D("4000.00"), D("800.00"), D("4800.00"))
    assert round(r.quantity, 4) == D("6.6667")
    assert r.inputs["units"] == [{"category": "trade_area_m2", "units": D(100), "norm": D("0.8")}]
    assert r.vat_mode == "excluded"


# --- each method -------------------------------------------------------------------------------


def test_area_formula_9_2():
    r = compute_charge(
        {"method": "area", "period": "2025-05", "area": "54.3", "norm": "0.03", "tariff": "600"}
    )
    assert r.total == D("81.45")  # 54.3 × 0.03 / 12 × 600
    assert r.explanation[0]["code"] == "formula.area"


def test_owners_when_nobody_resident():
    r = compute_charge(case(E1, residents=0, owners=2))
    assert r.total == D("145.02")  # 2 × 0.13 × 557.76 = 145.0176
    assert r.explanation[0]["code"] == "basis.owners"
    assert r.inputs["owners"] == 2
    explicit = compute_charge(case(E1, method="owners", residents=None, owners=2))
    assert explicit.total == D("145.02")
    off = compute_charge(
        case(E1, residents=0, owners=2, settings={"owners_when_nobody_resident": False})
    )
    assert off.total == D("0.00")


def test_norm_units_several_categories():
    r = compute_charge(
        case(
            E2,
            units=[
                {"category": "trade_area_m2", "units": 100, "norm": "0.8"},
                {"category": "employees", "units": 10, "norm": "1.2"},
            ],
        )
    )
    assert (r.net, r.vat, r.total) == (D("4600.00"), D("920.00"), D("5520.00"))


def test_containers_by_schedule_and_actual():
    r = compute_charge(
        {
            "method": "containers",
            "period": "2025-05",
            "tariff": "600",
            "containers": [{"count": 2, "volume": "0.75", "schedule": {"weekdays": [1, 4]}}],
        }
    )
    # May 2025: Mondays 5, 12, 19, 26 and Thursdays 1, 8, 15, 22, 29 -> 9 pick-ups
    assert r.inputs["containers"][0]["pickups"] == 9
    assert r.quantity == D("13.5")
    assert (r.net, r.vat, r.total) == (D("8100.00"), D("1620.00"), D("9720.00"))
    actual = compute_charge(
        {
            "method": "containers",
            "period": "2025-05",
            "tariff": "600",
            "containers": [{"count": 1, "volume": "1.1", "pickups": 7}],
        }
    )
    assert actual.net == D("4620.00")
    assert actual.inputs["containers"][0]["source"] == "actual"


def test_containers_partial_month_counts_pickups_in_service_window():
    r = compute_charge(
        {
            "method": "containers",
            "period": "2025-05",
            "service_start": "2025-05-10",
            "tariff": "100",
            "containers": [{"count": 1, "volume": "1", "schedule": {"weekdays": [1, 4]}}],
        }
    )
    assert r.inputs["containers"][0]["pickups"] == 6  # 12, 15, 19, 22, 26, 29
    assert r.net == D("600.00")  # no extra pro rata for containers


def test_fixed_volume_monthly_and_annual():
    r = compute_charge(
        {"method": "fixed_volume", "period": "2025-05", "annual_volume": "120", "tariff": "600"}
    )
    assert r.net == D("6000.00")
    r = compute_charge(
        {"method": "fixed_volume", "period": "2025-05", "monthly_volume": "5", "tariff": "600"}
    )
    assert r.net == D("3000.00")


def test_measured_volume_and_mass():
    r = compute_charge(
        {"method": "measured_volume", "period": "2025-05", "volume": "12.345", "tariff": "600"}
    )
    assert r.net == D("7407.00")
    r = compute_charge(
        {"method": "measured_mass", "period": "2025-05", "mass": "1.234", "tariff": "5500.55"}
    )
    assert r.unit == "t"
    assert r.net == D("6787.68")  # 6787.6787


def test_legal_entity_vat_included_tariff_splits_total():
    r = compute_charge(case(E2, tariff="720.00", vat_mode="included"))
    assert (r.net, r.vat, r.total) == (D("4000.00"), D("800.00"), D("4800.00"))
    r = compute_charge(case(E2, tariff="100.01", vat_mode="included"))
    # total = 666.7333 -> 666.73; VAT = 666.73 × 20 / 120 = 111.1217 -> 111.12
    assert (r.total, r.vat, r.net) == (D("666.73"), D("111.12"), D("555.61"))


def test_not_subject_to_vat():
    r = compute_charge(case(E1, vat_mode="not_subject"))
    assert (r.total, r.vat, r.net, r.vat_rate) == (D("217.53"), D("0.00"), D("217.53"), None)
    r = compute_charge(case(E2, vat_mode="not_subject"))
    assert (r.net, r.vat, r.total) == (D("4000.00"), D("0.00"), D("4000.00"))


def test_individual_cannot_have_net_tariff():
    with pytest.raises(ChargeError) as err:
        compute_charge(case(E1, vat_mode="excluded"))
    assert err.value.code == "charge.vat_mode_individual"


# --- VAT by service date --------------------------------------------------------------------


def test_vat_rate_change_2026():
    assert vat_rate_on(date(2025, 12, 31)) == D("20")
    assert vat_rate_on(date(2026, 1, 1)) == D("22")
    assert vat_rate_on(date(2018, 12, 31)) == D("18")
    table = ((date(2020, 1, 1), D("10")), (date(2025, 6, 1), D("5")))
    assert vat_rate_on(date(2025, 5, 31), table) == D("10")
    assert vat_rate_on(date(2025, 6, 1), table) == D("5")
    with pytest.raises(CoreError):
        vat_rate_on(date(2019, 1, 1), table)
    assert DEFAULT_VAT_TABLE[-1] == (date(2026, 1, 1), D("22"))


def test_monthly_service_uses_the_months_last_day():
    dec = compute_charge(case(E2, period="2025-12"))
    jan = compute_charge(case(E2, period="2026-01"))
    assert (dec.vat_rate, dec.vat, dec.total) == (D("20"), D("800.00"), D("4800.00"))
    assert (jan.vat_rate, jan.vat, jan.total) == (D("22"), D("880.00"), D("4880.00"))
    assert dec.service_date == date(2025, 12, 31)
    jan_ind = compute_charge(case(E1, period="2026-01"))
    assert jan_ind.vat == D("39.23")  # 217.53 × 22 / 122 = 39.2267
    override = compute_charge(case(E2, period="2026-01", vat_rate="20"))
    assert override.vat == D("800.00")
    custom = compute_charge(
        case(E2, settings={"vat_table": [["2020-01-01", "10"]]}, period="2026-01")
    )
    assert custom.vat == D("400.00")


# --- partial month and absence ---------------------------------------------------------------


def test_days_in_service():
    assert days_in_service(2025, 5) == 31
    assert days_in_service(2025, 5, start=date(2025, 5, 15)) == 17
    assert days_in_service(2025, 5, start=date(2025, 5, 15), count_first_day=False) == 16
    assert days_in_service(2025, 5, end=date(2025, 5, 10)) == 10
    assert days_in_service(2025, 5, end=date(2025, 5, 10), count_last_day=False) == 9
    # a boundary outside the month is clipped and counts
    assert days_in_service(2025, 5, start=date(2025, 4, 1), count_first_day=False) == 31
    assert days_in_service(2025, 5, date(2025, 5, 10), date(2025, 5, 10)) == 1
    assert days_in_service(2024, 2) == 29


def test_partial_month_pro_rata():
    r = compute_charge(case(E1, service_start="2025-05-15"))
    assert (r.days_in_service, r.days_in_month) == (17, 31)
    assert r.total == D("119.29")  # 217.5264 × 17 / 31 = 119.2887
    assert "partial_month" in [e["code"] for e in r.explanation]
    r = compute_charge(case(E1, service_start="2025-05-15", settings={"count_first_day": False}))
    assert r.total == D("112.27")  # × 16 / 31
    r = compute_charge(case(E1, service_end="2025-05-10"))
    assert r.total == D("70.17")  # × 10 / 31 = 70.1698
    r = compute_charge(case(E2, service_start="2025-05-16"))
    assert r.net == D("2064.52")  # 4000 × 16 / 31 = 2064.516


def test_service_outside_period_is_an_error():
    with pytest.raises(ChargeError) as err:
        compute_charge(case(E1, service_start="2025-06-01"))
    assert err.value.code == "charge.service_outside_period"


def test_absence_full_days():
    assert absence_full_days(date(2025, 5, 10), date(2025, 5, 16)) == 5
    assert absence_full_days(date(2025, 5, 10), date(2025, 5, 17)) == 6
    assert absence_full_days(date(2025, 5, 10), date(2025, 5, 11)) == 0


def test_absence_five_full_days_gives_nothing():
    r = compute_charge(case(E1, absences=[{"departure": "2025-05-10", "arrival": "2025-05-16"}]))
    assert r.adjustments[0].amount == D("0.00")
    assert r.adjustments[0].inputs["absences"][0]["counted"] is False
    assert r.total == D("217.53")


def test_absence_six_full_days_gives_a_negative_delta():
    r = compute_charge(case(E1, absences=[{"departure": "2025-05-10", "arrival": "2025-05-17"}]))
    adj = r.adjustments[0]
    assert adj.inputs["absences"][0]["full_days"] == 6
    assert adj.amount == D("-14.03")  # −0.13 × 557.76 × 6 / 31 = −14.0339
    assert r.amount == D("217.53")
    assert r.total == D("203.50")
    assert r.vat == D("33.92")  # 203.50 × 20 / 120


def test_absence_rounded_once_for_several_persons():
    r = compute_charge(
        case(E1, absences=[{"departure": "2025-05-10", "arrival": "2025-05-17", "persons": 2}])
    )
    assert r.adjustments[0].amount == D("-28.07")  # not 2 × −14.03
    two = compute_charge(
        case(
            E1,
            absences=[
                {"departure": "2025-05-10", "arrival": "2025-05-17"},
                {"departure": "2025-05-10", "arrival": "2025-05-17"},
            ],
        )
    )
    assert two.adjustments[0].amount == D("-28.07")


def test_absence_across_months_counts_only_days_of_this_month():
    r = compute_charge(case(E1, absences=[{"departure": "2025-04-25", "arrival": "2025-05-04"}]))
    row = r.adjustments[0].inputs["absences"][0]
    assert (row["full_days"], row["full_days_in_month"]) == (8, 3)
    assert r.adjustments[0].amount == D("-7.02")  # −72.5088 × 3 / 31


def test_absence_threshold_is_a_setting():
    r = compute_charge(
        case(
            E1,
            absences=[{"departure": "2025-05-10", "arrival": "2025-05-16"}],
            settings={"absence_min_full_days": 4},
        )
    )
    assert r.adjustments[0].amount == D("-11.69")  # −72.5088 × 5 / 31 = −11.695


def test_absence_errors():
    with pytest.raises(ChargeError) as err:
        compute_charge(
            {
                "method": "area",
                "period": "2025-05",
                "area": "50",
                "norm": "0.03",
                "tariff": "600",
                "absences": [{"departure": "2025-05-10", "arrival": "2025-05-17"}],
            }
        )
    assert err.value.code == "charge.absence_not_applicable"
    with pytest.raises(ChargeError) as err:
        compute_charge(
            case(E1, absences=[{"departure": "2025-05-10", "arrival": "2025-05-17", "persons": 4}])
        )
    assert err.value.code == "charge.absence_persons"
    with pytest.raises(ChargeError) as err:
        compute_charge(case(E1, absences=[{"departure": "2025-05-10", "arrival": "2025-05-10"}]))
    assert err.value.code == "charge.bad_absence"


# --- pick-ups ---------------------------------------------------------------------------------


def test_count_pickups():
    assert count_pickups({"kind": "daily"}, 2025, 5) == 31
    assert count_pickups({"kind": "daily"}, 2024, 2) == 29
    assert count_pickups({"kind": "weekdays", "weekdays": [1, 4]}, 2025, 5) == 9
    assert count_pickups({"kind": "weekdays", "weekdays": [1, 2, 3, 4, 5, 6, 7]}, 2025, 5) == 31
    assert count_pickups({"kind": "weekdays", "weekdays": [6, 7]}, 2025, 2) == 8
    every = {"kind": "every_n_days", "every": 3, "from": "2025-04-29"}
    assert count_pickups(every, 2025, 5) == 10  # 2, 5, ..., 29
    assert count_pickups({"every": 2, "from": "2025-05-20"}, 2025, 5) == 6  # 20..30
    assert count_pickups({"every": 2, "from": "2025-06-01"}, 2025, 5) == 0
    dates = {"kind": "dates", "dates": ["2025-05-05", "2025-05-05", "2025-05-20", "2025-06-01"]}
    assert count_pickups(dates, 2025, 5) == 2
    window = {"weekdays": [1, 4]}
    assert count_pickups(window, 2025, 5, start=date(2025, 5, 10)) == 6
    assert count_pickups(window, 2025, 5, date(2025, 5, 10), date(2025, 5, 20)) == 3
    assert count_pickups(every, 2025, 5, end=date(2025, 5, 4)) == 1


def test_count_pickups_bad_schedule():
    for schedule in ({"kind": "hourly"}, {"weekdays": [0]}, {"every": 0, "from": "2025-01-01"}, {}):
        with pytest.raises(ChargeError) as err:
            count_pickups(schedule, 2025, 5)
        assert err.value.code == "charge.bad_schedule"


# --- rounding ---------------------------------------------------------------------------------


def test_rounding_never_pre_rounds_norm_over_12():
    # 1 × 1 / 12 × 1.26 = 0.105 exactly -> 0.11 (1/12 as a 28-digit Decimal would give 0.10)
    r = compute_charge(
        {"method": "residents", "period": "2025-05", "residents": 1, "norm": "1", "tariff": "1.26"}
    )
    assert r.total == D("0.11")
    # 3 × 0.22 / 12 × 1 = 0.055 exactly -> 0.06 (0.22 / 12 as a Decimal gives 0.0549999…)
    r = compute_charge(
        {"method": "residents", "period": "2025-05", "residents": 3, "norm": "0.22", "tariff": "1"}
    )
    assert r.total == D("0.06")


def test_vat_rounded_per_line_half_up():
    r = compute_charge(
        {"method": "measured_volume", "period": "2025-05", "volume": "1", "tariff": "0.03"}
    )
    assert (r.net, r.vat, r.total) == (D("0.03"), D("0.01"), D("0.04"))  # VAT 0.006
    r = compute_charge(
        {"method": "measured_volume", "period": "2025-05", "volume": "1", "tariff": "0.02"}
    )
    assert r.vat == D("0.00")  # 0.004
    lines = [compute_charge(case(E2, tariff=t)) for t in ("0.03", "0.03")]
    totals = document_totals(lines)
    assert totals == {"net": D("0.40"), "vat": D("0.08"), "total": D("0.48")}


# --- recalculation ----------------------------------------------------------------------------


def test_recalculate_exact_for_individuals():
    old = {
        "method": "residents",
        "period": "2025-05",
        "residents": 1,
        "norm": "1",
        "tariff": "1.26",
    }
    new = dict(old, residents=2)
    rec = recalculate(old, new)
    assert (rec.old.total, rec.new.total) == (D("0.11"), D("0.21"))
    assert rec.mode == "exact"
    assert rec.total == D("0.11")  # round(0.21 − 0.105) = round(0.105)
    assert rec.rounding_difference == D("-0.01")
    assert [e["code"] for e in rec.explanation] == ["recalc.exact", "recalc.rounding_difference"]
    doc = recalculate(old, new, ChargeSettings(recalc_mode="document"))
    assert doc.total == D("0.10")
    assert doc.rounding_difference == D("0.00")


def test_recalculate_residents_change():
    rec = recalculate(E1, case(E1, residents=2))
    assert rec.total == D("-72.51")  # −0.13 × 557.76 = −72.5088
    assert rec.vat == D("-12.09")
    assert rec.net == D("-60.42")


def test_recalculate_document_for_legal_entities():
    rec = recalculate(E2, case(E2, units=[{"units": "120", "norm": "0.8"}]))
    assert rec.mode == "document"
    assert (rec.net, rec.vat, rec.total) == (D("800.00"), D("160.00"), D("960.00"))


def test_recalculate_needs_the_same_period():
    with pytest.raises(ChargeError) as err:
        recalculate(E1, case(E1, period="2025-06"))
    assert err.value.code == "charge.recalc_period_mismatch"


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"method": "by_magic"}, "charge.unknown_method"),
        ({"tariff": None}, "charge.missing_input"),
        ({"tariff": "abc"}, "charge.bad_number"),
        ({"residents": -1}, "charge.negative"),
        ({"residents": "2.5"}, "charge.bad_number"),
        ({"period": "2025/05"}, "charge.bad_period"),
        ({"period": None}, "charge.missing_input"),
        ({"service_start": "15.05.2025"}, "charge.bad_date"),
        ({"consumer": "alien"}, "charge.bad_consumer"),
        ({"vat_mode": "maybe"}, "charge.bad_vat_mode"),
        ({"settings": {"count_days": True}}, "charge.unknown_setting"),
    ],
)
def test_invalid_inputs(changes, code):
    with pytest.raises(ChargeError) as err:
        compute_charge(case(E1, **changes))
    assert err.value.code == code
    assert isinstance(err.value, CoreError)
    assert err.value.message


# --- batch ------------------------------------------------------------------------------------


def test_batch_reports_errors_and_goes_on():
    rows = [
        E1,
        case(E1, id="bad", tariff="x"),
        E2,
        {
            "id": "area",
            "method": "area",
            "period": "2025-05",
            "area": "54.3",
            "norm": "0.03",
            "tariff": "600",
        },
        "not a dict",
        case(E1, id="neg", residents=-2),
    ]
    out = list(compute_batch(rows))
    assert [r.id for r in out] == ["E1", "bad", "E2", "area", None, "neg"]
    assert out[0].total == D("217.53") and out[0].vat == D("36.26") and out[0].net == D("181.27")
    assert out[1].error_code == "charge.bad_number" and out[1].total is None
    assert (out[2].net, out[2].vat, out[2].total) == (D("4000.00"), D("800.00"), D("4800.00"))
    assert out[3].total == D("81.45")
    assert out[4].error_code == "charge.bad_input"
    assert out[5].error_code == "charge.negative"
    detailed = list(compute_batch([E1], detail=True))
    assert detailed[0].result.explanation


def test_batch_fast_path_equals_compute_charge():
    rnd = random.Random(20250501)
    rows = []
    for i in range(3000):
        row = {
            "id": i,
            "method": "residents",
            "period": rnd.choice(["2025-11", "2025-12", "2026-01", "2026-02"]),
            "residents": rnd.randint(1, 9),
            "norm": str(D(rnd.randint(1, 400)) / D(rnd.choice([100, 1000]))),
            "tariff": str(D(rnd.randint(1, 100000)) / 100),
        }
        if i % 7 == 0:
            row["vat_mode"] = "not_subject"
        rows.append(row)
    fast = list(compute_batch(rows))
    for row, res in zip(rows, fast, strict=True):
        ref = compute_charge(row)
        assert (res.total, res.net, res.vat, res.vat_rate) == (
            ref.total,
            ref.net,
            ref.vat,
            ref.vat_rate,
        )
        # and against the plain formula, exact, then Decimal ROUND_HALF_UP
        exact = row["residents"] * Fraction(row["norm"]) * Fraction(row["tariff"]) / 12
        with localcontext() as ctx:
            ctx.prec = 60
            expected = round_money(D(exact.numerator) / D(exact.denominator))
        assert res.total == expected


def test_batch_settings_and_row_settings():
    row = case(E1, service_start="2025-05-15")
    assert next(compute_batch([row])).total == D("119.29")
    batch_st = ChargeSettings(count_first_day=False)
    assert next(compute_batch([row], settings=batch_st)).total == D("112.27")
    own = case(row, settings={"count_first_day": False})
    assert next(compute_batch([own])).total == D("112.27")
    # a row's own settings override the batch settings field by field
    back = case(row, settings={"count_first_day": True})
    assert next(compute_batch([back], settings=batch_st)).total == D("119.29")
    assert next(compute_batch([case(E1, period="2026-01")], settings=batch_st)).vat == D("39.23")
