import base64
from collections import defaultdict
from datetime import date
from decimal import Decimal

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import UserError
from odoo.tests import tagged

from mobill_tko_core.formats.onec_bank import BankDocument, BankParty

from .test_payment_import import OWN, PaymentImportCase

SBER_INN = "7707083893"


@tagged("post_install", "-at_install")
class TestRegistryOrder(PaymentImportCase):
    """The bank's aggregated payment order of a registry, found in a 1C statement, is matched
    to its registry and never booked as a payment."""

    def _order(self, number, amount, day=date(2025, 5, 11), inn=SBER_INN, purpose=None):
        return BankDocument(
            kind="Платежное поручение",
            number=number,
            date=day,
            amount=Decimal(amount),
            payer=BankParty(name="ПАО Сбербанк", inn=inn, account="30233810000000000001"),
            payee=BankParty(name="Регоператор", inn="7702000002", account=OWN),
            purpose=purpose or f"Перечисление денежных средств по реестру № {number} от {day}",
            received=day,
            payment_type="01",
        )

    def setUp(self):
        super().setUp()
        self.sber.order_payer_inn = SBER_INN

    def test_order_after_registry_is_matched_not_booked(self):
        registry = self._import(
            self._registry([(self.acc1.name, "300.00", "o1"), (self.acc2.name, "150.50", "o2")])
        )
        self.assertEqual(registry.state, "done")
        self.assertAlmostEqual(registry.order_expected, 450.50)
        statement = self._import(
            self._statement(
                [
                    self._order("555", "450.50"),
                    self._doc("201", "80.00", f"Оплата по договору № {self.contract.name}"),
                ]
            ),
            file_format="onec",
            name="statement",
        )
        self.assertEqual(statement.state, "done", statement.error_ids.mapped("message"))
        self.assertEqual(statement.booked_count, 1)
        self.assertEqual(statement.payment_ids.contract_id, self.contract)
        order = statement.statement_order_ids
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "matched")
        self.assertEqual(order.registry_import_id, registry)
        self.assertEqual(registry.order_id, order)
        self.assertEqual(registry.order_state, "matched")
        self.assertEqual(order.difference, 0.0)
        self.assertIn("registry_order", statement.error_ids.mapped("code"))
        # the same statement again: the order is not read twice
        again = self._import(
            self._statement([self._order("555", "450.50"), self._doc("202", "5.00", "x")]),
            file_format="onec",
            name="again",
        )
        self.assertFalse(again.statement_order_ids)
        self.assertEqual(self.env["tko.payment.order"].search_count([("number", "=", "555")]), 1)

    def test_order_before_registry_and_amount_mismatch(self):
        statement = self._import(
            self._statement(
                [
                    self._order(
                        "556",
                        "100.00",
                        purpose="Перечисление по реестру платежей № 556",
                    )
                ]
            ),
            file_format="onec",
        )
        self.assertEqual(statement.state, "done")
        self.assertEqual(statement.booked_count, 0)
        order = statement.statement_order_ids
        self.assertEqual(order.state, "unmatched")
        self.assertEqual(order.difference, 100.0)
        registry = self._import(self._registry([(self.acc3.name, "99.00", "o3")], order="556"))
        self.assertEqual(registry.state, "done")
        self.assertEqual(order.state, "mismatch")
        self.assertEqual(order.registry_import_id, registry)
        self.assertAlmostEqual(order.difference, 1.0)

    def test_unmatched_order_booked_as_a_payment_by_hand(self):
        docs = [
            self._order(
                "557",
                "120.00",
                purpose=f"Перечисление по реестру № 557 за договор № {self.contract.name}",
            )
        ]
        statement = self._import(self._statement(docs), "onec")
        order = statement.statement_order_ids
        self.assertEqual((order.state, statement.booked_count), ("unmatched", 0))
        order.action_book_as_payment()
        self.assertEqual(order.state, "booked")
        payment = order.payment_id
        self.assertEqual((payment.contract_id, payment.state), (self.contract, "posted"))
        self.assertEqual(payment.amount, 120.0)
        self.assertEqual(payment.import_id, statement)
        with self.assertRaises(UserError):
            order.action_book_as_payment()  # once only
        # the statement again: neither a second order nor a second payment
        again = self._import(self._statement([*docs, self._doc("9", "1.00", "x")]), "onec", "again")
        self.assertFalse(again.statement_order_ids)
        self.assertEqual(self.env["tko.payment"].search_count([("import_key", "=", order.key)]), 1)

    def test_ordinary_payment_is_not_taken_for_an_order(self):
        statement = self._import(
            self._statement(
                [
                    self._doc("301", "70.00", f"л/с {self.acc1.name}"),
                    # a consumer mentioning a registry, and the bank paying its own contract
                    self._doc(
                        "302",
                        "80.00",
                        f"Оплата по договору № {self.contract.name} по реестру счетов",
                    ),
                    self._order(
                        "303", "90.00", purpose=f"Оплата по договору № {self.contract.name}"
                    ),
                ]
            ),
            "onec",
        )
        self.assertFalse(statement.statement_order_ids)
        self.assertEqual(len(statement.payment_ids), 3)
        self.assertEqual(
            statement.payment_ids.filtered(lambda p: p.reference == "301").account_id, self.acc1
        )
        self.assertEqual(
            set(statement.payment_ids.filtered(lambda p: p.reference != "301").contract_id.ids),
            {self.contract.id},
        )


@tagged("post_install", "-at_install")
class TestSetBasedBooking(PaymentImportCase):
    def test_registry_booked_in_bulk_and_allocated_oldest_first(self):
        may = self.period(date(2025, 5, 1))
        self.run_town(may)
        charged = defaultdict(Decimal)
        for line in self.lines(may, self.town_accounts):
            charged[line.account_id] += self.dec(line.amount_total)
        self.assertTrue(all(charged[a] > 0 for a in self.town_accounts))
        rows = []
        for index in range(60):
            account = self.town_accounts[index % 3]
            rows.append((account.name, f"{index + 1}.25", f"bulk{index}"))
        imp = self._import(self._registry(rows))
        self.assertEqual(imp.state, "done", imp.error_ids.mapped("message"))
        payments = imp.payment_ids
        self.assertEqual(len(payments), 60)
        self.assertEqual(len(set(payments.mapped("name"))), 60)
        self.assertTrue(all(n.startswith("ПЛ-") for n in payments.mapped("name")))
        self.assertEqual(set(payments.mapped("state")), {"posted"})
        for account in self.town_accounts:
            mine = payments.filtered(lambda p, a=account: p.account_id == a)
            self.assertEqual(mine.partner_id, account.partner_id)
            allocations = mine.allocation_ids
            paid = sum(Decimal(str(a.amount)) for a in allocations)
            self.assertEqual(self.dec(paid), self.dec(sum(mine.mapped("amount"))))
            to_may = sum(Decimal(str(a.amount)) for a in allocations if a.period_id == may)
            # the debt of May is paid first, the rest is an advance
            self.assertEqual(self.dec(to_may), min(charged[account], self.dec(paid)))
            advance = sum(Decimal(str(a.amount)) for a in allocations if not a.period_id)
            self.assertEqual(self.dec(advance), max(Decimal(0), self.dec(paid) - charged[account]))
            for allocation in allocations:
                self.assertEqual(allocation.date_paid, allocation.payment_id.date_paid)
                self.assertEqual(allocation.period_date, allocation.period_id.date_start or False)
        # the same as allocating through the ORM path (cancel and post again)
        before = sorted(
            (a.payment_id.id, a.period_id.id, a.amount) for a in payments.allocation_ids
        )
        payments[:1].action_cancel()
        payments[:1].action_draft()
        payments[:1].action_post()
        after = sorted((a.payment_id.id, a.period_id.id, a.amount) for a in payments.allocation_ids)
        self.assertEqual(before, after)

    def test_large_file_goes_to_the_background(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "mobill_tko_integrations.background_import_bytes", "10"
        )
        data = self._registry([(self.acc1.name, "10.00", "bg1")])
        imp = self.Import.create(
            {"name": "big", "file": base64.b64encode(data), "profile_id": self.sber.id}
        )
        with trap_jobs() as trap:
            imp._tko_process()
            trap.assert_jobs_count(1)
            self.assertEqual(imp.state, "queued")
            self.assertFalse(imp.payment_ids)
            trap.perform_enqueued_jobs()
        self.assertEqual(imp.state, "done")
        self.assertEqual(imp.payment_ids.account_id, self.acc1)
        # a small file under the default threshold is imported at once
        self.env["ir.config_parameter"].sudo().set_param(
            "mobill_tko_integrations.background_import_bytes", "2000000"
        )
        small = self.Import.create(
            {
                "name": "small",
                "file": base64.b64encode(
                    self._registry([(self.acc2.name, "5.00", "s1")], order="9")
                ),
                "profile_id": self.sber.id,
            }
        )
        small._tko_process()
        self.assertEqual(small.state, "done")


@tagged("post_install", "-at_install")
class TestReallocation(PaymentImportCase):
    def test_posted_payment_moved_with_history(self):
        may = self.period(date(2025, 5, 1))
        self.run_town(may)
        imp = self._import(self._registry([(self.acc1.name, "120.00", "mv1")]))
        payment = imp.payment_ids
        self.assertEqual(payment.account_id, self.acc1)
        self.assertTrue(payment.allocation_ids)
        wizard = (
            self.env["tko.payment.allocate.wizard"]
            .with_context(default_payment_ids=payment.ids)
            .create({"account_id": self.acc2.id})
        )
        with self.assertRaises(UserError):
            wizard.action_allocate()  # no reason given
        wizard.note = "Плательщик ошибся в номере лицевого счёта"
        wizard.action_allocate()
        self.assertEqual(payment.state, "posted")
        self.assertEqual(payment.account_id, self.acc2)
        self.assertEqual(payment.partner_id, self.acc2.partner_id)
        self.assertEqual(set(payment.allocation_ids.mapped("account_id")), {self.acc2})
        self.assertAlmostEqual(sum(payment.allocation_ids.mapped("amount")), 120.0)
        allocations_acc1 = self.env["tko.payment.allocation"].search(
            [("account_id", "=", self.acc1.id), ("payment_id", "=", payment.id)]
        )
        self.assertFalse(allocations_acc1)
        history = payment.reallocation_ids
        self.assertEqual(len(history), 1)
        self.assertEqual(history.from_account_id, self.acc1)
        self.assertEqual(history.to_account_id, self.acc2)
        self.assertEqual(history.user_id, self.env.user)
        self.assertIn("ошибся", history.reason)
        self.assertTrue(any("Moved by hand" in (m.body or "") for m in payment.message_ids))
        # the same file again still books nothing: the key stayed with the payment
        again = self._import(self._registry([(self.acc1.name, "120.00", "mv1")], order="9"))
        self.assertEqual(again.skipped_count, 1)
        self.assertFalse(again.payment_ids)


@tagged("post_install", "-at_install")
class TestImportName(PaymentImportCase):
    def test_an_import_is_named_after_its_file(self):
        data = self._registry([(self.acc1.name, "10.00", "nm1")])
        imp = self.Import.create(
            {
                "file": base64.b64encode(data),
                "file_name": "reestr_0511.txt",
                "profile_id": self.sber.id,
            }
        )
        self.assertEqual(imp.name, "reestr_0511.txt")
        named = self.Import.create(
            {
                "name": "Май, Сбербанк",
                "file": base64.b64encode(data),
                "file_name": "x.txt",
                "profile_id": self.sber.id,
            }
        )
        self.assertEqual(named.name, "Май, Сбербанк")
