"""The charge engine, its recalculation of a closed period: what was charged (recomputed from
the stored inputs), what should have been (recomputed from the registry now) and the
corrections booked since; the difference is booked in the open period with COPY."""

# One unit of tko.billing.engine, kept apart from the run in tko_billing_engine.py.
# pylint: disable=consider-merging-classes-inherited
from collections import defaultdict
from decimal import Decimal

from odoo import api, models
from odoo.tools import SQL

from mobill_tko_core.billing import period_difference, result_inputs, stored_inputs
from mobill_tko_core.charges import compute_charge
from mobill_tko_core.errors import CoreError

from ..tools.copy_writer import CopyBuffer
from .tko_charge import COPY_COLUMNS


class TkoBillingEngine(models.AbstractModel):
    _inherit = "tko.billing.engine"

    # ------------------------------------------------------------------ recalculation
    @api.model
    def _stored_results(self, ctx, key, ids, corrected_by=None):
        """What was charged in the closed period ``ctx`` for ``ids``: results recomputed from
        the stored inputs, and the corrections booked for it since (other than ours)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT %(key)s, contract_line_id, method, residents, owners, norm::text,
                       tariff::text, vat_mode, vat_rate::text, inputs
                  FROM tko_charge
                 WHERE period_id = %(period)s AND kind = 'charge' AND %(key)s = ANY(%(ids)s)
                """,
                key=SQL.identifier(key),
                period=ctx.period_id,
                ids=ids,
            )
        )
        old = defaultdict(list)
        for (
            rid,
            line_id,
            method,
            residents,
            owners,
            norm,
            tariff,
            mode,
            rate,
            inputs,
        ) in cr.fetchall():
            data = stored_inputs(
                ctx.period_text, method, residents, owners, norm, tariff, mode, rate, inputs
            )
            old[(rid, line_id)].append(compute_charge(data, ctx.settings))
        cr.execute(
            SQL(
                """
                SELECT %(key)s, contract_line_id, vat_mode, vat_rate::text, amount_net::text,
                       amount_vat::text, amount_total::text
                  FROM tko_charge
                 WHERE corrected_period_id = %(period)s AND kind = 'recalc'
                   AND %(key)s = ANY(%(ids)s)
                   AND (%(mine)s::int IS NULL OR recalculation_id IS DISTINCT FROM %(mine)s)
                """,
                key=SQL.identifier(key),
                period=ctx.period_id,
                ids=ids,
                mine=corrected_by,
            )
        )
        corrections = defaultdict(list)
        for rid, line_id, mode, rate, net, vat, total in cr.fetchall():
            rate = None if rate is None else Decimal(rate)
            corrections[(rid, line_id)].append(
                (mode, rate, Decimal(net), Decimal(vat), Decimal(total))
            )
        return old, corrections

    @api.model
    def _recalc_chunk(self, ctx, open_ctx, consumer, recalc, where, after, limit, ids=None):
        """Book in the open period the differences of one chunk for the closed period ``ctx``.

        Returns ``(last id, processed, lines, errors)`` or ``None`` when nothing is left.
        """
        key = "account_id" if consumer == "individual" else "contract_id"
        rows = self._select_recalc(ctx, consumer, where, after, limit, ids)
        if not rows:
            return None
        chunk_ids = [r[0] for r in rows]
        old, corrections = self._stored_results(ctx, key, chunk_ids, corrected_by=recalc.id)
        settings = ctx.settings
        errors = []
        new = defaultdict(list)  # (id, contract line) -> [(case, result)]
        meta = {}
        if consumer == "individual":
            in_service = [r for r in rows if r[8]]
            for acc, cases, error in self._individual_cases(ctx, [r[:8] for r in in_service]):
                if error is not None:
                    errors.append((acc[0], *self._error(error)))
                    continue
                try:
                    new[(acc[0], None)] = [(c, compute_charge(c.inputs, settings)) for c in cases]
                except CoreError as error:
                    errors.append((acc[0], *self._error(error)))
                    new.pop((acc[0], None), None)
                    continue
            for row in rows:
                meta[(row[0], None)] = (row[0], None, None, row[1], row[2], row[3])
        else:
            active = [r for r in rows if r[4]]
            for contract, per_line, error in self._legal_cases(ctx, [r[:4] for r in active]):
                if error is not None:
                    errors.append((contract[0], *self._error(error)))
                    continue
                try:
                    for line, cases in per_line:
                        new[(contract[0], line[0])] += [
                            (c, compute_charge(c.inputs, settings)) for c in cases
                        ]
                        meta[(contract[0], line[0])] = (
                            None,
                            contract[0],
                            line[0],
                            line[2],
                            contract[1],
                            line[8],
                        )
                except CoreError as error:
                    errors.append((contract[0], *self._error(error)))
                    for k in [k for k in new if k[0] == contract[0]]:
                        new.pop(k)
                    continue
            self._legal_meta_from_ledger(ctx, chunk_ids, meta)
        failed = {e[0] for e in errors}
        mode = "exact" if consumer == "individual" else "document"
        buffer = CopyBuffer("tko_charge", COPY_COLUMNS)
        keys = set(old) | set(new) | set(corrections)
        for k in sorted(keys, key=lambda k: (k[0], k[1] or 0)):
            if k[0] in failed or k not in meta:
                continue
            new_pairs = new.get(k, [])
            deltas = period_difference(
                old.get(k, []), [r for _c, r in new_pairs], corrections.get(k, []), mode
            )
            for delta in deltas:
                buffer.add(
                    self._recalc_row(
                        ctx, open_ctx, recalc, consumer, meta[k], delta, old.get(k, []), new_pairs
                    )
                )
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM tko_charge WHERE recalculation_id = %(recalc)s
                   AND corrected_period_id = %(period)s AND state = 'draft'
                   AND %(key)s = ANY(%(ids)s)
                """,
                recalc=recalc.id,
                period=ctx.period_id,
                key=SQL.identifier(key),
                ids=chunk_ids,
            )
        )
        lines = buffer.flush(self.env.cr)
        if errors:
            self.env["tko.recalculation"]._log_errors(recalc, ctx, key, errors)
        return rows[-1][0], len(rows), lines, len(errors)

    def _legal_meta_from_ledger(self, ctx, contract_ids, meta):
        """Who a stored legal line belongs to, for lines whose contract line is gone now."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT contract_id, contract_line_id, object_id, partner_id, zone_id
                  FROM tko_charge WHERE period_id = %s AND contract_id = ANY(%s)
                """,
                ctx.period_id,
                contract_ids,
            )
        )
        for contract, line, obj, partner, zone in self.env.cr.fetchall():
            meta.setdefault((contract, line), (None, contract, line, obj, partner, zone))

    def _recalc_row(self, ctx, open_ctx, recalc, consumer, who, delta, old, new_pairs):
        """A COPY row of one recalculation line booked in the open period."""
        first_new = new_pairs[0][1] if new_pairs else (old[0] if old else None)
        data = {
            "mode": delta.mode,
            "old_total": delta.old_total,
            "new_total": delta.new_total,
            "booked_before": delta.booked_before,
            "old": [result_inputs(r) for r in old],
            "new": [result_inputs(r) for _c, r in new_pairs],
        }
        return (
            open_ctx.company_id,
            open_ctx.period_id,
            open_ctx.last,
            "recalc",
            "draft",
            consumer,
            *who,
            first_new.method if first_new else None,
            first_new.unit if first_new else None,
            ctx.first,
            ctx.last,
            None,
            ctx.dim,
            None,
            None,
            None,
            None,
            None,
            None,
            delta.vat_mode,
            delta.vat_rate,
            None,
            delta.net,
            delta.vat,
            delta.total,
            None,
            None,
            None,
            None,
            data,
            None,
            ctx.period_id,
            recalc.id,
            recalc._basis_text()[:255],
        )

    @api.model
    def _select_recalc(self, ctx, consumer, where, after, limit, ids=None):
        """Accounts (contracts) to recalculate: in service in the month now, or charged for it
        then. The rows of :meth:`_select_accounts` (:meth:`_select_contracts`) and a last
        column saying whether it is in service in the month now."""
        if consumer == "individual":
            columns = SQL(
                """a.id, a.object_id, a.partner_id, a.zone_id, a.calc_method, a.date_open,
                   a.date_close, o.kind"""
            )
            table = SQL("tko_account a JOIN tko_object o ON o.id = a.object_id")
            charged = SQL("ch.account_id = a.id")
            key = SQL("a.id")
        else:
            columns = SQL("c.id, c.partner_id, c.date_start, c.date_end")
            table = SQL("tko_contract c")
            charged = SQL("ch.contract_id = c.id")
            key = SQL("c.id")
        in_service = self._in_service(ctx, consumer)
        self.env.cr.execute(
            SQL(
                """
                SELECT %(columns)s, %(in_service)s AS in_service
                  FROM %(table)s
                 WHERE %(key)s > %(after)s AND %(selected)s
                   AND (%(in_service)s
                        OR EXISTS (SELECT 1 FROM tko_charge ch WHERE %(charged)s
                                   AND ch.period_id = %(period)s))
                 ORDER BY %(key)s LIMIT %(limit)s
                """,
                columns=columns,
                in_service=in_service,
                table=table,
                key=key,
                after=after,
                selected=self._selected(ctx, consumer, where, ids),
                charged=charged,
                period=ctx.period_id,
                limit=limit,
            )
        )
        return self.env.cr.fetchall()
