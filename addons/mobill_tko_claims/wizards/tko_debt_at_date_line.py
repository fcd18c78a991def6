from odoo import fields, models


class TkoDebtAtDateLine(models.TransientModel):
    _name = "tko.debt.at.date.line"
    _description = "Debt on a date: one account or contract"
    _order = "debt desc"

    wizard_id = fields.Many2one("tko.debt.at.date", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    account_id = fields.Many2one("tko.account", "Personal account", readonly=True)
    contract_id = fields.Many2one("tko.contract", readonly=True)
    partner_id = fields.Many2one("res.partner", "Consumer", readonly=True)
    charged = fields.Monetary(currency_field="currency_id", readonly=True)
    penalty = fields.Monetary("Penalties charged", currency_field="currency_id", readonly=True)
    paid = fields.Monetary(currency_field="currency_id", readonly=True)
    debt = fields.Monetary(currency_field="currency_id", readonly=True)
