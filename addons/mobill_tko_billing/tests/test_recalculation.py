from decimal import Decimal

from odoo.tests import tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestRecalculation(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # April charged, posted and closed; May charged and open: once for the class
        cls.april = cls.period("2025-04-01")
        cls.run_town(cls.april)
        cls.may = cls.period("2025-05-01")  # posts and closes April
        cls.run_town(cls.may)

    def test_april_is_closed_and_may_open(self):
        self.assertEqual((self.april.state, self.may.state), ("closed", "open"))

    def _pending(self, records):
        return self.env["tko.recalculation"].search(
            [("state", "=", "draft"), ("account_ids", "in", records.ids)]
        )

    def test_retroactive_residents_change_books_the_difference_in_the_open_period(self):
        # from 16.04.2025 only 2 of the 3 residents live in flat 1
        version = self.env["tko.object.characteristic"].create(
            {
                "object_id": self.acc1.object_id.id,
                "kind": "residents_permanent",
                "value": 2,
                "date_from": "2025-04-16",
            }
        )
        recalc = self._pending(self.acc1)
        self.assertEqual(len(recalc), 1, "a retroactive change creates a recalculation to book")
        self.assertEqual(recalc.basis_type, "characteristic")
        self.assertEqual(recalc.basis_ref, version)
        recalc.action_book()
        lines = recalc.line_ids
        self.assertEqual(len(lines), 1)
        line = lines
        self.assertEqual(line.kind, "recalc")
        self.assertEqual(line.period_id, self.may, "booked in the open period")
        self.assertEqual(line.corrected_period_id, self.april, "naming the corrected period")
        self.assertEqual(line.account_id, self.acc1)
        # exact: (3 × 15/30 + 2 × 15/30 − 3) × 0.13 × 557.76 = −0.5 × 72.5088 = −36.2544 → −36.25
        self.assertEqual(self.dec(line.amount_total), Decimal("-36.25"))
        self.assertIn(recalc.name, line.note)
        html = str(line.explanation_html)
        self.assertIn("04.2025", html)
        self.assertIn("217.53", html)
        # April itself is untouched (locked)
        self.assertEqual(
            self.dec(self.lines(self.april, self.acc1).amount_total), Decimal("217.53")
        )
        # booking again replaces its own lines: no duplicates, same difference
        recalc.action_book()
        self.assertEqual(len(recalc.line_ids), 1)
        self.assertEqual(self.dec(recalc.line_ids.amount_total), Decimal("-36.25"))
        # a second recalculation of the same change finds nothing more to book
        other = self.env["tko.recalculation"].create(
            {
                "scope": "accounts",
                "account_ids": [(6, 0, self.acc1.ids)],
                "date_from": "2025-04-01",
                "basis_type": "other",
            }
        )
        other.action_book()
        self.assertFalse(other.line_ids)
        # the charge of the open month itself is recalculated by re-running it
        self.run_town(self.may)
        may_lines = self.lines(self.may, self.acc1, kind="charge")
        self.assertEqual(sum(may_lines.mapped("amount_total")), 145.02)

    def test_retroactive_tariff_change_recalculates_the_zone(self):
        old = self.env["tko.tariff"].search(
            [
                ("zone_id", "=", self.zone.id),
                ("consumer_group", "=", "population"),
                ("date_from", "=", "2025-01-01"),
            ]
        )
        old.date_to = "2025-03-31"
        self.env["tko.tariff"].create(
            {
                "zone_id": self.zone.id,
                "consumer_group": "population",
                "price": 600.00,
                "vat_mode": "included",
                "date_from": "2025-04-01",
                "date_to": "2025-12-31",
            }
        )
        recalc = self.env["tko.recalculation"].search(
            [("state", "=", "draft"), ("scope", "=", "zone"), ("zone_id", "=", self.zone.id)]
        )
        self.assertTrue(recalc)
        recalc[-1].action_book()
        lines = recalc.line_ids
        self.assertEqual(lines.account_id, self.town_accounts)
        self.assertEqual(set(lines.mapped("corrected_period_id")), {self.april})
        # flat 1: 0.39 m³ × (600 − 557.76) = 16.4736 → 16.47
        flat1 = lines.filtered(lambda ln: ln.account_id == self.acc1)
        self.assertEqual(self.dec(sum(flat1.mapped("amount_total"))), Decimal("16.47"))

    def test_retroactive_changes_of_contracts_and_objects_start_from_the_right_day(self):
        """Payment conditions, contract lines and object characteristics share the retroactive
        rule (tko.retroactive.mixin): a change reaching a closed month drafts a recalculation
        from the first day it concerns; the registry closing a version drafts none."""
        Recalc = self.env["tko.recalculation"]

        def drafted(scope_field, records):
            return Recalc.search(
                [("state", "=", "draft"), (scope_field, "in", records.ids)], order="id desc"
            )

        condition = self.env["tko.contract.condition"].search(
            [("contract_id", "=", self.contract.id)]
        )
        self.assertEqual(len(condition), 1)
        condition.write({"due_day": 25})
        recalc = drafted("contract_ids", self.contract)
        self.assertEqual(len(recalc), 1)
        self.assertEqual((recalc.date_from, recalc.basis_ref), (condition.date_from, condition))
        recalc.unlink()
        condition.write({"date_to": "2025-12-31"})  # not a field of the rule: nothing drafted
        self.assertFalse(drafted("contract_ids", self.contract))
        # a contract line's end moved into April: from the earlier end
        line = self.contract.line_ids[:1]
        line.write({"date_to": "2025-04-20"})
        self.assertEqual(drafted("contract_ids", self.contract).date_from, self.d("2025-04-20"))
        drafted("contract_ids", self.contract).unlink()
        # a characteristic's end moved into April: from the day after
        version = self.env["tko.object.characteristic"].search(
            [("object_id", "=", self.acc1.object_id.id), ("date_to", "=", False)], limit=1
        )
        version.write({"date_to": "2025-04-10"})
        self.assertEqual(drafted("account_ids", self.acc1).date_from, self.d("2025-04-11"))

    def test_absence_of_a_closed_month_is_booked_as_recalculation(self):
        absence = self.env["tko.absence"].create(
            {
                "account_id": self.acc1.id,
                "departure": "2025-04-05",
                "arrival": "2025-04-15",
                "persons": 2,
            }
        )
        absence.action_confirm()
        recalc = absence.recalculation_id
        self.assertEqual(recalc.state, "done")
        line = recalc.line_ids
        self.assertEqual((line.period_id, line.corrected_period_id), (self.may, self.april))
        # 9 full days: −2 × 0.13 × 557.76 × 9 / 30 = −43.5053 → −43.51
        self.assertEqual(self.dec(line.amount_total), Decimal("-43.51"))
        self.assertIn("absence", line.note)

    def test_contract_change_is_recalculated_by_document_values(self):
        line = self.contract.line_ids
        # the shop had 120 m² from April: the units change retroactively
        self.env["tko.object.characteristic"].create(
            {
                "object_id": self.shop_obj.id,
                "kind": "units",
                "norm_category_id": self.shop.id,
                "value": 120,
                "date_from": "2025-04-01",
            }
        )
        recalc = self.env["tko.recalculation"].search(
            [("state", "=", "draft"), ("contract_ids", "in", self.contract.ids)]
        )
        self.assertTrue(recalc)
        recalc.action_book()
        booked = recalc.line_ids
        self.assertEqual(booked.contract_line_id, line)
        # 20 m² × 0.8 / 12 × 600 = 800.00 net, VAT 160.00
        self.assertEqual(
            (
                self.dec(booked.amount_net),
                self.dec(booked.amount_vat),
                self.dec(booked.amount_total),
            ),
            (Decimal("800.00"), Decimal("160.00"), Decimal("960.00")),
        )
        self.assertEqual(booked.corrected_period_id, self.april)
