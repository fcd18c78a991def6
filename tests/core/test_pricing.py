"""The one rule of which tariff, norm and VAT rate apply (mobill_tko_core.pricing)."""

from datetime import date
from decimal import Decimal

import pytest

from mobill_tko_core import pricing
from mobill_tko_core.billing import individual_month, legal_month, result_inputs, stored_inputs
from mobill_tko_core.charges import ChargeError, compute_charge
from mobill_tko_core.pricing import NormCategories, book_from_rows

ZONE, OTHER_ZONE, CONTRACT = 1, 2, 77
APARTMENT, HOUSE, AREA, SHOP = 10, 11, 12, 13


def _book(vat_rows=(), categories=None):
    tariffs = [
        # id, zone, group, uom, contract, price, vat_mode, from, to
        (1, ZONE, "population", "m3", None, "500.00", "included", date(2025, 1, 1), None),
        (2, ZONE, "other", "m3", None, "400.00", "excluded", date(2025, 1, 1),
         date(2025, 5, 14)),
        (3, ZONE, "other", "m3", None, "420.00", "excluded", date(2025, 5, 15), None),
        (4, ZONE, "other", "t", None, "3000.00", "excluded", date(2025, 1, 1), None),
        (5, None, "other", "m3", CONTRACT, "350.00", "exempt", date(2025, 5, 10),
         date(2025, 5, 20)),
        (6, OTHER_ZONE, "population", "m3", None, "510.00", "included", date(2025, 1, 1), None),
    ]  # fmt: skip
    norms = [
        # id, category, zone, uom, value, from, to
        (20, APARTMENT, None, "m3", "1.56", date(2020, 1, 1), None),
        (21, APARTMENT, ZONE, "m3", "1.80", date(2025, 5, 16), None),
        (22, HOUSE, None, "m3", "2.10", date(2020, 1, 1), None),
        (23, APARTMENT, None, "t", "0.20", date(2020, 1, 1), None),
        (24, SHOP, None, "m3", "0.50", date(2020, 1, 1), None),
    ]
    return book_from_rows(
        tariffs,
        norms,
        vat_rows,
        categories or NormCategories(APARTMENT, HOUSE, AREA),
        {SHOP: "shop"},
    )


def test_consumer_group():
    assert pricing.consumer_group_for("apartment") == "population"
    assert pricing.consumer_group_for("house") == "population"
    assert pricing.consumer_group_for("facility") == "other"
    assert pricing.consumer_group_for("apartment", contract=CONTRACT) == "other"
    # a personal account is an individual's: the population's tariff whatever the object
    assert pricing.consumer_group_for("non_residential", individual=True) == "population"


def test_norm_category():
    cats = NormCategories(APARTMENT, HOUSE, AREA)
    assert pricing.norm_category_for(cats, "residents", "apartment") == APARTMENT
    assert pricing.norm_category_for(cats, "residents", "house") == HOUSE
    assert pricing.norm_category_for(cats, "area", "house") == AREA
    no_house = NormCategories(APARTMENT, None, AREA)
    assert pricing.norm_category_for(no_house, "residents", "house") == APARTMENT


def test_tariff_by_group_unit_and_date():
    book = _book()
    day = date(2025, 5, 1)
    assert pricing.tariff_for(book, day, ZONE, "population")[4] == 1
    assert pricing.tariff_for(book, day, OTHER_ZONE, "population")[4] == 6
    assert pricing.tariff_for(book, day, ZONE, "other")[4] == 2
    assert pricing.tariff_for(book, date(2025, 5, 15), ZONE, "other")[4] == 3
    assert pricing.tariff_for(book, day, ZONE, "other", "t")[4] == 4
    assert pricing.tariff_for(book, day, OTHER_ZONE, "other") is None
    assert pricing.tariff_for(book, day, ZONE, "population", "t") is None
    version = pricing.tariff_for(book, day, ZONE, "population")
    assert version[2] == Decimal("500.00") and version[3] == "included"


def test_contract_own_tariff_first_inside_its_dates():
    book = _book()
    own = pricing.tariff_for(book, date(2025, 5, 12), ZONE, "other", contract=CONTRACT)
    assert own[4] == 5 and own[3] == "not_subject"
    assert pricing.tariff_for(book, date(2025, 5, 9), ZONE, "other", contract=CONTRACT)[4] == 2
    assert pricing.tariff_for(book, date(2025, 5, 21), ZONE, "other", contract=CONTRACT)[4] == 3
    # its own tariff is of a unit: a contract billed by mass takes the zone's tariff per t
    assert pricing.tariff_for(book, date(2025, 5, 12), ZONE, "other", "t", CONTRACT)[4] == 4


def test_norm_zone_before_zoneless():
    book = _book()
    assert pricing.norm_for(book, APARTMENT, ZONE, date(2025, 5, 15))[3] == 20
    assert pricing.norm_for(book, APARTMENT, ZONE, date(2025, 5, 16))[3] == 21
    assert pricing.norm_for(book, APARTMENT, OTHER_ZONE, date(2025, 5, 16))[3] == 20
    assert pricing.norm_for(book, APARTMENT, None, date(2025, 5, 16))[3] == 20
    assert pricing.norm_for(book, APARTMENT, ZONE, date(2025, 5, 16), "t")[3] == 23
    assert pricing.norm_for(book, AREA, ZONE, date(2025, 5, 16)) is None


def test_vat_own_then_shared_then_law():
    shared = [
        (date(2019, 1, 1), date(2025, 12, 31), "20", None),
        (date(2026, 1, 1), None, "22", None),
    ]
    assert pricing.vat_rate_at(_book(shared), date(2025, 12, 31)) == 20
    assert pricing.vat_rate_at(_book(shared), date(2026, 1, 1)) == 22
    # the company's own table only from 2026: before it, the shared rate (the engine used to
    # take the company's table whole and found no rate for 2025)
    own = [*shared, (date(2026, 1, 1), None, "0", 1)]
    assert pricing.vat_rate_at(_book(own), date(2025, 6, 30)) == 20
    assert pricing.vat_rate_at(_book(own), date(2026, 1, 31)) == 0
    # no table at all: the law's rates (tko.pricing used to answer 0)
    assert pricing.vat_rate_at(_book(), date(2025, 6, 30)) == 20
    assert pricing.vat_rate_at(_book(), date(2026, 6, 30)) == 22


def test_month_cut_where_a_version_starts_chooses_like_a_day():
    """The month's cases use, on every segment, the versions the rule gives for its days."""
    book = _book()
    tariffs = pricing.tariff_versions(book, ZONE, "population")[1]
    norms = pricing.norm_versions(book, APARTMENT, ZONE)
    cases = individual_month(
        date(2025, 5, 1),
        "residents",
        date(2020, 1, 1),
        None,
        [("residents_permanent", "2", None, None, 99)],
        tariffs,
        *norms,
    )
    assert [(c.start.day, c.end.day) for c in cases] == [(1, 15), (16, 31)]
    for case in cases:
        for day in (case.start, case.end):
            assert case.refs["norm"] == [pricing.norm_for(book, APARTMENT, ZONE, day)[3]]
            assert case.refs["tariff"] == [pricing.tariff_for(book, day, ZONE, "population")[4]]


def test_contract_month_chooses_like_a_day():
    book = _book()
    own, zone = pricing.tariff_versions(book, ZONE, "other", "m3", CONTRACT)
    cases = legal_month(
        date(2025, 5, 1),
        "limit",
        (None, None),
        zone,
        own,
        limit_volume=Decimal(10),
    )
    assert [(c.start.day, c.end.day) for c in cases] == [(1, 9), (10, 14), (15, 20), (21, 31)]
    for case in cases:
        for day in (case.start, case.end):
            chosen = pricing.tariff_for(book, day, ZONE, "other", contract=CONTRACT)
            assert case.refs["tariff"] == [chosen[4]]


def test_no_tariff_is_an_error_of_the_month():
    book = _book()
    with pytest.raises(ChargeError) as err:
        individual_month(
            date(2025, 5, 1),
            "residents",
            date(2020, 1, 1),
            None,
            [("residents_permanent", "1", None, None, 1)],
            pricing.tariff_versions(book, 3, "population")[1],
            *pricing.norm_versions(book, APARTMENT, 3),
        )
    assert err.value.code == "billing.no_tariff"


def test_stored_inputs_columns_and_json():
    plain = stored_inputs("2025-05", "residents", 0, 2, "1.56", "500.00", "included", "20")
    assert plain == {
        "method": "residents",
        "period": "2025-05",
        "residents": 0,
        "owners": 2,
        "norm": "1.56",
        "tariff": "500.00",
        "vat_mode": "included",
        "vat_rate": "20",
    }
    saved = {"method": "area", "period": "2025-05", "area": "50", "norm": "0.1", "tariff": "5"}
    kept = stored_inputs("2025-05", "area", 0, 0, "0", "0", "not_subject", None, saved)
    assert kept == saved and kept is not saved
    assert "vat_rate" not in stored_inputs(
        "2025-05", "residents", 1, 0, "1", "1", "not_subject", "20"
    )


@pytest.mark.parametrize(
    "case",
    [
        {"method": "residents", "period": "2025-05", "residents": 3, "norm": "1.56",
         "tariff": "557.76"},
        {"method": "residents", "period": "2025-05", "residents": 0, "owners": 2,
         "norm": "1.56", "tariff": "557.76", "service_start": "2025-05-10"},
        {"method": "area", "period": "2026-01", "area": "54.3", "norm": "0.12",
         "tariff": "600", "vat_mode": "not_subject"},
        {"method": "norm_units", "period": "2025-05", "tariff": "600",
         "units": [{"category": "shop", "units": "100", "norm": "0.8"}]},
        {"method": "containers", "period": "2025-05", "tariff": "600",
         "containers": [{"count": 2, "volume": "0.75",
                         "schedule": {"kind": "weekdays", "weekdays": [1]}}]},
        {"method": "measured_mass", "period": "2025-05", "mass": "1.5", "tariff": "3000",
         "vat_rate": "20"},
    ],
)  # fmt: skip
def test_result_inputs_give_the_same_line_back(case):
    first = compute_charge(case)
    again = compute_charge(result_inputs(first))
    assert (again.net, again.vat, again.total) == (first.net, first.vat, first.total)
    assert again.method == first.method and again.consumer == first.consumer
