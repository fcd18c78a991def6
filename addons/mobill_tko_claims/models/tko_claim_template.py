from odoo import fields, models

from .tko_claim import CLAIM_KINDS


class TkoClaimTemplate(models.Model):
    """Text of a claim, an application for a court order or a statement of claim: a QWeb
    fragment rendered on the claim (``object``), e.g. ``<t t-out="object.partner_id.name"/>``."""

    _name = "tko.claim.template"
    _description = "Claim template"
    _inherit = ["mail.thread"]
    _order = "kind, sequence, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(CLAIM_KINDS, required=True, tracking=True)
    title = fields.Char("Document title", required=True, tracking=True)
    body = fields.Html(
        sanitize=False,
        help="QWeb on the claim: object.partner_id, object.debt_amount, object.penalty_amount, "
        "object.total_amount, object.calc_date, object.company_id…",
    )
    answer_days = fields.Integer(
        "Days to answer", default=30, help="Printed in the claim and used as its deadline."
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", index=True)
