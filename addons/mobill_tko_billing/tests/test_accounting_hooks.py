from contextlib import ExitStack
from unittest.mock import patch

from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestAccountingHooks(BillingCase):
    """Every invoice, invoice line, journal entry and entry line of a posted period is built by
    a ``_prepare_*`` values hook of ``tko.billing.accounting``: an extension that overrides one
    hook (here: a patch that calls the original and adds a mark) sees its values posted."""

    def _hooked(self, name, change):
        model = type(self.env["tko.billing.accounting"])
        original = getattr(model, name)

        def hook(self_, *args, **kwargs):
            return change(original(self_, *args, **kwargs))

        return patch.object(model, name, hook)

    def test_every_posted_record_goes_through_its_values_hook(self):
        period = self.period("2025-05-01")
        self.charge_run(period, scope="all", consumer_kind="all", address_id=self.town.id)

        def mark(key, value):
            def change(vals):
                vals[key] = value if key == "narration" else f"{vals[key]} {value}"
                return vals

            return change

        with ExitStack() as stack:
            stack.enter_context(
                self._hooked("_prepare_invoice_vals", mark("narration", "invoice hook"))
            )
            stack.enter_context(self._hooked("_prepare_invoice_line_vals", mark("name", "[line]")))
            stack.enter_context(self._hooked("_prepare_move_vals", mark("ref", "[entry]")))
            stack.enter_context(self._hooked("_prepare_move_line_vals", mark("name", "[item]")))
            period.action_post()
        invoice = self.env["account.move"].search(
            [("tko_period_id", "=", period.id), ("tko_contract_id", "=", self.contract.id)]
        )
        self.assertEqual(len(invoice), 1)
        self.assertIn("invoice hook", str(invoice.narration))
        self.assertTrue(invoice.invoice_line_ids)
        for line in invoice.invoice_line_ids:
            self.assertTrue(line.name.endswith("[line]"), line.name)
        entries = self.env["account.move"].search(
            [("tko_period_id", "=", period.id), ("tko_consumer", "=", "individual")]
        )
        self.assertTrue(entries)
        for entry in entries:
            self.assertTrue(entry.ref.endswith("[entry]"), entry.ref)
            self.assertEqual(len(entry.line_ids), 4, "Dt 62.01 Ct 90.01.1, Dt 90.03 Ct 68.02")
            for line in entry.line_ids:
                self.assertTrue(line.name.endswith("[item]"), line.name)
