"""Rate limits of the HTTP endpoints, shared by every worker process.

Odoo runs several worker processes in production, so a counter in one process's memory would
let a caller spread its calls over the workers. The counters live in PostgreSQL instead, in
the unlogged table ``tko_api_rate_hit`` (one row per key and time window), written on a cursor
of their own so that a refused or failing call still counts. A sliding window: the calls of
the current window plus the share of the previous window that still overlaps the last
``period`` seconds.
"""

import math
import random
import time

TABLE_SQL = """
    CREATE UNLOGGED TABLE IF NOT EXISTS tko_api_rate_hit (
        bucket varchar NOT NULL,
        window_no bigint NOT NULL,
        hits integer NOT NULL,
        expires double precision NOT NULL,
        PRIMARY KEY (bucket, window_no)
    )
"""


def parse_limit(text, default):
    """``(calls, seconds)`` of a setting written ``120/60`` (120 calls a minute); ``0`` turns
    the limit off; anything unreadable gives ``default``."""
    try:
        calls, _sep, seconds = str(text).partition("/")
        calls, seconds = int(calls), int(seconds or 60)
    except (TypeError, ValueError):
        return default
    if calls < 0 or seconds <= 0:
        return default
    return calls, seconds


def hit(cr, bucket, calls, seconds, now=None):
    """Count a call of ``bucket``; ``None`` when it is within ``calls`` per ``seconds``, else
    the seconds to wait (for ``Retry-After``)."""
    if not calls:
        return None
    now = time.time() if now is None else now
    window = int(now // seconds)
    cr.execute(
        """INSERT INTO tko_api_rate_hit (bucket, window_no, hits, expires)
                VALUES (%s, %s, 1, %s)
           ON CONFLICT (bucket, window_no)
           DO UPDATE SET hits = tko_api_rate_hit.hits + 1
           RETURNING hits""",
        (bucket, window, (window + 2) * seconds),
    )
    current = cr.fetchone()[0]
    cr.execute(
        "SELECT hits FROM tko_api_rate_hit WHERE bucket = %s AND window_no = %s",
        (bucket, window - 1),
    )
    row = cr.fetchone()
    previous = row[0] if row else 0
    elapsed = now - window * seconds
    estimate = current + previous * (1 - elapsed / seconds)
    if random.random() < 0.01:
        cr.execute("DELETE FROM tko_api_rate_hit WHERE expires < %s", (now,))
    if estimate <= calls:
        return None
    # wait until enough of the previous window has slid out, at least to the next window
    if current > calls:
        return max(1, math.ceil((window + 1) * seconds - now))
    needed = (estimate - calls) / previous * seconds if previous else 1
    return max(1, math.ceil(needed))
