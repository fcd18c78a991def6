from datetime import date
from decimal import Decimal

from odoo import fields
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestPaymentAccounting(BillingCase):
    """Payments in accounting: contract payments reconciled with their invoices, individuals'
    payments as aggregated entries per day and channel, reversals, reconciliation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Posting = cls.env["tko.payment.posting"]
        cls.today = fields.Date.context_today(cls.env["tko.payment"])
        # individuals' payments go to an operator of their own: no other payments to disturb
        # the sums, whatever the database holds
        cls.op = cls._operator("Оператор платежей")
        # a payment belongs to the company of its account: the personal accounts go there too
        individuals = cls.acc1 | cls.acc2 | cls.acc3 | cls.acc_village | cls.acc_nozone
        cls._move_to(cls.op, individuals)

    @classmethod
    def _move_to(cls, company, accounts):
        """The same region served by another operator: the consumers, objects and accounts
        move together. The registry refuses links across companies one record at a time (and
        the addresses stay shared with the first operator's contracts), so the fixture moves
        them in one statement per table."""
        cls.env.flush_all()
        for table, ids in (
            ("res_partner", accounts.partner_id.ids + accounts.object_id.partner_id.ids),
            ("tko_object", accounts.object_id.ids),
            ("tko_account", accounts.ids),
        ):
            cls.env.cr.execute(
                SQL(
                    "UPDATE %s SET company_id = %s WHERE id = ANY(%s)",
                    SQL.identifier(table),
                    company.id,
                    ids,
                )
            )
        cls.env.invalidate_all()

    @classmethod
    def _operator(cls, name):
        company = cls.env["res.company"].create(
            {
                "name": name,
                "country_id": cls.env.ref("base.ru").id,
                "currency_id": cls.company.currency_id.id,
            }
        )
        cls.env["account.chart.template"].try_loading("ru", company, install_demo=False)
        return company

    # ------------------------------------------------------------------ helpers
    def pay(self, target, amount, booked="2025-06-05", channel="bank", post=True, **vals):
        field = "account_id" if target._name == "tko.account" else "contract_id"
        if field == "account_id":
            vals.setdefault("company_id", self.op.id)
        payment = self.env["tko.payment"].create(
            {
                field: target.id,
                "amount": amount,
                "date_paid": vals.pop("paid", booked),
                "date_booked": booked,
                "channel": channel,
                **vals,
            }
        )
        if post:
            payment.action_post()
        return payment

    def invoice(self, period, contract=None):
        return self.env["account.move"].search(
            [
                ("tko_period_id", "=", period.id),
                ("tko_contract_id", "=", (contract or self.contract).id),
                ("move_type", "=", "out_invoice"),
            ]
        )

    def two_invoices(self):
        """April and May invoices of the shop: 4800.00 each."""
        april = self.period("2025-04-01")
        self.charge_run(april, scope="contracts", contract_ids=[(6, 0, self.contract.ids)])
        may = self.period("2025-05-01")  # closes April: its invoice is posted
        self.charge_run(may, scope="contracts", contract_ids=[(6, 0, self.contract.ids)])
        may.action_post()
        inv_april, inv_may = self.invoice(april), self.invoice(may)
        self.assertEqual(self.dec(inv_april.amount_total), Decimal("4800.00"))
        self.assertEqual(self.dec(inv_may.amount_total), Decimal("4800.00"))
        return april, may, inv_april, inv_may

    def recon(self, company=None, **domain):
        self.env.flush_all()
        Recon = self.env["tko.payment.reconciliation"]
        Recon.invalidate_model()
        dom = [("company_id", "=", (company or self.op).id)]
        dom += [(k, "=", v) for k, v in domain.items()]
        return Recon.search(dom)

    def totals(self, **domain):
        """(ledger, accounting, difference) of the main company's rows."""
        rows = self.recon(self.company, **domain)
        return tuple(
            self.dec(sum(rows.mapped(f))) for f in ("ledger_total", "move_total", "difference")
        )

    def balances(self, move):
        result = {}
        for line in move.line_ids:
            result.setdefault(line.account_id.code, Decimal("0.00"))
            result[line.account_id.code] += self.dec(line.balance)
        return result

    # ------------------------------------------------------------------ contracts
    def test_contract_payment_pays_its_invoice(self):
        period = self.period("2025-05-01")
        self.charge_run(period, scope="contracts", contract_ids=[(6, 0, self.contract.ids)])
        period.action_post()
        invoice = self.invoice(period)
        self.assertEqual(invoice.payment_state, "not_paid")
        day = {"date": date(2025, 6, 5), "consumer": "legal"}
        ledger, accounting, difference = self.totals(**day)
        payment = self.pay(self.contract, 4800, booked="2025-06-05", reference="п/п 123")
        apay = payment.account_payment_id
        self.assertTrue(apay, "a contract payment is registered in accounting when posted")
        self.assertEqual(apay.state, "posted")
        self.assertEqual(
            (apay.payment_type, apay.partner_id, str(apay.date), apay.ref),
            ("inbound", self.shop_partner, "2025-06-05", "п/п 123"),
        )
        self.assertEqual(apay.journal_id, self.company.tko_pay_journal_bank_id)
        self.assertEqual(self.dec(apay.amount), Decimal("4800.00"))
        # the money is on the bank account at once (Dt 51 Ct 62.01), no outstanding receipts
        self.assertEqual(
            self.balances(apay.move_id), {"51": Decimal("4800.00"), "62.01": Decimal("-4800.00")}
        )
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(payment.tko_invoice_ids, invoice)
        self.assertEqual(payment.tko_unreconciled_amount, 0)
        self.assertEqual(payment.accounting_state, "posted")
        self.assertIn(invoice, apay.reconciled_invoice_ids)
        # the reconciliation of the day: the ledger and accounting both grow by the payment
        self.assertEqual(
            self.totals(**day),
            (ledger + Decimal("4800.00"), accounting + Decimal("4800.00"), difference),
        )

    def test_partial_payments_named_period_first_then_oldest(self):
        april, may, inv_april, inv_may = self.two_invoices()
        # the period named in the payment is paid first, even though April is older
        first = self.pay(self.contract, 1000, target_period_id=may.id)
        self.assertEqual(first.tko_invoice_ids, inv_may)
        self.assertEqual(inv_may.payment_state, "partial")
        self.assertEqual(self.dec(inv_may.amount_residual), Decimal("3800.00"))
        self.assertEqual(inv_april.payment_state, "not_paid")
        # then the oldest first: April in full, the rest to May
        second = self.pay(self.contract, 6000, booked="2025-06-10")
        self.assertEqual(inv_april.payment_state, "paid")
        self.assertEqual(self.dec(inv_may.amount_residual), Decimal("2600.00"))
        self.assertEqual(second.tko_invoice_ids, inv_april | inv_may)
        # an overpayment stays open on the payment (an advance)
        third = self.pay(self.contract, 3000, booked="2025-06-11")
        self.assertEqual(inv_may.payment_state, "paid")
        self.assertEqual(self.dec(third.tko_unreconciled_amount), Decimal("400.00"))

    def test_cancel_unreconciles_and_reposting_reconciles_again(self):
        april, may, inv_april, inv_may = self.two_invoices()
        day = {"date": date(2025, 6, 5), "consumer": "legal"}
        before = self.totals(**day)
        payment = self.pay(self.contract, 6000)
        self.assertEqual(inv_april.payment_state, "paid")
        apay = payment.account_payment_id
        payment.action_cancel()
        self.assertEqual(payment.state, "cancelled")
        self.assertEqual(apay.state, "cancel")
        self.assertEqual(inv_april.payment_state, "not_paid")
        self.assertEqual(inv_may.payment_state, "not_paid")
        self.assertEqual(self.dec(inv_may.amount_residual), Decimal("4800.00"))
        self.assertFalse(payment.tko_invoice_ids)
        self.assertEqual(payment.accounting_state, "reversed")
        # the reconciliation of the day: out of the ledger and out of accounting
        self.assertEqual(self.totals(**day), before)
        # back to draft and posted again: a new accounting payment, reconciled again
        payment.action_draft()
        payment.action_post()
        self.assertNotEqual(payment.account_payment_id, apay)
        self.assertEqual(payment.account_payment_id.state, "posted")
        self.assertEqual(inv_april.payment_state, "paid")
        self.assertEqual(self.dec(inv_may.amount_residual), Decimal("3600.00"))

    def test_payment_before_invoice_is_matched_by_the_button(self):
        period = self.period("2025-05-01")
        self.charge_run(period, scope="contracts", contract_ids=[(6, 0, self.contract.ids)])
        payment = self.pay(self.contract, 2000, booked="2025-05-20")
        self.assertEqual(self.dec(payment.tko_unreconciled_amount), Decimal("2000.00"))
        period.action_post()
        invoice = self.invoice(period)
        payment.action_tko_reconcile_invoices()
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(self.dec(invoice.amount_residual), Decimal("2800.00"))
        self.assertEqual(payment.tko_unreconciled_amount, 0)

    def test_billing_staff_post_and_read_without_accounting_menus(self):
        period = self.period("2025-05-01")
        self.charge_run(period, scope="contracts", contract_ids=[(6, 0, self.contract.ids)])
        period.action_post()
        companies = [(6, 0, (self.company | self.op).ids)]
        accountant = new_test_user(
            self.env,
            "payacc_accountant",
            groups="mobill_tko_base.group_tko_accountant",
            company_id=self.company.id,
            company_ids=companies,
        )
        payment = (
            self.env["tko.payment"]
            .with_user(accountant)
            .create({"contract_id": self.contract.id, "amount": 4800, "date_booked": "2025-06-05"})
        )
        payment.action_post()
        self.assertEqual(payment.accounting_state, "posted")
        self.assertEqual(self.invoice(period).payment_state, "paid")
        self.pay(self.acc1, 12.34)
        wizard = (
            self.env["tko.payment.posting.wizard"]
            .with_user(accountant)
            .with_company(self.op)
            .create({"company_id": self.op.id, "date_to": "2025-06-30"})
        )
        wizard.action_post()
        self.assertIn("1 accounting entries posted", wizard.result)
        # a read-only manager has no accounting rights, and still opens the forms and lists
        reader = new_test_user(
            self.env,
            "payacc_reader",
            groups="mobill_tko_base.group_tko_readonly",
            company_id=self.company.id,
            company_ids=companies,
        )
        self.assertFalse(reader.has_group("account.group_account_readonly"))
        postings = self.Posting.search([("company_id", "=", self.op.id)])
        self.assertTrue(postings)
        fields_seen = self._open_as(reader, payment)
        self.assertIn("accounting_state", fields_seen)
        self.assertNotIn("account_payment_id", fields_seen, "accounting links: accountants")
        self._open_as(reader, postings.with_company(self.op))
        action = postings.with_user(reader).with_company(self.op).action_view_payments()
        shown = self.env["tko.payment"].with_user(reader).search(action["domain"])
        self.assertEqual(self.dec(sum(shown.mapped("amount"))), Decimal("12.34"))
        # the filter "Not in accounting yet" works for them too
        waiting = self.pay(self.acc2, 1.11)
        found = (
            self.env["tko.payment"].with_user(reader).search([("accounting_state", "=", "pending")])
        )
        self.assertIn(waiting, found)
        self.assertNotIn(payment, found, "in accounting already")
        # an accountant sees the links
        self.assertIn("account_payment_id", self._open_as(accountant, payment))

    def _open_as(self, user, records):
        """Read ``records`` as the web client does for the form and list views of ``user``."""
        Model = records.with_user(user)
        views = Model.get_views([(False, "form"), (False, "list")])
        spec = {}
        for name, desc in views["models"][records._name].items():
            if desc["type"] in ("many2one", "many2many"):
                spec[name] = {"fields": {"display_name": {}}}
            elif desc["type"] != "one2many":
                spec[name] = {}
        self.assertTrue(Model.web_read(spec))
        return spec

    # ------------------------------------------------------------------ individuals
    def _individual_payments(self):
        pays = {
            "a": self.pay(self.acc1, 100.01, booked="2025-06-05"),
            "b": self.pay(self.acc2, 200.02, booked="2025-06-05"),
            "c": self.pay(self.acc3, 33.33, booked="2025-06-05", channel="cash"),
            "d": self.pay(self.acc1, 0.05, booked="2025-06-06"),
            "e": self.pay(self.acc_village, 1000.99, booked="2025-06-06", channel="agent"),
            "later": self.pay(self.acc2, 7.77, booked="2025-06-07"),
            "draft": self.pay(self.acc3, 5.55, booked="2025-06-05", post=False),
        }
        # the integrations module books imports in bulk: posted by SQL, action_post not called
        bulk = self.pay(self.acc2, 0.10, booked="2025-06-05", post=False)
        bulk.flush_recordset()
        self.env.cr.execute("UPDATE tko_payment SET state = 'posted' WHERE id = %s", [bulk.id])
        bulk.invalidate_recordset()
        pays["bulk"] = bulk
        return pays

    def test_aggregated_entries_equal_the_ledger_to_the_kopeck(self):
        pays = self._individual_payments()
        postings, skipped = self.Posting._post_individuals(self.op, date(2025, 6, 6))
        self.assertFalse(skipped)
        by_key = {(str(p.date), p.channel): p for p in postings}
        self.assertEqual(
            set(by_key),
            {
                ("2025-06-05", "bank"),
                ("2025-06-05", "cash"),
                ("2025-06-06", "bank"),
                ("2025-06-06", "agent"),
            },
        )
        bank5 = by_key[("2025-06-05", "bank")]
        # 100.01 + 200.02 + 0.10 (the bulk-posted one); the draft one is not there
        self.assertEqual(self.dec(bank5.amount_posted), Decimal("300.13"))
        self.assertEqual(bank5.payment_count, 3)
        self.assertEqual(
            self.balances(bank5.move_id), {"51": Decimal("300.13"), "62.01": Decimal("-300.13")}
        )
        self.assertEqual(bank5.move_id.state, "posted")
        self.assertEqual(str(bank5.move_id.date), "2025-06-05")
        self.assertEqual(
            self.balances(by_key[("2025-06-05", "cash")].move_id),
            {"50.01": Decimal("33.33"), "62.01": Decimal("-33.33")},
        )
        # agents' money is in transit: 57.03
        self.assertEqual(
            self.balances(by_key[("2025-06-06", "agent")].move_id),
            {"57.03": Decimal("1000.99"), "62.01": Decimal("-1000.99")},
        )
        self.assertEqual(pays["a"].accounting_move_id, bank5.move_id)
        self.assertEqual(pays["bulk"].accounting_move_id, bank5.move_id)
        self.assertEqual(pays["a"].accounting_state, "posted")
        self.assertFalse(pays["draft"].accounting_move_id)
        self.assertFalse(pays["later"].accounting_move_id, "booked after the date asked")
        self.assertEqual(pays["later"].accounting_state, "pending")
        # ledger = accounting, day by day and channel by channel, to the kopeck
        rows = self.recon(consumer="individual")
        done = rows.filtered(lambda r: r.date <= date(2025, 6, 6))
        self.assertEqual(len(done), 4)
        for row in done:
            self.assertTrue(row.agrees, f"{row.date} {row.channel}: {row.difference}")
            self.assertEqual(row.unposted_total, 0)
        self.assertEqual(
            self.dec(sum(done.mapped("ledger_total"))), Decimal("1334.50")
        )  # 300.13 + 33.33 + 0.05 + 1000.99
        # the payment booked on the 7th waits: the reconciliation shows it
        waiting = rows.filtered(lambda r: r.date == date(2025, 6, 7))
        self.assertFalse(waiting.agrees)
        self.assertEqual(self.dec(waiting.unposted_total), Decimal("7.77"))
        self.assertEqual(self.dec(waiting.difference), Decimal("7.77"))

    def test_nothing_posted_twice(self):
        self._individual_payments()
        first, _skipped = self.Posting._post_individuals(self.op, date(2025, 6, 6))
        moves = self.env["account.move"].search_count([("company_id", "=", self.op.id)])
        second, _skipped = self.Posting._post_individuals(self.op, date(2025, 6, 6))
        self.assertTrue(first)
        self.assertFalse(second, "a second run finds nothing new")
        self.assertEqual(
            self.env["account.move"].search_count([("company_id", "=", self.op.id)]), moves
        )
        # the next day only the new payment goes, alone in its entry
        third, _skipped = self.Posting._post_individuals(self.op, date(2025, 6, 7))
        self.assertEqual(len(third), 1)
        self.assertEqual(self.dec(third.amount_posted), Decimal("7.77"))
        # the daily job does the same: nothing more to post
        self.pay(self.acc3, 0.01, booked="2025-06-08", channel="online")
        with trap_jobs() as trap:
            self.Posting._cron_post()
            jobs = [j for j in trap.enqueued_jobs if j.args[0] == self.op.id]
            self.assertEqual(len(jobs), 1, "one job per company")
            jobs[0].perform()
        self.assertEqual(
            self.env["account.move"].search_count([("company_id", "=", self.op.id)]), moves + 2
        )
        posted = self.Posting.search([("company_id", "=", self.op.id), ("channel", "=", "online")])
        self.assertEqual(self.dec(posted.amount_posted), Decimal("0.01"))
        # and every day agrees
        self.assertTrue(all(self.recon(consumer="individual").mapped("agrees")))

    def test_a_day_before_the_lock_date_is_booked_after_it(self):
        self._individual_payments()
        self.op.sudo().fiscalyear_lock_date = date(2025, 6, 5)
        postings, _skipped = self.Posting._post_individuals(self.op, date(2025, 6, 6))
        self.assertTrue(postings)
        self.assertEqual(set(postings.move_id.mapped("state")), {"posted"})
        # the 5th (locked) goes to the 6th, the first open day; the posting keeps its day
        self.assertEqual(set(postings.move_id.mapped("date")), {date(2025, 6, 6)})
        self.assertIn(date(2025, 6, 5), postings.mapped("date"))

    def test_payment_moved_from_an_account_to_a_contract_is_reversed(self):
        """Moved by hand (cancel, re-target, post again), an individual's payment already in the
        daily entry leaves it through a reversal; its contract side is booked as a contract
        payment. Without the reversal the bank would be debited twice."""
        pays = self._individual_payments()
        postings, _skipped = self.Posting._post_individuals(self.op, date(2025, 6, 6))
        self.assertEqual(pays["b"].accounting_state, "posted")
        pays["b"].action_cancel()
        pays["b"].action_draft()
        # as the integrations' wizard leaves it, in SQL: the contract of another test company
        # needs no invoice here
        self.env.cr.execute(
            "UPDATE tko_payment SET account_id = NULL, contract_id = %s, state = 'posted' "
            "WHERE id = %s",
            [self.contract.id, pays["b"].id],
        )
        pays["b"].invalidate_recordset()
        new, _skipped = self.Posting._post_individuals(self.op, self.today)
        reversal = new.filtered("reversal_count")
        self.assertEqual(len(reversal), 1)
        self.assertEqual(reversal.reversal_count, 1)
        self.assertEqual(self.dec(reversal.amount_reversed), Decimal("200.02"))
        self.assertEqual(pays["b"].accounting_reversal_move_id, reversal.move_id)
        again, _skipped = self.Posting._post_individuals(self.op, self.today)
        self.assertFalse(again)

    def test_cancelled_accounted_payment_is_reversed_in_the_next_entry(self):
        pays = self._individual_payments()
        postings, _skipped = self.Posting._post_individuals(self.op, date(2025, 6, 6))
        bank5 = postings.filtered(lambda p: str(p.date) == "2025-06-05" and p.channel == "bank")
        original = bank5.move_id
        before = self.balances(original)
        pays["a"].action_cancel()
        self.assertEqual(pays["a"].accounting_cancel_date, self.today)
        self.assertEqual(pays["a"].accounting_state, "reversal_pending")
        # the day it was cancelled shows the reversal still to do
        rows = self.recon(date=self.today, channel="bank", consumer="individual")
        self.assertEqual(self.dec(rows.unposted_total), Decimal("-100.01"))
        self.assertFalse(rows.agrees)
        # a payment cancelled before it reached accounting never goes there
        pays["later"].action_cancel()
        new, _skipped = self.Posting._post_individuals(self.op, self.today)
        self.assertEqual(len(new), 1)
        self.assertEqual(new.date, self.today)
        self.assertEqual((new.reversal_count, new.payment_count), (1, 0))
        self.assertEqual(self.dec(new.amount_reversed), Decimal("100.01"))
        self.assertEqual(
            self.balances(new.move_id), {"51": Decimal("-100.01"), "62.01": Decimal("100.01")}
        )
        # the posted entry is never rewritten
        self.assertEqual(original.state, "posted")
        self.assertEqual(self.balances(original), before)
        self.assertEqual(pays["a"].accounting_move_id, original)
        self.assertEqual(pays["a"].accounting_reversal_move_id, new.move_id)
        self.assertEqual(pays["a"].accounting_state, "reversed")
        self.assertFalse(pays["later"].accounting_move_id)
        # reversed once only
        again, _skipped = self.Posting._post_individuals(self.op, self.today)
        self.assertFalse(again)
        # everything agrees: the 5th as booked, the cancellation on the day it happened
        rows = self.recon(consumer="individual")
        for row in rows:
            self.assertTrue(row.agrees, f"{row.date} {row.channel}: {row.difference}")
        # posted again later: it goes to accounting again
        pays["a"].action_draft()
        pays["a"].action_post()
        self.assertEqual(pays["a"].accounting_state, "pending")
        new, _skipped = self.Posting._post_individuals(self.op, self.today)
        self.assertEqual(self.dec(new.amount_posted), Decimal("100.01"))
        self.assertEqual(pays["a"].accounting_move_id, new.move_id)
        self.assertFalse(pays["a"].accounting_reversal_move_id)

    def test_posting_wizard(self):
        self._individual_payments()
        wizard = self.env["tko.payment.posting.wizard"].create(
            {"company_id": self.op.id, "date_to": "2025-06-05"}
        )
        self.assertEqual(wizard.pending_count, 4)
        self.assertAlmostEqual(wizard.pending_amount, 333.46)  # 300.13 + 33.33
        wizard.action_post()
        self.assertIn("2 accounting entries posted", wizard.result)
        wizard.invalidate_recordset(["pending_count"])
        self.assertEqual(wizard.pending_count, 0)

    # ------------------------------------------------------------------ companies
    def test_companies_are_kept_apart(self):
        other = self._operator("Другой оператор")
        self.assertTrue(other.tko_pay_journal_bank_id, "set up with its chart of accounts")
        self.assertEqual(other.tko_pay_journal_bank_id.company_id, other)
        self.assertEqual(other.tko_transit_account_id.company_id, other)
        mine = self.pay(self.acc1, 10.10)
        self._move_to(other, self.acc2)
        theirs = self.pay(self.acc2, 20.20, company_id=other.id)
        postings, _skipped = self.Posting._post_individuals(self.op, date(2025, 6, 30))
        self.assertEqual(postings.move_id.company_id, self.op)
        self.assertEqual(self.dec(sum(postings.mapped("amount_posted"))), Decimal("10.10"))
        self.assertEqual(mine.accounting_move_id, postings.move_id)
        self.assertFalse(theirs.accounting_move_id)
        others, _skipped = self.Posting._post_individuals(other, date(2025, 6, 30))
        self.assertEqual(others.move_id.company_id, other)
        self.assertEqual(others.move_id.journal_id, other.tko_pay_journal_bank_id)
        self.assertEqual(self.dec(others.amount_posted), Decimal("20.20"))
        self.assertEqual(theirs.accounting_move_id, others.move_id)
        self.assertEqual(self.dec(self.recon(other).move_total), Decimal("20.20"))
        self.assertEqual(self.dec(self.recon(self.op).move_total), Decimal("10.10"))
        self.env.ref("mobill_tko_billing.rule_tko_payment_reconciliation_company")
        user = new_test_user(
            self.env,
            "payacc_other",
            groups="mobill_tko_base.group_tko_readonly",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        seen = self.env["tko.payment.reconciliation"].with_user(user).search([])
        self.assertEqual(seen.company_id, other)
        self.assertEqual(self.env["tko.payment.posting"].with_user(user).search([]), others)
