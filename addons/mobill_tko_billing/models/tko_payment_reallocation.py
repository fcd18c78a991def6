from odoo import fields, models


class TkoPaymentReallocation(models.Model):
    """History of a posted payment moved by hand to another personal account or contract:
    who, when, from where, to where and why. Never edited."""

    _name = "tko.payment.reallocation"
    _description = "Re-allocation of a payment"
    _order = "id desc"
    _check_company_auto = True

    payment_id = fields.Many2one(
        "tko.payment", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="payment_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="payment_id.currency_id")
    amount = fields.Monetary(related="payment_id.amount")
    from_account_id = fields.Many2one(
        "tko.account", "From personal account", readonly=True, check_company=True
    )
    from_contract_id = fields.Many2one(
        "tko.contract", "From contract", readonly=True, check_company=True
    )
    to_account_id = fields.Many2one(
        "tko.account", "To personal account", readonly=True, check_company=True
    )
    to_contract_id = fields.Many2one(
        "tko.contract", "To contract", readonly=True, check_company=True
    )
    reason = fields.Char(required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", "By", required=True, readonly=True, default=lambda self: self.env.user
    )
    date = fields.Datetime("On", required=True, readonly=True, default=fields.Datetime.now)
