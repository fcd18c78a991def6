"""A mass penalty run whose job worker died: detected, failed, started again, same result."""

from decimal import Decimal

from odoo.addons.queue_job.job import Job
from odoo.exceptions import AccessError

from .common import ClaimsCase
from .test_penalties import CALC


class TestPenaltyRunWatch(ClaimsCase):
    def _run(self):
        run = self.env["tko.penalty.run"].create(
            {"calc_date": CALC, "chunk_size": 2, "company_id": self.company.id}
        )
        run.action_start()
        return run

    def _charges(self):
        records = [*self.accounts.items(), ("contract", self.contract)]
        out = {}
        for key, record in records:
            field = "account_id" if record._name == "tko.account" else "contract_id"
            lines = self.env["tko.charge"].search(
                [(field, "=", record.id), ("kind", "=", "penalty")]
            )
            out[key] = Decimal(str(round(sum(lines.mapped("amount_total")), 2)))
        return out

    def test_dead_worker_fails_the_run_and_the_restart_books_each_penalty_once(self):
        run = self._run()
        jobs = run._tko_watch_jobs()
        chunks = jobs.filtered(lambda j: j.method_name == "_run_chunk").sorted("id")
        self.assertEqual(len(chunks), 3)
        run.action_check_jobs()
        self.assertEqual(run.state, "queued", "jobs waiting for the job runner are not dead")
        # the first chunk committed; the worker of the second died in the middle of it
        Job.load(self.env, chunks[0].uuid).perform()
        chunks[0].write({"state": "done"})
        chunks[1].write({"state": "started", "date_started": "2024-01-01 00:00:00"})
        Job.load(self.env, chunks[1].uuid).add_lock_record()
        run.action_check_jobs()
        self.assertEqual(run.state, "failed")
        self.assertIn("stopped in the middle of the job", run.log)
        self.assertEqual(
            set((jobs - chunks[0]).mapped("state")), {"cancelled"}, "nothing more of it runs"
        )
        # started again: every penalty is calculated and booked once
        run.with_context(queue_job__no_delay=True).action_start()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.account_count, 5)
        expected = {
            key: Decimal(str(self.expected_total(key, CALC))).quantize(Decimal("0.01"))
            for key in [*self.accounts, "contract"]
        }
        self.assertEqual(self._charges(), expected)

    def test_a_failed_job_fails_the_run_and_the_check_needs_read_rights(self):
        run = self._run()
        portal = self.make_user("watch_portal", ["base.group_portal"])
        with self.assertRaises(AccessError):
            run.with_user(portal).action_check_jobs()
        run._tko_watch_jobs()[:1].write({"state": "failed", "exc_message": "MemoryError"})
        self.assertIn(run, self.env["tko.penalty.run"]._tko_detect_dead())
        self.assertEqual(run.state, "failed")
        self.assertIn("MemoryError", run.log)
