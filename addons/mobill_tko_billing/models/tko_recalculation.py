from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import check_action, check_rights
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import formatLang

BASIS_TYPES = [
    ("characteristic", "Characteristic of an object changed"),
    ("tariff", "Tariff changed"),
    ("norm", "Norm of accumulation changed"),
    ("contract", "Contract object or scheme changed"),
    ("condition", "Contract condition changed"),
    ("absence", "Temporary absence"),
    ("document", "Document or application"),
    ("other", "Other"),
]
#: fields only the recalculation's actions write
PROTECTED_FIELDS = ("state", "period_id", "error_text")

BASIS_MODELS = [
    ("tko.object.characteristic", "Characteristic"),
    ("tko.tariff", "Tariff"),
    ("tko.norm", "Norm"),
    ("tko.contract.line", "Contract object"),
    ("tko.contract.condition", "Contract condition"),
    ("tko.absence", "Temporary absence"),
    ("tko.document", "Document"),
]


class TkoRecalculation(models.Model):
    """A recalculation of past (closed) periods after a retroactive change.

    For each closed period from ``date_from`` it recomputes the charges of its scope from the
    registry as it is now, compares them with what was charged (recomputed from the stored
    inputs) and the corrections booked since, and books the difference in the open period as
    lines that name the corrected period and this recalculation (its basis). Booking again
    replaces its own lines: it never duplicates them.
    """

    _name = "tko.recalculation"
    _description = "Recalculation of past periods"
    _check_company_auto = True
    _inherit = ["mail.thread", "tko.protected.fields.mixin"]
    _tko_protected_fields = PROTECTED_FIELDS
    _order = "id desc"

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda self: _("New"))
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_id = fields.Many2one(
        "tko.billing.period",
        "Booked in period",
        readonly=True,
        index=True,
        help="The open period the differences are booked in.",
        check_company=True,
    )
    state = fields.Selection(
        [("draft", "To book"), ("done", "Booked"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    basis_type = fields.Selection(
        BASIS_TYPES, "Basis", required=True, default="document", tracking=True
    )
    basis_ref = fields.Reference(BASIS_MODELS, "Changed record", tracking=True)
    document_id = fields.Many2one("tko.document", "Document", tracking=True, check_company=True)
    reason = fields.Char(tracking=True, help="What changed and why, as the receipt shows it.")
    date_from = fields.Date(
        "Changed from", required=True, tracking=True, help="The first day the change applies."
    )
    date_to = fields.Date("Changed to", tracking=True)
    scope = fields.Selection(
        [
            ("accounts", "Personal accounts"),
            ("contracts", "Contracts"),
            ("zone", "Tariff zone"),
            ("all", "Everything"),
        ],
        default="accounts",
        required=True,
        tracking=True,
    )
    consumer_kind = fields.Selection(
        [
            ("all", "Individuals and legal entities"),
            ("individual", "Individuals"),
            ("legal", "Legal entities"),
        ],
        "Consumers",
        default="all",
        required=True,
    )
    account_ids = fields.Many2many("tko.account", string="Personal accounts", check_company=True)
    contract_ids = fields.Many2many("tko.contract", string="Contracts", check_company=True)
    zone_id = fields.Many2one("tko.tariff.zone", "Tariff zone", check_company=True)
    line_ids = fields.One2many("tko.charge", "recalculation_id", "Booked lines")
    line_count = fields.Integer(compute="_compute_amounts")
    amount_total = fields.Monetary("Difference", compute="_compute_amounts")
    corrected_periods = fields.Char(compute="_compute_amounts")
    error_text = fields.Text("Errors", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("tko.recalculation") or "/"
        return super().create(vals_list)

    def _compute_amounts(self):
        for rec in self:
            lines = rec.line_ids
            rec.line_count = len(lines)
            rec.amount_total = sum(lines.mapped("amount_total"))
            rec.corrected_periods = ", ".join(sorted(set(lines.mapped("corrected_period_id.name"))))

    def _basis_text(self):
        self.ensure_one()
        parts = [dict(BASIS_TYPES)[self.basis_type]]
        if self.reason:
            parts.append(self.reason)
        if self.document_id:
            doc = self.document_id
            parts.append(
                _("document %(name)s %(number)s", name=doc.name, number=doc.number or "").strip()
            )
        parts.append(self.name)
        return "; ".join(p for p in parts if p)

    # ------------------------------------------------------------------ scope
    def _consumers(self):
        if self.scope == "accounts":
            return ["individual"]
        if self.scope == "contracts":
            return ["legal"]
        return ["individual", "legal"] if self.consumer_kind == "all" else [self.consumer_kind]

    def _ids_filter(self, consumer):
        if self.scope == "accounts":
            return list(self.account_ids.ids)
        if self.scope == "contracts":
            return list(self.contract_ids.ids)
        return None

    def _where(self, consumer):
        if self.scope == "zone" and self.zone_id:
            if consumer == "individual":
                return SQL("a.zone_id = %s", self.zone_id.id)
            return SQL(
                """EXISTS (SELECT 1 FROM tko_contract_line l JOIN tko_object o
                              ON o.id = l.object_id
                           WHERE l.contract_id = c.id AND o.zone_id = %s)""",
                self.zone_id.id,
            )
        return SQL("TRUE")

    def _periods_to_correct(self, open_period):
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("state", "=", "closed"),
            ("date_end", ">=", self.date_from),
            ("date_start", "<", open_period.date_start),
        ]
        if self.date_to:
            domain.append(("date_start", "<=", self.date_to))
        return self.env["tko.billing.period"].search(domain, order="date_start")

    # ------------------------------------------------------------------ booking
    def action_book(self):
        """Compute the differences and book them in the open period (again: replace them)."""
        check_action(self)
        return self._action_book()

    def _action_book(self):
        """:meth:`action_book` after the caller's checks (also for absences and retroactive
        changes of the registry)."""
        for rec in trusted(self):
            if rec.state == "cancelled":
                raise UserError(_("A cancelled recalculation cannot be booked."))
            if rec.scope == "accounts" and not rec.account_ids:
                raise UserError(_("Choose the personal accounts to recalculate."))
            if rec.scope == "contracts" and not rec.contract_ids:
                raise UserError(_("Choose the contracts to recalculate."))
            open_period = self.env["tko.billing.period"]._open_period(rec.company_id)
            if (
                rec.period_id
                and rec.period_id != open_period
                and rec.line_ids.filtered(lambda line: line.period_id.state == "closed")
            ):
                raise UserError(
                    _(
                        "Recalculation %(name)s was booked in the closed period %(period)s: "
                        "create a new recalculation.",
                        name=rec.name,
                        period=rec.period_id.name,
                    )
                )
            open_period._lock_exclusive()
            open_period._check_no_active_run()
            posted = rec.line_ids.filtered(lambda line: line.state == "posted")
            if posted:
                raise UserError(
                    _(
                        "The lines of recalculation %(name)s are already in accounting: cancel "
                        "the period's accounting entries first.",
                        name=rec.name,
                    )
                )
            rec.period_id = open_period
            rec.error_text = False
            trusted(rec.line_ids).unlink()
            periods = rec._periods_to_correct(open_period)
            rec._book(periods, open_period)
            rec.state = "done"
            rec.invalidate_recordset(["line_ids"])
            if periods:
                body = _(
                    "Booked in %(open)s: %(count)s lines, difference %(amount)s, correcting "
                    "%(periods)s.",
                    open=open_period.name,
                    count=rec.line_count,
                    amount=formatLang(rec.env, rec.amount_total, currency_obj=rec.currency_id),
                    periods=", ".join(periods.mapped("name")),
                )
            else:
                body = _(
                    "No closed period is affected: the change applies to the open period "
                    "%(open)s only — re-run its charges.",
                    open=open_period.name,
                )
            rec.message_post(body=body)
        return True

    def _book(self, periods, open_period):
        engine = self.env["tko.billing.engine"]
        open_ctx = engine._period_context(open_period)
        limit = max(100, self.company_id.tko_billing_chunk_size or 20000)
        for period in periods:
            ctx = engine._period_context(period)
            for consumer in self._consumers():
                where, ids = self._where(consumer), self._ids_filter(consumer)
                after = 0
                while True:
                    with self.env.cr.savepoint(flush=False):
                        step = engine._recalc_chunk(
                            ctx, open_ctx, consumer, self, where, after, limit, ids
                        )
                    if step is None:
                        break
                    after = step[0]
        self.env["tko.charge"].invalidate_model()

    @api.model
    def _log_errors(self, recalc, ctx, key, errors):
        model = "tko.account" if key == "account_id" else "tko.contract"
        names = dict(
            self.env[model].browse([e[0] for e in errors]).mapped(lambda r: (r.id, r.name))
        )
        lines = [
            _(
                "%(period)s, %(who)s: %(message)s",
                period=ctx.first.strftime("%m.%Y"),
                who=names.get(rid, rid),
                message=message,
            )
            for rid, _code, message in errors
        ]
        recalc.error_text = "\n".join(filter(None, [recalc.error_text, *lines]))

    def action_cancel(self):
        check_action(self)
        for rec in trusted(self):
            if rec.line_ids.filtered(lambda line: line.state == "posted"):
                raise UserError(_("Lines of this recalculation are in accounting already."))
            trusted(rec.line_ids).unlink()
            rec.state = "cancelled"
        return True

    def action_view_lines(self):
        self.ensure_one()
        check_rights(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_billing.tko_charge_action"
        )
        action["domain"] = [("recalculation_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------ from registry changes
    @api.model
    def _last_closed_end(self, company):
        period = self.env["tko.billing.period"].search(
            [("company_id", "=", company.id), ("state", "=", "closed")],
            order="date_start desc",
            limit=1,
        )
        return period.date_end if period else None

    @api.model
    def _from_change(self, company, date_from, basis_type, basis_ref, reason, **scope):
        """A draft recalculation for a retroactive change, when it reaches a closed period.

        ``scope``: ``account_ids``, ``contract_ids`` or ``zone_id`` + ``consumer_kind``.
        Booked at once when the company says so (Settings: book retroactive changes at once).
        """
        if self.env.context.get("tko_no_recalc"):
            return self.browse()
        last_closed = self._last_closed_end(company)
        date_from = fields.Date.to_date(date_from)
        if not last_closed or not date_from or date_from > last_closed:
            return self.browse()
        vals = {
            "company_id": company.id,
            "basis_type": basis_type,
            "basis_ref": f"{basis_ref._name},{basis_ref.id}" if basis_ref else False,
            "reason": reason,
            "date_from": date_from,
        }
        if scope.get("account_ids"):
            vals.update(scope="accounts", account_ids=[fields.Command.set(scope["account_ids"])])
        elif scope.get("contract_ids"):
            vals.update(scope="contracts", contract_ids=[fields.Command.set(scope["contract_ids"])])
        elif scope.get("zone_id"):
            vals.update(
                scope="zone",
                zone_id=scope["zone_id"],
                consumer_kind=scope.get("consumer_kind", "all"),
            )
        else:
            vals.update(scope="all", consumer_kind=scope.get("consumer_kind", "all"))
        recalc = self.sudo().create(vals)
        if company.tko_recalc_auto_book and self.env["tko.billing.period"]._open_period(
            company, raise_if_none=False
        ):
            recalc._action_book()
        return recalc
