"""Every onchange of the claims work, through the forms a lawyer uses (``Form`` runs the view's
onchanges as the web client does)."""

from odoo.tests import Form, tagged

from .common import ClaimsCase


@tagged("post_install", "-at_install")
class TestClaimsOnchanges(ClaimsCase):
    def test_letter_takes_the_consumer_of_its_account_contract_or_claim(self):
        view = "mobill_tko_claims.tko_letter_view_form"
        form = Form(self.env["tko.letter"], view=view)
        form.account_id = self.accounts["unpaid"]
        self.assertEqual(form.partner_id, self.partners["unpaid"])
        form.contract_id = self.contract
        # the account still names the consumer first, as the onchange reads them
        self.assertEqual(form.partner_id, self.partners["unpaid"])
        form.account_id = self.env["tko.account"]
        form.contract_id = self.contract
        self.assertEqual(form.partner_id, self.legal)

    def test_notice_takes_the_consumers_address_and_phone(self):
        view = "mobill_tko_claims.tko_notice_view_form"
        form = Form(self.env["tko.notice"], view=view)
        form.partner_id = self.partners["paid"]
        self.assertEqual(form.email_to, "paid@example.com")
        self.assertEqual(form.phone, "+7 912 000-00-02")

    def test_sms_gateway_kind_gives_its_address_unless_typed(self):
        view = "mobill_tko_claims.tko_sms_provider_view_form"
        form = Form(self.env["tko.sms.provider"], view=view)
        form.kind = "smsc"
        self.assertEqual(form.url, "https://smsc.ru/sys/send.php")
        form.kind = "smsru"
        self.assertEqual(form.url, "https://sms.ru/sms/send")
        form.url = "https://sms.example.com/send"
        form.kind = "smsc"
        self.assertEqual(form.url, "https://sms.example.com/send", "an address typed stays")

    def test_debt_on_a_date_drops_a_settlement_outside_the_district(self):
        view = "mobill_tko_claims.tko_debt_at_date_view_form"
        other = self.env["tko.address"].create(
            {
                "name": "Заозёрный",
                "type_name": "р-н",
                "level": "district",
                "parent_id": self.region.id,
            }
        )
        form = Form(self.env["tko.debt.at.date"], view=view)
        form.district_id = self.district
        form.settlement_id = self.town
        form.district_id = self.district
        self.assertEqual(form.settlement_id, self.town)
        form.district_id = other
        self.assertFalse(form.settlement_id)
