import subprocess
import tempfile
from datetime import date
from decimal import Decimal

from odoo import Command
from odoo.tests import TransactionCase


def pdf_text(content):
    """The text of a PDF (``pdftotext -layout``), spaces of any kind made plain."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", pdf.name, "-"], capture_output=True, check=True
        ).stdout.decode()
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


class BillingCase(TransactionCase):
    """A small region of our own: one tariff zone, a town with flats and a house, a shop and a
    café under contracts; tariffs and norms of 2025 and 2026 (law brief E1, E2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company._tko_billing_setup()
        cls.zone = cls.env["tko.tariff.zone"].create({"name": "Тестовая зона", "code": "TZ-BILL"})
        cls.zone_other = cls.env["tko.tariff.zone"].create(
            {"name": "Другая зона", "code": "TZ-BILL2"}
        )
        Address = cls.env["tko.address"]
        region = Address.create({"name": "Тестовая", "type_name": "обл.", "level": "region"})
        cls.town = Address.create(
            {
                "name": "Тестовск",
                "type_name": "г.",
                "level": "locality",
                "parent_id": region.id,
                "tariff_zone_id": cls.zone.id,
            }
        )
        cls.village = Address.create(
            {
                "name": "Другое",
                "type_name": "с.",
                "level": "locality",
                "parent_id": region.id,
                "tariff_zone_id": cls.zone_other.id,
            }
        )
        cls.nowhere = Address.create(
            {"name": "Без зоны", "type_name": "с.", "level": "locality", "parent_id": region.id}
        )
        street = Address.create(
            {"name": "Ленина", "type_name": "ул.", "level": "street", "parent_id": cls.town.id}
        )
        cls.house = Address.create(
            {
                "name": "1",
                "type_name": "д.",
                "level": "house",
                "parent_id": street.id,
                "house_kind": "mkd",
            }
        )
        cls.mkd = cls.env.ref("mobill_tko_base.norm_category_mkd")
        cls.shop = cls.env.ref("mobill_tko_base.norm_category_shop_food")
        Norm = cls.env["tko.norm"]
        for zone in (cls.zone, cls.zone_other):
            Norm.create(
                {
                    "category_id": cls.mkd.id,
                    "zone_id": zone.id,
                    "value": 1.56,
                    "date_from": "2025-01-01",
                }
            )
        Norm.create(
            {
                "category_id": cls.shop.id,
                "zone_id": cls.zone.id,
                "value": 0.8,
                "date_from": "2025-01-01",
            }
        )
        Tariff = cls.env["tko.tariff"]
        for zone in (cls.zone, cls.zone_other):
            Tariff.create(
                {
                    "zone_id": zone.id,
                    "consumer_group": "population",
                    "price": 557.76,
                    "vat_mode": "included",
                    "date_from": "2025-01-01",
                    "date_to": "2025-12-31",
                }
            )
            Tariff.create(
                {
                    "zone_id": zone.id,
                    "consumer_group": "population",
                    "price": 600.00,
                    "vat_mode": "included",
                    "date_from": "2026-01-01",
                }
            )
        cls.tariff_other = Tariff.create(
            {
                "zone_id": cls.zone.id,
                "consumer_group": "other",
                "price": 600.00,
                "vat_mode": "excluded",
                "date_from": "2025-01-01",
            }
        )
        # individuals: 3, 2 and 1 residents in the town; 1 in the village; one without a zone
        cls.acc1 = cls._account("кв. 1", cls.house, 3)
        cls.acc2 = cls._account("кв. 2", cls.house, 2)
        cls.acc3 = cls._account("кв. 3", cls.house, 1)
        cls.acc_village = cls._account("д. 7", cls.village, 1)
        cls.acc_nozone = cls._account("д. 9", cls.nowhere, 2)
        cls.town_accounts = cls.acc1 | cls.acc2 | cls.acc3
        # a shop by norm (law brief E2) with advances; a café by containers
        cls.shop_partner = cls.env["res.partner"].create(
            {"name": "ООО «Магазин»", "is_company": True, "is_tko_consumer": True}
        )
        cls.shop_obj = cls._object("Магазин", cls.house, "facility", cls.shop_partner)
        cls.env["tko.object.characteristic"].create(
            {
                "object_id": cls.shop_obj.id,
                "kind": "units",
                "norm_category_id": cls.shop.id,
                "value": 100,
                "date_from": "2024-01-01",
            }
        )
        cls.contract = cls.env["tko.contract"].create(
            {
                "partner_id": cls.shop_partner.id,
                "date_start": "2024-01-01",
                "line_ids": [
                    Command.create(
                        {
                            "object_id": cls.shop_obj.id,
                            "scheme": "norm",
                            "norm_category_id": cls.shop.id,
                            "date_from": "2024-01-01",
                        }
                    )
                ],
                "condition_ids": [
                    Command.create(
                        {
                            "date_from": "2024-01-01",
                            "due_day": 15,
                            "advance": True,
                            "advance_share": 50,
                            "advance_due_day": 18,
                        }
                    )
                ],
            }
        )
        cls.contract.action_activate()
        cls.cafe_partner = cls.env["res.partner"].create(
            {"name": "ИП Кафе", "is_company": True, "is_tko_consumer": True}
        )
        cls.cafe_obj = cls._object("Кафе", cls.house, "facility", cls.cafe_partner)
        cls.env["tko.object.characteristic"].create(
            {
                "object_id": cls.cafe_obj.id,
                "kind": "containers",
                "container_count": 2,
                "container_volume": 0.75,
                "schedule_kind": "weekdays",
                "schedule_weekdays": "1",
                "date_from": "2024-01-01",
            }
        )
        cls.contract_cafe = cls.env["tko.contract"].create(
            {
                "partner_id": cls.cafe_partner.id,
                "date_start": "2024-01-01",
                "line_ids": [
                    Command.create(
                        {
                            "object_id": cls.cafe_obj.id,
                            "scheme": "containers",
                            "date_from": "2024-01-01",
                        }
                    )
                ],
            }
        )
        cls.contract_cafe.action_activate()
        cls.contracts = cls.contract | cls.contract_cafe

    @classmethod
    def payee_requisites(cls):
        """The operator's requisites a receipt and its QR code need: name, INN, KPP and a bank
        account that comes first (the payee's account is the company's first one)."""
        partner = cls.company.partner_id
        partner.write({"name": "ООО «Региональный оператор»", "vat": "4000000008"})
        partner.kpp = "400001001"
        bank = cls.env["res.bank"].create(
            {"name": "ПАО СБЕРБАНК", "bic": "044525225", "corr_account": "30101810400000000225"}
        )
        partner.bank_ids.write({"sequence": 50})
        cls.env["res.partner.bank"].create(
            {
                "acc_number": "40702810500000001234",
                "bank_id": bank.id,
                "partner_id": partner.id,
                "sequence": 1,
            }
        )

    @classmethod
    def _object(cls, name, address, kind="apartment", partner=None):
        return cls.env["tko.object"].create(
            {
                "name": name,
                "kind": kind,
                "address_id": address.id,
                "partner_id": partner and partner.id,
            }
        )

    @classmethod
    def _account(cls, name, address, residents):
        partner = cls.env["res.partner"].create(
            {"name": f"Житель {name}", "is_tko_consumer": True, "tko_kind": "person"}
        )
        obj = cls._object(name, address, "apartment", partner)
        cls.env["tko.object.characteristic"].create(
            {
                "object_id": obj.id,
                "kind": "residents_permanent",
                "value": residents,
                "date_from": "2024-01-01",
            }
        )
        return cls.env["tko.account"].create(
            {"partner_id": partner.id, "object_id": obj.id, "date_open": "2020-01-01"}
        )

    # ------------------------------------------------------------------ helpers
    # class methods: a test class builds its periods and charge runs once in setUpClass (each
    # test then starts from them), a test method calls them as self.period(...)
    @classmethod
    def period(cls, day, close_open=True):
        """Open the period of ``day`` (closing the open one first when asked)."""
        Period = cls.env["tko.billing.period"]
        if close_open:
            current = Period._open_period(raise_if_none=False)
            if current:
                current.action_post()
                current.action_close()
        return Period.create({"date_start": day})

    @classmethod
    def charge_run(cls, period, **vals):
        run = cls.env["tko.charge.run"].create({"period_id": period.id, **vals})
        run.action_run_now()
        return run

    @classmethod
    def run_town(cls, period):
        return cls.charge_run(period, scope="all", address_id=cls.town.id)

    def lines(self, period, records=None, **domain):
        dom = [("period_id", "=", period.id)]
        if records is not None:
            field = "account_id" if records._name == "tko.account" else "contract_id"
            dom.append((field, "in", records.ids))
        dom += [(k, "=", v) for k, v in domain.items()]
        return self.env["tko.charge"].search(dom)

    def recon(self, period):
        Recon = self.env["tko.billing.reconciliation"]
        Recon.invalidate_model()
        return Recon.search([("period_id", "=", period.id)])

    @staticmethod
    def dec(value):
        return Decimal(str(value)).quantize(Decimal("0.01"))

    @staticmethod
    def d(text):
        return date.fromisoformat(text)
