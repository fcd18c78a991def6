from odoo import fields, models

from mobill_tko_core import penalties as core_penalties
from mobill_tko_core.formats import cbr_dailyinfo as cbr

RATE_BASES = [
    ("payment", "Rate on the day each part is paid"),
    ("last_payment", "Rate on the day the debt is paid off"),
    ("calculation", "Rate on the calculation (claim) date"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    # -- penalty conventions (law_brief.md §4: the points marked as practice) ------------------
    tko_penalty_payment_day_included = fields.Boolean(
        "Payment day accrues",
        default=True,
        help="The day of a payment still accrues a penalty on the paid sum; the debt is lowered "
        "from the next day.",
    )
    tko_penalty_rate_basis_individual = fields.Selection(
        RATE_BASES, "Rate basis (individuals)", default="payment", required=True
    )
    tko_penalty_rate_basis_legal = fields.Selection(
        RATE_BASES, "Rate basis (legal entities)", default="calculation", required=True
    )
    tko_penalty_obligation_date = fields.Selection(
        [("period_end", "Last day of the billed month"), ("due_date", "Due date")],
        "Obligation arises on (ПП 497)",
        default="period_end",
        required=True,
    )
    tko_penalty_pp424_legal = fields.Boolean(
        "ПП 424 for legal entities",
        help="Apply the 2020 moratorium (ПП 424) to legal entities' contracts too (typically "
        "only non-residential premises in apartment buildings).",
    )
    tko_penalty_min_amount = fields.Monetary(
        "Smallest penalty booked",
        currency_field="currency_id",
        help="A change of the accrued penalty below this amount is not booked as a charge.",
    )
    # -- Bank of Russia rates -------------------------------------------------------------------
    tko_rate_wsdl_url = fields.Char(
        "DailyInfo WSDL", default=cbr.DEFAULT_WSDL, help="Bank of Russia web service description."
    )
    tko_rate_timeout = fields.Integer("Rate service timeout, s", default=30)
    tko_rate_refresh_state = fields.Selection(
        [
            ("never", "Never refreshed"),
            ("ok", "Refreshed"),
            ("warning", "Refreshed with remarks"),
            ("error", "Failed"),
        ],
        "Rate refresh status",
        default="never",
        readonly=True,
    )
    tko_rate_refresh_date = fields.Datetime("Last rate refresh attempt", readonly=True)
    tko_rate_last_success = fields.Datetime("Last successful rate refresh", readonly=True)
    tko_rate_refresh_message = fields.Text("Rate refresh result", readonly=True)
    # -- claims work ------------------------------------------------------------------------------
    tko_notice_call_user_id = fields.Many2one(
        "res.users", "Operator for calls", help="Phone-call tasks of notices go to this user."
    )
    tko_sms_provider_id = fields.Many2one("tko.sms.provider", "SMS gateway")
    tko_letter_reminder_days = fields.Integer("Remind of answers due in (days)", default=3)
    tko_appeal_answer_days = fields.Integer(
        "Answer appeals within (days)",
        default=30,
        help="Days from the registration of a consumer's written appeal to its answer deadline "
        "(the operator's rules; 30 days as the law on citizens' appeals 59-ФЗ sets for public "
        "bodies).",
    )

    def _tko_penalty_rules(self, consumer, rate_table=None):
        """The core's :class:`PenaltyRules` for ``consumer`` (``individual`` or ``legal``) with
        this company's conventions and rate history."""
        self.ensure_one()
        rates = rate_table or self.env["tko.rate"]._penalty_rate_table(self)
        common = {
            "payment_day_included": self.tko_penalty_payment_day_included,
            "due_day": self.tko_due_day,
            "due_months_after": self.tko_due_months_after,
            "obligation_date": self.tko_penalty_obligation_date or "period_end",
        }
        if consumer == "legal":
            return core_penalties.PenaltyRules.legal_entity(
                rates,
                apply_pp424=self.tko_penalty_pp424_legal,
                rate_basis=self.tko_penalty_rate_basis_legal or "calculation",
                **common,
            )
        return core_penalties.PenaltyRules.individual(
            rates, rate_basis=self.tko_penalty_rate_basis_individual or "payment", **common
        )
