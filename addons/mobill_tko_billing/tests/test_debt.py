from decimal import Decimal

from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestDebt(BillingCase):
    def test_debt_at_a_date_and_allocation_oldest_first(self):
        april = self.period("2025-04-01")
        self.run_town(april)
        may = self.period("2025-05-01")
        self.run_town(may)
        acc = self.acc1  # 217.53 a month
        debt = acc._tko_debt_at
        self.assertEqual(debt(self.d("2025-04-29")).get(acc.id, 0), 0)
        self.assertAlmostEqual(debt(self.d("2025-04-30"))[acc.id], 217.53)
        self.assertAlmostEqual(debt(self.d("2025-05-31"))[acc.id], 435.06)
        payment = self.env["tko.payment"].create(
            {
                "account_id": acc.id,
                "amount": 300,
                "date_paid": "2025-05-10",
                "date_booked": "2025-05-12",
                "channel": "bank",
            }
        )
        self.assertEqual(payment.partner_id, acc.partner_id)
        self.assertTrue(payment.name.startswith("ПЛ-2025-"), "numbered in its booking year")
        # a draft payment does not count
        self.assertAlmostEqual(debt(self.d("2025-05-10"))[acc.id], 217.53)
        payment.action_post()
        self.assertAlmostEqual(debt(self.d("2025-05-09"))[acc.id], 217.53)
        self.assertAlmostEqual(debt(self.d("2025-05-10"))[acc.id], -82.47)
        self.assertAlmostEqual(debt(self.d("2025-05-31"))[acc.id], 135.06)
        # oldest first: April paid in full, the rest to May
        alloc = {a.period_id: a.amount for a in payment.allocation_ids}
        self.assertEqual(alloc, {april: 217.53, may: 82.47})
        by_period = acc.tko_balance_by_period(self.d("2025-05-31"))[acc.id]
        self.assertEqual(
            [(p["period_id"], p["due"]) for p in by_period],
            [(april.id, Decimal("0.00")), (may.id, Decimal("135.06"))],
        )
        # an overpayment stays as an advance (no period)
        extra = self.env["tko.payment"].create(
            {"account_id": acc.id, "amount": 200, "date_paid": "2025-05-20"}
        )
        extra.action_post()
        advance = extra.allocation_ids.filtered(lambda a: not a.period_id)
        self.assertAlmostEqual(advance.amount, 64.94)
        # cancelling a payment restores the debt
        payment.action_cancel()
        self.assertAlmostEqual(debt(self.d("2025-05-31"))[acc.id], 235.06)
        self.assertFalse(payment.allocation_ids)
        # the current debt on the form comes from the ledger too
        acc.invalidate_recordset(["debt", "overpayment"])
        self.assertAlmostEqual(acc.debt, 235.06)
        self.assertEqual(acc.overpayment, 0)
        # paid beyond the charges: the form shows an overpayment, not a negative debt
        self.env["tko.payment"].create(
            {"account_id": acc.id, "amount": 300, "date_paid": "2025-05-25"}
        ).action_post()
        acc.invalidate_recordset(["debt", "overpayment"])
        self.assertAlmostEqual(acc.debt, -64.94)
        self.assertAlmostEqual(acc.overpayment, 64.94)
        acc.partner_id.invalidate_recordset(["tko_debt_total", "tko_overpayment_total"])
        self.assertEqual(acc.partner_id.tko_account_ids, acc)
        self.assertAlmostEqual(acc.partner_id.tko_debt_total, -64.94)
        self.assertAlmostEqual(acc.partner_id.tko_overpayment_total, 64.94)

    def test_an_advance_pays_the_months_charged_after_it(self):
        """The balance by period reads the ledger by the core's rule: an advance booked before
        a month was charged pays that month (it used to be left out, the month shown as due)."""
        april = self.period("2025-04-01")
        self.run_town(april)
        acc = self.acc1  # 217.53 a month
        self.env["tko.payment"].create(
            {"account_id": acc.id, "amount": 300, "date_paid": "2025-04-20"}
        ).action_post()
        may = self.period("2025-05-01")
        self.run_town(may)
        by_period = acc.tko_balance_by_period(self.d("2025-05-31"))[acc.id]
        self.assertEqual(
            [(p["period_id"], p["paid"], p["due"]) for p in by_period],
            [
                (april.id, Decimal("217.53"), Decimal("0.00")),
                (may.id, Decimal("82.47"), Decimal("135.06")),
            ],
        )
        # the ledger keeps the advance as booked; the debt is the same either way
        self.assertAlmostEqual(acc._tko_debt_at(self.d("2025-05-31"))[acc.id], 135.06)

    def test_contract_debt(self):
        period = self.period("2025-05-01")
        self.charge_run(period, scope="contracts", contract_ids=[(6, 0, self.contract.ids)])
        self.assertAlmostEqual(
            self.contract._tko_debt_at(self.d("2025-05-31"))[self.contract.id], 4800.0
        )
        pay = self.env["tko.payment"].create(
            {"contract_id": self.contract.id, "amount": 1000, "date_paid": "2025-06-01"}
        )
        pay.action_post()
        self.assertAlmostEqual(
            self.contract._tko_debt_at(self.d("2025-06-01"))[self.contract.id], 3800.0
        )

    def test_breakdown_report_renders(self):
        period = self.period("2025-05-01")
        self.run_town(period)
        report = self.env.ref("mobill_tko_billing.action_report_charge_breakdown")
        html, _fmt = report._render_qweb_html(
            report.report_name, self.acc1.ids, data={"period_id": period.id}
        )
        text = html.decode()
        self.assertIn(self.acc1.name, text)
        self.assertIn("217.53", text)
        self.assertIn("3 × 1.56 / 12", text)
        wizard = self.env["tko.breakdown.print"].create(
            {"account_ids": [(6, 0, self.acc1.ids)], "period_id": period.id}
        )
        action = wizard.action_print()
        report_action = action.get("context", {}).get("report_action", action)
        self.assertEqual(report_action["report_name"], "mobill_tko_billing.report_charge_breakdown")
        self.assertEqual(
            report_action["data"], {"period_id": period.id, "account_ids": self.acc1.ids}
        )
