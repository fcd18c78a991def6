from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    def test_claims_tour(self):
        """Browser test: registry, a claim moved to its next stage, the mass runs' form."""
        partner = self.env["res.partner"].create(
            {"name": "Тур Туров", "is_tko_consumer": True, "tko_kind": "person"}
        )
        address = self.env["tko.address"].create(
            {"name": "Тур", "type_name": "ул.", "level": "street"}
        )
        obj = self.env["tko.object"].create(
            {"name": "д. 1", "kind": "house", "address_id": address.id, "partner_id": partner.id}
        )
        account = self.env["tko.account"].create({"partner_id": partner.id, "object_id": obj.id})
        claim = self.env["tko.claim"].create(
            {"account_id": account.id, "debt_amount": 1200.0, "penalty_amount": 35.5}
        )
        self.start_tour("/web", "mobill_tko_claims_tour", login="admin")
        self.assertEqual(claim.stage, "sent")
        self.assertTrue(claim.date_sent)
