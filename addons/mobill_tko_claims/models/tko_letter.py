import datetime as dt

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import check_protected_write, trusted
from odoo.addons.mobill_tko_base.tools.access import (
    LAWYER,
    OPERATOR,
    READER,
    check_group,
    check_rights,
)
from odoo.tools import format_date

LETTER_KINDS = [
    ("notice", "Debt notice"),
    ("claim", "Claim work"),
    ("request", "Request"),
    ("answer", "Answer"),
    ("complaint", "Complaint"),
    ("court", "Court papers"),
    ("other", "Other"),
]


class TkoLetter(models.Model):
    """Outgoing or incoming letter of one consumer, with its answer deadline and deliveries."""

    _name = "tko.letter"
    _description = "Letter"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        "Number", required=True, copy=False, readonly=True, index=True, default=lambda s: _("New")
    )
    direction = fields.Selection(
        [("out", "Outgoing"), ("in", "Incoming")],
        required=True,
        default="out",
        tracking=True,
        index=True,
    )
    kind = fields.Selection(LETTER_KINDS, required=True, default="other", tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", "Consumer", required=True, index=True, tracking=True, check_company=True
    )
    account_id = fields.Many2one("tko.account", "Personal account", index=True, check_company=True)
    contract_id = fields.Many2one("tko.contract", index=True, check_company=True)
    claim_id = fields.Many2one("tko.claim", "Claim", index=True, tracking=True, check_company=True)
    subject = fields.Char(required=True, tracking=True)
    body = fields.Html("Text")
    their_number = fields.Char("Their number", tracking=True)
    their_date = fields.Date("Their date", tracking=True)
    reply_to_id = fields.Many2one(
        "tko.letter",
        "In answer to",
        index=True,
        tracking=True,
        check_company=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    answer_ids = fields.One2many("tko.letter", "reply_to_id", "Answers")
    answer_deadline = fields.Date("Answer due", tracking=True, index=True)
    date_answered = fields.Date(
        "Answered on", compute="_compute_answered", store=True, readonly=False, tracking=True
    )
    needs_answer = fields.Boolean(
        compute="_compute_needs_answer",
        store=True,
        index=True,
        help="An answer deadline is set and no answer is registered yet.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("registered", "Registered"),
            ("sent", "Sent"),
            ("delivered", "Delivered"),
            ("returned", "Returned"),
            ("closed", "Closed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    delivery_ids = fields.One2many("tko.letter.delivery", "letter_id", "Delivery history")
    attachment_ids = fields.Many2many("ir.attachment", string="Files")
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    @api.depends("answer_ids.date")
    def _compute_answered(self):
        for rec in self:
            dates = rec.answer_ids.mapped("date")
            rec.date_answered = min(dates) if dates else rec.date_answered

    @api.depends("answer_deadline", "date_answered", "state")
    def _compute_needs_answer(self):
        for rec in self:
            rec.needs_answer = bool(
                rec.answer_deadline and not rec.date_answered and rec.state != "closed"
            )

    @api.onchange("account_id", "contract_id", "claim_id")
    def _onchange_target(self):
        partner = (
            self.claim_id.partner_id or self.account_id.partner_id or self.contract_id.partner_id
        )
        if partner:
            self.partner_id = partner

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a new letter is a draft (the form sends the default state)
            given = {k: v for k, v in vals.items() if not (k == "state" and v == "draft")}
            check_protected_write(self, given, ("state",))
            if not vals.get("name") or vals["name"] == _("New"):
                code = "tko.letter.in" if vals.get("direction") == "in" else "tko.letter.out"
                vals["name"] = self.env["ir.sequence"].next_by_code(code) or _("New")
        return super().create(vals_list)

    def write(self, vals):
        check_protected_write(self, vals, ("state",))
        return super().write(vals)

    def _check_letter_access(self, operation="write"):
        check_group(self.env, *((OPERATOR, LAWYER) if operation == "write" else (READER,)))
        return check_rights(self, operation)

    def action_register(self):
        self._check_letter_access()
        trusted(self.filtered(lambda r: r.state == "draft")).write({"state": "registered"})

    def action_close(self):
        self._check_letter_access()
        trusted(self).write({"state": "closed"})

    def action_reply(self):
        self.ensure_one()
        self._check_letter_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "tko.letter",
            "view_mode": "form",
            "context": {
                "default_direction": "out" if self.direction == "in" else "in",
                "default_reply_to_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_account_id": self.account_id.id,
                "default_contract_id": self.contract_id.id,
                "default_claim_id": self.claim_id.id,
                "default_kind": "answer",
                "default_subject": _("Re: %(subject)s", subject=self.subject),
            },
        }

    def action_print(self):
        self._check_letter_access("read")
        return self.env.ref("mobill_tko_claims.action_report_tko_letter").report_action(self)

    @api.model
    def _cron_answer_reminders(self):
        """Activities for letters whose answer is due within the reminder days or overdue."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        for company in self.env["res.company"].search([]):
            days = company.tko_letter_reminder_days or 0
            limit = fields.Date.context_today(self) + dt.timedelta(days=days)
            letters = self.search(
                [
                    ("company_id", "=", company.id),
                    ("needs_answer", "=", True),
                    ("answer_deadline", "<=", limit),
                ]
            )
            summary = _("Answer due")
            for letter in letters:
                if letter.activity_ids.filtered(lambda a, s=summary: a.summary == s):
                    continue
                user = letter.user_id or self.env.user
                letter.activity_schedule(
                    activity_type_id=todo.id,
                    summary=summary,
                    date_deadline=letter.answer_deadline,
                    note=_(
                        "Letter %(name)s (%(subject)s) needs an answer by %(deadline)s.",
                        name=letter.name,
                        subject=letter.subject,
                        deadline=format_date(
                            self.with_context(lang=user.lang).env, letter.answer_deadline
                        ),
                    ),
                    user_id=user.id,
                )
