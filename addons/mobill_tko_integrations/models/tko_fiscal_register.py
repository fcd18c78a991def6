from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_message
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.exceptions import UserError, ValidationError

from mobill_tko_core.fiscal import atol

#: Tokens of АТОЛ Онлайн shared by every client of this process (valid about 24 h).
_TOKEN_CACHE: dict = {}

SNO = [
    ("osn", "General (ОСН)"),
    ("usn_income", "Simplified, income (УСН доходы)"),
    ("usn_income_outcome", "Simplified, income less expenses (УСН доходы − расходы)"),
    ("esn", "Unified agricultural tax (ЕСХН)"),
    ("patent", "Patent (ПСН)"),
]
PAYMENT_METHODS = [
    ("full_payment", "Full payment (полный расчёт)"),
    ("credit_payment", "Payment of a credit (оплата кредита)"),
    ("full_prepayment", "Full prepayment (предоплата 100 %)"),
    ("advance", "Advance (аванс)"),
]
PAYMENT_OBJECTS = [
    ("4", "Service (услуга)"),
    ("10", "Payment (платёж)"),
    ("13", "Other (иной предмет расчёта)"),
]
VAT_MODES = [
    ("rate", "VAT rate of the payment date (20 %, 22 % from 2026)"),
    ("calculated", "Calculated VAT rate (20/120, 22/122)"),
    ("none", "No VAT (НДС не облагается)"),
]


class TkoFiscalRegister(models.Model):
    """A cloud cash register of АТОЛ Онлайн v5 (54-ФЗ) of one operator company.

    It issues the receipts of the payments the operator accepts itself (its cash desk, its site or
    app); banks and payment agents issue their own receipts for the payments they take.
    """

    _name = "tko.fiscal.register"
    _description = "Cloud cash register (54-ФЗ)"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    api_url = fields.Char(
        "API URL",
        required=True,
        default="https://online.atol.ru/possystem/v5",
        tracking=True,
        help="Address of the АТОЛ Онлайн API, ending with /possystem/v5 "
        "(test service: https://testonline.atol.ru/possystem/v5).",
    )
    login = fields.Char(
        required=True, tracking=True, help="Login of the integration in АТОЛ Онлайн."
    )
    password = fields.Char(
        groups="mobill_tko_base.group_tko_admin",
        help="Password of the integration in АТОЛ Онлайн (visible to administrators only).",
    )
    group_code = fields.Char(
        "Group code", required=True, tracking=True, help="Group of cash registers in АТОЛ Онлайн."
    )
    inn = fields.Char(
        "Company INN",
        compute="_compute_company_data",
        store=True,
        readonly=False,
        tracking=True,
        help="INN printed on the receipts; taken from the company.",
    )
    email = fields.Char(
        "Company e-mail",
        compute="_compute_company_data",
        store=True,
        readonly=False,
        tracking=True,
        help="E-mail of the seller on the receipts.",
    )
    sno = fields.Selection(SNO, "Taxation system", required=True, default="osn", tracking=True)
    payment_address = fields.Char(
        "Payment address",
        required=True,
        tracking=True,
        help="Where the payments are accepted: the site for online payments or the address of "
        "the cash desk.",
    )
    item_name_template = fields.Char(
        "Receipt line",
        required=True,
        default="Обращение с ТКО, л/с {account}",
        help="Text of the receipt line. Placeholders: {account} (personal account or contract "
        "number), {payer}, {payment} (payment number), {period} (paid period).",
    )
    payment_method = fields.Selection(
        PAYMENT_METHODS,
        "Payment method",
        required=True,
        default="full_payment",
        tracking=True,
        help="Ask your accountant: payment of a past period's charges is usually a full payment.",
    )
    payment_object = fields.Selection(
        PAYMENT_OBJECTS, "Payment object", required=True, default="4", tracking=True
    )
    vat_mode = fields.Selection(
        VAT_MODES,
        "VAT",
        required=True,
        default="rate",
        tracking=True,
        help="The VAT rate is taken from the VAT rates by the date the consumer paid.",
    )
    fiscalise_cash = fields.Boolean(
        "Cash desk payments", default=True, tracking=True, help="Issue receipts for them."
    )
    fiscalise_online = fields.Boolean(
        "Online payments (own site, app, СБП)",
        default=True,
        tracking=True,
        help="Issue receipts for them. Bank transfers, post offices and payment agents issue "
        "their own receipts.",
    )
    cash_payment_type = fields.Selection(
        [("0", "Cash"), ("1", "Card or other electronic means")],
        "Cash desk takes",
        required=True,
        default="0",
    )
    auto_send = fields.Boolean(
        "Send automatically",
        default=True,
        tracking=True,
        help="Send the receipt as soon as a payment is posted. Otherwise staff press "
        "“Send receipt” on the payment.",
    )
    callback_base_url = fields.Char(
        "Callback base URL",
        help="Public address of this Odoo (e.g. https://billing.example.ru): the service "
        "reports the result there. Empty: results are polled by a scheduled action.",
    )
    fallback_email = fields.Char(
        "E-mail for consumers without contacts",
        help="Receipts of consumers with neither e-mail nor phone are sent here (e.g. the cash "
        "desk mailbox). Empty: such receipts stop with an error.",
    )
    timeout = fields.Integer("Timeout, s", default=30, help="Time to wait for the service.")
    receipt_ids = fields.One2many("tko.fiscal.receipt", "register_id", "Receipts")
    receipt_count = fields.Integer(compute="_compute_receipt_count")
    problem_count = fields.Integer(compute="_compute_receipt_count")

    @api.depends("company_id")
    def _compute_company_data(self):
        for rec in self:
            rec.inn = rec.company_id.vat or rec.inn
            rec.email = rec.company_id.email or rec.email

    def _compute_receipt_count(self):
        groups = self.env["tko.fiscal.receipt"]._read_group(
            [("register_id", "in", self.ids)], ["register_id", "state"], ["__count"]
        )
        counts, problems = {}, {}
        for register, state, count in groups:
            counts[register.id] = counts.get(register.id, 0) + count
            if state in ("failed", "error"):
                problems[register.id] = problems.get(register.id, 0) + count
        for rec in self:
            rec.receipt_count = counts.get(rec.id, 0)
            rec.problem_count = problems.get(rec.id, 0)

    @api.constrains("timeout", "inn", "item_name_template")
    def _check_settings(self):
        for rec in self:
            if rec.timeout <= 0 or rec.timeout > 300:
                raise ValidationError(_("The timeout must be between 1 and 300 seconds."))
            if rec.inn and not atol.INN_RE.match(rec.inn):
                raise ValidationError(_("The company INN must have 10 or 12 digits."))
            try:
                rec.item_name_template.format(account="", payer="", payment="", period="")
            except (KeyError, IndexError, ValueError) as error:
                raise ValidationError(
                    _(
                        "The receipt line has an unknown placeholder %(error)s: use {account}, "
                        "{payer}, {payment} or {period}.",
                        error=error,
                    )
                ) from error

    # ------------------------------------------------------------------ use
    def _fiscalises(self, channel):
        self.ensure_one()
        return (channel == "cash" and self.fiscalise_cash) or (
            channel == "online" and self.fiscalise_online
        )

    @api.model
    def _for_payment(self, payment):
        """The active register of the payment's company that fiscalises its channel."""
        registers = self.sudo().search([("company_id", "=", payment.company_id.id)])
        return registers.filtered(lambda r: r._fiscalises(payment.channel))[:1]

    def _client(self):
        """An :class:`~mobill_tko_core.fiscal.atol.AtolClient` of this register."""
        self.ensure_one()
        me = self.sudo()
        return atol.AtolClient(
            me.api_url,
            me.login,
            me.password or "",
            me.group_code,
            timeout=me.timeout or 30,
            token_cache=_TOKEN_CACHE,
        )

    def action_test_connection(self):
        self.ensure_one()
        check_rights(self, "write")
        try:
            self._client().check_connection()
        except atol.FiscalError as error:
            raise UserError(
                _("The connection failed: %(error)s", error=self._error_text(error))
            ) from error
        self.message_post(body=_("Connection test passed: the service gave an access token."))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Cash register"),
                "message": _("The service accepted the login and password."),
                "sticky": False,
            },
        }

    @api.model
    def _error_text(self, error):
        """The message of a cash register error in the user's language, by its code."""
        params = dict(error.params)
        params["problems"] = "; ".join(
            core_message(self.env, f"fiscal_problem.{code}", error.params, code)
            for code in params.get("problems") or ()
        )
        return core_message(self.env, error.code, params, str(error))

    def action_view_receipts(self):
        self.ensure_one()
        check_rights(self, "read")
        return {
            "type": "ir.actions.act_window",
            "name": _("Fiscal receipts"),
            "res_model": "tko.fiscal.receipt",
            "view_mode": "tree,form",
            "domain": [("register_id", "=", self.id)],
        }
