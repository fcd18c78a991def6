from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import (
    READER,
    check_companies,
    check_group,
    check_rights,
)
from odoo.tools.safe_eval import safe_eval


class TkoDebtAtDate(models.TransientModel):
    """Debt on any date of accounts, contracts or a group of them."""

    _name = "tko.debt.at.date"
    _description = "Debt on a date"

    date = fields.Date(required=True, default=fields.Date.context_today)
    target = fields.Selection(
        [("accounts", "Personal accounts"), ("contracts", "Contracts")],
        required=True,
        default="accounts",
    )
    target_model = fields.Char(compute="_compute_target_model")
    account_ids = fields.Many2many("tko.account", string="Personal accounts")
    contract_ids = fields.Many2many("tko.contract", string="Contracts")
    group_domain = fields.Char(
        "Group",
        default="[]",
        help="All accounts (or contracts) matching this filter when none " "is chosen above.",
    )
    line_ids = fields.One2many("tko.debt.at.date.line", "wizard_id", "Debts", readonly=True)
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    total_debt = fields.Monetary(compute="_compute_totals", currency_field="currency_id")
    total_penalty = fields.Monetary(compute="_compute_totals", currency_field="currency_id")

    @api.depends("target")
    def _compute_target_model(self):
        for rec in self:
            rec.target_model = "tko.account" if rec.target == "accounts" else "tko.contract"

    @api.depends("line_ids.debt", "line_ids.penalty")
    def _compute_totals(self):
        for rec in self:
            rec.total_debt = sum(rec.line_ids.mapped("debt"))
            rec.total_penalty = sum(rec.line_ids.mapped("penalty"))

    def _records(self):
        self.ensure_one()
        model = "tko.account" if self.target == "accounts" else "tko.contract"
        chosen = self.account_ids if self.target == "accounts" else self.contract_ids
        if chosen:
            return chosen
        domain = [("company_id", "in", self.env.companies.ids)]
        domain += list(safe_eval(self.group_domain or "[]"))
        return self.env[model].search(domain)

    def action_compute(self):
        self.ensure_one()
        check_group(self.env, READER)
        # the chosen ids are the client's: the ledger is read with SQL for the ones it may see
        records = check_companies(check_rights(self._records()))
        debts = self.env["tko.debtor"]._debt_at(records._name, records.ids, self.date)
        field = "account_id" if records._name == "tko.account" else "contract_id"
        self.line_ids.unlink()
        self.env["tko.debt.at.date.line"].create(
            [
                {
                    "wizard_id": self.id,
                    field: rec.id,
                    "partner_id": rec.partner_id.id,
                    "charged": debts[rec.id]["charged"],
                    "penalty": debts[rec.id]["penalty"],
                    "paid": debts[rec.id]["paid"],
                    "debt": debts[rec.id]["debt"],
                }
                for rec in records
                if rec.id in debts
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Debt on %(date)s", date=self.date),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
