from odoo import fields, models


class TkoContract(models.Model):
    _name = "tko.contract"
    _inherit = ["tko.contract", "tko.claims.debtor.mixin"]
    _tko_claims_link = "contract_id"

    tko_penalty_total = fields.Monetary(
        "Penalty", currency_field="currency_id", compute="_compute_tko_claims_info"
    )
