from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    def test_open_app_tour(self):
        """Browser test: a user opens MoBill-TKO from the home menu in headless Chromium."""
        self.start_tour("/web", "mobill_tko_base_open_app", login="admin")
