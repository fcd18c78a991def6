import io
from datetime import date
from decimal import Decimal

import openpyxl
from odoo.tests import tagged

from mobill_tko_core.spreadsheet import is_formula_like

from .test_payment_import import PaymentImportCase


@tagged("post_install", "-at_install")
class TestPaymentRegistryReport(PaymentImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry_file = cls._import(
            cls,
            cls._registry(cls, [(cls.acc1.name, "300.00", "r1"), (cls.acc2.name, "150.50", "r2")]),
        )
        Payment = cls.env["tko.payment"]
        cls.cash = Payment.create(
            {
                "account_id": cls.acc3.id,
                "amount": 77.7,
                "channel": "cash",
                "date_paid": "2025-05-11",
                "date_booked": "2025-05-11",
            }
        )
        cls.cash.action_post()
        cls.draft = Payment.create(
            {
                "contract_id": cls.contract.id,
                "amount": 1000,
                "channel": "bank",
                "date_paid": "2025-05-12",
                "date_booked": "2025-05-12",
            }
        )
        cls.cancelled = Payment.create(
            {
                "account_id": cls.acc1.id,
                "amount": 5,
                "channel": "cash",
                "date_paid": "2025-05-11",
                "date_booked": "2025-05-11",
            }
        )
        cls.cancelled.action_cancel()
        cls.outside = Payment.create(
            {
                "account_id": cls.acc1.id,
                "amount": 9,
                "channel": "cash",
                "date_paid": "2025-06-01",
                "date_booked": "2025-06-01",
            }
        )
        cls.outside.action_post()

    def _wizard(self, **vals):
        return self.env["tko.payment.registry.wizard"].create(
            {"date_from": "2025-05-01", "date_to": "2025-05-31", **vals}
        )

    def test_lines_and_totals(self):
        self.assertEqual(self.registry_file.state, "done")
        data = self._wizard()._report_data()
        self.assertEqual(data["count"], 4)
        self.assertEqual(data["total"], Decimal("1528.20"))
        numbers = {line["number"] for line in data["lines"]}
        self.assertNotIn(self.cancelled.name, numbers)
        self.assertNotIn(self.outside.name, numbers)
        self.assertIn(self.draft.name, numbers)
        by_file = [line for line in data["lines"] if line["import_id"]]
        self.assertEqual(sorted(line["line"] for line in by_file), [1, 2])
        self.assertEqual({line["target"] for line in by_file}, {self.acc1.name, self.acc2.name})
        # per day (booked): the registry on its order date 11.05 with the cash; the draft 12.05
        self.assertEqual(
            data["by_day"],
            [
                (date(2025, 5, 11), [3, Decimal("528.20")]),
                (date(2025, 5, 12), [1, Decimal("1000.00")]),
            ],
        )
        channels = dict(data["by_channel"])
        self.assertEqual(channels["Cash desk"], [1, Decimal("77.70")])
        self.assertEqual(channels["Bank transfer"], [3, Decimal("1450.50")])
        files = {f["id"]: f for f in data["files"]}
        reg = files[self.registry_file.id]
        self.assertEqual((reg["count"], reg["amount"]), (2, Decimal("450.50")))
        self.assertEqual(reg["file_total"], Decimal("450.50"))
        self.assertEqual(files[0]["amount"], Decimal("1077.70"))  # entered by staff

    def test_filters(self):
        data = self._wizard(channel="cash")._report_data()
        self.assertEqual([line["number"] for line in data["lines"]], [self.cash.name])
        data = self._wizard(include_draft=False)._report_data()
        self.assertEqual(data["total"], Decimal("528.20"))
        data = self._wizard(source="upload")._report_data()
        self.assertEqual(data["count"], 2)
        data = self._wizard(source="manual")._report_data()
        self.assertEqual(data["count"], 2)
        data = self._wizard(import_ids=[(6, 0, self.registry_file.ids)])._report_data()
        self.assertEqual(data["total"], Decimal("450.50"))
        # by the date paid the registry's payments fall on 10.05
        data = self._wizard(date_kind="date_paid", date_to="2025-05-10")._report_data()
        self.assertEqual(data["count"], 2)
        # on screen: the same payments, grouped by day, channel and file
        wizard = self._wizard()
        action = wizard.action_show()
        shown = self.env["tko.payment"].search(action["domain"])
        self.assertEqual(sorted(shown.ids), sorted(line["id"] for line in wizard._payment_lines()))
        self.assertEqual(action["context"]["group_by"], ["date_booked:day", "channel", "import_id"])

    def test_file_against_its_payment_order(self):
        Import = self.env["tko.payment.import"]
        statement = Import.create(
            {"name": "statement", "file": b"eA==", "file_format": "onec", "state": "done"}
        )
        order = self.env["tko.payment.order"].create(
            {
                "import_id": statement.id,
                "number": "555",
                "key": "test-order-555",
                "date": "2025-05-11",
                "amount": 450.00,
                "registry_import_id": self.registry_file.id,
                "company_id": self.env.company.id,
            }
        )
        self.registry_file.order_id = order
        data = self._wizard()._report_data()
        reg = next(f for f in data["files"] if f["id"] == self.registry_file.id)
        self.assertEqual(reg["order_number"], "555")
        self.assertEqual(reg["order_amount"], Decimal("450.00"))
        self.assertEqual(reg["difference"], reg["order_amount"] - reg["expected"])
        self.assertNotEqual(reg["difference"], 0)
        # payments entered by staff (or a statement) are not carried by one bank order
        others = [f for f in data["files"] if not f["is_registry"]]
        self.assertTrue(others)
        for other in others:
            self.assertIsNone(other["expected"])
            self.assertIsNone(other["difference"])

    def test_pdf_and_xlsx(self):
        wizard = self._wizard()
        Report = self.env["ir.actions.report"]
        html = Report._render_qweb_html(
            "mobill_tko_integrations.action_report_payment_registry", wizard.ids
        )[0].decode()
        self.assertIn(self.cash.name, html)
        self.assertIn("1,528.20", html)
        # in Russian: «1 528,20» (a non-breaking space between the thousands), never a point
        self.env["res.lang"]._activate_lang("ru_RU")
        html_ru = (
            Report.with_context(lang="ru_RU")
            ._render_qweb_html(
                "mobill_tko_integrations.action_report_payment_registry", wizard.ids
            )[0]
            .decode()
        )
        self.assertIn("1\xa0528,20", html_ru)
        self.assertNotIn("528.20", html_ru)
        self.assertIn(self.registry_file.file_name or self.registry_file.name, html)
        pdf, fmt = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "mobill_tko_integrations.action_report_payment_registry", wizard.ids
        )
        self.assertEqual(fmt, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(wizard.action_print_pdf()["report_type"], "qweb-pdf")
        xlsx, fmt = Report._render(
            "mobill_tko_integrations.action_report_payment_registry_xlsx", wizard.ids, {}
        )
        self.assertEqual(fmt, "xlsx")
        book = openpyxl.load_workbook(io.BytesIO(xlsx))
        sheet = book.worksheets[0]
        amounts = [row[10] for row in sheet.iter_rows(min_row=4, values_only=True)]
        self.assertEqual(amounts[-1], 1528.2)  # the total line
        self.assertEqual(len(amounts), 5)
        files = book.worksheets[2]
        self.assertEqual(files.cell(row=2, column=4).value, 450.5)

    def test_xlsx_writes_a_hostile_payer_as_text(self):
        hostile = '=HYPERLINK("http://evil.example","x")'
        self.assertTrue(is_formula_like(hostile))
        self.cash.import_payer = hostile
        wizard = self._wizard()
        xlsx, _fmt = self.env["ir.actions.report"]._render(
            "mobill_tko_integrations.action_report_payment_registry_xlsx", wizard.ids, {}
        )
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).worksheets[0]
        cells = [row[5] for row in sheet.iter_rows(min_row=4) if row[5].value == hostile]
        self.assertEqual(len(cells), 1, "the payer is not in the sheet as its exact text")
        self.assertEqual(cells[0].data_type, "s")
        formulas = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        self.assertFalse(formulas)
