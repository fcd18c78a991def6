from decimal import Decimal

from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestAccounting(BillingCase):
    def _accounts(self, codes):
        return {
            code: self.env["account.account"].search(
                [("company_id", "=", self.company.id), ("code", "=", code)]
            )
            for code in codes
        }

    def test_invoice_per_contract_and_aggregated_entry_per_zone(self):
        period = self.period("2025-05-01")
        self.charge_run(period, scope="all", consumer_kind="all", address_id=self.town.id)
        self.charge_run(period, scope="accounts", account_ids=[(6, 0, self.acc_village.ids)])
        period.action_post()
        # legal entities: one invoice per contract, a line per charge line, VAT 20 % per line
        invoice = self.env["account.move"].search(
            [("tko_period_id", "=", period.id), ("tko_contract_id", "=", self.contract.id)]
        )
        self.assertEqual(len(invoice), 1)
        self.assertEqual((invoice.move_type, invoice.state), ("out_invoice", "posted"))
        self.assertEqual(invoice.partner_id, self.shop_partner)
        self.assertEqual(str(invoice.invoice_date), "2025-05-31")
        self.assertEqual(str(invoice.invoice_date_due), "2025-06-15", "the contract's due day")
        self.assertEqual(len(invoice.invoice_line_ids), 1)
        inv_line = invoice.invoice_line_ids
        self.assertEqual(inv_line.tax_ids.amount, 20.0)
        self.assertFalse(inv_line.tax_ids.price_include)
        self.assertEqual(
            (
                self.dec(invoice.amount_untaxed),
                self.dec(invoice.amount_tax),
                self.dec(invoice.amount_total),
            ),
            (Decimal("4000.00"), Decimal("800.00"), Decimal("4800.00")),
        )
        self.assertEqual(inv_line.account_id.code, "90.01.1")
        self.assertEqual(invoice.line_ids.filtered("tax_line_id").account_id.code, "68.02")
        self.assertEqual(self.lines(period, self.contract).move_id, invoice)
        cafe = self.env["account.move"].search(
            [("tko_period_id", "=", period.id), ("tko_contract_id", "=", self.contract_cafe.id)]
        )
        self.assertEqual(self.dec(cafe.amount_total), Decimal("4320.00"))
        # individuals: one aggregated entry per tariff zone, Dt 62.01 Ct 90.01.1, Dt 90.03 Ct 68.02
        entries = self.env["account.move"].search(
            [("tko_period_id", "=", period.id), ("tko_consumer", "=", "individual")]
        )
        self.assertEqual(entries.tko_zone_id, self.zone | self.zone_other)
        town = entries.filtered(lambda m: m.tko_zone_id == self.zone)
        self.assertEqual(len(town), 1)
        accounts = self._accounts(["62.01", "90.01.1", "90.03", "68.02"])
        town_total = sum(self.lines(period, self.town_accounts).mapped("amount_total"))
        town_vat = sum(self.lines(period, self.town_accounts).mapped("amount_vat"))
        by_account = {ln.account_id.code: ln.balance for ln in town.line_ids}
        self.assertAlmostEqual(by_account["62.01"], town_total, places=2)
        self.assertAlmostEqual(by_account["90.01.1"], -town_total, places=2)
        self.assertAlmostEqual(by_account["90.03"], town_vat, places=2)
        self.assertAlmostEqual(by_account["68.02"], -town_vat, places=2)
        self.assertEqual(set(town.line_ids.account_id), set(accounts.values()))
        # 217.53 + 145.02 + 72.51 = 435.06 for the three flats
        self.assertEqual(self.dec(town_total), Decimal("435.06"))
        self.assertFalse(self.lines(period).filtered(lambda ln: ln.state != "posted"))
        # the reconciliation agrees to the kopeck, row by row
        rows = self.recon(period)
        self.assertEqual(len(rows), 4, "2 zones + 2 contracts")
        for row in rows:
            self.assertTrue(row.agrees, f"{row.zone_id.name or row.contract_id.name}")
            self.assertEqual(row.difference, 0)
            self.assertEqual(row.vat_difference, 0)
        self.assertEqual(
            self.dec(sum(rows.mapped("ledger_total"))), self.dec(sum(rows.mapped("move_total")))
        )

    def test_reconciliation_shows_what_is_not_posted_and_unposting(self):
        period = self.period("2025-05-01")
        self.run_town(period)
        rows = self.recon(period)
        self.assertTrue(rows)
        self.assertFalse(any(rows.mapped("agrees")))
        self.assertEqual(rows.mapped("unposted_total"), rows.mapped("ledger_total"))
        period.action_post()
        rows = self.recon(period)
        self.assertTrue(all(rows.mapped("agrees")))
        # a recalculation added after posting is posted by a second entry, and still agrees
        period.action_unpost()
        self.assertFalse(self.lines(period).filtered(lambda ln: ln.state == "posted"))
        self.assertFalse(period.move_ids.filtered(lambda m: m.state == "posted"))
        period.action_post()
        rows = self.recon(period)
        self.assertTrue(all(rows.mapped("agrees")))

    def test_recalculation_lines_are_invoiced_in_the_open_period(self):
        april = self.period("2025-04-01")
        self.run_town(april)
        may = self.period("2025-05-01")
        self.env["tko.object.characteristic"].create(
            {
                "object_id": self.shop_obj.id,
                "kind": "units",
                "norm_category_id": self.shop.id,
                "value": 50,
                "date_from": "2025-04-01",
            }
        )
        recalc = self.env["tko.recalculation"].search(
            [("state", "=", "draft"), ("contract_ids", "in", self.contract.ids)]
        )
        recalc.action_book()
        self.run_town(may)
        may.action_post()
        invoice = self.env["account.move"].search(
            [("tko_period_id", "=", may.id), ("tko_contract_id", "=", self.contract.id)]
        )
        # May: 50 m² → 2000.00 net; April corrected by −2000.00 net: the invoice nets to zero
        names = invoice.invoice_line_ids.mapped("name")
        self.assertTrue(any("04.2025" in n for n in names), names)
        self.assertEqual(self.dec(invoice.amount_total), Decimal("0.00"))
        rows = self.recon(may)
        self.assertTrue(all(rows.mapped("agrees")))

    def test_contract_invoiced_individually_and_advance_invoice(self):
        period = self.period("2025-05-01")
        self.charge_run(period, scope="contracts", contract_ids=[(6, 0, self.contract.ids)])
        self.contract.action_tko_invoice()
        self.assertEqual(self.contract.tko_invoice_count, 1)
        self.assertEqual(self.lines(period, self.contract).state, "posted")
        advance = self.env["tko.advance.invoice"]._create_for_period(period)
        shop = advance.filtered(lambda a: a.contract_id == self.contract)
        self.assertEqual(len(shop), 1, "only contracts whose conditions ask for advances")
        self.assertFalse(advance.filtered(lambda a: a.contract_id == self.contract_cafe))
        self.assertEqual(self.dec(shop.amount), Decimal("2400.00"))  # 50 % of 4800.00
        self.assertEqual(str(shop.date_due), "2025-05-18")
        report = self.env.ref("mobill_tko_billing.action_report_advance_invoice")
        html, _fmt = report._render_qweb_html(report.report_name, shop.ids)
        self.assertIn(b"2", html)

    def test_vat_taxes_of_both_rates_exist(self):
        for rate in (20, 22):
            for included in (False, True):
                tax = self.company._tko_vat_tax(rate, included)
                self.assertEqual(tax.amount, rate)
                self.assertEqual(tax.price_include, included)
                self.assertEqual(
                    tax.invoice_repartition_line_ids.filtered("account_id").account_id.code,
                    "68.02",
                )
