"""Benchmark: one month's mass charge run over SCALE personal accounts (issue #4).

Target: 1,000,000 personal accounts charged in 60 seconds or less on a 2-core machine.

How: :func:`bench.region.build_region` creates a throw-away database with
``mobill_tko_billing`` installed and a region of SCALE accounts (and SCALE/20 contracts) loaded
by COPY (not timed as the run). A billing period is opened and a charge run of everything is
created; then the timed part runs the run's partitions exactly as the background jobs do
(``tko.charge.run._process_partition(part, parts, commit=True)``: chunks of accounts read with
SQL, computed by the core, written with COPY, each chunk in a transaction of its own), one
forked process per partition and core, each with its own cursor; the parent sums up the run
(``_finalize``) like the last job does.

In the same run the ORM-per-record way is timed on a sample of 10,000 accounts (per account:
the pricing resolver, the characteristics, ``compute_charge``, ``tko.charge.create``), rolled
back, and the ratio of the two speeds printed.

Prints ``<metric>: <value> <unit>`` lines. ``KEEP=1`` keeps the database.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import metric, odoo_registry, say  # noqa: E402

DEFAULT_SCALE = 1_000_000
DBNAME = "mobill_bench_charges"
PERIOD = date(2025, 11, 1)
ORM_SAMPLE = 10_000
TARGET_SECONDS = 60
TARGET_ACCOUNTS = 1_000_000


def _partition(dbname: str, run_id: int, part: int, parts: int, queue) -> None:
    """One forked worker: a partition of the run on cursors of its own."""
    import odoo
    from odoo import SUPERUSER_ID, api

    registry = odoo.modules.registry.Registry(dbname)
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["tko.charge.run"].browse(run_id)._process_partition(part, parts, commit=True)
    queue.put(
        (
            part,
            time.perf_counter() - started,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
    )


def _orm_sample(env, period, size: int) -> tuple[int, float]:
    """The ORM-per-record way on ``size`` accounts: seconds; the caller rolls back."""
    from mobill_tko_core.charges import ChargeSettings, compute_charge

    company = env.company
    accounts = env["tko.account"].search(
        [("state", "=", "open"), ("date_open", "<=", period.date_start)], limit=size
    )
    pricing = env["tko.pricing"]
    Charge = env["tko.charge"].with_context(tko_billing_engine=True)
    started = time.perf_counter()
    done = 0
    for account in accounts:
        obj = account.object_id
        day = period.date_end
        terms = pricing._terms(obj, day)
        values = obj.characteristics_at(day).get(obj.id, {})
        if account.calc_method == "area":
            category = company.tko_norm_category_area_id
        elif obj.kind == "house":
            category = company.tko_norm_category_house_id
        else:
            category = company.tko_norm_category_apartment_id
        norm = terms["norms"].get(category)
        tariff = terms["tariff"]
        if not norm or not tariff:
            continue
        inputs = {
            "method": account.calc_method,
            "period": period.date_start.strftime("%Y-%m"),
            "norm": str(norm.value),
            "tariff": str(tariff.price),
            "vat_mode": "included" if tariff.vat_mode == "included" else "not_subject",
        }
        if account.calc_method == "area":
            inputs["area"] = str(values.get("area_total", 0))
        else:
            inputs["residents"] = int(
                values.get("residents_permanent", 0) + values.get("residents_temporary", 0)
            )
            inputs["owners"] = int(values.get("owners", 0))
        result = compute_charge(inputs, ChargeSettings())
        Charge.create(
            {
                "company_id": company.id,
                "period_id": period.id,
                "date": period.date_end,
                "kind": "charge",
                "consumer": "individual",
                "account_id": account.id,
                "object_id": obj.id,
                "partner_id": account.partner_id.id,
                "zone_id": account.zone_id.id,
                "method": result.method,
                "unit": result.unit,
                "residents": inputs.get("residents", 0),
                "norm": float(norm.value),
                "tariff": float(tariff.price),
                "vat_mode": result.vat_mode,
                "vat_rate": float(result.vat_rate or 0),
                "quantity": float(result.quantity),
                "amount_net": float(result.net),
                "amount_vat": float(result.vat),
                "amount_total": float(result.total),
                "tariff_ref": tariff.id,
                "norm_ref": norm.id,
            }
        )
        done += 1
    env.flush_all()
    return done, time.perf_counter() - started


def main(scale: int = DEFAULT_SCALE) -> dict:
    from bench.region import build_region, drop_database

    scale = int(scale)
    parts = max(1, min(os.cpu_count() or 2, 8))
    keep = os.environ.get("KEEP") == "1"
    metrics = {}
    say(f"[charges] building a region of {scale} accounts in {DBNAME} (not timed) …")
    region = build_region(DBNAME, scale, modules="mobill_tko_billing")
    metric("region_install_seconds", region.get("install_seconds", 0.0), "s")
    metric("region_load_seconds", region["generate_seconds"], "s")
    try:
        registry = odoo_registry(DBNAME)
        from odoo import SUPERUSER_ID, api
        from odoo.sql_db import close_all

        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            company._tko_billing_setup()
            company.tko_billing_chunk_size = 20_000
            period = env["tko.billing.period"].create({"date_start": PERIOD})
            run = env["tko.charge.run"].create({"period_id": period.id, "scope": "all"})
            run._check_start()
            run._prepare_start(parts)
            run.state = "running"
            run_id, period_id = run.id, period.id
            cr.execute("SELECT count(*) FROM tko_account WHERE date_close IS NULL")
            open_accounts = cr.fetchone()[0]
        close_all()  # no connection crosses the fork

        say(f"[charges] timed: {parts} partitions in {parts} processes …")
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        started = time.perf_counter()
        workers = [
            context.Process(target=_partition, args=(DBNAME, run_id, part, parts, queue))
            for part in range(parts)
        ]
        for worker in workers:
            worker.start()
        results = [queue.get() for _ in workers]
        for worker in workers:
            worker.join()
        if any(worker.exitcode for worker in workers):
            raise RuntimeError("a partition process failed")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            run = env["tko.charge.run"].browse(run_id)
            run._finalize(time.perf_counter() - started)
            seconds = time.perf_counter() - started
            cr.execute(
                """
                SELECT count(DISTINCT account_id), count(*) FILTER (WHERE consumer = 'individual'),
                       count(DISTINCT contract_id), count(*)
                  FROM tko_charge WHERE period_id = %s AND run_id = %s
                """,
                [period_id, run_id],
            )
            accounts, individual_lines, contracts, lines = cr.fetchone()
            errors = run.error_count
        peak = max(r[2] for r in results)
        metrics.update(
            accounts=accounts,
            contracts=contracts,
            lines=lines,
            seconds=seconds,
            accounts_per_second=accounts / seconds,
            errors=errors,
            peak_memory_mb=peak,
        )
        metric("open_accounts", open_accounts, "accounts")
        metric("accounts_charged", accounts, "accounts")
        metric("contracts_charged", contracts, "contracts")
        metric("charge_lines", lines, "lines")
        metric("individual_lines", individual_lines, "lines")
        metric("errors", errors, "accounts")
        metric("partitions", parts, "processes")
        metric("mass_run_seconds", seconds, "s")
        metric("accounts_per_second", round(accounts / seconds), "accounts/s")
        for part, part_seconds, part_peak in sorted(results):
            metric(f"partition_{part}_seconds", part_seconds, "s")
            metric(f"partition_{part}_peak_memory_mb", part_peak, "MB")
        metric("peak_memory_mb", peak, "MB")
        projected = TARGET_ACCOUNTS / (accounts / seconds) if accounts else float("inf")
        metric("projected_seconds_for_1m_accounts", projected, "s")
        metric("target_met", "yes" if projected <= TARGET_SECONDS else "no", "")

        # ---- the ORM-per-record way, on a sample, rolled back
        sample = min(ORM_SAMPLE, accounts)
        say(f"[charges] timed: the ORM-per-record way on {sample} accounts …")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            period = env["tko.billing.period"].browse(period_id)
            done, orm_seconds = _orm_sample(env, period, sample)
            cr.rollback()
        orm_rate = done / orm_seconds if orm_seconds else 0
        metric("orm_sample_accounts", done, "accounts")
        metric("orm_sample_seconds", orm_seconds, "s")
        metric("orm_accounts_per_second", round(orm_rate), "accounts/s")
        ratio = (accounts / seconds) / orm_rate if orm_rate else float("inf")
        metric("speedup_vs_orm", round(ratio, 1), "x")
        metrics.update(orm_accounts_per_second=orm_rate, speedup=ratio)
    finally:
        if not keep:
            from odoo.sql_db import close_all

            close_all()
            drop_database(DBNAME)
    return metrics


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SCALE)
