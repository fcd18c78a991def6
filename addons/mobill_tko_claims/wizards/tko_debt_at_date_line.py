from odoo import fields, models


class TkoDebtAtDateLine(models.TransientModel):
    _name = "tko.debt.at.date.line"
    _description = "Debt on a date: one account or contract"
    _order = "debt desc, id"

    wizard_id = fields.Many2one("tko.debt.at.date", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    account_id = fields.Many2one("tko.account", "Personal account", readonly=True)
    contract_id = fields.Many2one("tko.contract", readonly=True)
    partner_id = fields.Many2one("res.partner", "Consumer", readonly=True)
    address_id = fields.Many2one("tko.address", "Address", readonly=True)
    charged = fields.Monetary(currency_field="currency_id", readonly=True)
    penalty = fields.Monetary("Penalties charged", currency_field="currency_id", readonly=True)
    paid = fields.Monetary(currency_field="currency_id", readonly=True)
    debt = fields.Monetary(currency_field="currency_id", readonly=True)
    overdue_debt = fields.Monetary("Overdue", currency_field="currency_id", readonly=True)
    oldest_due_date = fields.Date("Oldest debt due on", readonly=True)
    overdue_days = fields.Integer("Days overdue", readonly=True)
