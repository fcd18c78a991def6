from odoo import api, fields, models

# 152-ФЗ: the personal data of consumers that only group_tko_personal_data sees, and whose every
# read by a user is logged.
PERSONAL_DATA_GROUP = "mobill_tko_base.group_tko_personal_data"
PERSONAL_DATA_FIELDS = (
    "snils",
    "passport_series",
    "passport_number",
    "passport_issued_by",
    "passport_date",
)


class TkoPersonalDataAccessLog(models.Model):
    """Who read which consumer's passport data or SNILS, and when (152-ФЗ).

    Written by the server only (``sudo``) when a user reads these fields; users never write it,
    administrators read it.
    """

    _name = "tko.personal.data.access.log"
    _description = "Access to personal data"
    _order = "date desc, id desc"
    _log_access = False

    date = fields.Datetime("Read on", required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", "User", required=True, readonly=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner", "Consumer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    field_names = fields.Char("Fields read (technical)", required=True, readonly=True)
    field_labels = fields.Char("Fields read", compute="_compute_field_labels")
    channel = fields.Selection(
        [
            ("read", "Form, list or API read"),
            ("export", "Export to a file"),
            ("requisites", "Requisites on a date"),
            ("history", "Requisites history"),
        ],
        required=True,
        readonly=True,
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    @api.depends("field_names")
    @api.depends_context("lang")
    def _compute_field_labels(self):
        """The fields read as the user's interface names them (СНИЛС, Серия паспорта…)."""
        partner_fields = self.env["res.partner"]._fields
        for rec in self:
            names = [name.strip() for name in (rec.field_names or "").split(",") if name.strip()]
            rec.field_labels = ", ".join(
                partner_fields[name].get_description(self.env)["string"]
                if name in partner_fields
                else name
                for name in names
            )

    @api.model
    def _log_read(self, partners, field_names, channel="read"):
        """Record that the current user read ``field_names`` of ``partners`` (not for sudo)."""
        names = [name for name in PERSONAL_DATA_FIELDS if name in set(field_names)]
        if self.env.su or not names or not partners:
            return self.browse()
        now = fields.Datetime.now()
        return (
            self.sudo()
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "date": now,
                        "user_id": self.env.uid,
                        "partner_id": partner_id,
                        "field_names": ", ".join(names),
                        "channel": channel,
                        "company_id": self.env.company.id,
                    }
                    for partner_id in dict.fromkeys(partners.ids)
                ]
            )
        )
