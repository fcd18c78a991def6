"""Security of the registry (issue 10): nobody reads or changes what is not theirs.

Every public method of the registry is called here as a portal user (a consumer of the future
portal) and as an operator of another regional operator (same MoBill roles, other company),
and each refusal fails when its check is removed.
"""

import base64
import io
import zipfile
from datetime import date

import openpyxl
from odoo import Command
from odoo.addons.mobill_tko_base.tools import trusted
from odoo.exceptions import AccessError, UserError
from odoo.models import check_method_name
from odoo.tests import TransactionCase, tagged

from mobill_tko_core import registry_io as rio

HOSTILE_NAME = '=HYPERLINK("http://evil.example","x")'


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Другой региональный оператор"})
        cls.env_b = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company_b.id]))
        cls.zone = cls.env["tko.tariff.zone"].create({"name": "Зона S", "code": "ZS"})
        cls.region, cls.flat, cls.office = cls._addresses(cls.env, cls.zone)
        cls.person = cls.env["res.partner"].create(
            {
                "name": "Петров Пётр Петрович",
                "is_tko_consumer": True,
                "tko_kind": "person",
                "vat": "500100732259",
                "snils": "112-233-445 95",
                "passport_series": "4509",
                "passport_number": "123456",
                "mobile": "+7 900 000-00-01",
            }
        )
        cls.obj = cls.env["tko.object"].create(
            {
                "name": "кв. 7",
                "kind": "apartment",
                "address_id": cls.flat.id,
                "partner_id": cls.person.id,
            }
        )
        cls.env["tko.object.characteristic"].create(
            {
                "object_id": cls.obj.id,
                "kind": "residents_permanent",
                "value": 2,
                "date_from": "2025-01-01",
            }
        )
        cls.account = cls.env["tko.account"].create(
            {"partner_id": cls.person.id, "object_id": cls.obj.id, "date_open": "2025-01-01"}
        )
        cls.legal = cls.env["res.partner"].create(
            {"name": "ООО «Секрет»", "is_tko_consumer": True, "tko_kind": "legal"}
        )
        cls.facility = cls.env["tko.object"].create(
            {
                "name": "Офис",
                "kind": "facility",
                "address_id": cls.office.id,
                "partner_id": cls.legal.id,
            }
        )
        cls.category = cls.env["tko.norm.category"].create(
            {"name": "Офисы (безопасность)", "code": "sec_office", "basis": "unit"}
        )
        cls.contract = cls.env["tko.contract"].create(
            {
                "partner_id": cls.legal.id,
                "date_start": "2025-01-01",
                "line_ids": [
                    Command.create(
                        {
                            "object_id": cls.facility.id,
                            "scheme": "norm",
                            "norm_category_id": cls.category.id,
                            "date_from": "2025-01-01",
                        }
                    )
                ],
                "condition_ids": [Command.create({"date_from": "2025-01-01", "due_day": 15})],
            }
        )
        groups = {
            "operator": "mobill_tko_base.group_tko_operator",
            "readonly": "mobill_tko_base.group_tko_readonly",
            "admin": "mobill_tko_base.group_tko_admin",
        }
        cls.operator = cls._user("sec_operator", groups["operator"], cls.company_a)
        cls.readonly = cls._user("sec_readonly", groups["readonly"], cls.company_a)
        cls.admin = cls._user("sec_admin", groups["admin"], cls.company_a)
        cls.operator_b = cls._user("sec_operator_b", groups["operator"], cls.company_b)
        cls.portal = cls._user("sec_portal", "base.group_portal", cls.company_a)

    @classmethod
    def _addresses(cls, env, zone):
        Address = env["tko.address"]
        region = Address.create({"name": "Охраняемая", "type_name": "обл.", "level": "region"})
        town = Address.create(
            {
                "name": "Сейфск",
                "type_name": "г.",
                "level": "locality",
                "parent_id": region.id,
                "tariff_zone_id": zone.id,
            }
        )
        house = Address.create(
            {"name": "1", "type_name": "д.", "level": "house", "parent_id": town.id}
        )
        flat = Address.create(
            {"name": "7", "type_name": "кв.", "level": "premises", "parent_id": house.id}
        )
        office = Address.create(
            {"name": "2", "type_name": "пом.", "level": "premises", "parent_id": house.id}
        )
        return region, flat, office

    @classmethod
    def _user(cls, login, group, company):
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "email": f"{login}@example.com",
                "company_id": company.id,
                "company_ids": [Command.set([company.id])],
                "groups_id": [Command.set([cls.env.ref(group).id])],
            }
        )

    def _strangers(self):
        """A consumer with a portal login and an operator of another company."""
        return {"portal": self.portal, "other company": self.operator_b}

    def _assert_refused(self, call, users=None, error=AccessError):
        for label, user in (users or self._strangers()).items():
            with self.subTest(user=label), self.assertRaises(error):
                call(user)

    # ------------------------------------------------------------------ requisites_at
    def test_requisites_at_refused_to_strangers(self):
        self._assert_refused(lambda u: self.person.with_user(u).requisites_at("1900-01-01"))

    def test_requisites_at_hides_personal_data_and_logs_its_reads(self):
        Log = self.env["tko.personal.data.access.log"]
        values = self.person.with_user(self.readonly).requisites_at(date.today())
        self.assertEqual(values["name"], "Петров Пётр Петрович")
        for name in ("snils", "passport_series", "passport_number"):
            self.assertNotIn(name, values, "only group_tko_personal_data sees it")
        self.assertFalse(Log.search([("partner_id", "=", self.person.id)]))
        values = self.person.with_user(self.operator).requisites_at(date.today())
        self.assertEqual(values["snils"], "112-233-445 95")
        self.assertEqual(values["passport_number"], "123456")
        log = Log.search([("partner_id", "=", self.person.id)])
        self.assertEqual(log.user_id, self.operator)
        self.assertEqual(log.channel, "requisites")
        self.assertIn("snils", log.field_names)
        # the log shows the fields by their names in the interface, not technical ones
        self.assertIn("SNILS", log.field_labels)
        self.assertNotIn("passport_number", log.field_labels)

    # ------------------------------------------------------------------ personal data
    def test_personal_data_fields_only_for_their_group(self):
        partner = self.person.with_user(self.readonly)
        self.assertEqual(partner.read(["name"])[0]["name"], "Петров Пётр Петрович")
        for name in ("snils", "passport_series", "passport_number", "passport_issued_by"):
            with self.subTest(field=name), self.assertRaises(AccessError):
                partner.read([name])
        self.assertTrue(self.operator.has_group("mobill_tko_base.group_tko_personal_data"))
        lawyer = self._user("sec_lawyer", "mobill_tko_base.group_tko_lawyer", self.company_a)
        self.assertTrue(lawyer.has_group("mobill_tko_base.group_tko_personal_data"))
        self.assertFalse(self.readonly.has_group("mobill_tko_base.group_tko_personal_data"))

    def test_every_read_of_personal_data_is_logged(self):
        Log = self.env["tko.personal.data.access.log"]
        mine = [("partner_id", "=", self.person.id)]
        partner = self.person.with_user(self.operator)
        partner.read(["name", "vat"])
        self.assertFalse(Log.search(mine), "no personal data read, nothing logged")
        partner.read(["snils"])
        self.assertEqual(Log.search(mine).mapped("field_names"), ["snils"])
        self.env["res.partner"].with_user(self.operator).search_read(
            [("id", "=", self.person.id)], ["passport_number"]
        )
        partner.web_read({"passport_series": {}, "snils": {}})
        self.operator.groups_id += self.env.ref("base.group_allow_export")
        partner.export_data(["name", "snils"])
        logs = Log.search(mine, order="id")
        self.assertEqual(len(logs), 4)
        self.assertEqual(set(logs.mapped("user_id")), {self.operator})
        self.assertEqual(logs[-1].channel, "export")
        # the server's own reads (superuser) are not a user's access
        self.person.read(["snils"])
        self.assertEqual(Log.search_count(mine), 4)
        # the log: administrators read it, nobody writes it
        with self.assertRaises(AccessError):
            Log.with_user(self.operator).search([])
        self.assertEqual(len(Log.with_user(self.admin).search(mine)), 4)
        with self.assertRaises(AccessError):
            logs[0].with_user(self.admin).write({"field_names": "name"})
        with self.assertRaises(AccessError):
            logs[0].with_user(self.admin).unlink()

    def test_history_of_personal_data_only_for_their_group(self):
        self.person.with_context(requisites_date_from="2026-01-01").write(
            {"snils": "112-233-445 95", "passport_number": "654321", "phone": "+7 900 1"}
        )
        History = self.env["tko.partner.requisite.history"]
        mine = [("partner_id", "=", self.person.id)]
        self.assertEqual(
            set(History.with_user(self.readonly).search(mine).mapped("field_name")), {"phone"}
        )
        rows = History.with_user(self.operator).search(mine)
        self.assertEqual(set(rows.mapped("field_name")), {"phone", "passport_number"})
        rows.read(["old_value", "new_value"])
        log = self.env["tko.personal.data.access.log"].search(mine)
        self.assertEqual((log.channel, log.field_names), ("history", "passport_number"))

    # ------------------------------------------------------------------ objects, contracts
    def test_characteristics_at_refused_to_strangers(self):
        self._assert_refused(lambda u: self.obj.with_user(u).characteristics_at("2025-06-01"))
        values = self.obj.with_user(self.readonly).characteristics_at("2025-06-01")
        self.assertEqual(values[self.obj.id]["residents_permanent"], 2)

    def test_conditions_at_refused_to_strangers(self):
        self._assert_refused(lambda u: self.contract.with_user(u).conditions_at("2025-06-01"))
        condition = self.contract.with_user(self.readonly).conditions_at("2025-06-01")
        self.assertEqual(condition.due_day, 15)

    def test_pricing_is_private_and_its_check_screen_refuses_other_companies(self):
        for name in ("tariff_at", "norm_at", "vat_rate_at", "terms", "consumer_group"):
            self.assertFalse(hasattr(self.env["tko.pricing"], name), name)
        check = (
            self.env["tko.pricing.check"]
            .with_user(self.operator_b)
            .create({"object_id": self.obj.id, "date": "2025-06-01"})
        )
        with self.assertRaises(AccessError):
            check.read(["characteristics"])  # the computation reads the object
        mine = (
            self.env["tko.pricing.check"]
            .with_user(self.operator)
            .create({"object_id": self.obj.id, "date": "2025-06-01"})
        )
        self.assertEqual(mine.zone_id, self.zone)

    def test_open_actions_refused_to_strangers(self):
        self._assert_refused(lambda u: self.region.with_user(u).action_open_children())
        self._assert_refused(lambda u: self.obj.with_user(u).action_open_characteristics())
        self._assert_refused(lambda u: self.person.with_user(u).action_open_requisites_wizard())
        with self.assertRaises(AccessError):
            self.person.with_user(self.readonly).action_open_requisites_wizard()
        action = self.person.with_user(self.operator).action_open_requisites_wizard()
        self.assertEqual(action["context"], {"default_partner_id": self.person.id})
        self.assertEqual(
            self.region.with_user(self.readonly).action_open_children()["domain"],
            [("parent_id", "=", self.region.id)],
        )

    def test_contract_actions_need_their_role(self):
        for action in ("action_activate", "action_suspend", "action_terminate", "action_draft"):
            users = {**self._strangers(), "read-only": self.readonly}
            self._assert_refused(
                lambda u, action=action: getattr(self.contract.with_user(u), action)(), users
            )
        self.assertEqual(self.contract.state, "draft")
        contract = self.contract.with_user(self.operator)
        contract.action_activate()
        contract.action_terminate()
        self.assertEqual(self.contract.state, "terminated")
        with self.assertRaises(AccessError):
            contract.action_draft()  # administrators only
        self.contract.with_user(self.admin).action_draft()
        self.assertEqual(self.contract.state, "draft")

    def test_contract_state_is_written_by_actions_only(self):
        with self.assertRaises(AccessError):
            self.contract.with_user(self.operator).write({"state": "active"})
        Contract = self.env["tko.contract"].with_user(self.operator)
        with self.assertRaises(AccessError):
            Contract.create({"partner_id": self.legal.id, "state": "active"})
        draft = Contract.create({"partner_id": self.legal.id, "state": "draft"})
        self.assertEqual(draft.state, "draft")
        self.assertEqual(self.contract.state, "draft")

    def test_characteristic_overwrite_flag_from_a_client_is_ignored(self):
        version = self.obj.characteristic_ids
        forged = version.with_user(self.operator).with_context(tko_characteristic_correction=True)
        with self.assertRaises(UserError):
            forged.write({"value": 5})
        trusted(version).write({"value": 3})
        self.assertEqual(version.value, 3)

    # ------------------------------------------------------------------ demo and ГАР
    def test_demo_loader_is_not_callable_over_rpc(self):
        Loader = self.env["tko.demo.loader"]
        self.assertFalse(hasattr(Loader, "load_demo_region"))
        with self.assertRaises(AccessError):
            check_method_name("_load_demo_region")

    def test_gar_import_log_is_written_by_the_import_only(self):
        created = trusted(self.env["tko.gar.import.log"]).create(
            {"name": "98.zip", "source": "server", "server_path": "/srv/gar/98"}
        )
        log = self.env["tko.gar.import.log"].browse(created.id)  # without the server's marker
        operator_log = log.with_user(self.operator)
        self.assertEqual(operator_log.server_path, "/srv/gar/98")
        for vals in ({"server_path": "/etc"}, {"state": "queued"}, {"attachment_id": False}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                operator_log.write(vals)
        with self.assertRaises(AccessError):
            self.env["tko.gar.import.log"].with_user(self.operator).create(
                {"name": "x.zip", "source": "server", "server_path": "/etc"}
            )
        with self.assertRaises(AccessError):
            log.with_user(self.readonly).write({"state": "failed"})
        self._assert_refused(lambda u: log.with_user(u).action_open_job())

    # ------------------------------------------------------------------ companies
    def test_other_company_sees_nothing(self):
        records = {
            "res.partner": self.person,
            "tko.address": self.flat,
            "tko.object": self.obj,
            "tko.object.characteristic": self.obj.characteristic_ids,
            "tko.account": self.account,
            "tko.contract": self.contract,
            "tko.contract.line": self.contract.line_ids,
            "tko.contract.condition": self.contract.condition_ids,
            "tko.tariff.zone": self.zone,
        }
        for model, record in records.items():
            with self.subTest(model=model):
                other = self.env[model].with_user(self.operator_b)
                self.assertFalse(other.search([("id", "=", record.id)]))
                with self.assertRaises(AccessError):
                    other.browse(record.id).read(["display_name"])
                self.assertTrue(
                    self.env[model].with_user(self.readonly).search([("id", "=", record.id)])
                )

    def test_cross_company_links_are_refused(self):
        env_b = self.env_b
        partner_b = env_b["res.partner"].create(
            {"name": "Потребитель Б", "is_tko_consumer": True, "tko_kind": "person"}
        )
        self.assertEqual(partner_b.company_id, self.company_b)
        cases = {
            "account on an object of A": lambda: env_b["tko.account"].create(
                {"partner_id": partner_b.id, "object_id": self.obj.id}
            ),
            "object at an address of A": lambda: env_b["tko.object"].create(
                {"name": "x", "kind": "house", "address_id": self.flat.id}
            ),
            "object of a consumer of A": lambda: env_b["tko.object"].create(
                {"name": "x", "kind": "house", "partner_id": self.person.id}
            ),
            "contract with a consumer of A": lambda: env_b["tko.contract"].create(
                {"partner_id": self.legal.id}
            ),
            "address under an address of A": lambda: env_b["tko.address"].create(
                {"name": "8", "level": "premises", "parent_id": self.flat.parent_id.id}
            ),
            "document of a contract of A": lambda: env_b["tko.document"].create(
                {"name": "x", "file": base64.b64encode(b"x"), "contract_id": self.contract.id}
            ),
            "tariff of a zone of A": lambda: env_b["tko.tariff"].create(
                {"zone_id": self.zone.id, "price": 1, "date_from": "2025-01-01"}
            ),
        }
        for label, create in cases.items():
            with self.subTest(case=label), self.assertRaises(UserError):
                create()
        # and an existing record cannot be pointed at company B's either
        with self.assertRaises(UserError):
            self.account.write({"partner_id": partner_b.id})

    # ------------------------------------------------------------------ exports
    def test_export_writes_a_hostile_name_as_text(self):
        self.person.name = HOSTILE_NAME
        Wizard = self.env["tko.registry.export.wizard"].with_user(self.operator)
        wizard = Wizard.with_context(active_model="res.partner", active_ids=self.person.ids)
        csv_wizard = wizard.create({"file_format": "csv"})
        csv_wizard.action_export()
        data = base64.b64decode(csv_wizard.data)
        text = data.decode("utf-8-sig")
        self.assertIn("'" + HOSTILE_NAME.replace('"', '""'), text)
        self.assertNotIn(";" + HOSTILE_NAME.replace('"', '""'), text)
        self.assertEqual(rio.parse(data).records[0].consumer_name, HOSTILE_NAME)
        xlsx_wizard = wizard.create({"file_format": "xlsx"})
        xlsx_wizard.action_export()
        data = base64.b64decode(xlsx_wizard.data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.assertNotIn("<f>", archive.read("xl/worksheets/sheet1.xml").decode())
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        column = [c.key for c in rio.COLUMNS].index("consumer_name")
        cell = sheet.cell(2, column + 1)
        self.assertEqual((cell.value, cell.data_type), (HOSTILE_NAME, "s"))
        self.assertEqual(rio.parse(data, "x.xlsx").records[0].consumer_name, HOSTILE_NAME)

    def test_export_leaves_snils_out_for_those_without_personal_data(self):
        Wizard = self.env["tko.registry.export.wizard"]
        context = {"active_model": "res.partner", "active_ids": self.person.ids}
        Log = self.env["tko.personal.data.access.log"]
        for user, snils in ((self.readonly, ""), (self.operator, "11223344595")):
            with self.subTest(user=user.login):
                wizard = (
                    Wizard.with_user(user).with_context(**context).create({"file_format": "csv"})
                )
                wizard.action_export()
                record = rio.parse(base64.b64decode(wizard.data)).records[0]
                self.assertEqual(record.snils, snils)
        log = Log.search([("partner_id", "=", self.person.id)])
        self.assertEqual((log.user_id, log.channel), (self.operator, "export"))
