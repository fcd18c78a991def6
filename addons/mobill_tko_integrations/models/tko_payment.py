from odoo import api, fields, models


class TkoPayment(models.Model):
    """Imported payments keep their source; an unrecognised one waits unallocated (no account
    and no contract, draft) until it is allocated by hand (manual allocation is billing's:
    ``mobill_tko_billing/models/tko_payment_manual_allocation.py``)."""

    _inherit = "tko.payment"
    _check_company_auto = True

    source = fields.Selection(
        selection_add=[("import", "Imported file")], ondelete={"import": "set default"}
    )
    import_id = fields.Many2one(
        "tko.payment.import", "Imported from", index=True, readonly=True, check_company=True
    )
    import_line = fields.Integer("Line in the file", readonly=True)
    import_bank = fields.Char("Bank / source", readonly=True)
    import_registry_number = fields.Char("Registry / order number", readonly=True)
    import_key = fields.Char(
        "Idempotency key",
        readonly=True,
        copy=False,
        help="The same payment read from another file has the same key and is booked once.",
    )
    import_payer = fields.Char("Payer in the file", readonly=True)
    import_account_number = fields.Char("Account number in the file", readonly=True)

    _sql_constraints = [
        (
            "import_key_company_uniq",
            "unique(company_id, import_key)",
            "This payment has been imported already.",
        )
    ]

    def _tko_may_wait_unallocated(self):
        return super()._tko_may_wait_unallocated() | self.filtered("import_id")

    @api.depends("import_id")
    def _compute_is_unallocated(self):
        return super()._compute_is_unallocated()
