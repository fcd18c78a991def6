"""Benchmark: the month's receipts (ЕПД) of SCALE personal accounts (issue #13).

Targets (issue 13, region of 1,000,000 accounts): the receipt snapshots of the month in 60 s or
less; the print centre's data file of all accounts in 2 minutes or less; bounded memory.

How: :func:`bench.region.build_region` creates a throw-away database with ``mobill_tko_billing``
and a region of SCALE accounts; the company gets the payee's requisites (INN, KPP, a bank
account); a period is charged the way the charges benchmark does it (forked partitions, not
timed). The period's lines are then marked posted with one SQL statement: what is measured here
is the receipts, and the accounting entries of a million lines are not needed for them (they
are the charges benchmark's and the accounting's business).

Timed:
1. ``tko.receipt.run._process(commit=True)``: chunks of accounts read with SQL, built by
   :func:`mobill_tko_core.receipts.build_receipt`, written with ``execute_values``, each chunk
   committed (as the background job does), then the run's ``_finalize``;
2. the print centre's data file of every receipt: the snapshots read back in chunks
   (``from_json`` → ``flat``), written by
   :func:`mobill_tko_core.formats.print_centre.iter_data_file` in the default profile to a
   temporary file, and its manifest.

Prints ``<metric>: <value> <unit>`` lines. ``KEEP=1`` keeps the database.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import metric, odoo_registry, say  # noqa: E402

DEFAULT_SCALE = 1_000_000
DBNAME = "mobill_bench_receipts"
PERIOD = date(2025, 11, 1)
TARGET_SNAPSHOT_SECONDS = 60
TARGET_FILE_SECONDS = 120
TARGET_ACCOUNTS = 1_000_000
READ_CHUNK = 20_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _payee(env) -> None:
    """The operator's requisites a receipt and its QR code need."""
    partner = env.company.partner_id
    partner.write({"name": "ООО «Региональный оператор»", "vat": "4000000008"})
    partner.kpp = "400001001"
    bank = env["res.bank"].create(
        {"name": "ПАО СБЕРБАНК", "bic": "044525225", "corr_account": "30101810400000000225"}
    )
    partner.bank_ids.write({"sequence": 50})
    env["res.partner.bank"].create(
        {
            "acc_number": "40702810500000001234",
            "bank_id": bank.id,
            "partner_id": partner.id,
            "sequence": 1,
        }
    )


def _charge(registry, dbname: str, period_id: int, parts: int) -> None:
    """The period's charge run, in forked partitions (as bench/charges.py)."""
    from odoo import SUPERUSER_ID, api
    from odoo.sql_db import close_all

    from bench.charges import _partition

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        run = env["tko.charge.run"].create({"period_id": period_id, "scope": "all"})
        run._check_start()
        run._prepare_start(parts)
        run.state = "running"
        run_id = run.id
    close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_partition, args=(dbname, run_id, part, parts, queue))
        for part in range(parts)
    ]
    for worker in workers:
        worker.start()
    for _worker in workers:
        queue.get()
    for worker in workers:
        worker.join()
    if any(worker.exitcode for worker in workers):
        raise RuntimeError("a charge partition failed")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["tko.charge.run"].browse(run_id)._finalize(0.0)
        # not timed: the lines count as posted (see the module's docstring)
        cr.execute("UPDATE tko_charge SET state = 'posted' WHERE period_id = %s", [period_id])


def _data_file(registry, run_id: int) -> dict:
    """The print centre's data file of every receipt of the run, and its manifest."""
    from odoo import SUPERUSER_ID, api

    from mobill_tko_core import receipts
    from mobill_tko_core.formats import print_centre

    profile = print_centre.DEFAULT_PRINT_PROFILE
    period = f"{PERIOD:%Y-%m}"
    rows = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        after = 0
        while True:
            env.cr.execute(
                "SELECT id, snapshot FROM tko_receipt WHERE run_id = %s AND id > %s "
                "ORDER BY id LIMIT %s",
                [run_id, after, READ_CHUNK],
            )
            chunk = env.cr.fetchall()
            if not chunk:
                break
            after = chunk[-1][0]
            rows.extend(receipts.flat(receipts.from_json(text)) for _id, text in chunk)
    read_peak = _peak_mb()
    with tempfile.NamedTemporaryFile(prefix="tko-print-", suffix=".csv") as handle:
        size = 0
        for piece in print_centre.iter_data_file(rows, profile, centre_code="BENCH", period=period):
            handle.write(piece)
            size += len(piece)
        handle.flush()
        name = print_centre.file_name(profile, "BENCH", period)
        handle.seek(0)
        data = handle.read()
    manifest = print_centre.manifest(
        "BENCH", period, [(name, data, len(rows), print_centre.total_to_pay(rows))]
    )
    return {"rows": len(rows), "bytes": size, "manifest": len(manifest), "read_peak": read_peak}


def main(scale: int = DEFAULT_SCALE) -> dict:
    from bench.region import build_region, drop_database

    scale = int(scale)
    parts = max(1, min(os.cpu_count() or 2, 8))
    keep = os.environ.get("KEEP") == "1"
    metrics = {}
    say(f"[receipts] building a region of {scale} accounts in {DBNAME} (not timed) …")
    region = build_region(DBNAME, scale, modules="mobill_tko_billing")
    metric("region_load_seconds", region["generate_seconds"], "s")
    try:
        registry = odoo_registry(DBNAME)
        from odoo import SUPERUSER_ID, api

        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env.company._tko_billing_setup()
            env.company.tko_billing_chunk_size = 20_000
            _payee(env)
            period_id = env["tko.billing.period"].create({"date_start": PERIOD}).id
        say("[receipts] charging the month (not timed) …")
        started = time.perf_counter()
        _charge(registry, DBNAME, period_id, parts)
        metric("charge_setup_seconds", time.perf_counter() - started, "s")

        say("[receipts] timed: the receipt snapshots …")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            run = env["tko.receipt.run"].create({"period_id": period_id, "chunk_size": 20_000})
            run._check_start()
            run.state = "running"
            run_id = run.id
        started = time.perf_counter()
        with registry.cursor() as cr:  # as the background job: chunks on cursors of their own
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["tko.receipt.run"].browse(run_id)._process(commit=True)
        with registry.cursor() as cr:  # then the run is summed up on a fresh cursor
            env = api.Environment(cr, SUPERUSER_ID, {})
            run = env["tko.receipt.run"].browse(run_id)
            run._finalize()
            issued, errors = run.issued_count, run.error_count
        seconds = time.perf_counter() - started
        snapshot_peak = _peak_mb()
        rate = issued / seconds if seconds else 0
        metric("receipts_issued", issued, "receipts")
        metric("receipt_errors", errors, "accounts")
        metric("snapshot_seconds", seconds, "s")
        metric("snapshot_receipts_per_second", round(rate), "receipts/s")
        metric("snapshot_peak_memory_mb", snapshot_peak, "MB")
        projected = TARGET_ACCOUNTS / rate if rate else float("inf")
        metric("snapshot_projected_1m_seconds", projected, "s")
        metric("snapshot_target_met", "yes" if projected <= TARGET_SNAPSHOT_SECONDS else "no", "")

        say("[receipts] timed: the print centre's data file of every receipt …")
        started = time.perf_counter()
        written = _data_file(registry, run_id)
        file_seconds = time.perf_counter() - started
        metric("data_file_rows", written["rows"], "rows")
        metric("data_file_bytes", written["bytes"], "bytes")
        metric("data_file_seconds", file_seconds, "s")
        metric("data_file_peak_memory_mb", _peak_mb(), "MB")
        file_projected = (
            TARGET_ACCOUNTS / (written["rows"] / file_seconds) if written["rows"] else float("inf")
        )
        metric("data_file_projected_1m_seconds", file_projected, "s")
        metric("data_file_target_met", "yes" if file_projected <= TARGET_FILE_SECONDS else "no", "")
        metrics.update(
            receipts=issued,
            errors=errors,
            seconds=seconds,
            file_seconds=file_seconds,
            peak_memory_mb=_peak_mb(),
        )
    finally:
        if not keep:
            from odoo.sql_db import close_all

            close_all()
            drop_database(DBNAME)
    return metrics


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SCALE)
