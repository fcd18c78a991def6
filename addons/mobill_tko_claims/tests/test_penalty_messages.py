import datetime as dt
from decimal import Decimal

from odoo.addons.mobill_tko_base.tools import core_message
from odoo.tests import TransactionCase, tagged

from ..tools import penalty_io


@tagged("post_install", "-at_install")
class TestPenaltyBatchMessages(TransactionCase):
    """A mass penalty run stores an account's error in the user's language: the core's batch
    item carries the code and the values, the run translates them by code."""

    def test_batch_error_is_stored_in_russian_with_its_values(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["mobill_tko_claims"], ["ru_RU"])
        env = self.env(context=dict(self.env.context, lang="ru_RU"))
        rules = env.company._tko_penalty_rules("individual")
        debts = {
            1: [(dt.date(2025, 1, 1), Decimal("100.00"), dt.date(2025, 2, 10))],
            2: [("январь", Decimal("100.00"), dt.date(2025, 2, 10))],  # not a period
        }
        results = penalty_io.compute_totals(
            [1, 2],
            debts,
            {},
            dt.date(2025, 6, 1),
            rules,
            message=lambda code, params, english: core_message(env, code, params, english),
        )
        by_id = {rid: (total, code, text) for rid, total, code, text in results}
        self.assertIsNotNone(by_id[1][0])
        total, code, text = by_id[2]
        self.assertIsNone(total)
        self.assertTrue(code.startswith("penalty."), code)
        self.assertTrue(text)
        self.assertRegex(text, "[А-Яа-я]", "the stored message is Russian")
        self.assertNotIn("must be", text)
