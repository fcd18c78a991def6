"""Shared fixture of the registry's tests: a zone, an address chain down to a flat, a consumer
and his apartment, built once for the class (as Odoo's AccountTestInvoicingCommon)."""

from odoo.tests import TransactionCase


class RegistryCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.zone = cls.env["tko.tariff.zone"].create({"name": "Зона 1", "code": "Z1"})
        Address = cls.env["tko.address"]
        cls.region = Address.create({"name": "Энская", "type_name": "обл.", "level": "region"})
        cls.town = Address.create(
            {
                "name": "Энск",
                "type_name": "г.",
                "level": "locality",
                "parent_id": cls.region.id,
                "tariff_zone_id": cls.zone.id,
            }
        )
        cls.street = Address.create(
            {"name": "Ленина", "type_name": "ул.", "level": "street", "parent_id": cls.town.id}
        )
        cls.house = Address.create(
            {
                "name": "5",
                "type_name": "д.",
                "level": "house",
                "parent_id": cls.street.id,
                "house_kind": "mkd",
            }
        )
        cls.flat = Address.create(
            {"name": "12", "type_name": "кв.", "level": "premises", "parent_id": cls.house.id}
        )
        cls.person = cls.env["res.partner"].create(
            {
                "name": "Иванов Иван Иванович",
                "is_tko_consumer": True,
                "tko_kind": "person",
                "vat": "500100732259",
                "snils": "112-233-445 95",
            }
        )
        cls.obj = cls.env["tko.object"].create(
            {
                "name": "кв. 12",
                "kind": "apartment",
                "address_id": cls.flat.id,
                "partner_id": cls.person.id,
            }
        )
