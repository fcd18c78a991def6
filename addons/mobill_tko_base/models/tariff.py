from odoo import fields, models
from odoo.tools.translate import _lt


class TkoTariff(models.Model):
    """A tariff of the regional operator for a zone and consumer group, valid for a period.

    With ``contract_id`` set it is the individual tariff of that contract.
    """

    _name = "tko.tariff"
    _description = "Tariff"
    _check_company_auto = True
    _inherit = ["mail.thread", "tko.dated.mixin"]
    _order = "zone_id, consumer_group, date_from desc"
    _dated_keys = ["zone_id", "consumer_group", "uom", "contract_id", "company_id"]
    _dated_label = _lt("tariff")

    date_from = fields.Date(tracking=True)
    date_to = fields.Date(tracking=True)

    name = fields.Char(tracking=True, help="E.g. the number and date of the tariff order.")
    zone_id = fields.Many2one(
        "tko.tariff.zone", "Tariff zone", index=True, tracking=True, check_company=True
    )
    consumer_group = fields.Selection(
        [("population", "Population"), ("other", "Other consumers")],
        required=True,
        default="population",
        tracking=True,
    )
    uom = fields.Selection(
        [("m3", "rub/m³"), ("t", "rub/t")], "Unit", required=True, default="m3", tracking=True
    )
    price = fields.Float(
        digits=(16, 2), required=True, tracking=True, help="Roubles per m³ or per t."
    )
    vat_mode = fields.Selection(
        [
            ("included", "VAT included"),
            ("excluded", "VAT on top (price without VAT)"),
            ("exempt", "Not subject to VAT"),
        ],
        "VAT",
        required=True,
        default="excluded",
        tracking=True,
    )
    contract_id = fields.Many2one(
        "tko.contract",
        "Individual tariff of contract",
        index=True,
        tracking=True,
        check_company=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
