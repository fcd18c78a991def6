import datetime as dt
import io

import openpyxl
from odoo.tests import tagged

from .common import ClaimsCase


@tagged("post_install", "-at_install")
class TestDebtors(ClaimsCase):
    def debtors(self):
        return self.env["tko.debtor"].search([("company_id", "=", self.company.id)])

    def test_registry(self):
        debtors = self.debtors()
        by_account = {d.account_id: d for d in debtors if d.account_id}
        self.assertNotIn(self.accounts["e3"], by_account, "E3 paid everything")
        unpaid = by_account[self.accounts["unpaid"]]
        self.assertEqual(unpaid.debt, 5000.0)
        self.assertEqual(unpaid.charged, 5000.0)
        self.assertEqual(unpaid.oldest_period, dt.date(2024, 3, 1))
        self.assertEqual(unpaid.oldest_due_date, dt.date(2024, 4, 10))
        self.assertEqual(unpaid.months_in_debt, 10)
        # the registry is computed by PostgreSQL: its day is the database's
        self.assertEqual(unpaid.overdue_days, (unpaid.as_of - dt.date(2024, 4, 10)).days)
        self.assertEqual(unpaid.district_id, self.district)
        self.assertEqual(unpaid.settlement_id, self.town)
        self.assertEqual(unpaid.consumer_kind, "person")
        self.assertEqual(unpaid.zone_id, self.zone)
        partial = by_account[self.accounts["partial"]]
        self.assertEqual(partial.debt, 1650.0)
        self.assertEqual(partial.last_payment_date, dt.date(2024, 12, 10))
        # each 150 named its month (the ledger pays a named month first): every month since
        # 03.2024 is half unpaid (the cumulated reading, 1350 paid against 4 × 300, said 07.2024)
        self.assertEqual(partial.oldest_period, dt.date(2024, 3, 1))
        self.assertEqual(partial.months_in_debt, 10)
        contract = debtors.filtered("contract_id")
        self.assertEqual(contract.debt, 85000.0)
        self.assertEqual(contract.consumer_kind, "legal")
        # criteria: amount, age, district, kind
        Debtor = self.env["tko.debtor"]
        base = [("company_id", "=", self.company.id)]
        self.assertEqual(
            Debtor.search([*base, ("debt", ">", 2000), ("consumer_kind", "=", "person")]),
            unpaid,
        )
        self.assertEqual(
            set(
                Debtor.search([*base, ("district_id", "=", self.district.id)]).mapped("account_id")
            ),
            {self.accounts["unpaid"], self.accounts["partial"], self.accounts["paid"]},
        )
        self.assertEqual(
            Debtor.search([*base, ("oldest_period", "<=", "2024-06-01")]),
            unpaid | partial | contract,
        )
        # a penalty booked and a claim made show up after a refresh
        self.env["tko.penalty"]._calculate(self.accounts["unpaid"], dt.date(2025, 1, 1), book=True)
        claim = self.env["tko.claim"].create({"account_id": self.accounts["unpaid"].id})
        Debtor._refresh()
        unpaid = Debtor.search([*base, ("account_id", "=", self.accounts["unpaid"].id)])
        self.assertGreater(unpaid.penalty_charged, 0)
        self.assertEqual(unpaid.penalty_calc, unpaid.penalty_charged)
        self.assertAlmostEqual(unpaid.debt, 5000 + unpaid.penalty_charged, 2)
        self.assertEqual((unpaid.last_claim_id, unpaid.claim_stage), (claim, "prepared"))

    def test_saved_filter(self):
        """A favourite on the registry is an ordinary ir.filters of the model."""
        favourite = self.env["ir.filters"].create(
            {
                "name": "Физлица, долг больше 1000, больше 90 дней",
                "model_id": "tko.debtor",
                "domain": "[('consumer_kind', '=', 'person'), ('debt', '>', 1000), "
                "('overdue_days', '>', 90)]",
                "user_id": self.env.uid,
            }
        )
        domain = [("company_id", "=", self.company.id), *eval(favourite.domain)]
        self.assertEqual(
            self.env["tko.debtor"].search(domain).mapped("account_id"),
            self.accounts["unpaid"] | self.accounts["partial"],
        )

    def test_export_xlsx(self):
        debtors = self.debtors()
        content, fmt = self.env["ir.actions.report"]._render(
            "mobill_tko_claims.action_report_tko_debtor_xlsx", debtors.ids, {}
        )
        self.assertEqual(fmt, "xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[2]
        label = debtors._fields["debt"]._description_string(self.env)
        self.assertIn(label, header)
        names = {row[0] for row in rows[3:]}
        self.assertIn(self.accounts["unpaid"].name, names)
        self.assertIn(self.contract.name, names)
        debt_col = header.index(label)
        self.assertEqual(rows[-1][debt_col], sum(debtors.mapped("debt")))
        self.assertEqual(debtors.action_export_xlsx()["report_type"], "xlsx")

    def test_debt_at_a_date(self):
        wizard = self.env["tko.debt.at.date"].create(
            {
                "date": dt.date(2024, 6, 30),
                "target": "accounts",
                "account_ids": [(6, 0, [self.accounts["unpaid"].id, self.accounts["partial"].id])],
            }
        )
        wizard.action_compute()
        lines = {line.account_id: line for line in wizard.line_ids}
        self.assertEqual(lines[self.accounts["unpaid"]].debt, 2000.0)  # 03–06.2024
        self.assertEqual(lines[self.accounts["partial"]].debt, 1200.0 - 450.0)
        self.assertEqual(wizard.total_debt, 2000.0 + 750.0)
        # the same figure as the ledger's own debt API
        for account, line in lines.items():
            self.assertEqual(line.debt, account._tko_debt_at(wizard.date)[account.id])
        group = self.env["tko.debt.at.date"].create(
            {
                "date": dt.date(2024, 12, 31),
                "target": "contracts",
                "partner_id": self.legal.id,
            }
        )
        group.action_compute()
        self.assertEqual(group.line_ids.contract_id, self.contract)
        self.assertEqual(group.line_ids.debt, 85000.0)

    def test_debt_at_a_date_by_plain_filters(self):
        """The clerk's filters: kind, district, days overdue, smallest debt; overdue amounts
        and days counted with the penalty's due dates (the 10th of the next month)."""
        wizard = self.env["tko.debt.at.date"].create(
            {
                "date": dt.date(2024, 6, 30),
                "target": "accounts",
                "consumer_kind": "person",
                "district_id": self.district.id,
            }
        )
        wizard.action_compute()
        lines = {line.account_id: line for line in wizard.line_ids}
        self.assertEqual(
            set(lines), {self.accounts[k] for k in ("e3", "unpaid", "paid", "partial")}
        )
        unpaid, partial, paid = (lines[self.accounts[k]] for k in ("unpaid", "partial", "paid"))
        # 03–05.2024 are past their due dates, 06.2024 is due on 10.07.2024
        self.assertEqual(unpaid.overdue_debt, 1500.0)
        self.assertEqual(unpaid.oldest_due_date, dt.date(2024, 4, 10))
        self.assertEqual(unpaid.overdue_days, 81)
        # 150 paid for each of 03–05.2024 by 30.06.2024: half of each is overdue, since the due
        # date of 03.2024
        self.assertEqual(partial.overdue_debt, 450.0)
        self.assertEqual(partial.oldest_due_date, dt.date(2024, 4, 10))
        self.assertEqual(partial.overdue_days, 81)
        self.assertEqual(paid.debt, 400.0)
        self.assertEqual((paid.overdue_debt, paid.overdue_days), (0.0, 0))
        self.assertEqual(wizard.line_count, 4)
        self.assertEqual(wizard.total_overdue, 1000.0 + 1500.0 + 450.0)
        self.assertEqual(wizard.total_debt, sum(wizard.line_ids.mapped("debt")))
        wizard.write({"min_overdue_days": 60})
        wizard.action_compute()
        self.assertEqual(
            wizard.line_ids.account_id,
            self.accounts["e3"] | self.accounts["unpaid"] | self.accounts["partial"],
        )
        # all three owe since the due date of 03.2024 (10.04.2024): 81 days on 30.06.2024
        wizard.write({"min_overdue_days": 82})
        wizard.action_compute()
        self.assertFalse(wizard.line_ids)
        wizard.write({"min_overdue_days": 60})
        wizard.write({"min_debt": 1500.0})
        wizard.action_compute()
        self.assertEqual(wizard.line_ids.account_id, self.accounts["unpaid"])
        # legal entities have no personal accounts here; another district has nobody
        wizard.write({"consumer_kind": "legal", "min_debt": 0, "min_overdue_days": 0})
        wizard.action_compute()
        self.assertFalse(wizard.line_ids)
        self.assertTrue(wizard.computed)
        other = self.env["tko.address"].create(
            {"name": "Другой", "type_name": "р-н", "level": "district", "parent_id": self.region.id}
        )
        wizard.write({"consumer_kind": False, "district_id": other.id})
        wizard.action_compute()
        self.assertFalse(wizard.line_ids)
        wizard.write({"district_id": False, "settlement_id": self.town.id})
        wizard.action_compute()
        self.assertEqual(len(wizard.line_ids), 4)

    def test_settings_and_actions(self):
        settings = self.env["res.config.settings"].create(
            {"tko_due_day": 15, "tko_penalty_pp424_legal": True}
        )
        settings.execute()
        self.assertEqual(self.company.tko_due_day, 15)
        rules = self.company._tko_penalty_rules("legal")
        self.assertEqual(rules.due_day, 15)
        self.assertIn("legal", next(r for r in rules.dated_rules if r.code == "PP424").applies_to)
        debtors = self.debtors()
        for action in (
            debtors.action_notice_wizard(),
            debtors.action_claim_wizard(),
            debtors[:1].action_open_target(),
            self.accounts["unpaid"].action_tko_view_claims(),
            self.accounts["unpaid"].action_tko_view_notices(),
            self.accounts["unpaid"].action_tko_view_letters(),
            self.accounts["unpaid"].action_tko_open_penalty(),
            self.contract.action_tko_penalty_wizard(),
        ):
            self.assertIn(action["type"], ("ir.actions.act_window", "ir.actions.report"))
        self.assertEqual(debtors.action_calculate_penalties()["tag"], "reload")
        self.assertTrue(
            self.env["tko.penalty"].search([("account_id", "=", self.accounts["unpaid"].id)])
        )
