from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.models.protected_fields_mixin import ALL_FIELDS

REASONS = [
    ("grace", "No penalty (grace days)"),
    ("moratorium", "No penalty (moratorium)"),
    ("accrual", "Penalty accrues"),
]


class TkoPenaltyLine(models.Model):
    """A line of a penalty breakdown: one part of one monthly debt over days with one share and
    one rate. Belongs to the latest calculation of an account or contract, or to a claim (a
    snapshot kept as it was printed)."""

    _name = "tko.penalty.line"
    _description = "Penalty breakdown line"
    _inherit = ["tko.protected.fields.mixin"]
    _tko_protected_fields = ALL_FIELDS
    _order = "period, due_date, date_from, id"
    _log_access = False
    _check_company_auto = True

    penalty_id = fields.Many2one(
        "tko.penalty", "Calculation", index=True, ondelete="cascade", check_company=True
    )
    claim_id = fields.Many2one("tko.claim", index=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period = fields.Date("Billed month", required=True)
    due_date = fields.Date("Due", required=True)
    debt = fields.Monetary(currency_field="currency_id")
    paid_on = fields.Date("Paid on", help="Empty: unpaid on the calculation date.")
    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To", required=True)
    days = fields.Integer()
    day_from = fields.Integer("Day from", help="Counted from the due date (day 1 = next day).")
    day_to = fields.Integer("Day to")
    share = fields.Char(help="0, 1/300 or 1/130 of the rate per day.")
    rate = fields.Float("Rate, %", digits=(8, 4))
    base_rate = fields.Float("Rate before caps, %", digits=(8, 4))
    rate_date = fields.Date("Rate of")
    reason = fields.Selection(REASONS, required=True)
    rule = fields.Char("Rule code", help="PP424 / PP497 (moratorium) or PP474 (rate cap).")
    rule_label = fields.Char("Rule", compute="_compute_rule_label")
    amount = fields.Monetary(currency_field="currency_id")
    text = fields.Char("Explanation")

    @api.depends("rule")
    def _compute_rule_label(self):
        """«ПП 474» for the core's code ``PP474`` (a decree of the Government of Russia)."""
        for rec in self:
            code = rec.rule or ""
            rec.rule_label = (
                _("GD %(number)s", number=code[2:])
                if code.startswith("PP") and code[2:].isdigit()
                else code
            )
