import logging
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_error_message, trusted
from odoo.addons.mobill_tko_base.tools.access import check_action, check_rights
from odoo.exceptions import UserError
from odoo.tools import SQL
from psycopg2.extras import execute_values

from mobill_tko_core.errors import CoreError
from mobill_tko_core.receipts import (
    SERVICE_NAME,
    Payee,
    Payer,
    Recalculation,
    ReceiptInputs,
    ReceiptSettings,
    ServiceLine,
    build_receipt,
    to_json,
)

from .tko_receipt import INSERT_COLUMNS

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
# written by the run's actions and its job only (trusted()), never by a client
ENGINE_FIELDS = (
    "state",
    "total_count",
    "done_count",
    "chunk_count",
    "issued_count",
    "skipped_count",
    "error_count",
    "date_started",
    "date_finished",
    "job_uuid",
    "note",
)
JOB_CHANNEL = "root.tko_billing"
BASES = ("residents", "owners", "area")


def _postal_address(partner):
    """The payee's address as a receipt prints it: index, region, town, street; the parts the
    partner has, without the country (a Russian receipt names no country)."""
    parts = (partner.zip, partner.state_id.name, partner.city, partner.street, partner.street2)
    return ", ".join(part.strip() for part in parts if part and part.strip())


def _dec(value):
    """A float or numeric column as Decimal (floats through their shortest text)."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


class TkoReceiptRun(models.Model):
    """An issue of the receipts of a period: every individual's personal account charged in
    the period (or chosen accounts for a reissue), in chunks, as a background job.

    Each chunk reads its accounts, the payer and address, the period's charge and
    recalculation lines, the balance at the start and the payments of the period with SQL,
    builds each receipt in the core (:func:`mobill_tko_core.receipts.build_receipt`) and
    writes them with ``execute_values``. An account that has a receipt for the period is
    skipped unless the run is a reissue; an account the core refuses is recorded as an error
    and the others go on.
    """

    _name = "tko.receipt.run"
    _description = "Receipt run"
    _inherit = ["mail.thread", "tko.protected.fields.mixin"]
    _tko_protected_fields = ENGINE_FIELDS
    _order = "id desc"
    _check_company_auto = True

    period_id = fields.Many2one(
        "tko.billing.period",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, tracking=True)
    reissue = fields.Boolean(
        help="Issue corrected receipts of the chosen accounts (correction mark)."
    )
    reason = fields.Char("Reason of the reissue", tracking=True)
    account_ids = fields.Many2many(
        "tko.account",
        string="Personal accounts",
        check_company=True,
        help="Only these accounts (empty: every account charged in the period).",
    )
    message = fields.Text(
        "Message on the receipts",
        help="A notice printed in the message block of every receipt of this run.",
    )
    chunk_size = fields.Integer(
        "Accounts per chunk",
        default=lambda self: self.env.company.tko_billing_chunk_size or 20000,
    )
    total_count = fields.Integer("To process", readonly=True)
    done_count = fields.Integer("Processed", readonly=True)
    chunk_count = fields.Integer("Chunks", readonly=True)
    issued_count = fields.Integer("Receipts issued", readonly=True)
    skipped_count = fields.Integer("Skipped (issued before)", readonly=True)
    error_count = fields.Integer("Errors", readonly=True)
    progress = fields.Float(compute="_compute_progress")
    date_started = fields.Datetime("Started", readonly=True)
    date_finished = fields.Datetime("Finished", readonly=True)
    job_uuid = fields.Char(readonly=True, copy=False)
    note = fields.Text("Failure", readonly=True)
    error_ids = fields.One2many("tko.receipt.run.error", "run_id", "Errors by account")
    receipt_ids = fields.One2many("tko.receipt", "run_id", "Receipts")

    @api.depends("period_id")
    def _compute_display_name(self):
        for rec in self:
            rec.display_name = _(
                "Receipts %(period)s No. %(id)s", period=rec.period_id.name or "", id=rec.id
            )

    @api.depends("total_count", "done_count", "state")
    def _compute_progress(self):
        for rec in self:
            if rec.state == "done":
                rec.progress = 100.0
            elif rec.total_count:
                rec.progress = min(100.0, 100.0 * rec.done_count / rec.total_count)
            else:
                rec.progress = 0.0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("period_id") and not vals.get("company_id"):
                period = self.env["tko.billing.period"].browse(vals["period_id"])
                vals["company_id"] = period.company_id.id
        return super().create(vals_list)

    # ------------------------------------------------------------------ start
    def _check_start(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(_("Only a draft receipt run can be started."))
        self.period_id._check_receipts_ready()
        if self.reissue and not self.account_ids:
            raise UserError(_("Choose the personal accounts whose receipts are reissued."))
        if self.reissue and not (self.reason or "").strip():
            raise UserError(_("Give the reason of the reissue: the corrected receipt shows it."))
        active = self.search(
            [
                ("period_id", "=", self.period_id.id),
                ("state", "in", ("queued", "running")),
                ("id", "!=", self.id),
            ],
            limit=1,
        )
        if active:
            raise UserError(
                _(
                    "Receipts of period %(name)s are being issued already.",
                    name=active.period_id.name,
                )
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT count(DISTINCT account_id) FROM tko_charge
                 WHERE period_id = %s AND state = 'posted' AND consumer = 'individual'
                   AND account_id IS NOT NULL
                   AND (%s OR account_id = ANY(%s))
                """,
                self.period_id.id,
                not self.account_ids,
                list(self.account_ids.ids),
            )
        )
        total = self.env.cr.fetchone()[0]
        self.error_ids.sudo().unlink()
        trusted(self).write(
            {
                "state": "queued",
                "total_count": total,
                "done_count": 0,
                "chunk_count": 0,
                "issued_count": 0,
                "skipped_count": 0,
                "error_count": 0,
                "date_started": fields.Datetime.now(),
                "date_finished": False,
                "note": False,
            }
        )
        self.flush_recordset()

    def action_start(self):
        """Queue the run as a background job."""
        check_action(self)
        for rec in trusted(self):
            rec._check_start()
            job = rec.with_delay(
                channel=JOB_CHANNEL,
                description=_("Receipts %(period)s", period=rec.period_id.name),
            )._job_run()
            rec.job_uuid = getattr(job, "uuid", False)
            rec.message_post(body=_("Queued: %(count)s accounts.", count=rec.total_count))
        return True

    def action_run_now(self):
        """Run at once in this transaction (tests, small runs, no job runner)."""
        check_action(self)
        for rec in trusted(self):
            rec._check_start()
            rec.state = "running"
            rec.flush_recordset()
            rec._process(commit=False)
            rec._finalize()
        return True

    def action_refresh(self):
        check_rights(self)
        self.invalidate_recordset()
        return True

    def action_view_receipts(self):
        self.ensure_one()
        check_rights(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_billing.tko_receipt_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ execution
    def _job_run(self):
        """Queue job: the whole run, chunk by chunk, each chunk committed on a cursor of its
        own (bounded transactions, progress visible); the run's row is written on fresh
        cursors too, never from the job's own snapshot."""
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            run = trusted(self.with_env(self.env(cr=cr)))
            if run.state not in ("queued", "running"):
                return _("Nothing to do: the receipt run is no longer active.")
            run.state = "running"
        try:
            self._process(commit=True)
        except Exception as error:
            _logger.exception("receipt run %s failed", self.id)
            with self.env.registry.cursor() as cr:
                trusted(self.with_env(self.env(cr=cr))).write(
                    {"state": "failed", "note": str(error), "date_finished": fields.Datetime.now()}
                )
            return False
        with self.env.registry.cursor() as cr:
            self.with_env(self.env(cr=cr))._finalize()
        return True

    def _process(self, commit):
        """Issue the receipts chunk by chunk (accounts in id order)."""
        self.ensure_one()
        limit = max(1, self.chunk_size or 20000)
        context = self._run_context()
        after = 0
        while True:
            if commit:
                with self.env.registry.cursor() as cr:
                    step = self.with_env(self.env(cr=cr))._chunk(context, after, limit)
            else:
                with self.env.cr.savepoint(flush=False):
                    step = self._chunk(context, after, limit)
            if step is None:
                break
            after = step
        self.env["tko.receipt"].invalidate_model()
        self.invalidate_recordset()

    def _run_context(self):
        """What every chunk needs: the period, the payee and the settings."""
        self.ensure_one()
        company = self.company_id
        partner = company.partner_id
        bank = partner.bank_ids.sorted(lambda b: (b.sequence, b.id))[:1]
        payee = Payee(
            name=partner.name or "",
            inn=partner.vat or "",
            kpp=partner.kpp or "",
            bank_name=bank.bank_id.name or "",
            bic=bank.bank_id.bic or "",
            account=(bank.acc_number or "").replace(" ", ""),
            corr_account=bank.bank_id.corr_account or "",
            address=_postal_address(partner),
            phone=partner.phone or "",
            email=partner.email or "",
            site=partner.website or "",
        )
        settings = ReceiptSettings(
            due_day=company.tko_due_day or None,
            months_after=company.tko_due_months_after,
        )
        period = self.period_id
        return {
            "run_id": self.id,
            "company_id": company.id,
            "period_id": period.id,
            "start": period.date_start,
            "end": period.date_end,
            "accounts": list(self.account_ids.ids) or None,
            "reissue": self.reissue,
            "reason": (self.reason or "").strip(),
            "messages": ((self.message or "").strip(),) if (self.message or "").strip() else (),
            "payee": payee,
            "settings": settings,
            "uid": self.env.uid,
        }

    def _chunk(self, ctx, after, limit):
        """One chunk of accounts after ``after``: returns the last account id, or None."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT DISTINCT account_id FROM tko_charge
                 WHERE period_id = %s AND state = 'posted' AND consumer = 'individual'
                   AND account_id > %s
                   AND (%s OR account_id = ANY(%s))
                 ORDER BY account_id LIMIT %s
                """,
                ctx["period_id"],
                after,
                ctx["accounts"] is None,
                ctx["accounts"] or [],
                limit,
            )
        )
        ids = [row[0] for row in cr.fetchall()]
        if not ids:
            return None
        data = self._read_chunk(ctx, ids)
        penalties = self._tko_receipt_penalties(ctx, ids)
        existing = data["existing"]
        rows, errors, replaced, skipped = [], [], [], 0
        now = fields.Datetime.now()
        for account_id in ids:
            prev = existing.get(account_id)
            if prev and not ctx["reissue"]:
                skipped += 1
                continue
            number = 0
            if prev:
                number = prev[1] + 1
                replaced.append(prev[0])
            try:
                inputs = self._inputs(ctx, data, account_id, penalties, number)
                receipt = build_receipt(inputs, ctx["settings"])
            except CoreError as error:
                errors.append(
                    (
                        ctx["run_id"],
                        ctx["company_id"],
                        account_id,
                        error.code,
                        core_error_message(error, self.env),
                    )
                )
                continue
            acc = data["accounts"][account_id]
            rows.append(
                (
                    ctx["company_id"],
                    ctx["period_id"],
                    account_id,
                    acc["partner_id"],
                    acc["zone_id"],
                    acc["district_id"],
                    acc["management_company_id"],
                    receipt.route,
                    number,
                    receipt.correction_reason or None,
                    "issued",
                    receipt.opening_balance,
                    receipt.charged,
                    receipt.recalculation,
                    receipt.benefits,
                    receipt.total_for_period,
                    receipt.paid,
                    receipt.last_payment_date,
                    receipt.penalties,
                    receipt.total_to_pay,
                    receipt.advance,
                    receipt.due_date,
                    receipt.qr,
                    to_json(receipt),
                    now,
                    ctx["uid"],
                    ctx["run_id"],
                    ctx["uid"],
                    now,
                    ctx["uid"],
                    now,
                )
            )
        if replaced:
            cr.execute(
                SQL(
                    "UPDATE tko_receipt SET state = 'replaced', write_uid = %s, write_date = %s "
                    "WHERE id = ANY(%s)",
                    ctx["uid"],
                    now,
                    replaced,
                )
            )
        if rows:
            execute_values(
                cr._obj,
                f"INSERT INTO tko_receipt ({', '.join(INSERT_COLUMNS)}) VALUES %s",
                rows,
                page_size=1000,
            )
        if errors:
            execute_values(
                cr._obj,
                "INSERT INTO tko_receipt_run_error "
                "(run_id, company_id, account_id, code, message) VALUES %s",
                errors,
            )
        cr.execute(
            SQL(
                """
                UPDATE tko_receipt_run
                   SET done_count = COALESCE(done_count, 0) + %s,
                       chunk_count = COALESCE(chunk_count, 0) + 1,
                       issued_count = COALESCE(issued_count, 0) + %s,
                       skipped_count = COALESCE(skipped_count, 0) + %s,
                       error_count = COALESCE(error_count, 0) + %s
                 WHERE id = %s
                """,
                len(ids),
                len(rows),
                skipped,
                len(errors),
                ctx["run_id"],
            )
        )
        return ids[-1]

    def _tko_receipt_penalties(self, ctx, account_ids):
        """``{account_id: Decimal}`` penalties to show on the receipts; none in billing
        (the claims add-on overrides this with the penalties it has computed)."""
        return {}

    def _read_chunk(self, ctx, ids):
        """Accounts, payers, addresses, charge lines, balances, payments and receipts issued
        before, of the accounts ``ids``, read with SQL."""
        cr = self.env.cr
        start, end = ctx["start"], ctx["end"]
        accounts = {}
        cr.execute(
            SQL(
                """
                SELECT a.id, a.name, a.partner_id, rp.name, a.zone_id, z.name,
                       a.management_company_id, mc.name, ad.full_name, ad.level, ad.name,
                       ad.type_name, ad.parent_path, o.name, o.kind
                  FROM tko_account a
                  JOIN tko_object o ON o.id = a.object_id
                  LEFT JOIN res_partner rp ON rp.id = a.partner_id
                  LEFT JOIN tko_tariff_zone z ON z.id = a.zone_id
                  LEFT JOIN res_partner mc ON mc.id = a.management_company_id
                  LEFT JOIN tko_address ad ON ad.id = a.address_id
                 WHERE a.id = ANY(%s)
                """,
                ids,
            )
        )
        for row in cr.fetchall():
            accounts[row[0]] = {
                "number": row[1],
                "partner_id": row[2],
                "payer": row[3] or "",
                "zone_id": row[4],
                "zone": row[5] or "",
                "management_company_id": row[6],
                "management_company": row[7] or "",
                "address": row[8] or "",
                "object": row[13] or "",
                "object_kind": row[14],
                "district_id": None,
                "district": "",
                "parts": {},
                "postcode": "",
            }
        # the address's elements from the top down (route parts, district, postcode)
        cr.execute(
            SQL(
                """
                SELECT a.id, anc.level, anc.id, anc.name, anc.type_name, anc.postal_code
                  FROM tko_account a
                  JOIN tko_address ad ON ad.id = a.address_id
                  JOIN tko_address anc
                    ON anc.id = ANY(string_to_array(rtrim(ad.parent_path, '/'), '/')::int[])
                 WHERE a.id = ANY(%s)
                 ORDER BY a.id, length(anc.parent_path)
                """,
                ids,
            )
        )
        for account_id, level, address_id, name, type_name, postcode in cr.fetchall():
            acc = accounts[account_id]
            text = " ".join(p for p in (type_name, name) if p)
            acc["parts"].setdefault(level, text)
            if level == "district":
                acc["district_id"], acc["district"] = address_id, text
            if postcode:
                acc["postcode"] = postcode
        lines = {}
        cr.execute(
            SQL(
                """
                SELECT c.account_id, c.kind, c.method, c.residents, c.owners, c.area, c.norm,
                       c.tariff, c.amount_total, c.note, cp.date_start, c.recalculation_id
                  FROM tko_charge c
                  LEFT JOIN tko_billing_period cp ON cp.id = c.corrected_period_id
                 WHERE c.period_id = %s AND c.account_id = ANY(%s)
                 ORDER BY c.account_id, c.id
                """,
                ctx["period_id"],
                ids,
            )
        )
        for row in cr.fetchall():
            lines.setdefault(row[0], []).append(row[1:])
        balances = {}
        cr.execute(
            SQL(
                """
                SELECT account_id, sum(amount_total) FROM tko_charge
                 WHERE account_id = ANY(%s) AND date < %s GROUP BY 1
                """,
                ids,
                start,
            )
        )
        for account_id, amount in cr.fetchall():
            balances[account_id] = _dec(amount)
        payments = {}
        cr.execute(
            SQL(
                """
                SELECT account_id,
                       COALESCE(sum(amount) FILTER (WHERE date_paid < %(start)s), 0),
                       COALESCE(sum(amount) FILTER (WHERE date_paid >= %(start)s), 0),
                       max(date_paid) FILTER (WHERE date_paid >= %(start)s)
                  FROM tko_payment
                 WHERE account_id = ANY(%(ids)s) AND state = 'posted' AND date_paid <= %(end)s
                 GROUP BY 1
                """,
                start=start,
                end=end,
                ids=ids,
            )
        )
        for account_id, before, paid, last in cr.fetchall():
            balances[account_id] = balances.get(account_id, Decimal(0)) - _dec(before)
            payments[account_id] = (_dec(paid), last)
        existing = {}
        cr.execute(
            SQL(
                """
                SELECT account_id, id,
                       (SELECT max(correction_number) FROM tko_receipt o
                         WHERE o.account_id = r.account_id AND o.period_id = r.period_id)
                  FROM tko_receipt r
                 WHERE period_id = %s AND account_id = ANY(%s) AND state = 'issued'
                """,
                ctx["period_id"],
                ids,
            )
        )
        for account_id, receipt_id, number in cr.fetchall():
            existing[account_id] = (receipt_id, number)
        return {
            "accounts": accounts,
            "lines": lines,
            "balances": balances,
            "payments": payments,
            "existing": existing,
        }

    def _inputs(self, ctx, data, account_id, penalties, number):
        """The core's :class:`ReceiptInputs` of one account."""
        acc = data["accounts"][account_id]
        service, recalculations = [], []
        recalc_total = Decimal(0)
        for (
            kind,
            method,
            residents,
            owners,
            area,
            norm,
            tariff,
            amount,
            note,
            corrected,
            _r,
        ) in data["lines"].get(account_id, []):
            amount = _dec(amount)
            if kind == "charge":
                basis = method if method in BASES else "residents"
                quantity = {"residents": residents, "owners": owners, "area": area}[basis]
                service.append(
                    ServiceLine(
                        service=SERVICE_NAME,
                        basis=basis,
                        unit="м³",
                        quantity=_dec(quantity),
                        norm=_dec(norm),
                        tariff=_dec(tariff),
                        charged=amount,
                    )
                )
            else:
                reason = note or (
                    _("Temporary absence") if kind == "absence" else _("Recalculation")
                )
                recalculations.append(
                    Recalculation(
                        period=corrected or ctx["start"], amount=amount, reason=reason, code=kind
                    )
                )
                recalc_total += amount
        if recalculations:
            if service:
                first = service[0]
                service[0] = ServiceLine(
                    first.service,
                    first.basis,
                    first.unit,
                    first.quantity,
                    first.norm,
                    first.tariff,
                    first.charged,
                    recalculation=recalc_total,
                )
            else:
                service.append(
                    ServiceLine(
                        SERVICE_NAME,
                        "residents",
                        "м³",
                        Decimal(0),
                        Decimal(0),
                        Decimal(0),
                        Decimal(0),
                        recalculation=recalc_total,
                    )
                )
        parts = acc["parts"]
        apartment = parts.get("premises", "")
        if not apartment and acc["object_kind"] == "apartment":
            apartment = acc["object"]
        address = acc["address"]
        if apartment and apartment not in address:
            address = f"{address}, {apartment}" if address else apartment
        payer_name = acc["payer"]
        paid, last = data["payments"].get(account_id, (Decimal(0), None))
        return ReceiptInputs(
            company=ctx["company_id"],
            account=acc["number"],
            period=ctx["start"],
            payer=Payer(
                name=payer_name,
                last_name=payer_name.split()[0] if payer_name.split() else "",
                address=address,
                postcode=acc["postcode"],
            ),
            payee=ctx["payee"],
            lines=tuple(service),
            recalculations=tuple(recalculations),
            opening_balance=data["balances"].get(account_id, Decimal(0)),
            paid=paid,
            last_payment_date=last,
            penalties=penalties.get(account_id, Decimal(0)),
            messages=ctx["messages"],
            correction_number=number,
            correction_reason=ctx["reason"] if number else "",
            route=(
                parts.get("locality") or parts.get("settlement_mo", ""),
                parts.get("street", ""),
                parts.get("house", ""),
                "",
                apartment,
            ),
            zone=acc["zone"],
            district=acc["district"],
            management_company=acc["management_company"],
        )

    def _finalize(self):
        """Mark the run done and post its summary."""
        self.ensure_one()
        self.invalidate_recordset()
        run = trusted(self)
        run.write({"state": "done", "date_finished": fields.Datetime.now()})
        run.message_post(
            body=_(
                "Finished: %(issued)s receipts issued, %(skipped)s skipped (issued before), "
                "%(errors)s errors.",
                issued=run.issued_count,
                skipped=run.skipped_count,
                errors=run.error_count,
            )
        )
