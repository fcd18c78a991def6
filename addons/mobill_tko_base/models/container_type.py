from odoo import fields, models


class TkoContainerType(models.Model):
    _name = "tko.container.type"
    _description = "Container type"
    _order = "volume, name"

    name = fields.Char(required=True, translate=True)
    volume = fields.Float("Nominal volume, m³", digits=(10, 3), required=True)
    active = fields.Boolean(default=True)
