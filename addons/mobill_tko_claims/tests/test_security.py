"""Who may do what in claims work: every public method refuses a portal user and a user of
another company with the same MoBill groups; state and engine fields are the actions' to write;
records of one company never link to another's; the XLSX export writes names as text."""

import contextlib
import datetime as dt
import io

import openpyxl
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import FIRST, ClaimsCase

LAWYER_GROUPS = "mobill_tko_base.group_tko_lawyer,mobill_tko_base.group_tko_operator"
HOSTILE = '=HYPERLINK("http://evil.example","x")'


@tagged("post_install", "-at_install")
class TestClaimsSecurity(ClaimsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Другой оператор"})
        cls.lawyer = new_test_user(
            cls.env,
            "claims_lawyer_a",
            groups=LAWYER_GROUPS,
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.reader = new_test_user(
            cls.env,
            "claims_reader_a",
            groups="mobill_tko_base.group_tko_readonly",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        # the same MoBill groups, in another company
        cls.stranger = new_test_user(
            cls.env,
            "claims_lawyer_b",
            groups=LAWYER_GROUPS,
            company_id=cls.other.id,
            company_ids=[(6, 0, cls.other.ids)],
        )
        cls.admin_b = new_test_user(
            cls.env,
            "claims_admin_b",
            groups="mobill_tko_base.group_tko_admin,base.group_system",
            company_id=cls.other.id,
            company_ids=[(6, 0, cls.other.ids)],
        )
        cls.portal = new_test_user(
            cls.env,
            "claims_portal",
            groups="base.group_portal",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.account = cls.accounts["unpaid"]
        cls.penalty = cls.env["tko.penalty"]._calculate(cls.account, dt.date(2025, 1, 1))
        cls.claim = cls.env["tko.claim"].create({"account_id": cls.account.id})
        cls.claim.action_compute()
        cls.notice = cls.env["tko.notice"].create(
            {"partner_id": cls.account.partner_id.id, "account_id": cls.account.id}
        )
        cls.letter = cls.env["tko.letter"].create(
            {"partner_id": cls.account.partner_id.id, "subject": "Претензия"}
        )
        cls.rule = cls.env["tko.notice.rule"].create({"name": "Долг", "min_debt": 1000})
        cls.provider = cls.env["tko.sms.provider"].create({"name": "SMS A"})
        cls.env["tko.debtor"]._refresh()
        cls.debtors = cls.env["tko.debtor"].search([("company_id", "=", cls.company.id)])
        # a contract of the other company, to link to by mistake
        partner_b = cls.env["res.partner"].create(
            {
                "name": "ООО Чужое",
                "is_tko_consumer": True,
                "tko_kind": "legal",
                "company_id": cls.other.id,
            }
        )
        cls.contract_b = cls.env["tko.contract"].create(
            {"partner_id": partner_b.id, "date_start": FIRST, "company_id": cls.other.id}
        )

    def as_user(self, user, records):
        """``records`` as ``user`` working in the companies of the user."""
        return records.with_user(user).with_context(allowed_company_ids=user.company_ids.ids)

    def assertRefused(self, call, *users):
        """``call(user)`` raises AccessError for each user (portal and other company by default)."""
        for user in users or (self.portal, self.stranger):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call(user)

    # ------------------------------------------------------------------ other company
    def test_other_company_reads_no_claims_debtors_penalties(self):
        for model, records in (
            ("tko.claim", self.claim),
            ("tko.debtor", self.debtors),
            ("tko.penalty", self.penalty),
            ("tko.notice", self.notice),
            ("tko.letter", self.letter),
            ("tko.penalty.line", self.penalty.line_ids),
        ):
            with self.subTest(model=model):
                self.assertTrue(records)
                self.assertFalse(self.as_user(self.stranger, self.env[model]).search([]))
                with self.assertRaises(AccessError):
                    self.as_user(self.stranger, records).read(["company_id"])
                with self.assertRaises(AccessError):
                    self.as_user(self.portal, records).read(["company_id"])

    def test_cross_company_links_are_refused(self):
        link = {"contract_id": self.contract_b.id, "company_id": self.company.id}
        partner = self.contract_b.partner_id.id
        for model, values in (
            ("tko.claim", link),
            ("tko.notice", {**link, "partner_id": partner}),
            ("tko.letter", {**link, "partner_id": partner, "subject": "x"}),
        ):
            with self.subTest(model=model), self.assertRaises(UserError):
                self.env[model].create(values)
        with self.assertRaises(UserError):
            self.notice.provider_id = self.env["tko.sms.provider"].create(
                {"name": "SMS B", "company_id": self.other.id}
            )
        with self.assertRaises(UserError):
            self.letter.claim_id = self.env["tko.claim"].create(
                {"contract_id": self.contract_b.id, "company_id": self.other.id}
            )
        with self.assertRaises(UserError):
            self.penalty.line_ids[:1].company_id = self.other

    # ------------------------------------------------------------------ init of SQL views
    def test_init_of_sql_views_is_the_systems(self):
        for model in ("tko.debtor", "tko.penalty", "tko.claim.collection"):
            with self.subTest(model=model):
                self.assertRefused(
                    lambda u, m=model: self.as_user(u, self.env[m]).init(),
                    self.portal,
                    self.stranger,
                    self.lawyer,
                )

    # ------------------------------------------------------------------ claims
    def test_claim_stage_is_written_by_the_actions_only(self):
        claim = self.as_user(self.lawyer, self.claim)
        with self.assertRaises(AccessError):
            claim.write({"stage": "closed"})
        with self.assertRaises(AccessError):
            claim.write({"stage_date": "2020-01-01"})
        with self.assertRaises(AccessError):
            self.as_user(self.lawyer, self.env["tko.claim"]).create(
                {"account_id": self.account.id, "stage": "decision"}
            )
        # the form sends the default stage of a new claim; the buttons move it on
        new = self.as_user(self.lawyer, self.env["tko.claim"]).create(
            {"account_id": self.account.id, "stage": "prepared"}
        )
        new.action_next_stage()
        self.assertEqual(new.stage, "sent")
        new.action_set_stage("closed", "2025-01-10")
        self.assertEqual((new.stage, new.date_closed), ("closed", dt.date(2025, 1, 10)))

    def test_claim_actions_refused(self):
        for name, args in (
            ("action_compute", ()),
            ("action_next_stage", ()),
            ("action_set_stage", ("closed",)),
            ("action_close", ()),
            ("action_make_lawsuit", ()),
            ("action_print", ()),
            ("action_new_letter", ()),
            ("action_view_letters", ()),
        ):
            with self.subTest(method=name):
                self.assertRefused(
                    lambda u, n=name, a=args: getattr(self.as_user(u, self.claim), n)(*a)
                )
        # a read-only manager of the company reads the claim and moves nothing
        self.assertRefused(
            lambda u: self.as_user(u, self.claim).action_set_stage("closed"), self.reader
        )
        self.assertRefused(lambda u: self.as_user(u, self.claim).action_compute(), self.reader)
        self.assertEqual(self.claim.stage, "prepared")

    # ------------------------------------------------------------------ debtors
    def test_debtor_actions_refused(self):
        for name in (
            "action_calculate_penalties",
            "action_notice_wizard",
            "action_claim_wizard",
            "action_export_xlsx",
            "action_open_target",
        ):
            with self.subTest(method=name):
                self.assertRefused(
                    lambda u, n=name: getattr(self.as_user(u, self.debtors[:1]), n)()
                )
        self.assertRefused(
            lambda u: self.as_user(u, self.env["tko.debtor"]).action_refresh(), self.portal
        )
        # the registry's figures are the system's
        with self.assertRaises(AccessError):
            self.as_user(self.lawyer, self.debtors[:1]).write({"debt": 0})
        # the XLSX of another company's debtors
        self.assertRefused(
            lambda u: self.as_user(u, self.env["ir.actions.report"])._render(
                "mobill_tko_claims.action_report_tko_debtor_xlsx", self.debtors.ids, {}
            )
        )

    def test_account_actions_refused(self):
        for name in (
            "action_tko_penalty_wizard",
            "action_tko_open_penalty",
            "action_tko_view_claims",
            "action_tko_view_notices",
            "action_tko_view_letters",
        ):
            for target in (self.account, self.contract):
                with self.subTest(method=name, model=target._name):
                    self.assertRefused(lambda u, n=name, t=target: getattr(self.as_user(u, t), n)())
        self.assertRefused(
            lambda u: self.as_user(u, self.account).action_tko_penalty_wizard(), self.reader
        )

    # ------------------------------------------------------------------ penalties
    def test_penalty_amounts_are_the_engines(self):
        penalty = self.as_user(self.lawyer, self.penalty)
        self.assertTrue(penalty.total)
        for values in ({"total": 0.0}, {"state": "error"}, {"calc_date": "2020-01-01"}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                penalty.write(values)
        with self.assertRaises(AccessError):
            self.as_user(self.lawyer, self.env["tko.penalty"]).create(
                {
                    "account_id": self.accounts["paid"].id,
                    "company_id": self.company.id,
                    "consumer": "individual",
                    "calc_date": "2025-01-01",
                    "total": 1.0,
                }
            )
        for lines in (penalty.line_ids, penalty.debt_ids, self.claim.penalty_line_ids):
            with self.subTest(model=lines._name), self.assertRaises(AccessError):
                self.as_user(self.lawyer, lines[:1]).write({"amount": 1.0})
        with self.assertRaises(AccessError):
            self.as_user(self.lawyer, self.env["tko.penalty.line"]).create(
                {
                    "penalty_id": penalty.id,
                    "company_id": self.company.id,
                    "period": "2024-03-01",
                    "due_date": "2024-04-10",
                    "date_from": "2024-04-11",
                    "date_to": "2024-05-10",
                    "reason": "accrual",
                    "amount": 1000.0,
                }
            )
        # the lawyer's button recomputes through the engine
        penalty.action_recompute_breakdown()
        self.assertEqual(penalty.total, self.penalty.total)

    def test_penalty_actions_refused(self):
        for name in ("action_recompute_breakdown", "action_open_target"):
            with self.subTest(method=name):
                self.assertRefused(lambda u, n=name: getattr(self.as_user(u, self.penalty), n)())
        self.assertRefused(
            lambda u: self.as_user(u, self.penalty).action_recompute_breakdown(), self.reader
        )

    def test_penalty_wizard_refuses_other_companys_accounts(self):
        # refused by the wizard's check (AccessError) or, when the ORM has already hidden the
        # foreign accounts, for having nothing to calculate (UserError)
        wizard = self.as_user(self.stranger, self.env["tko.penalty.wizard"]).create(
            {"account_ids": [(6, 0, self.account.ids)], "book": True}
        )
        with self.assertRaises(UserError):
            wizard.action_calculate()
        self.assertFalse(
            self.env["tko.charge"].search(
                [("account_id", "=", self.account.id), ("kind", "=", "penalty")]
            )
        )

    # ------------------------------------------------------------------ notices and rules
    def test_notice_state_is_written_by_the_actions_only(self):
        notice = self.as_user(self.lawyer, self.notice)
        for values in (
            {"state": "sent"},
            {"date_sent": "2025-01-01 10:00:00"},
            {"rule_id": self.rule.id},
            {"status_message": "Доставлено"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                notice.write(values)
        with self.assertRaises(AccessError):
            self.as_user(self.lawyer, self.env["tko.notice"]).create(
                {"partner_id": self.account.partner_id.id, "state": "done"}
            )
        notice.action_cancel()
        self.assertEqual(notice.state, "cancel")
        notice.action_reset()
        self.assertEqual(notice.state, "draft")

    def test_notice_actions_refused(self):
        for name in ("action_send", "action_mark_done", "action_cancel", "action_reset"):
            with self.subTest(method=name):
                self.assertRefused(lambda u, n=name: getattr(self.as_user(u, self.notice), n)())
        self.assertRefused(lambda u: self.as_user(u, self.notice).action_cancel(), self.reader)
        self.assertEqual(self.notice.state, "draft")

    def test_notice_rule_actions_refused(self):
        for name in ("action_preview", "action_apply", "action_view_notices"):
            with self.subTest(method=name):
                self.assertRefused(lambda u, n=name: getattr(self.as_user(u, self.rule), n)())
        self.assertRefused(lambda u: self.as_user(u, self.rule).action_apply(), self.reader)
        with self.assertRaises(AccessError):
            self.as_user(self.lawyer, self.rule).write({"last_run": "2030-01-01 00:00:00"})

    def test_notice_and_claim_wizards_refuse_other_companys_debtors(self):
        # refused by the check (AccessError) or, once the ORM hides the foreign debtors, for
        # having none (UserError): no notice, claim or letter of company A either way
        for model, values in (
            ("tko.notice.wizard", {"channel": "call"}),
            ("tko.claim.wizard", {}),
            ("tko.letter.wizard", {"subject": "x"}),
        ):
            with self.subTest(model=model):
                wizard = self.as_user(self.stranger, self.env[model]).create(
                    {**values, "debtor_ids": [(6, 0, self.debtors.ids)]}
                )
                with self.assertRaises(UserError):
                    wizard.action_create()
        for model in ("tko.notice", "tko.claim", "tko.letter"):
            self.assertEqual(self.env[model].search_count([]), 1, model)

    def test_debt_at_date_reads_only_what_the_caller_sees(self):
        wizard = self.as_user(self.stranger, self.env["tko.debt.at.date"]).create(
            {"account_ids": [(6, 0, self.account.ids)], "date": "2025-01-01"}
        )
        # refused by the check, or the ORM has hidden the account and the wizard finds nothing
        with contextlib.suppress(AccessError):
            wizard.action_compute()
        self.assertFalse(wizard.sudo().line_ids)
        # the lawyer of the company gets the figures
        own = self.as_user(self.lawyer, self.env["tko.debt.at.date"]).create(
            {"account_ids": [(6, 0, self.account.ids)], "date": "2025-01-01"}
        )
        own.action_compute()
        self.assertEqual(own.line_ids.debt, 5000.0)

    # ------------------------------------------------------------------ letters
    def test_letter_state_is_written_by_the_actions_only(self):
        letter = self.as_user(self.lawyer, self.letter)
        with self.assertRaises(AccessError):
            letter.write({"state": "closed"})
        with self.assertRaises(AccessError):
            self.as_user(self.lawyer, self.env["tko.letter"]).create(
                {"partner_id": self.account.partner_id.id, "subject": "x", "state": "sent"}
            )
        letter.action_register()
        self.assertEqual(letter.state, "registered")
        # a delivery moves the letter (and the claim it carries) through the system
        letter.claim_id = self.claim
        self.as_user(self.lawyer, self.env["tko.letter.delivery"]).create(
            {"letter_id": letter.id, "result": "sent"}
        )
        self.assertEqual((letter.state, self.claim.stage), ("sent", "sent"))

    def test_letter_actions_refused(self):
        for name in ("action_register", "action_close", "action_reply", "action_print"):
            with self.subTest(method=name):
                self.assertRefused(lambda u, n=name: getattr(self.as_user(u, self.letter), n)())
        self.assertRefused(lambda u: self.as_user(u, self.letter).action_close(), self.reader)
        self.assertEqual(self.letter.state, "draft")

    # ------------------------------------------------------------------ settings
    def test_sms_test_and_rate_refresh_are_the_administrators(self):
        self.assertRefused(
            lambda u: self.as_user(u, self.provider).action_test_sms(),
            self.portal,
            self.lawyer,
            self.admin_b,
        )
        # no network in the test: a refresh that got through would fail quietly, not raise
        self.company.tko_rate_wsdl_url = "http://127.0.0.1:9/none?wsdl"
        for user in (self.lawyer, self.admin_b):
            settings = (
                self.as_user(user, self.env["res.config.settings"])
                .sudo()
                .create({"company_id": self.company.id})
                .sudo(False)
            )
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                settings.action_tko_refresh_rates()
        self.assertEqual(self.company.tko_rate_refresh_state, "never")

    # ------------------------------------------------------------------ exports
    def test_xlsx_writes_a_hostile_name_as_text(self):
        self.account.partner_id.name = HOSTILE
        self.env["tko.debtor"]._refresh()
        debtor = self.env["tko.debtor"].search([("account_id", "=", self.account.id)])
        content, _fmt = self.as_user(self.lawyer, self.env["ir.actions.report"])._render(
            "mobill_tko_claims.action_report_tko_debtor_xlsx", debtor.ids, {}
        )
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        cell = sheet.cell(row=4, column=2)
        self.assertEqual(cell.value, HOSTILE)
        self.assertNotEqual(cell.data_type, "f")
        self.assertEqual(cell.data_type, "s")
