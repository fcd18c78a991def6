import datetime as dt
import logging

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import core_message, raise_user_error, trusted
from odoo.addons.mobill_tko_base.tools.access import LAWYER, READER, check_group, check_rights
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from mobill_tko_core import penalties as core_penalties
from mobill_tko_core.errors import CoreError

from ..tools import penalty_io

_logger = logging.getLogger(__name__)

#: target kind -> (model, column, consumer kind of the core)
TARGETS = {
    "tko.account": ("account_id", "individual"),
    "tko.contract": ("contract_id", "legal"),
}
# a calculation is written by the penalty engine only
PROTECTED_FIELDS = (
    "account_id",
    "contract_id",
    "partner_id",
    "company_id",
    "consumer",
    "calc_date",
    "total",
    "state",
    "error_message",
    "run_id",
    "has_breakdown",
)

# Monthly debts by booking period (penalties excluded) with their due dates (the rule of
# mobill_tko_core.due_dates through tko.due.date: a contract's condition in force at the month's
# end, else the company's day).
DEBT_QUERY = """
    SELECT d.rid, d.period, d.amount, {due_date}
      FROM (SELECT c.{col} AS rid, p.date_start AS period, p.date_end,
                   sum(c.amount_total) AS amount
              FROM tko_charge c JOIN tko_billing_period p ON p.id = c.period_id
             WHERE c.{col} = ANY(%(ids)s) AND c.kind <> 'penalty' AND p.date_start <= %(calc)s
             GROUP BY c.{col}, p.date_start, p.date_end) d
      JOIN res_company co ON co.id = %(company)s{condition_join}
     ORDER BY d.rid, d.period
"""

# Payment allocations of posted payments paid by the calculation date, by period. The ledger
# allocates a payment to a period's whole charge, penalty included: the part of a period's
# allocations above its principal paid the penalty and is left out (principal first).
PAYMENT_QUERY = """
    WITH principal AS (
        SELECT c.{col} AS rid, p.date_start AS period, sum(c.amount_total) AS amount
          FROM tko_charge c JOIN tko_billing_period p ON p.id = c.period_id
         WHERE c.{col} = ANY(%(ids)s) AND c.kind <> 'penalty'
         GROUP BY c.{col}, p.date_start),
    alloc AS (
        SELECT a.{col} AS rid, a.date_paid, a.amount, a.period_date,
               sum(a.amount) OVER (PARTITION BY a.{col}, a.period_date
                                   ORDER BY a.date_paid, a.id) AS cum
          FROM tko_payment_allocation a JOIN tko_payment pay ON pay.id = a.payment_id
         WHERE a.{col} = ANY(%(ids)s) AND pay.state = 'posted' AND a.date_paid <= %(calc)s)
    SELECT alloc.rid, alloc.date_paid,
           CASE WHEN alloc.period_date IS NULL THEN alloc.amount
                ELSE LEAST(alloc.amount,
                           GREATEST(0, COALESCE(pr.amount, 0) - (alloc.cum - alloc.amount)))
           END,
           alloc.period_date
      FROM alloc LEFT JOIN principal pr ON pr.rid = alloc.rid AND pr.period = alloc.period_date
     ORDER BY alloc.rid, alloc.date_paid
"""


class TkoPenalty(models.Model):
    """The latest penalty calculation of a personal account or a contract, with its breakdown."""

    _name = "tko.penalty"
    _description = "Penalty calculation"
    _inherit = ["tko.protected.fields.mixin"]
    _tko_protected_fields = PROTECTED_FIELDS
    _order = "calc_date desc, id desc"
    _check_company_auto = True

    account_id = fields.Many2one(
        "tko.account", "Personal account", index=True, readonly=True, check_company=True
    )
    contract_id = fields.Many2one("tko.contract", index=True, readonly=True, check_company=True)
    partner_id = fields.Many2one(
        "res.partner", "Consumer", index=True, readonly=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    consumer = fields.Selection(
        [("individual", "Individual"), ("legal", "Legal entity or entrepreneur")],
        "Consumer kind",
        required=True,
        readonly=True,
    )
    calc_date = fields.Date("Calculated on", required=True, readonly=True, index=True)
    total = fields.Monetary("Penalty", currency_field="currency_id", readonly=True)
    state = fields.Selection(
        [("ok", "Calculated"), ("error", "Error")], default="ok", required=True, readonly=True
    )
    error_message = fields.Char(readonly=True)
    run_id = fields.Many2one(
        "tko.penalty.run", "Mass run", readonly=True, index=True, check_company=True
    )
    has_breakdown = fields.Boolean(readonly=True)
    line_ids = fields.One2many("tko.penalty.line", "penalty_id", "Breakdown", readonly=True)
    debt_ids = fields.One2many("tko.penalty.debt", "penalty_id", "Debts by month", readonly=True)
    booked_amount = fields.Monetary(
        "Penalty in the ledger", currency_field="currency_id", compute="_compute_booked"
    )

    def init(self):
        # called by the registry (as superuser) when the module loads; never by a client
        if not self.env.su:
            raise AccessError(_("Penalty calculations are set up by the system only."))
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS tko_penalty_account_uniq
                ON tko_penalty (account_id) WHERE account_id IS NOT NULL;
            CREATE UNIQUE INDEX IF NOT EXISTS tko_penalty_contract_uniq
                ON tko_penalty (contract_id) WHERE contract_id IS NOT NULL;
            """
        )

    @api.depends("account_id", "contract_id")
    def _compute_display_name(self):
        for rec in self:
            target = rec.account_id or rec.contract_id
            rec.display_name = f"{target.display_name or ''} {rec.calc_date or ''}".strip()

    def _compute_booked(self):
        charges = self.env["tko.charge"]
        for rec in self:
            key, target = (
                ("account_id", rec.account_id)
                if rec.account_id
                else ("contract_id", rec.contract_id)
            )
            booked = charges._read_group(
                [(key, "=", target.id), ("kind", "=", "penalty")], [], ["amount_total:sum"]
            )
            rec.booked_amount = booked[0][0] if booked else 0.0

    # ------------------------------------------------------------------ reading the ledger
    @api.model
    def _read_inputs(self, model, ids, calc_date, company):
        """Monthly debts, payments and ПП 497 opt-outs of ``ids`` (accounts or contracts) as
        the core takes them: ``(debts, payments, opt_outs)`` dicts keyed by id."""
        col, _consumer = TARGETS[model]
        for name in ("tko.charge", "tko.payment", "tko.payment.allocation", "res.partner"):
            self.env[name].flush_model()
        params = {
            "ids": list(ids),
            "calc": calc_date,
            "company": company.id,
        }
        cr = self.env.cr
        Due = self.env["tko.due.date"]
        contracts = model == "tko.contract"
        debt_query = DEBT_QUERY.format(
            col=col,
            due_date=Due._sql(
                "d.period", "due_cond.due_day" if contracts else "NULL::integer", "co"
            ),
            condition_join=Due._sql_condition_join("d.rid", "d.date_end") if contracts else "",
        )
        debts = penalty_io.parse_debts(penalty_io.copy_rows(cr, debt_query, params))
        payments = penalty_io.parse_payments(
            penalty_io.copy_rows(cr, PAYMENT_QUERY.format(col=col), params)
        )
        cr.execute(
            SQL(
                """
                SELECT t.id FROM %s t JOIN res_partner rp ON rp.id = t.partner_id
                 WHERE t.id = ANY(%s) AND rp.tko_pp497_opt_out
                """,
                SQL.identifier(self.env[model]._table),
                list(ids),
            )
        )
        opt_outs = {row[0]: ("PP497",) for row in cr.fetchall()}
        return debts, payments, opt_outs

    @api.model
    def _rules(self, model, company, rate_table=None):
        return company._tko_penalty_rules(TARGETS[model][1], rate_table=rate_table)

    # ------------------------------------------------------------------ detailed engine
    @api.model
    def _compute_detailed(self, records, calc_date):
        """``{id: PenaltyResult}`` with the line-by-line breakdown (core ``compute_penalties``)."""
        results = {}
        for company in records.company_id:
            own = records.filtered(lambda r, c=company: r.company_id == c)
            rules = self._rules(records._name, company)
            debts, payments, opt_outs = self._read_inputs(
                records._name, own.ids, calc_date, company
            )
            for rec in own:
                results[rec.id] = core_penalties.compute_penalties(
                    debts.get(rec.id, []),
                    payments.get(rec.id, []),
                    calc_date,
                    rules,
                    opt_outs.get(rec.id, ()),
                )
        return results

    @api.model
    def _result_line_values(self, result):
        """``(debt values, line values)`` of a core result, for ``tko.penalty.debt`` / ``.line``."""
        debts = [
            {
                "period": dt.date.fromisoformat(d["period"] + "-01"),
                "due_date": d["due_date"],
                "amount": float(d["amount"]),
                "paid": float(d["paid"]),
                "unpaid": float(d["unpaid"]),
                "penalty": float(d["penalty"]),
            }
            for d in result.debts
        ]
        lines = [
            {
                "period": line.period,
                "due_date": line.due_date,
                "debt": float(line.debt),
                "paid_on": line.paid_on or False,
                "date_from": line.date_from,
                "date_to": line.date_to,
                "days": line.days,
                "day_from": line.day_from,
                "day_to": line.day_to,
                "share": line.share,
                "rate": float(line.rate) if line.rate is not None else 0.0,
                "base_rate": float(line.base_rate) if line.base_rate is not None else 0.0,
                "rate_date": line.rate_date,
                "reason": line.reason,
                "rule": line.rule or False,
                "amount": float(line.amount),
                "text": line.text,
            }
            for line in result.lines
        ]
        return debts, lines

    @api.model
    def _store_detailed(self, records, calc_date, results, run=None):
        """Keep ``results`` as the latest calculation of ``records`` (breakdown included)."""
        col, consumer = TARGETS[records._name]
        engine = trusted(self)
        existing = {p[col].id: p for p in engine.search([(col, "in", records.ids)])}
        penalties = self.browse()
        for rec in records:
            result = results[rec.id]
            values = {
                col: rec.id,
                "partner_id": rec.partner_id.id,
                "company_id": rec.company_id.id,
                "consumer": consumer,
                "calc_date": calc_date,
                "total": float(result.total),
                "state": "ok",
                "error_message": False,
                "run_id": run.id if run else False,
                "has_breakdown": True,
            }
            penalty = existing.get(rec.id)
            if penalty:
                penalty.line_ids.unlink()
                penalty.debt_ids.unlink()
                penalty.write(values)
            else:
                penalty = engine.create(values)
            debt_values, line_values = self._result_line_values(result)
            for values in debt_values + line_values:
                values.update(penalty_id=penalty.id, company_id=rec.company_id.id)
            trusted(self.env["tko.penalty.debt"]).create(debt_values)
            trusted(self.env["tko.penalty.line"]).create(line_values)
            penalties |= penalty
        return penalties

    @api.model
    def _calculate(self, records, calc_date, book=False):
        """Calculate one or a few accounts or contracts in full (breakdown kept), book the
        change of their penalty in the open period when ``book``. Returns the calculations."""
        try:
            results = self._compute_detailed(records, calc_date)
        except CoreError as error:  # a gap in the rate history, wrong settings or inputs
            raise_user_error(self.env, error, validation=False)
        penalties = self._store_detailed(records, calc_date, results)
        if book:
            for company in records.company_id:
                own = records.filtered(lambda r, c=company: r.company_id == c)
                self._book(records._name, own.ids, calc_date, company, strict=True)
        return penalties

    # ------------------------------------------------------------------ mass (set-based)
    @api.model
    def _mass_chunk(
        self, model, ids, calc_date, company, run=None, book=False, breakdown=True, rate_table=None
    ):
        """One chunk of a mass run: SQL read, core batch, bulk write. Returns a dict of counts."""
        col, consumer = TARGETS[model]
        rules = self._rules(model, company, rate_table=rate_table)
        with penalty_io.gc_paused():
            debts, payments, opt_outs = self._read_inputs(model, ids, calc_date, company)
            results = penalty_io.compute_totals(
                ids,
                debts,
                payments,
                calc_date,
                rules,
                opt_outs,
                message=lambda code, params, english: core_message(self.env, code, params, english),
            )
        cr = self.env.cr
        cr.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS tko_penalty_batch (
                rid integer, total numeric, error_code varchar, error_message varchar);
            TRUNCATE tko_penalty_batch;
            """
        )
        penalty_io.copy_in(
            cr, "tko_penalty_batch", ("rid", "total", "error_code", "error_message"), results
        )
        self.flush_model()
        # the breakdown of a previous calculation no longer matches: drop it
        cr.execute(
            SQL(
                """
                DELETE FROM tko_penalty_line WHERE penalty_id IN (
                    SELECT id FROM tko_penalty WHERE %(col)s = ANY(%(ids)s));
                DELETE FROM tko_penalty_debt WHERE penalty_id IN (
                    SELECT id FROM tko_penalty WHERE %(col)s = ANY(%(ids)s));
                INSERT INTO tko_penalty (%(col)s, partner_id, company_id, consumer, calc_date,
                                         total, state, error_message, run_id, has_breakdown)
                SELECT b.rid, t.partner_id, t.company_id, %(consumer)s, %(calc)s,
                       COALESCE(b.total, 0),
                       CASE WHEN b.error_code IS NULL THEN 'ok' ELSE 'error' END,
                       b.error_message, %(run)s, FALSE
                  FROM tko_penalty_batch b JOIN %(table)s t ON t.id = b.rid
                ON CONFLICT (%(col)s) WHERE %(col)s IS NOT NULL DO UPDATE
                   SET partner_id = EXCLUDED.partner_id, calc_date = EXCLUDED.calc_date,
                       total = EXCLUDED.total, state = EXCLUDED.state,
                       error_message = EXCLUDED.error_message, run_id = EXCLUDED.run_id,
                       has_breakdown = FALSE
                """,
                col=SQL.identifier(col),
                table=SQL.identifier(self.env[model]._table),
                ids=list(ids),
                consumer=consumer,
                calc=calc_date,
                run=run.id if run else None,
            )
        )
        self.invalidate_model()
        self.env["tko.penalty.line"].invalidate_model()
        self.env["tko.penalty.debt"].invalidate_model()
        positive = [r[0] for r in results if r[1]]
        if breakdown and positive:
            self._store_breakdown_bulk(model, positive, calc_date, company, rules, results)
        booked = {"lines": 0, "amount": 0.0}
        if book:
            booked = self._book(model, ids, calc_date, company)
        return {
            "accounts": len(results),
            "penalized": len(positive),
            "errors": sum(1 for r in results if r[2]),
            "total": float(sum(r[1] for r in results if r[1] is not None)),
            "booked_lines": booked["lines"],
            "booked_amount": booked["amount"],
        }

    @api.model
    def _store_breakdown_bulk(self, model, ids, calc_date, company, rules, batch_results):
        """The line-by-line breakdown of ``ids`` (detailed engine), written with COPY."""
        col, _consumer = TARGETS[model]
        debts, payments, opt_outs = self._read_inputs(model, ids, calc_date, company)
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT %(col)s, id FROM tko_penalty WHERE %(col)s = ANY(%(ids)s)",
                col=SQL.identifier(col),
                ids=list(ids),
            )
        )
        penalty_ids = dict(cr.fetchall())
        totals = {r[0]: r[1] for r in batch_results}
        line_rows, debt_rows = [], []
        for rid in ids:
            result = core_penalties.compute_penalties(
                debts.get(rid, []), payments.get(rid, []), calc_date, rules, opt_outs.get(rid, ())
            )
            if result.total != totals.get(rid):
                _logger.error(
                    "Penalty engines disagree for %s %s: batch %s, detailed %s",
                    model,
                    rid,
                    totals.get(rid),
                    result.total,
                )
            pid = penalty_ids[rid]
            for d in result.debts:
                debt_rows.append(
                    (
                        pid,
                        company.id,
                        d["period"] + "-01",
                        d["due_date"],
                        d["amount"],
                        d["paid"],
                        d["unpaid"],
                        d["penalty"],
                    )
                )
            for line in result.lines:
                line_rows.append(
                    (
                        pid,
                        company.id,
                        line.period,
                        line.due_date,
                        line.debt,
                        line.paid_on,
                        line.date_from,
                        line.date_to,
                        line.days,
                        line.day_from,
                        line.day_to,
                        line.share,
                        line.rate if line.rate is not None else 0,
                        line.base_rate if line.base_rate is not None else 0,
                        line.rate_date,
                        line.reason,
                        line.rule,
                        line.amount,
                        line.text,
                    )
                )
        penalty_io.copy_in(
            cr,
            "tko_penalty_debt",
            (
                "penalty_id",
                "company_id",
                "period",
                "due_date",
                "amount",
                "paid",
                "unpaid",
                "penalty",
            ),
            debt_rows,
        )
        penalty_io.copy_in(
            cr,
            "tko_penalty_line",
            (
                "penalty_id",
                "company_id",
                "period",
                "due_date",
                "debt",
                "paid_on",
                "date_from",
                "date_to",
                "days",
                "day_from",
                "day_to",
                "share",
                "rate",
                "base_rate",
                "rate_date",
                "reason",
                "rule",
                "amount",
                "text",
            ),
            line_rows,
        )
        cr.execute(
            "UPDATE tko_penalty SET has_breakdown = TRUE WHERE id = ANY(%s)",
            (list(penalty_ids.values()),),
        )
        self.invalidate_model()
        self.env["tko.penalty.line"].invalidate_model()
        self.env["tko.penalty.debt"].invalidate_model()

    # ------------------------------------------------------------------ booking
    @api.model
    def _book(self, model, ids, calc_date, company, strict=False):
        """Book in the open period, for each account or contract, the change of its penalty:
        latest total − penalties booked before. The calculated (draft) penalty lines of the
        open period are replaced; lines already in accounting stay and count as booked."""
        col, consumer = TARGETS[model]
        period = self.env["tko.billing.period"]._open_period(company, raise_if_none=strict)
        if not period:
            return {"lines": 0, "amount": 0.0, "skipped": _("No open billing period.")}
        # like a charge run: wait for a closing or a posting of the period to finish
        period._lock_shared()
        self.flush_model()
        self.env["tko.charge"].flush_model()
        cr = self.env.cr
        col_sql = SQL.identifier(col)
        # which accounts need a new line: the change to book differs from the calculated line
        # already in the open period (a line in accounting counts as booked)
        cr.execute(
            SQL(
                """
                SELECT pen.%(col)s
                  FROM tko_penalty pen
                  LEFT JOIN (SELECT %(col)s AS rid,
                                    sum(amount_total) FILTER (
                                        WHERE NOT (period_id = %(period)s AND state = 'draft'))
                                        AS booked,
                                    sum(amount_total) FILTER (
                                        WHERE period_id = %(period)s AND state = 'draft')
                                        AS draft,
                                    count(*) FILTER (
                                        WHERE period_id = %(period)s AND state = 'draft')
                                        AS draft_lines
                               FROM tko_charge
                              WHERE kind = 'penalty' AND %(col)s = ANY(%(ids)s)
                              GROUP BY %(col)s) c ON c.rid = pen.%(col)s
                 WHERE pen.%(col)s = ANY(%(ids)s) AND pen.state = 'ok'
                   AND (COALESCE(c.draft_lines, 0) > 1
                        OR pen.total - COALESCE(c.booked, 0) <> COALESCE(c.draft, 0))
                """,
                col=col_sql,
                period=period.id,
                ids=list(ids),
            )
        )
        changed = [row[0] for row in cr.fetchall()]
        if not changed:
            return {"lines": 0, "amount": 0.0}
        cr.execute(
            SQL(
                """
                DELETE FROM tko_charge
                 WHERE kind = 'penalty' AND period_id = %(period)s AND state = 'draft'
                   AND %(col)s = ANY(%(ids)s)
                """,
                col=col_sql,
                period=period.id,
                ids=changed,
            )
        )
        is_account = model == "tko.account"
        cr.execute(
            SQL(
                """
                INSERT INTO tko_charge (company_id, period_id, date, kind, state, consumer,
                                        %(col)s, object_id, partner_id, zone_id, vat_mode,
                                        amount_net, amount_vat, amount_total, note,
                                        penalty_calc_date)
                SELECT pen.company_id, %(period)s, %(date)s, 'penalty', 'draft', %(consumer)s,
                       pen.%(col)s, %(object)s, pen.partner_id, %(zone)s, 'not_subject',
                       pen.total - COALESCE(b.booked, 0), 0, pen.total - COALESCE(b.booked, 0),
                       %(note)s, pen.calc_date
                  FROM tko_penalty pen
                  JOIN %(table)s t ON t.id = pen.%(col)s
                  LEFT JOIN (SELECT %(col)s AS rid, sum(amount_total) AS booked FROM tko_charge
                              WHERE kind = 'penalty' AND %(col)s = ANY(%(ids)s)
                              GROUP BY %(col)s) b ON b.rid = pen.%(col)s
                 WHERE pen.%(col)s = ANY(%(ids)s) AND pen.state = 'ok'
                   AND abs(pen.total - COALESCE(b.booked, 0)) >= GREATEST(%(min)s, 0.01)
                RETURNING amount_total
                """,
                col=col_sql,
                table=SQL.identifier(self.env[model]._table),
                object=SQL("t.object_id") if is_account else SQL("NULL::integer"),
                zone=SQL("t.zone_id") if is_account else SQL("NULL::integer"),
                period=period.id,
                date=period.date_end,
                consumer=consumer,
                ids=changed,
                min=company.tko_penalty_min_amount or 0.0,
                note=_("Penalty on %(date)s", date=calc_date.strftime("%d.%m.%Y")),
            )
        )
        amounts = [row[0] for row in cr.fetchall()]
        self.env["tko.charge"].invalidate_model()
        return {"lines": len(amounts), "amount": float(sum(amounts))}

    # ------------------------------------------------------------------ actions
    def action_recompute_breakdown(self):
        """Compute the breakdown of a calculation made by a mass run without it."""
        check_group(self.env, LAWYER)
        check_rights(self, "write")
        for rec in self:
            target = check_rights(rec.account_id or rec.contract_id)
            self._store_detailed(
                target,
                rec.calc_date,
                self._compute_detailed(target, rec.calc_date),
                run=rec.run_id,
            )
        return True

    def action_open_target(self):
        self.ensure_one()
        check_group(self.env, READER)
        check_rights(self)
        target = self.account_id or self.contract_id
        if not target:
            raise UserError(_("This calculation has no account or contract."))
        check_rights(target)
        return {
            "type": "ir.actions.act_window",
            "res_model": target._name,
            "res_id": target.id,
            "view_mode": "form",
        }
