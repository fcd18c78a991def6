import re

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import raise_user_error
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.exceptions import ValidationError

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.debt_registry import (
    ROW_FIELDS,
    SBERBANK_DEBT,
    DebtRegistryProfile,
    export_due,
    period_to_pay,
)

LINE_ENDINGS = {"crlf": "\r\n", "lf": "\n"}


class TkoDebtRegistryProfile(models.Model):
    """Layout, content, schedule and delivery of a debt registry (реестр задолженностей)
    for a bank or a payment app; the layout fields are those of the core
    ``DebtRegistryProfile``."""

    _name = "tko.debt.registry.profile"
    _description = "Debt registry profile"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(
        required=True,
        default="sberbank_debt",
        help="Short technical name of the layout (used in messages of the file writer).",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    # ---- layout (core DebtRegistryProfile)
    encoding = fields.Selection(
        [("cp1251", "Windows-1251"), ("koi8_r", "KOI8-R"), ("utf-8", "UTF-8")],
        required=True,
        default="cp1251",
        help="Character encoding the bank accepts.",
    )
    separator = fields.Char(required=True, default=";", size=1)
    decimal_mark = fields.Selection([(".", "Dot"), (",", "Comma")], required=True, default=".")
    columns = fields.Char(
        required=True,
        default=",".join(ROW_FIELDS),
        help="Columns of a line in their order, separated by commas: account (personal "
        "account or contract number), payer, address, period, amount.",
    )
    period_format = fields.Selection(
        [("MMYYYY", "MMYYYY"), ("MM.YYYY", "MM.YYYY"), ("MMYY", "MMYY")],
        required=True,
        default="MMYYYY",
    )
    date_format = fields.Char(required=True, default="%d.%m.%Y")
    header = fields.Text(
        "Header lines",
        help="One template per line, written before the accounts. Placeholders: {inn}, "
        "{account}, {seq}, {period:%m.%Y}, {date:%d.%m.%Y}, {count}, {total}.",
    )
    trailer = fields.Char(
        "Trailer line", help="Template written after the accounts, e.g. ={count};{total}"
    )
    filename_pattern = fields.Char(
        "File name",
        required=True,
        default=SBERBANK_DEBT.filename_pattern,
        help="Template of the file name. Sberbank: {inn}_{account}_{seq:03d}_{period:%m%y}.txt",
    )
    line_ending = fields.Selection(
        [("crlf", "CR LF (Windows)"), ("lf", "LF (Unix)")], required=True, default="crlf"
    )
    non_positive = fields.Selection(
        [
            ("zero", "Write 0.00"),
            ("skip", "Leave the account out"),
            ("keep", "Write the advance as a negative amount"),
        ],
        "Accounts paid in advance",
        required=True,
        default="zero",
        help="What to write for an account that owes nothing or has paid in advance.",
    )
    # ---- content
    bank_account_id = fields.Many2one(
        "res.partner.bank",
        "Settlement account",
        check_company=True,
        domain="[('partner_id', '=', company_partner_id)]",
        help="The operator's account the bank credits; it is part of the file name. "
        "Empty: the company's first bank account.",
    )
    company_partner_id = fields.Many2one(related="company_id.partner_id")
    include_accounts = fields.Boolean(
        "Individuals' personal accounts", default=True, help="List the personal accounts."
    )
    include_contracts = fields.Boolean(
        "Contracts", help="List the contracts of legal entities and entrepreneurs."
    )
    zone_ids = fields.Many2many(
        "tko.tariff.zone",
        string="Tariff zones",
        check_company=True,
        help="Only these zones; empty: all.",
    )
    address_ids = fields.Many2many(
        "tko.address",
        string="Settlements",
        check_company=True,
        help="Only objects in these settlements (or districts, streets); empty: everywhere.",
    )
    min_amount = fields.Monetary(
        "Minimum amount due", help="Accounts owing less are left out; 0: no limit."
    )
    months_back = fields.Integer(
        "Period to pay: months before the export",
        default=1,
        help="1: the month before the export (charges of last month); 0: the export's month.",
    )
    # ---- schedule and delivery
    schedule = fields.Selection(
        [("none", "By hand only"), ("monthly", "Monthly"), ("daily", "Daily")],
        required=True,
        default="none",
        tracking=True,
    )
    schedule_day = fields.Integer(
        "Day of the month",
        default=1,
        help="Monthly export on this day (the last day in shorter months).",
    )
    delivery = fields.Selection(
        [("keep", "Keep the file here"), ("email", "Send by e-mail")],
        required=True,
        default="keep",
        tracking=True,
    )
    email_to = fields.Char(
        "Send to", help="E-mail address(es) of the bank, separated by commas.", tracking=True
    )
    export_ids = fields.One2many("tko.debt.registry.export", "profile_id", "Exports")
    export_count = fields.Integer(compute="_compute_export_count")
    last_export_date = fields.Date("Last export", compute="_compute_export_count")

    @api.depends("export_ids.state")
    def _compute_export_count(self):
        for rec in self:
            done = rec.export_ids.filtered(lambda e: e.state == "done")
            rec.export_count = len(rec.export_ids)
            rec.last_export_date = max(done.mapped("date_at"), default=False)

    # ------------------------------------------------------------------ core profile
    def _column_list(self):
        return [c.strip() for c in (self.columns or "").split(",") if c.strip()]

    def _to_profile(self):
        """The core :class:`DebtRegistryProfile` of this record."""
        self.ensure_one()
        try:
            return DebtRegistryProfile.from_dict(
                {
                    "name": self.code,
                    "encoding": self.encoding,
                    "separator": self.separator or "",
                    "decimal_mark": self.decimal_mark,
                    "columns": self._column_list(),
                    "period_format": self.period_format,
                    "date_format": self.date_format,
                    "header": [h for h in (self.header or "").splitlines() if h.strip()],
                    "trailer": self.trailer or None,
                    "filename_pattern": self.filename_pattern or "",
                    "line_ending": LINE_ENDINGS[self.line_ending or "crlf"],
                    "non_positive": self.non_positive,
                }
            )
        except FormatError as exc:
            raise_user_error(self.env, exc)

    @api.constrains(
        "code",
        "encoding",
        "separator",
        "decimal_mark",
        "columns",
        "period_format",
        "filename_pattern",
        "non_positive",
    )
    def _check_profile(self):
        for rec in self:
            rec._to_profile()
            unknown = [c for c in rec._column_list() if c not in ROW_FIELDS]
            if unknown:
                raise ValidationError(
                    _(
                        "Unknown columns: %(columns)s. Use: %(known)s.",
                        columns=", ".join(unknown),
                        known=", ".join(ROW_FIELDS),
                    )
                )

    @api.constrains("schedule", "schedule_day", "delivery", "email_to", "months_back")
    def _check_schedule(self):
        for rec in self:
            if rec.schedule == "monthly" and not 1 <= rec.schedule_day <= 31:
                raise ValidationError(_("The day of the monthly export must be 1 to 31."))
            if rec.delivery == "email" and not (rec.email_to or "").strip():
                raise ValidationError(_("Give the e-mail address the registry is sent to."))
            if not 0 <= rec.months_back <= 12:
                raise ValidationError(_("The period to pay must be 0 to 12 months back."))

    @api.constrains("include_accounts", "include_contracts")
    def _check_content(self):
        for rec in self:
            if not (rec.include_accounts or rec.include_contracts):
                raise ValidationError(
                    _("A debt registry lists personal accounts, contracts or both.")
                )

    def _settlement_account(self):
        self.ensure_one()
        bank = self.bank_account_id or self.env["res.partner.bank"].sudo().search(
            [("partner_id", "=", self.company_id.partner_id.id)], order="sequence, id", limit=1
        )
        return re.sub(r"\s", "", bank.acc_number or "")

    # ------------------------------------------------------------------ actions
    def _new_export(self, date_at=None):
        self.ensure_one()
        date_at = date_at or fields.Date.context_today(self)
        return self.env["tko.debt.registry.export"].create(
            {
                "profile_id": self.id,
                "date_at": date_at,
                "period": period_to_pay(date_at, self.months_back),
            }
        )

    def action_export_now(self):
        """Export the registry as of today and open it."""
        self.ensure_one()
        check_rights(self, "read")
        check_rights(self.env["tko.debt.registry.export"], "create")
        export = self._new_export()
        export.action_export()
        return {
            "type": "ir.actions.act_window",
            "res_model": "tko.debt.registry.export",
            "res_id": export.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_exports(self):
        self.ensure_one()
        check_rights(self, "read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_integrations.tko_debt_registry_export_action"
        )
        action["domain"] = [("profile_id", "=", self.id)]
        action["context"] = {"default_profile_id": self.id}
        return action

    @api.model
    def _cron_export_scheduled(self):
        """Export the registries of the scheduled profiles that are due today."""
        for profile in self.search([("schedule", "!=", "none")]):
            today = fields.Date.context_today(profile.with_company(profile.company_id))
            if not export_due(
                profile.schedule, profile.schedule_day, today, profile.last_export_date or None
            ):
                continue
            export = profile.with_company(profile.company_id)._new_export(today)
            export.action_export()  # a failure is stated on the export and in its chatter
