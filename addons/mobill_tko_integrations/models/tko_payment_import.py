import base64
import logging
import re
import time
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_error_message, field_label, trusted
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action, check_rights
from odoo.addons.mobill_tko_billing.tools.copy_writer import CopyBuffer
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize, format_amount, split_every

from mobill_tko_core.allocation import match_payment
from mobill_tko_core.formats import FormatError, LineError, fingerprint, onec_bank, registry

_logger = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"[0-9A-Za-zА-Яа-яЁё][0-9A-Za-zА-Яа-яЁё\-/.]*[0-9A-Za-zА-Яа-яЁё]|\d")
_ONEC_START = b"1CClientBankExchange"


# Written by the import's actions and its job only (trusted()), never by a client: a client
# that set ``state = done`` with a file's fingerprint could block the real file as a duplicate.
ENGINE_FIELDS = (
    "state",
    "fingerprint",
    "job_uuid",
    "duplicate_of_id",
    "bank",
    "registry_number",
    "error_count",
    "warning_count",
    "line_count",
    "amount_total",
    "booked_count",
    "booked_amount",
    "skipped_count",
    "unallocated_count",
    "order_date",
    "order_expected",
    "order_id",
)


class TkoPaymentImport(models.Model):
    """A bank statement (1C) or a bank registry file: checked line by line, then booked as
    payments all at once or not at all."""

    _name = "tko.payment.import"
    _description = "Payment import"
    _inherit = ["mail.thread", "tko.job.watch.mixin", "tko.protected.fields.mixin"]
    _tko_protected_fields = ENGINE_FIELDS
    _order = "id desc"
    # a background import is active while its job has not imported it
    _tko_watch_active_states = ("queued",)
    _check_company_auto = True

    name = fields.Char(required=True, default=lambda self: _("New import"), tracking=True)
    file = fields.Binary(attachment=True, required=True)
    file_name = fields.Char()
    file_format = fields.Selection(
        [("onec", "1C bank statement"), ("registry", "Bank registry")],
        "Format",
        required=True,
        default="registry",
        tracking=True,
    )
    profile_id = fields.Many2one(
        "tko.registry.profile",
        "Registry profile",
        check_company=True,
        default=lambda self: self.env.ref(
            "mobill_tko_integrations.registry_profile_sberbank", raise_if_not_found=False
        ),
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("queued", "In the background"),
            ("checked", "Checked"),
            ("rejected", "Rejected"),
            ("done", "Imported"),
        ],
        default="draft",
        required=True,
        # set by the actions only: readonly, so that the form does not send its default on
        # create (the protected fields mixin refuses a client's value of it)
        readonly=True,
        tracking=True,
        index=True,
    )
    channel = fields.Selection(
        [("bank", "Bank transfer"), ("agent", "Payment agent"), ("post", "Post office")],
        default="bank",
        required=True,
    )
    source = fields.Selection(
        [
            ("upload", "Uploaded by staff"),
            ("mail", "E-mail"),
            ("sftp", "SFTP folder"),
            ("api", "HTTP API"),
        ],
        default="upload",
        required=True,
        readonly=True,
        tracking=True,
    )
    source_ref = fields.Char(
        "Received from", readonly=True, help="Mailbox sender, SFTP path or API client."
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    fingerprint = fields.Char(readonly=True, index=True, copy=False)
    job_uuid = fields.Char("Background job", readonly=True, copy=False)
    duplicate_of_id = fields.Many2one(
        "tko.payment.import", "Same file as", readonly=True, check_company=True
    )
    bank = fields.Char("Bank / source", readonly=True)
    registry_number = fields.Char("Registry / order number", readonly=True)
    error_ids = fields.One2many("tko.payment.import.error", "import_id", "Problems")
    error_count = fields.Integer(readonly=True)
    warning_count = fields.Integer(readonly=True)
    line_count = fields.Integer("Payments in the file", readonly=True)
    amount_total = fields.Monetary("Total in the file", readonly=True)
    booked_count = fields.Integer("Booked", readonly=True)
    booked_amount = fields.Monetary("Booked amount", readonly=True)
    skipped_count = fields.Integer(
        "Already booked", readonly=True, help="Payments booked before from another file."
    )
    unallocated_count = fields.Integer("Unallocated", readonly=True)
    payment_ids = fields.One2many("tko.payment", "import_id", "Payments")
    # a registry: the payment order that carries its money (named in its trailer)
    order_date = fields.Date("Order date", readonly=True)
    order_expected = fields.Monetary(
        "Order amount expected",
        readonly=True,
        help="The sum the bank transfers for this registry (its trailer): total less commission.",
    )
    order_id = fields.Many2one(
        "tko.payment.order", "Bank payment order", readonly=True, check_company=True
    )
    order_state = fields.Selection(related="order_id.state", string="Order check")
    # a 1C statement: the registries' payment orders it contains (not booked as payments)
    statement_order_ids = fields.One2many(
        "tko.payment.order", "import_id", "Registry payment orders"
    )
    statement_order_count = fields.Integer(compute="_compute_statement_order_count")

    @api.model_create_multi
    def create(self, vals_list):
        # an import is known by its file: the file name replaces the default name
        defaults = {False, None, "", "New import", _("New import")}
        for vals in vals_list:
            if vals.get("file_name") and vals.get("name") in defaults:
                vals["name"] = vals["file_name"]
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("file_name") and "name" not in vals:
            for rec in self.filtered(lambda r: r.name in ("New import", _("New import"))):
                rec.name = vals["file_name"]
        return super().write(vals)

    @api.onchange("file_name")
    def _onchange_file_name(self):
        if self.file_name and self.name in ("New import", _("New import")):
            self.name = self.file_name

    def _compute_statement_order_count(self):
        for rec in self:
            rec.statement_order_count = len(rec.statement_order_ids)

    def init(self):
        # a file is imported once per company; rejected or checked copies may exist
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS tko_payment_import_fingerprint_done_uniq
                   ON tko_payment_import (company_id, fingerprint) WHERE state = 'done'"""
        )

    # ------------------------------------------------------------------ parsing
    def _raw(self):
        self.ensure_one()
        if not self.file:
            raise UserError(_("Upload a file first."))
        return base64.b64decode(self.file)

    def _own_accounts(self):
        banks = (
            self.env["res.partner.bank"]
            .sudo()
            .search([("partner_id", "=", self.company_id.partner_id.id)])
        )
        return {re.sub(r"\s", "", b.acc_number or "") for b in banks} - {""}

    def _parse(self):
        """``(errors, warnings, payments)``: LineErrors and normalised payment dicts."""
        self.ensure_one()
        data = self._raw()
        namespace = self._key_namespace()
        self.fingerprint = namespace + fingerprint(data)
        try:
            errors, warnings, payments = getattr(self, f"_parse_{self.file_format}")(data)
        except FormatError as exc:
            return [LineError(0, None, exc.code, exc.message, exc.params)], [], []
        if namespace:
            for p in payments:
                if not p["key"].startswith(namespace):
                    p["key"] = namespace + p["key"]
        return errors, warnings, payments

    def _key_namespace(self):
        """The prefix of the idempotency keys (and of the file fingerprint) of what a payment
        agent posts: ``agent:<code>:``. A payment or a file is «already booked» only against
        the same source, so an agent cannot book a key of a bank's registry (or of another
        agent) and make the real payment skip as a duplicate. Staff uploads, the mailbox and
        SFTP folders are the bank's own channel: no prefix."""
        self.ensure_one()
        agent = self.agent_id
        return f"agent:{agent.code}:" if agent else ""

    def _parse_onec(self, data):
        statement = onec_bank.read_statement(data)
        own = self._own_accounts()
        errors, warnings = list(statement.errors), list(statement.warnings)
        if not own:
            errors.append(
                LineError(
                    0,
                    None,
                    "no_own_accounts",
                    _("The company has no bank account: add its accounts to the company."),
                    {"translated": True},
                )
            )
        self.bank = statement.sender or ""
        payments = []
        profiles = self.env["tko.registry.profile"].search(
            [("company_id", "in", [self.company_id.id, False])]
        )
        # each profile: its bank's INN and its purpose pattern, both must match
        rules = [
            ((p.order_payer_inn or "").split(","), p.order_purpose_regex or None)
            for p in profiles
            if p.order_payer_inn
        ]
        for doc in onec_bank.incoming_payments(statement, own):
            is_order = any(
                registry.is_registry_order(doc, inns, pattern) for inns, pattern in rules
            )
            payments.append(
                {
                    "kind": "order" if is_order else "payment",
                    "line": doc.line,
                    "key": doc.key,
                    "amount": doc.amount,
                    "date_paid": doc.date,
                    "date_booked": doc.received or doc.date,
                    "account_number": "",
                    "purpose": doc.purpose,
                    "payer": doc.payer.name,
                    "payer_inn": doc.payer.inn,
                    "reference": doc.number,
                    "period": None,
                    "bank": doc.payee.bank_name or statement.sender,
                    "registry_number": doc.number,
                }
            )
        return errors, warnings, payments

    def _parse_registry(self, data):
        if not self.profile_id:
            raise UserError(_("Choose the registry profile of the file."))
        profile = self.profile_id._to_profile()
        result = registry.read_registry(data, profile)
        trailer = result.trailer
        number = trailer.order_number if trailer else ""
        # the bank as people read it (the profile's name), not the source id of the keys
        bank_name = self.profile_id.name or profile.source
        self.bank = bank_name
        self.registry_number = number
        self.order_date = trailer.order_date if trailer else False
        expected = None
        if trailer:
            expected = (
                trailer.transfer_total if trailer.transfer_total is not None else (trailer.total)
            )
        self.order_expected = float(expected) if expected is not None else 0.0
        today = fields.Date.context_today(self)
        payments = [
            {
                "line": p.line,
                "key": p.key,
                "amount": p.amount,
                "date_paid": p.paid_date or (trailer and trailer.order_date) or today,
                "date_booked": (trailer and trailer.order_date) or today,
                "account_number": p.account,
                "purpose": " ".join(x for x in (p.payer, p.address) if x),
                "payer": p.payer,
                "payer_inn": "",
                "reference": p.operation_id or number,
                "period": p.period,
                "bank": bank_name,
                "registry_number": number,
            }
            for p in result.records
        ]
        return list(result.errors), list(result.warnings), payments

    def _write_report(self, errors, warnings, payments, orders=()):
        self.ensure_one()
        self.error_ids.unlink()
        vals = [
            {
                "import_id": self.id,
                "severity": severity,
                "line": e.line,
                "field_name": e.field or False,
                "field_label": field_label(self.env, e.field) or False,
                "code": e.code,
                "message": core_error_message(e, self.env),
            }
            for severity, items in (("error", errors), ("warning", warnings))
            for e in items
        ]
        vals += [
            {
                "import_id": self.id,
                "severity": "info",
                "line": o["line"],
                "code": "registry_order",
                "message": _(
                    "Payment order %(number)s for %(amount)s carries a bank registry: "
                    "it is checked against the registry, not booked as a payment.",
                    number=o["reference"],
                    amount=format_amount(self.env, float(o["amount"]), self.company_id.currency_id),
                ),
            }
            for o in orders
        ]
        self.env["tko.payment.import.error"].create(vals)
        self.write(
            {
                "error_count": len(errors),
                "warning_count": len(warnings),
                "line_count": len(payments),
                "amount_total": float(sum((p["amount"] for p in payments), Decimal(0))),
            }
        )

    def _check_duplicate_file(self, errors):
        done = self.search(
            [
                ("id", "!=", self.id),
                ("company_id", "=", self.company_id.id),
                ("fingerprint", "=", self.fingerprint),
                ("state", "=", "done"),
            ],
            limit=1,
        )
        self.duplicate_of_id = done
        if done:
            errors.insert(
                0,
                LineError(
                    0,
                    None,
                    "file_already_imported",
                    _("This file has been imported already: %(name)s.", name=done.name),
                    {"translated": True},
                ),
            )

    # ------------------------------------------------------------------ actions
    def action_check(self):
        """Parse and list every problem; nothing is booked."""
        check_rights(self, "write")
        for rec in trusted(self):
            if rec.state == "done":
                raise UserError(_("The file %(name)s is imported already.", name=rec.name))
            errors, warnings, payments = rec._parse()
            payments, orders = rec._split_orders(payments)
            rec._check_duplicate_file(errors)
            rec._write_report(errors, warnings, payments, orders)
            rec.state = "rejected" if errors else "checked"
        return True

    def action_import(self):
        """Parse again and book every payment, or none when the file has any error."""
        check_action(self, ACCOUNTANT, "write")
        for rec in trusted(self):
            if rec.state == "done":
                raise UserError(_("The file %(name)s is imported already.", name=rec.name))
            started = time.perf_counter()
            errors, warnings, payments = rec._parse()
            payments, orders = rec._split_orders(payments)
            rec._check_duplicate_file(errors)
            rec._write_report(errors, warnings, payments, orders)
            parsed = time.perf_counter()
            _logger.info(
                "Payment import %s: %s line(s) read and checked in %.1f s, %s error(s)",
                rec.id,
                len(payments),
                parsed - started,
                len(errors),
            )
            if errors:
                rec.state = "rejected"
                rec._message_log(
                    body=_("Rejected: %(count)s problem(s); nothing was booked.", count=len(errors))
                )
                continue
            rec._book(payments, orders)
            _logger.info(
                "Payment import %s: %s payment(s) booked and allocated in %.1f s",
                rec.id,
                rec.booked_count,
                time.perf_counter() - parsed,
            )
        return True

    @api.model
    def _split_orders(self, payments):
        """``(payments, orders)``: the banks' registry transfers are not payments."""
        orders = [p for p in payments if p.get("kind") == "order"]
        if not orders:
            return payments, []
        return [p for p in payments if p.get("kind") != "order"], orders

    def _tko_process(self, background=None):
        """Check and import: here and now for a small file, as a queue_job for a large one
        (``background`` None), or as told. The entry point of every channel (screen, mailbox,
        SFTP, HTTP API)."""
        limit = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("mobill_tko_integrations.background_import_bytes", 2_000_000)
        )
        for rec in trusted(self):
            if rec.state == "done":
                continue
            size = len(rec.file or b"") * 3 // 4
            if background or (background is None and size > limit):
                rec.state = "queued"
                job = rec.with_delay(
                    description=_("Payment import %(name)s", name=rec.name)
                )._job_import()
                rec.job_uuid = getattr(job, "uuid", False)
            else:
                rec.action_import()
        return True

    def action_import_background(self):
        check_action(self, ACCOUNTANT, "write")
        return self._tko_process(background=True)

    def _job_import(self):
        self.ensure_one()
        if self.state != "queued":
            return _("Nothing to do: the import is %(state)s.", state=self.state)
        trusted(self).action_import()
        return _(
            "%(booked)s payment(s) booked, %(errors)s problem(s).",
            booked=self.booked_count,
            errors=self.error_count,
        )

    def action_reset(self):
        check_rights(self, "write")
        trusted(self.filtered(lambda r: r.state in ("checked", "rejected"))).write(
            {"state": "draft", "job_uuid": False}
        )
        return True

    def action_check_jobs(self):
        """A background import whose job died (worker killed, job deleted or failed) is
        rejected with the reason; nothing was booked (the import is one transaction), so the
        clerk resets it and imports it again."""
        check_rights(self, "read")
        self._tko_detect_dead(self)
        return True

    # ------------------------------------------------------------------ watch of the job
    def _tko_watch_jobs(self):
        self.ensure_one()
        Job = self.env["queue.job"].sudo()
        if self.job_uuid:
            return Job.search([("uuid", "=", self.job_uuid)])
        return Job.search(
            [
                ("model_name", "=", self._name),
                ("func_string", "=like", f"{self._name}({self.id},).%"),
                ("state", "not in", ("done", "cancelled")),
            ]
        )

    def _tko_watch_fail(self, message):
        self.ensure_one()
        rec = trusted(self.sudo())
        rec.state = "rejected"
        rec._message_log(
            body=_(
                "The background import failed: %(reason)s Nothing was booked: reset it and "
                "import it again.",
                reason=message,
            )
        )

    def _tko_watch_all_done(self):
        self.ensure_one()
        self._tko_watch_fail(_("Its background job ended without importing the file."))

    def action_view_payments(self):
        self.ensure_one()
        check_rights(self, "read")
        return {
            "type": "ir.actions.act_window",
            "name": _("Payments"),
            "res_model": "tko.payment",
            "view_mode": "tree,form",
            "domain": [("import_id", "=", self.id)],
        }

    # ------------------------------------------------------------------ booking
    def _book(self, payments, orders=()):
        """Book the payments of a checked file, set-based.

        Payments to personal accounts (a bank registry holds up to hundreds of thousands) are
        written with ``execute_values`` as posted and allocated in SQL
        (``tko.payment.allocation._reallocate``); contract payments go through the ORM and
        ``action_post`` (accounting, reconciliation with invoices); unrecognised ones wait as
        drafts in the queue of unallocated payments. Payments whose key was booked before are
        skipped."""
        self.ensure_one()
        Payment = self.env["tko.payment"]
        Payment.flush_model()
        keys = [p["key"] for p in payments]
        known = set()
        for chunk in split_every(50_000, keys):
            self.env.cr.execute(
                "SELECT import_key FROM tko_payment WHERE company_id = %s AND import_key = ANY(%s)",
                (self.company_id.id, list(chunk)),
            )
            known.update(row[0] for row in self.env.cr.fetchall())
        fresh, seen = [], set()
        for p in payments:
            if p["key"] in known or p["key"] in seen:
                continue
            seen.add(p["key"])
            fresh.append(p)
        targets = self._match(fresh)
        periods = self._periods({p["period"] for p in fresh if p["period"]})
        to_accounts, to_contracts, waiting = [], [], []
        for p in fresh:
            account, contract = targets.get(p["key"], (False, False))
            if account:
                to_accounts.append((p, account))
            elif contract:
                to_contracts.append((p, contract))
            else:
                waiting.append(p)
        ids = self._insert_payments(to_accounts, "posted", periods)
        ids += self._insert_payments([(p, False) for p in waiting], "draft", periods)
        if to_accounts:
            self.env["tko.payment.allocation"]._reallocate(
                accounts=self.env["tko.account"].browse({a for _p, a in to_accounts})
            )
        contract_payments = Payment.with_context(tracking_disable=True).create(
            [
                dict(self._payment_vals(p, periods), contract_id=contract)
                for p, contract in to_contracts
            ]
        )
        contract_payments.action_post()
        self._book_orders(orders)
        if self.file_format == "registry" and self.registry_number:
            self.env["tko.payment.order"].search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "unmatched"),
                    ("number", "=", self.registry_number.strip()),
                ]
            )._match_registries(self)
        booked = len(ids) + len(contract_payments)
        self.write(
            {
                "state": "done",
                "booked_count": booked,
                "booked_amount": float(sum((p["amount"] for p in fresh), Decimal(0))),
                "skipped_count": len(payments) - len(fresh),
                "unallocated_count": len(waiting),
            }
        )
        self._message_log(
            body=_(
                "Imported: %(booked)s payment(s) booked, %(unallocated)s unallocated, "
                "%(skipped)s booked before.",
                booked=self.booked_count,
                unallocated=self.unallocated_count,
                skipped=self.skipped_count,
            )
        )
        return Payment.browse(ids) | contract_payments

    def _payment_vals(self, p, periods, base=None):
        if base is None:
            base = {
                "company_id": self.company_id.id,
                "channel": self.channel,
                "import_id": self.id,
            }
        return {
            "company_id": base["company_id"],
            "amount": float(p["amount"]),
            "date_paid": p["date_paid"],
            "date_booked": p["date_booked"],
            "channel": base["channel"],
            "source": "import",
            "reference": p["reference"] or False,
            "purpose": p["purpose"] or False,
            "target_period_id": periods.get(p["period"], False),
            "import_id": base["import_id"],
            "import_line": p["line"],
            "import_bank": p["bank"] or False,
            "import_registry_number": p["registry_number"] or False,
            "import_key": p["key"],
            "import_payer": p["payer"] or False,
            "import_account_number": p["account_number"] or False,
        }

    def _payment_names(self, count):
        """``count`` numbers of the payment sequence; drawn in one query when the sequence is
        a standard (PostgreSQL) one."""
        Sequence = self.env["ir.sequence"].sudo()
        seq = Sequence.search(
            [("code", "=", "tko.payment"), ("company_id", "in", [self.company_id.id, False])],
            order="company_id",
            limit=1,
        )
        if not seq or seq.implementation != "standard" or seq.use_date_range:
            return [
                Sequence.with_company(self.company_id).next_by_code("tko.payment") or "/"
                for _i in range(count)
            ]
        self.env.cr.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)", (f"ir_sequence_{seq.id:03d}", count)
        )
        prefix, suffix = seq._get_prefix_suffix()
        return [f"{prefix}{number:0{seq.padding}d}{suffix}" for (number,) in self.env.cr.fetchall()]

    def _insert_payments(self, rows, state, periods):
        """Write ``[(payment dict, account id or False)]`` as tko.payment rows in ``state``
        with COPY, 20,000 rows a statement (ids drawn from the table's sequence first);
        returns their ids."""
        if not rows:
            return []
        Payment = self.env["tko.payment"]
        cr = self.env.cr
        partners = {}
        account_ids = list({a for _p, a in rows if a})
        if account_ids:
            cr.execute("SELECT id, partner_id FROM tko_account WHERE id = ANY(%s)", (account_ids,))
            partners = dict(cr.fetchall())
        names = self._payment_names(len(rows))
        cr.execute("SELECT nextval('tko_payment_id_seq') FROM generate_series(1, %s)", (len(rows),))
        ids = [row[0] for row in cr.fetchall()]
        uid, now = self.env.uid, fields.Datetime.now()
        base = {"company_id": self.company_id.id, "channel": self.channel, "import_id": self.id}
        common = self._payment_vals(rows[0][0], periods, base)
        columns = [
            "id",
            "name",
            "account_id",
            "partner_id",
            "state",
            "is_unallocated",
            *common,
            "create_uid",
            "create_date",
            "write_uid",
            "write_date",
        ]
        # the defaults of the stored fields other modules add to tko.payment, as the ORM's
        # create would fill them
        extra = [
            name
            for name, field in Payment._fields.items()
            if field.store and field.column_type and not field.compute and name not in columns
        ]
        defaults = Payment.default_get(extra)
        extra_columns = [name for name in extra if name in defaults]
        extra_values = tuple(
            Payment._fields[name].convert_to_column(defaults[name], Payment)
            for name in extra_columns
        )
        buffer = CopyBuffer("tko_payment", [*columns, *extra_columns])
        for (p, account), name, new_id in zip(rows, names, ids, strict=True):
            vals = self._payment_vals(p, periods, base)
            buffer.add(
                (
                    new_id,
                    name,
                    account,
                    partners.get(account),
                    state,
                    not account,
                    *vals.values(),
                    uid,
                    now,
                    uid,
                    now,
                    *extra_values,
                )
            )
            if buffer.count >= 20_000:
                buffer.flush(cr)
        buffer.flush(cr)
        Payment.invalidate_model()
        records = Payment.browse(ids)
        # stored computed fields other modules add to tko.payment
        for field in Payment._fields.values():
            if field.store and field.compute and field.name != "is_unallocated":
                self.env.add_to_compute(field, records)
        records.flush_recordset()
        return ids

    def _book_orders(self, orders):
        if not orders:
            return
        Order = self.env["tko.payment.order"]
        self.env.cr.execute(
            "SELECT key FROM tko_payment_order WHERE company_id = %s AND key = ANY(%s)",
            (self.company_id.id, [o["key"] for o in orders]),
        )
        known = {row[0] for row in self.env.cr.fetchall()}
        created = Order.create(
            [
                {
                    "import_id": self.id,
                    "import_line": o["line"],
                    "company_id": self.company_id.id,
                    "number": (o["reference"] or "").strip() or "?",
                    "date": o["date_paid"],
                    "date_received": o["date_booked"],
                    "amount": float(o["amount"]),
                    "payer_name": o["payer"] or False,
                    "payer_inn": o["payer_inn"] or False,
                    "purpose": o["purpose"] or False,
                    "key": o["key"],
                }
                for o in orders
                if o["key"] not in known
            ]
        )
        created._match_registries()

    def _order_expected(self):
        self.ensure_one()
        return self.order_expected or self.amount_total

    def _order_state(self, order):
        """``matched`` / ``mismatch`` when ``order`` carries this registry's money, else None."""
        self.ensure_one()
        expected = self._order_expected()
        return registry.order_match_state(
            self.registry_number or "",
            self.order_date or None,
            Decimal(str(expected)) if expected else None,
            order.number or "",
            order.date,
            Decimal(str(order.amount)),
        )

    def _periods(self, dates):
        if not dates:
            return {}
        found = self.env["tko.billing.period"].search(
            [("date_start", "in", list(dates)), ("company_id", "=", self.company_id.id)]
        )
        return {p.date_start: p.id for p in found}

    def _match(self, payments):
        """``{key: (account_id, contract_id)}``: by the account number of the line, else by
        the purpose text (account, contract, INN) with the core :func:`match_payment`."""
        company = self.company_id
        # 1. the account number of the line, in one query (a registry's usual case)
        numbers = list({p["account_number"] for p in payments if p["account_number"]})
        direct = {}
        for chunk in split_every(50_000, numbers):
            self.env.cr.execute(
                """SELECT name, id FROM tko_account
                    WHERE name = ANY(%s) AND (company_id = %s OR company_id IS NULL)""",
                (list(chunk), company.id),
            )
            direct.update(self.env.cr.fetchall())
        result = {
            p["key"]: (direct[p["account_number"]], False)
            for p in payments
            if p["account_number"] in direct
        }
        # 1b. a contract named as such (a payment agent's JSON): that contract or nothing
        named = [p for p in payments if p.get("contract_number") and p["key"] not in result]
        if named:
            self.env.cr.execute(
                """SELECT name, id FROM tko_contract
                    WHERE name = ANY(%s) AND (company_id = %s OR company_id IS NULL)""",
                (list({p["contract_number"] for p in named}), company.id),
            )
            contracts_by_name = dict(self.env.cr.fetchall())
            for p in named:
                if p["contract_number"] in contracts_by_name:
                    result[p["key"]] = (False, contracts_by_name[p["contract_number"]])
        named_keys = {p["key"] for p in named}
        # 2. the others by their purpose text (account, contract, INN)
        payments = [p for p in payments if p["key"] not in result and p["key"] not in named_keys]
        tokens = set()
        for p in payments:
            for text in (p["account_number"], p["purpose"], p["payer_inn"]):
                for tok in _TOKEN_RE.findall(text or ""):
                    tokens |= {tok, tok.upper(), tok.lstrip("0")}
        tokens.discard("")
        if not tokens:
            return result
        domain = [("company_id", "in", [company.id, False])]
        accounts = self.env["tko.account"].search_read(
            [("name", "in", list(tokens)), *domain], ["name"]
        )
        accounts = {a["name"]: a["id"] for a in accounts}
        contracts = self.env["tko.contract"].search_read(
            [("name", "in", list(tokens)), *domain], ["name"]
        )
        contracts = {c["name"]: c["id"] for c in contracts}
        partners = self.env["res.partner"].search([("vat", "in", list(tokens))])
        by_inn = {}
        for partner in partners:
            contract = self.env["tko.contract"].search(
                [("partner_id", "=", partner.id), ("state", "!=", "draft"), *domain]
            )
            account = self.env["tko.account"].search([("partner_id", "=", partner.id), *domain])
            if len(contract) == 1:
                by_inn[partner.vat] = (False, contract.id)
            elif not contract and len(account) == 1:
                by_inn[partner.vat] = (account.id, False)
        known_accounts, known_contracts, known_inns = set(accounts), set(contracts), set(by_inn)
        for p in payments:
            number = p["account_number"]
            text = " ".join(x for x in (number, p["purpose"]) if x)
            found = match_payment(text, known_accounts, known_contracts, known_inns)
            if found is None and p["payer_inn"] in by_inn:
                found = ("inn", p["payer_inn"], 0.5)
            if found is None:
                continue
            kind, value, _confidence = found
            if kind == "account":
                result[p["key"]] = (accounts[value], False)
            elif kind == "contract":
                result[p["key"]] = (False, contracts[value])
            else:
                result[p["key"]] = by_inn[value]
        return result

    # ------------------------------------------------------------------ mailbox
    @api.model
    def _guess_format(self, content):
        head = content[:64].lstrip(b"\xef\xbb\xbf")
        return "onec" if head.startswith(_ONEC_START) else "registry"

    @api.model
    def _mail_user(self):
        """The technical user the payment mailbox books as (data: an internal user that
        cannot sign in, with the rights of a billing accountant in the operator company)."""
        return self.env.ref(
            "mobill_tko_integrations.user_payment_mailbox", raise_if_not_found=False
        ).sudo()

    @api.model
    def _mail_profile(self, email):
        """The active registry profile that allows ``email`` to send registries, or an empty
        recordset: profiles of a company before shared ones."""
        profiles = self.env["tko.registry.profile"].sudo().search([("mail_senders", "!=", False)])
        allowed = profiles.filtered(lambda p: p._accepts_sender(email))
        return allowed.sorted(lambda p: (not p.company_id, p.name, p.id))[:1]

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A registry arriving by e-mail: one import per attachment, checked and imported.

        Only the mail gateway may call this (it runs it as superuser; over RPC anyone could
        pass any message). ``custom_values`` (the alias' defaults or the caller's) are ignored:
        the sender must be allowed by a registry profile (:attr:`mail_senders`), the company
        is the profile's (or the technical user's for a shared profile), and the import runs
        as the technical user of the payment mailbox, never as superuser."""
        if not self.env.su:
            raise AccessError(_("Only the mail gateway imports payment files sent by e-mail."))
        files = []
        for attachment in msg_dict.get("attachments") or []:
            content = getattr(attachment, "content", None)
            if isinstance(content, str):
                content = content.encode()
            if content:
                files.append((getattr(attachment, "fname", "") or "", content))
        sender = email_normalize(msg_dict.get("email_from") or "") or ""
        user = self._mail_user()
        if not user:
            raise UserError(_("The technical user of the payment mailbox is missing."))
        profile = self._mail_profile(sender)
        company = profile.company_id or user.company_id
        refusal = None
        if not files:
            refusal = _("The e-mail has no attached file.")
        elif not profile:
            refusal = _(
                "The sender %(sender)s is not among the senders allowed by a registry profile: "
                "the e-mail was refused and nothing was imported.",
                sender=sender or _("(unknown)"),
            )
        elif company not in user.company_ids:
            refusal = _(
                "The technical user of the payment mailbox may not book for %(company)s: "
                "nothing was imported.",
                company=company.name,
            )
            company = user.company_id
        Import = (
            self.with_user(user).with_company(company).with_context(allowed_company_ids=company.ids)
        )
        if refusal:
            _logger.warning(
                "Payment mailbox: e-mail from %s (%s) refused: %s",
                sender,
                msg_dict.get("message_id"),
                refusal,
            )
            return Import._mail_refused(files, msg_dict, sender, refusal)
        records = Import.browse()  # the technical user's environment, not the gateway's sudo
        for fname, content in files:
            records |= Import.create(
                {
                    "name": fname or msg_dict.get("subject") or _("E-mail import"),
                    "file": base64.b64encode(content),
                    "file_name": fname,
                    "file_format": self._guess_format(content),
                    "profile_id": profile.id,
                    "company_id": company.id,
                    "channel": "bank",
                    "source": "mail",
                    "source_ref": sender or False,
                }
            )
        for rec in records:
            try:
                with self.env.cr.savepoint():
                    rec._tko_process()
            except UserError as exc:
                _logger.warning("E-mailed payment file %s not imported: %s", rec.name, exc)
        return records[:1].sudo()

    def _mail_refused(self, files, msg_dict, sender, reason):
        """A rejected import that keeps a refused e-mail (its file and the reason) for the
        record; nothing is checked or booked."""
        fname, content = files[0] if files else ("", b"")
        rec = trusted(self).create(
            {
                "name": fname or msg_dict.get("subject") or _("E-mail import"),
                "file": base64.b64encode(content or b" "),
                "file_name": fname or False,
                "file_format": self._guess_format(content or b""),
                "profile_id": False,
                "company_id": self.env.company.id,
                "source": "mail",
                "source_ref": sender or False,
                "state": "rejected",
            }
        )
        self.env["tko.payment.import.error"].create(
            {
                "import_id": rec.id,
                "severity": "error",
                "line": 0,
                "code": "mail_sender_refused",
                "message": reason,
            }
        )
        rec.error_count = 1  # rec is trusted: created above
        return rec.sudo()
