import json
import time
from urllib.parse import parse_qs

from odoo.tests import tagged

from .common import ClaimsCase, QuietHandler, local_server


class FakeGateway(QuietHandler):
    """SMS.ru and SMSC answers on 127.0.0.1; records every request."""

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        params = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.requests.append((self.path, params))
        if self.path.startswith("/slow"):
            time.sleep(3)
            self.reply(200, "{}")
        elif self.path.startswith("/sms/send"):
            if params.get("api_id") != "good-key":
                self.reply(
                    200,
                    json.dumps(
                        {
                            "status": "ERROR",
                            "status_code": 200,
                            "status_text": "Неправильный api_id",
                        }
                    ),
                )
                return
            phone = params["to"]
            self.reply(
                200,
                json.dumps(
                    {
                        "status": "OK",
                        "status_code": 100,
                        "balance": 10,
                        "sms": {
                            phone: {"status": "OK", "status_code": 100, "sms_id": "000000-1000001"}
                        },
                    }
                ),
            )
        elif self.path.startswith("/sys/send.php"):
            if params.get("psw") != "secret":
                self.reply(200, json.dumps({"error": "authorise error", "error_code": 2}))
                return
            self.reply(200, json.dumps({"id": 77, "cnt": 1}))
        else:
            self.reply(404, "{}")


@tagged("post_install", "-at_install")
class TestNotices(ClaimsCase):
    def notice(self, channel, key="unpaid", **values):
        account = self.accounts[key]
        return self.env["tko.notice"].create(
            {
                "channel": channel,
                "partner_id": account.partner_id.id,
                "account_id": account.id,
                "debt_amount": 5000.0,
                "subject": "Задолженность",
                "body": "Долг 5000 руб. Оплатите, пожалуйста.",
                **values,
            }
        )

    def provider(self, base, kind, **values):
        path = "/sms/send" if kind == "smsru" else "/sys/send.php"
        return self.env["tko.sms.provider"].create(
            {"name": kind, "kind": kind, "url": base + path, "timeout": 2, **values}
        )

    def test_sms_ru(self):
        with local_server(FakeGateway) as (base, server):
            provider = self.provider(base, "smsru", api_key="good-key", sender="TKO")
            notice = self.notice("sms", provider_id=provider.id)
            notice.action_send()
        self.assertEqual(notice.state, "sent", notice.status_message)
        self.assertEqual(notice.external_id, "000000-1000001")
        self.assertTrue(notice.date_sent)
        path, params = server.requests[0]
        self.assertEqual(params["to"], "79120000001")
        self.assertEqual(params["msg"], notice.body)
        self.assertEqual(params["from"], "TKO")
        self.assertEqual(params["json"], "1")

    def test_smsc(self):
        with local_server(FakeGateway) as (base, server):
            provider = self.provider(base, "smsc", login="tko", api_key="secret")
            notice = self.notice("sms", provider_id=provider.id)
            notice.action_send()
        self.assertEqual(notice.state, "sent", notice.status_message)
        self.assertEqual(notice.external_id, "77")
        params = server.requests[0][1]
        self.assertEqual(params["charset"], "utf-8")
        self.assertEqual(params["fmt"], "3")
        self.assertEqual(params["phones"], "79120000001")
        self.assertEqual(params["mes"], notice.body)

    def test_sms_refused_and_unreachable(self):
        with local_server(FakeGateway) as (base, _server):
            refused = self.notice("sms", provider_id=self.provider(base, "smsru", api_key="x").id)
            refused.action_send()
            smsc = self.notice("sms", provider_id=self.provider(base, "smsc", login="a").id)
            smsc.action_send()
            slow = self.env["tko.sms.provider"].create(
                {
                    "name": "slow",
                    "kind": "smsru",
                    "url": base + "/slow",
                    "timeout": 1,
                    "api_key": "good-key",
                }
            )
            timed_out = self.notice("sms", provider_id=slow.id)
            timed_out.action_send()
        self.assertEqual(refused.state, "failed")
        self.assertIn("Неправильный api_id", refused.status_message)
        self.assertEqual(smsc.state, "failed")
        self.assertIn("authorise error", smsc.status_message)
        self.assertEqual(timed_out.state, "failed")
        no_phone = self.notice("sms", phone="12")
        no_phone.action_send()
        self.assertEqual(no_phone.state, "failed")
        # a failed notice can be sent again (the gateway is gone now: failed again, logged)
        refused.action_send()
        self.assertEqual(refused.state, "failed")

    def test_email(self):
        notice = self.notice("email")
        notice.action_send()
        self.assertEqual(notice.state, "sent", notice.status_message)
        mail = notice.mail_id
        self.assertTrue(mail)
        self.assertEqual(mail.email_to, "unpaid@example.com")
        self.assertIn("Оплатите", str(mail.body_html))
        self.assertEqual(mail.subject, "Задолженность")

    def test_call_task_done_by_the_operator(self):
        operator = self.make_user("op_calls", ["mobill_tko_base.group_tko_operator"])
        notice = self.notice("call", call_user_id=operator.id)
        notice.action_send()
        self.assertEqual(notice.state, "queued")
        activity = notice.activity_ids
        self.assertEqual(activity.user_id, operator)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        activity.with_user(operator).action_feedback(feedback="Обещал оплатить до 15-го")
        self.assertEqual(notice.state, "done")
        self.assertIn("15", notice.status_message)

    def test_letter_channel(self):
        notice = self.notice("letter")
        notice.action_send()
        self.assertEqual(notice.state, "queued")
        self.assertEqual(notice.letter_id.partner_id, notice.partner_id)
        self.assertEqual(notice.letter_id.direction, "out")

    def test_rule_sends_to_matching_debtors_once(self):
        with local_server(FakeGateway) as (base, server):
            provider = self.provider(base, "smsru", api_key="good-key")
            rule = self.env["tko.notice.rule"].create(
                {
                    "name": "SMS: долг больше 2000 дольше 30 дней",
                    "channel": "sms",
                    "min_debt": 2000,
                    "min_days": 30,
                    "provider_id": provider.id,
                    "body": "{{ object.partner_id.name }}: долг {{ object.debt_amount }} руб.",
                }
            )
            notices = rule.action_apply()
            # unpaid: 10 × 500 = 5000; partial: 10 × 300 − 9 × 150 = 1650; the contract:
            # 100 000 − 15 000; paid and E3 owe (almost) nothing
            targets = {n.account_id.id or n.contract_id.id for n in notices}
            self.assertEqual(
                targets, {self.accounts["unpaid"].id, self.contract.id}, notices.mapped("name")
            )
            unpaid = notices.filtered(lambda n: n.account_id == self.accounts["unpaid"])
            self.assertEqual(unpaid.state, "sent", unpaid.status_message)
            # the contract's consumer has no mobile phone: logged as failed, not skipped
            failed = notices - unpaid
            self.assertEqual(failed.state, "failed")
            self.assertFalse(failed.external_id)
            self.assertTrue(failed.status_message)
            self.assertEqual(unpaid.body, "Должник unpaid: долг 5000.0 руб.")
            self.assertEqual(len(server.requests), 1, "the contract's partner has no mobile")
            # within repeat_days nobody gets it again
            self.assertFalse(rule.action_apply())
            rule.min_debt = 1000
            self.assertEqual(rule.action_apply().account_id, self.accounts["partial"])

    def test_notice_wizard_from_debtors(self):
        debtors = self.env["tko.debtor"].search([("company_id", "=", self.company.id)])
        wizard = self.env["tko.notice.wizard"].create(
            {
                "debtor_ids": [(6, 0, debtors.ids)],
                "channel": "email",
                "body": "Долг: {{ object.debt_amount }}",
            }
        )
        action = wizard.action_create()
        notices = self.env["tko.notice"].search(action["domain"])
        self.assertEqual(len(notices), len(debtors))
        self.assertEqual(set(notices.mapped("state")), {"sent"})
        debtor = debtors.filtered(lambda d: d.account_id == self.accounts["unpaid"])
        notice = notices.filtered(lambda n: n.account_id == self.accounts["unpaid"])
        self.assertEqual(notice.debt_amount, debtor.debt)
        self.assertEqual(notice.debt_date, debtor.as_of)
