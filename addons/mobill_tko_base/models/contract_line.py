from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import _lt

SCHEMES = [
    ("norm", "By norm per calculation unit"),
    ("containers", "By containers"),
    ("limit", "By fixed agreed volume (limit)"),
    ("measured_volume", "By measured volume"),
    ("measured_mass", "By measured mass"),
]


class TkoContractLine(models.Model):
    """An object of a contract with its calculation scheme, valid for a period."""

    _name = "tko.contract.line"
    _description = "Object of a contract (dated)"
    _check_company_auto = True
    _inherit = ["mail.thread", "tko.dated.mixin"]
    _order = "contract_id, object_id, date_from desc"
    _dated_keys = ["contract_id", "object_id"]
    _dated_label = _lt("contract line")

    date_from = fields.Date(tracking=True)
    date_to = fields.Date(tracking=True)

    contract_id = fields.Many2one(
        "tko.contract", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    object_id = fields.Many2one(
        "tko.object", required=True, index=True, tracking=True, check_company=True
    )
    scheme = fields.Selection(
        SCHEMES, "Calculation scheme", required=True, default="norm", tracking=True
    )
    norm_category_id = fields.Many2one(
        "tko.norm.category",
        tracking=True,
        help="For the norm scheme: the category of the units.",
        check_company=True,
    )
    limit_volume = fields.Float(
        "Agreed volume per month, m³",
        digits=(16, 4),
        tracking=True,
        help="For the limit scheme: the fixed monthly volume (an annual limit divided by 12).",
    )

    @api.constrains("scheme", "norm_category_id", "limit_volume")
    def _check_scheme(self):
        for rec in self:
            if rec.scheme == "norm" and not rec.norm_category_id:
                raise ValidationError(_("The norm scheme needs the norm category of the units."))
            if rec.scheme == "limit" and rec.limit_volume <= 0:
                raise ValidationError(_("The limit scheme needs a positive agreed volume."))

    @api.onchange("contract_id")
    def _onchange_contract(self):
        if self.contract_id and not self.date_from:
            self.date_from = self.contract_id.date_start
