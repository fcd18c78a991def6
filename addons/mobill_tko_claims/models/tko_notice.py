import logging

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import check_protected_write, trusted
from odoo.addons.mobill_tko_base.tools.access import LAWYER, OPERATOR, check_group, check_rights
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

_logger = logging.getLogger(__name__)

CHANNELS = [
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("call", "Phone call"),
    ("letter", "Letter"),
]
NOTICE_KINDS = [
    ("notice", "Debt notice"),
    ("warning", "Warning before restriction or court"),
]
STATES = [
    ("draft", "Draft"),
    ("queued", "Waiting for the operator"),
    ("sent", "Sent"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancel", "Cancelled"),
]
# set by sending and by the notice's buttons, never written directly by a client
PROTECTED_FIELDS = (
    "state",
    "date_sent",
    "status_message",
    "external_id",
    "mail_id",
    "letter_id",
    "rule_id",
)


class TkoNotice(models.Model):
    """A notice or warning to a debtor, with its channel, text, date and delivery status."""

    _name = "tko.notice"
    _description = "Debt notice"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        "Number", required=True, copy=False, readonly=True, index=True, default=lambda s: _("New")
    )
    kind = fields.Selection(NOTICE_KINDS, required=True, default="notice", tracking=True)
    channel = fields.Selection(CHANNELS, required=True, default="email", tracking=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", "Consumer", required=True, index=True, tracking=True, check_company=True
    )
    account_id = fields.Many2one(
        "tko.account", "Personal account", index=True, tracking=True, check_company=True
    )
    contract_id = fields.Many2one("tko.contract", index=True, tracking=True, check_company=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    debt_date = fields.Date(
        "Debt on", required=True, default=fields.Date.context_today, tracking=True
    )
    debt_amount = fields.Monetary("Debt", currency_field="currency_id", tracking=True)
    penalty_amount = fields.Monetary("Penalty", currency_field="currency_id")
    subject = fields.Char(tracking=True)
    body = fields.Text("Text", tracking=True)
    body_html = fields.Html(compute="_compute_body_html", sanitize=True)
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, index=True, tracking=True
    )
    date_sent = fields.Datetime("Sent on", readonly=True, tracking=True, index=True)
    status_message = fields.Text("Status details", readonly=True)
    external_id = fields.Char("Gateway message ID", readonly=True)
    email_to = fields.Char("E-mail")
    phone = fields.Char()
    provider_id = fields.Many2one("tko.sms.provider", "SMS gateway", check_company=True)
    mail_id = fields.Many2one("mail.mail", "E-mail message", readonly=True, ondelete="set null")
    call_user_id = fields.Many2one("res.users", "Operator to call")
    letter_id = fields.Many2one("tko.letter", "Letter", readonly=True, check_company=True)
    rule_id = fields.Many2one(
        "tko.notice.rule", "Rule", readonly=True, index=True, check_company=True
    )
    user_id = fields.Many2one("res.users", "Author", default=lambda self: self.env.user)
    district_id = fields.Many2one("tko.address", compute="_compute_district", store=True)

    @api.depends("body")
    def _compute_body_html(self):
        for rec in self:
            rec.body_html = plaintext2html(rec.body or "")

    @api.depends("account_id.address_id", "contract_id", "partner_id")
    def _compute_district(self):
        for rec in self:
            address = rec.account_id.address_id
            if not address and rec.contract_id:
                address = rec.contract_id.line_ids[:1].object_id.address_id
            while address and address.level not in ("district", "region"):
                address = address.parent_id
            rec.district_id = address if address.level == "district" else False

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id:
            self.email_to = self.partner_id.email
            self.phone = self.partner_id.mobile or self.partner_id.phone

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a new notice is a draft (the form sends the default state)
            given = {k: v for k, v in vals.items() if not (k == "state" and v == "draft")}
            check_protected_write(self, given, PROTECTED_FIELDS)
            if not vals.get("name") or vals["name"] == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("tko.notice") or _("New")
            partner = self.env["res.partner"].browse(vals.get("partner_id"))
            if partner:
                vals.setdefault("email_to", partner.email)
                vals.setdefault("phone", partner.mobile or partner.phone)
        return super().create(vals_list)

    def write(self, vals):
        check_protected_write(self, vals, PROTECTED_FIELDS)
        return super().write(vals)

    def _check_notice_access(self):
        """Notices are handled by operators (calls) and lawyers who may change them."""
        check_group(self.env, OPERATOR, LAWYER)
        return check_rights(self, "write")

    # ------------------------------------------------------------------ sending
    def action_send(self):
        """Send the notices by their channel; each one records its own status."""
        self._check_notice_access()
        return self._send()

    def _send(self):
        for rec in trusted(self):
            if rec.state not in ("draft", "failed"):
                raise UserError(_("Notice %(name)s has already been processed.", name=rec.name))
            handler = getattr(rec, f"_send_{rec.channel}")
            try:
                handler()
            except UserError as error:
                rec._set_status("failed", str(error))
        return True

    def _set_status(self, state, message, **extra):
        values = {"state": state, "status_message": message, **extra}
        if state in ("sent", "queued", "done") and not self.date_sent:
            values["date_sent"] = fields.Datetime.now()
        trusted(self).write(values)

    def _send_email(self):
        if not self.email_to:
            self._set_status("failed", _("The consumer has no e-mail address."))
            return
        template = self.env.ref("mobill_tko_claims.mail_template_tko_notice")
        mail_id = template.send_mail(self.id, force_send=True, raise_exception=False)
        mail = self.env["mail.mail"].sudo().browse(mail_id).exists()
        if mail and mail.state == "exception":
            self._set_status("failed", mail.failure_reason or _("The mail server refused it."))
        else:
            # force_send deletes a sent mail.mail: the status is read before it goes
            self._set_status("sent", _("Sent to %(email)s", email=self.email_to), mail_id=mail.id)
        self.message_post(
            body=_(
                "Notice e-mailed to %(email)s: %(status)s",
                email=self.email_to,
                status=self.status_message,
            ),
        )

    def _send_sms(self):
        provider = (
            self.provider_id
            or self.company_id.tko_sms_provider_id
            or self.env["tko.sms.provider"].search(
                [("company_id", "in", (False, self.company_id.id))], limit=1
            )
        )
        if not provider:
            self._set_status("failed", _("No SMS gateway is configured."))
            return
        ok, external_id, message = provider._send_sms(self.phone, self.body or "")
        self._set_status(
            "sent" if ok else "failed",
            message,
            provider_id=provider.id,
            external_id=external_id or False,
        )

    def _send_call(self):
        user = self.call_user_id or self.company_id.tko_notice_call_user_id or self.env.user
        self.activity_schedule(
            "mail.mail_activity_data_call",
            summary=_("Call the debtor: %(phone)s", phone=self.phone or _("no phone")),
            note=self.body_html,
            user_id=user.id,
        )
        self._set_status(
            "queued", _("Call task for %(user)s", user=user.name), call_user_id=user.id
        )

    def _send_letter(self):
        letter = self.env["tko.letter"].create(
            {
                "direction": "out",
                "partner_id": self.partner_id.id,
                "account_id": self.account_id.id,
                "contract_id": self.contract_id.id,
                "subject": self.subject or dict(NOTICE_KINDS)[self.kind],
                "body": self.body_html,
                "kind": "notice",
                "company_id": self.company_id.id,
            }
        )
        self._set_status(
            "queued",
            _("Letter %(name)s prepared for sending", name=letter.name),
            letter_id=letter.id,
        )

    def _activity_call_done(self, feedback):
        """A call task was marked done: the notice is done, the feedback kept."""
        self.filtered(lambda n: n.state == "queued" and n.channel == "call")._set_status(
            "done", feedback or _("Call made")
        )

    def action_mark_done(self):
        self._check_notice_access()
        self.filtered(lambda n: n.state == "queued")._set_status("done", _("Marked done"))

    def action_cancel(self):
        self._check_notice_access()
        trusted(self.filtered(lambda n: n.state in ("draft", "failed", "queued"))).write(
            {"state": "cancel"}
        )
        self.activity_unlink(["mail.mail_activity_data_call"])

    def action_reset(self):
        self._check_notice_access()
        trusted(self.filtered(lambda n: n.state in ("failed", "cancel"))).write({"state": "draft"})

    # ------------------------------------------------------------------ texts
    @api.model
    def _render_text(self, template_src, notices):
        """Render an inline template (``{{ object.debt_amount }}``) for each notice."""
        if not template_src:
            return {n.id: "" for n in notices}
        return self.env["mail.render.mixin"]._render_template(
            template_src, "tko.notice", notices.ids, engine="inline_template"
        )
