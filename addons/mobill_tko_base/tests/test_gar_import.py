import base64
import dataclasses
import shutil
import tempfile
from pathlib import Path

from odoo.addons.mobill_tko_base.tools import trusted
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from mobill_tko_core import gar
from mobill_tko_core.demo import gar_sample
from mobill_tko_core.errors import GarError

# «Энская область» of gar_sample, administrative hierarchy, current records only
ADM_COUNTS = {
    "region": 1,
    "district": 1,  # р-н Заречный
    "settlement_mo": 0,
    "locality": 4,  # г Энск, пгт Заречный, с Луговое, д Берёзовка
    "planning": 1,  # мкр Северный
    "street": 8,
    "house": 23,  # 24 houses, one demolished
    "premises": 66,
}
# municipal hierarchy: г.о. and м.р-н instead of the р-н, and the two поселения
MUN_COUNTS = dict(ADM_COUNTS, district=2, settlement_mo=2)


@tagged("post_install", "-at_install")
class TestGarImport(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The messages checked below are the English sources (the suite runs with Russian loaded).
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.tmp = Path(tempfile.mkdtemp(prefix="gar_test_"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.demo_dir = cls.tmp / "demo"
        gar_sample.build_demo_extract(cls.demo_dir)
        cls.demo = gar_sample.demo_extract()
        cls.Address = cls.env["tko.address"].with_context(active_test=False)
        cls.operator = cls.env["res.users"].create(
            {
                "name": "Оператор ГАР",
                "login": "gar_operator",
                "groups_id": [(6, 0, [cls.env.ref("mobill_tko_base.group_tko_operator").id])],
            }
        )

    # ------------------------------------------------------------------ helpers

    def _import(self, path=None, env=None, **options):
        env = env or self.env
        log = trusted(env["tko.gar.import.log"]).create(  # as the wizard does
            {
                "name": Path(path or self.demo_dir).name,
                "source": "server",
                "server_path": str(path or self.demo_dir),
                "hierarchy": options.get("hierarchy", "adm"),
                "only_actual": options.get("only_actual", True),
            }
        )
        log._run_import()
        return log

    def _imported(self, company=None, **domain):
        company = company or self.env.company
        return self.Address.search(
            [("gar_object_id", ">", 0), ("company_id", "=", company.id)]
            + [(key, "=", value) for key, value in domain.items()]
        )

    def _by_objectid(self, objectid, company=None):
        company = company or self.env.company
        return self.Address.search(
            [("gar_object_id", "=", objectid), ("company_id", "=", company.id)]
        )

    def _objectid(self, name, level=None):
        for obj in self.demo.addr_objects:
            if obj.name == name and obj.isactual and (level is None or obj.level == level):
                return obj.objectid
        raise AssertionError(name)

    def _house_objectid(self, street_name, number):
        street = self._objectid(street_name, 8)
        for link in self.demo.adm_hierarchy:
            if link.parentobjid != street:
                continue
            for house in self.demo.houses:
                if house.objectid == link.objectid and house.housenum == number:
                    return house.objectid
        raise AssertionError((street_name, number))

    def _level_counts(self, company=None):
        records = self._imported(company=company, active=True)
        counts = dict.fromkeys(ADM_COUNTS, 0)
        for record in records:
            counts[record.level] += 1
        return counts

    def _write_variant(self, folder, addr_objects=None, houses=None, links=None):
        """The demo extract with some records replaced (both hierarchies get ``links``)."""
        demo = self.demo
        return gar.write_sample_extract(
            folder,
            gar_sample.DEMO_REGION_CODE,
            addr_objects=addr_objects if addr_objects is not None else demo.addr_objects,
            houses=houses if houses is not None else demo.houses,
            apartments=demo.apartments,
            rooms=demo.rooms,
            mun_hierarchy=links[0] if links else demo.mun_hierarchy,
            adm_hierarchy=links[1] if links else demo.adm_hierarchy,
            extract_date=gar_sample.DEMO_EXTRACT_DATE,
        )

    # ------------------------------------------------------------------ tests

    def test_import_demo_extract(self):
        """The demo region lands in the address plan with its tree, names and kinds."""
        log = self._import()
        self.assertEqual(log.state, "done", log.report)
        self.assertEqual(self._level_counts(), ADM_COUNTS)
        total = sum(ADM_COUNTS.values())
        self.assertEqual(len(self._imported()), total, "nothing archived is created")
        self.assertEqual(log.count_created, total)
        self.assertEqual((log.count_updated, log.count_deactivated, log.count_errors), (0, 0, 0))
        # the old name of ул Садовая, the demolished house and its link are not actual; the
        # four municipal units are not in the administrative hierarchy
        self.assertEqual(log.count_skipped, 3 + 4)
        self.assertEqual(log.region_name, "Энская обл")
        self.assertIn("Created 104", log.report)

        region = self._by_objectid(gar_sample.FIRST_OBJECTID)
        ensk = self._by_objectid(self._objectid("Энск"))
        lenina = self._by_objectid(self._objectid("Ленина"))
        house = self._by_objectid(self._house_objectid("Ленина", "1"))
        flat = house.child_ids.filtered(lambda r: r.name == "1" and r.type_name == "кв.")
        self.assertEqual(len(flat), 1)
        self.assertEqual(
            (region.level, ensk.level, lenina.level, house.level, flat.level),
            ("region", "locality", "street", "house", "premises"),
        )
        self.assertEqual(flat.parent_id, house)
        self.assertEqual(house.parent_id, lenina)
        self.assertEqual(lenina.parent_id, ensk)
        self.assertEqual(ensk.parent_id, region)
        self.assertFalse(region.parent_id)
        self.assertEqual(flat.full_name, "Энская обл, г Энск, ул Ленина, д. 1, кв. 1")
        self.assertIn("ул Ленина", flat.full_name)
        self.assertIn("г Энск", flat.full_name)
        self.assertEqual(
            flat.parent_path, f"{region.id}/{ensk.id}/{lenina.id}/{house.id}/{flat.id}/"
        )
        self.assertEqual((house.gar_level, flat.gar_level, lenina.gar_level), (10, 11, 8))
        self.assertEqual(house.gar_guid, gar_sample.demo_extract().houses[0].objectguid)
        self.assertTrue(flat.is_actual and flat.active)
        # kinds: a house with flats is an МКД; flats are apartments, the shop and the office not
        self.assertEqual(house.house_kind, "mkd")
        self.assertEqual(house.child_ids.mapped("premises_kind").count("apartment"), 12)
        shop = house.child_ids.filtered(lambda r: r.type_name == "помещ.")
        self.assertEqual(shop.premises_kind, "non_residential")
        warehouse = self._by_objectid(self._house_objectid("Ленина", "7"))
        self.assertEqual((warehouse.type_name, warehouse.name), ("зд.", "7 стр. 1"))
        self.assertFalse(warehouse.house_kind)
        korpus = self._by_objectid(self._house_objectid("Ленина", "5"))
        self.assertEqual(korpus.full_name, "Энская обл, г Энск, ул Ленина, д. 5 к. 2")
        # the current name of a renamed street, not its former one
        self.assertEqual(self._by_objectid(self._objectid("Садовая")).name, "Садовая")
        self.assertFalse(self._imported(name="Советская"))
        self.assertFalse(self._by_objectid(self._house_objectid("Садовая", "6")))
        # the ORM's tree works on the SQL-built parent_path
        below_ensk = self.Address.search([("id", "child_of", ensk.id)])
        # Энск, мкр Северный, 4 streets, 11 houses, 58 premises
        self.assertEqual(len(below_ensk), 1 + 1 + 4 + 11 + 58)
        ancestors = self.Address.search([("id", "parent_of", flat.id)])
        self.assertEqual(ancestors, flat | house | lenina | ensk | region)
        # the stored computes match what the ORM computes
        zone = self.env["tko.tariff.zone"].create({"name": "Зона Энск", "code": "ENSK"})
        ensk.tariff_zone_id = zone
        self.assertEqual(flat.zone_id, zone)
        lenina.name = "Ленина В.И."
        self.assertEqual(flat.full_name, "Энская обл, г Энск, ул Ленина В.И., д. 1, кв. 1")

    def _assert_computes_match_orm(self):
        """The columns written in SQL equal what the ORM computes for every element."""
        records = self.Address.search([("company_id", "=", self.env.company.id)])
        stored = {r.id: (r.full_name, r.zone_id.id) for r in records}
        for record in records:
            expected_path = f"{record.parent_id.parent_path or ''}{record.id}/"
            self.assertEqual(record.parent_path, expected_path, record.full_name)
        Address = self.env["tko.address"]
        for fname in ("full_name", "zone_id"):
            self.env.add_to_compute(Address._fields[fname], records)
        records._recompute_recordset(["full_name", "zone_id"])
        self.assertEqual({r.id: (r.full_name, r.zone_id.id) for r in records}, stored)

    def test_sql_computes_match_orm(self):
        """full_name, zone_id and parent_path written in SQL are the model's computes, also
        for a tariff zone, a renamed region and an element entered by hand below ГАР ones."""
        self._import(hierarchy="mun")
        self._assert_computes_match_orm()
        zone = self.env["tko.tariff.zone"].create({"name": "Заречный", "code": "Z-ZAR"})
        district = self._by_objectid(self._objectid("Заречный", 3))
        self.env.cr.execute(
            "UPDATE tko_address SET tariff_zone_id = %s WHERE id = %s", (zone.id, district.id)
        )
        self.env.invalidate_all()
        self.Address.create(
            {
                "name": "Новая",
                "type_name": "ул.",
                "level": "street",
                "parent_id": self._by_objectid(self._objectid("Луговое")).id,
            }
        )
        addr_objects = [
            dataclasses.replace(obj, name="Энская-Новая")
            if obj.objectid == gar_sample.FIRST_OBJECTID
            else obj
            for obj in self.demo.addr_objects
        ]
        folder = self.tmp / "renamed_region"
        self._write_variant(folder, addr_objects=addr_objects)
        log = self._import(folder, hierarchy="mun")
        self.assertEqual(log.count_updated, 1)
        flat = self._imported(level="premises")[:1]
        self.assertTrue(flat.full_name.startswith("Энская-Новая обл, "))
        polevaya = self._by_objectid(self._objectid("Полевая"))
        self.assertEqual(polevaya.zone_id, zone)
        self._assert_computes_match_orm()

    def test_import_municipal_hierarchy(self):
        """The municipal hierarchy places settlements under municipal units."""
        log = self._import(hierarchy="mun")
        self.assertEqual(log.state, "done")
        self.assertEqual(self._level_counts(), MUN_COUNTS)
        zarechny = self._by_objectid(self._objectid("Заречный", 6))
        self.assertEqual(
            zarechny.full_name, "Энская обл, Заречный м.р-н, Заречное г.п., пгт Заречный"
        )
        self.assertEqual(zarechny.parent_id.level, "settlement_mo")

    def test_import_twice_no_duplicates(self):
        """Importing the same extract again changes nothing and creates nothing."""
        self._import()
        before = self._imported()
        snapshot = {r.id: (r.full_name, r.parent_path, r.write_date) for r in before}
        log = self._import()
        after = self._imported()
        self.assertEqual(after, before)
        self.assertEqual(self._level_counts(), ADM_COUNTS)
        self.assertEqual(
            {r.id: (r.full_name, r.parent_path, r.write_date) for r in after}, snapshot
        )
        self.assertEqual(
            (log.count_created, log.count_updated, log.count_deactivated, log.count_unchanged),
            (0, 0, 0, sum(ADM_COUNTS.values())),
        )

    def test_reimport_modified_extract(self):
        """A renamed street keeps its record; a house gone from ГАР is archived; a moved house
        follows its new street and the objects on it take the new tariff zone."""
        self._import()
        ensk = self._by_objectid(self._objectid("Энск"))
        zarechny = self._by_objectid(self._objectid("Заречный", 6))
        Zone = self.env["tko.tariff.zone"]
        zone_ensk = Zone.create({"name": "Энск", "code": "Z-ENSK"})
        zone_zarechny = Zone.create({"name": "Заречный", "code": "Z-ZAR"})
        ensk.tariff_zone_id = zone_ensk
        zarechny.tariff_zone_id = zone_zarechny
        sadovaya_id = self._objectid("Садовая")
        street = self._by_objectid(sadovaya_id)
        house_2 = self._by_objectid(self._house_objectid("Садовая", "2"))
        gone_id = self._house_objectid("Мира", "14")
        moved_id = self._house_objectid("Ленина", "7")
        moved = self._by_objectid(moved_id)
        warehouse = self.env["tko.object"].create(
            {"name": "Склад", "kind": "facility", "address_id": moved.id}
        )
        self.assertEqual(warehouse.zone_id, zone_ensk)
        # a house entered by hand on the street that is renamed
        manual_house = self.Address.create(
            {"name": "8", "type_name": "д.", "level": "house", "parent_id": street.id}
        )
        manual_written = manual_house.write_date

        addr_objects = [
            dataclasses.replace(obj, name="Садовая-Кудринская")
            if obj.objectid == sadovaya_id and obj.isactual
            else obj
            for obj in self.demo.addr_objects
        ]
        houses = [house for house in self.demo.houses if house.objectid != gone_id]
        tsentralnaya_id = self._objectid("Центральная")

        def relink(links):
            result = []
            for link in links:
                if link.objectid == gone_id:
                    continue
                if link.objectid == moved_id:
                    link = dataclasses.replace(link, parentobjid=tsentralnaya_id)
                result.append(link)
            return result

        folder = self.tmp / "variant"
        self._write_variant(
            folder,
            addr_objects=addr_objects,
            houses=houses,
            links=(relink(self.demo.mun_hierarchy), relink(self.demo.adm_hierarchy)),
        )
        log = self._import(folder)
        self.assertEqual(log.state, "done", log.report)
        self.assertEqual((log.count_created, log.count_updated, log.count_deactivated), (0, 2, 1))

        renamed = self._by_objectid(sadovaya_id)
        self.assertEqual(renamed, street, "renamed in place")
        self.assertEqual(renamed.name, "Садовая-Кудринская")
        self.assertEqual(house_2.full_name, "Энская обл, г Энск, ул Садовая-Кудринская, д. 2")
        gone = self._by_objectid(gone_id)
        self.assertTrue(gone, "an element gone from ГАР is kept (archived), not deleted")
        self.assertFalse(gone.active)
        self.assertFalse(gone.is_actual)
        self.assertEqual(len(self._imported(active=True)), sum(ADM_COUNTS.values()) - 1)
        # the moved house
        tsentralnaya = self._by_objectid(tsentralnaya_id)
        self.assertEqual(moved.parent_id, tsentralnaya)
        self.assertEqual(
            moved.full_name, "Энская обл, Заречный р-н, пгт Заречный, ул Центральная, зд. 7 стр. 1"
        )
        self.assertTrue(moved.parent_path.startswith(tsentralnaya.parent_path))
        self.assertEqual(moved.zone_id, zone_zarechny)
        self.assertEqual(warehouse.zone_id, zone_zarechny, "objects follow their address's zone")
        # the house entered by hand: own data untouched, its full address follows the street
        self.assertEqual(
            (manual_house.name, manual_house.parent_id, manual_house.active), ("8", street, True)
        )
        self.assertEqual(manual_house.write_date, manual_written)
        self.assertEqual(manual_house.full_name, "Энская обл, г Энск, ул Садовая-Кудринская, д. 8")

        # the house comes back: reactivated, not duplicated
        log = self._import()
        self.assertEqual((log.count_created, log.count_deactivated), (0, 0))
        self.assertTrue(gone.active and gone.is_actual)
        self.assertEqual(self._level_counts(), ADM_COUNTS)

    def test_not_actual_records_imported_archived(self):
        """Without “only actual records” the demolished house is there, archived."""
        log = self._import(only_actual=False)
        self.assertEqual(log.count_created, sum(ADM_COUNTS.values()) + 1)
        self.assertEqual(self._level_counts(), ADM_COUNTS)
        demolished = self._by_objectid(self._house_objectid("Садовая", "6"))
        self.assertTrue(demolished)
        self.assertFalse(demolished.active)
        self.assertFalse(demolished.is_actual)
        self.assertEqual(self._by_objectid(self._objectid("Садовая")).name, "Садовая")

    def test_malformed_extract_nothing_written(self):
        """A damaged file stops the import with its name and line; nothing is written."""
        self._import()
        sadovaya_id = self._objectid("Садовая")
        addr_objects = [
            dataclasses.replace(obj, name="Новая") if obj.objectid == sadovaya_id else obj
            for obj in self.demo.addr_objects
        ]
        folder = self.tmp / "broken"
        files = self._write_variant(folder, addr_objects=addr_objects)
        # the hierarchy is read last: everything else has been read when the error comes
        hierarchy = next(path for path in files if path.name.startswith("AS_ADM_HIERARCHY"))
        text = hierarchy.read_text(encoding="utf-8")
        hierarchy.write_text(text[: len(text) // 2] + "<ITEM ID=", encoding="utf-8")
        count = len(self._imported())
        with self.assertRaises(UserError) as caught:
            self._import(folder)
        message = str(caught.exception)
        self.assertIn(hierarchy.name, message)
        self.assertIn("line", message)
        self.assertEqual(len(self._imported()), count)
        self.assertEqual(self._by_objectid(sadovaya_id).name, "Садовая")

        # a wrong value in a record
        houses = gar.TABLES["houses"]
        folder = self.tmp / "bad_value"
        files = self._write_variant(folder)
        path = next(path for path in files if path.name.startswith(houses.prefix + "_"))
        path.write_text(
            path.read_text(encoding="utf-8").replace('ISACTUAL="1"', 'ISACTUAL="да"', 1),
            encoding="utf-8",
        )
        with self.assertRaises(UserError) as caught:
            self._import(folder)
        self.assertIn("ISACTUAL", str(caught.exception))
        self.assertIn(path.name, str(caught.exception))

        # no region at the head of the hierarchy
        folder = self.tmp / "no_region"
        self._write_variant(
            folder,
            addr_objects=[o for o in self.demo.addr_objects if o.level != 1],
        )
        with self.assertRaises(UserError) as caught:
            self._import(folder)
        self.assertIn("no region", str(caught.exception))

        # a file that is not an extract at all, through the wizard
        wizard = self.env["tko.gar.import.wizard"].create(
            {"file": base64.b64encode(b"not a zip"), "file_name": "region.zip"}
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_import()
        self.assertIn("region.zip", str(caught.exception))
        self.assertEqual(len(self._imported()), count)

    def test_first_import_malformed_creates_nothing(self):
        folder = self.tmp / "broken_first"
        files = gar_sample.build_demo_extract(folder)
        houses = next(path for path in files if path.name.startswith("AS_HOUSES_"))
        houses.write_bytes(houses.read_bytes()[:-40])
        with self.assertRaises(UserError) as caught:
            self._import(folder)
        self.assertIn(houses.name, str(caught.exception))
        self.assertFalse(self._imported())

    def test_manual_address_untouched(self):
        """Addresses entered by hand (no ГАР object id) are never changed by an import."""
        manual_region = self.Address.create(
            {"name": "Ручная", "type_name": "обл.", "level": "region", "gar_object_id": 0}
        )
        self._import()
        ensk = self._by_objectid(self._objectid("Энск"))
        manual_street = self.Address.create(
            {"name": "Новая", "type_name": "ул.", "level": "street", "parent_id": ensk.id}
        )
        written = (manual_region.write_date, manual_street.write_date)
        folder = self.tmp / "no_lenina"
        lenina_id = self._objectid("Ленина")
        self._write_variant(
            folder, addr_objects=[o for o in self.demo.addr_objects if o.objectid != lenina_id]
        )
        log = self._import(folder)
        self.assertEqual(log.state, "done")
        self.assertTrue(log.count_errors, "the houses of the vanished street have no parent")
        self.assertIn("parent is not in the extract", log.report)
        self.assertFalse(self._by_objectid(lenina_id).active)
        for record in (manual_region, manual_street):
            self.assertTrue(record.active)
            self.assertTrue(record.is_actual)
        self.assertEqual(manual_street.parent_id, ensk)
        self.assertEqual(manual_street.full_name, "Энская обл, г Энск, ул. Новая")
        self.assertEqual(manual_region.full_name, "Ручная обл.")
        self.assertEqual((manual_region.write_date, manual_street.write_date), written)

    def test_companies(self):
        """Imports go into the current company; another company sees none of them and gets
        its own copy when it imports the same extract."""
        self._import()
        other = self.env["res.company"].create({"name": "Другой региональный оператор"})
        user = self.env["res.users"].create(
            {
                "name": "Оператор другой компании",
                "login": "gar_other_company",
                "company_id": other.id,
                "company_ids": [(6, 0, [other.id])],
                "groups_id": [(6, 0, [self.env.ref("mobill_tko_base.group_tko_operator").id])],
            }
        )
        other_env = self.env(user=user)
        self.assertFalse(other_env["tko.address"].search([("gar_object_id", ">", 0)]))
        self.assertFalse(other_env["tko.gar.import.log"].search([]))
        log = self._import(env=other_env)
        self.assertEqual(log.company_id, other)
        self.assertEqual(log.count_created, sum(ADM_COUNTS.values()))
        self.assertEqual(self._level_counts(company=other), ADM_COUNTS)
        self.assertEqual(self._level_counts(), ADM_COUNTS, "the first company's plan is intact")
        mine = self._by_objectid(gar_sample.FIRST_OBJECTID)
        theirs = self._by_objectid(gar_sample.FIRST_OBJECTID, company=other)
        self.assertNotEqual(mine, theirs)
        self.assertEqual(other_env["tko.address"].search([("id", "=", mine.id)]).ids, [])
        self.assertEqual(len(other_env["tko.gar.import.log"].search([])), 1)

    def test_wizard_upload(self):
        """An operator uploads the zip: it is imported at once and the log shows the result."""
        archive = shutil.make_archive(str(self.tmp / "upload"), "zip", self.demo_dir)
        data = base64.b64encode(Path(archive).read_bytes())
        wizard = (
            self.env["tko.gar.import.wizard"]
            .with_user(self.operator)
            .create({"file": data, "file_name": "98.zip", "hierarchy": "adm"})
        )
        action = wizard.action_import()
        log = self.env["tko.gar.import.log"].browse(action["res_id"])
        self.assertEqual(log.state, "done", log.report)
        self.assertEqual(log.user_id, self.operator)
        self.assertEqual(log.count_created, sum(ADM_COUNTS.values()))
        self.assertEqual(log.name, "98.zip")
        self.assertFalse(log.attachment_id, "the uploaded archive is deleted once imported")
        self.assertEqual(self._level_counts(), ADM_COUNTS)
        self.assertTrue(log.date_done)

    def test_wizard_server_folder_job(self):
        """A big region is placed in the import folder on the server and imported by a job;
        paths outside that folder are refused to operators."""
        self.env["ir.config_parameter"].set_param("mobill_tko_base.gar_import_dir", str(self.tmp))
        Wizard = self.env["tko.gar.import.wizard"].with_user(self.operator)
        wizard = Wizard.create({"source": "server", "server_path": "/etc"})
        with self.assertRaises(UserError):
            wizard.action_import()
        wizard = Wizard.create({"source": "server", "server_path": str(self.tmp / "nothing")})
        with self.assertRaises(UserError) as caught:
            wizard.action_import()
        self.assertIn("not found", str(caught.exception))
        wizard = Wizard.create(
            {"source": "server", "server_path": str(self.demo_dir), "hierarchy": "mun"}
        )
        action = wizard.with_context(queue_job__no_delay=True).action_import()
        log = self.env["tko.gar.import.log"].browse(action["res_id"])
        self.assertEqual(log.state, "done", log.report)
        self.assertEqual(self._level_counts(), MUN_COUNTS)

    def test_wizard_enqueues_job(self):
        """Without the test shortcut, a server extract becomes a queue_job job."""
        self.env["ir.config_parameter"].set_param("mobill_tko_base.gar_import_dir", str(self.tmp))
        wizard = self.env["tko.gar.import.wizard"].create(
            {"source": "server", "server_path": str(self.demo_dir)}
        )
        action = wizard.action_import()
        log = self.env["tko.gar.import.log"].browse(action["res_id"])
        self.assertEqual(log.state, "queued")
        job = self.env["queue.job"].search([("uuid", "=", log.job_uuid)])
        self.assertEqual(len(job), 1)
        self.assertEqual(job.method_name, "_run_import")
        self.assertIn("demo", job.name)
        self.assertFalse(self._imported(), "nothing is imported before the job runs")

    def test_reader_errors_in_russian_by_code(self):
        """The ГАР reader's codes go the common way of core messages: Russian with the values,
        the uploaded file's name instead of the server's path."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["mobill_tko_base"], ["ru_RU"])
        Log = self.env["tko.gar.import.log"].with_context(lang="ru_RU")
        damaged = GarError("gar_malformed", "bad XML", file="AS_HOUSES_1.XML", line=3, column=17)
        message = Log._gar_error_message(damaged)
        self.assertIn("AS_HOUSES_1.XML", message)
        self.assertIn("17", message)
        self.assertNotIn("damaged", message)
        missing = GarError("gar_path_not_found", "/tmp/x does not exist", path="/tmp/x")
        message = Log._gar_error_message(missing, "region.zip")
        self.assertIn("region.zip", message)
        self.assertNotIn("/tmp/x", message)
        self.assertNotIn("not found", message)
