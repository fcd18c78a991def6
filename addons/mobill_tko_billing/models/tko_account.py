from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import check_action, check_rights
from odoo.tools import SQL


class TkoAccount(models.Model):
    """Personal account: debt from the ledger, charges, payments, calculation, breakdown."""

    _inherit = "tko.account"

    tko_charge_ids = fields.One2many("tko.charge", "account_id", "Charges")
    tko_payment_ids = fields.One2many("tko.payment", "account_id", "Payments")
    tko_absence_ids = fields.One2many("tko.absence", "account_id", "Temporary absences")
    tko_charge_count = fields.Integer("Charge lines", compute="_compute_tko_counts")
    tko_payment_count = fields.Integer("Payment count", compute="_compute_tko_counts")

    def _compute_tko_counts(self):
        charges = dict(
            self.env["tko.charge"]._read_group(
                [("account_id", "in", self.ids)], ["account_id"], ["__count"]
            )
        )
        payments = dict(
            self.env["tko.payment"]._read_group(
                [("account_id", "in", self.ids)], ["account_id"], ["__count"]
            )
        )
        for rec in self:
            rec.tko_charge_count = charges.get(rec, 0)
            rec.tko_payment_count = payments.get(rec, 0)

    def _tko_debt_at(self, date):
        """``{account id: charges accrued by ``date`` − payments paid by ``date``}``."""
        return self.env["tko.payment"]._tko_balance("account_id", self.ids, date)

    def tko_balance_by_period(self, date=None):
        """Debts by booking period for later modules (penalties, claims).

        ``{account id: [{"period_id", "date_start", "charged", "paid", "due"}]}`` where
        ``paid`` is what the posted payments made on or before ``date`` were allocated to it.
        Only for accounts the caller may read; only the ledger of the caller's companies.
        """
        check_rights(self, "read")
        return self.env["tko.payment"]._tko_balance_by_period(
            "account_id", self.ids, date, companies=self.env.companies
        )

    def action_tko_calculate(self):
        """Individual calculation: a charge run of these accounts in the open period."""
        check_action(self, operation="read")
        return self.env["tko.charge.run"]._start_individual(self, "accounts", "account_ids")

    def action_tko_view_charges(self):
        self.ensure_one()
        check_rights(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_billing.tko_charge_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"search_default_group_period": 1}
        return action

    def action_tko_view_payments(self):
        self.ensure_one()
        check_rights(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Payments"),
            "res_model": "tko.payment",
            "view_mode": "tree,form",
            "domain": [("account_id", "=", self.id)],
            "context": {"default_account_id": self.id},
        }

    def action_tko_print_breakdown(self):
        check_rights(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Print the charge breakdown"),
            "res_model": "tko.breakdown.print",
            "view_mode": "form",
            "target": "new",
            "context": {"default_account_ids": [fields.Command.set(self.ids)]},
        }

    @api.model
    def _tko_breakdown(self, account, period):
        """Everything the printed breakdown of an account for a period shows."""
        Charge = self.env["tko.charge"]
        lines = Charge.search(
            [("account_id", "=", account.id), ("period_id", "=", period.id)], order="kind, id"
        )
        start = fields.Date.subtract(period.date_start, days=1)
        balance = account._tko_debt_at(start).get(account.id, 0.0)
        closing = account._tko_debt_at(period.date_end).get(account.id, 0.0)
        payments = self.env["tko.payment"].search(
            [
                ("account_id", "=", account.id),
                ("state", "=", "posted"),
                ("date_paid", ">=", period.date_start),
                ("date_paid", "<=", period.date_end),
            ],
            order="date_paid",
        )
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(sum(amount_total), 0) FROM tko_charge "
                "WHERE account_id = %s AND period_id = %s",
                account.id,
                period.id,
            )
        )
        return {
            "lines": lines,
            "opening": balance,
            "charged": float(self.env.cr.fetchone()[0]),
            "payments": payments,
            "paid": sum(payments.mapped("amount")),
            "closing": closing,
        }
