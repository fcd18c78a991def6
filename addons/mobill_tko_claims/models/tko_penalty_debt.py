from odoo import fields, models
from odoo.addons.mobill_tko_base.models.protected_fields_mixin import ALL_FIELDS


class TkoPenaltyDebt(models.Model):
    """A monthly debt as a penalty calculation saw it: charged, paid, unpaid, its penalty."""

    _name = "tko.penalty.debt"
    _description = "Debt of a month in a penalty calculation"
    _inherit = ["tko.protected.fields.mixin"]
    _tko_protected_fields = ALL_FIELDS
    _order = "period, id"
    _log_access = False
    _check_company_auto = True

    penalty_id = fields.Many2one(
        "tko.penalty", "Calculation", index=True, ondelete="cascade", check_company=True
    )
    claim_id = fields.Many2one("tko.claim", index=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period = fields.Date("Billed month", required=True)
    due_date = fields.Date("Due", required=True)
    amount = fields.Monetary("Charged", currency_field="currency_id")
    paid = fields.Monetary(currency_field="currency_id")
    unpaid = fields.Monetary(currency_field="currency_id")
    penalty = fields.Monetary(currency_field="currency_id")
