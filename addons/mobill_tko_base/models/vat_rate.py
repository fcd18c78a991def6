from odoo import fields, models
from odoo.tools.translate import _lt


class TkoVatRate(models.Model):
    """VAT rate by date (20 % until 31.12.2025, 22 % from 01.01.2026 — ФЗ № 425-ФЗ)."""

    _name = "tko.vat.rate"
    _description = "VAT rate by date"
    _inherit = ["mail.thread", "tko.dated.mixin"]
    _order = "date_from desc"
    _dated_keys = ["company_id"]
    _dated_label = _lt("VAT rate")

    date_from = fields.Date(tracking=True)
    date_to = fields.Date(tracking=True)

    rate = fields.Float("Rate, %", digits=(5, 2), required=True, tracking=True)
    basis = fields.Char("Legal basis", tracking=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: for every operator.")
