from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    tko_pp497_opt_out = fields.Boolean(
        "Refused the ПП 497 moratorium",
        tracking=True,
        help="The consumer published a refusal of the 2022 bankruptcy moratorium: penalties "
        "accrue on its debts from 01.04.2022 to 01.10.2022 too.",
    )
    tko_claim_ids = fields.One2many("tko.claim", "partner_id", "Claims")
    tko_notice_ids = fields.One2many("tko.notice", "partner_id", "Notices")
    tko_letter_ids = fields.One2many("tko.letter", "partner_id", "Letters")
