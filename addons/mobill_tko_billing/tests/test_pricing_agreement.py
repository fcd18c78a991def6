from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestPricingAgreement(BillingCase):
    """The charge engine and ``tko.pricing`` choose tariffs, norms and VAT by one rule
    (mobill_tko_core.pricing): on every day a charge line covers, the versions it names are
    the ones ``tko.pricing`` answers for that day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tariff, Norm = cls.env["tko.tariff"], cls.env["tko.norm"]
        cls.private = cls.env.ref("mobill_tko_base.norm_category_private")
        cls.company.tko_norm_category_house_id = cls.private
        # individual houses: a norm valid in every zone, the town's own from 16 May
        Norm.create({"category_id": cls.private.id, "value": 2.2, "date_from": "2025-01-01"})
        Norm.create(
            {
                "category_id": cls.private.id,
                "zone_id": cls.zone.id,
                "value": 2.5,
                "date_from": "2025-05-16",
            }
        )
        # the town's population tariff changes on 20 May, the other consumers' on 15 May
        population = Tariff.search(
            [
                ("zone_id", "=", cls.zone.id),
                ("consumer_group", "=", "population"),
                ("date_from", "=", "2025-01-01"),
            ]
        )
        population.date_to = "2025-05-19"
        Tariff.create(
            {
                "zone_id": cls.zone.id,
                "consumer_group": "population",
                "price": 570.00,
                "vat_mode": "included",
                "date_from": "2025-05-20",
                "date_to": "2025-12-31",
            }
        )
        cls.tariff_other.date_to = "2025-05-14"
        Tariff.create(
            {
                "zone_id": cls.zone.id,
                "consumer_group": "other",
                "price": 620.00,
                "vat_mode": "excluded",
                "date_from": "2025-05-15",
            }
        )
        # the shop's contract has its own tariff from 10 to 20 May
        Tariff.create(
            {
                "contract_id": cls.contract.id,
                "consumer_group": "other",
                "price": 500.00,
                "vat_mode": "exempt",
                "date_from": "2025-05-10",
                "date_to": "2025-05-20",
            }
        )
        partner = cls.env["res.partner"].create(
            {"name": "Житель дома", "is_tko_consumer": True, "tko_kind": "person"}
        )
        house_obj = cls._object("Дом 5", cls.house, "house", partner)
        cls.env["tko.object.characteristic"].create(
            {
                "object_id": house_obj.id,
                "kind": "residents_permanent",
                "value": 2,
                "date_from": "2024-01-01",
            }
        )
        cls.acc_house = cls.env["tko.account"].create(
            {"partner_id": partner.id, "object_id": house_obj.id, "date_open": "2020-01-01"}
        )

    def _expected(self, line, day):
        """``(tariff, norm)`` that tko.pricing answers for the line's object on ``day``."""
        pricing = self.env["tko.pricing"]
        if line.account_id:
            obj = line.account_id.object_id
            category = pricing._norm_category(obj, line.account_id.calc_method)
            return (
                pricing._tariff_at(obj, day),
                pricing._norm_at(category, obj.zone_id, day, self.company),
            )
        contract_line = line.contract_line_id
        obj = contract_line.object_id
        uom = "t" if contract_line.scheme == "measured_mass" else "m3"
        tariff = pricing._tariff_at(obj, day, contract=line.contract_id, uom=uom)
        if contract_line.scheme != "norm":
            return tariff, self.env["tko.norm"]
        norm = pricing._norm_at(contract_line.norm_category_id, obj.zone_id, day, self.company)
        return tariff, norm

    def test_engine_and_pricing_agree_on_every_day(self):
        period = self.period(date(2025, 5, 1))
        accounts = self.town_accounts | self.acc_village | self.acc_house | self.acc_nozone
        run = self.charge_run(period, scope="accounts", account_ids=[(6, 0, accounts.ids)])
        self.charge_run(period, scope="contracts", contract_ids=[(6, 0, self.contracts.ids)])
        lines = self.lines(period, kind="charge")
        self.assertEqual(lines.account_id, accounts - self.acc_nozone)
        self.assertEqual(lines.contract_id, self.contracts)
        self.assertEqual(run.error_ids.account_id, self.acc_nozone, "no tariff without a zone")
        # the grid is really cut: by the tariff (20th), the norm (16th), the own tariff
        # (10th-20th) and the other consumers' tariff (15th)
        segments = {
            self.acc1: [(1, 19), (20, 31)],
            self.acc_village: [(1, 31)],
            self.acc_house: [(1, 15), (16, 19), (20, 31)],
            self.contract: [(1, 9), (10, 14), (15, 20), (21, 31)],
            self.contract_cafe: [(1, 14), (15, 31)],
        }
        for who, expected in segments.items():
            mine = self.lines(period, who, kind="charge").sorted("service_start")
            self.assertEqual(
                [(ln.service_start.day, ln.service_end.day) for ln in mine], expected, who
            )
        pricing = self.env["tko.pricing"]
        vat = pricing._vat_rate_at(date(2025, 5, 31), self.company)
        checked = 0
        for line in lines:
            for day in {line.service_start, line.service_end}:
                tariff, norm = self._expected(line, day)
                self.assertTrue(tariff, f"a tariff for {line.display_name} on {day}")
                self.assertEqual(line.tariff_ref, tariff.id, f"{line.display_name} on {day}")
                self.assertEqual(line.norm_ref, norm.id, f"{line.display_name} on {day}")
                checked += 1
            if line.vat_mode != "not_subject":
                self.assertEqual(line.vat_rate, vat)
        self.assertGreaterEqual(checked, 20)
        house_norms = self.lines(period, self.acc_house, kind="charge").mapped("norm")
        self.assertEqual(sorted(set(house_norms)), [2.2, 2.5], "the house's norm, not the flat's")

    def test_vat_rate_of_the_company_then_shared_by_date(self):
        """A company's own VAT table that starts in 2026 leaves 2025 to the shared rate (the
        engine used to take the company's table whole: no rate in 2025, every line an error)."""
        self.env["tko.vat.rate"].create(
            {"company_id": self.company.id, "rate": 10, "date_from": "2026-01-01"}
        )
        pricing = self.env["tko.pricing"]
        self.assertEqual(pricing._vat_rate_at(date(2025, 5, 31), self.company), 20)
        self.assertEqual(pricing._vat_rate_at(date(2026, 1, 31), self.company), 10)
        period = self.period(date(2025, 5, 1))
        run = self.charge_run(period, scope="accounts", account_ids=[(6, 0, self.acc1.ids)])
        self.assertFalse(run.error_ids)
        self.assertEqual(set(self.lines(period, self.acc1).mapped("vat_rate")), {20.0})

    def test_no_vat_table_is_the_law(self):
        """Without any VAT rate recorded the law's rate applies (tko.pricing used to say 0 %
        while the engine charged the law's rate)."""
        self.env["tko.vat.rate"].sudo().search([]).unlink()
        pricing = self.env["tko.pricing"]
        self.assertEqual(pricing._vat_rate_at(date(2025, 5, 31), self.company), 20)
        self.assertEqual(pricing._vat_rate_at(date(2026, 5, 31), self.company), 22)
        period = self.period(date(2025, 5, 1))
        self.charge_run(period, scope="accounts", account_ids=[(6, 0, self.acc1.ids)])
        self.assertEqual(set(self.lines(period, self.acc1).mapped("vat_rate")), {20.0})


@tagged("post_install", "-at_install")
class TestRunDomains(BillingCase):
    """What a run selects comes from domain getters an extension can override."""

    def test_overridden_domains_narrow_a_run(self):
        Engine = self.registry["tko.billing.engine"]
        acc1, cafe = self.acc1, self.contract_cafe
        with (
            patch.object(Engine, "_accounts_domain", lambda self, period: [("id", "=", acc1.id)]),
            patch.object(
                Engine,
                "_contracts_domain",
                lambda self, period: [("partner_id", "=", cafe.partner_id.id)],
            ),
        ):
            period = self.period(date(2025, 5, 1))
            run = self.charge_run(period, scope="all", address_id=self.town.id)
        lines = self.lines(period)
        self.assertEqual(lines.account_id, acc1)
        self.assertEqual(lines.contract_id, cafe)
        self.assertEqual(run.total_count, 2)

    def test_default_domains_select_everything(self):
        period = self.period(date(2025, 5, 1))
        self.run_town(period)
        lines = self.lines(period)
        self.assertEqual(lines.account_id, self.town_accounts)
        self.assertEqual(lines.contract_id, self.contracts)
