"""Benchmark: a mass penalty run over 1,000,000 personal accounts with 24 months of history.

The target (issue #6) is 120 seconds or less for the whole run: read the monthly debts and the
payment allocations from PostgreSQL, compute every account's penalty with the core's fast engine
(``compute_penalties_batch``) and write the totals back, on every core of the machine.

How: a throw-away database is filled server-side (``generate_series``) with SQL-shaped rows, the
same shape the Odoo mass run reads from the ledger (``mobill_tko_claims/tools/penalty_io.py``):
``bench_debt(account_id, period, amount, due_date)`` — 24 monthly debts per account — and
``bench_pay(account_id, date_paid, amount, period)``: 70 % of the accounts pay every month
around the due date, 30 % are debtors (months unpaid, paid months late, paid in half), one
payment in a hundred has no period. The timed part then runs one worker process
per core; each takes chunks of accounts, streams its rows with ``COPY … TO STDOUT``, parses them,
computes and ``COPY``-writes the totals: exactly the add-on's code path (this file loads the
add-on's ``penalty_io`` by path). A sample of accounts is re-computed with the detailed engine
(``compute_penalties``) and must give the same totals.

Prints ``<metric>: <value> <unit>`` lines. ``main(scale)``: ``scale`` is the number of accounts
(``make bench BENCH=penalties SCALE=10000`` for a quick run); ``KEEP=1`` keeps the database.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import multiprocessing
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCALE = 1_000_000
ACCOUNTS = DEFAULT_SCALE
MONTHS = 24
FIRST_PERIOD = dt.date(2024, 11, 1)
CALC_DATE = dt.date(2026, 11, 30)
CHUNK = 25_000
TARGET_SECONDS = 120
SAMPLE = 30


def _penalty_io():
    """The add-on's set-based reader (pure Python), loaded by path: no Odoo needed."""
    path = ROOT / "addons" / "mobill_tko_claims" / "tools" / "penalty_io.py"
    spec = importlib.util.spec_from_file_location("mobill_penalty_io", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rules():
    from mobill_tko_core import penalties, rates

    table = rates.penalty_rate_table(
        rates.load_packaged_rates("refinancing"), rates.load_packaged_rates("key")
    )
    return penalties.PenaltyRules.individual(table)


def _connect(dbname):
    import psycopg2

    return psycopg2.connect(dbname=dbname)


DEBT_QUERY = """
    SELECT account_id, period, amount, due_date FROM bench_debt
     WHERE account_id BETWEEN %s AND %s ORDER BY account_id
"""
PAY_QUERY = """
    SELECT account_id, date_paid, amount, period FROM bench_pay
     WHERE account_id BETWEEN %s AND %s ORDER BY account_id
"""


def _fill(dbname, accounts):
    """Generate the debts and payments in the database (not timed as the run)."""
    conn = _connect(dbname)
    conn.autocommit = True
    cr = conn.cursor()
    cr.execute("SET synchronous_commit = off")
    cr.execute("SET synchronize_seqscans = off")  # the same rows every time
    cr.execute(
        """
        CREATE UNLOGGED TABLE bench_debt (
            account_id integer NOT NULL, period date NOT NULL, amount numeric(14, 2) NOT NULL,
            due_date date);
        CREATE UNLOGGED TABLE bench_pay (
            account_id integer NOT NULL, date_paid date NOT NULL, amount numeric(14, 2) NOT NULL,
            period date);
        CREATE UNLOGGED TABLE bench_result (
            account_id integer NOT NULL, total numeric(14, 2), error_code varchar);
        """
    )
    cr.execute("SELECT setseed(0.42)")
    # 24 monthly debts of 150-650 rub. per account, due the 10th of the next month
    cr.execute(
        """
        INSERT INTO bench_debt
        SELECT a, p, round((150 + random() * 500)::numeric, 2),
               (p + interval '1 month' + interval '9 days')::date
          FROM generate_series(1, %s) a,
               LATERAL (SELECT (%s::date + make_interval(months => m))::date AS p
                          FROM generate_series(0, %s) m) x
        """,
        (accounts, FIRST_PERIOD, MONTHS - 1),
    )
    # payments: 70 % of the accounts pay every month within -20..+20 days of the due date; the
    # other 30 % are debtors: each month unpaid (30 %), paid 1 to 8 months late (40 %), half
    # paid (15 %) or paid on time (15 %). One payment in a hundred has no period (an advance
    # the ledger could not allocate: the core gives it to the oldest debts).
    cr.execute(
        """
        INSERT INTO bench_pay
        SELECT account_id,
               LEAST(due_date + CASE WHEN good OR r < 0.15 THEN (random() * 40 - 20)::int
                                     WHEN r < 0.55 THEN (30 + random() * 210)::int
                                     ELSE (random() * 60)::int END, %s::date),
               CASE WHEN good OR r < 0.55 THEN amount ELSE round(amount * 0.5, 2) END,
               CASE WHEN random() < 0.01 THEN NULL ELSE period END
          FROM (SELECT d.*, (hashint4(account_id) & 1023) < 717 AS good, random() AS r
                  FROM bench_debt d) d
         WHERE good OR r < 0.70
        """,
        (CALC_DATE,),
    )
    cr.execute("CREATE INDEX ON bench_debt (account_id)")
    cr.execute("CREATE INDEX ON bench_pay (account_id)")
    cr.execute("ANALYZE bench_debt; ANALYZE bench_pay")
    cr.execute("SELECT (SELECT count(*) FROM bench_debt), (SELECT count(*) FROM bench_pay)")
    counts = cr.fetchone()
    conn.close()
    return counts


_worker = {}


def _init_worker(dbname):
    _worker["conn"] = _connect(dbname)
    _worker["io"] = _penalty_io()
    _worker["rules"] = _rules()


def _run_chunk(bounds):
    lo, hi = bounds
    io_, conn, rules = _worker["io"], _worker["conn"], _worker["rules"]
    cr = conn.cursor()
    with io_.gc_paused():
        t0 = time.perf_counter()
        debts = io_.parse_debts(io_.copy_rows(cr, DEBT_QUERY, (lo, hi)))
        payments = io_.parse_payments(io_.copy_rows(cr, PAY_QUERY, (lo, hi)))
        t1 = time.perf_counter()
        results = io_.compute_totals(range(lo, hi + 1), debts, payments, CALC_DATE, rules)
        t2 = time.perf_counter()
    io_.copy_in(cr, "bench_result", ("account_id", "total", "error_code"), (r[:3] for r in results))
    conn.commit()
    t3 = time.perf_counter()
    total = sum((r[1] for r in results if r[1] is not None), Decimal(0))
    errors = sum(1 for r in results if r[2])
    positive = sum(1 for r in results if r[1])
    return len(results), total, errors, t1 - t0, t2 - t1, t3 - t2, positive


def _check_sample(dbname, accounts):
    """Detailed engine (line by line) on a sample: same totals as the mass run."""
    from mobill_tko_core import penalties

    io_ = _penalty_io()
    rules = _rules()
    conn = _connect(dbname)
    cr = conn.cursor()
    step = max(1, accounts // SAMPLE)
    ids = list(range(1, accounts + 1, step))[:SAMPLE]
    mismatches = 0
    for account_id in ids:
        debts = io_.parse_debts(io_.copy_rows(cr, DEBT_QUERY, (account_id, account_id)))
        pays = io_.parse_payments(io_.copy_rows(cr, PAY_QUERY, (account_id, account_id)))
        detailed = penalties.compute_penalties(
            debts.get(account_id, []), pays.get(account_id, []), CALC_DATE, rules
        ).total
        cr.execute("SELECT total FROM bench_result WHERE account_id = %s", (account_id,))
        if cr.fetchone()[0] != detailed:
            mismatches += 1
    conn.close()
    return len(ids), mismatches


def main(scale: int = DEFAULT_SCALE) -> dict:
    accounts = max(100, int(scale or DEFAULT_SCALE))
    workers = os.cpu_count() or 1
    dbname = f"mobill_bench_penalties_{os.getpid()}"
    subprocess.run(["createdb", dbname], check=True)
    try:
        t0 = time.perf_counter()
        debt_rows, pay_rows = _fill(dbname, accounts)
        setup = time.perf_counter() - t0
        chunks = [(lo, min(lo + CHUNK - 1, accounts)) for lo in range(1, accounts + 1, CHUNK)]
        start = time.perf_counter()
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_init_worker, initargs=(dbname,)) as pool:
            parts = list(pool.imap_unordered(_run_chunk, chunks))
        elapsed = time.perf_counter() - start
        done = sum(p[0] for p in parts)
        total = sum((p[1] for p in parts), Decimal(0))
        errors = sum(p[2] for p in parts)
        checked, mismatches = _check_sample(dbname, accounts)
    finally:
        if os.environ.get("KEEP") != "1":
            subprocess.run(["dropdb", "--if-exists", dbname], check=False)
        else:
            print(f"database kept: {dbname}", file=sys.stderr)
    metrics = {}

    def metric(name, value, unit):
        metrics[name] = value
        print(f"{name}: {value} {unit}", flush=True)

    metric("penalties_accounts", done, "accounts")
    metric("penalties_months", MONTHS, "months")
    metric("penalties_debt_rows", debt_rows, "rows")
    metric("penalties_payment_rows", pay_rows, "rows")
    metric("penalties_workers", workers, "processes")
    metric("penalties_setup_seconds", round(setup, 1), "s")
    metric("penalties_run_seconds", round(elapsed, 1), "s")
    metric("penalties_throughput", round(done / elapsed), "accounts/s")
    # time spent by the workers in each phase, added up over the workers
    metric("penalties_read_worker_seconds", round(sum(p[3] for p in parts), 1), "s")
    metric("penalties_compute_worker_seconds", round(sum(p[4] for p in parts), 1), "s")
    metric("penalties_write_worker_seconds", round(sum(p[5] for p in parts), 1), "s")
    metric("penalties_projected_1m_seconds", round(elapsed * ACCOUNTS / max(done, 1), 1), "s")
    metric("penalties_target_seconds", TARGET_SECONDS, "s")
    metric("penalties_total", total, "rub")
    metric("penalties_accounts_with_penalty", sum(p[6] for p in parts), "accounts")
    metric("penalties_errors", errors, "accounts")
    metric("penalties_sample_checked", checked, "accounts")
    metric("penalties_sample_mismatches", mismatches, "accounts")
    if mismatches or errors:
        raise RuntimeError(f"{mismatches} sample mismatches, {errors} accounts in error")
    return metrics


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SCALE)
