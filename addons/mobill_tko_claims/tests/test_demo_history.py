from decimal import Decimal

from odoo import fields
from odoo.tests import TransactionCase, tagged

from mobill_tko_core import demo_history

MONTHS = 5
ACCOUNTS = 60
CONTRACTS = 10  # enough for a legal entity that stopped paying and one paying in part


@tagged("post_install", "-at_install")
class TestDemoHistory(TransactionCase):
    """A short demo history on the demo region (5 months, 60 accounts, 10 contracts): real
    overdue debts, penalties, debtors, notices and claims, accounting in step with the ledger,
    and a second load that adds nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.today = fields.Date.context_today(cls.env["tko.account"])
        # the demo region of mobill_tko_base is the ground the history is built on
        cls.env.ref("mobill_tko_base.demo_account_1")
        cls.summary = cls.env["tko.demo.history"]._load_demo_history(
            months=MONTHS, accounts=ACCOUNTS, contracts=CONTRACTS
        )

    def of_company(self, model, domain=()):
        return self.env[model].search([("company_id", "=", self.company.id), *domain])

    def test_periods_charges_and_payments(self):
        self.assertTrue(self.summary)
        periods = self.of_company("tko.billing.period").sorted("date_start")
        self.assertEqual(len(periods), MONTHS)
        self.assertEqual(periods[-1].date_start, demo_history.add_months(self.today, -1))
        self.assertEqual(periods[:-1].mapped("state"), ["closed"] * (MONTHS - 1))
        self.assertEqual(periods[-1].state, "open")
        charges = self.of_company("tko.charge", [("kind", "=", "charge")])
        # the first accounts of the region (a few closed before the history have no charges)
        self.assertLessEqual(len(charges.account_id), ACCOUNTS)
        self.assertGreater(len(charges.account_id), ACCOUNTS * 0.9)
        self.assertGreaterEqual(len(charges.contract_id), CONTRACTS - 2)
        payments = self.of_company("tko.payment")
        self.assertEqual(len(payments), self.summary["payments"])
        self.assertEqual(set(payments.mapped("state")), {"posted"})
        self.assertLessEqual(max(payments.mapped("date_paid")), self.today)
        self.assertTrue(payments.filtered("contract_id") and payments.filtered("account_id"))
        # allocated by the ledger: a payment naming a month pays it, the rest goes oldest first
        allocated = sum(payments.allocation_ids.mapped("amount"))
        self.assertAlmostEqual(allocated, sum(payments.mapped("amount")), places=2)

    def test_accounting_agrees_with_the_ledger(self):
        rows = self.of_company("tko.billing.reconciliation")
        self.assertTrue(rows)
        self.assertEqual(rows.filtered(lambda r: not r.agrees), rows.browse())
        self.assertFalse(any(rows.mapped("unposted_total")), "every period is posted")
        pay_rows = self.of_company("tko.payment.reconciliation")
        self.assertTrue(pay_rows)
        self.assertEqual(pay_rows.filtered(lambda r: not r.agrees), pay_rows.browse())
        self.assertFalse(any(pay_rows.mapped("unposted_total")), "every payment is posted")

    def test_overdue_debts_and_penalties(self):
        debtors = self.of_company("tko.debtor")
        self.assertEqual(len(debtors), self.summary["debtors"])
        # individuals' penalties start on the 31st day, legal entities' on the first
        old = debtors.filtered(lambda d: d.overdue_days > 90 and d.overdue_debt > 0)
        self.assertTrue(old.filtered("account_id"))
        late = debtors.filtered(lambda d: d.overdue_days > 30 and d.overdue_debt > 0)
        self.assertTrue(late.filtered("contract_id"))
        penalties = self.of_company("tko.penalty", [("total", ">", 0)])
        self.assertEqual(len(penalties), self.summary["penalties"])
        self.assertTrue(penalties.filtered("account_id") and penalties.filtered("contract_id"))
        self.assertTrue(all(p.has_breakdown and p.line_ids for p in penalties))
        booked = self.of_company("tko.charge", [("kind", "=", "penalty")])
        self.assertAlmostEqual(
            sum(booked.mapped("amount_total")), sum(penalties.mapped("total")), places=2
        )
        self.assertEqual(set(booked.mapped("state")), {"posted"})

    def test_stopped_payer_owes_the_months_since_he_stopped(self):
        """A stopped payer's debt is his charges since his last payment, month after month."""
        charges = self.of_company("tko.charge", [("kind", "!=", "penalty")])
        keys = [("tko.account", i) for i in charges.account_id.ids]
        keys += [("tko.contract", i) for i in charges.contract_id.ids]
        legal = {key for key in keys if key[0] == "tko.contract"}
        profiles = demo_history.assign_profiles(keys, self.today, legal)
        stopped = [key for key, p in profiles.items() if p.kind == demo_history.STOPPED]
        self.assertTrue(stopped)
        for model, rid in stopped:
            record = self.env[model].browse(rid)
            field = "account_id" if model == "tko.account" else "contract_id"
            own = charges.filtered(lambda c, f=field, r=record: c[f] == r)
            self.assertFalse(self.of_company("tko.payment", [(field, "=", rid)]))
            debtor = self.of_company("tko.debtor", [(field, "=", rid)])
            self.assertAlmostEqual(debtor.principal_debt, sum(own.mapped("amount_total")), 2)
            self.assertEqual(debtor.months_in_debt, len(own.period_id))

    def test_notices_and_claims(self):
        notices = self.of_company("tko.notice")
        self.assertEqual(len(notices), self.summary["notices"])
        self.assertTrue(notices)
        self.assertFalse(notices.filtered(lambda n: n.state in ("draft", "failed")))
        self.assertTrue(notices.filtered(lambda n: n.channel == "letter").letter_id)
        self.assertTrue(all(n.debt_amount > 1000 for n in notices if n.channel == "letter"))
        self.assertIn("задолженность", notices[0].body)
        claims = self.of_company("tko.claim")
        self.assertEqual(len(claims), self.summary["claims"])
        self.assertEqual(set(claims.mapped("stage")), {"prepared", "sent"})
        for claim in claims:
            self.assertGreater(claim.debt_amount, 0)
            self.assertGreater(claim.penalty_amount, 0)
            self.assertTrue(claim.debt_line_ids and claim.penalty_line_ids)
            self.assertLess(claim.period_from, claim.calc_date)
        sent = claims.filtered(lambda c: c.stage == "sent")
        self.assertEqual(sent.date_sent, self.today)
        debtors = self.of_company("tko.debtor", [("last_claim_id", "in", claims.ids)])
        self.assertEqual(len(debtors), len(claims))

    def test_second_load_adds_nothing(self):
        counts = {
            model: self.env[model].search_count([])
            for model in ("tko.billing.period", "tko.charge", "tko.payment", "tko.claim")
        }
        self.assertIsNone(self.env["tko.demo.history"]._load_demo_history(months=MONTHS))
        for model, count in counts.items():
            self.assertEqual(self.env[model].search_count([]), count, model)

    def test_amounts_are_kopecks(self):
        amounts = self.of_company("tko.payment").mapped("amount")
        for amount in amounts:
            value = Decimal(str(amount))
            self.assertEqual(value, value.quantize(Decimal("0.01")))
