"""A background import whose worker died is rejected with the reason, books nothing, and is
imported once after a reset; its state and results are written by the import only."""

import base64

from odoo.addons.queue_job.job import Job
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_payment_import import PaymentImportCase


@tagged("post_install", "-at_install")
class TestImportWatch(PaymentImportCase):
    def _queued(self):
        data = self._registry([(self.acc1.name, "300.00", "w1"), (self.acc2.name, "50.00", "w2")])
        rec = self.Import.create(
            {
                "name": "watch",
                "file": base64.b64encode(data),
                "file_format": "registry",
                "profile_id": self.sber.id,
            }
        )
        rec._tko_process(background=True)
        self.assertEqual(rec.state, "queued")
        self.assertTrue(rec.job_uuid)
        return rec

    def test_dead_worker_rejects_the_import_and_a_reset_imports_it_once(self):
        rec = self._queued()
        job = rec._tko_watch_jobs()
        self.assertEqual(len(job), 1)
        # a live job (just queued) is left alone
        self.assertFalse(self.Import._tko_detect_dead(rec))
        self.assertEqual(rec.state, "queued")
        # what queue_job does when a worker starts the job; the worker then dies (no lock held)
        job.write({"state": "started", "date_started": "2024-01-01 00:00:00"})
        Job.load(self.env, job.uuid).add_lock_record()
        self.assertEqual(self.Import._tko_detect_dead(), rec)
        self.assertEqual(rec.state, "rejected")
        self.assertFalse(rec.payment_ids)
        self.assertIn("stopped in the middle of the job", rec.message_ids[:1].body)
        rec.action_reset()
        rec.action_import()
        self.assertEqual(rec.state, "done")
        self.assertEqual(rec.booked_count, 2)
        self.assertEqual(len(rec.payment_ids), 2)

    def test_deleted_job_rejects_the_import(self):
        rec = self._queued()
        rec._tko_watch_jobs().unlink()
        rec.action_check_jobs()
        self.assertEqual(rec.state, "rejected")

    def test_strangers_and_clients_are_refused(self):
        rec = self._queued()
        portal = new_test_user(self.env, "watch_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            rec.with_user(portal).action_check_jobs()
        other = self.env["res.company"].create({"name": "Другой оператор"})
        stranger = new_test_user(
            self.env,
            "watch_stranger",
            groups="mobill_tko_base.group_tko_accountant",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        with self.assertRaises(AccessError):
            rec.with_user(stranger).action_check_jobs()
        accountant = new_test_user(
            self.env, "watch_accountant", groups="mobill_tko_base.group_tko_accountant"
        )
        # a client that marks a file imported would make the real file a duplicate
        for vals in ({"state": "done"}, {"fingerprint": "x"}, {"booked_count": 5}):
            with self.assertRaises(AccessError):
                rec.with_user(accountant).write(vals)
        with self.assertRaises(AccessError):
            self.Import.with_user(accountant).create(
                {"name": "x", "file": base64.b64encode(b"x"), "state": "done"}
            )
