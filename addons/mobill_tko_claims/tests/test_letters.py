import datetime as dt

from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import format_date

from .common import ClaimsCase


@tagged("post_install", "-at_install")
class TestLetters(ClaimsCase):
    def test_incoming_letter_answer_deadline_and_reminder(self):
        today = self.today()
        incoming = self.env["tko.letter"].create(
            {
                "direction": "in",
                "partner_id": self.legal.id,
                "contract_id": self.contract.id,
                "subject": "Просьба о рассрочке",
                "their_number": "15/3",
                "their_date": today - dt.timedelta(days=3),
                "answer_deadline": today + dt.timedelta(days=2),
                "kind": "request",
            }
        )
        self.assertTrue(incoming.name.startswith("ВХ-"))
        self.assertTrue(incoming.needs_answer)
        far = incoming.copy({"answer_deadline": today + dt.timedelta(days=20)})
        self.env["tko.letter"]._cron_answer_reminders()
        self.env["tko.letter"]._cron_answer_reminders()
        self.assertEqual(len(incoming.activity_ids), 1, "reminded once, 2 days before")
        self.assertEqual(incoming.activity_ids.date_deadline, incoming.answer_deadline)
        self.assertNotIn(str(incoming.answer_deadline), incoming.activity_ids.note)
        self.assertIn(format_date(self.env, incoming.answer_deadline), incoming.activity_ids.note)
        self.assertFalse(far.activity_ids, "not yet")
        # the answer
        answer = (
            self.env["tko.letter"].with_context(**incoming.action_reply()["context"]).create({})
        )
        self.assertEqual(answer.direction, "out")
        self.assertTrue(answer.name.startswith("ИСХ-"))
        self.assertEqual(answer.reply_to_id, incoming)
        self.assertEqual(incoming.date_answered, answer.date)
        self.assertFalse(incoming.needs_answer)
        answer.delivery_ids = [
            (
                0,
                0,
                {
                    "method": "hand",
                    "date": today,
                    "delivered_by": "Курьер Петров",
                    "received_by": "Секретарь Иванова",
                    "result": "delivered",
                },
            )
        ]
        self.assertEqual(answer.state, "delivered")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("mobill_tko_claims.action_report_tko_letter", answer.ids)[0]
            .decode()
        )
        self.assertIn(answer.name, html)
        self.assertIn("15/3", html)

    @freeze_time("2026-03-10 22:30:00")
    def test_appeal_from_the_consumer_form(self):
        """«Зарегистрировать обращение» on the consumer form opens an incoming request of this
        consumer, on its account, due in the company's answer days; the appeal then shows on the
        consumer's «Обращения и письма» tab. A reader may see it but not register one.

        At 22:30 UTC on 10.03 it is already 11.03 in Moscow: the deadline counts from the
        operator's day."""
        self.company.tko_appeal_answer_days = 12
        partner = self.partners["unpaid"]
        operator = new_test_user(
            self.env,
            login="appeal_operator",
            groups="mobill_tko_base.group_tko_operator",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
            tz="Europe/Moscow",
        )
        action = partner.with_user(operator).action_tko_new_appeal()
        self.assertEqual(action["res_model"], "tko.letter")
        with Form(
            self.env["tko.letter"].with_user(operator).with_context(**action["context"])
        ) as form:
            form.subject = "Прошу пересчитать плату за январь"
        appeal = form.save()
        self.assertEqual(appeal.direction, "in")
        self.assertEqual(appeal.kind, "request")
        self.assertEqual(appeal.partner_id, partner)
        self.assertEqual(appeal.account_id, self.accounts["unpaid"])
        # the operator's today (his time zone), as the button sees it: 11.03 + 12 days
        self.assertEqual(
            fields.Date.context_today(appeal.with_user(operator)), dt.date(2026, 3, 11)
        )
        self.assertEqual(appeal.answer_deadline, dt.date(2026, 3, 23))
        self.assertTrue(appeal.needs_answer)
        self.assertIn(appeal, partner.tko_letter_ids)
        reader = new_test_user(
            self.env,
            login="appeal_reader",
            groups="mobill_tko_base.group_tko_readonly",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        self.assertIn(appeal, partner.with_user(reader).tko_letter_ids)
        with self.assertRaises(AccessError):
            partner.with_user(reader).action_tko_new_appeal()

    def test_letters_to_a_group(self):
        debtors = self.env["tko.debtor"].search([("company_id", "=", self.company.id)])
        wizard = self.env["tko.letter.wizard"].create(
            {
                "debtor_ids": [(6, 0, debtors.ids)],
                "partner_ids": [(6, 0, self.partners["e3"].ids)],
                "subject": "О задолженности",
                "answer_days": 10,
            }
        )
        letters = self.env["tko.letter"].search(wizard.action_create()["domain"])
        self.assertEqual(len(letters), len(debtors) + 1)
        self.assertEqual(set(letters.mapped("state")), {"registered"})
        self.assertEqual(letters.mapped("answer_deadline")[0], self.today() + dt.timedelta(days=10))
