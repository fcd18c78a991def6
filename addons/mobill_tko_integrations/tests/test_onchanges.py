"""Onchanges of the payments department's forms, as the web client runs them."""

from datetime import date

from odoo.addons.mobill_tko_billing.tests.common import BillingCase
from odoo.tests import Form, tagged

from mobill_tko_core.formats.debt_registry import period_to_pay


@tagged("post_install", "-at_install")
class TestIntegrationsOnchanges(BillingCase):
    def test_debt_registry_export_period_follows_profile_and_date(self):
        profile = self.env.ref("mobill_tko_integrations.debt_registry_profile_sberbank")
        profile.write({"company_id": self.company.id, "months_back": 1})
        view = "mobill_tko_integrations.tko_debt_registry_export_view_form"
        form = Form(self.env["tko.debt.registry.export"], view=view)
        form.profile_id = profile
        form.date_at = date(2025, 3, 5)
        self.assertEqual(form.period, period_to_pay(date(2025, 3, 5), 1))
        self.assertEqual(form.period, date(2025, 2, 1))
        form.date_at = date(2025, 1, 10)
        self.assertEqual(form.period, date(2024, 12, 1))

    def test_payment_import_is_named_after_its_file(self):
        """The file widget sends the file name; the onchange names the import after it unless
        the clerk named it."""
        Import = self.env["tko.payment.import"]
        spec = {"name": {}, "file_name": {}}
        result = Import.onchange(
            {"name": "New import", "file_name": "reestr_0305.txt"}, ["file_name"], spec
        )
        self.assertEqual(result["value"]["name"], "reestr_0305.txt")
        result = Import.onchange(
            {"name": "Сбербанк март", "file_name": "reestr_0305.txt"}, ["file_name"], spec
        )
        self.assertNotIn("name", result.get("value", {}))
