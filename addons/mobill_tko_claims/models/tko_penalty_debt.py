from odoo import fields, models


class TkoPenaltyDebt(models.Model):
    """A monthly debt as a penalty calculation saw it: charged, paid, unpaid, its penalty."""

    _name = "tko.penalty.debt"
    _description = "Debt of a month in a penalty calculation"
    _order = "period, id"
    _log_access = False

    penalty_id = fields.Many2one("tko.penalty", "Calculation", index=True, ondelete="cascade")
    claim_id = fields.Many2one("tko.claim", index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period = fields.Date("Billed month", required=True)
    due_date = fields.Date("Due", required=True)
    amount = fields.Monetary("Charged", currency_field="currency_id")
    paid = fields.Monetary(currency_field="currency_id")
    unpaid = fields.Monetary(currency_field="currency_id")
    penalty = fields.Monetary(currency_field="currency_id")
