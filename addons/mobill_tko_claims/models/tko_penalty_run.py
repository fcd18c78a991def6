import logging
import time

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import LAWYER, READER, check_group, check_rights
from odoo.addons.queue_job.delay import group
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]


# Written by the run's actions and jobs only (trusted()), never by a client.
ENGINE_FIELDS = (
    "state",
    "job_count",
    "chunks_done",
    "account_count",
    "penalized_count",
    "error_count",
    "total_amount",
    "booked_count",
    "booked_amount",
    "date_started",
    "date_done",
    "duration",
    "log",
    "user_id",
)


class TkoPenaltyRun(models.Model):
    """A mass penalty calculation for all accounts and contracts of a company, or a group, on a
    date: background jobs, each reading a chunk of debts and payments with SQL, computing with
    the core's batch engine and writing in bulk; then the change of each penalty is booked."""

    _name = "tko.penalty.run"
    _description = "Mass penalty run"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "tko.job.watch.mixin",
        "tko.protected.fields.mixin",
    ]
    _tko_protected_fields = ENGINE_FIELDS
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda s: _("New"))
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    calc_date = fields.Date(
        "Calculate on", required=True, default=fields.Date.context_today, tracking=True
    )
    target = fields.Selection(
        [
            ("both", "Accounts and contracts"),
            ("accounts", "Personal accounts"),
            ("contracts", "Contracts"),
        ],
        required=True,
        default="both",
        tracking=True,
    )
    account_domain = fields.Char(
        "Accounts", default="[]", help="Which personal accounts (all by default)."
    )
    contract_domain = fields.Char("Contracts", default="[]", help="Which contracts.")
    book_charges = fields.Boolean(
        "Book in the ledger",
        default=True,
        tracking=True,
        help="Book the change of each penalty as a penalty line of the open billing period.",
    )
    store_breakdown = fields.Boolean(
        "Keep the breakdown",
        default=True,
        help="Also compute the line-by-line breakdown of every account with a penalty (slower;"
        " without it the breakdown is computed when a calculation is opened).",
    )
    chunk_size = fields.Integer("Accounts per job", default=5000, required=True)
    state = fields.Selection(
        STATES, default="draft", required=True, tracking=True, index=True, copy=False
    )
    job_count = fields.Integer("Jobs", readonly=True)
    chunks_done = fields.Integer("Jobs done", readonly=True)
    account_count = fields.Integer("Calculated", readonly=True)
    penalized_count = fields.Integer("With a penalty", readonly=True)
    error_count = fields.Integer("Errors", readonly=True)
    total_amount = fields.Monetary("Penalties", currency_field="currency_id", readonly=True)
    booked_count = fields.Integer("Lines booked", readonly=True)
    booked_amount = fields.Monetary("Booked", currency_field="currency_id", readonly=True)
    date_started = fields.Datetime("Started", readonly=True)
    date_done = fields.Datetime("Finished", readonly=True)
    duration = fields.Float("Seconds of calculation", readonly=True, digits=(12, 1))
    log = fields.Text(readonly=True)
    penalty_ids = fields.One2many("tko.penalty", "run_id", "Calculations")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("tko.penalty.run") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------ scope
    def _target_ids(self):
        """``{model: [ids]}`` of the run's accounts and contracts that have charges."""
        self.ensure_one()
        out = {}
        company = [("company_id", "=", self.company_id.id)]
        if self.target in ("both", "accounts"):
            domain = company + list(safe_eval(self.account_domain or "[]"))
            out["tko.account"] = self._with_charges(
                "account_id", self.env["tko.account"].search(domain, order="id").ids
            )
        if self.target in ("both", "contracts"):
            domain = company + list(safe_eval(self.contract_domain or "[]"))
            out["tko.contract"] = self._with_charges(
                "contract_id", self.env["tko.contract"].search(domain, order="id").ids
            )
        return out

    def _with_charges(self, col, ids):
        if not ids:
            return []
        self.env["tko.charge"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT %(col)s FROM tko_charge WHERE %(col)s = ANY(%(ids)s) ORDER BY 1",
                col=SQL.identifier(col),
                ids=ids,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------ run
    def action_start(self):
        """Queue the run: one job per chunk of accounts, then a job that adds up the results."""
        check_group(self.env, LAWYER)
        check_rights(self, "write")
        for run in trusted(self):
            if run.state not in ("draft", "failed"):
                raise UserError(_("Run %(name)s has already been started.", name=run.name))
            if run.chunk_size < 1:
                raise UserError(_("A job needs at least one account."))
            self.env["tko.rate"]._penalty_rate_table(run.company_id)  # fails early when empty
            if run.book_charges:
                self.env["tko.billing.period"]._open_period(run.company_id)
            targets = run._target_ids()
            jobs = []
            for model, ids in targets.items():
                for start in range(0, len(ids), run.chunk_size):
                    chunk = ids[start : start + run.chunk_size]
                    jobs.append(
                        run.delayable(
                            description=_(
                                "Penalties %(run)s: %(count)s from id %(first)s",
                                run=run.name,
                                count=len(chunk),
                                first=chunk[0],
                            ),
                            channel="root.tko_penalties",
                        )._run_chunk(model, chunk)
                    )
            run.write(
                {
                    "state": "queued",
                    "job_count": len(jobs),
                    "chunks_done": 0,
                    "account_count": 0,
                    "penalized_count": 0,
                    "error_count": 0,
                    "total_amount": 0.0,
                    "booked_count": 0,
                    "booked_amount": 0.0,
                    "date_started": fields.Datetime.now(),
                    "date_done": False,
                    "duration": 0.0,
                    "log": False,
                }
            )
            finish = run.delayable(
                description=_("Penalties %(run)s: totals", run=run.name),
                channel="root.tko_penalties",
            )._finish()
            if jobs:
                group(*jobs).on_done(finish).delay()
            else:
                finish.delay()
        return True

    def _run_chunk(self, model, ids):
        """Job: one chunk of accounts or contracts (set-based)."""
        self.ensure_one()
        started = time.perf_counter()
        records = self.env[model].browse(ids).exists()
        counts = self.env["tko.penalty"]._mass_chunk(
            model,
            records.ids,
            self.calc_date,
            self.company_id,
            run=self,
            book=self.book_charges,
            breakdown=self.store_breakdown,
        )
        elapsed = time.perf_counter() - started
        # several jobs of one run may finish at once: add up under the run's row lock, taken
        # only now so that the jobs run in parallel until they commit
        self.env.cr.execute("SELECT id FROM tko_penalty_run WHERE id = %s FOR UPDATE", (self.id,))
        self.invalidate_recordset()
        trusted(self).write(
            {
                "chunks_done": self.chunks_done + 1,
                "account_count": self.account_count + counts["accounts"],
                "penalized_count": self.penalized_count + counts["penalized"],
                "error_count": self.error_count + counts["errors"],
                "booked_count": self.booked_count + counts["booked_lines"],
                "booked_amount": self.booked_amount + counts["booked_amount"],
                "duration": self.duration + elapsed,
                "state": "running" if self.state == "queued" else self.state,
            }
        )
        self.flush_recordset()
        _logger.info("Penalty run %s: %s %s in %.1f s", self.name, len(ids), model, elapsed)
        return _("%(count)s calculated in %(seconds).1f s", count=len(ids), seconds=elapsed)

    def _finish(self):
        """Job: totals of the run from its calculations; message to the user."""
        self.ensure_one()
        self.env["tko.penalty"].flush_model()
        self.env.cr.execute(
            """
            SELECT count(*) FILTER (WHERE total > 0), COALESCE(sum(total), 0),
                   count(*) FILTER (WHERE state = 'error')
              FROM tko_penalty WHERE run_id = %s
            """,
            (self.id,),
        )
        penalized, total, errors = self.env.cr.fetchone()
        self.env.cr.execute(
            """
            SELECT string_agg(COALESCE(a.name, c.name) || ': ' || p.error_message, E'\\n')
              FROM (SELECT * FROM tko_penalty WHERE run_id = %s AND state = 'error'
                     ORDER BY id LIMIT 100) p
              LEFT JOIN tko_account a ON a.id = p.account_id
              LEFT JOIN tko_contract c ON c.id = p.contract_id
            """,
            (self.id,),
        )
        log = self.env.cr.fetchone()[0]
        rates = self.company_id
        if rates.tko_rate_refresh_state == "error":
            log = (log + "\n" if log else "") + _(
                "Warning: the last refresh of the Bank of Russia rates failed (%(message)s); "
                "check that the rate table is complete up to %(date)s.",
                message=rates.tko_rate_refresh_message or "",
                date=self.calc_date,
            )
        self.env["tko.debtor"]._refresh()
        trusted(self).write(
            {
                "state": "done",
                "date_done": fields.Datetime.now(),
                "penalized_count": penalized,
                "error_count": errors,
                "total_amount": float(total),
                "log": log or False,
            }
        )
        self.message_post(
            body=_(
                "Penalties calculated on %(date)s: %(count)s accounts and contracts, %(penalized)s "
                "with a penalty, total %(total)s; %(booked)s lines booked (%(amount)s); "
                "%(errors)s errors.",
                date=self.calc_date,
                count=self.account_count,
                penalized=penalized,
                total=total,
                booked=self.booked_count,
                amount=self.booked_amount,
                errors=errors,
            ),
            partner_ids=self.user_id.partner_id.ids,
        )
        return True

    def action_check_jobs(self):
        """Mark the run failed when one of its jobs failed, was cancelled or deleted, or its
        worker died (killed, out of memory, restarted); the jobs still waiting are cancelled
        and the run can be started again (each chunk rewrites the same calculations)."""
        check_group(self.env, LAWYER)
        check_rights(self, "write")
        self._tko_detect_dead(self)
        return True

    # ------------------------------------------------------------------ watch of the jobs
    def _jobs_domain(self):
        self.ensure_one()
        return [
            ("model_name", "=", self._name),
            ("func_string", "=like", f"{self._name}({self.id},).%"),
        ]

    def _tko_watch_jobs(self):
        """The jobs of the current start (those of an earlier failed start are left out)."""
        self.ensure_one()
        domain = self._jobs_domain()
        if self.date_started:
            domain.append(("date_created", ">=", self.date_started))
        return self.env["queue.job"].sudo().search(domain)

    def _tko_watch_fail(self, message):
        self.ensure_one()
        run = self.sudo()
        log = _("Failed: %(reason)s Start it again.", reason=message)
        run.write(
            {
                "state": "failed",
                "date_done": fields.Datetime.now(),
                "log": "\n".join(filter(None, [run.log, log])),
            }
        )
        run.message_post(body=log, partner_ids=run.user_id.partner_id.ids)

    def action_view_jobs(self):
        check_group(self.env, READER)
        check_rights(self)
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Jobs"),
            "res_model": "queue.job",
            "view_mode": "tree,form",
            "domain": self._jobs_domain(),
        }

    def action_view_penalties(self):
        check_group(self.env, READER)
        check_rights(self)
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Calculations"),
            "res_model": "tko.penalty",
            "view_mode": "tree,form",
            "domain": [("run_id", "=", self.id)],
        }
