from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import BillingCase

ACCOUNTANT = "mobill_tko_base.group_tko_accountant"


@tagged("post_install", "-at_install")
class TestCreateFromForm(BillingCase):
    """A clerk creates documents from their forms: the client sends every field's default
    (the header's «Статус» = draft), which is no write of a protected field; a state other than
    the default, even disguised as a default by the context, is still refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(cls.env, "form_accountant", groups=ACCOUNTANT)

    def test_absence_and_recalculation_are_created_from_their_forms(self):
        Absence = self.env["tko.absence"].with_user(self.accountant)
        with Form(Absence) as form:
            form.account_id = self.acc2
            form.departure = "2025-04-05"
            form.arrival = "2025-04-15"
        absence = form.record
        self.assertEqual(absence.state, "draft")
        Recalc = self.env["tko.recalculation"].with_user(self.accountant)
        with Form(Recalc) as form:
            form.basis_type = "document"
            form.date_from = "2025-04-01"
        self.assertEqual(form.record.state, "draft")

    def test_payment_form_takes_the_payer_of_the_account_or_contract(self):
        view = "mobill_tko_billing.tko_payment_view_form"
        form = Form(self.env["tko.payment"].with_user(self.accountant), view=view)
        form.account_id = self.acc2
        self.assertEqual(form.partner_id, self.acc2.partner_id)
        form.account_id = self.env["tko.account"]
        form.contract_id = self.contract
        self.assertEqual(form.partner_id, self.contract.partner_id)

    def test_the_default_state_sent_by_the_client_is_accepted(self):
        Absence = self.env["tko.absence"].with_user(self.accountant)
        vals = {"account_id": self.acc2.id, "departure": "2025-04-05", "arrival": "2025-04-15"}
        absence = Absence.create(dict(vals, state="draft", recalculation_id=False))
        self.assertEqual(absence.state, "draft")

    def test_a_state_other_than_the_default_is_refused(self):
        Absence = self.env["tko.absence"].with_user(self.accountant)
        vals = {"account_id": self.acc2.id, "departure": "2025-04-05", "arrival": "2025-04-15"}
        with self.assertRaises(AccessError):
            Absence.create(dict(vals, state="confirmed"))
        with self.assertRaises(AccessError):
            Absence.with_context(default_state="confirmed").create(dict(vals, state="confirmed"))

    def test_the_refusal_names_the_model_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["mobill_tko_billing"], ["ru_RU"])
        self.accountant.lang = "ru_RU"
        Absence = self.env["tko.absence"].with_user(self.accountant).with_context(lang="ru_RU")
        vals = {"account_id": self.acc2.id, "departure": "2025-04-05", "arrival": "2025-04-15"}
        with self.assertRaises(AccessError) as caught:
            Absence.create(dict(vals, state="confirmed"))
        name = self.env["ir.model"]._get("tko.absence").with_context(lang="ru_RU").name
        self.assertNotEqual(name, "Temporary absence")
        self.assertIn(name, str(caught.exception))
