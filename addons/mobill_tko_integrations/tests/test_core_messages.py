"""One translation path: every code the core can raise has a template, and the templates use
only the values the core passes; bad files show Russian messages with their values."""

import ast
import json
import re
from datetime import date, datetime
from pathlib import Path

from lxml import etree
from odoo.addons.mobill_tko_base.tools import core_error_message, core_message
from odoo.addons.mobill_tko_base.tools.core_messages import TEMPLATES
from odoo.addons.mobill_tko_claims.tests.common import ClaimsCase
from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged

import mobill_tko_core
from mobill_tko_core import allocation, penalties, rates, requisites
from mobill_tko_core.errors import CoreError
from mobill_tko_core.fiscal import atol
from mobill_tko_core.formats import agent_json, cbr_dailyinfo, debt_registry, onec_bank, registry

from .test_payment_import import PaymentImportCase

CORE = Path(mobill_tko_core.__file__).parent
#: the core files whose codes reach users through ``core_message`` (the ГАР reader's codes are
#: translated by the ГАР import itself; the CLI's only reach its command line)
SCANNED = [
    *sorted((CORE / "formats").glob("*.py")),
    CORE / "registry_io.py",
    CORE / "requisites.py",
    CORE / "fiscal" / "atol.py",
    CORE / "charges.py",
    CORE / "billing.py",
    CORE / "rates.py",
    CORE / "penalties.py",
    CORE / "allocation.py",
    CORE / "gar.py",
    CORE / "receipts.py",
]
#: callables taking ``(…, code, message, …)``: the error classes and the readers' helpers
FACTORIES = {
    "error",
    "warn",
    "bad",
    "problem",
    "choice_problem",
    "_error",
    "_value_error",
    "_validation",
}
CODE_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
#: keywords of FiscalError that are attributes, not message params
FISCAL_ATTRIBUTES = {"kind", "retryable"}
UNKNOWN = None  # the params of a call site that passes them through a variable


def _name(func):
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _is_message(node):
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value


def _codes_of(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if CODE_RE.fullmatch(node.value) else []
    if isinstance(node, ast.IfExp):
        return _codes_of(node.body) + _codes_of(node.orelse)
    return []


def _params_of(call, after):
    """The parameter names a call passes (UNKNOWN when some come from a variable)."""
    names = set()
    skipped = FISCAL_ATTRIBUTES if _name(call.func) == "FiscalError" else set()
    for keyword in call.keywords:
        if keyword.arg is None:
            return UNKNOWN
        names.add(keyword.arg)
    for arg in call.args[after + 1 :]:
        if isinstance(arg, ast.Dict) and all(isinstance(k, ast.Constant) for k in arg.keys):
            names |= {k.value for k in arg.keys}
        elif not isinstance(arg, ast.List):
            return UNKNOWN
    return names - skipped


def core_codes():
    """``{code: [params of each call site]}`` of every code the scanned core files raise."""
    found = {}
    for path in SCANNED:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple) and path.name == "atol.py" and len(node.elts) == 2:
                code, text = node.elts
                if _codes_of(code) and _is_message(text):
                    found.setdefault(f"fiscal_problem.{code.value}", []).append(set())
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if not (name.endswith("Error") or name in FACTORIES):
                continue
            where = next((i for i, a in enumerate(node.args) if _is_message(a)), None)
            if name == "_validation":
                found.setdefault("fiscal_invalid", []).append({"problems"})
                for arg in node.args[1:2]:
                    for element in getattr(arg, "elts", []):
                        found.setdefault(f"fiscal_problem.{element.value}", []).append(
                            _params_of(node, 1)
                        )
                continue
            if not where:
                continue
            params = _params_of(node, where)
            if name == "_error" and path.name == "requisites.py":
                field, kind = node.args[0], node.args[1]
                if isinstance(field, ast.Constant) and isinstance(kind, ast.Constant):
                    codes = [f"{field.value}_{kind.value}"]
                    params = params if params is UNKNOWN else params | {"field"}
                else:
                    continue
            else:
                codes = _codes_of(node.args[where - 1])
            for code in codes:
                found.setdefault(code, []).append(params)
    return found


def template_params(code):
    return set(re.findall(r"%\((\w+)\)s", TEMPLATES[code]._source))


@tagged("post_install", "-at_install")
class TestEveryCoreCodeHasATemplate(TransactionCase):
    def test_the_scan_finds_the_core_codes(self):
        codes = core_codes()
        # a scan that silently finds nothing would pass everything: a sample of each kind
        for code in (
            "bad_trailer",
            "missing_field",
            "agent_json.bad_amount",
            "formats.onec.not_a_statement",
            "encoding_mismatch",
            "registry_io.bad_csv",
            "number_format",
            "inn_checksum",
            "fiscal_server",
            "fiscal_problem.no_contact",
            "charge.bad_number",
            "billing.no_tariff",
            "formats.profile.bad_column",
            "formats.debt_registry.bad_seq",
            "rates.no_rate",
            "penalty.rules.bad_due_day",
            "penalty.rule.bad_dates",
            "allocation.negative_payment",
        ):
            self.assertIn(code, codes)
        self.assertGreater(len(codes), 120)

    def test_every_code_has_a_template_with_the_params_the_core_passes(self):
        for code, sites in sorted(core_codes().items()):
            with self.subTest(code=code):
                self.assertIn(code, TEMPLATES, f"no template for the core's code {code}")
                wanted = template_params(code)
                for params in sites:
                    if params is not UNKNOWN:
                        self.assertLessEqual(wanted, params, f"{code}: the core passes {params}")


class InRussian:
    """``cls.russian``: the test's environment in Russian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.russian = cls.env(context=dict(cls.env.context, lang="ru_RU"))


@tagged("post_install", "-at_install")
class TestBadFilesInRussian(InRussian, PaymentImportCase):
    """Real errors of each reader render from their code and params, in Russian."""

    def assertRussian(self, errors, *values):
        """Every error has its template, all its params, Russian text; the values are shown."""
        self.assertTrue(errors)
        texts = []
        for error in errors:
            self.assertIn(error.code, TEMPLATES, error)
            self.assertLessEqual(template_params(error.code), set(error.params), error)
            text = core_message(self.russian, error.code, error.params)
            self.assertRegex(text, "[а-яА-Я]", error)
            self.assertEqual(core_error_message(error, self.russian), text)
            texts.append(text)
        for value in values:
            self.assertTrue(any(value in t for t in texts), (value, texts))
        return texts

    def test_a_bad_registry(self):
        data = self._registry(
            [(self.acc1.name, "300.00", "t1"), (self.acc2.name, "150.50", "t2")]
        ).decode("cp1251")
        lines = data.split("\r\n")
        lines[0] = lines[0].replace("300.00", "3OO.00")
        lines[1] = lines[1].replace("10-05-2025", "32-13-2025")
        result = registry.read_registry("\r\n".join(lines).encode("cp1251"))
        self.assertRussian(result.errors + result.warnings, "3OO.00", "32-13-2025")

    def test_a_bad_1c_statement(self):
        data = self._statement([self._doc("1", "10.00", "x")]).replace(
            "Сумма=10.00".encode("cp1251"), "Сумма=10,0x".encode("cp1251")
        )
        result = onec_bank.read_statement(data)
        self.assertRussian(result.errors + result.warnings, "10,0x")

    def test_bad_agent_payments(self):
        body = [
            {"id": "1", "account": "1", "amount": "12,5", "paid_at": "2025-13-40"},
            {"id": "2", "account": "1", "contract": "2", "amount": "-1", "period": "13.2025"},
            {"id": "1", "account": "1", "amount": "10.00", "paid_at": "2025-02-04"},
            {"account": "1", "amount": "10.00", "paid_at": "2025-02-04", "x": 1},
            "text",
        ]
        result = agent_json.read_payments(json.dumps(body).encode(), "bank")
        self.assertRussian(result.errors + result.warnings, "12,5", "2025-13-40", "13.2025")
        with self.assertRaises(agent_json.FormatError) as caught:
            agent_json.read_payments(json.dumps([{}] * 10_001).encode(), "bank")
        self.assertRussian([caught.exception], "10001", "10000")

    def test_bad_debt_rows(self):
        rows = [
            debt_registry.DebtRow(account="", amount="x"),
            debt_registry.DebtRow(account="1 2", amount="10"),
        ]
        with self.assertRaises(debt_registry.FormatError) as caught:
            debt_registry.write_debt_registry(
                rows, debt_registry.SBERBANK_DEBT, inn="7701000001", account="", seq=1
            )
        self.assertRussian([caught.exception], "2")
        self.assertRussian(caught.exception.params["errors"], "1 2")

    def test_a_profile_with_unknown_settings(self):
        """A stored profile with a key no reader knows names the profile and the keys."""
        for reader, name in (
            (registry.RegistryProfile, "sber_x"),
            (debt_registry.DebtRegistryProfile, "debt_x"),
        ):
            with self.assertRaises(registry.FormatError) as caught:
                reader.from_dict({"name": name, "separater": ";"})
            texts = self.assertRussian([caught.exception], name, "separater")
            self.assertNotIn("unknown", texts[0])

    def test_bad_requisites(self):
        errors = []
        for check, value in (
            (requisites.validate_inn, "7701000002"),
            (requisites.validate_inn, "77a"),
            (requisites.validate_snils, "123"),
            (requisites.validate_kpp, "77010100Ж"),
            (requisites.validate_ogrn, ""),
        ):
            with self.assertRaises(requisites.RequisiteError) as caught:
                check(value)
            errors.append(caught.exception)
        texts = self.assertRussian(errors, "7701000002", "77a")
        self.assertIn("ИНН", texts[0])

    def test_a_bad_receipt(self):
        data = atol.ReceiptData(
            operation="sell",
            external_id="",
            amount="0",
            timestamp=datetime(2025, 5, 1, 10, 0),
            company_inn="1",
            company_email="",
            sno="osn",
            payment_address="",
            item_name="",
            vat_type="none",
            client_email="nobody",
        )
        with self.assertRaises(atol.FiscalError) as caught:
            atol.build_receipt(data)
        text = (
            self.env["tko.fiscal.register"].with_context(lang="ru_RU")._error_text(caught.exception)
        )
        self.assertRegex(text, "[а-яА-Я]")
        self.assertNotIn("external_id", text)
        self.assertEqual(text.count(";"), len(caught.exception.params["problems"]) - 1)

    def test_bad_profiles_are_saved_in_russian(self):
        """A profile check lists its problems by code: each is shown in Russian with its value."""
        profiles = self.russian["tko.registry.profile"]
        with self.assertRaises(ValidationError) as caught:
            profiles.create(
                {
                    "name": "Банк Х",
                    "code": "bank_x",
                    "columns": '{"account": 0, "period": -1}',
                    "trailer_regex": "(",
                }
            )
        text = str(caught.exception)
        self.assertRegex(text, "[а-яА-Я]")
        for value in ("bank_x", "amount", "period", "missing ), unterminated subpattern"):
            self.assertIn(value, text)
        self.assertEqual(text.count(";"), 2, text)
        self.assertNotIn("JSON", text)  # not taken for a bad JSON
        self.assertNotIn("column map", text)
        with self.assertRaises(ValidationError) as caught:
            self.russian["tko.debt.registry.profile"].create(
                {"name": "Банк Х", "code": "debt_x", "separator": "\n", "columns": " , "}
            )
        text = str(caught.exception)
        self.assertRegex(text, "[а-яА-Я]")
        self.assertIn("debt_x", text)
        self.assertEqual(text.count(";"), 1, text)
        self.assertNotIn("line break", text)


@tagged("post_install", "-at_install")
class TestRatesAndPenaltiesInRussian(InRussian, ClaimsCase):
    """The key rate history and the penalties' errors reach the user in Russian."""

    def test_a_gap_in_the_rate_history(self):
        """The rate history starts after the debt: the penalty says from when it is missing."""
        self.env["tko.rate"].search([]).write({"active": False})
        self.env["tko.rate"].create({"kind": "key", "date_from": "2025-06-01", "rate": 21})
        with self.assertRaises(UserError) as caught:
            self.russian["tko.penalty"]._calculate(self.accounts["e3"], date(2025, 1, 1))
        text = str(caught.exception)
        self.assertRegex(text, "[а-яА-Я]")
        self.assertIn("01.06.2025", text)
        missing = caught.exception.__cause__.params["date"]
        self.assertLess(missing, date(2025, 6, 1))
        self.assertIn(missing.strftime("%d.%m.%Y"), text)

    def test_bad_rates_and_allocations(self):
        errors = []
        for rows in ([("2025-01-01", "-1")], [("2025-01-01", "5"), ("2025-01-01", "6")], []):
            with self.assertRaises(rates.RateError) as caught:
                rates.RateTable(rows)
            errors.append(caught.exception)
        with self.assertRaises(allocation.AllocationError) as caught:
            allocation.allocate_batch([(1, "-12.50", None)], {1: []})
        errors.append(caught.exception)
        texts = []
        for error in errors:
            self.assertIn(error.code, TEMPLATES, error)
            text = core_error_message(error, self.russian)
            self.assertRegex(text, "[а-яА-Я]", error)
            texts.append(text)
        self.assertIn("01.01.2025", texts[0])
        self.assertIn("-1", texts[0])
        self.assertIn("6", texts[1])
        self.assertIn("-12.50", texts[3])

    def test_wrong_penalty_settings_and_key_rate_answers(self):
        """Each wrong penalty setting and each wrong answer of the Bank of Russia says which
        value is wrong, in Russian."""
        table = rates.RateTable([("2024-01-01", "16")])
        cases = [
            (lambda: penalties.PenaltyRules.individual(table, due_day=32), "32"),
            (lambda: penalties.PenaltyRules.individual(table, scale=((2, 300),)), "2: 1/300"),
            (
                lambda: penalties.DatedRule(
                    code="X1",
                    kind="no_accrual",
                    date_from=date(2024, 2, 1),
                    date_to=date(2024, 1, 1),
                ),
                "01.01.2024",
            ),
            (
                lambda: cbr_dailyinfo.parse_key_rate_elements(
                    [etree.fromstring("<R><KR><DT>2024-01-05</DT><Rate>160</Rate></KR></R>")]
                ),
                "160",
            ),
        ]
        for build, value in cases:
            with self.assertRaises(CoreError) as caught:
                build()
            error = caught.exception
            self.assertIn(error.code, TEMPLATES, error)
            text = core_error_message(error, self.russian)
            self.assertRegex(text, "[а-яА-Я]", error)
            self.assertIn(value, text, error)
