import json
from datetime import timedelta

from odoo import fields
from odoo.addons.mobill_tko_billing.tests.common import BillingCase
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from mobill_tko_core.demo.atol_fake import AtolFake
from mobill_tko_core.fiscal import atol


@tagged("post_install", "-at_install")
class TestFiscal(BillingCase, HttpCase):
    """Fiscal receipts through a local fake of АТОЛ Онлайн v5 that the tests start themselves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = AtolFake(login="odoo", password="secret", group="g-test", done_after=1)
        cls.fake.start()
        cls.addClassCleanup(cls.fake.stop)
        cls.env["tko.fiscal.register"].search([]).write({"active": False})
        cls.company.write({"vat": "7702000002", "email": "ro@example.ru"})
        cls.register = cls.env["tko.fiscal.register"].create(
            {
                "name": "Test register",
                "company_id": cls.company.id,
                "api_url": cls.fake.url,
                "login": "odoo",
                "password": "secret",
                "group_code": "g-test",
                "sno": "osn",
                "payment_address": "https://ro.example.ru",
                "timeout": 5,
            }
        )
        cls.acc1.partner_id.email = "zhitel1@example.ru"
        cls.Receipt = cls.env["tko.fiscal.receipt"]

    def setUp(self):
        super().setUp()
        self.fake.requests.clear()
        self.fake.fail_next(0)
        self.fake.fail_receipts = False
        self.fake.reject_login = False

    # ------------------------------------------------------------------ helpers
    def _payment(self, channel="cash", amount=500.0, date_paid="2025-05-10", account=None):
        return self.env["tko.payment"].create(
            {
                "account_id": (account or self.acc1).id,
                "amount": amount,
                "channel": channel,
                "date_paid": date_paid,
            }
        )

    def _post(self, payment):
        payment.with_context(queue_job__no_delay=True).action_post()
        return payment.fiscal_receipt_ids.sorted("id")[-1:]

    def _due_now(self, receipts):
        receipts.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})

    def _send_cron(self, receipts):
        self._due_now(receipts)
        self.Receipt._cron_send_due()

    def _poll_cron(self, receipts):
        self._due_now(receipts)
        self.Receipt._cron_poll_waiting()

    # ------------------------------------------------------------------ tests
    def test_auto_send_on_post_then_done_by_polling(self):
        payment = self._payment()
        receipt = self._post(payment)
        self.assertEqual(receipt.state, "waiting", receipt.last_error)
        self.assertEqual(payment.fiscal_state, "waiting")
        self.assertTrue(receipt.uuid)
        sells = self.fake.calls("sell")
        self.assertEqual(len(sells), 1)
        body = sells[0]["body"]
        self.assertEqual(body["external_id"], receipt.external_id)
        self.assertEqual(body["receipt"]["client"], {"email": "zhitel1@example.ru"})
        self.assertEqual(body["receipt"]["company"]["inn"], "7702000002")
        item = body["receipt"]["items"][0]
        self.assertEqual(item["sum"], 500)
        self.assertEqual(item["vat"], {"type": "vat20"})
        self.assertEqual(item["payment_object"], 4)
        self.assertIn(self.acc1.name, item["name"])
        self.assertEqual(body["receipt"]["payments"], [{"type": 0, "sum": 500}])
        self.assertNotIn("service", body)  # no callback URL set: polling
        self.assertEqual(json.loads(receipt.request_json)["external_id"], receipt.external_id)

        self._poll_cron(receipt)  # the fake answers wait once
        self.assertEqual(receipt.state, "waiting")
        self.assertGreater(receipt.next_attempt_at, fields.Datetime.now())
        self.Receipt._cron_poll_waiting()  # not due yet: no call
        self.assertEqual(len(self.fake.calls("report")), 1)
        self._poll_cron(receipt)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(payment.fiscal_state, "done")
        self.assertTrue(receipt.fiscal_document_number)
        self.assertTrue(receipt.fiscal_document_attribute)
        self.assertEqual(receipt.fn_number, "9999078900004312")
        # Moscow time of the service, stored in UTC
        self.assertAlmostEqual(
            receipt.receipt_datetime, fields.Datetime.now(), delta=timedelta(minutes=5)
        )
        self.assertFalse(receipt.last_error)

    def test_vat_22_from_2026_and_online_electronic(self):
        payment = self._payment(channel="online", date_paid="2026-01-15")
        self._post(payment)
        body = self.fake.calls("sell")[0]["body"]
        self.assertEqual(body["receipt"]["items"][0]["vat"], {"type": "vat22"})
        self.assertEqual(body["receipt"]["payments"][0]["type"], 1)

    def test_done_by_callback(self):
        self.register.callback_base_url = self.base_url()
        self.fake.callback_done.clear()
        self.fake.callbacks.clear()
        self.fake.hold_callbacks = True  # until this transaction is idle
        self.addCleanup(setattr, self.fake, "hold_callbacks", False)
        payment = self._payment()
        receipt = self._post(payment)
        self.assertEqual(receipt.state, "waiting", receipt.last_error)
        body = self.fake.calls("sell")[0]["body"]
        url = body["service"]["callback_url"]
        self.assertIn(f"/mobill_tko/atol/callback/{receipt.id}/", url)
        self.assertNotIn("?", url)  # no secret in a query string
        self.env.flush_all()  # as a commit would
        self.fake.release_callbacks()
        self.assertTrue(self.fake.callback_done.wait(30), "the fake did not call back")
        self.assertEqual(self.fake.callbacks[0]["status"], 200, self.fake.callbacks[0])
        receipt.invalidate_recordset()
        payment.invalidate_recordset()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(payment.fiscal_state, "done")
        self.assertTrue(receipt.fiscal_document_number)
        self.assertFalse(self.fake.calls("report"))

    def test_callback_must_name_the_receipt(self):
        receipt = self._post(self._payment())
        token = receipt.sudo().callback_token
        url = f"/mobill_tko/atol/callback/{receipt.id}/"
        headers = {"Content-Type": "application/json"}
        done = {
            "uuid": receipt.uuid,
            "status": "done",
            "external_id": receipt.external_id,
            "payload": {"fiscal_document_number": 77, "fiscal_document_attribute": 1},
        }
        other = self._post(self._payment())
        # a wrong token, the token of another receipt, another uuid, another external_id:
        # refused, nothing changes
        for path, payload in (
            (url + "nope", done),
            (url + other.sudo().callback_token, done),
            (f"/mobill_tko/atol/callback/{other.id}/{token}", done),
            (url + token, {**done, "uuid": "other"}),
            (url + token, {**done, "external_id": "other"}),
        ):
            response = self.url_open(path, data=json.dumps(payload), headers=headers)
            self.assertEqual(response.status_code, 404, path)
        response = self.url_open(url + token, data="not json", headers=headers)
        self.assertEqual(response.status_code, 400)
        receipt.invalidate_recordset()
        self.assertEqual(receipt.state, "waiting")
        response = self.url_open(url + token, data=json.dumps(done), headers=headers)
        self.assertEqual(response.status_code, 200)
        receipt.invalidate_recordset()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.fiscal_document_number, "77")

    def test_callback_token_in_a_header_never_in_the_query_string(self):
        receipt = self._post(self._payment())
        token = receipt.sudo().callback_token
        url = f"/mobill_tko/atol/callback/{receipt.id}"
        done = {
            "uuid": receipt.uuid,
            "status": "done",
            "external_id": receipt.external_id,
            "payload": {"fiscal_document_number": 78, "fiscal_document_attribute": 1},
        }
        headers = {"Content-Type": "application/json"}
        # the old form, the secret in the query string: refused before the body is read
        response = self.url_open(f"{url}?token={token}", data=json.dumps(done), headers=headers)
        self.assertEqual(response.status_code, 400)
        # no token at all, or a wrong one in the header: the body is not even read (not JSON
        # would be 400)
        response = self.url_open(url, data="not json", headers=headers)
        self.assertEqual(response.status_code, 404)
        wrong = {**headers, "X-Callback-Token": token[:-1] + ("A" if token[-1] != "A" else "B")}
        response = self.url_open(url, data="not json", headers=wrong)
        self.assertEqual(response.status_code, 404)
        receipt.invalidate_recordset()
        self.assertEqual(receipt.state, "waiting")
        good = {**headers, "X-Callback-Token": token}
        response = self.url_open(url, data=json.dumps(done), headers=good)
        self.assertEqual(response.status_code, 200, response.text)
        receipt.invalidate_recordset()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.fiscal_document_number, "78")

    def test_retries_after_http_500_then_success(self):
        self.fake.fail_next(2)
        payment = self._payment()
        receipt = self._post(payment)
        self.assertEqual(receipt.state, "to_send")
        self.assertEqual(receipt.attempts, 1)
        self.assertIn("HTTP 500", receipt.last_error)
        self.assertAlmostEqual(
            (receipt.next_attempt_at - fields.Datetime.now()).total_seconds(), 60, delta=5
        )
        self.Receipt._cron_send_due()  # not due yet
        self.assertEqual(receipt.attempts, 1)
        self._send_cron(receipt)
        self.assertEqual(receipt.state, "to_send")
        self.assertEqual(receipt.attempts, 2)
        self.assertAlmostEqual(
            (receipt.next_attempt_at - fields.Datetime.now()).total_seconds(), 300, delta=5
        )
        self._send_cron(receipt)
        self.assertEqual(receipt.state, "waiting")
        self.assertEqual(receipt.attempts, 3)
        self.assertFalse(receipt.last_error)
        self.assertEqual(len(self.fake.documents_for(receipt.external_id)), 1)

    def test_retries_run_out(self):
        self.fake.fail_next(1000)
        receipt = self._post(self._payment())
        for _n in range(atol.MAX_ATTEMPTS - 1):
            self.assertEqual(receipt.state, "to_send")
            self._send_cron(receipt)
        self.assertEqual(receipt.attempts, atol.MAX_ATTEMPTS)
        self.assertEqual(receipt.state, "error")
        self.assertEqual(receipt.payment_id.fiscal_state, "error")
        self.fake.fail_next(0)
        receipt.action_send_now()
        self.assertEqual(receipt.state, "waiting")

    def test_validation_failure_ends_failed_with_message(self):
        account = self.acc2
        account.partner_id.write({"email": False, "phone": False, "mobile": False})
        payment = self._payment(account=account)
        receipt = self._post(payment)
        self.assertEqual(receipt.state, "failed")
        self.assertIn("neither an e-mail nor a phone", receipt.last_error)
        self.assertEqual(payment.fiscal_state, "failed")
        self.assertFalse(self.fake.calls("sell"))
        # the accountant adds a phone and sends again
        account.partner_id.mobile = "8 912 345-67-89"
        receipt.action_retry()
        self.assertEqual(receipt.state, "waiting", receipt.last_error)
        body = self.fake.calls("sell")[0]["body"]
        self.assertEqual(body["receipt"]["client"], {"phone": "+79123456789"})

    def test_receipt_refused_by_the_cash_register(self):
        self.fake.fail_receipts = True
        receipt = self._post(self._payment())
        self._poll_cron(receipt)
        self._poll_cron(receipt)
        self.assertEqual(receipt.state, "failed")
        self.assertIn("чек не может быть зарегистрирован", receipt.last_error)
        first_id = receipt.external_id
        # refused again and again: every retry is a new document with a new identifier
        seen = [first_id]
        for _attempt in range(3):
            receipt.action_retry()
            self.assertNotIn(receipt.external_id, seen)
            self.assertTrue(receipt.external_id.startswith(first_id))
            seen.append(receipt.external_id)
            self._poll_cron(receipt)
            self._poll_cron(receipt)
            self.assertEqual(receipt.state, "failed")
        self.assertEqual(seen[1:], [f"{first_id}-r2", f"{first_id}-r3", f"{first_id}-r4"])
        self.fake.fail_receipts = False
        receipt.action_retry()  # a new document under a new identifier
        self.assertEqual(receipt.state, "waiting")
        self.assertEqual(receipt.external_id, f"{first_id}-r5")

    def test_no_duplicate_receipt_on_double_send(self):
        self.register.auto_send = False
        payment = self._payment()
        self._post(payment)
        self.assertFalse(payment.fiscal_receipt_ids)  # by hand only
        accountant = self.env["res.users"].create(
            {
                "name": "Cashier accountant",
                "login": "fiscal_accountant",
                "groups_id": [(6, 0, self.env.ref("mobill_tko_base.group_tko_accountant").ids)],
            }
        )
        payment.with_user(accountant).action_send_fiscal_receipt()
        payment.with_user(accountant).action_send_fiscal_receipt()
        receipt = payment.fiscal_receipt_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.state, "waiting")
        self.assertEqual(len(self.fake.calls("sell")), 1)
        receipt._send()  # waiting: nothing to send
        self.assertEqual(len(self.fake.calls("sell")), 1)
        # the answer got lost (e.g. a crash before the commit): sent again, one document
        first_uuid = receipt.uuid
        receipt.write({"state": "to_send", "uuid": False})
        receipt._send()
        self.assertEqual(receipt.uuid, first_uuid)
        self.assertEqual(len(self.fake.documents_for(receipt.external_id)), 1)

    def test_refund_on_cancel(self):
        payment = self._payment()
        sale = self._post(payment)
        self._poll_cron(sale)
        self._poll_cron(sale)
        self.assertEqual(sale.state, "done")
        payment.with_context(queue_job__no_delay=True).action_cancel()
        refund = payment.fiscal_receipt_ids.filtered(lambda r: r.kind == "sell_refund")
        self.assertEqual(len(refund), 1)
        self.assertEqual(refund.origin_id, sale)
        self.assertEqual(refund.state, "waiting", refund.last_error)
        self.assertEqual(payment.fiscal_state, "refund_pending")
        self.assertEqual(len(self.fake.calls("sell_refund")), 1)
        self._poll_cron(refund)
        self._poll_cron(refund)
        self.assertEqual(refund.state, "done")
        self.assertEqual(payment.fiscal_state, "refunded")
        # posted again: a new sale receipt, under a new identifier
        payment.action_draft()
        again = self._post(payment)
        self.assertNotEqual(again, sale)
        self.assertEqual(again.kind, "sell")
        self.assertEqual(again.state, "waiting")

    def test_cancel_before_sending_needs_no_refund(self):
        self.fake.fail_next(0)
        payment = self._payment()
        payment.action_post()  # queued in the background, not sent yet
        sale = payment.fiscal_receipt_ids
        self.assertEqual(sale.state, "to_send")
        payment.action_cancel()
        self.assertEqual(sale.state, "cancelled")
        self.assertFalse(payment.fiscal_receipt_ids.filtered(lambda r: r.kind == "sell_refund"))
        self.assertEqual(payment.fiscal_state, "none")
        self.assertFalse(self.fake.requests)

    def test_bank_payment_not_fiscalised(self):
        payment = self._payment(channel="bank")
        self._post(payment)
        self.assertFalse(payment.fiscal_receipt_ids)
        self.assertEqual(payment.fiscal_state, "none")
        with self.assertRaisesRegex(UserError, "bank or the payment agent"):
            payment.action_send_fiscal_receipt()
        self.assertFalse(self.fake.requests)

    def test_connection_button(self):
        self.register.action_test_connection()
        self.assertEqual(len(self.fake.calls("getToken")), 1)
        self.register.password = "wrong"
        with self.assertRaisesRegex(UserError, "login or password"):
            self.register.action_test_connection()

    def test_other_company_cannot_see_receipts(self):
        receipt = self._post(self._payment())
        other = self.env["res.company"].create({"name": "Другой регоператор"})
        user = self.env["res.users"].create(
            {
                "name": "Other operator",
                "login": "fiscal_other",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "groups_id": [(6, 0, self.env.ref("mobill_tko_base.group_tko_admin").ids)],
            }
        )
        Receipt = self.Receipt.with_user(user)
        self.assertFalse(Receipt.search([]))
        with self.assertRaises(AccessError):
            receipt.with_user(user).read(["state"])
        self.assertFalse(self.env["tko.fiscal.register"].with_user(user).search([]))
        # and a reader of the own company sees it, but not the password
        reader = self.env["res.users"].create(
            {
                "name": "Reader",
                "login": "fiscal_reader",
                "groups_id": [(6, 0, self.env.ref("mobill_tko_base.group_tko_readonly").ids)],
            }
        )
        self.assertEqual(self.Receipt.with_user(reader).search([("id", "=", receipt.id)]), receipt)
        self.assertNotIn("password", self.register.with_user(reader).fields_get())
