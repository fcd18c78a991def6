"""The charge engine, its cases: the registry data of a chunk read with SQL and cut into core
charge cases (:mod:`mobill_tko_core.billing`) with the versions :mod:`mobill_tko_core.pricing`
chooses from the month's price book."""

# One unit of tko.billing.engine, kept apart from the run in tko_billing_engine.py.
# pylint: disable=consider-merging-classes-inherited
from collections import defaultdict
from decimal import Decimal

from odoo import api, models
from odoo.tools import SQL

from mobill_tko_core.billing import individual_month, legal_month, schedule_from_fields
from mobill_tko_core.errors import CoreError
from mobill_tko_core.pricing import (
    consumer_group_for,
    norm_category_for,
    norm_versions,
    tariff_versions,
)

INDIVIDUAL_KINDS = ["residents_permanent", "residents_temporary", "owners", "area_total"]
LEGAL_KINDS = ["units", "containers"]


class TkoBillingEngine(models.AbstractModel):
    _inherit = "tko.billing.engine"

    # ------------------------------------------------------------------ data of a chunk
    @api.model
    def _characteristics(self, ctx, object_ids, kinds):
        """The objects' characteristics of ``kinds`` valid in the month; for the legal kinds
        also the norm category and the containers' fields."""
        legal = SQL(
            """, norm_category_id, container_count, container_volume::text, schedule_kind,
               schedule_weekdays, schedule_interval, schedule_start, schedule_dates"""
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT object_id, kind, value::text, date_from, date_to, id %s
                  FROM tko_object_characteristic
                 WHERE object_id = ANY(%s) AND kind = ANY(%s)
                   AND date_from <= %s AND (date_to IS NULL OR date_to >= %s)
                """,
                SQL() if kinds is INDIVIDUAL_KINDS else legal,
                object_ids,
                kinds,
                ctx.last,
                ctx.first,
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
                ctx.last,
                ctx.first,
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
                period=ctx.period_id,
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
            if with_absences and ctx.has_absences
            else {}
        )
        first = ctx.first
        prices = {}  # (zone, method, kind) -> (tariffs, norms of the zone, norms anywhere)
        out = []
        for acc in accounts:
            aid, object_id, _partner, zone, method, date_open, date_close, kind = acc
            versions = prices.get((zone, method, kind))
            if versions is None:
                versions = prices[(zone, method, kind)] = self._account_versions(
                    ctx.book, zone, method, kind
                )
            tariffs, norms, norms_any = versions
            try:
                cases = individual_month(
                    first,
                    method,
                    date_open,
                    date_close,
                    chars.get(object_id, ()),
                    tariffs,
                    norms,
                    norms_any,
                    absences.get(aid, ()),
                    case_id=aid,
                )
                out.append((acc, cases, None))
            except CoreError as error:
                out.append((acc, None, error))
        return out

    @api.model
    def _account_versions(self, book, zone, method, kind):
        """``(tariffs, norms of the zone, norms anywhere)`` a personal account chooses from
        (mobill_tko_core.pricing): the population's tariff of its zone, the norms of its
        category."""
        category = norm_category_for(book.categories, method, kind)
        _own, tariffs = tariff_versions(book, zone, consumer_group_for(kind, individual=True))
        return (tariffs, *norm_versions(book, category, zone))

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
                ctx.last,
                ctx.first,
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
                    ctx.first,
                    ctx.last,
                )
            )
            for obj, contract, kind, day, value, mid in cr.fetchall():
                measurements[(obj, kind)].append((contract, (day, Decimal(value), mid)))
        book = ctx.book
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
                    own, tariffs = tariff_versions(
                        book, zone, consumer_group_for(None, contract=cid), uom, cid
                    )
                    norms, norms_any = norm_versions(book, category, zone)
                    cases = legal_month(
                        ctx.first,
                        scheme,
                        (lo, hi),
                        tariffs,
                        own,
                        units=units.get((obj, category), ()),
                        category=book.codes.get(category, ""),
                        norms=norms,
                        norms_any=norms_any,
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
