import base64
import json
from datetime import date, time
from decimal import Decimal
from unittest.mock import patch

from odoo import http
from odoo.addons.mobill_tko_billing.tests.common import BillingCase
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from mobill_tko_core.formats import agent_json, fingerprint, registry
from mobill_tko_core.formats.registry import RegistryPayment

API = "/api/tko/v1"
LOCAL = "127.0.0.1, ::1"


@tagged("post_install", "-at_install")
class TestPaymentApi(BillingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Agent = cls.env["tko.payment.agent"]
        cls.agent = Agent.create(
            {
                "name": "Почта",
                "code": "post",
                "profile_id": cls.env.ref("mobill_tko_integrations.registry_profile_sberbank").id,
                "allowed_ips": LOCAL,
            }
        )
        cls.token = cls.agent._tko_new_token()
        cls.other_agent = Agent.create(
            {"name": "Другой агент", "code": "other", "allowed_ips": LOCAL}
        )
        cls.other_token = cls.other_agent._tko_new_token()
        cls.company2 = cls.env["res.company"].create({"name": "Другой регоператор"})
        cls.foreign_agent = Agent.create(
            {
                "name": "Чужой агент",
                "code": "post",
                "company_id": cls.company2.id,
                "allowed_ips": LOCAL,
            }
        )
        cls.foreign_token = cls.foreign_agent._tko_new_token()

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)

    # ------------------------------------------------------------------ helpers
    def call(self, path, data=None, token=None, headers=None, files=None):
        head = {"Authorization": f"Bearer {token or self.token}", **(headers or {})}
        response = self.url_open(f"{API}{path}", data=data, files=files, headers=head)
        try:
            body = response.json()
        except ValueError:
            body = {"raw": response.text}
        return response.status_code, body

    def _registry(self, lines, order="900"):
        payments = [
            RegistryPayment(
                account=acc,
                amount=Decimal(amount),
                payer="Иванов И.И.",
                period=date(2025, 5, 1),
                paid_date=date(2025, 5, 10),
                paid_time=time(10, 0, 0),
                operation_id=op,
                commission=Decimal("0.00"),
                transfer_amount=Decimal(amount),
                branch="8611",
                cashier="1",
            )
            for acc, amount, op in lines
        ]
        return registry.write_registry(payments, order_number=order, order_date=date(2025, 5, 11))

    def _payments(self, items, number=""):
        return agent_json.write_payments(items, registry_number=number)

    # ------------------------------------------------------------------ tests
    def test_good_file_then_the_same_file_again(self):
        data = self._registry([(self.acc1.name, "300.00", "h1"), (self.acc2.name, "99.90", "h2")])
        status, body = self.call(
            "/imports?format=registry", data=data, headers={"X-File-Name": "reg_900.txt"}
        )
        self.assertEqual(status, 201, body)
        self.assertEqual(body["state"], "done")
        self.assertEqual(body["booked"], 2)
        self.assertEqual(body["booked_amount"], "399.90")
        self.assertEqual(body["file_name"], "reg_900.txt")
        self.assertEqual(body["registry_number"], "900")
        self.assertEqual(body["fingerprint"], fingerprint(data))
        imp = self.env["tko.payment.import"].browse(body["id"])
        self.assertEqual(imp.source, "api")
        self.assertEqual(imp.agent_id, self.agent)
        self.assertEqual(imp.channel, "agent")
        pay1 = imp.payment_ids.filtered(lambda p: p.account_id == self.acc1)
        self.assertEqual(pay1.amount, 300.0)
        self.assertEqual(pay1.state, "posted")
        self.assertTrue(self.agent.last_call)
        # the same file again, now as a multipart upload: 409, nothing booked
        status, body = self.call("/imports", files={"file": ("again.txt", data)})
        self.assertEqual(status, 409, body)
        self.assertEqual(body["error"]["code"], "already_imported")
        self.assertEqual(body["import"]["booked"], 0)
        self.assertEqual(body["import"]["errors"][0]["import_id"], imp.id)
        self.assertEqual(
            self.env["tko.payment"].search_count([("account_id", "=", self.acc1.id)]), 1
        )

    def test_bad_token_and_address(self):
        url = f"{API}/ping"
        self.assertEqual(self.url_open(url).status_code, 401)
        status, body = self.call("/ping", token="tko_wrong")
        self.assertEqual((status, body["error"]["code"]), (401, "bad_token"))
        status, body = self.call("/ping")
        self.assertEqual((status, body["agent"]), (200, "post"))
        self.agent.allowed_ips = "203.0.113.0/24"
        status, body = self.call("/ping")
        self.assertEqual((status, body["error"]["code"]), (403, "ip_not_allowed"))
        self.agent.allowed_ips = "203.0.113.5, 127.0.0.1"
        self.assertEqual(self.call("/ping")[0], 200)
        self.agent.action_revoke_token()
        self.assertEqual(self.call("/ping")[0], 401)
        # the stored value is a hash, never the token
        self.assertNotIn(self.other_token, str(self.other_agent.sudo().token_hash))
        self.other_agent.active = False
        self.assertEqual(self.call("/ping", token=self.other_token)[0], 401)

    def test_bad_file_is_rejected_with_its_lines(self):
        good = self._registry([(self.acc1.name, "10.00", "b1"), (self.acc2.name, "20.00", "b2")])
        lines = good.decode("cp1251").splitlines()
        lines[1] = lines[1].replace("20.00", "2O.OO")
        bad = "\r\n".join(lines).encode("cp1251")
        status, body = self.call("/imports?format=registry", data=bad)
        self.assertEqual(status, 400, body)
        self.assertEqual(body["error"]["code"], "rejected")
        self.assertEqual(body["import"]["state"], "rejected")
        self.assertEqual(body["import"]["booked"], 0)
        self.assertIn(2, [e["line"] for e in body["import"]["errors"]])
        self.assertFalse(self.env["tko.payment"].search([("account_id", "=", self.acc1.id)]))
        # no body, unknown format, unknown profile
        self.assertEqual(self.call("/imports", data=b"", files={"x": ("", b"")})[0], 400)
        status, body = self.call("/imports?format=xml", data=b"x")
        self.assertEqual((status, body["error"]["code"]), (400, "bad_format"))
        status, body = self.call("/imports?format=registry&profile=nope", data=b"x")
        self.assertEqual((status, body["error"]["code"]), (400, "bad_profile"))

    def test_errors_in_the_agents_language(self):
        """An agent whose contact is Russian gets every message in Russian: the call's own,
        the file's line errors and the core's errors of a JSON body."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.agent.partner_id = self.env["res.partner"].create(
            {"name": "Почта России", "lang": "ru_RU"}
        )
        cyrillic = "[а-яА-Я]"
        status, body = self.call("/payments", data=b"{not json")
        self.assertEqual(status, 400, body)
        self.assertRegex(body["error"]["message"], cyrillic)
        good = self._registry([(self.acc1.name, "10.00", "r1"), (self.acc2.name, "20.00", "r2")])
        bad = good.decode("cp1251").replace("20.00", "2O.OO").encode("cp1251")
        status, body = self.call("/imports?format=registry", data=bad)
        self.assertEqual((status, body["error"]["code"]), (400, "rejected"), body)
        self.assertRegex(body["error"]["message"], cyrillic)
        self.assertTrue(body["import"]["errors"])
        for error in body["import"]["errors"]:
            self.assertRegex(error["message"], cyrillic, error)
        # an agent without a language keeps the English of the documentation
        status, body = self.call("/payments", data=b"{not json", token=self.other_token)
        self.assertEqual(status, 400, body)
        self.assertNotRegex(body["error"]["message"], cyrillic)

    def test_json_payments_posted_twice_book_once(self):
        items = [
            {
                "id": "P-1",
                "account": self.acc1.name,
                "amount": "150.00",
                "paid_at": "2025-05-10T12:00:00+03:00",
                "period": "2025-05",
            },
            {
                "id": "P-2",
                "contract": self.contract.name,
                "amount": "1000.00",
                "paid_at": "2025-05-10",
            },
        ]
        data = self._payments(items, "R-1")
        status, body = self.call("/payments", data=data)
        self.assertEqual(status, 201, body)
        self.assertEqual(body["booked"], 2)
        self.assertEqual(body["unallocated"], 0)
        imp = self.env["tko.payment.import"].browse(body["id"])
        self.assertEqual(imp.file_format, "agent_json")
        by_ref = {p.reference: p for p in imp.payment_ids}
        self.assertEqual(by_ref["P-1"].account_id, self.acc1)
        self.assertEqual(by_ref["P-1"].date_paid, date(2025, 5, 10))
        self.assertEqual(by_ref["P-2"].contract_id, self.contract)
        # the very same body again: 409
        status, body = self.call("/payments", data=data)
        self.assertEqual((status, body["error"]["code"]), (409, "already_imported"))
        # P-1 again in another batch, with a new one: only the new one is booked
        items.append(
            {"id": "P-3", "account": self.acc3.name, "amount": "5.00", "paid_at": "2025-05-11"}
        )
        status, body = self.call("/payments", data=self._payments([items[0], items[2]], "R-2"))
        self.assertEqual(status, 201, body)
        self.assertEqual((body["booked"], body["already_booked"]), (1, 1))
        self.assertEqual(
            self.env["tko.payment"].search_count([("import_key", "like", "agent:post:%")]), 3
        )
        # an unknown contract named by the agent is never guessed from the purpose text
        wrong = {
            "id": "P-4",
            "contract": "НЕТ-ТАКОГО-1",
            "amount": "7.00",
            "paid_at": "2025-05-11",
            "purpose": f"оплата за л/с {self.acc2.name}",
        }
        status, body = self.call("/payments", data=self._payments([wrong], "R-3"))
        self.assertEqual((status, body["booked"], body["unallocated"]), (201, 1, 1), body)
        # bad items: every one reported by its index, nothing booked
        bad = [dict(items[2], id="P-4"), {"id": "P-5", "amount": "x"}]
        status, body = self.call("/payments", data=self._payments(bad))
        self.assertEqual(status, 400, body)
        errors = body["import"]["errors"]
        self.assertEqual({e["line"] for e in errors}, {2})
        self.assertEqual({e["field"] for e in errors}, {"account", "amount", "paid_at"}, errors)
        self.assertEqual(body["import"]["booked"], 0)
        # a body sent as an HTML form is refused with a clear word
        status, body = self.call(
            "/payments",
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.assertEqual((status, body["error"]["code"]), (415, "bad_content_type"))
        # not JSON at all
        status, body = self.call("/payments", data=b"{oops")
        self.assertEqual((status, body["error"]["code"]), (400, "agent_json.not_json"))

    def test_status_of_own_imports_only(self):
        data = self._payments(
            [{"id": "S-1", "account": self.acc2.name, "amount": "1.00", "paid_at": "2025-05-01"}]
        )
        status, body = self.call("/payments", data=data)
        self.assertEqual(status, 201, body)
        status, report = self.call(f"/imports/{body['id']}")
        self.assertEqual(status, 200)
        self.assertEqual((report["id"], report["state"], report["booked"]), (body["id"], "done", 1))
        self.assertEqual(self.call(f"/imports/{body['id']}", token=self.other_token)[0], 404)
        self.assertEqual(self.call(f"/imports/{body['id']}", token=self.foreign_token)[0], 404)
        staff = self.env["tko.payment.import"].create(
            {"name": "uploaded", "file": "eA==", "file_format": "registry"}
        )
        self.assertEqual(self.call(f"/imports/{staff.id}")[0], 404)
        self.assertEqual(self.call("/imports/999999")[0], 404)

    def test_debt_lookup(self):
        may = self.period("2025-05-01")
        self.run_town(may)
        self.env["tko.payment"].create(
            {"account_id": self.acc1.id, "amount": 100.0, "date_paid": "2025-05-20"}
        ).action_post()
        status, body = self.call(f"/accounts/{self.acc1.name}/debt?date=2025-06-30")
        self.assertEqual(status, 200, body)
        expected = self.env["tko.payment"]._tko_balance(
            "account_id", self.acc1.ids, date(2025, 6, 30)
        )
        self.assertGreater(expected[self.acc1.id], 0)
        self.assertEqual(Decimal(body["due"]), self.dec(expected[self.acc1.id]))
        self.assertEqual(body["to_pay"], body["due"])
        self.assertEqual(body["account"], self.acc1.name)
        self.assertEqual(body["date"], "2025-06-30")
        self.assertEqual([p["period"] for p in body["periods"]], ["2025-05"])
        self.assertTrue(body["payer"].startswith("Житель"))
        answer = agent_json.read_debt_answer(json.dumps(body))
        self.assertEqual(answer.due, Decimal(body["due"]))
        # before the charges: nothing due
        status, body = self.call(f"/accounts/{self.acc1.name}/debt?date=2025-04-30")
        self.assertEqual((status, body["due"]), (200, "0.00"))
        self.assertEqual(self.call(f"/accounts/{self.acc1.name}/debt?date=30.06.2025")[0], 400)
        self.assertEqual(self.call("/accounts/0000000/debt")[0], 404)

    def test_another_company_agent_cannot_reach_our_accounts(self):
        status, body = self.call(f"/accounts/{self.acc1.name}/debt", token=self.foreign_token)
        self.assertEqual((status, body["error"]["code"]), (404, "not_found"))
        data = self._payments(
            [{"id": "F-1", "account": self.acc1.name, "amount": "70.00", "paid_at": "2025-05-02"}]
        )
        status, body = self.call("/payments", data=data, token=self.foreign_token)
        self.assertEqual(status, 201, body)
        # booked in its own company, waiting for manual allocation, not on our account
        self.assertEqual((body["booked"], body["unallocated"]), (1, 1))
        imp = self.env["tko.payment.import"].sudo().browse(body["id"])
        self.assertEqual(imp.company_id, self.company2)
        self.assertFalse(imp.payment_ids.account_id)
        self.assertFalse(self.env["tko.payment"].search([("account_id", "=", self.acc1.id)]))
        # the same agent code in two companies: keys do not collide
        status, body = self.call("/payments", data=data)
        self.assertEqual(status, 201, body)
        self.assertEqual(body["booked"], 1)

    def test_large_file_runs_in_the_background(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "mobill_tko_integrations.background_import_bytes", 10
        )
        data = self._registry([(self.acc3.name, "42.00", "q1")], order="901")
        status, body = self.call(
            "/imports?format=registry",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        self.assertEqual(status, 202, body)
        self.assertEqual((body["state"], body["booked"]), ("queued", 0))
        job = self.env["queue.job"].search([("model_name", "=", "tko.payment.import")])
        self.assertTrue(job.filtered(lambda j: body["id"] in j.record_ids))
        # the job runs later; then the status tells what was booked
        self.env["tko.payment.import"].browse(body["id"])._job_import()
        status, report = self.call(f"/imports/{body['id']}")
        self.assertEqual((status, report["state"], report["booked"]), (200, "done", 1))

    def test_token_is_made_by_an_admin_and_shown_once(self):
        user = self.env["res.users"].create(
            {
                "name": "Бухгалтер",
                "login": "api_accountant",
                "groups_id": [(6, 0, [self.env.ref("mobill_tko_base.group_tko_accountant").id])],
            }
        )
        with self.assertRaises(UserError):
            self.agent.with_user(user).action_new_token()
        action = self.agent.action_new_token()
        token = action["params"]["message"].split()[0]
        self.assertTrue(token.startswith("tko_"))
        self.assertEqual(self.agent.token_hint, token[:10])
        self.assertEqual(self.call("/ping", token=token)[0], 200)
        self.assertEqual(self.call("/ping")[0], 401)  # the previous token no longer works
        self.assertNotIn(token, self.agent.message_ids.mapped("body")[0])

    # ------------------------------------------------------------------ security
    def _limit(self, kind, value):
        self.env["ir.config_parameter"].sudo().set_param(
            f"mobill_tko_integrations.api_rate_limit_{kind}", value
        )

    def test_agent_cannot_book_the_keys_of_a_bank_registry(self):
        """An agent posts the bank's registry first; the bank's own registry is still booked
        (neither «file imported already» nor its payments skipped as duplicates)."""
        data = self._registry([(self.acc1.name, "300.00", "bk1"), (self.acc2.name, "20.00", "bk2")])
        status, body = self.call("/imports?format=registry", data=data)
        self.assertEqual(status, 201, body)
        agent_import = self.env["tko.payment.import"].browse(body["id"])
        self.assertTrue(
            all(k.startswith("agent:post:") for k in agent_import.payment_ids.mapped("import_key"))
        )
        bank = self.env["tko.payment.import"].create(
            {
                "name": "from the bank",
                "file": base64.b64encode(data),
                "file_format": "registry",
                "profile_id": self.env.ref("mobill_tko_integrations.registry_profile_sberbank").id,
            }
        )
        bank.action_import()
        self.assertEqual(bank.state, "done", bank.error_ids.mapped("message"))
        self.assertEqual((bank.booked_count, bank.skipped_count), (2, 0))
        # the agent's own repeat is still booked once
        status, body = self.call("/imports?format=registry", data=data)
        self.assertEqual((status, body["error"]["code"]), (409, "already_imported"))
        # and another agent of the company is a source of its own too
        status, body = self.call(
            "/imports?format=registry&profile=sberbank_standard", data=data, token=self.other_token
        )
        self.assertEqual(status, 201, body)
        self.assertEqual(body["already_booked"], 0)

    def test_rate_limit_per_token(self):
        # a window of a day: the test never straddles two windows
        self._limit("token", "2/86400")
        self.assertEqual(self.call("/ping")[0], 200)
        self.assertEqual(self.call("/ping")[0], 200)
        response = self.url_open(f"{API}/ping", headers={"Authorization": f"Bearer {self.token}"})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json()["error"]["code"], "too_many_requests")
        self.assertGreaterEqual(int(response.headers["Retry-After"]), 1)
        # every endpoint counts against the token, and another token has its own count
        self.assertEqual(self.call("/imports/1")[0], 429)
        self.assertEqual(self.call("/ping", token=self.other_token)[0], 200)

    def test_rate_limit_per_address(self):
        # the address is limited before the token is looked at. (A refused call counts too in
        # production, where the counter has a transaction of its own; in a test the refused
        # call's rollback takes its count back with it, so only calls that succeed are counted
        # here.)
        self._limit("ip", "3/86400")
        self.assertEqual(self.call("/ping")[0], 200)
        self.assertEqual(self.call("/ping", token=self.other_token)[0], 200)
        self.assertEqual(self.call(f"/accounts/{self.acc1.name}/debt")[0], 200)
        status, body = self.call("/ping", token="tko_wrong")
        self.assertEqual((status, body["error"]["code"]), (429, "too_many_requests"))
        self.assertEqual(self.call("/ping")[0], 429)
        self.assertEqual(self.call("/ping", token=self.other_token)[0], 429)

    def test_debt_lookups_have_their_own_limit(self):
        self._limit("debt", "1/86400")
        self.assertEqual(self.call(f"/accounts/{self.acc1.name}/debt")[0], 200)
        self.assertEqual(self.call(f"/accounts/{self.acc2.name}/debt")[0], 429)
        self.assertEqual(self.call("/accounts/0000000/debt")[0], 429)
        self.assertEqual(self.call("/ping")[0], 200)

    def test_token_only_in_the_header(self):
        for name in ("token", "access_token"):
            response = self.url_open(f"{API}/ping?{name}={self.token}")
            self.assertEqual(response.status_code, 400, name)
            self.assertEqual(response.json()["error"]["code"], "token_in_query")
        # not even next to a good header
        status, body = self.call(f"/ping?token={self.token}")
        self.assertEqual((status, body["error"]["code"]), (400, "token_in_query"))

    def test_empty_address_list_refuses_by_default(self):
        agent = self.env["tko.payment.agent"].create({"name": "Новый агент", "code": "fresh"})
        self.assertTrue(agent.deny_without_ips)
        token = agent._tko_new_token()
        status, body = self.call("/ping", token=token)
        self.assertEqual((status, body["error"]["code"]), (403, "ip_not_allowed"))
        agent.deny_without_ips = False
        self.assertEqual(self.call("/ping", token=token)[0], 200)

    def test_forwarded_for_is_believed_only_from_a_configured_proxy(self):
        self.agent.allowed_ips = "203.0.113.5"
        forwarded = {"X-Forwarded-For": "203.0.113.5"}
        status, body = self.call("/ping", headers=forwarded)
        self.assertEqual((status, body["error"]["code"]), (403, "ip_not_allowed"))
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("mobill_tko_integrations.api_trusted_proxies", "127.0.0.1, ::1")
        self.assertEqual(self.call("/ping", headers=forwarded)[0], 200)
        # the proxy appends the real peer: an address the client wrote in front is not believed
        status, body = self.call("/ping", headers={"X-Forwarded-For": "203.0.113.5, 198.51.100.7"})
        self.assertEqual(status, 403, body)
        # a proxy that is not configured is not believed either
        params.set_param("mobill_tko_integrations.api_trusted_proxies", "192.0.2.1")
        self.assertEqual(self.call("/ping", headers=forwarded)[0], 403)

    def test_body_is_not_read_before_the_token_is_checked(self):
        data = self._registry([(self.acc1.name, "10.00", "nb1")])
        with patch.object(
            http.Request, "get_http_params", side_effect=AssertionError("body parsed")
        ):
            status, body = self.call("/imports", files={"file": ("x.txt", data)}, token="tko_bad")
        self.assertEqual((status, body["error"]["code"]), (401, "bad_token"))
        status, body = self.call("/imports", files={"file": ("x.txt", data)})
        self.assertEqual(status, 201, body)
