import json

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestWebLabels(HttpCase):
    """The web client's one2many dialogs say «Сохранить и добавить ещё», not Odoo's
    «Сохранить & Новый»: our template replaces the button's label and our ru.po translates it."""

    def test_save_and_add_another(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        bundle = self.env["ir.qweb"]._get_asset_bundle("web.assets_backend", js=True, css=False)
        templates = bundle.xml()
        self.assertEqual(templates.count("Save and add another"), 2)
        self.assertNotIn("Save &amp; New", templates)
        self.authenticate("admin", "admin")
        response = self.url_open("/web/webclient/translations/1?lang=ru_RU")
        terms = {
            message["id"]: message["string"]
            for module in json.loads(response.content)["modules"].values()
            for message in module["messages"]
        }
        self.assertEqual(terms.get("Save and add another"), "Сохранить и добавить ещё")
