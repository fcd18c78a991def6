from odoo import fields, models

from .tko_claim import CLAIM_KINDS, STAGES


class TkoClaimDeadline(models.Model):
    """How many days a claim of a kind may stay in a stage before an activity is raised."""

    _name = "tko.claim.deadline"
    _description = "Claim stage deadline"
    _order = "kind, stage"

    kind = fields.Selection(CLAIM_KINDS, required=True)
    stage = fields.Selection(STAGES, required=True)
    days = fields.Integer(required=True, help="0: no deadline in this stage.")
    company_id = fields.Many2one("res.company", index=True)
    note = fields.Char()

    _sql_constraints = [
        ("kind_stage_company_uniq", "unique(kind, stage, company_id)", "One deadline per stage."),
    ]
