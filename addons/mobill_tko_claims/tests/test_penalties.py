import datetime as dt
from decimal import Decimal

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

from .common import ClaimsCase

CALC = dt.date(2025, 1, 1)


@tagged("post_install", "-at_install")
class TestPenalties(ClaimsCase):
    def penalty_charges(self, record):
        field = "account_id" if record._name == "tko.account" else "contract_id"
        return self.env["tko.charge"].search([(field, "=", record.id), ("kind", "=", "penalty")])

    def test_individual_e3_through_the_ledger(self):
        """Law brief E3 from charges and a payment in the ledger: 49.69, line by line."""
        account = self.accounts["e3"]
        penalty = self.env["tko.penalty"]._calculate(account, CALC, book=True)
        self.assertEqual(penalty.total, 49.69)
        self.assertTrue(penalty.has_breakdown)
        accruing = penalty.line_ids.filtered(lambda line: line.reason == "accrual")
        self.assertEqual(
            [(x.date_from, x.date_to, x.days, x.share, x.rate, x.amount) for x in accruing],
            [
                (dt.date(2024, 5, 11), dt.date(2024, 7, 9), 60, "1/300", 9.5, 19.00),
                (dt.date(2024, 7, 10), dt.date(2024, 8, 20), 42, "1/130", 9.5, 30.69),
            ],
        )
        self.assertEqual(accruing.mapped("rule"), ["PP474", "PP474"])
        self.assertEqual(penalty.debt_ids.mapped("paid"), [1000.0])
        # booked once in the open period, as a penalty line of the ledger
        charges = self.penalty_charges(account)
        self.assertEqual(charges.period_id, self.open_period)
        self.assertEqual(sum(charges.mapped("amount_total")), 49.69)
        self.assertEqual(account.tko_penalty_total, 49.69)
        # calculating again replaces the calculated line instead of adding one
        self.env["tko.penalty"]._calculate(account, CALC, book=True)
        self.assertEqual(len(self.penalty_charges(account)), 1)
        self.assertEqual(self.env["tko.penalty"].search_count([("account_id", "=", account.id)]), 1)
        # a later date with nothing new: the booked penalty does not move
        self.env["tko.penalty"]._calculate(account, dt.date(2025, 3, 1), book=True)
        self.assertEqual(sum(self.penalty_charges(account).mapped("amount_total")), 49.69)

    def test_penalties_are_not_debts_of_the_penalty(self):
        """A booked penalty is in the account's ledger but never accrues a penalty itself."""
        account = self.accounts["unpaid"]
        first = self.env["tko.penalty"]._calculate(account, CALC, book=True).total
        self.assertGreater(first, 0)
        self.assertEqual(first, self.env["tko.penalty"]._calculate(account, CALC, book=True).total)
        # months later the booked penalty (due like the charges of 12.2024) is long overdue:
        # it still adds nothing, the penalty is the core's on the charges alone
        later = dt.date(2025, 6, 1)
        penalty = self.env["tko.penalty"]._calculate(account, later, book=True)
        self.assertEqual(Decimal(str(penalty.total)), self.expected_total("unpaid", later))
        self.assertEqual(len(penalty.debt_ids), 10, "the ten monthly charges, no penalty month")
        self.assertAlmostEqual(
            sum(self.penalty_charges(account).mapped("amount_total")), penalty.total, 2
        )

    def test_money_the_ledger_gave_to_the_penalty_is_not_principal(self):
        """A payment of a month's charge and its penalty: the ledger allocates both to the
        month; only the charge's part lowers the debt the penalty accrues on."""
        account = self.accounts["unpaid"]
        booked = self.env["tko.penalty"]._calculate(account, CALC, book=True).total
        december = dt.date(2024, 12, 1)
        paid_on = dt.date(2025, 2, 1)
        amount = Decimal("500.00") + Decimal(str(booked))
        self.pay("unpaid", paid_on, str(amount), december)
        later = dt.date(2025, 6, 1)
        # what the core says when only the 500.00 of December's charge is a payment of debt
        self.payments["unpaid"][-1] = (paid_on, Decimal("500.00"), december)
        penalty = self.env["tko.penalty"]._calculate(account, later)
        self.assertEqual(Decimal(str(penalty.total)), self.expected_total("unpaid", later))
        self.assertEqual(penalty.debt_ids.filtered(lambda d: d.period == december).paid, 500.0)

    def test_every_kind_matches_the_core_on_the_same_history(self):
        targets = dict(self.accounts, contract=self.contract)
        for key, record in targets.items():
            with self.subTest(key=key):
                penalty = self.env["tko.penalty"]._calculate(record, CALC)
                self.assertEqual(Decimal(str(penalty.total)), self.expected_total(key, CALC))
        self.assertEqual(self.env["tko.penalty"]._calculate(self.accounts["paid"], CALC).total, 0)
        self.assertEqual(
            self.env["tko.penalty"].search([("contract_id", "=", self.contract.id)]).consumer,
            "legal",
        )

    def test_settings_reach_the_core(self):
        account = self.accounts["e3"]
        self.company.tko_penalty_rate_basis_individual = "calculation"
        # rate of 01.01.2025 (21 %) capped at 9.5 % all the same: nothing changes for E3
        self.assertEqual(self.env["tko.penalty"]._calculate(account, CALC).total, 49.69)
        self.company.tko_penalty_payment_day_included = False
        # the payment day no longer accrues: one day less at 1/130 (1000 × 9.5 % / 130 = 0.73)
        self.assertEqual(self.env["tko.penalty"]._calculate(account, CALC).total, 48.96)

    def test_opt_out_flag_is_read(self):
        self.partners["unpaid"].tko_pp497_opt_out = True
        _debts, _payments, opt_outs = self.env["tko.penalty"]._read_inputs(
            "tko.account", list(self.accounts_ids()), CALC, self.company
        )
        self.assertEqual(opt_outs, {self.accounts["unpaid"].id: ("PP497",)})

    def accounts_ids(self):
        return [a.id for a in self.accounts.values()]

    def test_mass_run_queues_one_job_per_chunk(self):
        run = self.env["tko.penalty.run"].create(
            {"calc_date": CALC, "chunk_size": 2, "company_id": self.company.id}
        )
        with trap_jobs() as trap:
            run.action_start()
            # 4 accounts in 2 jobs, 1 contract in 1 job, then the totals
            trap.assert_jobs_count(3, only=run._run_chunk)
            trap.assert_jobs_count(1, only=run._finish)
            self.assertEqual(run.state, "queued")
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.account_count, 5)

    def test_mass_run_for_all(self):
        run = self.env["tko.penalty.run"].create(
            {"calc_date": CALC, "chunk_size": 3, "company_id": self.company.id}
        )
        run.with_context(queue_job__no_delay=True).action_start()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.account_count, 5)
        self.assertEqual(run.error_count, 0)
        expected = {}
        for key, record in dict(self.accounts, contract=self.contract).items():
            field = "contract_id" if key == "contract" else "account_id"
            penalty = self.env["tko.penalty"].search([(field, "=", record.id)])
            self.assertEqual(penalty.run_id, run, key)
            self.assertEqual(Decimal(str(penalty.total)), self.expected_total(key, CALC), key)
            self.assertEqual(penalty.has_breakdown, penalty.total > 0, key)
            if penalty.total:
                self.assertAlmostEqual(sum(penalty.line_ids.mapped("amount")), penalty.total, 2)
            expected[key] = penalty.total
            self.assertAlmostEqual(
                sum(self.penalty_charges(record).mapped("amount_total")), penalty.total, 2, key
            )
        self.assertEqual(run.penalized_count, sum(1 for v in expected.values() if v))
        self.assertAlmostEqual(run.total_amount, sum(expected.values()), 2)
        self.assertAlmostEqual(run.booked_amount, sum(expected.values()), 2)
        # a second run on the same date books nothing more
        again = self.env["tko.penalty.run"].create(
            {"calc_date": CALC, "company_id": self.company.id}
        )
        again.with_context(queue_job__no_delay=True).action_start()
        self.assertEqual(again.booked_count, 0)
        self.assertAlmostEqual(again.total_amount, run.total_amount, 2)

    def test_mass_run_for_a_group_without_breakdown(self):
        run = self.env["tko.penalty.run"].create(
            {
                "calc_date": CALC,
                "target": "accounts",
                "account_domain": f"[('id', '=', {self.accounts['unpaid'].id})]",
                "store_breakdown": False,
                "book_charges": False,
                "company_id": self.company.id,
            }
        )
        run.with_context(queue_job__no_delay=True).action_start()
        self.assertEqual(run.account_count, 1)
        penalty = run.penalty_ids
        self.assertEqual(penalty.account_id, self.accounts["unpaid"])
        self.assertFalse(penalty.has_breakdown)
        self.assertFalse(self.penalty_charges(self.accounts["unpaid"]))
        penalty.action_recompute_breakdown()
        self.assertTrue(penalty.has_breakdown)
        self.assertAlmostEqual(sum(penalty.line_ids.mapped("amount")), penalty.total, 2)

    def test_penalty_wizard_from_the_account(self):
        action = self.accounts["e3"].action_tko_penalty_wizard()
        wizard = (
            self.env["tko.penalty.wizard"]
            .with_context(**action["context"])
            .create({"calc_date": CALC})
        )
        result = wizard.action_calculate()
        penalty = self.env["tko.penalty"].browse(result["res_id"])
        self.assertEqual(penalty.total, 49.69)
