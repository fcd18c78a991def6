from odoo import fields, models


class TkoCharge(models.Model):
    """Penalties are charge lines of their own kind: in the debt, the account and documents."""

    _inherit = "tko.charge"

    kind = fields.Selection(selection_add=[("penalty", "Penalty")], ondelete={"penalty": "cascade"})
    penalty_calc_date = fields.Date(
        "Penalty calculated on", readonly=True, help="For a penalty line: its calculation date."
    )
