import calendar

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import ADMIN, check_action, check_rights
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

#: fields only the period's actions write (close, reopen)
PROTECTED_FIELDS = ("state", "closed_on", "closed_by_id")

#: namespace of the PostgreSQL advisory locks of billing (first key of the two-key form)
LOCK_NAMESPACE = 7311

ACTIVE_RUN_STATES = ("queued", "running")


class TkoBillingPeriod(models.Model):
    """A billed month. Open: charges are calculated and corrected; closed: locked for good.

    A company has at most one open period. A correction of a closed period is never written
    into it: it is booked in the open period as recalculation lines that name the period they
    correct and their basis.
    """

    _name = "tko.billing.period"
    _description = "Billing period"
    _check_company_auto = True
    _inherit = ["mail.thread", "tko.protected.fields.mixin"]
    _tko_protected_fields = PROTECTED_FIELDS
    _order = "date_start desc"

    name = fields.Char(compute="_compute_name", store=True, help="The month as MM.YYYY.")
    date_start = fields.Date(
        "Month",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        tracking=True,
        help="Any day of the month; it is stored as the first day.",
    )
    date_end = fields.Date(compute="_compute_date_end", store=True)
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    closed_on = fields.Datetime(readonly=True, copy=False)
    closed_by_id = fields.Many2one("res.users", "Closed by", readonly=True, copy=False)
    run_ids = fields.One2many("tko.charge.run", "period_id", "Charge runs")
    recalculation_ids = fields.One2many("tko.recalculation", "period_id", "Recalculations")
    move_ids = fields.One2many("account.move", "tko_period_id", "Accounting entries")
    charge_count = fields.Integer(compute="_compute_totals")
    unposted_count = fields.Integer("Lines not in accounting", compute="_compute_totals")
    error_count = fields.Integer("Errors of the last runs", compute="_compute_totals")
    amount_individual = fields.Monetary("Individuals", compute="_compute_totals")
    amount_legal = fields.Monetary("Legal entities", compute="_compute_totals")
    amount_recalc = fields.Monetary("Recalculated", compute="_compute_totals")
    amount_total = fields.Monetary("Total charged", compute="_compute_totals")
    amount_vat = fields.Monetary("VAT", compute="_compute_totals")
    move_count = fields.Integer(compute="_compute_totals")
    run_count = fields.Integer(compute="_compute_totals")

    _sql_constraints = [
        (
            "month_company_uniq",
            "unique(date_start, company_id)",
            "This month already has a billing period.",
        ),
    ]

    @api.depends("date_start")
    def _compute_name(self):
        for rec in self:
            rec.name = rec.date_start.strftime("%m.%Y") if rec.date_start else False

    @api.depends("date_start")
    def _compute_date_end(self):
        for rec in self:
            if rec.date_start:
                last = calendar.monthrange(rec.date_start.year, rec.date_start.month)[1]
                rec.date_end = rec.date_start.replace(day=last)
            else:
                rec.date_end = False

    def _compute_totals(self):
        empty = {
            "charge_count": 0,
            "unposted_count": 0,
            "amount_individual": 0.0,
            "amount_legal": 0.0,
            "amount_recalc": 0.0,
            "amount_total": 0.0,
            "amount_vat": 0.0,
        }
        totals = {}
        if self.ids:
            self.env["tko.charge"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT period_id, count(*),
                           count(*) FILTER (WHERE state = 'draft'),
                           COALESCE(sum(amount_total) FILTER (WHERE consumer = 'individual'), 0),
                           COALESCE(sum(amount_total) FILTER (WHERE consumer = 'legal'), 0),
                           COALESCE(sum(amount_total) FILTER (WHERE kind = 'recalc'), 0),
                           COALESCE(sum(amount_total), 0), COALESCE(sum(amount_vat), 0)
                      FROM tko_charge WHERE period_id = ANY(%s) GROUP BY period_id
                    """,
                    list(self.ids),
                )
            )
            for row in self.env.cr.fetchall():
                totals[row[0]] = dict(zip(empty, row[1:], strict=True))
        moves = dict(
            self.env["account.move"]
            .sudo()
            ._read_group([("tko_period_id", "in", self.ids)], ["tko_period_id"], ["__count"])
        )
        runs = dict(
            self.env["tko.charge.run"]._read_group(
                [("period_id", "in", self.ids)], ["period_id"], ["__count"]
            )
        )
        for rec in self:
            values = dict(empty, **totals.get(rec.id, {}))
            for key in ("amount_individual", "amount_legal", "amount_recalc"):
                values[key] = float(values[key])
            values["amount_total"] = float(values["amount_total"])
            values["amount_vat"] = float(values["amount_vat"])
            rec.update(values)
            rec.move_count = moves.get(rec, 0)
            rec.run_count = runs.get(rec, 0)
            last_run = rec.run_ids.filtered(lambda r: r.state in ("done", "failed"))[:1]
            rec.error_count = last_run.error_count if last_run else 0

    # ------------------------------------------------------------------ constraints
    @api.constrains("date_start", "state", "company_id")
    def _check_periods(self):
        for rec in self:
            if rec.date_start.day != 1:
                raise ValidationError(_("A billing period begins on the first day of a month."))
            if rec.state != "open":
                continue
            other_open = self.search(
                [
                    ("company_id", "=", rec.company_id.id),
                    ("state", "=", "open"),
                    ("id", "!=", rec.id),
                ],
                limit=1,
            )
            if other_open:
                raise ValidationError(
                    _(
                        "Period %(open)s is still open: close it before opening %(new)s "
                        "(only one period is open at a time).",
                        open=other_open.name,
                        new=rec.name,
                    )
                )
            later_closed = self.search(
                [
                    ("company_id", "=", rec.company_id.id),
                    ("state", "=", "closed"),
                    ("date_start", ">", rec.date_start),
                ],
                limit=1,
            )
            if later_closed:
                raise ValidationError(
                    _(
                        "Period %(new)s cannot be opened: the later period %(closed)s is closed. "
                        "Correct a past period by a recalculation in the open period.",
                        new=rec.name,
                        closed=later_closed.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("date_start"):
                vals["date_start"] = fields.Date.to_date(vals["date_start"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if "date_start" in vals and self.env["tko.charge"].search_count(
            [("period_id", "in", self.ids)], limit=1
        ):
            raise UserError(_("The month of a period with charges cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_empty(self):
        for rec in self:
            if rec.state == "closed":
                raise UserError(_("A closed period cannot be deleted."))
            if self.env["tko.charge"].search_count([("period_id", "=", rec.id)], limit=1):
                raise UserError(
                    _("Period %(name)s has charges: it cannot be deleted.", name=rec.name)
                )

    # ------------------------------------------------------------------ helpers
    @api.model
    def _open_period(self, company=None, raise_if_none=True):
        """The open period of the company (at most one)."""
        company = company or self.env.company
        period = self.search([("company_id", "=", company.id), ("state", "=", "open")], limit=1)
        if not period and raise_if_none:
            raise UserError(
                _(
                    "No billing period is open for %(company)s: open one in Billing › Periods.",
                    company=company.name,
                )
            )
        return period

    def _check_open(self):
        for rec in self:
            if rec.state != "open":
                raise UserError(
                    _(
                        "Period %(name)s is closed: its charges are locked. Book a correction "
                        "as a recalculation in the open period.",
                        name=rec.name,
                    )
                )

    def _lock_exclusive(self):
        """Take the period's exclusive advisory lock for this transaction, or fail at once.

        Charge runs hold the shared lock while they write; closing, posting, starting a run
        and booking a recalculation need the exclusive one.
        """
        for rec in self:
            self.env.cr.execute(
                SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, rec.id)
            )
            if not self.env.cr.fetchone()[0]:
                raise UserError(
                    _(
                        "Period %(name)s is being changed by another charge run, recalculation "
                        "or posting right now. Try again when it has finished.",
                        name=rec.name,
                    )
                )

    def _lock_shared(self):
        """The shared advisory lock of the period: waits for an exclusive holder to finish."""
        for rec in self:
            self.env.cr.execute(
                SQL("SELECT pg_advisory_xact_lock_shared(%s, %s)", LOCK_NAMESPACE, rec.id)
            )

    def _check_no_active_run(self, except_run=None):
        for rec in self:
            domain = [("period_id", "=", rec.id), ("state", "in", ACTIVE_RUN_STATES)]
            if except_run:
                domain.append(("id", "!=", except_run.id))
            active = self.env["tko.charge.run"].sudo().search(domain, limit=1)
            if active:
                raise UserError(
                    _(
                        "Charge run %(run)s is %(state)s on period %(name)s: wait until it "
                        "finishes (or cancel it) before starting another one.",
                        run=active.name,
                        state=dict(active._fields["state"]._description_selection(self.env))[
                            active.state
                        ],
                        name=rec.name,
                    )
                )

    # ------------------------------------------------------------------ actions
    def action_new_run(self):
        self.ensure_one()
        check_action(self)
        self._check_open()
        return {
            "type": "ir.actions.act_window",
            "name": _("Charge run"),
            "res_model": "tko.charge.run",
            "view_mode": "form",
            "target": "current",
            "context": {"default_period_id": self.id, "default_company_id": self.company_id.id},
        }

    def action_post(self):
        """Invoices of legal entities and aggregated entries of individuals for the period."""
        self.ensure_one()
        check_action(self)
        self._check_open()
        self._lock_exclusive()
        self._check_no_active_run()
        result = self.env["tko.billing.accounting"]._post_period(self)
        self.message_post(
            body=_(
                "Posted to accounting: %(invoices)s invoices of legal entities, %(entries)s "
                "aggregated entries of individuals, %(lines)s charge lines.",
                invoices=result["invoices"],
                entries=result["entries"],
                lines=result["lines"],
            )
        )
        return True

    def action_unpost(self):
        """Cancel the period's accounting entries (open period only); charges return to draft."""
        self.ensure_one()
        check_action(self)
        self._check_open()
        self._lock_exclusive()
        count = self.env["tko.billing.accounting"]._unpost_period(self)
        self.message_post(
            body=_(
                "Accounting entries cancelled: %(count)s; charges are back in draft.", count=count
            )
        )
        return True

    def action_close(self):
        check_action(self)
        for rec in self:
            rec._check_open()
            rec._lock_exclusive()
            rec._check_no_active_run()
            self.env["tko.charge"].flush_model()
            self.env.cr.execute(
                SQL(
                    "SELECT count(*) FROM tko_charge WHERE period_id = %s AND state = 'draft'",
                    rec.id,
                )
            )
            unposted = self.env.cr.fetchone()[0]
            if unposted:
                raise UserError(
                    _(
                        "Period %(name)s has %(count)s charge lines that are not in accounting "
                        "yet: post them first (button “Post to accounting”).",
                        name=rec.name,
                        count=unposted,
                    )
                )
            trusted(rec).write(
                {
                    "state": "closed",
                    "closed_on": fields.Datetime.now(),
                    "closed_by_id": self.env.user.id,
                }
            )
            rec.message_post(body=_("Period closed: its charges are locked."))
        return True

    def action_reopen(self):
        """Administrators only: reopen the last closed period when no later period exists."""
        check_action(self, ADMIN)
        for rec in self:
            later = self.search(
                [("company_id", "=", rec.company_id.id), ("date_start", ">", rec.date_start)],
                limit=1,
            )
            if later:
                raise UserError(
                    _(
                        "Period %(name)s cannot be reopened: period %(later)s exists after it.",
                        name=rec.name,
                        later=later.name,
                    )
                )
            trusted(rec).write({"state": "open", "closed_on": False, "closed_by_id": False})
            rec.message_post(body=_("Period reopened by an administrator."))
        return True

    def action_open_next(self):
        """Open the month after this one (this one must be closed)."""
        self.ensure_one()
        check_action(self)
        if self.state != "closed":
            raise UserError(_("Close this period before opening the next one."))
        nxt = fields.Date.add(self.date_start, months=1)
        period = self.search(
            [("company_id", "=", self.company_id.id), ("date_start", "=", nxt)], limit=1
        )
        if not period:
            period = self.create({"date_start": nxt, "company_id": self.company_id.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": period.id,
            "view_mode": "form",
        }

    def action_view_charges(self):
        self.ensure_one()
        check_rights(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_billing.tko_charge_action"
        )
        action["domain"] = [("period_id", "=", self.id)]
        action["context"] = {"search_default_group_kind": 1}
        return action

    def action_view_moves(self):
        self.ensure_one()
        check_rights(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Accounting entries of %(name)s", name=self.name),
            "res_model": "account.move",
            "view_mode": "tree,form",
            "domain": [("tko_period_id", "=", self.id)],
        }

    def action_view_reconciliation(self):
        self.ensure_one()
        check_rights(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_billing.tko_billing_reconciliation_action"
        )
        action["domain"] = [("period_id", "=", self.id)]
        return action

    def action_advance_invoices(self):
        self.ensure_one()
        check_action(self)
        invoices = self.env["tko.advance.invoice"]._create_for_period(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Advance invoices"),
            "res_model": "tko.advance.invoice",
            "view_mode": "tree,form",
            "domain": [("id", "in", invoices.ids)],
        }
