import base64
from dataclasses import replace
from datetime import date
from decimal import Decimal
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, TransactionCase, tagged

from mobill_tko_core import registry_io as rio
from mobill_tko_core import requisites as req

GUID_HOUSE_3 = "6f0d7d5c-5a3e-4d8b-9f0e-3a1c2b4d5e6f"
PERSON_INN = req.make_inn("5001234567")
PERSON_SNILS = req.make_snils("112233445")
LEGAL_INN = req.make_inn("500765432")
LEGAL_OGRN = req.make_ogrn("102500000001")
IP_INN = req.make_inn("5009876543")
IP_OGRN = req.make_ogrn("30450000000001")
ACCOUNT_1 = req.account_number_with_check_digit("7700001")
ACCOUNT_2 = req.account_number_with_check_digit("7700002")

MODELS = (
    "res.partner",
    "tko.object",
    "tko.account",
    "tko.object.characteristic",
    "tko.partner.requisite.history",
)


@tagged("post_install", "-at_install")
class TestRegistryIO(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The messages checked below are the English sources (the suite runs with Russian loaded).
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.company_a = cls.env["res.company"].create({"name": "Региональный оператор А"})
        cls.company_b = cls.env["res.company"].create({"name": "Региональный оператор Б"})
        cls.env_a = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company_a.id]))
        cls.env_b = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company_b.id]))
        cls.plan_a = cls._address_plan(cls.env_a)
        cls._address_plan(cls.env_b)

    @staticmethod
    def _address_plan(env):
        Address = env["tko.address"]
        region = Address.create({"name": "Калужская", "type_name": "обл.", "level": "region"})
        city = Address.create(
            {"name": "Калуга", "type_name": "г.", "level": "locality", "parent_id": region.id}
        )
        street = Address.create(
            {"name": "Импортная", "type_name": "ул.", "level": "street", "parent_id": city.id}
        )
        house_1 = Address.create(
            {"name": "1", "type_name": "д.", "level": "house", "parent_id": street.id}
        )
        house_3 = Address.create(
            {
                "name": "3",
                "type_name": "д.",
                "level": "house",
                "parent_id": street.id,
                "gar_guid": GUID_HOUSE_3,
            }
        )
        flats = {
            name: Address.create(
                {"name": name, "type_name": kind, "level": "premises", "parent_id": house_1.id}
            )
            for name, kind in (("5", "кв."), ("6", "кв."), ("2", "пом."))
        }
        return {"house_1": house_1, "house_3": house_3, **flats}

    # ------------------------------------------------------------------ the files
    def good_records(self):
        """The file of the tests; addresses as the address plan writes them."""
        plan = self.plan_a
        return [
            rio.RegistryRecord(
                consumer_kind="person",
                consumer_name="Иванов Иван Иванович",
                inn=PERSON_INN,
                snils=PERSON_SNILS,
                phone="+7 900 123-45-67",
                email="ivanov@example.ru",
                address=plan["5"].full_name,
                object_kind="apartment",
                object_name="кв. 5",
                account_number=ACCOUNT_1,
                account_date_open=date(2024, 1, 1),
                calc_method="residents",
                residents_permanent=Decimal(3),
                residents_permanent_from=date(2024, 1, 1),
                residents_temporary=Decimal(1),
                residents_temporary_from=date(2024, 6, 1),
                owners=Decimal(2),
                owners_from=date(2024, 1, 1),
                area_total=Decimal("54.3"),
                area_total_from=date(2024, 1, 1),
            ),
            rio.RegistryRecord(
                consumer_kind="person",
                consumer_name="Сидорова Анна Сергеевна",
                address=plan["6"].full_name,
                object_kind="apartment",
                object_name="кв. 6",
                account_date_open=date(2025, 2, 1),  # the number is assigned
                calc_method="residents",
                residents_permanent=Decimal(2),
                residents_permanent_from=date(2025, 2, 1),
            ),
            rio.RegistryRecord(
                consumer_kind="legal",
                consumer_name="ООО «Ромашка»",
                inn=LEGAL_INN,
                kpp="400101001",
                ogrn=LEGAL_OGRN,
                legal_address="248000, г. Калуга, ул. Мира, д. 3",
                address_guid=GUID_HOUSE_3,
                object_kind="facility",
                object_name="Магазин",
                units_category="SHOP_FOOD",
                units_value=Decimal("120.5"),
                units_from=date(2024, 3, 1),
                container_volume=Decimal("1.1"),
                container_count=2,
                container_schedule=rio.Schedule("weekdays", weekdays=(1, 3, 5)),
                containers_from=date(2024, 3, 1),
            ),
            rio.RegistryRecord(
                consumer_kind="legal",
                consumer_name="ООО «Ромашка»",
                inn=LEGAL_INN,
                kpp="400101001",
                address_guid=GUID_HOUSE_3,
                object_kind="facility",
                object_name="Магазин",
                units_category="OFFICE",
                units_value=Decimal(4),
                units_from=date(2024, 3, 1),
                container_volume=Decimal(8),
                container_count=1,
                container_schedule=rio.Schedule("every_n_days", interval=3, start=date(2024, 3, 2)),
                containers_from=date(2024, 3, 1),
            ),
            rio.RegistryRecord(
                consumer_kind="entrepreneur",
                consumer_name="ИП Петров Пётр Петрович",
                inn=IP_INN,
                ogrn=IP_OGRN,
                address=plan["2"].full_name,
                object_kind="non_residential",
                object_name="пом. 2",
                account_number=ACCOUNT_2,
                account_date_open=date(2023, 5, 10),
                account_date_close=date(2024, 12, 31),
                calc_method="area",
                area_total=Decimal("18.25"),
                area_total_from=date(2023, 5, 10),
            ),
        ]

    # ------------------------------------------------------------------ helpers
    def counts(self, env):
        return {model: env[model].search_count([]) for model in MODELS}

    def run_wizard(self, env, data, filename="registry.csv", button="action_import"):
        wizard = env["tko.registry.import.wizard"].create(
            {"file": base64.b64encode(data), "filename": filename}
        )
        getattr(wizard, button)()
        return wizard

    def export(self, env, file_format="csv", **context):
        wizard = (
            env["tko.registry.export.wizard"]
            .with_context(**context)
            .create({"file_format": file_format})
        )
        wizard.action_export()
        return base64.b64decode(wizard.data)

    def errors(self, wizard):
        return [(e.line, e.column, e.code) for e in wizard.error_ids]

    def report(self, wizard):
        return "\n".join(f"{e.line} [{e.column}] {e.code}: {e.message}" for e in wizard.error_ids)

    def dump(self, env):
        """The registry of the env's company as plain values (no ids, no company)."""
        company = env.company
        objects = env["tko.object"].search([("company_id", "=", company.id)])
        accounts = env["tko.account"].search([("company_id", "=", company.id)])

        def who(partner):
            return (
                partner.name,
                partner.tko_kind,
                partner.vat or "",
                partner.kpp or "",
                partner.ogrn or "",
                partner.snils or "",
                partner.phone or "",
                partner.email or "",
                partner.legal_address or "",
                partner.postal_address or "",
            )

        def where(obj):
            return (obj.address_id.full_name, obj.name)

        rows = []
        for obj in objects:
            chars = sorted(
                (
                    c.kind,
                    c.norm_category_id.code or "",
                    c.container_type_id.volume,
                    round(c.value, 4),
                    c.container_count,
                    c.schedule_kind or "",
                    c.schedule_weekdays or "",
                    c.schedule_interval,
                    str(c.schedule_start or ""),
                    str(c.date_from),
                )
                for c in obj.characteristic_ids
                if not c.date_to
            )
            rows.append(("object", where(obj), obj.kind, who(obj.partner_id), tuple(chars)))
        for acc in accounts:
            rows.append(
                (
                    "account",
                    acc.name,
                    who(acc.partner_id),
                    where(acc.object_id),
                    str(acc.date_open),
                    str(acc.date_close or ""),
                    acc.calc_method,
                )
            )
        return sorted(rows, key=repr)

    def import_good(self, env=None):
        env = env or self.env_a
        wizard = self.run_wizard(env, rio.write_csv(self.good_records()))
        self.assertEqual(wizard.state, "done", self.report(wizard))
        return wizard

    # ------------------------------------------------------------------ tests
    def test_check_writes_nothing_then_import_creates_everything(self):
        env = self.env_a
        before = self.counts(env)
        wizard = self.run_wizard(env, rio.write_csv(self.good_records()), button="action_check")
        self.assertEqual(wizard.state, "checked", self.report(wizard))
        self.assertFalse(wizard.error_ids)
        self.assertIn("Consumers: 4 new", wizard.summary)
        self.assertEqual(self.counts(env), before, "«Check» writes nothing")

        wizard.action_import()
        self.assertEqual(wizard.state, "done", self.report(wizard))
        after = self.counts(env)
        self.assertEqual(after["res.partner"] - before["res.partner"], 4)
        self.assertEqual(after["tko.object"] - before["tko.object"], 4)
        self.assertEqual(after["tko.account"] - before["tko.account"], 3)
        # 4 + 1 + (2 units + 2 containers) + 1
        self.assertEqual(
            after["tko.object.characteristic"] - before["tko.object.characteristic"], 10
        )

        ivanov = env["res.partner"].search([("vat", "=", PERSON_INN)])
        self.assertRecordValues(
            ivanov,
            [
                {
                    "name": "Иванов Иван Иванович",
                    "is_tko_consumer": True,
                    "tko_kind": "person",
                    "snils": req.format_snils(PERSON_SNILS),
                    "email": "ivanov@example.ru",
                    "is_company": False,
                }
            ],
        )
        account = env["tko.account"].search([("name", "=", ACCOUNT_1)])
        self.assertEqual(account.partner_id, ivanov)
        self.assertEqual(account.company_id, self.company_a)
        self.assertEqual(account.object_id.address_id, self.plan_a["5"])
        self.assertEqual(account.object_id.partner_id, ivanov)
        self.assertEqual(account.date_open, date(2024, 1, 1))
        chars = {c.kind: c for c in account.object_id.characteristic_ids}
        self.assertEqual(
            (chars["residents_permanent"].value, chars["residents_permanent"].date_from),
            (3, date(2024, 1, 1)),
        )
        self.assertEqual(chars["residents_temporary"].date_from, date(2024, 6, 1))
        self.assertAlmostEqual(chars["area_total"].value, 54.3)
        self.assertFalse(chars["area_total"].date_to)

        # an assigned number with a valid check digit
        sidorova = env["tko.account"].search(
            [
                ("partner_id.name", "=", "Сидорова Анна Сергеевна"),
                ("company_id", "=", self.company_a.id),
            ]
        )
        self.assertEqual(len(sidorova), 1)
        req.validate_account_number(sidorova.name)
        self.assertEqual(sidorova.date_open, date(2025, 2, 1))

        shop = env["tko.object"].search(
            [("name", "=", "Магазин"), ("company_id", "=", self.company_a.id)]
        )
        self.assertEqual(shop.address_id, self.plan_a["house_3"])
        self.assertEqual(shop.partner_id.vat, LEGAL_INN)
        self.assertTrue(shop.partner_id.is_company)
        units = shop.characteristic_ids.filtered(lambda c: c.kind == "units")
        self.assertEqual(
            sorted((u.norm_category_id.code, u.value) for u in units),
            [("OFFICE", 4.0), ("SHOP_FOOD", 120.5)],
        )
        containers = shop.characteristic_ids.filtered(lambda c: c.kind == "containers").sorted(
            "container_volume"
        )
        self.assertRecordValues(
            containers,
            [
                {
                    "container_volume": 1.1,
                    "container_count": 2,
                    "schedule_kind": "weekdays",
                    "schedule_weekdays": "1,3,5",
                    "schedule_interval": 0,
                    "schedule_start": False,
                    "date_from": date(2024, 3, 1),
                },
                {
                    "container_volume": 8.0,
                    "container_count": 1,
                    "schedule_kind": "every_n_days",
                    "schedule_weekdays": False,
                    "schedule_interval": 3,
                    "schedule_start": date(2024, 3, 2),
                    "date_from": date(2024, 3, 1),
                },
            ],
        )
        petrov = env["tko.account"].search([("name", "=", ACCOUNT_2)])
        self.assertRecordValues(
            petrov,
            [{"date_close": date(2024, 12, 31), "calc_method": "area", "state": "closed"}],
        )

    def test_reimport_changes_nothing(self):
        self.import_good()
        before = self.counts(self.env_a)
        messages = self.env["mail.message"].search_count([])
        wizard = self.import_good()
        self.assertEqual(self.counts(self.env_a), before)
        self.assertEqual(self.env["mail.message"].search_count([]), messages)
        self.assertIn("Consumers: 0 new, 0 updated, 4 unchanged", wizard.summary)
        self.assertIn("Personal accounts: 0 new, 0 updated, 3 unchanged", wizard.summary)
        self.assertIn("Characteristics: 0 new dated values, 10 unchanged", wizard.summary)

    def test_changed_value_adds_a_dated_version(self):
        self.import_good()
        before = self.counts(self.env_a)
        records = self.good_records()
        records[0] = replace(
            records[0], residents_permanent=Decimal(4), residents_permanent_from=date(2025, 3, 1)
        )
        records[2] = replace(records[2], container_count=3, containers_from=date(2025, 1, 1))
        wizard = self.run_wizard(self.env_a, rio.write_csv(records))
        self.assertEqual(wizard.state, "done", self.report(wizard))
        after = self.counts(self.env_a)
        self.assertEqual(
            after["tko.object.characteristic"] - before["tko.object.characteristic"], 2
        )
        flat = self.env_a["tko.account"].search([("name", "=", ACCOUNT_1)]).object_id
        versions = flat.characteristic_ids.filtered(
            lambda c: c.kind == "residents_permanent"
        ).sorted("date_from")
        self.assertEqual(
            [(v.value, v.date_from, v.date_to) for v in versions],
            [(3, date(2024, 1, 1), date(2025, 2, 28)), (4, date(2025, 3, 1), False)],
        )

        # a changed value that does not begin after the version in force is refused
        before = self.counts(self.env_a)
        records[0] = replace(
            records[0], residents_permanent=Decimal(5), residents_permanent_from=date(2025, 1, 1)
        )
        wizard = self.run_wizard(self.env_a, rio.write_csv(records))
        self.assertEqual(wizard.state, "failed")
        self.assertEqual(
            self.errors(wizard), [(2, "Проживает постоянно с", "characteristic_date_too_early")]
        )
        self.assertIn("01.03.2025", wizard.error_ids.message)
        self.assertEqual(self.counts(self.env_a), before)

    def test_file_with_bad_rows_writes_nothing(self):
        records = self.good_records()
        lines = [rio.record_to_row(r) for r in records]
        lines[1]["inn"] = PERSON_INN[:-1] + str((int(PERSON_INN[-1]) + 1) % 10)
        lines[2]["address_guid"] = ""
        lines[2]["address"] = f"{self.plan_a['house_1'].parent_id.full_name}, д. 99"
        lines[4]["account_date_open"] = "32.01.2023"
        header = ";".join(c.header for c in rio.COLUMNS)
        body = "\r\n".join(";".join(line[c.key] for c in rio.COLUMNS) for line in lines)
        data = f"{header}\r\n{body}\r\n".encode("cp1251")
        before = self.counts(self.env_a)
        wizard = self.run_wizard(self.env_a, data)
        self.assertEqual(wizard.state, "failed")
        self.assertEqual(self.counts(self.env_a), before, "nothing at all is written")
        self.assertEqual(
            self.errors(wizard),
            [
                (3, "ИНН", "inn_checksum"),
                (4, "Адрес объекта", "address_not_found"),
                (6, "Дата открытия ЛС", "date_format"),
            ],
        )
        self.assertIn("3 of 5 rows have errors", wizard.summary)
        self.assertIn("check digit", wizard.error_ids[0].message)
        self.assertIn("д. 99", wizard.error_ids[1].message)

    def test_database_checks(self):
        self.import_good()
        records = self.good_records()
        # Иванов's account, but on another (new) object
        records[0] = replace(
            records[0], object_name="Кладовая", address=self.plan_a["house_1"].full_name
        )
        records[1] = replace(records[1], address_guid=GUID_HOUSE_3)
        records[2] = replace(records[2], units_category="NO_SUCH_CODE")
        records[3] = replace(records[3], container_volume=Decimal("2.5"))
        before = self.counts(self.env_a)
        wizard = self.run_wizard(self.env_a, rio.write_csv(records))
        self.assertEqual(self.counts(self.env_a), before)
        self.assertEqual(
            self.errors(wizard),
            [
                (2, "Лицевой счёт", "account_other_object"),
                (3, "Адрес объекта", "address_mismatch"),
                (4, "Категория норматива", "norm_category_unknown"),
                (5, "Объём контейнера, куб. м", "container_type_unknown"),
            ],
        )

    def test_account_number_of_another_consumer(self):
        self.import_good()
        records = self.good_records()[1:]
        records[3] = replace(records[3], account_number=ACCOUNT_1, account_date_close=None)
        wizard = self.run_wizard(self.env_a, rio.write_csv(records))
        self.assertEqual(self.errors(wizard), [(5, "Лицевой счёт", "account_other_consumer")])

    def test_export_imports_back_unchanged(self):
        self.import_good()
        exported = self.export(self.env_a)
        self.assertEqual(len(rio.parse(exported).records), 5)
        # into a fresh company: identical data, and its export is the same file
        wizard = self.run_wizard(self.env_b, exported)
        self.assertEqual(wizard.state, "done", self.report(wizard))
        self.assertEqual(self.dump(self.env_b), self.dump(self.env_a))
        self.assertEqual(self.export(self.env_b), exported)
        # and back into the company it came from: nothing changes
        before = self.counts(self.env_a)
        dump = self.dump(self.env_a)
        wizard = self.run_wizard(self.env_a, exported)
        self.assertEqual(wizard.state, "done", self.report(wizard))
        self.assertEqual(self.counts(self.env_a), before)
        self.assertEqual(self.dump(self.env_a), dump)

    def test_export_after_deleting_imports_back_identical(self):
        self.import_good()
        dump = self.dump(self.env_a)
        exported = self.export(self.env_a, file_format="xlsx")
        accounts = self.env_a["tko.account"].search([("company_id", "=", self.company_a.id)])
        objects = self.env_a["tko.object"].search([("company_id", "=", self.company_a.id)])
        partners = objects.partner_id | accounts.partner_id
        accounts.unlink()
        objects.unlink()
        partners.unlink()
        self.assertEqual(self.dump(self.env_a), [])
        wizard = self.run_wizard(self.env_a, exported, filename="registry.xlsx")
        self.assertEqual(wizard.state, "done", self.report(wizard))
        self.assertEqual(self.dump(self.env_a), dump)

    def test_export_of_selected_accounts_and_windows_1251(self):
        self.import_good()
        account = self.env_a["tko.account"].search([("name", "=", ACCOUNT_1)])
        wizard = (
            self.env_a["tko.registry.export.wizard"]
            .with_context(active_model="tko.account", active_ids=account.ids)
            .create({"file_format": "csv", "encoding": "cp1251"})
        )
        self.assertEqual(wizard.scope, "selected")
        wizard.action_export()
        data = base64.b64decode(wizard.data)
        self.assertTrue(wizard.filename.endswith(".csv"))
        result = rio.parse(data)
        self.assertEqual(result.encoding, "cp1251")
        self.assertEqual(result.records, [self.good_records()[0]])

    def test_rights(self):
        def user(login, group):
            return self.env["res.users"].create(
                {
                    "name": login,
                    "login": login,
                    "email": f"{login}@example.com",
                    "company_id": self.company_a.id,
                    "company_ids": [(6, 0, [self.company_a.id])],
                    "groups_id": [(6, 0, [self.env.ref(group).id])],
                }
            )

        operator = user("rio_operator", "mobill_tko_base.group_tko_operator")
        readonly = user("rio_readonly", "mobill_tko_base.group_tko_readonly")
        wizard = self.run_wizard(self.env_a(user=operator), rio.write_csv(self.good_records()))
        self.assertEqual(wizard.state, "done", self.report(wizard))
        data = self.export(self.env_a(user=readonly))
        self.assertEqual(len(rio.parse(data).records), 5)
        with self.assertRaises(AccessError):
            self.env_a(user=readonly)["tko.registry.import.wizard"].create({})

    def test_a_refused_write_rolls_back_everything(self):
        """A constraint the checks did not foresee: the whole file is rolled back and reported."""
        before = self.counts(self.env_a)
        Account = type(self.env_a["tko.account"])
        with patch.object(Account, "create", side_effect=ValidationError("Номер занят")):
            wizard = self.run_wizard(self.env_a, rio.write_csv(self.good_records()))
        self.assertEqual(wizard.state, "failed")
        self.assertEqual(self.errors(wizard), [(2, "", "save_failed")])
        self.assertIn("Номер занят", wizard.error_ids.message)
        self.assertEqual(self.counts(self.env_a), before, "consumers and objects rolled back too")

    def test_unreadable_file_and_ignored_columns(self):
        wizard = self.run_wizard(self.env_a, b"PK\x03\x04 broken", filename="registry.xlsx")
        self.assertEqual(self.errors(wizard), [(0, "", "registry_io.bad_xlsx")])
        self.assertIn("cannot be read", wizard.summary)
        data = rio.write_csv(self.good_records()).decode("utf-8-sig").split("\r\n")
        data = [
            f"{line};Примечание" if i == 0 else f"{line};звонить"
            for i, line in enumerate(data)
            if line
        ]
        wizard = self.run_wizard(
            self.env_a, "\r\n".join(data).encode("utf-8-sig"), button="action_check"
        )
        self.assertEqual(wizard.state, "checked", self.report(wizard))
        self.assertIn("ignored: Примечание", wizard.summary)

    def test_export_of_nothing_selected(self):
        wizard = self.env_a["tko.registry.export.wizard"].create({"scope": "selected"})
        with self.assertRaises(UserError):
            wizard.action_export()

    def test_wizard_forms(self):
        """The forms as a user fills them: upload and check; export all as XLSX."""
        form = Form(self.env_a["tko.registry.import.wizard"])
        form.file = base64.b64encode(rio.write_csv(self.good_records()))
        wizard = form.save()
        action = wizard.action_check()
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id))
        self.assertEqual(wizard.state, "checked", self.report(wizard))
        export = Form(self.env_a["tko.registry.export.wizard"]).save()
        self.assertEqual((export.scope, export.file_format), ("all", "xlsx"))
        export.action_export()
        self.assertTrue(export.filename.endswith(".xlsx"))
