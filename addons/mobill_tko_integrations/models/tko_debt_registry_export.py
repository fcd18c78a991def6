from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_error_message, trusted
from odoo.addons.mobill_tko_base.tools.access import check_rights
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.debt_registry import DebtRow, period_to_pay, write_debt_registry
from mobill_tko_core.money import round_money

# The file and its figures are the export's to write (trusted()), never a client's.
ENGINE_FIELDS = (
    "name",
    "state",
    "row_count",
    "skipped_count",
    "amount_total",
    "attachment_id",
    "exported_by",
    "exported_on",
    "error_message",
    "mail_id",
    "email_to",
)


class TkoDebtRegistryExport(models.Model):
    """One export of a debt registry: the accounts with the amounts due on a date, written in
    the layout of the profile into a file kept here (and sent by e-mail when the profile
    says so)."""

    _name = "tko.debt.registry.export"
    _description = "Debt registry export"
    _inherit = ["mail.thread", "tko.protected.fields.mixin"]
    _tko_protected_fields = ENGINE_FIELDS
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char("File name", readonly=True, copy=False, default=lambda self: _("New export"))
    profile_id = fields.Many2one(
        "tko.debt.registry.profile",
        "Profile",
        required=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="profile_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_at = fields.Date(
        "Debt on",
        required=True,
        default=fields.Date.context_today,
        help="Charges and payments up to this date (inclusive) make the amount due.",
    )
    period = fields.Date(
        "Period to pay",
        required=True,
        help="The month the registry asks to pay (any day of it; the first is kept).",
    )
    period_label = fields.Char("Month to pay", compute="_compute_period_label")
    seq = fields.Integer(
        "Number", readonly=True, copy=False, help="Sequence number of the file in its period."
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Exported"), ("failed", "Failed")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    row_count = fields.Integer("Accounts in the file", readonly=True)
    skipped_count = fields.Integer(
        "Left out", readonly=True, help="Below the minimum amount or paid in advance."
    )
    amount_total = fields.Monetary("Total due", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", "File", readonly=True, copy=False)
    file = fields.Binary(related="attachment_id.datas", string="Registry file")
    exported_by = fields.Many2one("res.users", readonly=True, copy=False)
    exported_on = fields.Datetime(readonly=True, copy=False)
    error_message = fields.Text("Problem", readonly=True, copy=False)
    mail_id = fields.Many2one("mail.mail", "E-mail", readonly=True, copy=False)
    email_to = fields.Char("Sent to", readonly=True, copy=False)

    @api.depends("period")
    def _compute_period_label(self):
        for rec in self:
            rec.period_label = rec.period.strftime("%m.%Y") if rec.period else False

    @api.onchange("profile_id", "date_at")
    def _onchange_period(self):
        if self.profile_id and self.date_at:
            self.period = period_to_pay(self.date_at, self.profile_id.months_back)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(rec.state == "done" for rec in self):
            raise UserError(_("An exported registry is kept; it cannot be deleted."))

    # ------------------------------------------------------------------ amounts due
    def _selected(self, key):
        """``[(id, number, payer, address, closed)]`` of the accounts (``account_id``) or
        contracts (``contract_id``) the profile lists, in one SQL query."""
        profile = self.profile_id
        where = [SQL("r.company_id = %s", self.company_id.id)]
        if key == "account_id":
            table, target = SQL("tko_account"), SQL("o.id = r.object_id")
            closed = SQL("r.date_close IS NOT NULL AND r.date_close <= %s", self.date_at)
        else:
            table = SQL("tko_contract")
            target = SQL(
                "o.id = (SELECT min(l.object_id) FROM tko_contract_line l "
                "WHERE l.contract_id = r.id)"
            )
            closed = SQL("r.state = 'terminated'")
            where.append(SQL("r.state != 'draft'"))
        if profile.zone_ids:
            where.append(SQL("o.zone_id = ANY(%s)", profile.zone_ids.ids))
        if profile.address_ids:
            paths = [f"{p}%" for p in profile.address_ids.mapped("parent_path")]
            where.append(SQL("ad.parent_path LIKE ANY(%s)", paths))
        self.env.cr.execute(
            SQL(
                """
                SELECT r.id, r.name, COALESCE(pa.name, ''), COALESCE(ad.full_name, ''),
                       %(closed)s
                  FROM %(table)s r
                  JOIN res_partner pa ON pa.id = r.partner_id
             LEFT JOIN tko_object o ON %(target)s
             LEFT JOIN tko_address ad ON ad.id = o.address_id
                 WHERE %(where)s
                 ORDER BY r.name
                """,
                table=table,
                target=target,
                closed=closed,
                where=SQL(" AND ").join(where),
            )
        )
        return self.env.cr.fetchall()

    def _debt_rows(self):
        """``(rows, left out)``: a :class:`DebtRow` per account or contract with its amount
        due on ``date_at``, computed for all of them at once by ``tko.payment._tko_balance``."""
        self.ensure_one()
        profile = self.profile_id
        Payment = self.env["tko.payment"]
        for model in ("tko.account", "tko.contract", "tko.contract.line", "tko.address"):
            self.env[model].flush_model()
        rows, skipped = [], 0
        minimum = round_money(Decimal(str(profile.min_amount or 0)))
        for key, wanted in (
            ("account_id", profile.include_accounts),
            ("contract_id", profile.include_contracts),
        ):
            if not wanted:
                continue
            selected = self._selected(key)
            balance = Payment._tko_balance(key, [r[0] for r in selected], self.date_at)
            for rid, number, payer, address, closed in selected:
                due = round_money(Decimal(str(balance.get(rid, 0.0))))
                if closed and due <= 0:
                    continue  # closed and settled: not the bank's business
                if (minimum > 0 and due < minimum) or (due <= 0 and profile.non_positive == "skip"):
                    skipped += 1
                    continue
                rows.append(DebtRow(number, due, payer, address))
        return rows, skipped

    def _next_seq(self):
        self.ensure_one()
        self.flush_model(["profile_id", "period", "state", "seq"])
        self.env.cr.execute(
            "SELECT COALESCE(max(seq), 0) FROM tko_debt_registry_export "
            "WHERE profile_id = %s AND period = %s AND state = 'done'",
            (self.profile_id.id, self.period.replace(day=1)),
        )
        return self.env.cr.fetchone()[0] + 1

    # ------------------------------------------------------------------ export
    def action_export(self):
        """Write the file. A problem (no INN, a wrong layout, a bad row) is stated on the
        export, which is then marked failed; nothing else changes."""
        check_rights(self, "write")
        for rec in trusted(self):
            if rec.state == "done":
                raise UserError(_("This registry has been exported already."))
            rec._export_one()
        return True

    def _export_one(self):
        self.ensure_one()
        profile = self.profile_id
        company = self.company_id
        self.period = self.period.replace(day=1)
        seq = self._next_seq()
        problems = []
        if not company.vat:
            problems.append(_("The company %(company)s has no INN.", company=company.name))
        needs_account = "{account" in (profile.filename_pattern or "")
        if needs_account and not profile._settlement_account():
            problems.append(
                _("Choose the settlement account on the profile (the company has no bank account).")
            )
        if problems:
            return self._fail("\n".join(problems))
        rows, skipped = self._debt_rows()
        try:
            filename, data = write_debt_registry(
                rows,
                profile._to_profile(),
                inn=company.vat,
                account=profile._settlement_account(),
                seq=seq,
                period=self.period,
                export_date=self.date_at,
            )
        except FormatError as exc:
            details = []
            for e in exc.params.get("errors", [])[:20]:
                account = rows[e.line - 1].account if 0 < e.line <= len(rows) else ""
                details.append(
                    _(
                        "row %(row)s (%(account)s): %(problem)s",
                        row=e.line,
                        account=account,
                        problem=core_error_message(e, self.env),
                    )
                )
            return self._fail("\n".join([core_error_message(exc, self.env), *details]))
        attachment = self.env["ir.attachment"].create(
            {
                "name": filename,
                "raw": data,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "text/plain",
            }
        )
        self.write(
            {
                "name": filename,
                "seq": seq,
                "state": "done",
                "row_count": len(rows),
                "skipped_count": skipped,
                "amount_total": float(sum((r.amount for r in rows if r.amount > 0), Decimal())),
                "attachment_id": attachment.id,
                "exported_by": self.env.uid,
                "exported_on": fields.Datetime.now(),
                "error_message": False,
            }
        )
        self.message_post(
            body=_(
                "Debt registry exported: %(count)s accounts, %(total)s due.",
                count=len(rows),
                total=format_amount(self.env, self.amount_total, self.currency_id),
            ),
            attachment_ids=attachment.ids,
        )
        if profile.delivery == "email":
            self._send(attachment)
        return True

    def _fail(self, message):
        self.write({"state": "failed", "error_message": message})
        self.message_post(body=_("The debt registry was not exported: %s", message))
        return False

    def _send(self, attachment):
        self.ensure_one()
        profile = self.profile_id
        total = format_amount(self.env, self.amount_total, self.currency_id)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": _(
                        "Debt registry %(name)s of %(company)s",
                        name=self.name,
                        company=self.company_id.name,
                    ),
                    "body_html": _(
                        "<p>The debt registry for %(period)s is attached: %(count)s accounts, "
                        "%(total)s due.</p>",
                        period=self.period.strftime("%m.%Y"),
                        count=self.row_count,
                        total=total,
                    ),
                    "email_from": self.company_id.email_formatted or self.env.user.email_formatted,
                    "email_to": profile.email_to,
                    "attachment_ids": [fields.Command.link(attachment.id)],
                    "model": self._name,
                    "res_id": self.id,
                }
            )
        )
        self.write({"mail_id": mail.id, "email_to": profile.email_to})

    def action_reset(self):
        """Back to draft after a failure, to try again."""
        check_rights(self, "write")
        trusted(self.filtered(lambda r: r.state == "failed")).write({"state": "draft"})
        return True
