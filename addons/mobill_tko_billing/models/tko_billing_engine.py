"""The charge engine: set-based reads (SQL), the functional core, bulk writes (COPY).

Nothing here goes through the ORM per record. A *context* (:meth:`_period_context`, a frozen
:class:`~mobill_tko_core.billing.PeriodContext`) holds what a period needs once: the price book
of the month (tariffs, norms, VAT rates, read by ``tko.pricing``; the choice among them is
:mod:`mobill_tko_core.pricing`'s).
A *chunk* reads a bounded number of accounts (or contracts) with their characteristics in
two queries, builds the charge cases with :mod:`mobill_tko_core.billing`, computes them with
:mod:`mobill_tko_core.charges` (the fast path of ``compute_batch`` for plain months) and
replaces the period's unposted lines of exactly those accounts with one ``DELETE`` and one
``COPY``. Errors are collected per account, never stop the chunk.

Three files by unit: this one (context, what a run selects, chunks and their lines),
``tko_billing_engine_cases.py`` (the registry data of a chunk cut into core cases) and
``tko_billing_engine_recalc.py`` (recalculation of closed periods).
"""

import gc
import logging
from decimal import Decimal

from odoo import _, api, models
from odoo.tools import SQL
from psycopg2.extras import execute_values

from mobill_tko_core.billing import PeriodContext, month_bounds, vat_split
from mobill_tko_core.charges import ChargeSettings, compute_batch, compute_charge
from mobill_tko_core.errors import CoreError
from mobill_tko_core.pricing import vat_rate_at

from ..tools.copy_writer import CopyBuffer, copy_value
from .tko_charge import COPY_COLUMNS

_logger = logging.getLogger(__name__)

Q6 = Decimal("0.000001")
NULL = "\\N"


def _refs_text(refs):
    """``kind:id,…;…`` of the characteristic versions used (tariff and norm have columns)."""
    parts = []
    for key, vals in refs.items():
        if key == "tariff" or key == "norm":
            continue
        if len(vals) == 1:
            parts.append(f"{key}:{vals[0]}")
        elif vals:
            parts.append(f"{key}:{','.join(map(str, vals))}")
    return ";".join(parts)


def _main_ref(refs):
    for key in ("residents_permanent", "area_total", "units", "containers", "owners"):
        if refs.get(key):
            return refs[key][0]
    return None


def _q6(value):
    return Decimal(value).quantize(Q6)


class TkoBillingEngine(models.AbstractModel):
    _name = "tko.billing.engine"
    _description = "Charge calculation engine (set-based)"

    # ------------------------------------------------------------------ context
    @api.model
    def _period_context(self, period):
        """Everything a period needs once (:class:`~mobill_tko_core.billing.PeriodContext`):
        the price book of the month (``tko.pricing``'s reader), the VAT rate, cheap flags."""
        company = period.company_id
        first, last, dim = month_bounds(period.date_start)
        self.env.flush_all()  # the chunks read the registry with SQL
        book = self.env["tko.pricing"]._price_book(company, first, last)
        settings = ChargeSettings(vat_table=((first, vat_rate_at(book, last)),))
        cr = self.env.cr
        # cheap flags that spare a query per chunk in the common case
        cr.execute(
            SQL(
                """
                SELECT EXISTS (SELECT 1 FROM tko_charge
                                WHERE period_id = %s AND state = 'posted')
                """,
                period.id,
            )
        )
        has_posted = cr.fetchone()[0]
        cr.execute(
            SQL(
                """
                SELECT EXISTS (SELECT 1 FROM tko_absence WHERE company_id = %s
                                  AND state = 'confirmed' AND departure <= %s AND arrival >= %s)
                """,
                company.id,
                last,
                first,
            )
        )
        has_absences = cr.fetchone()[0]
        return PeriodContext(
            period_id=period.id,
            company_id=company.id,
            first=first,
            last=last,
            dim=dim,
            period_text=first.strftime("%Y-%m"),
            settings=settings,
            book=book,
            has_posted=has_posted,
            has_absences=has_absences,
        )

    # ------------------------------------------------------------------ selections
    @api.model
    def _accounts_domain(self, period):
        """The personal accounts a run of ``period`` may charge, beyond the engine's own rules
        (the company, the dates of service, the run's group). Empty: all of them.

        An extension narrows (or, with an ``|``, widens within the company) what runs and
        recalculations select by overriding this domain on ``tko.account``.
        """
        return []

    @api.model
    def _contracts_domain(self, period):
        """The contracts a run of ``period`` may charge (see :meth:`_accounts_domain`)."""
        return []

    @api.model
    def _domain_sql(self, ctx, consumer):
        """The domain of :meth:`_accounts_domain` / :meth:`_contracts_domain` as SQL on the
        alias ``a`` / ``c`` of the selection queries (``TRUE`` when empty: no subquery)."""
        period = self.env["tko.billing.period"].browse(ctx.period_id)
        if consumer == "individual":
            model, domain, alias = self.env["tko.account"], self._accounts_domain(period), "a"
        else:
            model, domain, alias = self.env["tko.contract"], self._contracts_domain(period), "c"
        if not domain:
            return SQL("TRUE")
        query = model._where_calc(domain, active_test=False)
        return SQL("%s IN %s", SQL.identifier(alias, "id"), query.subselect())

    @api.model
    def _selected(self, ctx, consumer, where, ids=None):
        """SQL on ``a`` (accounts) or ``c`` (contracts): of the company, among ``ids`` (None:
        all), in the run's group ``where`` and in the domain getters' domain."""
        alias = "a" if consumer == "individual" else "c"
        return SQL(
            """%(company)s = %(company_id)s
               AND (%(ids)s::int[] IS NULL OR %(id)s = ANY(%(ids)s::int[]))
               AND %(where)s AND %(domain)s""",
            company=SQL.identifier(alias, "company_id"),
            company_id=ctx.company_id,
            id=SQL.identifier(alias, "id"),
            ids=ids,
            where=where,
            domain=self._domain_sql(ctx, consumer),
        )

    @api.model
    def _in_service(self, ctx, consumer):
        """SQL on ``a`` / ``c``: the account open, the contract in force in the month."""
        if consumer == "individual":
            return SQL(
                "(a.date_open <= %s AND (a.date_close IS NULL OR a.date_close >= %s))",
                ctx.last,
                ctx.first,
            )
        return SQL(
            """(c.state IN ('active', 'terminated') AND c.date_start <= %s
                AND (c.date_end IS NULL OR c.date_end >= %s))""",
            ctx.last,
            ctx.first,
        )

    @api.model
    def _select_accounts(self, ctx, where, after, upper, limit, ids=None):
        """A chunk of personal accounts in service in the month (keyset by id)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, a.object_id, a.partner_id, a.zone_id, a.calc_method,
                       a.date_open, a.date_close, o.kind
                  FROM tko_account a JOIN tko_object o ON o.id = a.object_id
                 WHERE a.id > %(after)s AND a.id <= %(upper)s
                   AND %(selected)s AND %(in_service)s
                 ORDER BY a.id LIMIT %(limit)s
                """,
                after=after,
                upper=upper,
                selected=self._selected(ctx, "individual", where, ids),
                in_service=self._in_service(ctx, "individual"),
                limit=limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _select_contracts(self, ctx, where, after, upper, limit, ids=None):
        """A chunk of contracts in force in the month (keyset by id)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.partner_id, c.date_start, c.date_end
                  FROM tko_contract c
                 WHERE c.id > %(after)s AND c.id <= %(upper)s
                   AND %(selected)s AND %(in_service)s
                 ORDER BY c.id LIMIT %(limit)s
                """,
                after=after,
                upper=upper,
                selected=self._selected(ctx, "legal", where, ids),
                in_service=self._in_service(ctx, "legal"),
                limit=limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _id_range(self, ctx, consumer, part, parts):
        """``(after, upper)``: the ids of partition ``part`` of ``parts`` (equal id ranges).

        Ranges, not ``mod(id, parts)``: a chunk is then an index range scan of the primary key.
        """
        table = SQL("tko_account") if consumer == "individual" else SQL("tko_contract")
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(min(id), 1), COALESCE(max(id), 0) FROM %s WHERE company_id = %s",
                table,
                ctx.company_id,
            )
        )
        low, high = self.env.cr.fetchone()
        span = high - low + 1
        start = low + span * part // parts
        end = low + span * (part + 1) // parts - 1
        return start - 1, end

    @api.model
    def _count(self, ctx, consumer, where, ids=None):
        """How many accounts (contracts) a run of ``consumer`` selects."""
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM %s WHERE %s AND %s",
                SQL("tko_account a") if consumer == "individual" else SQL("tko_contract c"),
                self._selected(ctx, consumer, where, ids),
                self._in_service(ctx, consumer),
            )
        )
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ run chunks
    @api.model
    def _run_chunk(self, ctx, consumer, run_id, where, after, upper, limit, ids=None):
        """Compute and write one chunk of a charge run.

        Returns ``(last id, processed, lines, errors)``, or ``None`` when nothing is left. The
        cyclic garbage collector is paused for the chunk: its objects (rows, tuples, dicts,
        Decimals) form no cycles and are freed by reference counting, while each collection
        would walk the whole registry of the worker (measured: 2.4 times slower with it on).
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run_chunk_gc(ctx, consumer, run_id, where, after, upper, limit, ids)
        finally:
            if was_enabled:
                gc.enable()

    @api.model
    def _run_chunk_gc(self, ctx, consumer, run_id, where, after, upper, limit, ids=None):
        """Compute and write one chunk of a charge run.

        Returns ``(last id, processed, lines, errors)``, or ``None`` when nothing is left.
        """
        if consumer == "individual":
            rows = self._select_accounts(ctx, where, after, upper, limit, ids)
        else:
            rows = self._select_contracts(ctx, where, after, upper, limit, ids)
        if not rows:
            return None
        key = "account_id" if consumer == "individual" else "contract_id"
        chunk_ids = [r[0] for r in rows]
        posted = self._posted(ctx, key, chunk_ids) if ctx.has_posted else set()
        buffer = CopyBuffer("tko_charge", COPY_COLUMNS)
        errors = []
        if consumer == "individual":
            self._individual_lines(ctx, run_id, rows, posted, buffer, errors)
        else:
            self._legal_lines(ctx, run_id, rows, posted, buffer, errors)
        replace = [i for i in chunk_ids if i not in posted]
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                DELETE FROM tko_charge
                 WHERE period_id = %(period)s AND kind IN ('charge', 'absence')
                   AND state = 'draft' AND %(key)s = ANY(%(ids)s)
                """,
                period=ctx.period_id,
                key=SQL.identifier(key),
                ids=replace,
            )
        )
        lines = buffer.flush(cr)
        # a chunk executed again (its job requeued after the worker died) replaces its errors
        # like its lines: the same rows as one execution
        cr.execute(
            SQL(
                """
                DELETE FROM tko_charge_run_error
                 WHERE run_id = %(run)s AND %(key)s = ANY(%(ids)s)
                """,
                run=run_id,
                key=SQL.identifier(key),
                ids=chunk_ids,
            )
        )
        self._write_errors(ctx, run_id, key, errors)
        return rows[-1][0], len(rows), lines, len(errors)

    @api.model
    def _write_errors(self, ctx, run_id, key, errors):
        if not errors:
            return
        execute_values(
            self.env.cr._obj,
            f"INSERT INTO tko_charge_run_error (run_id, company_id, {key}, code, message) "
            "VALUES %s",
            [(run_id, ctx.company_id, rid, code, message) for rid, code, message in errors],
        )

    @api.model
    def _error(self, error):
        """(code, translated message) of a core error."""
        return error.code, self.env["tko.charge.run.error"]._message(error)

    def _individual_lines(self, ctx, run_id, rows, posted, buffer, errors):
        """Compute the lines of a chunk of accounts into ``buffer`` (COPY text)."""
        settings = ctx.settings
        first, last, dim = ctx.first, ctx.last, ctx.dim
        prefix = "\t".join(
            copy_value(v)
            for v in (ctx.company_id, ctx.period_id, last, "charge", "draft", "individual")
        )
        todo = []
        for acc, cases, error in self._individual_cases(
            ctx, [r for r in rows if r[0] not in posted]
        ):
            if error is not None:
                errors.append((acc[0], *self._error(error)))
                continue
            todo.append((acc, cases))
        for aid in posted:
            errors.append(
                (
                    aid,
                    "billing.posted",
                    _(
                        "The charges of this account for the period are already in accounting: "
                        "cancel the accounting entry of the period or book a recalculation."
                    ),
                )
            )
        fast = [(acc, case) for acc, cases in todo for case in cases if case.fast]
        slow = [(acc, case) for acc, cases in todo for case in cases if not case.fast]
        failed = set()
        out = []
        qty_cache = {}
        run = str(run_id)
        dates = f"{first.isoformat()}\t{last.isoformat()}\t{dim}\t{dim}"
        for (acc, case), res in zip(
            fast, compute_batch([c.batch for _a, c in fast], settings), strict=True
        ):
            if res.error_code:
                failed.add(acc[0])
                errors.append((acc[0], res.error_code, res.error_message))
                continue
            inputs = case.inputs
            n = case.batch["residents"]  # the persons billed: residents, or the owners
            residents = inputs["residents"]
            norm = inputs["norm"]
            qty = qty_cache.get((n, norm))
            if qty is None:
                qty = qty_cache[(n, norm)] = _q6(n * norm / 12)
            refs = case.refs
            owners = inputs.get("owners")
            aid, obj, partner, zone = acc[0], acc[1], acc[2], acc[3]
            permanent = refs.get("residents_permanent")
            main = permanent[0] if permanent else copy_value(_main_ref(refs))
            out.append(
                (
                    aid,
                    f"{prefix}\t{aid}\t\\N\t\\N\t{obj}\t{partner}\t"
                    f"{NULL if zone is None else zone}\tresidents\tm3\t{dates}\t{residents}\t"
                    f"{NULL if owners is None else owners}\t\\N\t\\N\t{norm}\t"
                    f"{inputs['tariff']}\t{inputs['vat_mode']}\t"
                    f"{NULL if res.vat_rate is None else res.vat_rate}\t{qty}\t{res.net}\t"
                    f"{res.vat}\t{res.total}\t{refs['tariff'][0]}\t{refs['norm'][0]}\t"
                    f"{main}\t{copy_value(_refs_text(refs))}\t"
                    f"\\N\t{run}\t\\N\t\\N\t\\N",
                )
            )
        for acc, case in slow:
            if acc[0] in failed:
                continue
            try:
                result = compute_charge(case.inputs, settings)
            except CoreError as error:
                failed.add(acc[0])
                errors.append((acc[0], *self._error(error)))
                continue
            for line in self._result_rows(ctx, "charge", run_id, acc, case, result):
                out.append((acc[0], line))
        for aid, line in out:
            if aid not in failed:
                buffer.add_text(line)

    def _result_rows(self, ctx, kind, run_id, acc, case, result, legal=None):
        """COPY lines of one computed case: the charge and its absence adjustment if any."""
        refs = case.refs
        inputs = dict(case.inputs)
        inputs.pop("id", None)
        if legal:
            line, contract = legal
            who = (None, contract[0], line[0], line[2], contract[1], line[8])
            consumer = "legal"
        else:
            who = (acc[0], None, None, acc[1], acc[2], acc[3])
            consumer = "individual"
        used = result.inputs
        units = None
        norm = used.get("norm")
        if result.method == "norm_units" and used.get("units"):
            units = sum((u["units"] for u in used["units"]), Decimal(0))
            norm = used["units"][0]["norm"]
        net, vat, total = vat_split(result.amount, result.vat_mode, result.vat_rate)
        base = (
            ctx.company_id,
            ctx.period_id,
            ctx.last,
        )
        rows = [
            (
                *base,
                kind,
                "draft",
                consumer,
                *who,
                result.method,
                result.unit,
                used.get("service_start") or ctx.first,
                used.get("service_end") or ctx.last,
                result.days_in_service,
                result.days_in_month,
                used.get("residents"),
                used.get("owners"),
                used.get("area"),
                units,
                norm,
                result.tariff,
                result.vat_mode,
                result.vat_rate,
                _q6(result.quantity),
                net,
                vat,
                total,
                (refs.get("tariff") or [None])[0],
                (refs.get("norm") or [None])[0],
                _main_ref(refs),
                _refs_text(refs),
                inputs,
                run_id,
                None,
                None,
                None,
            )
        ]
        for adjustment in result.adjustments:
            a_net, a_vat, a_total = vat_split(adjustment.amount, result.vat_mode, result.vat_rate)
            rows.append(
                (
                    *base,
                    "absence",
                    "draft",
                    consumer,
                    *who,
                    result.method,
                    result.unit,
                    used.get("service_start") or ctx.first,
                    used.get("service_end") or ctx.last,
                    result.days_in_service,
                    result.days_in_month,
                    used.get("residents"),
                    None,
                    None,
                    None,
                    norm,
                    result.tariff,
                    result.vat_mode,
                    result.vat_rate,
                    None,
                    a_net,
                    a_vat,
                    a_total,
                    (refs.get("tariff") or [None])[0],
                    (refs.get("norm") or [None])[0],
                    _main_ref(refs),
                    _refs_text(refs),
                    dict(adjustment.inputs),
                    run_id,
                    None,
                    None,
                    None,
                )
            )
        return ["\t".join(map(copy_value, row)) for row in rows]

    def _legal_lines(self, ctx, run_id, rows, posted, buffer, errors):
        settings = ctx.settings
        for aid in posted:
            errors.append(
                (
                    aid,
                    "billing.posted",
                    _(
                        "The charges of this contract for the period are already in accounting: "
                        "cancel its invoice or book a recalculation."
                    ),
                )
            )
        for contract, per_line, error in self._legal_cases(
            ctx, [r for r in rows if r[0] not in posted]
        ):
            if error is not None:
                errors.append((contract[0], *self._error(error)))
                continue
            out = []
            try:
                for line, cases in per_line:
                    for case in cases:
                        result = compute_charge(case.inputs, settings)
                        out += self._result_rows(
                            ctx, "charge", run_id, None, case, result, legal=(line, contract)
                        )
            except CoreError as error:
                errors.append((contract[0], *self._error(error)))
                continue
            for text in out:
                buffer.add_text(text)
