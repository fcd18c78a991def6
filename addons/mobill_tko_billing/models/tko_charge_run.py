import logging
import os
import time

from markupsafe import Markup
from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.addons.mobill_tko_base.tools.access import check_action, check_rights
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger
from psycopg2 import errors

from .tko_billing_period import ACTIVE_RUN_STATES

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Draft"),
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
# Written by the run's actions and its jobs only (trusted()), never by a client.
ENGINE_FIELDS = (
    "state",
    "partitions",
    "partitions_done",
    "total_count",
    "done_count",
    "date_started",
    "date_finished",
    "duration",
    "line_count",
    "accounts_charged",
    "contracts_charged",
    "error_count",
    "amount_individual",
    "amount_legal",
    "amount_total",
    "amount_vat",
    "job_uuids",
    "note",
)

SCOPES = [
    ("all", "All accounts and contracts (optionally a group)"),
    ("accounts", "Chosen personal accounts"),
    ("contracts", "Chosen contracts"),
]
METHOD_FILTERS = [
    ("residents", "Individuals by residents"),
    ("area", "Individuals by area"),
    ("norm", "Legal entities by norm"),
    ("containers", "Legal entities by containers"),
    ("limit", "Legal entities by agreed volume"),
    ("measured_volume", "Legal entities by measured volume"),
    ("measured_mass", "Legal entities by measured mass"),
]
INDIVIDUAL_METHODS = ("residents", "area")
JOB_CHANNEL = "root.tko_billing"
# crash test only (tests/test_crash.py): small chunks and a pause after each committed chunk
TEST_CHUNK_ENV = "MOBILL_TKO_TEST_CHUNK"


class TkoChargeRun(models.Model):
    """A calculation of a period: all accounts and contracts, a group of them, or chosen ones.

    Runs in background jobs (queue_job), split into partitions that run in parallel, each in
    chunks with its own transaction; shows its progress and, when done, a summary (counts,
    totals, errors by account). Re-running a period replaces its unposted charges.
    """

    _name = "tko.charge.run"
    _description = "Charge run"
    _inherit = ["mail.thread", "tko.job.watch.mixin", "tko.protected.fields.mixin"]
    _tko_protected_fields = ENGINE_FIELDS
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, copy=False, readonly=True, default=lambda self: _("New"))
    period_id = fields.Many2one(
        "tko.billing.period",
        required=True,
        index=True,
        tracking=True,
        domain=[("state", "=", "open")],
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(STATES, default="draft", required=True, tracking=True, index=True)
    scope = fields.Selection(SCOPES, default="all", required=True, tracking=True)
    consumer_kind = fields.Selection(
        [
            ("all", "Individuals and legal entities"),
            ("individual", "Individuals"),
            ("legal", "Legal entities"),
        ],
        "Consumers",
        default="all",
        required=True,
        tracking=True,
    )
    address_id = fields.Many2one(
        "tko.address",
        "District or settlement",
        domain=[("level", "in", ("district", "settlement_mo", "locality", "street", "house"))],
        tracking=True,
        help="Only objects at this address element and below.",
        check_company=True,
    )
    management_company_id = fields.Many2one(
        "res.partner",
        domain=[("is_management_company", "=", True)],
        tracking=True,
        help="Only the houses of this management company.",
    )
    method = fields.Selection(METHOD_FILTERS, tracking=True)
    account_ids = fields.Many2many("tko.account", string="Personal accounts", check_company=True)
    contract_ids = fields.Many2many("tko.contract", string="Contracts", check_company=True)
    partitions = fields.Integer(readonly=True, default=1)
    partitions_done = fields.Integer(readonly=True, default=0)
    total_count = fields.Integer("To process", readonly=True)
    done_count = fields.Integer("Processed", readonly=True, default=0)
    progress = fields.Float(compute="_compute_progress")
    date_started = fields.Datetime("Started", readonly=True)
    date_finished = fields.Datetime("Finished", readonly=True)
    duration = fields.Float("Duration, s", readonly=True, digits=(16, 1))
    line_count = fields.Integer("Charge lines", readonly=True)
    accounts_charged = fields.Integer("Accounts charged", readonly=True)
    contracts_charged = fields.Integer("Contracts charged", readonly=True)
    error_count = fields.Integer("Errors", readonly=True)
    amount_individual = fields.Monetary("Individuals", readonly=True)
    amount_legal = fields.Monetary("Legal entities", readonly=True)
    amount_total = fields.Monetary("Total", readonly=True)
    amount_vat = fields.Monetary("VAT", readonly=True)
    error_ids = fields.One2many("tko.charge.run.error", "run_id", "Errors by account")
    job_uuids = fields.Char(readonly=True, copy=False)
    note = fields.Text("Failure", readonly=True)

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
            if not vals.get("name") or vals["name"] == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("tko.charge.run") or "/"
            if vals.get("period_id") and not vals.get("company_id"):
                period = self.env["tko.billing.period"].browse(vals["period_id"])
                vals["company_id"] = period.company_id.id
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_active(self):
        if any(rec.state in ACTIVE_RUN_STATES for rec in self):
            raise UserError(_("A queued or running charge run cannot be deleted: cancel it first."))
        if self.env["tko.charge"].search_count(
            [("period_id", "in", self.period_id.ids), ("run_id", "in", self.ids)], limit=1
        ):
            raise UserError(
                _("A charge run that wrote charge lines is their history: it cannot be deleted.")
            )

    # ------------------------------------------------------------------ scope
    def _consumers(self):
        self.ensure_one()
        if self.scope == "accounts":
            return ["individual"]
        if self.scope == "contracts":
            return ["legal"]
        kinds = ["individual", "legal"] if self.consumer_kind == "all" else [self.consumer_kind]
        if self.method:
            wanted = "individual" if self.method in INDIVIDUAL_METHODS else "legal"
            kinds = [k for k in kinds if k == wanted]
        return kinds

    def _ids_filter(self, consumer):
        if self.scope == "accounts" and consumer == "individual":
            return list(self.account_ids.ids)
        if self.scope == "contracts" and consumer == "legal":
            return list(self.contract_ids.ids)
        return None

    def _where(self, consumer):
        """The group filter as SQL on ``a`` (accounts) or ``c`` (contracts)."""
        self.ensure_one()
        conditions = []
        if self.scope != "all":
            return SQL("TRUE")
        path = None
        if self.address_id:
            path = (self.address_id.parent_path or "") + "%"
        if consumer == "individual":
            if path:
                conditions.append(
                    SQL(
                        "a.address_id IN (SELECT id FROM tko_address WHERE parent_path LIKE %s)",
                        path,
                    )
                )
            if self.management_company_id:
                conditions.append(
                    SQL("a.management_company_id = %s", self.management_company_id.id)
                )
            if self.method:
                conditions.append(SQL("a.calc_method = %s", self.method))
        else:
            if path:
                conditions.append(
                    SQL(
                        """EXISTS (SELECT 1 FROM tko_contract_line l
                                     JOIN tko_object o ON o.id = l.object_id
                                     JOIN tko_address ad ON ad.id = o.address_id
                                    WHERE l.contract_id = c.id AND ad.parent_path LIKE %s)""",
                        path,
                    )
                )
            if self.management_company_id:
                conditions.append(
                    SQL(
                        """EXISTS (SELECT 1 FROM tko_contract_line l
                                     JOIN tko_object o ON o.id = l.object_id
                                    WHERE l.contract_id = c.id
                                      AND o.management_company_id = %s)""",
                        self.management_company_id.id,
                    )
                )
            if self.method:
                conditions.append(
                    SQL(
                        """EXISTS (SELECT 1 FROM tko_contract_line l
                                    WHERE l.contract_id = c.id AND l.scheme = %s)""",
                        self.method,
                    )
                )
        return SQL(" AND ").join(conditions) if conditions else SQL("TRUE")

    # ------------------------------------------------------------------ start
    def _check_start(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(_("Only a draft charge run can be started."))
        if self.scope == "accounts" and not self.account_ids:
            raise UserError(_("Choose the personal accounts to calculate."))
        if self.scope == "contracts" and not self.contract_ids:
            raise UserError(_("Choose the contracts to calculate."))
        self.period_id._check_open()
        self.period_id._lock_exclusive()
        self.period_id._check_no_active_run(except_run=self)

    def _prepare_start(self, partitions):
        engine = self.env["tko.billing.engine"]
        ctx = engine._period_context(self.period_id)
        total = sum(
            engine._count(ctx, consumer, self._where(consumer), self._ids_filter(consumer))
            for consumer in self._consumers()
        )
        self.error_ids.unlink()
        trusted(self).write(
            {
                "state": "queued",
                "partitions": partitions,
                "partitions_done": 0,
                "total_count": total,
                "done_count": 0,
                "date_started": fields.Datetime.now(),
                "date_finished": False,
                "note": False,
            }
        )
        self.flush_recordset()

    @api.model
    def _start_individual(self, records, scope, field_name):
        """Individual calculation of ``records`` (accounts or contracts) in the open period.

        Returns the window of the started run.
        """
        period = self.env["tko.billing.period"]._open_period(records.company_id[:1] or None)
        run = self.create(
            {
                "period_id": period.id,
                "scope": scope,
                field_name: [fields.Command.set(records.ids)],
            }
        )
        run.action_start()
        return {
            "type": "ir.actions.act_window",
            "res_model": "tko.charge.run",
            "res_id": run.id,
            "view_mode": "form",
        }

    def action_start(self):
        """Queue the run as background jobs (one per partition)."""
        check_action(self)
        for rec in trusted(self):
            rec._check_start()
            small = rec.scope in ("accounts", "contracts")
            partitions = 1 if small else max(1, rec.company_id.tko_billing_partitions or 1)
            rec._prepare_start(partitions)
            uuids = []
            for part in range(partitions):
                job = rec.with_delay(
                    channel=JOB_CHANNEL,
                    description=_(
                        "Charges %(period)s, run %(run)s, part %(part)s of %(parts)s",
                        period=rec.period_id.name,
                        run=rec.name,
                        part=part + 1,
                        parts=partitions,
                    ),
                )._job_run_partition(part, partitions)
                if getattr(job, "uuid", None):
                    uuids.append(job.uuid)
            rec.job_uuids = ",".join(uuids)
            rec.message_post(
                body=_(
                    "Queued: %(count)s accounts and contracts in %(parts)s parallel part(s).",
                    count=rec.total_count,
                    parts=partitions,
                )
            )
        return True

    def action_run_now(self):
        """Run at once in this transaction (tests, small runs, no job runner)."""
        check_action(self)
        for rec in trusted(self):
            rec._check_start()
            rec._prepare_start(1)
            rec.state = "running"
            rec.flush_recordset()
            started = time.monotonic()
            rec._process_partition(0, 1, commit=False)
            rec._finalize(time.monotonic() - started)
        return True

    def action_cancel(self):
        check_action(self)
        for rec in trusted(self):
            if rec.state not in ("draft", *ACTIVE_RUN_STATES):
                raise UserError(_("Only a draft, queued or running charge run can be cancelled."))
            rec.write({"state": "cancelled", "date_finished": fields.Datetime.now()})
            rec.message_post(body=_("Cancelled: the parts still to come stop at their next chunk."))
        return True

    def action_refresh(self):
        """Reload the progress; a run whose background jobs died is marked failed."""
        check_rights(self)
        self._tko_detect_dead(self)
        return True

    def action_retry(self):
        """Rerun a failed charge run: its parts start again from the beginning and rewrite
        the same lines (each chunk replaces the unposted lines of its own accounts)."""
        check_action(self)
        for rec in trusted(self):
            if rec.state != "failed":
                raise UserError(_("Only a failed charge run can be rerun."))
            rec.state = "draft"
        return self.action_start()

    # ------------------------------------------------------------------ watch of the jobs
    def _tko_watch_jobs(self):
        self.ensure_one()
        uuids = [uuid for uuid in (self.job_uuids or "").split(",") if uuid]
        if not uuids:
            return self.env["queue.job"].sudo()
        return self.env["queue.job"].sudo().search([("uuid", "in", uuids)])

    def _tko_watch_fail(self, message):
        self.ensure_one()
        run = self.sudo()
        note = _("Failed: %(reason)s Rerun it.", reason=message)
        run.write({"state": "failed", "note": note, "date_finished": fields.Datetime.now()})
        run.message_post(body=note)

    def _tko_watch_all_done(self):
        self.ensure_one()
        run = self.sudo()
        if run.partitions_done >= run.partitions:
            run._finalize()
        else:
            run._tko_watch_fail(_("Its background jobs ended without finishing every part."))

    def action_view_charges(self):
        check_rights(self)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mobill_tko_billing.tko_charge_action"
        )
        action["domain"] = [("period_id", "=", self.period_id.id), ("run_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------ execution
    def _job_run_partition(self, part, parts):
        """Queue job: one partition, in chunks that commit on their own cursor."""
        self.ensure_one()
        started = time.monotonic()
        state = self._execute_retrying(
            SQL(
                """
                UPDATE tko_charge_run SET state = 'running'
                 WHERE id = %s AND state IN ('queued', 'running') RETURNING state
                """,
                self.id,
            )
        )
        if not state:
            # a job requeued after its worker died, for a run finished, failed or cancelled
            # since: its rerun has jobs of its own
            return _("Nothing to do: the charge run is no longer active.")
        try:
            self._process_partition(part, parts, commit=True)
        except Exception as error:
            _logger.exception("charge run %s, part %s failed", self.name, part)
            self._execute_retrying(
                SQL(
                    """
                    UPDATE tko_charge_run
                       SET note = concat_ws(E'\\n', note, %s::text), state = 'failed'
                     WHERE id = %s
                    """,
                    f"{part + 1}/{parts}: {error}",
                    self.id,
                )
            )
        finally:
            done, total = self._execute_retrying(
                SQL(
                    """
                    UPDATE tko_charge_run SET partitions_done = COALESCE(partitions_done, 0) + 1
                     WHERE id = %s RETURNING partitions_done, partitions
                    """,
                    self.id,
                )
            )
            if done >= total:
                with self.env.registry.cursor() as cr:
                    run = self.with_env(self.env(cr=cr))
                    run.invalidate_recordset()
                    run._finalize(time.monotonic() - started)
        return True

    def _process_partition(self, part, parts, commit):
        """Compute one partition chunk by chunk. With ``commit`` each chunk runs in a cursor
        of its own and commits (bounded transactions, progress visible); without it, each
        chunk runs in a savepoint of the current transaction."""
        self.ensure_one()
        engine = self.env["tko.billing.engine"]
        ctx = engine._period_context(self.period_id)
        limit = max(100, self.company_id.tko_billing_chunk_size or 20000)
        pause = 0.0
        if os.environ.get(TEST_CHUNK_ENV):
            size, pause = os.environ[TEST_CHUNK_ENV].split(":")
            limit, pause = int(size), float(pause)
        plan = [
            (consumer, self._where(consumer), self._ids_filter(consumer))
            for consumer in self._consumers()
        ]
        for consumer, where, ids in plan:
            after, upper = engine._id_range(ctx, consumer, part, parts)
            while True:
                if commit:
                    with self.env.registry.cursor() as cr:
                        step = self.with_env(self.env(cr=cr))._chunk(
                            ctx, consumer, where, ids, after, upper, limit
                        )
                else:
                    with self.env.cr.savepoint(flush=False):
                        step = self._chunk(ctx, consumer, where, ids, after, upper, limit)
                if step is None:
                    break
                if pause:
                    time.sleep(pause)
                after, processed = step
                self._execute_retrying(
                    SQL(
                        "UPDATE tko_charge_run SET done_count = COALESCE(done_count, 0) + %s "
                        "WHERE id = %s",
                        processed,
                        self.id,
                    ),
                    commit,
                )
        self.env["tko.charge"].invalidate_model()

    def _execute_retrying(self, query, commit=True, attempts=20):
        """Run one small statement on the run row in a transaction of its own, retried.

        Partitions running in parallel update the same run row (progress, parts done); under
        REPEATABLE READ the later of two concurrent updates fails to serialize: it is retried
        in a new transaction. Without ``commit`` it runs in the current transaction.
        """
        if not commit:
            self.env.cr.execute(query)
            return self.env.cr.fetchone() if self.env.cr.description else None
        for attempt in range(attempts):
            try:
                with mute_logger("odoo.sql_db"), self.env.registry.cursor() as cr:
                    cr.execute(query)
                    return cr.fetchone() if cr.description else None
            except (errors.SerializationFailure, errors.DeadlockDetected):
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        return None

    def _chunk(self, ctx, consumer, where, ids, after, upper, limit):
        cr = self.env.cr
        cr.execute(SQL("SELECT state FROM tko_charge_run WHERE id = %s", self.id))
        if cr.fetchone()[0] in ("cancelled", "failed"):
            return None
        self.env["tko.billing.period"].browse(ctx.period_id)._lock_shared()
        cr.execute(SQL("SELECT state FROM tko_billing_period WHERE id = %s", ctx.period_id))
        if cr.fetchone()[0] != "open":
            raise UserError(_("The period was closed while the charge run was running."))
        result = self.env["tko.billing.engine"]._run_chunk(
            ctx, consumer, self.id, where, after, upper, limit, ids
        )
        if result is None:
            return None
        last_id, processed, _lines, _errors = result
        return last_id, processed

    def _finalize(self, seconds=None):
        """Summary of a finished run: counts and totals from the ledger, errors by account."""
        self.ensure_one()
        cr = self.env.cr
        self.env["tko.charge"].flush_model()
        cr.execute(
            SQL(
                """
                SELECT count(*),
                       count(DISTINCT account_id),
                       count(DISTINCT contract_id),
                       COALESCE(sum(amount_total) FILTER (WHERE consumer = 'individual'), 0),
                       COALESCE(sum(amount_total) FILTER (WHERE consumer = 'legal'), 0),
                       COALESCE(sum(amount_total), 0), COALESCE(sum(amount_vat), 0)
                  FROM tko_charge WHERE period_id = %s AND run_id = %s
                """,
                self.period_id.id,
                self.id,
            )
        )
        lines, accounts, contracts, individual, legal, total, vat = cr.fetchone()
        cr.execute(SQL("SELECT count(*) FROM tko_charge_run_error WHERE run_id = %s", self.id))
        errors = cr.fetchone()[0]
        if self.scope == "all" and self.state != "cancelled":
            self._remove_stale()
        self.invalidate_recordset()
        state = self.state
        values = {}
        if state in ACTIVE_RUN_STATES:
            state = "done"
            # a part requeued after its worker died counted its chunks again; a run done here
            # and now (no jobs) did every part itself
            values["done_count"] = self.total_count
            values["partitions_done"] = self.partitions
        values = {
            **values,
            "state": state,
            "date_finished": fields.Datetime.now(),
            "line_count": lines,
            "accounts_charged": accounts,
            "contracts_charged": contracts,
            "error_count": errors,
            "amount_individual": float(individual),
            "amount_legal": float(legal),
            "amount_total": float(total),
            "amount_vat": float(vat),
        }
        if seconds is not None and self.date_started:
            values["duration"] = (fields.Datetime.now() - self.date_started).total_seconds()
        trusted(self).write(values)
        self.message_post(
            body=Markup("<p>%s</p>")
            % _(
                "Finished: %(lines)s charge lines for %(accounts)s accounts and %(contracts)s "
                "contracts, total %(total)s (VAT %(vat)s); %(errors)s errors.",
                lines=lines,
                accounts=accounts,
                contracts=contracts,
                total=total,
                vat=vat,
                errors=errors,
            )
        )

    def _remove_stale(self):
        """After a run over everything: unposted lines of the period that this run did not
        rewrite belong to accounts or contracts no longer in service; remove them."""
        self.ensure_one()
        if self.address_id or self.management_company_id or self.method:
            return
        consumers = self._consumers()
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM tko_charge
                 WHERE period_id = %s AND kind IN ('charge', 'absence') AND state = 'draft'
                   AND run_id IS DISTINCT FROM %s AND consumer = ANY(%s)
                   AND NOT EXISTS (SELECT 1 FROM tko_charge_run_error e
                                    WHERE e.run_id = %s
                                      AND (e.account_id = tko_charge.account_id
                                           OR e.contract_id = tko_charge.contract_id))
                """,
                self.period_id.id,
                self.id,
                consumers,
                self.id,
            )
        )
