from odoo import fields, models


class TkoTariffZone(models.Model):
    """A territory with one tariff of the regional operator (a zone of ТКО handling)."""

    _name = "tko.tariff.zone"
    _description = "Tariff zone"
    _inherit = ["mail.thread"]
    _order = "code, name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    settlement_ids = fields.One2many("tko.address", "tariff_zone_id", string="Settlements")
    note = fields.Text()

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "The code of a tariff zone must be unique.",
        ),
    ]
