"""Every onchange of the registry, through the forms a clerk uses (``Form`` runs the view's
onchanges as the web client does)."""

from datetime import date

from odoo.tests import Form, tagged

from .common import RegistryCase


@tagged("post_install", "-at_install")
class TestRegistryOnchanges(RegistryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["tko.account"].create(
            {"partner_id": cls.person.id, "object_id": cls.obj.id, "date_open": date(2025, 1, 1)}
        )
        cls.shop = cls.env["res.partner"].create(
            {"name": "ООО Лавка", "is_tko_consumer": True, "tko_kind": "legal"}
        )
        cls.contract = cls.env["tko.contract"].create(
            {"partner_id": cls.shop.id, "date_start": date(2025, 3, 1)}
        )

    def test_consumer_kind_sets_company_flag(self):
        view = "mobill_tko_base.res_partner_view_form_tko"
        Partner = self.env["res.partner"].with_context(default_is_tko_consumer=True)
        with Form(Partner, view=view) as form:
            form.name = "ООО Вектор"
            form.tko_kind = "legal"
            self.assertTrue(form.is_company)
            form.tko_kind = "person"
            self.assertFalse(form.is_company)

    def test_container_type_gives_its_volume(self):
        euro = self.env["tko.container.type"].create({"name": "Евроконтейнер", "volume": 1.1})
        view = "mobill_tko_base.tko_object_characteristic_view_form"
        form = Form(self.env["tko.object.characteristic"], view=view)
        form.object_id = self.obj
        form.kind = "containers"
        form.date_from = date(2025, 2, 1)
        form.container_count = 2
        form.schedule_kind = "daily"
        form.container_type_id = euro
        self.assertEqual(form.container_volume, 1.1)
        version = form.save()
        self.assertEqual(version.container_volume, 1.1)

    def test_document_takes_the_consumer_of_what_it_is_about(self):
        view = "mobill_tko_base.tko_document_view_form"
        form = Form(self.env["tko.document"], view=view)
        form.name = "Справка о составе семьи"
        form.account_id = self.account
        self.assertEqual(form.partner_id, self.person)
        # a consumer chosen by the clerk is kept
        form.contract_id = self.contract
        self.assertEqual(form.partner_id, self.person)

    def test_contract_line_starts_with_the_contract(self):
        form = Form(self.env["tko.contract.line"])
        form.contract_id = self.contract
        self.assertEqual(form.date_from, date(2025, 3, 1))
        form.date_from = date(2025, 4, 1)
        form.contract_id = self.contract
        self.assertEqual(form.date_from, date(2025, 4, 1), "a date given stays")
