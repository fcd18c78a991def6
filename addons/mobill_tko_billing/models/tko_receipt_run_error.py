from odoo import fields, models


class TkoReceiptRunError(models.Model):
    """A personal account whose receipt the core refused in a receipt run, with the reason."""

    _name = "tko.receipt.run.error"
    _description = "Receipt run error"
    _check_company_auto = True
    _order = "id"
    _log_access = False

    run_id = fields.Many2one(
        "tko.receipt.run", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    account_id = fields.Many2one(
        "tko.account", "Personal account", ondelete="cascade", readonly=True, check_company=True
    )
    code = fields.Char(readonly=True)
    message = fields.Text(readonly=True)
