import base64
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from odoo.tests import tagged

from mobill_tko_core.demo import history as demo_history

from ..models.tko_demo_history import ABSENCES, APPEALS, TEMPORARY_RESIDENTS
from .common import DemoHistoryCase

MONTHS = 5
ACCOUNTS = 60
CONTRACTS = 10  # enough for a legal entity that stopped paying and one paying in part


@tagged("post_install", "-at_install")
class TestDemoHistory(DemoHistoryCase):
    """A short demo history on the demo region (5 months, 60 accounts, 10 contracts): real
    overdue debts, penalties, debtors, notices and claims, accounting in step with the ledger,
    and a second load that adds nothing."""

    months, accounts, contracts = MONTHS, ACCOUNTS, CONTRACTS

    def test_periods_charges_and_payments(self):
        self.assertTrue(self.summary)
        periods = self.of_company("tko.billing.period").sorted("date_start")
        self.assertEqual(len(periods), MONTHS)
        self.assertEqual(periods[-1].date_start, demo_history.add_months(self.today, -1))
        self.assertEqual(periods[:-1].mapped("state"), ["closed"] * (MONTHS - 1))
        self.assertEqual(periods[-1].state, "open")
        charges = self.of_company("tko.charge", [("kind", "=", "charge")])
        # the first accounts of the region (a few closed before the history have no charges)
        self.assertLessEqual(len(charges.account_id), ACCOUNTS)
        self.assertGreater(len(charges.account_id), ACCOUNTS * 0.9)
        self.assertGreaterEqual(len(charges.contract_id), CONTRACTS - 2)
        payments = self.of_company("tko.payment")
        self.assertEqual(len(payments), self.summary["payments"])
        # posted, but a payment of a bank statement that names nobody (integrations' demo
        # exchange, when installed): it waits for allocation by hand, with no payer
        waiting = payments.filtered(lambda p: p.state != "posted")
        self.assertLessEqual(len(waiting), 1)
        self.assertFalse(waiting.account_id or waiting.contract_id)
        self.assertEqual(set(waiting.mapped("state")), {"draft"} if waiting else set())
        payments -= waiting
        self.assertLessEqual(max(payments.mapped("date_paid")), self.today)
        self.assertTrue(payments.filtered("contract_id") and payments.filtered("account_id"))
        # allocated by the ledger: a payment naming a month pays it, the rest goes oldest first
        allocated = sum(payments.allocation_ids.mapped("amount"))
        self.assertAlmostEqual(allocated, sum(payments.mapped("amount")), places=2)

    def test_accounting_agrees_with_the_ledger(self):
        rows = self.of_company("tko.billing.reconciliation")
        self.assertTrue(rows)
        self.assertEqual(rows.filtered(lambda r: not r.agrees), rows.browse())
        self.assertFalse(any(rows.mapped("unposted_total")), "every period is posted")
        pay_rows = self.of_company("tko.payment.reconciliation")
        self.assertTrue(pay_rows)
        self.assertEqual(pay_rows.filtered(lambda r: not r.agrees), pay_rows.browse())
        self.assertFalse(any(pay_rows.mapped("unposted_total")), "every payment is posted")

    def test_overdue_debts_and_penalties(self):
        debtors = self.of_company("tko.debtor")
        self.assertEqual(len(debtors), self.summary["debtors"])
        # individuals' penalties start on the 31st day, legal entities' on the first
        old = debtors.filtered(lambda d: d.overdue_days > 90 and d.overdue_debt > 0)
        self.assertTrue(old.filtered("account_id"))
        late = debtors.filtered(lambda d: d.overdue_days > 30 and d.overdue_debt > 0)
        self.assertTrue(late.filtered("contract_id"))
        penalties = self.of_company("tko.penalty", [("total", ">", 0)])
        self.assertEqual(len(penalties), self.summary["penalties"])
        self.assertTrue(penalties.filtered("account_id") and penalties.filtered("contract_id"))
        self.assertTrue(all(p.has_breakdown and p.line_ids for p in penalties))
        booked = self.of_company("tko.charge", [("kind", "=", "penalty")])
        self.assertAlmostEqual(
            sum(booked.mapped("amount_total")), sum(penalties.mapped("total")), places=2
        )
        self.assertEqual(set(booked.mapped("state")), {"posted"})

    def test_stopped_payer_owes_the_months_since_he_stopped(self):
        """A stopped payer's debt is his charges since his last payment, month after month."""
        charges = self.of_company("tko.charge", [("kind", "!=", "penalty")])
        keys = [("tko.account", i) for i in charges.account_id.ids]
        keys += [("tko.contract", i) for i in charges.contract_id.ids]
        legal = {key for key in keys if key[0] == "tko.contract"}
        profiles = demo_history.assign_profiles(keys, self.today, legal)
        stopped = [key for key, p in profiles.items() if p.kind == demo_history.STOPPED]
        self.assertTrue(stopped)
        for model, rid in stopped:
            record = self.env[model].browse(rid)
            field = "account_id" if model == "tko.account" else "contract_id"
            own = charges.filtered(lambda c, f=field, r=record: c[f] == r)
            self.assertFalse(self.of_company("tko.payment", [(field, "=", rid)]))
            debtor = self.of_company("tko.debtor", [(field, "=", rid)])
            self.assertAlmostEqual(debtor.principal_debt, sum(own.mapped("amount_total")), 2)
            self.assertEqual(debtor.months_in_debt, len(own.period_id))

    def test_notices_and_claims(self):
        notices = self.of_company("tko.notice")
        self.assertEqual(len(notices), self.summary["notices"])
        self.assertTrue(notices)
        self.assertFalse(notices.filtered(lambda n: n.state in ("draft", "failed")))
        self.assertTrue(notices.filtered(lambda n: n.channel == "letter").letter_id)
        self.assertTrue(all(n.debt_amount > 1000 for n in notices if n.channel == "letter"))
        self.assertIn("задолженность", notices[0].body)
        claims = self.of_company("tko.claim")
        self.assertEqual(len(claims), self.summary["claims"])
        self.assertEqual(set(claims.mapped("stage")), {"prepared", "sent"})
        for claim in claims:
            self.assertGreater(claim.debt_amount, 0)
            self.assertGreater(claim.penalty_amount, 0)
            self.assertTrue(claim.debt_line_ids and claim.penalty_line_ids)
            self.assertLess(claim.period_from, claim.calc_date)
        sent = claims.filtered(lambda c: c.stage == "sent")
        self.assertEqual(sent.date_sent, self.today)
        debtors = self.of_company("tko.debtor", [("last_claim_id", "in", claims.ids)])
        self.assertEqual(len(debtors), len(claims))

    def test_second_load_adds_nothing(self):
        counts = {
            model: self.env[model].search_count([])
            for model in (
                "tko.billing.period",
                "tko.charge",
                "tko.payment",
                "tko.claim",
                "tko.absence",
                "tko.recalculation",
                "tko.measurement",
                "tko.advance.invoice",
                "tko.letter",
            )
        }
        self.assertIsNone(self.env["tko.demo.history"]._load_demo_history(months=MONTHS))
        for model, count in counts.items():
            self.assertEqual(self.env[model].search_count([]), count, model)

    def test_amounts_are_kopecks(self):
        amounts = self.of_company("tko.payment").mapped("amount")
        for amount in amounts:
            value = Decimal(str(amount))
            self.assertEqual(value, value.quantize(Decimal("0.01")))

    # ------------------------------------------------------------------ cases
    def open_period(self):
        return self.of_company("tko.billing.period", [("state", "=", "open")])

    def month_charge(self, account, period):
        charge = self.of_company(
            "tko.charge",
            [
                ("account_id", "=", account.id),
                ("period_id", "=", period.id),
                ("kind", "=", "charge"),
            ],
        )
        self.assertEqual(len(charge), 1, "one charge line in the month")
        return charge

    def test_absences_are_recalculated(self):
        """A confirmed absence books a recalculation in the open period: minus the charge of
        the absent persons for the full days away; the application just received is a draft."""
        absences = self.of_company("tko.absence")
        self.assertEqual(len(absences), self.summary["absences"])
        confirmed = absences.filtered(lambda a: a.state == "confirmed")
        accountant = self.env.ref("mobill_tko_base.user_demo_accountant")
        self.assertEqual(len(confirmed), len(ABSENCES))
        self.assertEqual(absences.filtered(lambda a: a.state == "draft").mapped("counted"), [True])
        for absence in confirmed:
            self.assertTrue(absence.counted)
            self.assertLessEqual(absence.date_application, self.today)
            self.assertIn(absence.account_id.name, absence.display_name)
            # confirmed by the accountant: the state's change is in the chatter under her name
            tracked = absence.message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "state"
            )
            self.assertEqual(tracked.mail_message_id.author_id, accountant.partner_id)
            document = absence.document_id
            self.assertEqual(document.doc_type, "absence")
            self.assertEqual(document.account_id, absence.account_id)
            self.assertTrue(base64.b64decode(document.file).startswith(b"%PDF"))
            recalc = absence.recalculation_id
            self.assertEqual(recalc.state, "done")
            self.assertEqual(recalc.basis_type, "absence")
            self.assertEqual(recalc.document_id, document)
            self.assertEqual(recalc.period_id, self.open_period())
            self.assertEqual(recalc.line_ids.account_id, absence.account_id)
            self.assertEqual(set(recalc.line_ids.mapped("state")), {"posted"})
            period = recalc.line_ids.corrected_period_id
            self.assertEqual(period.date_start, absence.departure.replace(day=1))
            charge = self.month_charge(absence.account_id, period)
            expected = (
                Decimal(str(charge.amount_total))
                * absence.persons
                * absence.full_days
                / charge.residents
                / charge.days_in_month
            )
            self.assertLess(recalc.amount_total, 0)
            self.assertAlmostEqual(recalc.amount_total, -float(expected), delta=0.02)

    def test_temporary_residents_are_recalculated(self):
        """Temporary residents added from a past date: a recalculation of the closed months
        they lived there, one more share of the month's charge per person and month."""
        recalcs = self.of_company("tko.recalculation", [("basis_type", "=", "characteristic")])
        self.assertEqual(len(recalcs), len(TEMPORARY_RESIDENTS))
        self.assertEqual(len(recalcs), self.summary["recalculations"] - len(ABSENCES))
        # the last one waits for the accountant ("To book"): booking it is the first-day task
        waiting = recalcs.filtered(lambda r: r.state == "draft")
        self.assertEqual(len(waiting), 1)
        self.assertFalse(waiting.line_ids)
        waiting.action_book()
        for recalc in recalcs:
            version = recalc.basis_ref
            self.assertEqual(version.kind, "residents_temporary")
            self.assertEqual(recalc.state, "done")
            self.assertGreater(recalc.amount_total, 0)
            state = "draft" if recalc == waiting else "posted"
            self.assertEqual(set(recalc.line_ids.mapped("state")), {state})
            by_period = defaultdict(float)
            for line in recalc.line_ids:
                by_period[line.corrected_period_id] += line.amount_total
            self.assertTrue(by_period)
            for period, amount in by_period.items():
                self.assertGreaterEqual(period.date_end, version.date_from)
                self.assertLessEqual(period.date_start, version.date_to)
                if version.date_from.day == 1:  # whole months: a share per person
                    account = recalc.account_ids
                    old = self.of_company(
                        "tko.charge",
                        [
                            ("account_id", "=", account.id),
                            ("period_id", "=", period.id),
                            ("kind", "=", "charge"),
                        ],
                    )
                    share = old.amount_total / old.residents * version.value
                    self.assertAlmostEqual(amount, share, delta=0.02)

    def test_measured_volume_is_charged(self):
        """The collector's acts of a contract switched to the measured volume are its charges:
        per month, the measured volumes summed at the tariff."""
        measurements = self.of_company("tko.measurement")
        self.assertEqual(len(measurements), self.summary["measurements"])
        self.assertTrue(measurements)
        measured = defaultdict(float)
        for measurement in measurements:
            self.assertEqual(measurement.kind, "volume")
            self.assertIn("Акт", measurement.note)
            month = measurement.date.replace(day=1)
            measured[(measurement.contract_id, month)] += measurement.value
        for (contract, month), volume in measured.items():
            charges = self.of_company(
                "tko.charge",
                [
                    ("contract_id", "=", contract.id),
                    ("period_id.date_start", "=", month),
                    ("kind", "=", "charge"),
                ],
            )
            self.assertEqual(set(charges.mapped("method")), {"measured_volume"}, month)
            self.assertAlmostEqual(sum(charges.mapped("quantity")), volume, places=4)
            for charge in charges:
                self.assertGreater(charge.amount_total, 0)
            before = self.of_company(
                "tko.charge",
                [
                    ("contract_id", "=", contract.id),
                    ("period_id.date_start", "<", min(m for c, m in measured if c == contract)),
                    ("kind", "=", "charge"),
                ],
            )
            self.assertNotIn("measured_volume", before.mapped("method"))

    def test_advance_invoices(self):
        """Issued advance invoices of the last months: the condition's share of the contract's
        charges of the month before, dated the first day of the billed month."""
        invoices = self.of_company("tko.advance.invoice")
        self.assertEqual(len(invoices), self.summary["advance_invoices"])
        self.assertTrue(invoices)
        self.assertEqual(set(invoices.mapped("state")), {"issued"})
        self.assertIn(self.open_period(), invoices.period_id)
        for invoice in invoices:
            period = invoice.period_id
            condition = invoice.contract_id.conditions_at(period.date_start)
            self.assertTrue(condition.advance)
            self.assertEqual(invoice.share, condition.advance_share)
            self.assertEqual(invoice.date, period.date_start)
            self.assertEqual(invoice.basis_period_id.date_end, period.date_start - timedelta(1))
            charged = self.of_company(
                "tko.charge",
                [
                    ("contract_id", "=", invoice.contract_id.id),
                    ("period_id", "=", invoice.basis_period_id.id),
                    ("kind", "=", "charge"),
                ],
            )
            basis = Decimal(str(sum(charged.mapped("amount_total")))).quantize(Decimal("0.01"))
            self.assertEqual(Decimal(str(invoice.basis_amount)), basis)
            asked = (basis * Decimal(str(condition.advance_share)) / 100).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            self.assertEqual(Decimal(str(invoice.amount)), asked)

    def test_appeals_and_answers(self):
        """Consumers' appeals with their answer deadline: the answered ones closed by an
        outgoing answer sent in time, one overdue without an answer, one not due yet."""
        appeals = self.of_company("tko.letter", [("direction", "=", "in")])
        answers = self.of_company("tko.letter", [("kind", "=", "answer")])
        self.assertEqual(len(appeals), len(APPEALS))
        self.assertEqual(len(appeals) + len(answers), self.summary["letters"])
        answered = appeals.filtered("answer_ids")
        self.assertEqual(len(answered), len([a for a in APPEALS if a[-1]]))
        for appeal in appeals:
            self.assertIn(appeal.kind, ("request", "complaint"))
            self.assertTrue(appeal.answer_deadline > appeal.date)
            self.assertRegex(appeal.subject, "[а-я]")
        for appeal in answered:
            answer = appeal.answer_ids
            self.assertEqual(answer.direction, "out")
            self.assertIn(answer.state, ("sent", "delivered"))
            self.assertEqual(appeal.date_answered, answer.date)
            self.assertLessEqual(answer.date, appeal.answer_deadline)
            self.assertEqual(appeal.state, "closed")
            self.assertFalse(appeal.needs_answer)
        waiting = appeals - answered
        self.assertTrue(all(waiting.mapped("needs_answer")))
        self.assertEqual(set(waiting.mapped("state")), {"registered"})
        overdue = waiting.filtered(lambda a: a.answer_deadline < self.today)
        self.assertEqual(len(overdue), 1)
