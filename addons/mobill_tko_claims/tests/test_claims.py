import datetime as dt

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ClaimsCase

CALC = dt.date(2025, 1, 1)


@tagged("post_install", "-at_install")
class TestClaims(ClaimsCase):
    def claim(self, key="e3", kind="claim", **values):
        claim = self.env["tko.claim"].create(
            {"kind": kind, "account_id": self.accounts[key].id, "calc_date": CALC, **values}
        )
        claim.action_compute()
        return claim

    def test_claim_with_breakdown_and_pdf(self):
        claim = self.claim()
        self.assertEqual(claim.partner_id, self.partners["e3"])
        self.assertTrue(claim.name.startswith("ПР-"))
        self.assertEqual(claim.template_id, self.env.ref("mobill_tko_claims.claim_template_claim"))
        self.assertEqual(claim.penalty_amount, 49.69)
        self.assertEqual(claim.debt_amount, 0.0)
        self.assertEqual(
            claim.penalty_line_ids.filtered(lambda line: line.reason == "accrual").mapped("amount"),
            [19.0, 30.69],
        )
        self.assertEqual(claim.debt_line_ids.mapped("paid"), [1000.0])
        self.assertIn("49,69", str(claim.body).replace("\xa0", " ").replace(".", ","))
        self.assertIn(self.partners["e3"].name, str(claim.body))
        # the snapshot stays when the account is recalculated later
        self.env["tko.penalty"]._calculate(self.accounts["e3"], dt.date(2025, 2, 1))
        self.assertEqual(len(claim.penalty_line_ids), 3)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("mobill_tko_claims.action_report_tko_claim", claim.ids)[0]
            .decode()
        )
        self.assertIn("30.69", html.replace(",", "."))
        self.assertIn(claim.name, html)
        pdf, fmt = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("mobill_tko_claims.action_report_tko_claim", claim.ids)
        )
        self.assertEqual(fmt, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_claim_of_unpaid_debts(self):
        claim = self.claim("unpaid")
        # 12.2024 is due on 10.01.2025: not overdue on 01.01.2025, left out of the claim
        self.assertEqual(claim.debt_amount, 4500.0)
        self.assertEqual(claim.period_from, dt.date(2024, 3, 1))
        self.assertEqual(claim.period_to, dt.date(2024, 11, 1))
        self.assertNotIn(dt.date(2024, 12, 1), claim.debt_line_ids.mapped("period"))
        self.assertTrue(all(d.due_date < CALC for d in claim.debt_line_ids))
        self.assertAlmostEqual(float(self.expected_total("unpaid", CALC)), claim.penalty_amount, 2)
        self.assertAlmostEqual(claim.total_amount, claim.debt_amount + claim.penalty_amount, 2)

    def test_stages_dates_and_deadlines(self):
        claim = self.claim("unpaid")
        today = self.today()
        self.assertEqual(claim.stage, "prepared")
        self.assertEqual(claim.deadline, today + dt.timedelta(days=5))
        claim.action_next_stage()
        self.assertEqual((claim.stage, claim.date_sent), ("sent", today))
        self.assertEqual(claim.deadline, today + dt.timedelta(days=20))
        with self.assertRaises(UserError):
            claim.action_compute()  # the amounts are fixed once sent
        claim.action_set_stage("delivered", today - dt.timedelta(days=40))
        self.assertEqual(claim.date_delivered, today - dt.timedelta(days=40))
        self.assertEqual(claim.answer_deadline, today - dt.timedelta(days=10))
        self.assertTrue(claim.is_overdue)
        self.assertIn(claim, self.env["tko.claim"].search([("is_overdue", "=", True)]))
        # the deadline cron raises one activity for the responsible person, only once
        self.env["tko.claim"]._cron_check_deadlines()
        self.env["tko.claim"]._cron_check_deadlines()
        activities = claim.activity_ids
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, claim.user_id)
        # go to court: an application follows the claim
        action = claim.action_make_lawsuit()
        court = self.env["tko.claim"].browse(action["res_id"])
        self.assertEqual((court.kind, court.parent_id), ("court_order", claim))
        self.assertEqual(court.debt_amount, 5000.0)
        for stage in ("sent", "filed", "decision", "enforcement", "closed"):
            court.action_next_stage()
            self.assertEqual(court.stage, stage)
            self.assertEqual(court[f"date_{stage}"], today)
        self.assertFalse(court.is_overdue)
        with self.assertRaises(UserError):
            court.action_next_stage()
        claim.action_close()
        self.assertEqual(claim.stage, "closed")

    def test_delivery_of_the_claim_letter_moves_the_stage(self):
        claim = self.claim("unpaid")
        letter = (
            self.env["tko.letter"]
            .with_context(**claim.action_new_letter()["context"])
            .create({"subject": claim.name})
        )
        self.assertEqual((letter.partner_id, letter.claim_id), (claim.partner_id, claim))
        sent_on = self.today() - dt.timedelta(days=12)
        letter.delivery_ids = [
            (
                0,
                0,
                {
                    "method": "registered",
                    "date": sent_on,
                    "tracking_number": "80080012345678",
                    "result": "sent",
                    "delivered_by": "Почта России",
                },
            ),
        ]
        self.assertEqual((claim.stage, claim.date_sent), ("sent", sent_on))
        # an operator registers the notice of delivery
        operator = self.make_user("op_post", ["mobill_tko_base.group_tko_operator"])
        letter.with_user(operator).delivery_ids = [
            (
                0,
                0,
                {
                    "method": "registered",
                    "date": sent_on + dt.timedelta(days=5),
                    "result": "delivered",
                    "received_by": "Должник лично",
                },
            ),
        ]
        self.assertEqual(claim.stage, "delivered")
        self.assertEqual(claim.date_delivered, sent_on + dt.timedelta(days=5))
        self.assertEqual(letter.state, "delivered")
        self.assertEqual(claim.letter_count, 1)

    def test_claim_wizard_from_the_registry(self):
        debtors = self.env["tko.debtor"].search(
            [("company_id", "=", self.company.id), ("debt", ">", 1000)]
        )
        wizard = self.env["tko.claim.wizard"].create(
            {"debtor_ids": [(6, 0, debtors.ids)], "kind": "claim", "calc_date": CALC}
        )
        claims = self.env["tko.claim"].search(wizard.action_create()["domain"])
        self.assertEqual(len(claims), len(debtors))
        self.assertTrue(all(c.penalty_line_ids for c in claims))
        contract_claim = claims.filtered("contract_id")
        self.assertAlmostEqual(
            contract_claim.penalty_amount, float(self.expected_total("contract", CALC)), 2
        )

    def test_no_claim_for_a_debt_not_yet_due(self):
        """03.2024 and 04.2024 are charged and unpaid on 05.04.2024, but due on 10.04.2024 and
        10.05.2024: the wizard refuses and says so, no claim (and no number) is made."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["mobill_tko_claims"], ["ru_RU"])
        russian = self.env(context=dict(self.env.context, lang="ru_RU"))
        debtor = self.env["tko.debtor"].search([("account_id", "=", self.accounts["unpaid"].id)])
        wizard = russian["tko.claim.wizard"].create(
            {"debtor_ids": [(6, 0, debtor.ids)], "kind": "claim", "calc_date": "2024-04-05"}
        )
        sequence = self.env["ir.sequence"].search([("code", "=", "tko.claim.claim")])
        number = sequence.number_next_actual
        with self.assertRaises(UserError) as refused:
            wizard.action_create()
        message = str(refused.exception)
        self.assertIn("05.04.2024", message)
        self.assertIn("10.04.2024", message)
        self.assertIn(self.accounts["unpaid"].display_name, message)
        self.assertIn("Претензия составляется только на просроченный долг", message)
        self.assertIn("500,00\xa0руб", message)
        self.assertFalse(self.env["tko.claim"].search([("account_id", "=", debtor.account_id.id)]))
        self.assertEqual(sequence.number_next_actual, number)
        # a claim made directly is refused the same way
        claim = self.env["tko.claim"].create(
            {"account_id": self.accounts["unpaid"].id, "calc_date": dt.date(2024, 4, 10)}
        )
        with self.assertRaises(UserError):
            claim.action_compute()
        # the day after the due date the first month is overdue, the second is not
        claim.calc_date = dt.date(2024, 4, 11)
        claim.action_compute()
        self.assertEqual(claim.debt_amount, 500.0)
        self.assertEqual(claim.debt_line_ids.mapped("period"), [dt.date(2024, 3, 1)])

    def test_access(self):
        lawyer = self.make_user("lawyer_t", ["mobill_tko_base.group_tko_lawyer"])
        reader = self.make_user("reader_t", ["mobill_tko_base.group_tko_readonly"])
        claim = (
            self.env["tko.claim"]
            .with_user(lawyer)
            .create({"account_id": self.accounts["unpaid"].id, "calc_date": CALC})
        )
        claim.action_compute()
        claim.action_next_stage()
        self.assertEqual(claim.with_user(reader).stage, "sent")
        with self.assertRaises(AccessError):
            self.env["tko.claim"].with_user(reader).create(
                {"account_id": self.accounts["unpaid"].id}
            )
        with self.assertRaises(AccessError):
            claim.with_user(reader).write({"note": "x"})
        run = self.env["tko.penalty.run"].with_user(lawyer).create({"calc_date": CALC})
        run.with_context(queue_job__no_delay=True).action_start()
        self.assertEqual(run.state, "done")

    def test_money_collected_after_each_action(self):
        today = self.today()
        account = self.accounts["unpaid"]
        notice = self.env["tko.notice"].create(
            {
                "channel": "letter",
                "partner_id": account.partner_id.id,
                "account_id": account.id,
                "debt_amount": 5000.0,
            }
        )
        notice.action_send()
        notice.date_sent = dt.datetime.combine(today - dt.timedelta(days=10), dt.time(12))
        claim = self.claim("unpaid")
        claim.action_set_stage("sent", today - dt.timedelta(days=5))
        self.pay("unpaid", today - dt.timedelta(days=7), "300.00", None)
        self.pay("unpaid", today - dt.timedelta(days=2), "200.00", None)
        self.env.flush_all()
        rows = self.env["tko.claim.collection"].search([("account_id", "=", account.id)])
        by_action = {row.action: row for row in rows}
        self.assertEqual(by_action["notice"].date, today - dt.timedelta(days=10))
        self.assertEqual(by_action["notice"].paid_after, 300.0, "until the claim")
        self.assertEqual(by_action["notice"].paid_30, 500.0)
        self.assertEqual(by_action["claim"].paid_after, 200.0)
        self.assertEqual(by_action["claim"].debt, claim.total_amount)
        self.assertEqual(claim.collected_amount, 200.0)
        # grouped by action, as the pivot shows it
        groups = self.env["tko.claim.collection"].read_group(
            [("account_id", "=", account.id)], ["paid_after:sum"], ["action"]
        )
        self.assertEqual(
            {g["action"]: g["paid_after"] for g in groups}, {"notice": 300.0, "claim": 200.0}
        )
