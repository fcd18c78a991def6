from odoo import api, fields, models

from .personal_data_access_log import PERSONAL_DATA_FIELDS


class TkoPartnerRequisiteHistory(models.Model):
    """One change of one requisite of a consumer: never edited, never deleted by users."""

    _name = "tko.partner.requisite.history"
    _description = "Change of a requisite"
    _check_company_auto = True
    _order = "date_from desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", check_company=True
    )
    field_name = fields.Char(required=True, index=True)
    field_label = fields.Char("Requisite", compute="_compute_field_label")
    old_value = fields.Char()
    new_value = fields.Char()
    date_from = fields.Date("Effective from", required=True, index=True)
    create_uid = fields.Many2one("res.users", "Changed by", readonly=True)
    create_date = fields.Datetime("Changed on", readonly=True)
    company_id = fields.Many2one(related="partner_id.company_id", store=True, index=True)

    @api.depends("field_name")
    def _compute_field_label(self):
        partner_fields = self.env["res.partner"]._fields
        for rec in self:
            field = partner_fields.get(rec.field_name)
            rec.field_label = field.get_description(self.env)["string"] if field else rec.field_name

    def _read_format(self, fnames, load="_classic_read"):
        """Old and new values of passport data and SNILS read by a user are logged (152-ФЗ).

        Only group_tko_personal_data sees those rows at all (record rules).
        """
        result = super()._read_format(fnames, load)
        if result and not self.env.su and {"old_value", "new_value"} & set(result[0]):
            personal = self.browse([row["id"] for row in result]).filtered(
                lambda h: h.field_name in PERSONAL_DATA_FIELDS
            )
            Log = self.env["tko.personal.data.access.log"]
            for rec in personal:
                Log._log_read(rec.partner_id, [rec.field_name], channel="history")
        return result
