from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import BillingCase

ACCOUNTANT = "mobill_tko_base.group_tko_accountant"
READONLY = "mobill_tko_base.group_tko_readonly"


@tagged("post_install", "-at_install")
class TestManualAllocation(BillingCase):
    """Moving a posted payment to another personal account by hand is a ledger operation of
    billing: the debts of both accounts are allocated again and the move is kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(cls.env, "alloc_accountant", groups=ACCOUNTANT)
        cls.reader = new_test_user(cls.env, "alloc_reader", groups=READONLY)
        cls.other = cls.env["res.company"].create({"name": "Другой оператор (разнесение)"})
        cls.other_accountant = new_test_user(
            cls.env,
            "alloc_other_acc",
            groups=ACCOUNTANT,
            company_id=cls.other.id,
            company_ids=[Command.set(cls.other.ids)],
        )

    def setUp(self):
        super().setUp()
        self.run_town(self.period("2025-05-01"))
        self.payment = self.env["tko.payment"].create(
            {"account_id": self.acc1.id, "amount": 120, "date_paid": "2025-05-20"}
        )
        self.payment.action_post()

    def _wizard(self, user, **vals):
        action = self.payment.with_user(user).action_open_allocate_wizard()
        self.assertEqual(action["res_model"], "tko.payment.allocate.wizard")
        Wizard = self.env[action["res_model"]].with_user(user)
        wizard = Form(Wizard.with_context(**action["context"]))
        for name, value in vals.items():
            setattr(wizard, name, value)
        return wizard.save()

    def test_posted_payment_moved_with_history(self):
        self.assertFalse(self.payment.is_unallocated, "a payment entered by staff never waits")
        self.assertEqual(set(self.payment.allocation_ids.mapped("account_id")), {self.acc1})
        wizard = self._wizard(self.accountant, account_id=self.acc2)
        with self.assertRaises(UserError):
            wizard.action_allocate()  # no reason given
        wizard.note = "Плательщик ошибся в номере лицевого счёта"
        wizard.action_allocate()
        payment = self.payment
        self.assertEqual(payment.state, "posted")
        self.assertEqual(
            (payment.account_id, payment.partner_id), (self.acc2, self.acc2.partner_id)
        )
        self.assertEqual(set(payment.allocation_ids.mapped("account_id")), {self.acc2})
        self.assertAlmostEqual(sum(payment.allocation_ids.mapped("amount")), 120.0)
        history = payment.reallocation_ids
        self.assertEqual(len(history), 1)
        self.assertEqual((history.from_account_id, history.to_account_id), (self.acc1, self.acc2))
        self.assertEqual(history.user_id, self.accountant)
        self.assertIn("ошибся", history.reason)
        self.assertTrue(any("Moved by hand" in (m.body or "") for m in payment.message_ids))

    def test_only_the_company_accountant_moves_payments(self):
        for user in (self.reader, self.other_accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.payment.with_user(user).action_open_allocate_wizard()
        # a payment stays in the company that received it
        account_b = self.acc_village
        self.env.cr.execute(
            "UPDATE tko_account SET company_id = %s WHERE id = %s", (self.other.id, account_b.id)
        )
        account_b.invalidate_recordset()
        with self.assertRaises(UserError):
            self.env["tko.payment.reallocation"].create(
                {"payment_id": self.payment.id, "to_account_id": account_b.id, "reason": "x"}
            )
        wizard = self.env["tko.payment.allocate.wizard"].create(
            {
                "payment_ids": [Command.set(self.payment.ids)],
                "account_id": account_b.id,
                "note": "x",
            }
        )
        with self.assertRaises(UserError):
            wizard.action_allocate()
        self.assertEqual(self.payment.account_id, self.acc1)
