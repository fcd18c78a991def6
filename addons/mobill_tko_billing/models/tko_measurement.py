from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class TkoMeasurement(models.Model):
    """Measured volume or mass of an object of a contract, entered by staff or imported."""

    _name = "tko.measurement"
    _description = "Measured volume or mass"
    _check_company_auto = True
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    object_id = fields.Many2one(
        "tko.object", "Object", required=True, index=True, tracking=True, check_company=True
    )
    contract_id = fields.Many2one(
        "tko.contract",
        index=True,
        tracking=True,
        help="Empty: any contract of the object.",
        check_company=True,
    )
    company_id = fields.Many2one(related="object_id.company_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    kind = fields.Selection(
        [("volume", "Volume, m³"), ("mass", "Mass, t")],
        required=True,
        default="volume",
        tracking=True,
    )
    value = fields.Float(digits=(16, 4), required=True, tracking=True)
    source = fields.Selection(
        [("manual", "Entered by staff"), ("import", "Imported")],
        default="manual",
        required=True,
    )
    document_id = fields.Many2one(
        "tko.document", "Document (act, weighing ticket)", check_company=True
    )
    note = fields.Char()

    @api.constrains("value")
    def _check_value(self):
        for rec in self:
            if rec.value < 0:
                raise ValidationError(_("A measured volume or mass cannot be negative."))
