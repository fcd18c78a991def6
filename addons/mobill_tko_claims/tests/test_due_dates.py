import datetime as dt

from odoo.addons.mobill_tko_base.tools import trusted
from odoo.tests import tagged

from mobill_tko_core.due_dates import due_date_for

from .common import ClaimsCase

D = dt.date


@tagged("post_install", "-at_install")
class TestDueDates(ClaimsCase):
    """One due date everywhere (mobill_tko_core.due_dates): the company's day and month offset,
    a contract's own day from its payment condition in force at the month's end. Invoices,
    penalties, claims, the debtors' registry and the unpaid report give the same dates."""

    def setUp(self):
        super().setUp()
        self.company.write({"tko_due_day": 15, "tko_due_months_after": 2})
        # the contract's own due day from April 2024 (March has no condition: the company's)
        self.env["tko.contract.condition"].create(
            {"contract_id": self.contract.id, "date_from": D(2024, 4, 1), "due_day": 20}
        )
        self.expected_contract = {
            D(2024, 3, 1): D(2024, 5, 15),  # the company's 15th, two months on
            D(2024, 4, 1): D(2024, 6, 20),  # the contract's 20th
            D(2024, 12, 1): D(2025, 2, 20),
        }
        self.expected_account = {
            D(2024, 3, 1): D(2024, 5, 15),
            D(2024, 11, 1): D(2025, 1, 15),
        }

    def test_invoices(self):
        Accounting = self.env["tko.billing.accounting"]
        for start, due in self.expected_contract.items():
            period = self.periods[start]
            charges = self.env["tko.charge"].search(
                [("period_id", "=", period.id), ("contract_id", "=", self.contract.id)]
            )
            vals = Accounting._prepare_invoice_vals(period, self.contract, charges)
            self.assertEqual(vals["invoice_date_due"], due, start)

    def test_penalties_and_claims(self):
        calc = D(2025, 3, 1)
        Penalty = self.env["tko.penalty"]
        debts, _payments, _opt = Penalty._read_inputs(
            "tko.contract", self.contract.ids, calc, self.company
        )
        dues = {period: due for period, _amount, due in debts[self.contract.id]}
        for start, due in self.expected_contract.items():
            self.assertEqual(dues[start], due, start)
        account = self.accounts["unpaid"]
        debts, _payments, _opt = Penalty._read_inputs(
            "tko.account", account.ids, calc, self.company
        )
        dues = {period: due for period, _amount, due in debts[account.id]}
        for start, due in self.expected_account.items():
            self.assertEqual(dues[start], due, start)
        # a claim on a date leaves out the months not due yet by the same dates: on 21.01.2025
        # November (due 15.01.2025) is in, December (due 15.02.2025) is not
        claim = self.env["tko.claim"].create(
            {
                "partner_id": account.partner_id.id,
                "account_id": account.id,
                "company_id": self.company.id,
                "calc_date": D(2025, 1, 21),
            }
        )
        claim.action_compute()
        self.assertEqual(claim.period_to, D(2024, 11, 1))

    def test_debtors_registry(self):
        self.env["tko.debtor"]._refresh()
        Debtor = self.env["tko.debtor"]
        # the contract paid 15 000 of 10 000 a month: March paid, April the oldest unpaid
        debtor = Debtor.search([("contract_id", "=", self.contract.id)])
        self.assertEqual(debtor.oldest_period, D(2024, 4, 1))
        self.assertEqual(debtor.oldest_due_date, self.expected_contract[D(2024, 4, 1)])
        debtor = Debtor.search([("account_id", "=", self.accounts["unpaid"].id)])
        self.assertEqual(debtor.oldest_period, D(2024, 3, 1))
        self.assertEqual(debtor.oldest_due_date, self.expected_account[D(2024, 3, 1)])

    def test_unpaid_report(self):
        trusted(self.contract).write({"state": "active"})  # the report leaves drafts out
        report = self.env["tko.unpaid.report"].create(
            {"date_at": D(2025, 3, 1), "company_id": self.company.id}
        )
        lines = self.env["tko.unpaid.report.line"].search(report.action_show()["domain"])
        contract_lines = lines.filtered(lambda line: line.contract_id and line.kind == "charge")
        self.assertTrue(contract_lines)
        for line in contract_lines:
            start = line.period_date
            day = 15 if start < D(2024, 4, 1) else 20  # the contract's day from April
            self.assertEqual(line.due_date, due_date_for(start, day, 2), start)
        account_lines = lines.filtered(
            lambda line: line.account_id == self.accounts["unpaid"] and line.kind == "charge"
        )
        dues = {line.period_date: line.due_date for line in account_lines}
        for start, due in self.expected_account.items():
            self.assertEqual(dues[start], due, start)

    def test_sql_rule_is_the_core_rule(self):
        """The PostgreSQL function of the rule gives the core's dates: every day 1–31, offsets
        0–2, months of a leap and a common year."""
        cases = [
            (D(year, month, 1), day, offset)
            for year in (2024, 2025)
            for month in range(1, 13)
            for day in range(1, 32)
            for offset in (0, 1, 2)
        ]
        sql = self.env["tko.due.date"]._sql("c.period", "c.cond", "co")
        self.env.cr.execute(
            f"""SELECT c.period, c.cond, {sql}
                  FROM unnest(%s::date[], %s::int[]) AS c(period, cond),
                       (SELECT %s::int AS tko_due_day, %s::int AS tko_due_months_after) co""",
            ([c[0] for c in cases[:1]], [None], 10, 1),
        )
        self.assertEqual(self.env.cr.fetchall()[0][2], D(2024, 2, 10))
        for offset in (0, 1, 2):
            batch = [c for c in cases if c[2] == offset]
            self.env.cr.execute(
                f"""SELECT c.period, c.cond, {sql}
                      FROM unnest(%s::date[], %s::int[]) AS c(period, cond),
                           (SELECT 7 AS tko_due_day, %s::int AS tko_due_months_after) co""",
                ([c[0] for c in batch], [c[1] for c in batch], offset),
            )
            for period, day, due in self.env.cr.fetchall():
                self.assertEqual(due, due_date_for(period, day, offset), (period, day, offset))
