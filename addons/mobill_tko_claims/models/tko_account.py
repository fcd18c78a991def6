from odoo import fields, models


class TkoAccount(models.Model):
    _name = "tko.account"
    _inherit = ["tko.account", "tko.claims.debtor.mixin"]
    _tko_claims_link = "account_id"

    tko_penalty_total = fields.Monetary(
        "Penalty", currency_field="currency_id", compute="_compute_tko_claims_info"
    )
