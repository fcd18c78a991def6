"""Runs executed by queue_job whose worker died: detected from the database, not the job runner.

queue_job (17.0.1.5.4) keeps a row per started job in ``queue_job_lock`` and the worker that
performs the job holds that row locked (``SELECT … FOR UPDATE``) in its transaction until the
job commits. A worker that dies (kill -9, out of memory, a restart) loses its connection, and
PostgreSQL releases the lock: a *started* job whose lock row can be taken is dead. The job runner
requeues such jobs itself (``requeue_dead_jobs``), so the work resumes when it runs; every job
of the runs watched here is idempotent (a job re-executed writes the same rows), which makes the
requeue safe. But when the job runner is down, when the retries are exhausted, or when a job
was deleted, the run would stay "queued" or "running" for ever and block the next run and the
period's close. :meth:`_tko_detect_dead`, called by a cron and by the run's Refresh button,
derives the run's state from its jobs and marks such a run failed with a clear message; the
user reruns it.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

# a started job takes its lock right after committing its "started" state: grace period
STARTED_GRACE = timedelta(seconds=30)
WAITING_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")


class TkoJobWatchMixin(models.AbstractModel):
    """A run executed by queue jobs: its state is checked against the state of its jobs.

    A model that inherits it has a ``state`` field and implements :meth:`_tko_watch_jobs`
    (its queue jobs) and :meth:`_tko_watch_fail` (mark it failed); it may implement
    :meth:`_tko_watch_all_done` (all jobs done while the run is still active).
    """

    _name = "tko.job.watch.mixin"
    _description = "Watch of background jobs"

    _tko_watch_active_states = ("queued", "running")

    # ------------------------------------------------------------------ to implement
    def _tko_watch_jobs(self):
        """The ``queue.job`` records (sudo) of this run, all attempts of the current start."""
        raise NotImplementedError

    def _tko_watch_fail(self, message):
        """Mark this run failed with ``message`` (superuser, trusted)."""
        raise NotImplementedError

    def _tko_watch_all_done(self):
        """Every job is done but the run is still active: finish it (default: nothing)."""
        return False

    # ------------------------------------------------------------------ detection
    @api.model
    def _tko_detect_dead(self, records=None, grace=STARTED_GRACE):
        """Mark failed the active runs (``records``, or all of them) whose jobs died.

        ``grace``: how long a job may stay started without its lock (the worker takes it right
        after committing the start). Returns the runs marked failed. Callable from a cron
        (``model._tko_detect_dead()``) and from an action that has checked the caller's rights
        first. Does not need the job runner: the state of the jobs and their locks are read
        from the database.
        """
        active = self._tko_watch_active_states
        if records is None:
            records = self.sudo().search([("state", "in", list(active))])
        runs = records.sudo().filtered(lambda r: r.state in active)
        failed = self.browse()
        for run in runs:
            problem = run._tko_watch_problem(grace)
            if problem is None:
                continue
            if problem is True:
                run._tko_watch_all_done()
                continue
            # no requeue may start a part of a failed run: its rerun queues new jobs
            run._tko_watch_jobs().filtered(
                lambda j: j.state in WAITING_JOB_STATES
            )._change_job_state("cancelled", result=problem)
            run._tko_watch_fail(problem)
            failed |= run
        return failed

    def _tko_watch_problem(self, grace=STARTED_GRACE):
        """Why this run cannot finish (a message), ``True`` when all its jobs are done, or
        ``None`` while it progresses (or waits for the job runner)."""
        self.ensure_one()
        jobs = self._tko_watch_jobs()
        if not jobs:
            return _("Its background jobs were deleted from the job queue.")
        cr = self.env.cr
        # serialize with the job runner (its requeue and its start of a job lock these rows)
        cr.execute(
            SQL("SELECT id FROM queue_job WHERE id = ANY(%s) ORDER BY id FOR UPDATE", jobs.ids)
        )
        jobs.invalidate_recordset(["state", "date_started", "exc_name", "exc_message"])
        for job in jobs:
            if job.state == "failed":
                return _(
                    "Its background job %(job)s failed: %(error)s",
                    job=job.uuid,
                    error=job.exc_message or job.exc_name or job.exc_info or "",
                )
            if job.state == "cancelled":
                return _("Its background job %(job)s was cancelled.", job=job.uuid)
        started = jobs.filtered(lambda j: j.state == "started")
        if started:
            # a live worker holds the lock row of its job: a row we can lock has no worker
            cr.execute(
                SQL(
                    """
                    SELECT j.uuid FROM queue_job j
                     WHERE j.id = ANY(%(ids)s) AND j.date_started < %(before)s
                       AND (NOT EXISTS (SELECT 1 FROM queue_job_lock l
                                         WHERE l.queue_job_id = j.id)
                            OR j.id IN (SELECT l.queue_job_id FROM queue_job_lock l
                                         WHERE l.queue_job_id = ANY(%(ids)s)
                                           FOR UPDATE SKIP LOCKED))
                    """,
                    ids=started.ids,
                    before=fields.Datetime.now() - grace,
                )
            )
            dead = [row[0] for row in cr.fetchall()]
            if dead:
                return _(
                    "The worker that ran its background job %(job)s stopped in the middle of "
                    "the job (killed, out of memory or restarted).",
                    job=", ".join(dead),
                )
        if all(job.state == "done" for job in jobs):
            return True
        return None
