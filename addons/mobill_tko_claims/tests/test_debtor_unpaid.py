import datetime as dt
from decimal import Decimal

from odoo import Command
from odoo.tests import tagged

from mobill_tko_core.allocation import unpaid_by_period
from mobill_tko_core.due_dates import due_date_for

from .common import ClaimsCase

D = dt.date


@tagged("post_install", "-at_install")
class TestDebtorUnpaidMonths(ClaimsCase):
    """The debtors' registry reads what is unpaid of each month from the ledger's allocation by
    the core's rule (mobill_tko_core.allocation.unpaid_by_period): its SQL and the core agree,
    and a payment that names a month pays that month, not the oldest one."""

    def expected(self, target, field):
        """The core's answer from the ledger: charges by month, allocation lines."""
        charges = self.env["tko.charge"].search(
            [(field, "=", target.id), ("kind", "!=", "penalty"), ("date", "<=", self.today())]
        )
        debts = {}
        for charge in charges:
            start = charge.period_id.date_start
            debts[start] = debts.get(start, Decimal(0)) + Decimal(str(charge.amount_total))
        lines = [
            (line.period_date or None, Decimal(str(line.amount)))
            for line in self.env["tko.payment.allocation"].search([(field, "=", target.id)])
            if line.payment_id.state == "posted" and line.date_paid <= self.today()
        ]
        return unpaid_by_period(sorted(debts.items()), lines)

    def test_registry_is_the_core_rule(self):
        # a payment naming a later month, an advance, a payment above a month's charge
        self.pay("unpaid", D(2025, 1, 15), "500.00", D(2024, 11, 1))
        self.pay("paid", D(2025, 1, 20), "2000.00", None)
        self.pay("e3", D(2025, 2, 1), "700.00", D(2024, 3, 1))
        self.pay("contract", D(2025, 2, 3), "12000.00", D(2024, 12, 1))
        Debtor = self.env["tko.debtor"]
        Debtor._refresh()
        targets = [(self.accounts[key], "account_id") for key in self.accounts]
        targets.append((self.contract, "contract_id"))
        checked = 0
        for target, field in targets:
            unpaid = self.expected(target, field)
            debtor = Debtor.search([(field, "=", target.id)])
            if not unpaid:
                self.assertFalse(debtor.principal_debt, target.display_name)
                continue
            checked += 1
            self.assertEqual(debtor.oldest_period, unpaid[0][0], target.display_name)
            self.assertEqual(debtor.months_in_debt, len(unpaid), target.display_name)
            self.assertAlmostEqual(
                debtor.principal_debt, float(sum(a for _p, a in unpaid)), 2, target.display_name
            )
            # the company's day (10th of the next month): the contract has no condition here
            overdue = sum(a for p, a in unpaid if due_date_for(p, 10, 1) < debtor.as_of)
            self.assertAlmostEqual(debtor.overdue_debt, float(overdue), 2, target.display_name)
        self.assertEqual(checked, 3)
        # the named month is paid, March stays the oldest unpaid (the cumulated reading of
        # 5 500 paid against the months in order said 04.2024)
        unpaid = Debtor.search([("account_id", "=", self.accounts["unpaid"].id)])
        self.assertEqual(unpaid.oldest_period, D(2024, 3, 1))
        self.assertEqual(unpaid.months_in_debt, 9)

    def test_debt_on_a_date_reads_the_same_months(self):
        """The wizard «Задолженность на дату» gives the registry's months on today's date."""
        self.pay("unpaid", D(2025, 1, 15), "500.00", D(2024, 11, 1))
        self.env["tko.debtor"]._refresh()
        wizard = self.env["tko.debt.at.date"].create(
            {
                "date": self.today(),
                "target": "accounts",
                "account_ids": [Command.set(self.accounts["unpaid"].ids)],
            }
        )
        wizard.action_compute()
        line = wizard.line_ids
        debtor = self.env["tko.debtor"].search([("account_id", "=", self.accounts["unpaid"].id)])
        self.assertEqual(line.oldest_due_date, debtor.oldest_due_date)
        self.assertEqual(line.oldest_due_date, D(2024, 4, 10))
        self.assertAlmostEqual(line.overdue_debt, debtor.overdue_debt, 2)
