import re
from html import unescape

from odoo import Command
from odoo.addons.mobill_tko_billing.tests.common import pdf_text
from odoo.tests import HttpCase, new_test_user, tagged

from mobill_tko_core import requisites as req

from .common import ClaimsCase


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    # A clerk's screen. Odoo's default "1366x768" reaches Chromium as --window-size=1366x768,
    # which this Chromium ignores (it wants a comma): the tour would run in an 800 px window
    # whose top bar folds «Претензионная работа» under «+».
    browser_size = "1440,900"

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


class LawyerCase(ClaimsCase):
    """The fixture's ledger of 2024 (long overdue today), the operator's requisites and bank
    account, a lawyer of the company working in Russian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rub = cls.env.ref("base.RUB")
        rub.active = True
        cls.company.currency_id = rub
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(
            ["base", "web", "mobill_tko_base", "mobill_tko_claims"], ["ru_RU"]
        )
        cls.lawyer = new_test_user(
            cls.env,
            "claims_lawyer",
            groups="mobill_tko_base.group_tko_lawyer",
            lang="ru_RU",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        bank = cls.env["res.bank"].create(
            {
                "name": "Банк ВТБ (ПАО)",
                "bic": "044525187",
                "corr_account": "30101810700000000187",
            }
        )
        cls.company.write(
            {
                "vat": "9801045120",
                "company_registry": "1189801004513",
                "phone": "+7 (800) 100-20-30",
                "street": "ул. Ленина, д. 1",
                "city": "г. Приреченск",
            }
        )
        cls.company.partner_id.write({"kpp": "980101001", "ogrn": "1189801004513"})
        cls.env["res.partner.bank"].create(
            {
                "partner_id": cls.company.partner_id.id,
                "bank_id": bank.id,
                "acc_number": req.make_bank_account("044525187", "4070281076000012345"),
            }
        )
        cls.env["tko.debtor"]._refresh()

    def _print(self, report, claims):
        """``(PDF words, HTML text)`` of the report rendered as the report controller renders
        it for the lawyer (``/report/pdf``: the user's environment, his language). In-process:
        under HttpCase the controller's wkhtmltopdf waits for the assets on the test cursor the
        request holds. Without the assets, pdftotext of the test PDF loses digits and
        punctuation: the words are read in the PDF, the figures in the HTML it is made of."""
        reports = (
            self.env["ir.actions.report"]
            .with_user(self.lawyer)
            .with_context(lang="ru_RU", force_report_rendering=True)
        )
        pdf, fmt = reports._render_qweb_pdf(report, claims.ids)
        self.assertEqual(fmt, "pdf")
        html = reports._render_qweb_html(report, claims.ids)[0].decode()
        html = html[html.index("o_tko_letterhead") :]
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ").split())
        return pdf_text(pdf), text.replace(" ,", ",")


@tagged("post_install", "-at_install")
class TestClaimPrint(LawyerCase):
    """The claim PDF as the lawyer prints it: letterhead, number and date, tables."""

    def test_claim_pdf_letterhead_and_tables(self):
        report = "mobill_tko_claims.report_tko_claim"
        as_lawyer = self.env(user=self.lawyer, context=dict(self.env.context, lang="ru_RU"))
        claim = as_lawyer["tko.claim"].create(
            {"account_id": self.accounts["unpaid"].id, "calc_date": "2025-01-01"}
        )
        claim.action_compute()
        words, text = self._print(report, claim)
        # the letterhead: the operator's requisites and bank account
        for word in ("ИНН", "КПП", "ОГРН", "БИК", "Исх", "Лицевой счёт", "Расшифровка пеней"):
            self.assertIn(word, words)
        for expected in (
            "ТКО-Тест",
            "ИНН 9801045120",
            "КПП 980101001",
            "ОГРН 1189801004513",
            "БИК 044525187",
            "к/с 30101810700000000187",
            "р/с 40702810",
        ):
            self.assertIn(expected, text)
        # the outgoing number and date block, the addressee
        self.assertIn(f"Исх. № {claim.name} от {claim.date_prepared:%d.%m.%Y}", text)
        self.assertIn(f"Лицевой счёт № {self.accounts['unpaid'].name}", text)
        # money and dates in Russian
        self.assertIn("4 500,00 руб", text)
        self.assertIn("10.12.2024", text)
        self.assertNotIn("4,500.00", text)
        # the claim on 01.05.2024: 03.2024 overdue for 21 days, no penalty yet (the first 30
        # days are free for individuals): no empty penalty table nor its heading
        early = as_lawyer["tko.claim"].create(
            {"account_id": self.accounts["unpaid"].id, "calc_date": "2024-05-01"}
        )
        early.action_compute()
        self.assertFalse(early.penalty_line_ids.filtered(lambda line: line.reason == "accrual"))
        words, text = self._print(report, early)
        self.assertIn("500,00 руб", text)
        self.assertIn("ИНН 9801045120", text)
        self.assertIn("ИНН", words)
        self.assertNotIn("Расшифровка пеней", words)
        self.assertNotIn("Расшифровка пеней", text)


@tagged("post_install", "-at_install")
class TestClaimsAsLawyer(LawyerCase, HttpCase):
    """The lawyer's first-day task in the browser."""

    browser_size = "1440,900"  # see TestUi

    def test_prepare_a_claim_for_an_overdue_debt(self):
        """Claims work › Debtors › the one who never paid › Prepare a claim › Prepare: a claim for
        the whole overdue debt (ten months of 2024, 500 each)."""
        account = self.accounts["unpaid"]
        self.start_tour("/web", "mobill_tko_claims_lawyer_tour", login="claims_lawyer")
        claim = self.env["tko.claim"].search([("account_id", "=", account.id)])
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.debt_amount, 5000.0)
        self.assertEqual(claim.user_id, self.lawyer)
        self.assertEqual(claim.stage, "prepared")
        self.assertGreater(claim.penalty_amount, 0)


@tagged("post_install", "-at_install")
class TestManagerFirstDay(LawyerCase, HttpCase):
    """The read-only manager's first day in the browser: the month, the debtors, the claims, a
    consumer found by address; he sees everything and can change nothing."""

    browser_size = "1440,900"  # see TestUi

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the demo's «manager»: the read-only group only
        cls.manager = new_test_user(
            cls.env,
            "claims_manager",
            groups="mobill_tko_base.group_tko_readonly",
            lang="ru_RU",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        # a claim in progress, prepared by the lawyer for the whole overdue debt
        cls.claim = (
            cls.env["tko.claim"]
            .with_user(cls.lawyer)
            .create({"account_id": cls.accounts["unpaid"].id})
        )
        cls.claim.action_compute()

    def test_manager_checks_the_month(self):
        """Billing › Periods › 12.2024 (open, its totals); Claims work › Debtors filtered to
        debts over 10 000; Claims and lawsuits; the quick search «Садовая, д. 2» › the consumer."""
        self.assertEqual(self.claim.debt_amount, 5000.0)
        self.start_tour("/web", "mobill_tko_claims_manager_tour", login="claims_manager")
        # he looked and changed nothing
        self.assertEqual(self.open_period.state, "open")
        self.assertEqual(self.claim.stage, "prepared")
