from odoo import fields, models


class TkoPaymentImportError(models.Model):
    """One bad line of an imported file (line 0: the file as a whole)."""

    _name = "tko.payment.import.error"
    _description = "Payment import: bad line"
    _order = "import_id, line, id"

    import_id = fields.Many2one("tko.payment.import", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="import_id.company_id", store=True)
    severity = fields.Selection(
        [("error", "Error"), ("warning", "Warning"), ("info", "Note")],
        required=True,
        default="error",
    )
    line = fields.Integer(help="1-based line number; 0 is the file as a whole.")
    field_name = fields.Char("Field code", help="The field's name in the file format.")
    field_label = fields.Char("Field")
    code = fields.Char()
    message = fields.Char("Reason", required=True)
