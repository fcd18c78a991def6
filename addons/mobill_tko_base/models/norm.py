from odoo import fields, models
from odoo.tools.translate import _lt

UNITS = [("m3", "m³"), ("t", "t")]


class TkoNorm(models.Model):
    """Norm of accumulation of a category in a tariff zone, valid for a period."""

    _name = "tko.norm"
    _description = "Norm of accumulation"
    _check_company_auto = True
    _inherit = ["mail.thread", "tko.dated.mixin"]
    _order = "category_id, zone_id, date_from desc"
    _dated_keys = ["category_id", "zone_id", "uom", "company_id"]
    _dated_label = _lt("norm")

    date_from = fields.Date(tracking=True)
    date_to = fields.Date(tracking=True)

    category_id = fields.Many2one(
        "tko.norm.category", required=True, index=True, tracking=True, check_company=True
    )
    zone_id = fields.Many2one(
        "tko.tariff.zone",
        "Tariff zone",
        index=True,
        tracking=True,
        help="Empty: the norm applies in every zone without its own.",
        check_company=True,
    )
    value = fields.Float(
        "Norm per unit per year",
        digits=(16, 6),
        required=True,
        tracking=True,
        help="m³ (or t) per unit of the category per year.",
    )
    uom = fields.Selection(UNITS, "Unit", required=True, default="m3", tracking=True)
    document = fields.Char("Approving act", tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
