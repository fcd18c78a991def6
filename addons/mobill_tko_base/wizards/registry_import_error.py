from odoo import fields, models


class TkoRegistryImportError(models.TransientModel):
    _name = "tko.registry.import.error"
    _description = "Bad row of a registry import"
    _order = "line, id"

    wizard_id = fields.Many2one("tko.registry.import.wizard", required=True, ondelete="cascade")
    line = fields.Integer("Row", help="Row of the spreadsheet; the header is row 1, 0 the file.")
    column = fields.Char()
    code = fields.Char()
    message = fields.Char("Reason")
