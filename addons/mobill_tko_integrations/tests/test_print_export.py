import json
import os
from decimal import Decimal

from odoo.addons.mobill_tko_billing.tests.common import BillingCase
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from mobill_tko_core.formats.print_centre import read_data_file
from mobill_tko_core.receipts import flat

from .sftp_server import LocalSftpServer


@tagged("post_install", "-at_install")
class TestPrintExport(BillingCase):
    """May 2025's receipts of the town's three flats (zone TZ-BILL) and the village's one
    (TZ-BILL2) exported to print centres: the data file read back equals the receipts, the
    manifest's totals equal their sum, the same export twice gives the same bytes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payee_requisites()
        cls.april = cls.period("2025-04-01")
        cls.run_town(cls.april)
        cls.charge_run(cls.april, scope="all", address_id=cls.village.id)
        cls.may = cls.period("2025-05-01")  # posts and closes April
        cls.run_town(cls.may)
        cls.charge_run(cls.may, scope="all", address_id=cls.village.id)
        cls.may.action_post()
        run = cls.env["tko.receipt.run"].create({"period_id": cls.may.id})
        run.action_run_now()
        cls.receipts = cls.env["tko.receipt"].search(
            [("period_id", "=", cls.may.id), ("state", "=", "issued")]
        )
        cls.server = LocalSftpServer(user="print", password="p4ss").start()
        cls.addClassCleanup(cls.server.stop)
        cls.download = cls.env["tko.print.centre"].create(
            {
                "name": "Типография «Город»",
                "code": "TOWN",
                "delivery": "download",
                "zone_ids": [(6, 0, cls.zone.ids)],
            }
        )
        cls.sftp = cls.env["tko.print.centre"].create(
            {
                "name": "Типография «Калуга»",
                "code": "KLG1",
                "delivery": "sftp",
                "zone_ids": [(6, 0, (cls.zone | cls.zone_other).ids)],
                "file_format": "xml",
                "encoding": "utf-8",
                "host": "127.0.0.1",
                "port": cls.server.port,
                "username": "print",
                "password": "p4ss",
                "host_key_fingerprint": cls.server.fingerprint,
                "remote_folder": "/receipts",
                "timeout": 5,
            }
        )
        cls.clerk = new_test_user(
            cls.env,
            "prx_clerk",
            groups="mobill_tko_base.group_tko_accountant",
            company_id=cls.company.id,
        )

    def export(self, centre, user=None):
        Export = self.env["tko.print.export"].with_user(user or self.clerk)
        export = Export.create({"centre_id": centre.id, "period_id": self.may.id})
        export.action_run_now()
        return export.with_user(self.env.user)

    def receipts_of(self, zones):
        return self.receipts.filtered(lambda r: r.zone_id in zones)

    def check_file(self, export, receipts):
        profile = export.centre_id._print_profile()
        data = export.data_attachment_id.raw
        result = read_data_file(data, profile)
        self.assertFalse(result.errors)
        # route order, the accounts and amounts of the receipts
        expected = receipts.sorted(lambda r: (r.route or "", r.id))
        self.assertEqual(
            [(row["account"], Decimal(row["total_to_pay"])) for row in result.records],
            [(r.account_id.name, self.dec(r.total_to_pay)) for r in expected],
        )
        total = sum((self.dec(r.total_to_pay) for r in receipts), Decimal(0))
        manifest = json.loads(export.manifest_attachment_id.raw)
        self.assertEqual(manifest["totals"]["receipts"], len(receipts))
        self.assertEqual(Decimal(manifest["totals"]["total"]), total)
        # Windows-1251 has no «³»: the unit is written «м3» there, as it is elsewhere
        first = flat(expected[0]._receipt())["unit"]
        self.assertIn("\u00b3", first)
        unit = first if profile.encoding == "utf-8" else first.replace("\u00b3", "3")
        self.assertEqual(result.records[0]["unit"], unit)
        self.assertEqual(manifest["files"][0]["name"], export.data_attachment_id.name)
        self.assertEqual(manifest["files"][0]["size"], len(data))
        self.assertEqual(
            (export.state, export.receipt_count, self.dec(export.total_to_pay)),
            ("done", len(receipts), total),
        )
        self.assertEqual(self.dec(export.manifest_total), total)
        self.assertTrue(export.totals_agree)
        return data

    def test_download_centre_gets_the_towns_receipts(self):
        town = self.receipts_of(self.zone)
        self.assertEqual(len(town), 3)
        self.assertGreater(len(self.receipts), 3)  # the village has its own
        export = self.export(self.download)
        self.check_file(export, town)
        self.assertEqual(export.data_attachment_id.name, "TOWN_2025-05_001.csv")
        self.assertEqual(export.manifest_attachment_id.name, "TOWN_2025-05_000.manifest.json")
        self.assertFalse(export.delivered_to)
        self.assertTrue(export.data_file)
        self.assertIn("TOWN_2025-05_001.csv", export.message_ids[0].body)

    def test_sftp_centre_gets_the_files_in_the_period_folder(self):
        zones = self.zone | self.zone_other
        export = self.export(self.sftp)
        data = self.check_file(export, self.receipts_of(zones))
        folder = self.server.path("receipts/2025-05")
        names = sorted(os.listdir(folder))
        self.assertEqual(names, ["KLG1_2025-05_000.manifest.json", "KLG1_2025-05_001.xml"])
        with open(os.path.join(folder, "KLG1_2025-05_001.xml"), "rb") as handle:
            self.assertEqual(handle.read(), data)
        self.assertIn("/receipts/2025-05/KLG1_2025-05_001.xml", export.delivered_to)
        self.assertIn("/receipts/2025-05/", export.message_ids[0].body)

    def test_the_same_period_twice_gives_the_same_bytes(self):
        first = self.export(self.sftp)
        folder = self.server.path("receipts/2025-05")
        with open(os.path.join(folder, "KLG1_2025-05_000.manifest.json"), "rb") as handle:
            manifest = handle.read()
        second = self.export(self.sftp)
        self.assertEqual(first.data_attachment_id.raw, second.data_attachment_id.raw)
        self.assertEqual(first.manifest_attachment_id.raw, second.manifest_attachment_id.raw)
        self.assertEqual(second.manifest_attachment_id.raw, manifest)
        self.assertEqual(len(os.listdir(folder)), 2)  # replaced, nothing half written

    def test_skip_hook_leaves_receipts_out(self):
        town = self.receipts_of(self.zone)
        left_out = town[:1]
        Export = type(self.env["tko.print.export"])
        original = Export._tko_print_skip

        def skip(export, receipt_ids):
            return set(left_out.ids) & set(receipt_ids)

        Export._tko_print_skip = skip
        try:
            export = self.export(self.download)
        finally:
            Export._tko_print_skip = original
        self.assertEqual(export.skipped_count, 1)
        self.check_file(export, town - left_out)

    def test_the_background_job(self):
        export = (
            self.env["tko.print.export"]
            .with_user(self.clerk)
            .create({"centre_id": self.download.id, "period_id": self.may.id, "chunk_size": 2})
        )
        export.action_start()
        self.assertEqual((export.state, export.total_count), ("queued", 3))
        self.assertEqual(len(self.env["queue.job"].search([("uuid", "=", export.job_uuid)])), 1)
        self.registry.enter_test_mode(self.env.cr)
        try:
            export.with_user(self.env.user)._job_run()
        finally:
            self.registry.leave_test_mode()
        export.invalidate_recordset()
        self.assertEqual(export.done_count, 3)
        self.check_file(export.with_user(self.env.user), self.receipts_of(self.zone))

    def test_no_receipts_no_export(self):
        zone = self.env["tko.tariff.zone"].create({"name": "Пустая зона", "code": "TZ-NONE"})
        empty = self.env["tko.print.centre"].create(
            {"name": "Пустая", "code": "NONE", "zone_ids": [(6, 0, zone.ids)]}
        )
        with self.assertRaises(UserError):
            self.export(empty)

    def test_the_engine_fields_are_not_a_clients(self):
        export = (
            self.env["tko.print.export"]
            .with_user(self.clerk)
            .create({"centre_id": self.download.id, "period_id": self.may.id})
        )
        with self.assertRaises(AccessError):
            export.write({"state": "done"})
        with self.assertRaises(AccessError):
            export.write({"receipt_count": 99})

    def test_refused_to_a_portal_user_and_another_company(self):
        export = self.export(self.download)
        portal = new_test_user(self.env, "prx_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            export.with_user(portal).read(["receipt_count"])
        with self.assertRaises(AccessError):
            self.env["tko.print.export"].with_user(portal).create(
                {"centre_id": self.download.id, "period_id": self.may.id}
            )
        with self.assertRaises(AccessError):
            export.with_user(portal).action_run_now()
        other = self.env["res.company"].create({"name": "Другой регоператор"})
        stranger = new_test_user(
            self.env,
            "prx_other",
            groups="mobill_tko_base.group_tko_admin",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(self.env["tko.print.export"].with_user(stranger).search([]))
        with self.assertRaises(AccessError):
            export.with_user(stranger).read(["receipt_count"])
        with self.assertRaises(AccessError):
            export.with_user(stranger).action_run_now()
        reader = new_test_user(self.env, "prx_reader", groups="mobill_tko_base.group_tko_readonly")
        draft = self.env["tko.print.export"].create(
            {"centre_id": self.download.id, "period_id": self.may.id}
        )
        with self.assertRaises(AccessError):
            draft.with_user(reader).action_run_now()
