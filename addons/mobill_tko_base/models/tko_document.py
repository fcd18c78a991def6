from odoo import api, fields, models

DOC_TYPES = [
    ("contract", "Contract or agreement"),
    ("application", "Application"),
    ("ownership", "Title document"),
    ("residents", "Certificate of residents"),
    ("absence", "Proof of temporary absence"),
    ("act", "Act"),
    ("letter", "Letter"),
    ("other", "Other"),
]


class TkoDocument(models.Model):
    """A scan or a file (PDF, Word, Excel…) of a consumer, a contract, an object or an account."""

    _name = "tko.document"
    _description = "Consumer's document"
    _check_company_auto = True
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(required=True, tracking=True)
    doc_type = fields.Selection(DOC_TYPES, "Type", required=True, default="other", tracking=True)
    number = fields.Char(tracking=True)
    date = fields.Date(default=fields.Date.context_today, tracking=True)
    file = fields.Binary(attachment=True, required=True)
    file_name = fields.Char()
    partner_id = fields.Many2one(
        "res.partner", "Consumer", index=True, tracking=True, check_company=True
    )
    contract_id = fields.Many2one("tko.contract", index=True, tracking=True, check_company=True)
    object_id = fields.Many2one("tko.object", index=True, tracking=True, check_company=True)
    account_id = fields.Many2one(
        "tko.account", "Personal account", index=True, tracking=True, check_company=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    note = fields.Text()

    @api.onchange("contract_id", "account_id", "object_id")
    def _onchange_links(self):
        partner = (
            self.contract_id.partner_id or self.account_id.partner_id or self.object_id.partner_id
        )
        if partner and not self.partner_id:
            self.partner_id = partner

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for rec in records:
            if not rec.partner_id:
                rec.partner_id = (
                    rec.contract_id.partner_id
                    or rec.account_id.partner_id
                    or rec.object_id.partner_id
                )
            if not rec.file_name:
                rec.file_name = rec.name
        return records
