from odoo import fields, models

BASES = [
    ("person", "Per resident"),
    ("area", "Per m² of total area"),
    ("unit", "Per calculation unit"),
]


class TkoNormCategory(models.Model):
    """A category of the norm of accumulation (people in a dwelling, m² of trade area, seats…)."""

    _name = "tko.norm.category"
    _description = "Norm category"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    basis = fields.Selection(BASES, required=True, default="unit", tracking=True)
    unit_name = fields.Char(
        "Calculation unit", translate=True, help="m² of trade area, seat, employee, bed…"
    )
    consumer_group = fields.Selection(
        [("population", "Population"), ("other", "Other consumers")],
        required=True,
        default="other",
        tracking=True,
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: shared by all operators.")

    _sql_constraints = [
        ("code_uniq", "unique(code, company_id)", "The code of a norm category must be unique."),
    ]
