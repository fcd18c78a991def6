"""Benchmark: a bank registry of SCALE payments imported and allocated (issue #5).

Target: a registry of 100,000 payments imports and allocates in 30 seconds or less.

How: :func:`bench.region.build_region` creates a throw-away database with
``mobill_tko_integrations`` installed and a region of SCALE personal accounts (not timed). A
month is charged with the mass charge run (not timed) so that every account has a debt. A
Sberbank-layout registry (windows-1251, trailer with the total) of SCALE payments is written by
the core: one payment per account, 1 % of them to unknown account numbers (they wait in the
queue of unallocated payments), 2 % naming the period they pay.

Timed, exactly as the Import button does it (``tko.payment.import.action_import``): the file is
read and checked line by line by the core, matched to accounts in SQL, booked with
``execute_values`` and allocated (debts and payments read with SQL, ``allocate_batch`` in the
core, allocation lines written with ``execute_values``). Then the same file is imported again
(rejected as already imported, nothing booked) and its payments in a file of another name
(every payment skipped as booked before).

Checks printed with the figures: payments booked, unallocated, the allocated sum equal to the
booked sum to the kopeck. Prints ``<metric>: <value> <unit>`` lines. ``KEEP=1`` keeps the
database; ``PROFILE=1`` prints a cProfile of each import to stderr.
"""

from __future__ import annotations

import base64
import os
import random
import resource
import sys
import time
from datetime import date
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import metric, odoo_registry, say  # noqa: E402

DEFAULT_SCALE = 100_000
DBNAME = "mobill_bench_payments"
PERIOD = date(2025, 11, 1)
TARGET_SECONDS = 30
UNKNOWN_SHARE = 0.01
NAMED_PERIOD_SHARE = 0.02


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _charge_month(registry) -> None:
    """Charge PERIOD for every account (the mass run, in this process; not timed). Each step
    on a cursor of its own, as the background jobs do."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.company._tko_billing_setup()
        env.company.tko_billing_chunk_size = 20_000
        period = env["tko.billing.period"].create({"date_start": PERIOD})
        run = env["tko.charge.run"].create({"period_id": period.id, "scope": "all"})
        run._check_start()
        run._prepare_start(1)
        run.state = "running"
        run_id = run.id
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["tko.charge.run"].browse(run_id)._process_partition(0, 1, commit=True)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        run = env["tko.charge.run"].browse(run_id)
        run._finalize(time.perf_counter() - started)
        metric("charge_lines_before_import", run.line_count, "lines")


def _registry_file(env, scale: int, seed: int = 5) -> tuple[bytes, int]:
    from mobill_tko_core.formats.registry import RegistryPayment, write_registry

    rnd = random.Random(seed)
    env.cr.execute("SELECT name FROM tko_account ORDER BY id LIMIT %s", [scale])
    accounts = [row[0] for row in env.cr.fetchall()]
    unknown = 0
    payments = []
    for index in range(scale):
        if index < len(accounts) and rnd.random() >= UNKNOWN_SHARE:
            account = accounts[index]
        else:
            account = f"99{index:010d}"
            unknown += 1
        amount = Decimal(rnd.randint(5_000, 250_000)) / 100
        payments.append(
            RegistryPayment(
                account=account,
                amount=amount,
                payer="Плательщик",
                address="ул. Тестовая",
                period=PERIOD if rnd.random() < NAMED_PERIOD_SHARE else None,
                paid_date=date(2025, 12, 1 + index % 10),
                paid_time=dtime(10, index % 60, index % 60),
                operation_id=f"B{index:09d}",
                commission=Decimal("0.00"),
                transfer_amount=amount,
                branch="8611",
                cashier="1",
            )
        )
    data = write_registry(payments, order_number="777", order_date=date(2025, 12, 11))
    return data, unknown


def _import(env, data: bytes, name: str):
    Import = env["tko.payment.import"]
    rec = Import.create(
        {
            "name": name,
            "file": base64.b64encode(data),
            "file_name": f"{name}.txt",
            "profile_id": env.ref("mobill_tko_integrations.registry_profile_sberbank").id,
        }
    )
    env.cr.commit()
    profiler = None
    if os.environ.get("PROFILE") == "1":
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    rec.action_import()
    env.cr.commit()
    seconds = time.perf_counter() - started
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    return rec, seconds


def main(scale: int = DEFAULT_SCALE) -> dict:
    from bench.region import build_region, drop_database

    scale = int(scale)
    keep = os.environ.get("KEEP") == "1"
    metrics = {}
    say(f"[payments] building a region of {scale} accounts in {DBNAME} (not timed) …")
    region = build_region(DBNAME, scale, modules="mobill_tko_integrations")
    metric("region_install_seconds", region.get("install_seconds", 0.0), "s")
    metric("region_load_seconds", region["generate_seconds"], "s")
    try:
        registry = odoo_registry(DBNAME)
        from odoo import SUPERUSER_ID, api

        say("[payments] charging a month (not timed) …")
        _charge_month(registry)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            data, unknown = _registry_file(env, scale)
            metric("registry_payments", scale, "payments")
            metric("registry_file_mb", round(len(data) / 1_048_576, 1), "MB")
            say(f"[payments] timed: importing {scale} payments …")
            rec, seconds = _import(env, data, "bench-registry")
            cr.execute(
                """SELECT count(*), count(*) FILTER (WHERE is_unallocated),
                          COALESCE(sum(amount) FILTER (WHERE state = 'posted'), 0)
                     FROM tko_payment WHERE import_id = %s""",
                [rec.id],
            )
            booked, unallocated, posted_sum = cr.fetchone()
            cr.execute(
                """SELECT COALESCE(sum(a.amount), 0), count(*) FILTER (WHERE a.period_id IS NULL)
                     FROM tko_payment_allocation a JOIN tko_payment p ON p.id = a.payment_id
                    WHERE p.import_id = %s""",
                [rec.id],
            )
            allocated_sum, advances = cr.fetchone()
            metrics.update(seconds=seconds, booked=booked, unallocated=unallocated)
            metric("state", rec.state, "")
            metric("errors", rec.error_count, "lines")
            metric("payments_booked", booked, "payments")
            metric("payments_unallocated", unallocated, "payments")
            metric("unknown_accounts_in_file", unknown, "payments")
            metric("import_and_allocate_seconds", seconds, "s")
            metric("payments_per_second", round(booked / seconds), "payments/s")
            metric("posted_sum", f"{Decimal(posted_sum):.2f}", "RUB")
            metric("allocated_sum", f"{Decimal(allocated_sum):.2f}", "RUB")
            metric("allocation_lines_as_advance", advances, "lines")
            metric(
                "allocation_reconciles",
                "yes" if Decimal(posted_sum) == Decimal(allocated_sum) else "NO",
                "",
            )
            metric("peak_memory_mb", _peak_mb(), "MB")
            metric("target_met", "yes" if seconds <= TARGET_SECONDS else "no", "")

            say("[payments] the same file again …")
            again, again_seconds = _import(env, data, "bench-registry-again")
            metric("same_file_again_state", again.state, "")
            metric("same_file_again_booked", again.booked_count, "payments")
            metric("same_file_again_seconds", again_seconds, "s")
            renamed, renamed_seconds = _import(env, data + b"\r\n", "bench-registry-renamed")
            metric("same_payments_other_file_state", renamed.state, "")
            metric("same_payments_other_file_booked", renamed.booked_count, "payments")
            metric("same_payments_other_file_skipped", renamed.skipped_count, "payments")
            metric("same_payments_other_file_seconds", renamed_seconds, "s")
    finally:
        if not keep:
            from odoo.sql_db import close_all

            close_all()
            drop_database(DBNAME)
    return metrics


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SCALE)
