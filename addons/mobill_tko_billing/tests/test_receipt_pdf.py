import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from PIL import Image

from mobill_tko_core.formats.payment_qr import parse_payment_string

from .common import BillingCase, pdf_text

REPORT = "mobill_tko_billing.action_report_receipt"


@tagged("post_install", "-at_install")
class TestReceiptPdf(BillingCase):
    """The printed receipt of May 2025 for the town's flats: the figures of TestReceipts
    (flat 1: 217.53 unpaid from April + 217.53 of May = 435.06 to pay by 10.06.2025), the QR
    code read back from the rendered page as a bank's app would read it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payee_requisites()
        april = cls.period("2025-04-01")
        cls.run_town(april)
        cls.may = cls.period("2025-05-01")
        cls.run_town(cls.may)
        cls.may.action_post()
        run = cls.env["tko.receipt.run"].create({"period_id": cls.may.id})
        run.action_run_now()
        cls.receipts = cls.env["tko.receipt"].search(
            [("period_id", "=", cls.may.id), ("account_id", "in", cls.town_accounts.ids)]
        )
        # wkhtmltopdf would fetch the styles from a server no test runs: a closed port
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")

    def render(self, receipts, user=None):
        Report = self.env["ir.actions.report"]
        if user:
            Report = Report.with_user(user)
        # the tests render HTML instead of PDF unless asked
        pdf, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            REPORT, receipts.ids
        )
        self.assertEqual(kind, "pdf")
        return pdf

    def decode_qr(self, pdf):
        """The QR symbols of the first page, rasterised at 200 dpi, as bytes."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "receipt.pdf")
            path.write_bytes(pdf)
            subprocess.run(
                ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", path, Path(tmp, "page")],
                check=True,
                capture_output=True,
            )
            (png,) = Path(tmp).glob("page*.png")
            with Image.open(png) as image:
                found = zxingcpp.read_barcodes(image)
        return [b.bytes for b in found if b.format == zxingcpp.BarcodeFormat.QRCode]

    def test_one_receipt_with_its_qr(self):
        receipt = self.receipts.filtered(lambda r: r.account_id == self.acc1)
        self.assertEqual(len(receipt), 1)
        pdf = self.render(receipt)
        (data,) = self.decode_qr(pdf)
        # the symbol holds the stored payment string in UTF-8 (ST00012)
        self.assertTrue(data.startswith(b"ST00012|"))
        self.assertEqual(data.decode("utf-8"), receipt.payment_string)
        payment = parse_payment_string(data)
        self.assertEqual(payment.encoding, 2)
        fields = payment.fields
        account = self.acc1.name
        expected = {
            "Name": "ООО «Региональный оператор»",
            "PersonalAcc": "40702810500000001234",
            "BankName": "ПАО СБЕРБАНК",
            "BIC": "044525225",
            "CorrespAcc": "30101810400000000225",
            "PayeeINN": "4000000008",
            "KPP": "400001001",
            "PersAcc": account,
            "Sum": "43506",
            "PaymPeriod": "052025",
            "LastName": receipt._receipt().payer.last_name,
            "PayerAddress": receipt._receipt().payer.address,
            "Purpose": f"Обращение с ТКО за 05.2025, л/с {account}",
        }
        self.assertEqual({key: fields.get(key) for key in expected}, expected)
        self.assertTrue(fields["LastName"])
        self.assertIn("кв. 1", fields["PayerAddress"])
        text = pdf_text(pdf)
        for words in (
            "435,06 руб.",
            "10.06.2025",
            "217,53 руб.",
            account,
            "Оплатите по QR-коду в приложении банка",
            "Обращение с твёрдыми коммунальными отходами",
            "ИНН 4000000008, КПП 400001001",
            "БИК 044525225",
            "р/с 40702810500000001234",
        ):
            self.assertIn(words, text)
        self.assertNotIn("217.53", text)

    def test_batch_in_route_order(self):
        self.assertEqual(len(self.receipts), 3)
        # asked for in the reverse order: printed as the postman walks, flat 1, 2, 3
        backwards = self.receipts.sorted(lambda r: r.route, reverse=True)
        pdf = self.render(backwards)
        text = pdf_text(pdf)
        positions = [text.index(f"Житель кв. {n}") for n in (1, 2, 3)]
        self.assertEqual(positions, sorted(positions))
        accounts = [text.index(a.name) for a in (self.acc1, self.acc2, self.acc3)]
        self.assertEqual(accounts, sorted(accounts))

    def test_refused_to_a_portal_user_and_another_company(self):
        receipt = self.receipts[0]
        portal = new_test_user(self.env, "rcp_pdf_portal", groups="base.group_portal")
        other = self.env["res.company"].create({"name": "Другой оператор"})
        outsider = new_test_user(
            self.env,
            "rcp_pdf_other",
            groups="mobill_tko_base.group_tko_accountant",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        for user in (portal, outsider):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.render(receipt, user=user)
        # an accountant of the company prints
        accountant = new_test_user(
            self.env, "rcp_pdf_acc", groups="mobill_tko_base.group_tko_accountant"
        )
        self.assertIn(b"%PDF", self.render(receipt, user=accountant)[:10])
