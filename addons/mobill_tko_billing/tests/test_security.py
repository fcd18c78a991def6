from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestSecurity(BillingCase):
    def test_accountant_runs_posts_and_closes_readonly_only_reads(self):
        accountant = new_test_user(
            self.env, "bill_accountant", groups="mobill_tko_base.group_tko_accountant"
        )
        reader = new_test_user(self.env, "bill_reader", groups="mobill_tko_base.group_tko_readonly")
        period = (
            self.env["tko.billing.period"]
            .with_user(accountant)
            .create({"date_start": "2025-05-01"})
        )
        run = (
            self.env["tko.charge.run"]
            .with_user(accountant)
            .create({"period_id": period.id, "scope": "all", "address_id": self.town.id})
        )
        run.action_run_now()
        self.assertEqual(run.state, "done")
        period.with_user(accountant).action_post()
        rows = self.recon(period)
        self.assertTrue(rows and all(rows.mapped("agrees")))
        period.with_user(accountant).action_close()
        self.assertEqual(period.state, "closed")
        # the read-only manager sees the ledger and the explanation, changes nothing
        line = self.lines(period, self.acc1).with_user(reader)
        self.assertIn("217.53", str(line.explanation_html))
        self.assertTrue(self.env["tko.billing.reconciliation"].with_user(reader).search([]))
        with self.assertRaises(AccessError):
            self.env["tko.charge.run"].with_user(reader).create({"period_id": period.id})
        with self.assertRaises(AccessError):
            self.env["tko.billing.period"].with_user(reader).create({"date_start": "2025-06-01"})
        with self.assertRaises(AccessError):
            self.env["tko.payment"].with_user(reader).create(
                {"account_id": self.acc1.id, "amount": 10}
            )

    def test_other_company_sees_nothing(self):
        period = self.period("2025-05-01")
        self.run_town(period)
        other = self.env["res.company"].create({"name": "Другой оператор"})
        user = new_test_user(
            self.env,
            "bill_other",
            groups="mobill_tko_base.group_tko_readonly",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(self.env["tko.charge"].with_user(user).search([]))
        self.assertFalse(self.env["tko.billing.period"].with_user(user).search([]))
        self.assertFalse(self.env["tko.charge.run"].with_user(user).search([]))
