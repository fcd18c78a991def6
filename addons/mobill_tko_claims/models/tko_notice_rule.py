import datetime as dt

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import LAWYER, READER, check_group, check_rights
from odoo.tools.safe_eval import safe_eval

from .tko_notice import CHANNELS, NOTICE_KINDS


def default_sms(env):
    """The default notice text in the user's language, amounts and dates formatted for it."""
    context = env.context  # noqa: F841 (the language of _())
    return _(
        "{{ object.partner_id.name }}: debt {{ format_amount(object.debt_amount, "
        "object.currency_id) }} on {{ format_date(object.debt_date) }}. Please pay. "
        "{{ object.company_id.name }}"
    )


class TkoNoticeRule(models.Model):
    """Send notices automatically: debt above a sum for more than N days, by a channel."""

    _name = "tko.notice.rule"
    _description = "Notice rule"
    _inherit = ["mail.thread", "tko.protected.fields.mixin"]
    _tko_protected_fields = ("last_run",)
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(NOTICE_KINDS, required=True, default="notice", tracking=True)
    channel = fields.Selection(CHANNELS, required=True, default="email", tracking=True)
    min_debt = fields.Monetary(
        "Debt above", currency_field="currency_id", tracking=True, required=True
    )
    min_days = fields.Integer(
        "Overdue more than (days)",
        tracking=True,
        help="Days since the due date of the oldest unpaid charge.",
    )
    consumer_kinds = fields.Selection(
        [
            ("all", "All consumers"),
            ("person", "Individuals"),
            ("business", "Legal entities and " "entrepreneurs"),
        ],
        default="all",
        required=True,
    )
    debtor_domain = fields.Char(
        "Other criteria",
        default="[]",
        help="Any other filter on the debtors' registry (district, management company…).",
    )
    repeat_days = fields.Integer(
        "Not again within (days)",
        default=30,
        help="A debtor who got a notice of this rule is skipped for this many days.",
    )
    subject = fields.Char(default=lambda self: _("Debt for waste management services"))
    body = fields.Text(
        "Text",
        help="Inline template on the notice: {{ object.partner_id.name }}, "
        "{{ object.debt_amount }}, {{ object.debt_date }}, {{ object.penalty_amount }}…",
        default=lambda self: default_sms(self.env),
    )
    call_user_id = fields.Many2one("res.users", "Operator to call")
    provider_id = fields.Many2one("tko.sms.provider", "SMS gateway", check_company=True)
    auto_send = fields.Boolean(
        "Send at once", default=True, help="Off: the notices stay as drafts to be checked."
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    last_run = fields.Datetime(readonly=True)
    notice_ids = fields.One2many("tko.notice", "rule_id", "Notices")
    notice_count = fields.Integer(compute="_compute_notice_count")

    def _compute_notice_count(self):
        data = self.env["tko.notice"]._read_group(
            [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
        )
        counts = {rule.id: count for rule, count in data}
        for rec in self:
            rec.notice_count = counts.get(rec.id, 0)

    def _debtor_search_domain(self):
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("debt", ">", self.min_debt),
            ("overdue_days", ">", self.min_days),
        ]
        if self.consumer_kinds == "person":
            domain.append(("consumer_kind", "=", "person"))
        elif self.consumer_kinds == "business":
            domain.append(("consumer_kind", "in", ("legal", "entrepreneur")))
        extra = safe_eval(self.debtor_domain or "[]")
        return domain + list(extra)

    def _matching_debtors(self):
        """Debtors of the rule, without those notified by it within ``repeat_days``."""
        self.ensure_one()
        debtors = self.env["tko.debtor"].search(self._debtor_search_domain())
        if self.repeat_days and debtors:
            since = fields.Datetime.now() - dt.timedelta(days=self.repeat_days)
            recent = self.env["tko.notice"].search(
                [
                    ("rule_id", "=", self.id),
                    ("create_date", ">=", since),
                    ("state", "!=", "cancel"),
                ]
            )
            done = {(n.account_id.id, n.contract_id.id) for n in recent}
            debtors = debtors.filtered(lambda d: (d.account_id.id, d.contract_id.id) not in done)
        return debtors

    def action_preview(self):
        self.ensure_one()
        check_group(self.env, READER)
        check_rights(self)
        debtors = self._matching_debtors()
        return {
            "type": "ir.actions.act_window",
            "name": _("Debtors of rule %(name)s", name=self.name),
            "res_model": "tko.debtor",
            "view_mode": "tree,form",
            "domain": [("id", "in", debtors.ids)],
        }

    def action_apply(self):
        """Create (and send) the notices of the rules now."""
        check_group(self.env, LAWYER)
        check_rights(self, "write")
        return self._apply()

    def _apply(self):
        notices = self.env["tko.notice"]
        for rule in self:
            debtors = rule._matching_debtors()
            notices |= debtors._make_notices(
                kind=rule.kind,
                channel=rule.channel,
                subject=rule.subject,
                body_template=rule.body,
                rule=rule,
                call_user=rule.call_user_id,
                provider=rule.provider_id,
                send=rule.auto_send,
            )
            trusted(rule).last_run = fields.Datetime.now()
        return notices

    def action_view_notices(self):
        self.ensure_one()
        check_group(self.env, READER)
        check_rights(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Notices"),
            "res_model": "tko.notice",
            "view_mode": "tree,form",
            "domain": [("rule_id", "=", self.id)],
        }

    @api.model
    def _cron_apply_rules(self):
        for company in self.env["res.company"].search([]):
            rules = self.with_company(company).search([("company_id", "=", company.id)])
            rules._apply()
