import json
from urllib.parse import quote, urlencode

from odoo.tests import HttpCase, new_test_user, tagged

from .common import BillingCase, pdf_text


@tagged("post_install", "-at_install")
class TestBreakdownPrint(BillingCase, HttpCase):
    """The printed charge breakdown, downloaded the way the web client downloads it."""

    # a clerk's screen: Odoo's default "1366x768" reaches this Chromium without effect (it wants
    # a comma) and the tour would run in an 800 px window that folds the top bar's menus
    browser_size = "1440,900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(
            ["base", "web", "mail", "account", "mobill_tko_base", "mobill_tko_billing"], ["ru_RU"]
        )
        # wkhtmltopdf loads the report's styles from the server, which is busy answering the
        # download in a test (one test cursor): point it to a closed port, the text is the same
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        cls.accountant = new_test_user(
            cls.env,
            "print_accountant",
            groups="mobill_tko_base.group_tko_accountant",
            lang="ru_RU",
        )

    def _download(self, action):
        """GET ``/report/download`` with the URL the web client builds (``getReportUrl``)."""
        url = f"/report/pdf/{action['report_name']}"
        context = dict(action.get("context") or {})
        if action.get("data"):
            url += "?options={}&context={}".format(
                quote(json.dumps(action["data"])), quote(json.dumps(context))
            )
        else:
            url += "/" + ",".join(str(i) for i in context["active_ids"])
        # the tests render HTML instead of PDF unless asked (ir.actions.report._render_qweb_pdf)
        user_context = {"lang": "ru_RU", "force_report_rendering": True, **context}
        query = urlencode(
            {"data": json.dumps([url, "qweb-pdf"]), "context": json.dumps(user_context)}
        )
        response = self.url_open(f"/report/download?{query}", timeout=120)
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        return pdf_text(response.content)

    def test_wizard_prints_the_breakdown(self):
        period = self.period("2025-05-01")
        self.run_town(period)
        self.authenticate("print_accountant", "print_accountant")
        wizard = (
            self.env["tko.breakdown.print"]
            .with_user(self.accountant)
            .with_context(active_model="tko.account", active_id=self.acc1.id, lang="ru_RU")
            .create({"account_ids": [(6, 0, self.acc1.ids)], "period_id": period.id})
        )
        action = wizard.action_print()
        self.assertTrue(action["close_on_report_download"], "the dialog closes after download")
        text = self._download(action)
        self.assertIn(self.acc1.name, text)
        self.assertIn("05.2025", text)
        self.assertIn("Житель кв. 1", text)
        # 3 residents × 1,56 m³ / 12 × 557,76 = 217,53 (Russian formats in the user's language)
        self.assertIn("3 × 1,56 / 12", text)
        self.assertIn("217,53", text)
        self.assertNotIn("217.53", text)

    def test_print_menu_prints_the_breakdown(self):
        """From the account's Print menu: ids in the URL, no data (the open period)."""
        period = self.period("2025-05-01")
        self.run_town(period)
        self.authenticate("print_accountant", "print_accountant")
        report = self.env.ref("mobill_tko_billing.action_report_charge_breakdown")
        action = report.with_user(self.accountant).report_action(self.acc2)
        text = self._download(action)
        self.assertIn(self.acc2.name, text)
        self.assertIn("2 × 1,56 / 12", text)

    def test_breakdown_tour(self):
        """Browser: Registry › Personal accounts, the account found by its owner's name, its
        «Print breakdown», then «Print»: the dialog closes."""
        period = self.period("2025-05-01")
        self.run_town(period)
        # the first request builds the server's routing map (seconds on a busy machine): done
        # here, not while the browser waits on an idle connection that the server then drops
        self.url_open("/web/login", timeout=120)
        self.start_tour("/web", "mobill_tko_billing_breakdown_tour", login="print_accountant")
