import base64

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_payment_import import PaymentImportCase


class SecurityCase(PaymentImportCase):
    """A read-only manager, an accountant and a portal user of our company; a second company
    with its own accountant and administrator (the same MoBill groups)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Users = cls.env["res.users"].with_context(no_reset_password=True)
        ref = cls.env.ref
        cls.manager = Users.create(
            {
                "name": "Manager",
                "login": "sec_manager",
                "groups_id": [Command.set(ref("mobill_tko_base.group_tko_readonly").ids)],
            }
        )
        cls.accountant = Users.create(
            {
                "name": "Accountant",
                "login": "sec_accountant",
                "groups_id": [Command.set(ref("mobill_tko_base.group_tko_accountant").ids)],
            }
        )
        cls.portal = Users.create(
            {
                "name": "Portal",
                "login": "sec_portal",
                "groups_id": [Command.set(ref("base.group_portal").ids)],
            }
        )
        cls.company2 = cls.env["res.company"].create({"name": "Другой регоператор"})
        cls.other_accountant = Users.create(
            {
                "name": "Other accountant",
                "login": "sec_other_accountant",
                "company_id": cls.company2.id,
                "company_ids": [Command.set(cls.company2.ids)],
                "groups_id": [Command.set(ref("mobill_tko_base.group_tko_accountant").ids)],
            }
        )
        cls.other_admin = Users.create(
            {
                "name": "Other admin",
                "login": "sec_other_admin",
                "company_id": cls.company2.id,
                "company_ids": [Command.set(cls.company2.ids)],
                "groups_id": [Command.set(ref("mobill_tko_base.group_tko_admin").ids)],
            }
        )

    def _unallocated(self):
        data = self._registry([("0000000", "15.00", "u1")], order="556")
        imp = self._import(data)
        self.assertEqual(imp.unallocated_count, 1, imp.error_ids.mapped("message"))
        return imp, imp.payment_ids


def registry_mail(data, sender="bank@sberbank.example", message_id="registry-mail"):
    payload = base64.b64encode(data).decode()
    return (
        f"From: {sender}\r\n"
        "To: payment-registries@example.com\r\n"
        "Subject: Реестр платежей\r\n"
        f"Message-ID: <{message_id}@sberbank.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nРеестр\r\n"
        "--XX\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="reestr.txt"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + payload + "\r\n--XX--\r\n"
    )


@tagged("post_install", "-at_install")
class TestPaymentMailbox(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sber.mail_senders = "registry@sberbank.example, @sber.example"
        cls.mailbox_user = cls.env.ref("mobill_tko_integrations.user_payment_mailbox")

    def _deliver(self, sender, ops=("m1",), user=None, custom_values=None, message_id=None):
        data = self._registry([(self.acc2.name, "42.00", op) for op in ops])
        raw = registry_mail(data, sender, message_id or f"mail-{ops[0]}")
        thread = self.env["mail.thread"]
        if user:
            thread = thread.with_user(user)
        thread.message_process("tko.payment.import", raw, custom_values=custom_values)
        return self.Import.search([("source", "=", "mail")], order="id desc", limit=1)

    def test_allowed_address_and_domain_are_imported_by_the_technical_user(self):
        imp = self._deliver("Сбер <registry@sberbank.example>", ("a1",))
        self.assertEqual(imp.state, "done", imp.error_ids.mapped("message"))
        self.assertEqual(imp.payment_ids.account_id, self.acc2)
        self.assertEqual(imp.profile_id, self.sber)
        self.assertEqual(imp.create_uid, self.mailbox_user)
        self.assertEqual(imp.payment_ids.create_uid, self.mailbox_user)
        imp = self._deliver("robot@sber.example", ("a2",))
        self.assertEqual(imp.state, "done", imp.error_ids.mapped("message"))

    def test_technical_user_cannot_sign_in_and_books_only(self):
        user = self.mailbox_user
        self.assertFalse(user.active)
        self.assertEqual(user.company_ids, self.env.ref("base.main_company"))
        self.assertTrue(user.has_group("mobill_tko_base.group_tko_accountant"))
        self.assertFalse(user.has_group("mobill_tko_base.group_tko_admin"))
        self.assertFalse(user.has_group("base.group_system"))

    def test_unknown_sender_is_refused_and_logged(self):
        with self.assertLogs(
            "odoo.addons.mobill_tko_integrations.models.tko_payment_import", "WARNING"
        ) as logs:
            imp = self._deliver("registry@sberbank.example.evil.ru", ("r1",))
        self.assertIn("refused", logs.output[0])
        self.assertEqual(imp.state, "rejected")
        self.assertEqual(imp.error_ids.code, "mail_sender_refused")
        self.assertFalse(imp.payment_ids)
        self.assertFalse(self.env["tko.payment"].search([("import_id.source", "=", "mail")]))

    def test_empty_sender_list_refuses_everything(self):
        self.sber.mail_senders = False
        imp = self._deliver("registry@sberbank.example", ("e1",))
        self.assertEqual(imp.state, "rejected")
        self.assertEqual(imp.error_ids.code, "mail_sender_refused")
        self.assertFalse(imp.payment_ids)

    def test_callers_custom_values_are_ignored(self):
        imp = self._deliver(
            "registry@sberbank.example",
            ("c1",),
            custom_values={"company_id": self.company2.id, "channel": "post", "state": "done"},
        )
        self.assertEqual(imp.company_id, self.env.ref("base.main_company"))
        self.assertEqual(imp.channel, "bank")
        self.assertEqual(imp.state, "done")
        self.assertEqual(imp.payment_ids.company_id, self.env.ref("base.main_company"))

    def test_manager_and_portal_cannot_hand_mail_to_the_mailbox(self):
        for user in (self.manager, self.portal, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._deliver("registry@sberbank.example", (f"x-{user.id}",), user=user)
        self.assertFalse(self.Import.search([("source", "=", "mail")]))
        self.assertFalse(self.env["tko.payment"].search([("import_id.source", "=", "mail")]))

    def test_message_new_over_rpc_is_refused(self):
        for user in (self.manager, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Import.with_user(user).message_new(
                    {"email_from": "registry@sberbank.example", "attachments": []},
                    {"company_id": self.company2.id},
                )


@tagged("post_install", "-at_install")
class TestPublicMethods(SecurityCase):
    """Buttons callable over RPC by anyone signed in check the caller's rights themselves."""

    def test_readonly_manager_cannot_open_the_allocation_or_revoke_tokens(self):
        _imp, payment = self._unallocated()
        for user in (self.manager, self.portal, self.other_accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                payment.with_user(user).action_open_allocate_wizard()
        self.assertEqual(
            payment.with_user(self.accountant).action_open_allocate_wizard()["res_model"],
            "tko.payment.allocate.wizard",
        )
        agent = self.env["tko.payment.agent"].create({"name": "Агент", "code": "sec"})
        agent._tko_new_token()
        for user in (self.manager, self.accountant, self.portal, self.other_admin):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                agent.with_user(user).action_revoke_token()
        self.assertTrue(agent.sudo().token_hash)

    def test_sftp_fetch_only_by_accountants_of_its_company(self):
        source = self.env["tko.payment.sftp.source"].create(
            {"name": "Банк", "host": "127.0.0.1", "username": "bank", "remote_folder": "/in"}
        )
        for user in (self.manager, self.portal, self.other_accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                source.with_user(user).action_fetch_now()
        self.assertFalse(self.env["queue.job"].search([("model_name", "=", source._name)]))

    def test_payment_registry_report_only_for_own_companies(self):
        wizard = self.env["tko.payment.registry.wizard"].create(
            {"date_from": "2025-05-01", "date_to": "2025-05-31", "company_id": self.company2.id}
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.accountant)._report_data()
        with self.assertRaises(AccessError):
            wizard.with_user(self.accountant).action_export_xlsx()
        own = (
            self.env["tko.payment.registry.wizard"]
            .with_user(self.accountant)
            .create({"date_from": "2025-05-01", "date_to": "2025-05-31"})
        )
        self.assertIn("lines", own._report_data())

    def test_import_buttons_refused_to_readers_and_other_companies(self):
        imp = self.Import.create(
            {
                "name": "f",
                "file": base64.b64encode(self._registry([(self.acc1.name, "1.00", "b1")])),
                "profile_id": self.sber.id,
            }
        )
        for user in (self.manager, self.portal, self.other_accountant):
            for method in ("action_check", "action_import", "action_import_background"):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(imp.with_user(user), method)()
        self.assertEqual(imp.state, "draft")
        self.assertFalse(imp.payment_ids)


@tagged("post_install", "-at_install")
class TestCompanyLinks(SecurityCase):
    """Records of one company never point at records of another (UserError of
    ``_check_company``); each company sees only its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.profile_a = cls.sber.copy({"code": "bank_a", "company_id": cls.env.company.id})
        cls.agent_b = cls.env["tko.payment.agent"].create(
            {"name": "Агент Б", "code": "agent_b", "company_id": cls.company2.id}
        )

    def test_import_of_one_company_with_the_agent_of_another(self):
        with self.assertRaises(UserError):
            self.Import.create(
                {"name": "x", "file": "eA==", "agent_id": self.agent_b.id, "source": "api"}
            )

    def test_agent_and_sftp_folder_with_a_profile_of_another_company(self):
        with self.assertRaises(UserError):
            self.agent_b.profile_id = self.profile_a
        with self.assertRaises(UserError):
            self.env["tko.payment.sftp.source"].create(
                {
                    "name": "Б",
                    "host": "127.0.0.1",
                    "username": "b",
                    "company_id": self.company2.id,
                    "profile_id": self.profile_a.id,
                }
            )

    def test_payment_order_and_import_of_another_company(self):
        imp = self.Import.create({"name": "x", "file": "eA==", "file_format": "onec"})
        with self.assertRaises(UserError):
            self.env["tko.payment.order"].create(
                {
                    "import_id": imp.id,
                    "company_id": self.company2.id,
                    "number": "1",
                    "date": "2025-05-01",
                    "amount": 1.0,
                    "key": "k-1",
                }
            )

    def test_fiscal_receipt_on_a_register_of_another_company(self):
        payment = self.env["tko.payment"].create(
            {
                "account_id": self.acc1.id,
                "amount": 5.0,
                "channel": "cash",
                "date_paid": "2025-05-10",
            }
        )
        register_b = self.env["tko.fiscal.register"].create(
            {
                "name": "Касса Б",
                "company_id": self.company2.id,
                "login": "l",
                "password": "p",
                "group_code": "g",
                "sno": "osn",
                "payment_address": "https://b.example",
            }
        )
        with self.assertRaises(UserError):
            self.env["tko.fiscal.receipt"].create(
                {
                    "payment_id": payment.id,
                    "register_id": register_b.id,
                    "amount": 5.0,
                    "external_id": "sec-1",
                }
            )

    def test_other_company_sees_none_of_ours(self):
        self.env["tko.payment.agent"].create({"name": "Наш", "code": "ours"})
        imp = self.Import.create({"name": "x", "file": "eA=="})
        for model in (
            "tko.payment.import",
            "tko.payment.agent",
            "tko.payment.order",
            "tko.payment.sftp.source",
            "tko.debt.registry.profile",
            "tko.fiscal.register",
        ):
            Model = self.env[model].with_user(self.other_admin)
            mine = Model.search([]).filtered(lambda r: r.sudo().company_id != self.company2)
            self.assertFalse(mine, model)
        with self.assertRaises(AccessError):
            imp.with_user(self.other_admin).read(["name"])
