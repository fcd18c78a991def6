from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    def test_create_consumer_tour(self):
        """Browser test: an operator creates a consumer through the menus in headless Chromium."""
        self.start_tour("/web", "mobill_tko_base_open_app", login="admin")
        consumer = self.env["res.partner"].search([("name", "=", "Тестова Анна Сергеевна")])
        self.assertEqual(len(consumer), 1)
        self.assertTrue(consumer.is_tko_consumer)
        self.assertEqual(consumer.tko_kind, "person")
        self.assertEqual(consumer.vat, "500100732259")
