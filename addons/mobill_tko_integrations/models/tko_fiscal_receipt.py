import hmac
import json
import logging
import re
import secrets
from datetime import timedelta
from decimal import Decimal

import pytz
from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.exceptions import UserError

from mobill_tko_core.fiscal import atol

_logger = logging.getLogger(__name__)

STATES = [
    ("to_send", "To send"),
    ("waiting", "Waiting for the cash register"),
    ("done", "Issued"),
    ("failed", "Failed"),
    ("error", "Needs attention"),
    ("cancelled", "Cancelled"),
]
KINDS = [("sell", "Sale"), ("sell_refund", "Refund")]
#: Seconds between two reports of a receipt the service has not processed yet.
POLL_DELAY = 60
#: Seconds a refund waits for its sale receipt to be issued.
REFUND_WAIT = 300
#: Receipt times of АТОЛ Онлайн are local; the operator's time zone when the company has none.
DEFAULT_TZ = "Europe/Moscow"


# What the cash register service answered and the sending machinery: written by the system
# only (trusted(), the callback and the crons), never by a client.
ENGINE_FIELDS = (
    "payment_id",
    "register_id",
    "kind",
    "origin_id",
    "amount",
    "external_id",
    "state",
    "attempts",
    "next_attempt_at",
    "sent_at",
    "last_error",
    "request_json",
    "uuid",
    "callback_token",
    "fiscal_receipt_number",
    "fiscal_document_number",
    "fiscal_document_attribute",
    "fn_number",
    "shift_number",
    "ecr_registration_number",
    "ofd_inn",
    "receipt_datetime",
)


class TkoFiscalReceipt(models.Model):
    """A receipt of 54-ФЗ for one payment, issued by a cloud cash register (АТОЛ Онлайн v5).

    Life: ``to_send`` → ``waiting`` (the service has it, ``uuid`` known) → ``done`` (fiscal
    attributes stored) or ``failed``. A failure worth a retry (network, service down, busy) keeps
    it ``to_send`` with the next attempt time of :func:`~mobill_tko_core.fiscal.atol.retry_delay`;
    when the attempts are used up it ``needs attention``. ``external_id`` is the idempotency key:
    the service never makes two receipts of one ``external_id``.
    """

    _name = "tko.fiscal.receipt"
    _description = "Fiscal receipt"
    _inherit = ["mail.thread", "tko.protected.fields.mixin"]
    _tko_protected_fields = ENGINE_FIELDS
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["payment_id.name", "external_id"]

    # in the reader's language (a stored name would keep the language of whoever made it)
    name = fields.Char(compute="_compute_name")
    payment_id = fields.Many2one(
        "tko.payment",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
        check_company=True,
    )
    register_id = fields.Many2one(
        "tko.fiscal.register",
        "Cash register",
        required=True,
        ondelete="restrict",
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="payment_id.company_id", store=True, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="payment_id.currency_id")
    account_id = fields.Many2one(related="payment_id.account_id", string="Personal account")
    contract_id = fields.Many2one(related="payment_id.contract_id")
    partner_id = fields.Many2one(related="payment_id.partner_id", string="Payer")
    channel = fields.Selection(related="payment_id.channel")
    kind = fields.Selection(KINDS, required=True, default="sell", readonly=True)
    origin_id = fields.Many2one(
        "tko.fiscal.receipt",
        "Sale receipt",
        readonly=True,
        check_company=True,
        help="The receipt this one refunds.",
    )
    refund_ids = fields.One2many("tko.fiscal.receipt", "origin_id", "Refunds")
    amount = fields.Monetary(required=True, readonly=True)
    external_id = fields.Char(
        "Receipt ID",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        help="Our identifier of the receipt at the service: sending it twice makes one receipt.",
    )
    state = fields.Selection(
        STATES, default="to_send", required=True, tracking=True, index=True, readonly=True
    )
    attempts = fields.Integer(readonly=True, help="Attempts to hand the receipt to the service.")
    next_attempt_at = fields.Datetime("Next attempt", readonly=True, index=True)
    sent_at = fields.Datetime("Sent on", readonly=True)
    last_error = fields.Text("Problem", readonly=True)
    request_json = fields.Text("Request", readonly=True)
    uuid = fields.Char("Service document", readonly=True, index=True, copy=False)
    callback_token = fields.Char(readonly=True, copy=False, groups="base.group_system")
    fiscal_receipt_number = fields.Char("Receipt number in the shift", readonly=True)
    fiscal_document_number = fields.Char("Fiscal document number (ФД)", readonly=True)
    fiscal_document_attribute = fields.Char("Fiscal attribute (ФП)", readonly=True)
    fn_number = fields.Char("Fiscal drive (ФН)", readonly=True)
    shift_number = fields.Char("Shift", readonly=True)
    ecr_registration_number = fields.Char("Cash register registration number", readonly=True)
    ofd_inn = fields.Char("OFD INN", readonly=True)
    receipt_datetime = fields.Datetime("Issued on", readonly=True)

    _sql_constraints = [
        ("external_id_uniq", "unique(external_id)", "This receipt identifier is used already.")
    ]

    @api.depends("kind", "payment_id.name")
    @api.depends_context("lang")
    def _compute_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for rec in self:
            rec.name = f"{labels.get(rec.kind, '')} {rec.payment_id.name or ''}".strip()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for rec in records:
            rec.sudo().callback_token = secrets.token_urlsafe(24)
        return records

    # ------------------------------------------------------------------ making receipts
    @api.model
    def _tko_for_payment(self, payment, register, kind="sell"):
        """The receipt of ``kind`` for ``payment`` in force, made when there is none.

        Idempotent: a payment has at most one sale receipt that is not refunded or cancelled,
        and one refund of it.
        """
        Receipt = self.sudo()
        receipts = Receipt.search([("payment_id", "=", payment.id)], order="id")
        sales = receipts.filtered(lambda r: r.kind == "sell" and r.state != "cancelled")
        open_sale = sales.filtered(
            lambda r: not r.refund_ids.filtered(lambda f: f.state != "cancelled")
        )[-1:]
        if kind == "sell":
            if open_sale:
                return open_sale.with_env(self.env)
            origin = Receipt
        else:
            if not open_sale:
                return self
            origin = open_sale
            if origin.state == "failed" or (origin.state == "to_send" and not origin.attempts):
                # nothing reached the cash register: no refund is needed
                origin.write({"state": "cancelled", "next_attempt_at": False})
                origin._message_log(body=_("Cancelled with its payment before it was sent."))
                return self
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")[:8]
        number = len(receipts.filtered(lambda r: r.kind == kind)) + 1
        receipt = Receipt.create(
            {
                "payment_id": payment.id,
                "register_id": (origin.register_id or register).id,
                "kind": kind,
                "origin_id": origin.id,
                "amount": payment.amount,
                "external_id": f"tko-{dbuuid}-{payment.id}-{kind}-{number}",
                "next_attempt_at": fields.Datetime.now(),
            }
        )
        return receipt.with_env(self.env)

    def _send_later(self):
        """Send in the background (queue_job); the scheduled action is the safety net."""
        for rec in self.filtered(lambda r: r.state == "to_send"):
            rec.with_delay(
                description=_("Fiscal receipt %(name)s", name=rec.name),
                identity_key=f"tko-fiscal-send-{rec.id}",
            )._job_send()

    def _job_send(self):
        self._send()
        return _("Receipt state: %(state)s", state=self.state)

    # ------------------------------------------------------------------ sending
    def _tz(self):
        return pytz.timezone(self.company_id.partner_id.tz or DEFAULT_TZ)

    def _vat_rate(self, date):
        Rate = self.env["tko.vat.rate"].sudo()
        domain = Rate._dated_domain(date)
        rate = Rate.search([*domain, ("company_id", "=", self.company_id.id)], limit=1)
        rate = rate or Rate.search([*domain, ("company_id", "=", False)], limit=1)
        return Decimal(str(rate.rate)) if rate else None

    def _receipt_data(self):
        """The plain data of the core's :func:`~mobill_tko_core.fiscal.atol.build_receipt`."""
        self.ensure_one()
        payment = self.payment_id.sudo()
        register = self.register_id.sudo()
        partner = payment.partner_id
        email = (partner.email or "").strip()
        phone = ""
        if not email:
            for number in (partner.mobile, partner.phone):
                if number and atol.normalise_phone(number):
                    phone = number
                    break
        if not email and not phone:
            email = (register.fallback_email or "").strip()
        vat_type = atol.vat_type_for(
            register.vat_mode,
            self._vat_rate(payment.date_paid) if register.vat_mode != "none" else None,
        )
        item_name = register.item_name_template.format(
            account=payment.account_id.name or payment.contract_id.name or "",
            payer=partner.name or "",
            payment=payment.name or "",
            period=payment.target_period_id.name or "",
        )
        callback_url = ""
        if register.callback_base_url:
            callback_url = (
                f"{register.callback_base_url.rstrip('/')}/mobill_tko/atol/callback"
                f"/{self.id}/{self.sudo().callback_token}"
            )
        now = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(self._tz())
        return atol.ReceiptData(
            external_id=self.external_id,
            operation=self.kind,
            amount=Decimal(str(self.amount)),
            timestamp=now.replace(tzinfo=None),
            company_inn=register.inn or "",
            company_email=register.email or "",
            sno=register.sno,
            payment_address=register.payment_address or "",
            item_name=item_name,
            vat_type=vat_type,
            client_email=email,
            client_phone=phone,
            payment_type=int(register.cash_payment_type) if payment.channel == "cash" else 1,
            payment_method=register.payment_method,
            payment_object=int(register.payment_object),
            callback_url=callback_url,
        )

    def _send(self):
        """Hand the due receipts to the service, each by one worker only (row locks)."""
        if not self:
            return
        self.flush_recordset()
        self.env.cr.execute(
            """
            SELECT id FROM tko_fiscal_receipt
             WHERE id = ANY(%s) AND state = 'to_send'
               FOR UPDATE SKIP LOCKED
            """,
            [self.ids],
        )
        locked = {row[0] for row in self.env.cr.fetchall()}
        # the service's answers are the system's to write (states, fiscal data)
        for rec in trusted(self).filtered(lambda r: r.id in locked):
            rec._send_one()

    def _send_one(self):
        self.ensure_one()
        now = fields.Datetime.now()
        if self.kind == "sell_refund":
            origin = self.origin_id
            if origin.state in ("failed", "cancelled"):
                self.write({"state": "cancelled", "next_attempt_at": False})
                self._message_log(body=_("The sale receipt was not issued: no refund is needed."))
                return
            if origin.state != "done":
                self.next_attempt_at = now + timedelta(seconds=REFUND_WAIT)
                return
        try:
            body = atol.build_receipt(self._receipt_data())
        except atol.FiscalError as error:
            self._attempt_failed(error)
            return
        self.write(
            {
                "request_json": json.dumps(body, ensure_ascii=False, indent=2),
                "attempts": self.attempts + 1,
                "sent_at": now,
            }
        )
        try:
            result = self.register_id._client().send(self.kind, body)
        except atol.FiscalError as error:
            self._attempt_failed(error)
            return
        self.write(
            {
                "state": "waiting",
                "uuid": result.uuid,
                "last_error": False,
                "next_attempt_at": now + timedelta(seconds=POLL_DELAY),
            }
        )
        self._message_log(body=_("Sent to the cash register service."))

    def _attempt_failed(self, error):
        text = self.env["tko.fiscal.register"]._error_text(error)
        now = fields.Datetime.now()
        if not error.retryable:
            self.write({"state": "failed", "last_error": text, "next_attempt_at": False})
            self._message_log(body=_("The receipt failed: %(error)s", error=text))
            return
        delay = atol.retry_delay(self.attempts)
        if delay is None:
            self.write({"state": "error", "last_error": text, "next_attempt_at": False})
            self._message_log(
                body=_(
                    "No attempt left after %(count)s: %(error)s", count=self.attempts, error=text
                )
            )
            return
        self.write(
            {
                "state": "to_send",
                "last_error": text,
                "next_attempt_at": now + timedelta(seconds=delay),
            }
        )

    # ------------------------------------------------------------------ results
    def _poll(self):
        """Ask the service for the result of the waiting receipts."""
        for rec in trusted(self).filtered(lambda r: r.state == "waiting" and r.uuid):
            try:
                result = rec.register_id._client().report(rec.uuid)
            except atol.FiscalError as error:
                text = self.env["tko.fiscal.register"]._error_text(error)
                if error.retryable:
                    rec.write(
                        {
                            "last_error": text,
                            "next_attempt_at": fields.Datetime.now()
                            + timedelta(seconds=POLL_DELAY),
                        }
                    )
                else:
                    rec.write({"state": "error", "last_error": text, "next_attempt_at": False})
                continue
            rec._apply_result(result)

    def _apply_result(self, result):
        """Store a report or a callback (:class:`~mobill_tko_core.fiscal.atol.AtolResult`)."""
        self.ensure_one()
        if result.status == "wait":
            self.next_attempt_at = fields.Datetime.now() + timedelta(seconds=POLL_DELAY)
            return
        if result.status == "fail":
            text = result.error_text or _("The cash register could not register the receipt.")
            self.write({"state": "failed", "last_error": text, "next_attempt_at": False})
            self._message_log(
                body=_("The cash register refused the receipt: %(error)s", error=text)
            )
            return
        when = False
        if result.receipt_datetime:
            local = self._tz().localize(result.receipt_datetime)
            when = local.astimezone(pytz.utc).replace(tzinfo=None)
        self.write(
            {
                "state": "done",
                "last_error": False,
                "next_attempt_at": False,
                "fiscal_receipt_number": result.fiscal_receipt_number,
                "fiscal_document_number": result.fiscal_document_number,
                "fiscal_document_attribute": result.fiscal_document_attribute,
                "fn_number": result.fn_number,
                "shift_number": result.shift_number,
                "ecr_registration_number": result.ecr_registration_number,
                "ofd_inn": result.ofd_inn,
                "receipt_datetime": when,
            }
        )
        self._message_log(
            body=_(
                "Receipt issued: fiscal document %(fd)s, fiscal attribute %(fp)s.",
                fd=result.fiscal_document_number,
                fp=result.fiscal_document_attribute,
            )
        )

    @api.model
    def _tko_callback_receipt(self, receipt_id, token):
        """The receipt ``receipt_id`` (sudo) when ``token`` is its callback secret, compared in
        constant time; else an empty recordset."""
        if not token or not isinstance(token, str) or not receipt_id:
            return self.browse()
        rec = self.sudo().browse(int(receipt_id)).exists()
        secret = rec.callback_token if rec else None
        if not secret or not hmac.compare_digest(secret.encode(), token.encode()):
            return self.browse()
        return rec

    def _tko_callback(self, payload):
        """A callback of the service for this receipt (its secret checked already):
        ``(http_status, message)``. It must name the uuid the service gave this receipt."""
        self.ensure_one()
        rec = self
        if not isinstance(payload, dict):
            return 400, "bad request"
        try:
            result = atol.parse_report(payload)
        except atol.FiscalError as error:
            return 400, str(error)
        if not rec.uuid or result.uuid != rec.uuid:
            return 404, "unknown document"
        if result.external_id and result.external_id != rec.external_id:
            return 404, "unknown document"
        if rec.state == "waiting":
            rec._apply_result(result)
        return 200, "ok"

    # ------------------------------------------------------------------ scheduled actions
    @api.model
    def _cron_send_due(self, limit=100):
        now = fields.Datetime.now()
        due = self.search(
            [
                ("state", "=", "to_send"),
                "|",
                ("next_attempt_at", "=", False),
                ("next_attempt_at", "<=", now),
            ],
            limit=limit,
            order="next_attempt_at, id",
        )
        due._send()

    @api.model
    def _cron_poll_waiting(self, limit=100):
        now = fields.Datetime.now()
        waiting = self.search(
            [
                ("state", "=", "waiting"),
                "|",
                ("next_attempt_at", "=", False),
                ("next_attempt_at", "<=", now),
            ],
            limit=limit,
            order="next_attempt_at, id",
        )
        waiting._poll()

    # ------------------------------------------------------------------ buttons
    def action_send_now(self):
        """Send now (a receipt to send, or one that needs attention: it starts over)."""
        check_rights(self, "write")
        for rec in trusted(self):
            if rec.state not in ("to_send", "error"):
                raise UserError(_("Only a receipt to send or one that needs attention is sent."))
            if rec.state == "error":
                rec.write({"state": "to_send", "attempts": 0})
        self._send()
        return True

    def action_check_status(self):
        check_rights(self, "write")
        self._poll()
        return True

    def action_retry(self):
        """Send a failed receipt again, after the problem was fixed."""
        check_rights(self, "write")
        for rec in trusted(self):
            if rec.state not in ("failed", "error"):
                raise UserError(_("Only a failed receipt or one that needs attention is retried."))
            vals = {"state": "to_send", "attempts": 0, "last_error": False}
            if rec.uuid and rec.state == "failed":
                # the service refused this document for good: a new identifier, a new document
                # (the receipt keeps one identifier at a time: the next number comes from it)
                found = re.fullmatch(r"(?P<base>.+)-r(?P<n>\d+)", rec.external_id)
                base, tries = (found["base"], int(found["n"])) if found else (rec.external_id, 1)
                vals.update(external_id=f"{base}-r{tries + 1}", uuid=False)
            rec.write(vals)
        self._send()
        return True

    def action_cancel(self):
        check_rights(self, "write")
        for rec in self:
            if rec.state not in ("to_send", "failed", "error"):
                raise UserError(_("A receipt handed to the cash register cannot be cancelled."))
        trusted(self).write({"state": "cancelled", "next_attempt_at": False})
        return True
