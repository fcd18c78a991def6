import io
import os
from datetime import date, time
from decimal import Decimal
from unittest.mock import patch

import paramiko
from odoo.addons.mobill_tko_billing.tests.common import BillingCase
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from mobill_tko_core.formats import registry
from mobill_tko_core.formats.registry import RegistryPayment

from .sftp_server import LocalSftpServer, free_port


@tagged("post_install", "-at_install")
class TestPaymentSftp(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = LocalSftpServer(user="bank", password="s3cret").start()
        cls.addClassCleanup(cls.server.stop)
        cls.source = cls.env["tko.payment.sftp.source"].create(
            {
                "name": "Sber SFTP",
                "host": "127.0.0.1",
                "port": cls.server.port,
                "username": "bank",
                "password": "s3cret",
                "host_key_fingerprint": cls.server.fingerprint,
                "remote_folder": "/in",
                "file_mask": "*.txt",
                "file_format": "registry",
                "profile_id": cls.env.ref("mobill_tko_integrations.registry_profile_sberbank").id,
                "timeout": 5,
            }
        )

    def setUp(self):
        super().setUp()
        for folder in ("in", "in/processed", "in/rejected"):
            for name in self.server.listdir(folder):
                path = self.server.path(f"{folder}/{name}")
                if os.path.isfile(path):
                    os.remove(path)

    def _registry(self, lines, order="700"):
        payments = [
            RegistryPayment(
                account=acc,
                amount=Decimal(amount),
                payer="Иванов И.И.",
                period=date(2025, 5, 1),
                paid_date=date(2025, 5, 10),
                paid_time=time(10, 0, 0),
                operation_id=op,
                commission=Decimal("0.00"),
                transfer_amount=Decimal(amount),
                branch="8611",
                cashier="1",
            )
            for acc, amount, op in lines
        ]
        return registry.write_registry(payments, order_number=order, order_date=date(2025, 5, 11))

    def _payments(self):
        return self.env["tko.payment"].search([("import_id.sftp_source_id", "=", self.source.id)])

    def test_good_registry_is_booked_and_moved(self):
        data = self._registry([(self.acc1.name, "300.00", "s1"), (self.acc2.name, "120.40", "s2")])
        self.server.put("in/reg_0511.txt", data)
        self.server.put("in/readme.pdf", b"not for us")  # outside the mask: left alone
        counts = self.source._fetch()
        self.assertEqual(counts["found"], 1)
        self.assertEqual(counts["done"], 1)
        imp = self.source.import_ids
        self.assertEqual(len(imp), 1)
        self.assertEqual(imp.state, "done")
        self.assertEqual(imp.source, "sftp")
        self.assertTrue(imp.source_ref.endswith("/in/reg_0511.txt"), imp.source_ref)
        self.assertEqual(imp.booked_count, 2)
        pay1 = imp.payment_ids.filtered(lambda p: p.account_id == self.acc1)
        self.assertEqual(pay1.amount, 300.0)
        self.assertEqual(pay1.state, "posted")
        self.assertEqual(self.server.listdir("in"), ["processed", "readme.pdf", "rejected"])
        self.assertEqual(self.server.listdir("in/processed"), ["reg_0511.txt"])
        self.assertTrue(self.source.last_ok)
        self.assertEqual(self.source.import_count, 1)
        log = self.source.message_ids[:1]
        self.assertIn("1 imported", log.body)
        self.assertIn("reg_0511.txt", log.body)

    def test_malformed_file_is_rejected_and_books_nothing(self):
        good = self._registry([(self.acc1.name, "300.00", "m1")])
        lines = good.decode("cp1251").splitlines()
        lines.insert(1, lines[0].replace("300.00", "3OO,x").replace("m1", "m2"))
        bad = "\r\n".join(lines).encode("cp1251")
        self.server.put("in/bad.txt", bad)
        counts = self.source._fetch()
        self.assertEqual(counts["rejected"], 1)
        imp = self.source.import_ids
        self.assertEqual(imp.state, "rejected")
        self.assertFalse(imp.payment_ids)
        self.assertFalse(self._payments())
        self.assertTrue(imp.error_count)
        self.assertIn(2, imp.error_ids.mapped("line"))
        self.assertEqual(self.server.listdir("in/rejected"), ["bad.txt"])
        self.assertEqual(self.server.listdir("in/processed"), [])

    def test_the_same_file_again_is_not_booked_twice(self):
        data = self._registry([(self.acc3.name, "55.00", "d1")])
        self.server.put("in/day1.txt", data)
        self.source._fetch()
        self.assertEqual(len(self._payments()), 1)
        # the bank puts the same file again, under another name
        self.server.put("in/day1_again.txt", data)
        counts = self.source._fetch()
        self.assertEqual(counts["known"], 1)
        self.assertEqual(counts["done"], 0)
        self.assertEqual(len(self._payments()), 1)
        self.assertEqual(len(self.source.import_ids), 1)
        self.assertEqual(self.server.listdir("in/processed"), ["day1.txt", "day1_again.txt"])
        self.assertIn("imported before", self.source.message_ids[:1].body)
        # and once more under the same name: moved aside, not over the first copy
        self.server.put("in/day1.txt", data)
        self.source._fetch()
        self.assertEqual(len(self.server.listdir("in/processed")), 3)
        self.assertEqual(len(self._payments()), 1)

    def test_wrong_host_key_is_refused(self):
        self.server.put("in/reg.txt", self._registry([(self.acc1.name, "10.00", "k1")]))
        other = LocalSftpServer().host_key  # a key of another machine
        self.source.host_key_fingerprint = LocalSftpServer(host_key=other).fingerprint
        with self.assertRaisesRegex(UserError, "Connection refused") as info:
            self.source._fetch()
        self.assertIn(self.server.fingerprint, str(info.exception))
        self.assertEqual(self.server.listdir("in"), ["processed", "reg.txt", "rejected"])
        self.assertFalse(self.source.import_ids)
        self.assertFalse(self.source.last_ok)
        # no fingerprint at all: refused too, with the one to confirm
        self.source.host_key_fingerprint = False
        with self.assertRaisesRegex(UserError, "No server key fingerprint"):
            self.source.action_test_connection()
        # the MD5 form of the right key is accepted
        md5 = ":".join(f"{b:02x}" for b in self.server.host_key.get_fingerprint())
        self.source.host_key_fingerprint = f"ecdsa-sha2-nistp256 MD5:{md5}"
        action = self.source.action_test_connection()
        self.assertIn("1 file(s)", action["params"]["message"])

    def test_server_down_and_wrong_password(self):
        self.source.port = free_port()
        with self.assertRaisesRegex(UserError, "Cannot connect to the SFTP server"):
            self.source._fetch()
        self.assertIn("Cannot connect", self.source.last_result)
        self.source.port = self.server.port
        self.source.password = "wrong"
        with self.assertRaisesRegex(UserError, "refused the user bank"):
            self.source.action_test_connection()

    def test_private_key_is_checked(self):
        self.source.auth_method = "key"
        self.source.private_key = "not a key"
        with self.assertRaisesRegex(UserError, "cannot be read"):
            self.source._pkey()
        key = paramiko.ECDSAKey.generate()
        text = io.StringIO()
        key.write_private_key(text)
        self.source.private_key = text.getvalue()
        self.assertEqual(self.source._pkey().asbytes(), key.asbytes())

    def test_cron_picks_only_due_sources(self):
        later = self.source.copy({"name": "Later", "next_run": "2999-01-01 00:00:00"})
        self.source.next_run = "2000-01-01 00:00:00"
        fetched = []

        def fake_fetch(rec, commit=False):
            fetched.append((rec.name, commit))
            return {}

        Source = type(self.source)
        with (
            patch.object(Source, "_fetch", fake_fetch),
            patch.object(self.env.cr, "commit", lambda: None),
        ):
            self.source._cron_fetch()
        self.assertEqual(fetched, [("Sber SFTP", True)])
        self.assertGreater(self.source.next_run.year, 2020)
        self.assertEqual(later.next_run.year, 2999)

    def test_accountant_fetches_and_large_files_go_to_the_background(self):
        user = self.env["res.users"].create(
            {
                "name": "Бухгалтер",
                "login": "sftp_accountant",
                "groups_id": [(6, 0, [self.env.ref("mobill_tko_base.group_tko_accountant").id])],
            }
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "mobill_tko_integrations.background_import_bytes", 10
        )
        self.server.put("in/big.txt", self._registry([(self.acc1.name, "77.00", "g1")]))
        source = self.source.with_user(user)
        with self.assertRaises(AccessError):  # secrets are for administrators only
            source.read(["password"])
        with trap_jobs() as trap:
            source.action_fetch_now()  # a background job, like the schedule
            self.assertFalse(self.source.import_ids)
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()  # the fetch; it queues the large file's import
        imp = self.source.import_ids
        self.assertEqual(imp.state, "queued")
        self.assertEqual(self.server.listdir("in/processed"), ["big.txt"])
        self.assertIn("background", self.source.last_result)
        imp._job_import()
        self.assertEqual((imp.state, imp.booked_count), ("done", 1))

    def test_show_server_key(self):
        self.source.host_key_fingerprint = False
        action = self.source.action_show_server_key()
        self.assertIn(self.server.fingerprint, action["params"]["message"])

    def test_file_over_the_size_limit_is_refused_without_downloading(self):
        self.source.max_file_size = 1
        big = self._registry([(self.acc1.name, "10.00", "big1")]) + b"\r\n" * (1024 * 1024)
        self.server.put("in/huge.txt", big)
        with patch.object(
            paramiko.SFTPClient, "open", side_effect=AssertionError("the file was downloaded")
        ):
            counts = self.source._fetch()
        self.assertEqual(counts["rejected"], 1)
        self.assertFalse(self.source.import_ids)
        self.assertFalse(self._payments())
        self.assertEqual(self.server.listdir("in/rejected"), ["huge.txt"])
        self.assertIn("larger than 1 MB", self.source.message_ids[:1].body)
        # within the limit the same folder imports as before
        self.server.put("in/small.txt", self._registry([(self.acc1.name, "10.00", "small1")]))
        self.assertEqual(self.source._fetch()["done"], 1)
