import os

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from .sftp_server import LocalSftpServer


@tagged("post_install", "-at_install")
class TestPrintCentre(TransactionCase):
    """A print centre: its data file's layout is the core's profile, checked when saved; its
    files reach its SFTP folder whole, and the same files again replace them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.server = LocalSftpServer(user="print", password="p4ss").start()
        cls.addClassCleanup(cls.server.stop)
        cls.centre = cls.env["tko.print.centre"].create(
            {
                "name": "Типография «Калуга»",
                "code": "KLG1",
                "delivery": "sftp",
                "host": "127.0.0.1",
                "port": cls.server.port,
                "username": "print",
                "password": "p4ss",
                "host_key_fingerprint": cls.server.fingerprint,
                "remote_folder": "/receipts",
                "timeout": 5,
            }
        )

    def test_the_profile_is_the_cores(self):
        profile = self.centre._print_profile()
        self.assertEqual(
            (profile.name, profile.encoding, profile.separator), ("KLG1", "cp1251", ";")
        )
        self.assertEqual(profile.decimal_mark, ",")
        self.centre.columns = '[["ЛС", "account"], ["К оплате", "total_to_pay"]]'
        self.assertEqual(
            self.centre._print_profile().columns, (("ЛС", "account"), ("К оплате", "total_to_pay"))
        )

    def test_a_wrong_layout_is_refused_in_russian(self):
        centre = self.centre.with_context(lang="ru_RU")
        with self.assertRaises(ValidationError) as caught:
            centre.columns = '[["ЛС", "account"], ["Сумма", "amount_due"]]'
        self.assertIn("amount_due", str(caught.exception))
        self.assertRegex(str(caught.exception), "[а-яА-Я]{4}")
        self.assertNotIn("is not a field", str(caught.exception))
        with self.assertRaises(ValidationError):
            centre.columns = "ЛС; адрес"
        with self.assertRaises(ValidationError):
            centre.pack_size = 0
        with self.assertRaises(ValidationError):
            centre.write({"delivery": "sftp", "host": False})

    def test_files_are_delivered_whole_and_replaced_the_same(self):
        files = [("KLG1_11.2025_001.csv", b"a;b\r\n"), ("KLG1_11.2025.manifest.json", b"{}")]
        paths = self.centre._deliver("2025-11", files)
        self.assertEqual(paths, [f"/receipts/2025-11/{name}" for name, _data in files])
        folder = self.server.path("receipts/2025-11")
        self.assertEqual(sorted(os.listdir(folder)), sorted(name for name, _data in files))
        # the same period again: the same names, the new bytes, nothing half written left
        self.centre._deliver("2025-11", [("KLG1_11.2025_001.csv", b"a;c\r\n")])
        self.assertEqual(sorted(os.listdir(folder)), sorted(name for name, _data in files))
        with open(os.path.join(folder, "KLG1_11.2025_001.csv"), "rb") as handle:
            self.assertEqual(handle.read(), b"a;c\r\n")

    def test_a_wrong_server_key_delivers_nothing(self):
        other = LocalSftpServer(user="print", password="p4ss").start()
        self.addCleanup(other.stop)
        self.centre.port = other.port  # the pinned key is the first server's
        with self.assertRaises(UserError):
            self.centre._deliver("2025-12", [("x.csv", b"1")])
        self.assertFalse(os.path.exists(other.path("receipts/2025-12")))

    def test_connection_test_and_download_centres(self):
        result = self.centre.action_test_connection()
        self.assertEqual(result["params"]["type"], "success")
        self.assertNotIn(".mobill-test", self.server.listdir("receipts"))
        self.centre.delivery = "download"
        with self.assertRaises(UserError):
            self.centre._deliver("2025-11", [("x.csv", b"1")])

    def test_refusals(self):
        portal = new_test_user(self.env, "rcp_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.centre.with_user(portal).read(["name"])
        with self.assertRaises(AccessError):
            self.centre.with_user(portal).action_test_connection()
        other = self.env["res.company"].create({"name": "Другой регоператор"})
        stranger = new_test_user(
            self.env,
            "rcp_other",
            groups="mobill_tko_base.group_tko_admin",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(self.env["tko.print.centre"].with_user(stranger).search([]))
        with self.assertRaises(AccessError):
            self.centre.with_user(stranger).read(["name"])
        clerk = new_test_user(self.env, "rcp_clerk", groups="mobill_tko_base.group_tko_accountant")
        with self.assertRaises(AccessError):
            self.centre.with_user(clerk).write({"host": "evil.example"})
        self.assertEqual(self.centre.with_user(clerk).read(["code"])[0]["code"], "KLG1")
        with self.assertRaises(AccessError):  # the sign-in stays the administrators'
            self.centre.with_user(clerk).read(["password"])
