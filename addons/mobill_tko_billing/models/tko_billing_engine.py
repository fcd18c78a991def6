"""The charge engine: set-based reads (SQL), the functional core, bulk writes (COPY).

Nothing here goes through the ORM per record. A *context* (:meth:`_context`) holds what a
period needs once: tariffs, norms and the VAT table in force in the month, as plain tuples.
A *chunk* reads a bounded number of accounts (or contracts) with their characteristics in
two queries, builds the charge cases with :mod:`mobill_tko_core.billing`, computes them with
:mod:`mobill_tko_core.charges` (the fast path of ``compute_batch`` for plain months) and
replaces the period's unposted lines of exactly those accounts with one ``DELETE`` and one
``COPY``. Errors are collected per account, never stop the chunk.
"""

import gc
import logging
from collections import defaultdict
from datetime import date
from decimal import Decimal

from odoo import _, api, models
from odoo.tools import SQL
from psycopg2.extras import execute_values

from mobill_tko_core.billing import (
    TARIFF_VAT_MODES,
    individual_month,
    legal_month,
    month_bounds,
    period_difference,
    schedule_from_fields,
    vat_split,
)
from mobill_tko_core.charges import ChargeSettings, compute_batch, compute_charge
from mobill_tko_core.errors import CoreError

from ..tools.copy_writer import CopyBuffer, copy_value
from .tko_charge import COPY_COLUMNS

_logger = logging.getLogger(__name__)

INDIVIDUAL_KINDS = ["residents_permanent", "residents_temporary", "owners", "area_total"]
LEGAL_KINDS = ["units", "containers"]
Q6 = Decimal("0.000001")
CHARGE_KINDS = ("charge", "absence")
NULL = "\\N"


def inputs_from_columns(period_text, method, residents, owners, norm, tariff, vat_mode, vat_rate):
    """The core inputs of a plain full-month line stored without its ``inputs`` JSON."""
    inputs = {
        "method": method,
        "period": period_text,
        "residents": residents or 0,
        "norm": norm,
        "tariff": tariff,
        "vat_mode": vat_mode,
    }
    if owners:
        inputs["owners"] = owners
    if vat_mode != "not_subject" and vat_rate is not None:
        inputs["vat_rate"] = vat_rate
    return inputs


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
        """Everything a period needs once, as plain data (tariffs, norms, VAT table)."""
        company = period.company_id
        first, last, dim = month_bounds(period.date_start)
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            SQL(
                """
                SELECT id, zone_id, consumer_group, uom, contract_id, price::text, vat_mode,
                       date_from, date_to
                  FROM tko_tariff
                 WHERE company_id = %s AND date_from <= %s
                   AND (date_to IS NULL OR date_to >= %s)
                 ORDER BY date_from
                """,
                company.id,
                last,
                first,
            )
        )
        pop, other, own = defaultdict(list), defaultdict(list), defaultdict(list)
        for tid, zone, group, uom, contract, price, mode, df, dt in cr.fetchall():
            version = (df, dt, Decimal(price), TARIFF_VAT_MODES.get(mode, mode), tid)
            if contract:
                own[(contract, uom)].append(version)
            elif group == "population":
                if uom == "m3":
                    pop[zone].append(version)
            else:
                other[(zone, uom)].append(version)
        cr.execute(
            SQL(
                """
                SELECT n.id, n.category_id, n.zone_id, n.uom, n.value::text, n.date_from, n.date_to
                  FROM tko_norm n
                 WHERE n.company_id = %s AND n.date_from <= %s
                   AND (n.date_to IS NULL OR n.date_to >= %s)
                 ORDER BY n.date_from
                """,
                company.id,
                last,
                first,
            )
        )
        norms = defaultdict(list)
        for nid, category, zone, uom, value, df, dt in cr.fetchall():
            norms[(category, zone or None, uom)].append((df, dt, Decimal(value), nid))
        cr.execute(
            SQL(
                """
                SELECT date_from, rate::text, company_id FROM tko_vat_rate
                 WHERE company_id = %s OR company_id IS NULL ORDER BY date_from
                """,
                company.id,
            )
        )
        rates = cr.fetchall()
        own_rates = [(df, Decimal(rate)) for df, rate, comp in rates if comp]
        shared = [(df, Decimal(rate)) for df, rate, comp in rates if not comp]
        vat_table = tuple(own_rates or shared)
        settings = ChargeSettings(vat_table=vat_table) if vat_table else ChargeSettings()
        cr.execute(SQL("SELECT id, code FROM tko_norm_category"))
        codes = dict(cr.fetchall())
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
        return {
            "period_id": period.id,
            "company_id": company.id,
            "first": first,
            "last": last,
            "dim": dim,
            "period_text": first.strftime("%Y-%m"),
            "settings": settings,
            "pop_tariffs": dict(pop),
            "other_tariffs": dict(other),
            "own_tariffs": dict(own),
            "norms": dict(norms),
            "cat_apartment": company.tko_norm_category_apartment_id.id,
            "cat_house": company.tko_norm_category_house_id.id
            or company.tko_norm_category_apartment_id.id,
            "cat_area": company.tko_norm_category_area_id.id,
            "codes": codes,
            "has_posted": has_posted,
            "has_absences": has_absences,
        }

    # ------------------------------------------------------------------ selections
    @api.model
    def _select_accounts(self, ctx, where, after, upper, limit, ids=None):
        """A chunk of personal accounts in service in the month (keyset by id)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, a.object_id, a.partner_id, a.zone_id, a.calc_method,
                       a.date_open, a.date_close, o.kind
                  FROM tko_account a JOIN tko_object o ON o.id = a.object_id
                 WHERE a.company_id = %(company)s AND a.id > %(after)s
                   AND a.id <= %(upper)s
                   AND a.date_open <= %(last)s
                   AND (a.date_close IS NULL OR a.date_close >= %(first)s)
                   AND (%(ids)s::int[] IS NULL OR a.id = ANY(%(ids)s::int[]))
                   AND %(where)s
                 ORDER BY a.id LIMIT %(limit)s
                """,
                company=ctx["company_id"],
                after=after,
                upper=upper,
                last=ctx["last"],
                first=ctx["first"],
                ids=ids,
                where=where,
                limit=limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _select_contracts(self, ctx, where, after, upper, limit, ids=None):
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.partner_id, c.date_start, c.date_end
                  FROM tko_contract c
                 WHERE c.company_id = %(company)s AND c.id > %(after)s
                   AND c.id <= %(upper)s
                   AND c.state IN ('active', 'terminated')
                   AND c.date_start <= %(last)s
                   AND (c.date_end IS NULL OR c.date_end >= %(first)s)
                   AND (%(ids)s::int[] IS NULL OR c.id = ANY(%(ids)s::int[]))
                   AND %(where)s
                 ORDER BY c.id LIMIT %(limit)s
                """,
                company=ctx["company_id"],
                after=after,
                upper=upper,
                last=ctx["last"],
                first=ctx["first"],
                ids=ids,
                where=where,
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
                ctx["company_id"],
            )
        )
        low, high = self.env.cr.fetchone()
        span = high - low + 1
        start = low + span * part // parts
        end = low + span * (part + 1) // parts - 1
        return start - 1, end

    @api.model
    def _count(self, ctx, consumer, where, ids=None):
        if consumer == "individual":
            query = SQL(
                """
                SELECT count(*) FROM tko_account a
                 WHERE a.company_id = %(company)s AND a.date_open <= %(last)s
                   AND (a.date_close IS NULL OR a.date_close >= %(first)s)
                   AND (%(ids)s::int[] IS NULL OR a.id = ANY(%(ids)s::int[])) AND %(where)s
                """,
                company=ctx["company_id"],
                last=ctx["last"],
                first=ctx["first"],
                ids=ids,
                where=where,
            )
        else:
            query = SQL(
                """
                SELECT count(*) FROM tko_contract c
                 WHERE c.company_id = %(company)s AND c.state IN ('active', 'terminated')
                   AND c.date_start <= %(last)s
                   AND (c.date_end IS NULL OR c.date_end >= %(first)s)
                   AND (%(ids)s::int[] IS NULL OR c.id = ANY(%(ids)s::int[])) AND %(where)s
                """,
                company=ctx["company_id"],
                last=ctx["last"],
                first=ctx["first"],
                ids=ids,
                where=where,
            )
        self.env.cr.execute(query)
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ data of a chunk
    @api.model
    def _characteristics(self, ctx, object_ids, kinds):
        if kinds is INDIVIDUAL_KINDS:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT object_id, kind, value::text, date_from, date_to, id
                      FROM tko_object_characteristic
                     WHERE object_id = ANY(%s) AND kind = ANY(%s)
                       AND date_from <= %s AND (date_to IS NULL OR date_to >= %s)
                    """,
                    object_ids,
                    kinds,
                    ctx["last"],
                    ctx["first"],
                )
            )
            return self.env.cr.fetchall()
        self.env.cr.execute(
            SQL(
                """
                SELECT object_id, kind, value::text, date_from, date_to, id, norm_category_id,
                       container_count, container_volume::text, schedule_kind, schedule_weekdays,
                       schedule_interval, schedule_start, schedule_dates
                  FROM tko_object_characteristic
                 WHERE object_id = ANY(%s) AND kind = ANY(%s)
                   AND date_from <= %s AND (date_to IS NULL OR date_to >= %s)
                """,
                object_ids,
                kinds,
                ctx["last"],
                ctx["first"],
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _absences(self, ctx, account_ids):
        self.env.cr.execute(
            SQL(
                """
                SELECT account_id, departure, arrival, persons FROM tko_absence
                 WHERE account_id = ANY(%s) AND state = 'confirmed'
                   AND departure <= %s AND arrival >= %s
                 ORDER BY departure
                """,
                account_ids,
                ctx["last"],
                ctx["first"],
            )
        )
        result = defaultdict(list)
        for account_id, dep, arr, persons in self.env.cr.fetchall():
            result[account_id].append({"departure": dep, "arrival": arr, "persons": persons})
        return result

    @api.model
    def _posted(self, ctx, key, ids):
        """Ids among ``ids`` whose charges of the period are already in accounting."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT %(key)s FROM tko_charge
                 WHERE period_id = %(period)s AND kind IN ('charge', 'absence')
                   AND state = 'posted' AND %(key)s = ANY(%(ids)s)
                """,
                key=SQL.identifier(key),
                period=ctx["period_id"],
                ids=ids,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    # ------------------------------------------------------------------ cases
    @api.model
    def _individual_cases(self, ctx, accounts, with_absences=True):
        """``[(account row, cases or None, error or None)]`` for a chunk of accounts."""
        object_ids = list({a[1] for a in accounts})
        chars = defaultdict(list)
        for row in self._characteristics(ctx, object_ids, INDIVIDUAL_KINDS):
            chars[row[0]].append(row[1:])
        absences = (
            self._absences(ctx, [a[0] for a in accounts])
            if with_absences and ctx["has_absences"]
            else {}
        )
        pop, norms = ctx["pop_tariffs"], ctx["norms"]
        cat_apartment, cat_house, cat_area = ctx["cat_apartment"], ctx["cat_house"], ctx["cat_area"]
        first = ctx["first"]
        out = []
        for acc in accounts:
            aid, object_id, _partner, zone, method, date_open, date_close, kind = acc
            if method == "area":
                cat = cat_area
            else:
                cat = cat_house if kind == "house" else cat_apartment
            try:
                cases = individual_month(
                    first,
                    method,
                    date_open,
                    date_close,
                    chars.get(object_id, ()),
                    pop.get(zone, ()),
                    norms.get((cat, zone, "m3"), ()),
                    norms.get((cat, None, "m3"), ()),
                    absences.get(aid, ()),
                    case_id=aid,
                )
                out.append((acc, cases, None))
            except CoreError as error:
                out.append((acc, None, error))
        return out

    @api.model
    def _legal_cases(self, ctx, contracts):
        """``[(contract row, [(line row, cases)], error or None)]`` for a chunk of contracts."""
        cr = self.env.cr
        contract_ids = [c[0] for c in contracts]
        cr.execute(
            SQL(
                """
                SELECT l.id, l.contract_id, l.object_id, l.scheme, l.norm_category_id,
                       l.limit_volume::text, l.date_from, l.date_to, o.zone_id
                  FROM tko_contract_line l JOIN tko_object o ON o.id = l.object_id
                 WHERE l.contract_id = ANY(%s) AND l.date_from <= %s
                   AND (l.date_to IS NULL OR l.date_to >= %s)
                 ORDER BY l.contract_id, l.id
                """,
                contract_ids,
                ctx["last"],
                ctx["first"],
            )
        )
        lines = defaultdict(list)
        for row in cr.fetchall():
            lines[row[1]].append(row)
        object_ids = list({row[2] for rows in lines.values() for row in rows})
        units = defaultdict(list)
        containers = defaultdict(list)
        container_errors = {}
        for row in self._characteristics(ctx, object_ids, LEGAL_KINDS) if object_ids else []:
            (obj, kind, value, df, dt, cid, category, count, volume, skind, wdays, interval) = row[
                :12
            ]
            start, dates = row[12], row[13]
            if kind == "units":
                units[(obj, category)].append((df, dt, Decimal(value or 0), cid))
            else:
                try:
                    schedule = schedule_from_fields(skind, wdays, interval, start, dates)
                except CoreError as error:
                    container_errors[obj] = error
                    continue
                containers[obj].append(
                    (
                        df,
                        dt,
                        {"count": count or 0, "volume": Decimal(volume or 0), "schedule": schedule},
                        cid,
                    )
                )
        measurements = defaultdict(list)
        if object_ids:
            cr.execute(
                SQL(
                    """
                    SELECT object_id, contract_id, kind, date, value::text, id FROM tko_measurement
                     WHERE object_id = ANY(%s) AND date BETWEEN %s AND %s
                    """,
                    object_ids,
                    ctx["first"],
                    ctx["last"],
                )
            )
            for obj, contract, kind, day, value, mid in cr.fetchall():
                measurements[(obj, kind)].append((contract, (day, Decimal(value), mid)))
        norms, other, own = ctx["norms"], ctx["other_tariffs"], ctx["own_tariffs"]
        out = []
        for contract in contracts:
            cid, _partner, c_start, c_end = contract
            per_line = []
            try:
                for line in lines.get(cid, ()):
                    lid, _c, obj, scheme, category, limit_volume, l_from, l_to, zone = line
                    if scheme == "containers" and obj in container_errors:
                        raise container_errors[obj]
                    uom = "t" if scheme == "measured_mass" else "m3"
                    lo = max(d for d in (l_from, c_start) if d)
                    his = [d for d in (l_to, c_end) if d]
                    hi = min(his) if his else None
                    mkind = "mass" if scheme == "measured_mass" else "volume"
                    cases = legal_month(
                        ctx["first"],
                        scheme,
                        (lo, hi),
                        other.get((zone, uom), ()),
                        own.get((cid, uom), ()),
                        units=units.get((obj, category), ()),
                        category=ctx["codes"].get(category, ""),
                        norms=norms.get((category, zone, "m3"), ()),
                        norms_any=norms.get((category, None, "m3"), ()),
                        containers=containers.get(obj, ()),
                        limit_volume=Decimal(limit_volume or 0),
                        measurements=[
                            m for c, m in measurements.get((obj, mkind), ()) if c in (None, cid)
                        ],
                        case_id=lid,
                    )
                    per_line.append((line, cases))
                out.append((contract, per_line, None))
            except CoreError as error:
                out.append((contract, None, error))
        return out

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
        posted = self._posted(ctx, key, chunk_ids) if ctx["has_posted"] else set()
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
                period=ctx["period_id"],
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
            [(run_id, ctx["company_id"], rid, code, message) for rid, code, message in errors],
        )

    @api.model
    def _error(self, error):
        """(code, translated message) of a core error."""
        return error.code, self.env["tko.charge.run.error"]._message(error)

    def _individual_lines(self, ctx, run_id, rows, posted, buffer, errors):
        """Compute the lines of a chunk of accounts into ``buffer`` (COPY text)."""
        settings = ctx["settings"]
        first, last, dim = ctx["first"], ctx["last"], ctx["dim"]
        prefix = "\t".join(
            copy_value(v)
            for v in (ctx["company_id"], ctx["period_id"], last, "charge", "draft", "individual")
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
            ctx["company_id"],
            ctx["period_id"],
            ctx["last"],
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
                used.get("service_start") or ctx["first"],
                used.get("service_end") or ctx["last"],
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
                    used.get("service_start") or ctx["first"],
                    used.get("service_end") or ctx["last"],
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
        settings = ctx["settings"]
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
                period=ctx["period_id"],
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
            if inputs and "method" in inputs:
                data = dict(inputs)
                if mode != "not_subject" and rate is not None:
                    data["vat_rate"] = rate
            else:
                data = inputs_from_columns(
                    ctx["period_text"], method, residents, owners, norm, tariff, mode, rate
                )
            old[(rid, line_id)].append(compute_charge(data, ctx["settings"]))
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
                period=ctx["period_id"],
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
        if consumer == "individual":
            rows = self._select_recalc_accounts(ctx, where, after, limit, ids)
        else:
            rows = self._select_recalc_contracts(ctx, where, after, limit, ids)
        if not rows:
            return None
        chunk_ids = [r[0] for r in rows]
        old, corrections = self._stored_results(ctx, key, chunk_ids, corrected_by=recalc.id)
        settings = ctx["settings"]
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
                period=ctx["period_id"],
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
                ctx["period_id"],
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
            "old": [self._plain_inputs(r) for r in old],
            "new": [self._plain_inputs(r) for _c, r in new_pairs],
        }
        return (
            open_ctx["company_id"],
            open_ctx["period_id"],
            open_ctx["last"],
            "recalc",
            "draft",
            consumer,
            *who,
            first_new.method if first_new else None,
            first_new.unit if first_new else None,
            ctx["first"],
            ctx["last"],
            None,
            ctx["dim"],
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
            ctx["period_id"],
            recalc.id,
            recalc._basis_text()[:255],
        )

    @api.model
    def _plain_inputs(self, result):
        """The inputs of a core result as a core input dict (for the explanation)."""
        inputs = {"method": result.method, "period": result.period.strftime("%Y-%m")}
        inputs.update(
            {
                k: v
                for k, v in result.inputs.items()
                if k not in ("unit", "service_start", "service_end") or v
            }
        )
        if result.consumer == "legal":
            inputs["consumer"] = "legal"
        if result.vat_rate is None:
            inputs.pop("vat_rate", None)
        if result.method == "containers":
            inputs["containers"] = [
                {"count": c["count"], "volume": c["volume"], "pickups": c["pickups"]}
                for c in inputs.get("containers", [])
            ]
        if inputs.get("absences"):
            inputs["absences"] = [
                {"departure": a["departure"], "arrival": a["arrival"], "persons": a["persons"]}
                for a in inputs["absences"]
            ]
        return inputs

    @api.model
    def _select_recalc_accounts(self, ctx, where, after, limit, ids=None):
        """Accounts to recalculate: in service in the month now, or charged for it then.

        The ninth column says whether the account is in service in the month now.
        """
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, a.object_id, a.partner_id, a.zone_id, a.calc_method,
                       a.date_open, a.date_close, o.kind,
                       (a.date_open <= %(last)s
                        AND (a.date_close IS NULL OR a.date_close >= %(first)s)) AS in_service
                  FROM tko_account a JOIN tko_object o ON o.id = a.object_id
                 WHERE a.company_id = %(company)s AND a.id > %(after)s
                   AND (%(ids)s::int[] IS NULL OR a.id = ANY(%(ids)s::int[]))
                   AND %(where)s
                   AND ((a.date_open <= %(last)s
                         AND (a.date_close IS NULL OR a.date_close >= %(first)s))
                        OR EXISTS (SELECT 1 FROM tko_charge ch WHERE ch.account_id = a.id
                                   AND ch.period_id = %(period)s))
                 ORDER BY a.id LIMIT %(limit)s
                """,
                company=ctx["company_id"],
                after=after,
                last=ctx["last"],
                first=ctx["first"],
                ids=ids,
                where=where,
                period=ctx["period_id"],
                limit=limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _select_recalc_contracts(self, ctx, where, after, limit, ids=None):
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.partner_id, c.date_start, c.date_end,
                       (c.state IN ('active', 'terminated') AND c.date_start <= %(last)s
                        AND (c.date_end IS NULL OR c.date_end >= %(first)s)) AS in_service
                  FROM tko_contract c
                 WHERE c.company_id = %(company)s AND c.id > %(after)s
                   AND (%(ids)s::int[] IS NULL OR c.id = ANY(%(ids)s::int[]))
                   AND %(where)s
                   AND ((c.state IN ('active', 'terminated') AND c.date_start <= %(last)s
                         AND (c.date_end IS NULL OR c.date_end >= %(first)s))
                        OR EXISTS (SELECT 1 FROM tko_charge ch WHERE ch.contract_id = c.id
                                   AND ch.period_id = %(period)s))
                 ORDER BY c.id LIMIT %(limit)s
                """,
                company=ctx["company_id"],
                after=after,
                last=ctx["last"],
                first=ctx["first"],
                ids=ids,
                where=where,
                period=ctx["period_id"],
                limit=limit,
            )
        )
        return self.env.cr.fetchall()

    # ------------------------------------------------------------------ helpers
    @api.model
    def _today(self):
        return date.today()
