import json
from datetime import date
from decimal import Decimal
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from mobill_tko_core.formats.payment_qr import parse_payment_string
from mobill_tko_core.receipts import from_json

from ..models.tko_receipt_run import TkoReceiptRun
from .common import BillingCase

ACCOUNTANT = "mobill_tko_base.group_tko_accountant"


@tagged("post_install", "-at_install")
class TestReceipts(BillingCase):
    """Receipts of May 2025 for the town's three flats (217.53, 145.02 and 72.51 a month:
    residents × 1.56 / 12 × 557.76), April charged and closed before."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payee_requisites()
        cls.april = cls.period("2025-04-01")
        cls.run_town(cls.april)
        # flat 2 pays 400 in April (an advance into May), flat 3 pays 50 in May
        cls._pay(cls.acc2, 400, "2025-04-20")
        cls.may = cls.period("2025-05-01")  # posts and closes April
        cls.run_town(cls.may)
        cls._pay(cls.acc3, 50, "2025-05-12")
        cls.may.action_post()

    @classmethod
    def _pay(cls, account, amount, day):
        payment = cls.env["tko.payment"].create(
            {"account_id": account.id, "amount": amount, "date_paid": day, "date_booked": day}
        )
        payment.action_post()
        return payment

    def issue(self, period=None, user=None, **vals):
        Run = self.env["tko.receipt.run"]
        if user:
            Run = Run.with_user(user)
        run = Run.create({"period_id": (period or self.may).id, **vals})
        run.action_run_now()
        return run

    def receipt(self, account, period=None, state="issued"):
        return self.env["tko.receipt"].search(
            [
                ("account_id", "=", account.id),
                ("period_id", "=", (period or self.may).id),
                ("state", "=", state),
            ]
        )

    def figures(self, receipt):
        names = ("opening_balance", "charged", "recalculation", "paid", "total_to_pay", "advance")
        return {name: self.dec(receipt[name]) for name in names}

    # ------------------------------------------------------------------ figures
    def test_plain_month_equals_hand_computed(self):
        run = self.issue()
        self.assertEqual((run.state, run.issued_count, run.error_count), ("done", 3, 0))
        receipt = self.receipt(self.acc1)
        self.assertEqual(len(receipt), 1)
        # April's 217.53 unpaid + May's 217.53
        self.assertEqual(
            self.figures(receipt),
            {
                "opening_balance": Decimal("217.53"),
                "charged": Decimal("217.53"),
                "recalculation": Decimal("0.00"),
                "paid": Decimal("0.00"),
                "total_to_pay": Decimal("435.06"),
                "advance": Decimal("0.00"),
            },
        )
        self.assertEqual(receipt.due_date, date(2025, 6, 10))
        self.assertEqual(receipt.zone_id, self.zone)
        self.assertEqual(receipt.partner_id, self.acc1.partner_id)
        core = from_json(receipt.snapshot)
        self.assertEqual(core.account, self.acc1.name)
        self.assertEqual(core.total_to_pay, Decimal("435.06"))
        (line,) = core.lines
        self.assertEqual(
            (line.basis, line.quantity, line.tariff), ("residents", 3, Decimal("557.76"))
        )
        self.assertEqual(line.charged, Decimal("217.53"))
        self.assertIn("кв. 1", core.payer.address)
        # the payee's address as printed: its parts, no empty ones, no country
        self.company.partner_id.write(
            {
                "street": "ул. Ленина, 1",
                "city": "Калуга",
                "zip": "248000",
                "street2": False,
                "state_id": False,
            }
        )
        payee = self.env["tko.receipt.run"].create({"period_id": self.may.id})._run_context()
        self.assertEqual(payee["payee"].address, "248000, Калуга, ул. Ленина, 1")
        self.assertIn("тестовск/ленина/000000001/", core.route)
        fields = parse_payment_string(receipt.payment_string).fields
        self.assertEqual(fields["PersAcc"], self.acc1.name)
        self.assertEqual(fields["Sum"], "43506")
        self.assertEqual(fields["PayeeINN"], "4000000008")
        self.assertEqual(fields["PersonalAcc"], "40702810500000001234")
        self.assertIn("217.53", str(receipt.lines_html))

    def test_advance_and_payment_in_the_period(self):
        self.issue()
        # flat 2: −254.98 at the start (145.02 − 400), 145.02 charged: advance 109.96
        self.assertEqual(
            self.figures(self.receipt(self.acc2)),
            {
                "opening_balance": Decimal("-254.98"),
                "charged": Decimal("145.02"),
                "recalculation": Decimal("0.00"),
                "paid": Decimal("0.00"),
                "total_to_pay": Decimal("0.00"),
                "advance": Decimal("109.96"),
            },
        )
        # flat 3: 72.51 + 72.51 − 50 paid on 12.05
        receipt = self.receipt(self.acc3)
        self.assertEqual(
            self.figures(receipt),
            {
                "opening_balance": Decimal("72.51"),
                "charged": Decimal("72.51"),
                "recalculation": Decimal("0.00"),
                "paid": Decimal("50.00"),
                "total_to_pay": Decimal("95.02"),
                "advance": Decimal("0.00"),
            },
        )
        self.assertEqual(receipt.last_payment_date, date(2025, 5, 12))

    def test_opening_balance_equals_the_ledger(self):
        self.issue()
        ledger = self.env["tko.payment"]._tko_balance(
            "account_id", self.town_accounts.ids, date(2025, 4, 30)
        )
        for account in self.town_accounts:
            with self.subTest(account=account.name):
                self.assertEqual(
                    self.dec(self.receipt(account).opening_balance), self.dec(ledger[account.id])
                )

    def test_recalculation_with_its_reason(self):
        # from 16.04.2025 only 2 of the 3 residents live in flat 1: −36.25 booked in May
        self.env["tko.object.characteristic"].create(
            {
                "object_id": self.acc1.object_id.id,
                "kind": "residents_permanent",
                "value": 2,
                "date_from": "2025-04-16",
            }
        )
        recalc = self.env["tko.recalculation"].search(
            [("state", "=", "draft"), ("account_ids", "in", self.acc1.ids)]
        )
        recalc.action_book()
        self.may.action_post()
        self.issue()
        receipt = self.receipt(self.acc1)
        figures = self.figures(receipt)
        self.assertEqual(figures["recalculation"], Decimal("-36.25"))
        self.assertEqual(
            figures["total_to_pay"], Decimal("217.53") + figures["charged"] - Decimal("36.25")
        )
        core = from_json(receipt.snapshot)
        (item,) = core.recalculations
        self.assertEqual((item.period, item.amount), (date(2025, 4, 1), Decimal("-36.25")))
        self.assertIn(recalc.name, item.reason)
        self.assertIn(recalc.name, str(receipt.lines_html))
        self.assertTrue(self.may.receipts_agree)

    # ------------------------------------------------------------------ issue and reissue
    def test_issuing_twice_does_not_duplicate(self):
        self.issue()
        again = self.issue()
        self.assertEqual((again.issued_count, again.skipped_count), (0, 3))
        receipts = self.env["tko.receipt"].search([("period_id", "=", self.may.id)])
        self.assertEqual(len(receipts), 3)

    def test_reissue_marks_the_correction(self):
        self.issue()
        first = self.receipt(self.acc1)
        action = first.action_reissue()
        run = self.env["tko.receipt.run"].browse(action["res_id"])
        self.assertTrue(run.reissue)
        self.assertEqual(run.account_ids, self.acc1)
        with self.assertRaises(UserError):
            run.action_run_now()  # no reason given
        run.reason = "Ошибка в адресе"
        run.action_run_now()
        self.assertEqual(first.state, "replaced")
        second = self.receipt(self.acc1)
        self.assertEqual(
            (second.correction_number, second.correction_reason), (1, "Ошибка в адресе")
        )
        self.assertEqual(from_json(second.snapshot).correction_number, 1)
        self.assertEqual(self.dec(second.total_to_pay), Decimal("435.06"))
        # the other flats were not touched; the registry counts the issued receipts only
        self.assertEqual(self.may.receipt_count, 3)
        self.assertTrue(self.may.receipts_agree)

    def test_core_error_of_one_account_is_recorded_and_others_go_on(self):
        acc2 = self.acc2.id

        def penalties(run, ctx, ids):
            return {acc2: Decimal("-1")}

        with patch.object(TkoReceiptRun, "_tko_receipt_penalties", penalties):
            run = self.issue()
        self.assertEqual((run.issued_count, run.error_count), (2, 1))
        self.assertEqual(run.error_ids.account_id, self.acc2)
        self.assertEqual(run.error_ids.code, "receipt.negative_amount")
        self.assertFalse(self.receipt(self.acc2))
        self.assertFalse(self.may.receipts_agree, "a missing receipt breaks the registry check")

    # ------------------------------------------------------------------ registry
    def test_registry_equals_the_ledger(self):
        self.issue()
        ledger = sum(
            self.env["tko.charge"]
            .search([("period_id", "=", self.may.id), ("consumer", "=", "individual")])
            .mapped("amount_total")
        )
        self.assertEqual(self.dec(ledger), Decimal("435.06"))
        self.assertEqual(self.may.receipt_count, 3)
        self.assertEqual(self.dec(self.may.receipt_amount), Decimal("435.06"))
        self.assertEqual(self.dec(self.may.receipt_ledger_amount), Decimal("435.06"))
        self.assertTrue(self.may.receipts_agree)
        groups = self.env["tko.receipt"].read_group(
            [("period_id", "=", self.may.id), ("state", "=", "issued")],
            ["charged:sum", "total_to_pay:sum"],
            ["zone_id"],
        )
        self.assertEqual(len(groups), 1)
        self.assertEqual(groups[0]["zone_id_count"], 3)
        self.assertEqual(self.dec(groups[0]["charged"]), Decimal("435.06"))
        self.assertEqual(self.dec(groups[0]["total_to_pay"]), Decimal("530.08"))

    # ------------------------------------------------------------------ mass issue
    def test_mass_issue_in_chunks(self):
        run = self.issue(chunk_size=1, message="График вывоза изменится с 1 июня.")
        self.assertEqual(
            (run.total_count, run.done_count, run.chunk_count, run.issued_count), (3, 3, 3, 3)
        )
        self.assertEqual(run.progress, 100.0)
        receipts = self.env["tko.receipt"].search([("run_id", "=", run.id)])
        self.assertEqual(receipts.account_id, self.town_accounts)
        self.assertEqual(
            json.loads(receipts[0].snapshot)["schema"], 1, "the snapshot is the core's JSON"
        )
        for receipt in receipts:
            self.assertEqual(
                from_json(receipt.snapshot).messages, ("График вывоза изменится с 1 июня.",)
            )

    def test_background_job_in_chunks(self):
        """The queued path: one job, chunks committed on their own (test) cursors."""
        run = self.env["tko.receipt.run"].create({"period_id": self.may.id, "chunk_size": 2})
        run.action_start()
        self.assertEqual((run.state, run.total_count), ("queued", 3))
        job = self.env["queue.job"].search([("uuid", "=", run.job_uuid)])
        self.assertEqual(len(job), 1)
        self.registry.enter_test_mode(self.env.cr)
        try:
            run._job_run()
        finally:
            self.registry.leave_test_mode()
        run.invalidate_recordset()
        self.assertEqual(
            (run.state, run.done_count, run.chunk_count, run.issued_count), ("done", 3, 2, 3)
        )
        self.assertEqual(self.may.receipt_count, 3)
        self.assertTrue(self.may.receipts_agree)

    def test_not_before_the_charges_are_posted(self):
        june = self.period("2025-06-01")
        self.run_town(june)
        with self.assertRaises(UserError):
            june.action_issue_receipts()

    # ------------------------------------------------------------------ protection
    def test_issued_receipt_cannot_be_changed(self):
        self.issue()
        receipt = self.receipt(self.acc1)
        with self.assertRaises(UserError):
            receipt.write({"charged": 1})
        with self.assertRaises(UserError):
            receipt.write({"state": "replaced"})
        with self.assertRaises(UserError):
            receipt.unlink()
        with self.assertRaises(UserError):
            self.env["tko.receipt"].create(
                {
                    "company_id": self.company.id,
                    "period_id": self.may.id,
                    "account_id": self.acc1.id,
                }
            )
        accountant = new_test_user(self.env, "rcp_accountant", groups=ACCOUNTANT)
        with self.assertRaises(UserError):
            receipt.with_user(accountant).write({"charged": 1})
        self.assertEqual(self.dec(receipt.charged), Decimal("217.53"))

    def test_refused_to_a_portal_user_and_another_company(self):
        self.issue()
        receipt = self.receipt(self.acc1)
        portal = new_test_user(self.env, "rcp_portal", groups="base.group_portal")
        other = self.env["res.company"].create({"name": "Другой оператор"})
        outsider = new_test_user(
            self.env,
            "rcp_other",
            groups=ACCOUNTANT,
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        for user in (portal, outsider):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.may.with_user(user).action_issue_receipts()
                with self.assertRaises(AccessError):
                    self.issue(user=user)
                with self.assertRaises(AccessError):
                    receipt.with_user(user).action_reissue()
                with self.assertRaises(AccessError):
                    receipt.with_user(user).read(["total_to_pay"])
        self.assertFalse(self.env["tko.receipt"].with_user(outsider).search([]))
        # an accountant of the company issues
        accountant = new_test_user(self.env, "rcp_acc2", groups=ACCOUNTANT)
        run = self.issue(user=accountant)
        self.assertEqual((run.state, run.skipped_count), ("done", 3))
