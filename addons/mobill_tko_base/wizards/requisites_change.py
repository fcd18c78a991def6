from odoo import _, api, fields, models
from odoo.exceptions import UserError


class TkoRequisitesChangeWizard(models.TransientModel):
    """Change a consumer's requisites from a given date (renaming, new address, new head…)."""

    _name = "tko.requisites.change.wizard"
    _description = "Change requisites from a date"

    partner_id = fields.Many2one("res.partner", required=True)
    date_from = fields.Date("Effective from", required=True, default=fields.Date.context_today)
    name = fields.Char()
    vat = fields.Char("INN")
    kpp = fields.Char("KPP")
    ogrn = fields.Char("OGRN / OGRNIP")
    legal_address = fields.Char()
    postal_address = fields.Char()
    director_name = fields.Char("Head (director)")
    phone = fields.Char()
    email = fields.Char()

    FIELDS = (
        "name",
        "vat",
        "kpp",
        "ogrn",
        "legal_address",
        "postal_address",
        "director_name",
        "phone",
        "email",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(
            values.get("partner_id") or self.env.context.get("default_partner_id")
        )
        if partner:
            for name in self.FIELDS:
                if name in fields_list:
                    values[name] = partner[name]
        return values

    def action_apply(self):
        self.ensure_one()
        changes = {
            name: self[name]
            for name in self.FIELDS
            if (self[name] or False) != (self.partner_id[name] or False)
        }
        if not changes:
            raise UserError(_("Nothing has changed."))
        self.partner_id.with_context(requisites_date_from=self.date_from).write(changes)
        return {"type": "ir.actions.act_window_close"}
