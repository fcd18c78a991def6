"""Crash safety of charge runs: a job worker killed in the middle of a mass run.

The crash test commits a small region of its own with a separate cursor, starts a real Odoo
process that performs the run's queue jobs the way queue_job's controller does, kills it with
SIGKILL after its first chunk committed, then checks that the run is detected as failed, that
its rerun completes, and that the ledger equals the ledger of an uninterrupted run of the same
inputs. What it commits is removed at the end.
"""

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL

from ..models.tko_charge_run import TEST_CHUNK_ENV
from .common import BillingCase

_logger = logging.getLogger(__name__)

ACCOUNTS = 24
CHUNK = 4
PAUSE = 1.5  # seconds after each committed chunk of the killed worker

WORKER = """
import sys
import odoo
from odoo.tools import config

rcfile, addons_path, db, *uuids = sys.argv[1:]
config.parse_config([*(["-c", rcfile] if rcfile else []), f"--addons-path={addons_path}",
                     "-d", db, "--log-level=warn", "--max-cron-threads=0", "--workers=0"])
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job

registry = odoo.registry(db)
for uuid in uuids:
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        RunJobController()._try_perform_job(env, Job.load(env, uuid))
    print("job done", uuid, flush=True)
"""


def perform_jobs(registry, uuids):
    """Perform queue jobs here as queue_job's controller does (each commits)."""
    for uuid in uuids:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            RunJobController()._try_perform_job(env, Job.load(env, uuid))


@tagged("post_install", "-at_install")
class TestChargeRunCrash(TransactionCase):
    """A worker process killed with SIGKILL in the middle of a real mass charge run."""

    def committed(self):
        """A cursor of its own that commits (the test's cursor never does)."""
        return self.registry.cursor()

    def _setup_region(self, env):
        company = env.ref("base.main_company")
        category = company.tko_norm_category_apartment_id
        self.assertTrue(category, "the main company has the norm of apartments")
        tag = f"CRASH{os.getpid()}"
        zone = env["tko.tariff.zone"].create({"name": tag, "code": tag})
        env["tko.norm"].create(
            {
                "category_id": category.id,
                "zone_id": zone.id,
                "value": 1.56,
                "date_from": "2020-01-01",
                "company_id": company.id,
            }
        )
        env["tko.tariff"].create(
            {
                "zone_id": zone.id,
                "consumer_group": "population",
                "price": 557.76,
                "vat_mode": "included",
                "date_from": "2020-01-01",
                "company_id": company.id,
            }
        )
        Address = env["tko.address"]
        region = Address.create({"name": tag, "type_name": "обл.", "level": "region"})
        town = Address.create(
            {
                "name": tag,
                "type_name": "г.",
                "level": "locality",
                "parent_id": region.id,
                "tariff_zone_id": zone.id,
            }
        )
        house = Address.create(
            {"name": "1", "type_name": "д.", "level": "house", "parent_id": town.id}
        )
        period = env["tko.billing.period"]._open_period(company, raise_if_none=False)
        created_period = not period
        if not period:
            last = env["tko.billing.period"].search(
                [("company_id", "=", company.id)], order="date_start desc", limit=1
            )
            start = date(2030, 1, 1)
            if last:
                start = (last.date_start + timedelta(days=32)).replace(day=1)
            period = env["tko.billing.period"].create(
                {"date_start": start, "company_id": company.id}
            )
        accounts = env["tko.account"]
        for i in range(ACCOUNTS):
            partner = env["res.partner"].create(
                {"name": f"{tag} {i}", "is_tko_consumer": True, "tko_kind": "person"}
            )
            obj = env["tko.object"].create(
                {
                    "name": f"кв. {i}",
                    "kind": "apartment",
                    "address_id": house.id,
                    "partner_id": partner.id,
                    "company_id": company.id,
                }
            )
            env["tko.object.characteristic"].create(
                {
                    "object_id": obj.id,
                    "kind": "residents_permanent",
                    "value": 1 + i % 5,
                    "date_from": "2020-01-01",
                }
            )
            accounts |= env["tko.account"].create(
                {
                    "partner_id": partner.id,
                    "object_id": obj.id,
                    "date_open": "2020-01-01",
                    "company_id": company.id,
                }
            )
        return {
            "company": company.id,
            "zone": zone.id,
            "region": region.id,
            "town": town.id,
            "house": house.id,
            "period": period.id,
            "created_period": created_period,
            "accounts": accounts.ids,
            "partners": accounts.partner_id.ids,
            "objects": accounts.object_id.ids,
        }

    def _cleanup(self, region, run_ids):
        with self.committed() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for query in (
                SQL("DELETE FROM tko_charge WHERE account_id = ANY(%s)", region["accounts"]),
                SQL("DELETE FROM tko_charge WHERE run_id = ANY(%s)", run_ids),
                SQL(
                    "DELETE FROM queue_job WHERE model_name = 'tko.charge.run' "
                    "AND func_string LIKE ANY(%s)",
                    [f"tko.charge.run({rid},).%" for rid in run_ids],
                ),
                SQL(
                    "DELETE FROM mail_message WHERE model = 'tko.charge.run' AND res_id = ANY(%s)",
                    run_ids,
                ),
                SQL("DELETE FROM tko_charge_run WHERE id = ANY(%s)", run_ids),
            ):
                cr.execute(query)
            env["tko.account"].browse(region["accounts"]).unlink()
            env["tko.object"].browse(region["objects"]).unlink()
            env["res.partner"].browse(region["partners"]).unlink()
            if region["created_period"]:
                env["tko.billing.period"].browse(region["period"]).unlink()
            env["tko.norm"].search([("zone_id", "=", region["zone"])]).unlink()
            env["tko.tariff"].search([("zone_id", "=", region["zone"])]).unlink()
            for address in ("house", "town", "region"):
                env["tko.address"].browse(region[address]).unlink()
            env["tko.tariff.zone"].browse(region["zone"]).unlink()

    def _ledger(self, cr, region):
        """Rows, amount and VAT of each account of the region in the period."""
        cr.execute(
            SQL(
                """
                SELECT account_id, kind, count(*), sum(amount_total), sum(amount_vat),
                       sum(quantity)
                  FROM tko_charge
                 WHERE period_id = %s AND account_id = ANY(%s)
                 GROUP BY account_id, kind ORDER BY account_id, kind
                """,
                region["period"],
                region["accounts"],
            )
        )
        return cr.fetchall()

    def _charged(self, run_id, region):
        with self.committed() as cr:
            cr.execute(
                SQL(
                    "SELECT count(DISTINCT account_id) FROM tko_charge "
                    "WHERE run_id = %s AND account_id = ANY(%s)",
                    run_id,
                    region["accounts"],
                )
            )
            return cr.fetchone()[0]

    def _new_run(self, env, region):
        return env["tko.charge.run"].create(
            {"period_id": region["period"], "scope": "all", "address_id": region["town"]}
        )

    def _worker(self, uuids, log):
        """A process of its own that performs the jobs: same database and add-ons; the
        connection settings given on the command line pass as libpq's variables."""
        config = odoo.tools.config
        environ = dict(os.environ, **{TEST_CHUNK_ENV: f"{CHUNK}:{PAUSE}"})
        for key, var in (
            ("db_host", "PGHOST"),
            ("db_port", "PGPORT"),
            ("db_user", "PGUSER"),
            ("db_password", "PGPASSWORD"),
        ):
            if config.get(key):
                environ[var] = str(config[key])
        return subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                config.rcfile or "",
                config["addons_path"],
                self.env.cr.dbname,
                *uuids,
            ],
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )

    def _kill_mid_run(self, run_id, region, uuids, log):
        """Start the worker process, kill it with SIGKILL once its first chunk committed."""
        worker = self._worker(uuids, log)
        try:
            deadline = time.monotonic() + 180
            while not self._charged(run_id, region):
                if worker.poll() is not None:
                    log.seek(0)
                    self.fail(f"the worker ended before its first chunk: {log.read()}")
                self.assertLess(time.monotonic(), deadline, "the worker wrote no chunk in time")
                time.sleep(0.1)
            # the worker is alive in the middle of its job: not taken for dead
            with self.committed() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                watched = env["tko.charge.run"].browse(run_id)
                self.assertFalse(watched._tko_detect_dead(watched, grace=timedelta(0)))
                self.assertEqual(watched.state, "running")
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(30)
        finally:
            if worker.poll() is None:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(30)
        return worker

    def test_worker_killed_mid_run_is_detected_and_the_rerun_gives_the_same_ledger(self):
        with self.committed() as cr:
            region = self._setup_region(api.Environment(cr, SUPERUSER_ID, {}))
        run_ids = []
        try:
            self._crash_and_rerun(region, run_ids)
        finally:
            self._cleanup(region, run_ids)

    def _crash_and_rerun(self, region, run_ids):
        # the reference: an uninterrupted run of the same inputs, then its lines removed
        with self.committed() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            reference_run = self._new_run(env, region)
            run_ids.append(reference_run.id)
            reference_run.action_run_now()
            self.assertEqual(reference_run.state, "done")
            reference = self._ledger(cr, region)
            cr.execute(SQL("DELETE FROM tko_charge WHERE run_id = %s", reference_run.id))
        self.assertEqual(len({row[0] for row in reference}), ACCOUNTS)

        # the run under test: queued, its jobs performed by a worker process that is killed
        with self.committed() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            run = self._new_run(env, region)
            run_ids.append(run.id)
            run.action_start()
            uuids = run.job_uuids.split(",")
        with tempfile.TemporaryFile("w+") as log:
            worker = self._kill_mid_run(run.id, region, uuids, log)
        charged = self._charged(run.id, region)
        _logger.info("worker %s killed after %s of %s accounts", worker.pid, charged, ACCOUNTS)
        self.assertGreater(charged, 0)
        self.assertLess(charged, ACCOUNTS, "killed in the middle of the run")

        with self.committed() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            dead = env["tko.charge.run"].browse(run.id)
            self.assertEqual(dead.state, "running", "nothing else tells that the worker died")
        # what the cron does (the Refresh button too, after the grace period); the server
        # ends the killed worker's session (and frees its lock) as soon as it sees the socket
        # closed
        deadline = time.monotonic() + 30
        while True:
            with self.committed() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                found = env["tko.charge.run"]._tko_detect_dead(grace=timedelta(0))
            if run.id in found.ids or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        with self.committed() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            dead = env["tko.charge.run"].browse(run.id)
            self.assertEqual(dead.state, "failed")
            self.assertIn("stopped in the middle of the job", dead.note)
            jobs = dead._tko_watch_jobs()
            self.assertFalse(jobs.filtered(lambda j: j.state in ("pending", "started")))
            # the period is no longer blocked: the run is rerun
            dead.action_retry()
            self.assertEqual(dead.state, "queued")
            uuids = dead.job_uuids.split(",")
        perform_jobs(self.registry, uuids)

        with self.committed() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            rerun = env["tko.charge.run"].browse(run.id)
            self.assertEqual(rerun.state, "done")
            self.assertEqual(rerun.done_count, rerun.total_count)
            self.assertEqual(rerun.error_count, 0)
            self.assertEqual(
                self._ledger(cr, region), reference, "same rows and amounts as without the crash"
            )


class TestChargeRunWatch(BillingCase):
    """Detection, rerun and idempotent chunks on the test cursor (no worker process)."""

    def _queued_run(self, period):
        run = self.env["tko.charge.run"].create(
            {"period_id": period.id, "scope": "all", "address_id": self.town.id}
        )
        run.action_start()
        return run

    def _perform(self, run):
        self.registry.enter_test_mode(self.env.cr)
        try:
            for part in range(run.partitions):
                run._job_run_partition(part, run.partitions)
        finally:
            self.registry.leave_test_mode()
        run.invalidate_recordset()

    def test_a_chunk_executed_again_writes_the_same_lines_and_errors(self):
        period = self.period("2025-05-01")
        reference = self.charge_run(period, scope="all")
        expected = sorted(
            (c.account_id.id, c.contract_id.id, c.kind, c.amount_total) for c in self.lines(period)
        )
        self.assertTrue(reference.error_ids, "an account without a tariff zone is an error")
        run = self.env["tko.charge.run"].create({"period_id": period.id, "scope": "all"})
        run._check_start()
        run._prepare_start(1)
        run.state = "running"
        engine = self.env["tko.billing.engine"]
        ctx = engine._period_context(period)
        # a worker wrote every chunk, then died before the job was marked done: requeued, the
        # part runs again from the beginning
        for _attempt in range(2):
            for consumer in run._consumers():
                after, upper = engine._id_range(ctx, consumer, 0, 1)
                run._chunk(ctx, consumer, run._where(consumer), None, after, upper, 20000)
        run._finalize()
        self.assertEqual(
            sorted(
                (c.account_id.id, c.contract_id.id, c.kind, c.amount_total)
                for c in self.lines(period)
            ),
            expected,
        )
        self.assertEqual(
            sorted((e.account_id.id, e.contract_id.id, e.code) for e in run.error_ids),
            sorted((e.account_id.id, e.contract_id.id, e.code) for e in reference.error_ids),
            "no error twice",
        )

    def test_failed_and_deleted_jobs_fail_the_run_and_it_can_be_rerun(self):
        period = self.period("2025-05-01")
        run = self._queued_run(period)
        jobs = run._tko_watch_jobs()
        self.assertEqual(len(jobs), run.partitions)
        run.action_refresh()
        self.assertEqual(run.state, "queued", "pending jobs wait for the job runner")
        jobs[0].write({"state": "failed", "exc_message": "MemoryError"})
        run.action_refresh()
        self.assertEqual(run.state, "failed")
        self.assertIn("MemoryError", run.note)
        self.assertEqual(jobs[1:].mapped("state"), ["cancelled"] * (len(jobs) - 1))
        # a requeued part of the failed run does nothing
        self._perform(run)
        self.assertFalse(self.lines(period, self.town_accounts))
        run.action_retry()
        self.assertEqual(run.state, "queued")
        self._perform(run)
        self.assertEqual(run.state, "done")
        self.assertEqual(self.lines(period).account_id, self.town_accounts)
        # jobs deleted from the queue
        run2 = self._queued_run(period)
        run2._tko_watch_jobs().unlink()
        self.assertIn(run2, self.env["tko.charge.run"]._tko_detect_dead())
        self.assertIn("deleted", run2.note)

    def test_a_dead_worker_is_told_from_a_live_one_by_the_job_lock(self):
        period = self.period("2025-05-01")
        run = self._queued_run(period)
        job = run._tko_watch_jobs()[:1]
        # what queue_job does when a worker starts the job: state, lock row, then the lock
        job.write({"state": "started", "date_started": "2025-05-01 00:00:00"})
        Job.load(self.env, job.uuid).add_lock_record()
        self.assertEqual(run._tko_detect_dead(run), run, "nobody holds the lock: dead")
        self.assertEqual(run.state, "failed")
        self.assertIn("stopped in the middle of the job", run.note)

    def test_refresh_and_rerun_check_the_rights(self):
        period = self.period("2025-05-01")
        run = self._queued_run(period)
        portal = new_test_user(self.env, "crash_portal", groups="base.group_portal")
        reader = new_test_user(
            self.env, "crash_reader", groups="mobill_tko_base.group_tko_readonly"
        )
        with self.assertRaises(AccessError):
            run.with_user(portal).action_refresh()
        run.with_user(reader).action_refresh()
        run._tko_watch_fail("test")
        with self.assertRaises(AccessError):
            run.with_user(reader).action_retry()
        other = self.env["res.company"].create({"name": "Другая компания"})
        stranger = new_test_user(
            self.env,
            "crash_stranger",
            groups="mobill_tko_base.group_tko_accountant",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        with self.assertRaises(AccessError):
            run.with_user(stranger).action_refresh()
        with self.assertRaises(AccessError):
            run.with_user(stranger).action_retry()
