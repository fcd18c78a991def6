from decimal import Decimal

from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestChargeRuns(BillingCase):
    def test_individual_run_charges_e1_and_explains_it(self):
        period = self.period("2025-05-01")
        run = self.charge_run(period, scope="accounts", account_ids=[(6, 0, self.acc1.ids)])
        self.assertEqual(run.state, "done")
        self.assertEqual(run.total_count, 1)
        line = self.lines(period)
        self.assertEqual(len(line), 1, "an individual run charges only its account")
        self.assertEqual(line.account_id, self.acc1)
        # law brief E1: 3 × 1.56 / 12 × 557.76 = 217.5264 → 217.53, VAT 20 % included
        self.assertEqual(self.dec(line.amount_total), Decimal("217.53"))
        self.assertEqual(self.dec(line.amount_vat), Decimal("36.26"))
        self.assertEqual((line.residents, line.days_in_service, line.days_in_month), (3, 31, 31))
        self.assertEqual(line.method, "residents")
        self.assertAlmostEqual(line.norm, 1.56)
        self.assertAlmostEqual(line.tariff, 557.76)
        self.assertAlmostEqual(line.vat_rate, 20.0)
        # the versions used are kept: characteristic, tariff, norm
        residents = self.acc1.object_id.characteristic_ids
        self.assertEqual(line.characteristic_ids, residents)
        self.assertEqual(line.tariff_id.zone_id, self.zone)
        self.assertEqual(line.norm_id.category_id, self.mkd)
        self.assertIn(f"residents_permanent:{residents.id}", line.version_refs)
        # the explanation recomputes the amount from the stored inputs
        html = str(line.explanation_html)
        for part in ("3 × 1.56 / 12", "0.39", "557.76", "217.5264", "217.53", "36.26"):
            self.assertIn(part, html)
        self.assertNotIn("Warning", html)
        # in Russian: the core writes the numbers the Russian way (decimal comma, м³, руб)
        self.env["res.lang"]._activate_lang("ru_RU")
        steps = line.with_context(lang="ru_RU")._explanation_steps()
        self.assertTrue(steps[0].startswith("Объём = n × N / 12 = 3 × 1,56 / 12 = 0,39 м³"), steps)
        self.assertIn("0,39 м³ × 557,76", steps[1])
        self.assertIn("217,5264 → 217,53", steps[1])
        self.assertIn("= 36,26", steps[2])
        self.assertNotRegex(" ".join(steps), r"\d\.\d")
        self.assertEqual(run.accounts_charged, 1)
        self.assertEqual(self.dec(run.amount_total), Decimal("217.53"))

    def test_contract_run_by_norm_and_containers(self):
        period = self.period("2025-05-01")
        self.charge_run(period, scope="contracts", contract_ids=[(6, 0, self.contracts.ids)])
        shop = self.lines(period, self.contract)
        # law brief E2: 100 m² × 0.8 / 12 × 600 = 4000.00 net, VAT 800.00
        self.assertEqual(len(shop), 1)
        self.assertEqual(
            (self.dec(shop.amount_net), self.dec(shop.amount_vat), self.dec(shop.amount_total)),
            (Decimal("4000.00"), Decimal("800.00"), Decimal("4800.00")),
        )
        self.assertEqual((shop.method, shop.vat_mode, shop.units), ("norm_units", "excluded", 100))
        self.assertEqual(shop.object_id, self.shop_obj)
        cafe = self.lines(period, self.contract_cafe)
        # 2 × 0.75 m³ × 4 Mondays of May 2025 = 6 m³ × 600 = 3600 net
        self.assertEqual(self.dec(cafe.amount_net), Decimal("3600.00"))
        self.assertAlmostEqual(cafe.quantity, 6.0)
        self.assertIn("2 × 0.75 × 4", str(cafe.explanation_html))

    def test_mass_run_of_a_settlement_and_rerun_is_idempotent(self):
        period = self.period("2025-05-01")
        first = self.run_town(period)
        self.assertEqual(first.total_count, 5, "3 accounts and 2 contracts of the town")
        lines = self.lines(period)
        self.assertEqual(lines.account_id, self.town_accounts, "only the town is charged")
        self.assertEqual(lines.contract_id, self.contracts)
        snapshot = sorted((ln.account_id.id, ln.contract_id.id, ln.amount_total) for ln in lines)
        second = self.run_town(period)
        again = self.lines(period)
        self.assertEqual(len(again), len(lines), "a re-run never duplicates")
        self.assertEqual(
            sorted((ln.account_id.id, ln.contract_id.id, ln.amount_total) for ln in again), snapshot
        )
        self.assertEqual(again.run_id, second, "the re-run replaced the lines")
        self.assertFalse(self.lines(period).filtered(lambda ln: ln.run_id == first))
        for account in self.town_accounts:
            self.assertEqual(len(self.lines(period, account)), 1)

    def test_mass_run_of_everything_reports_errors_and_keeps_the_others(self):
        period = self.period("2025-05-01")
        run = self.charge_run(period, consumer_kind="individual")
        self.assertEqual(run.state, "done")
        error = run.error_ids.filtered(lambda e: e.account_id == self.acc_nozone)
        self.assertEqual(len(error), 1, "the account without a tariff zone is reported")
        self.assertEqual(error.code, "billing.no_tariff")
        self.assertFalse(self.lines(period, self.acc_nozone))
        charged = self.lines(period, self.town_accounts | self.acc_village)
        self.assertEqual(charged.account_id, self.town_accounts | self.acc_village)
        self.assertEqual(run.error_count, len(run.error_ids))
        self.assertGreaterEqual(run.accounts_charged, 4)
        self.assertFalse(self.lines(period).filtered(lambda ln: ln.consumer == "legal"))

    def test_group_filters(self):
        period = self.period("2025-05-01")
        run = self.charge_run(period, scope="all", method="containers")
        self.assertIn(self.contract_cafe, self.lines(period).contract_id)
        self.assertNotIn(self.contract, self.lines(period).contract_id)
        self.assertFalse(self.lines(period).account_id)
        self.assertEqual(run.state, "done")

    def test_residents_change_mid_month_is_pro_rata(self):
        self.env["tko.object.characteristic"].create(
            {
                "object_id": self.acc1.object_id.id,
                "kind": "residents_permanent",
                "value": 2,
                "date_from": "2025-05-15",
            }
        )
        period = self.period("2025-05-01")
        self.charge_run(period, scope="accounts", account_ids=[(6, 0, self.acc1.ids)])
        lines = self.lines(period).sorted("service_start")
        self.assertEqual(
            [(ln.residents, ln.days_in_service, str(ln.service_start)) for ln in lines],
            [(3, 14, "2025-05-01"), (2, 17, "2025-05-15")],
        )
        self.assertEqual(
            [self.dec(ln.amount_total) for ln in lines], [Decimal("98.24"), Decimal("79.53")]
        )
        self.assertIn("14 of 31 days", str(lines[0].explanation_html))

    def test_temporary_absence_in_the_open_period(self):
        absence = self.env["tko.absence"].create(
            {
                "account_id": self.acc1.id,
                "departure": "2025-05-10",
                "arrival": "2025-05-20",
                "persons": 1,
            }
        )
        self.assertEqual(absence.full_days, 9)
        self.assertTrue(absence.counted)
        period = self.period("2025-05-01")
        absence.action_confirm()
        self.charge_run(period, scope="accounts", account_ids=[(6, 0, self.acc1.ids)])
        adj = self.lines(period, kind="absence")
        # −1 × 0.13 × 557.76 × 9 / 31 = −21.0509… → −21.05
        self.assertEqual(self.dec(adj.amount_total), Decimal("-21.05"))
        self.assertEqual(
            self.dec(self.lines(period, kind="charge").amount_total), Decimal("217.53")
        )
        self.assertIn("9 full days", str(adj.explanation_html))

    def test_vat_by_service_date_2026(self):
        period = self.period("2026-01-01")
        self.run_town(period)
        shop = self.lines(period, self.contract)
        self.assertAlmostEqual(shop.vat_rate, 22.0)
        self.assertEqual(self.dec(shop.amount_vat), Decimal("880.00"))
        flat = self.lines(period, self.acc1)
        self.assertAlmostEqual(flat.vat_rate, 22.0)
        # 0.39 m³ × 600 = 234.00; VAT 22 % included = 234 × 22 / 122 = 42.20
        self.assertEqual(
            (self.dec(flat.amount_total), self.dec(flat.amount_vat)),
            (Decimal("234.00"), Decimal("42.20")),
        )

    def test_background_job_path(self):
        """The queued path: one job per partition, chunks on their own (test) cursors."""
        period = self.period("2025-05-01")
        self.company.tko_billing_partitions = 2
        self.company.tko_billing_chunk_size = 100
        run = self.env["tko.charge.run"].create(
            {"period_id": period.id, "scope": "all", "address_id": self.town.id}
        )
        run.action_start()
        self.assertEqual(run.state, "queued")
        self.assertEqual(run.partitions, 2)
        jobs = self.env["queue.job"].search([("uuid", "in", run.job_uuids.split(","))])
        self.assertEqual(len(jobs), 2)
        self.registry.enter_test_mode(self.env.cr)
        try:
            run._job_run_partition(0, 2)
            run._job_run_partition(1, 2)
        finally:
            self.registry.leave_test_mode()
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.partitions_done, 2)
        self.assertEqual(run.done_count, 5)
        self.assertEqual(self.lines(period).account_id, self.town_accounts)
        self.assertEqual(self.lines(period).contract_id, self.contracts)
        self.assertEqual(run.progress, 100.0)

    def test_rerun_keeps_what_is_in_accounting(self):
        period = self.period("2025-05-01")
        self.run_town(period)
        self.contract.action_tko_invoice()
        posted = self.lines(period, self.contract)
        self.assertEqual(posted.state, "posted")
        run = self.run_town(period)
        self.assertEqual(self.lines(period, self.contract), posted, "posted lines stay as they are")
        error = run.error_ids.filtered(lambda e: e.contract_id == self.contract)
        self.assertEqual(error.code, "billing.posted")
        self.assertEqual(self.lines(period, self.town_accounts).run_id, run)
        self.assertEqual(self.lines(period, self.contract_cafe).run_id, run)

    def test_measured_mass_contract(self):
        partner = self.env["res.partner"].create(
            {"name": "ООО «Завод»", "is_company": True, "is_tko_consumer": True}
        )
        obj = self._object("Цех", self.house, "facility", partner)
        contract = self.env["tko.contract"].create(
            {
                "partner_id": partner.id,
                "date_start": "2024-01-01",
                "line_ids": [
                    (
                        0,
                        0,
                        {"object_id": obj.id, "scheme": "measured_mass", "date_from": "2024-01-01"},
                    )
                ],
            }
        )
        contract.action_activate()
        self.env["tko.tariff"].create(
            {
                "zone_id": self.zone.id,
                "consumer_group": "other",
                "uom": "t",
                "price": 3000.00,
                "vat_mode": "excluded",
                "date_from": "2025-01-01",
            }
        )
        period = self.period("2025-05-01")
        run = self.charge_run(period, scope="contracts", contract_ids=[(6, 0, contract.ids)])
        self.assertEqual(run.error_ids.code, "billing.no_measurement", "nothing entered yet")
        for day, tonnes in (("2025-05-05", 1.25), ("2025-05-25", 0.75)):
            self.env["tko.measurement"].create(
                {
                    "object_id": obj.id,
                    "contract_id": contract.id,
                    "date": day,
                    "kind": "mass",
                    "value": tonnes,
                }
            )
        self.charge_run(period, scope="contracts", contract_ids=[(6, 0, contract.ids)])
        line = self.lines(period, contract)
        self.assertEqual((line.method, line.unit), ("measured_mass", "t"))
        self.assertAlmostEqual(line.quantity, 2.0)
        self.assertEqual(self.dec(line.amount_net), Decimal("6000.00"))
        self.assertIn("Measured mass 2 t.", str(line.explanation_html))

    def test_calculate_button_of_account_and_contract(self):
        """The "Calculate" buttons start a run of just that account / contract in the open period."""
        period = self.period("2025-05-01")
        action = self.acc1.action_tko_calculate()
        run = self.env["tko.charge.run"].browse(action["res_id"])
        self.assertEqual(
            (run.period_id, run.scope, run.account_ids), (period, "accounts", self.acc1)
        )
        self.assertEqual(run.job_uuids and len(run.job_uuids.split(",")), 1, "queued as a job")
        run.action_cancel()  # one run at a time per period
        action = self.contract.action_tko_calculate()
        run = self.env["tko.charge.run"].browse(action["res_id"])
        self.assertEqual((run.scope, run.contract_ids), ("contracts", self.contract))
