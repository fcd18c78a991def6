"""The security sweep: every public method of every MoBill model, called as over RPC by a portal
user and by a user of another company on the records of an operator, is refused.

Odoo lets every logged-in user call any public model method (``/web/dataset/call_kw``, XML-RPC,
JSON-RPC) with any arguments and any JSON context. The list of methods is generated from the
registry, so a new public method fails this suite until it checks its caller's rights (or is
made private, ``_name``); a method that needs arguments gets them in ``ARGUMENTS``, a wizard the
operator's records to name in ``WIZARD_VALUES``. A refusal is an AccessError, or a UserError
raised before anything is kept (each call runs in a savepoint).

It also sweeps every HTTP route of the MoBill add-ons as an anonymous visitor and as a portal
user (IDOR): no route answers with the operator's data without its own credentials.

Post-install: it needs all five add-ons (the portal add-on depends on none of the others, so the
sweep lives here and runs once everything is installed).
"""

import base64
import datetime as dt
import inspect
import json

from odoo import api
from odoo.addons.mobill_tko_base.tools.trusted import trusted
from odoo.addons.mobill_tko_claims.tests.common import ClaimsCase
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

# Methods that cannot be called with JSON values at all: they take Python objects only the
# server has (a workbook, records), so an RPC call fails before it reads anything.
SERVER_OBJECTS = {
    ("report.mobill_tko_claims.tko_debtor_xlsx", "generate_xlsx_report"),
    ("report.mobill_tko_integrations.payment_registry_xlsx", "generate_xlsx_report"),
}

# Arguments of public methods that take more than their records, as a client would send them.
ARGUMENTS = {
    ("res.partner", "requisites_at"): (["2024-06-01"], {}),
    ("tko.object", "characteristics_at"): (["2024-06-01"], {}),
    ("tko.contract", "conditions_at"): (["2024-06-01"], {}),
    ("tko.claim", "action_set_stage"): (["sent"], {"date": "2024-12-02"}),
    ("tko.pricing", "tariff_at"): ([1, "2024-06-01"], {}),
    ("tko.pricing", "norm_at"): ([1, 1, "2024-06-01", 1], {}),
    ("tko.pricing", "vat_rate_at"): (["2024-06-01"], {}),
    ("tko.pricing", "terms"): ([1, "2024-06-01"], {}),
    ("tko.pricing", "consumer_group"): ([1], {}),
    ("res.company", "tko_people_search"): (["Пушкина 1 5"], {}),
}

# A record of the operator (the fixture's company) to call a model's methods on, where the
# first record of the company is not the telling one.
#: models whose records only the engine makes (``create`` refuses everyone else): the fixture is
#: made as the engine makes it
ENGINE_MADE = {"tko.receipt"}
PROBES = {
    "res.partner": lambda case: case.partners["unpaid"],
    "tko.account": lambda case: case.accounts["unpaid"],
    "tko.contract": lambda case: case.contract,
    "tko.object": lambda case: case.accounts["unpaid"].object_id,
    "tko.billing.period": lambda case: case.open_period,
}

# Values of records the sweep makes where the operator has none of a model; the other required
# fields are filled by ``_make`` (the first record of the comodel, a selection's first value…).
FIXTURE_VALUES = {
    "tko.absence": lambda c: {
        "account_id": c.accounts["unpaid"].id,
        "departure": dt.date(2024, 6, 1),
        "arrival": dt.date(2024, 6, 20),
    },
    "tko.claim": lambda c: {
        "partner_id": c.partners["unpaid"].id,
        "account_id": c.accounts["unpaid"].id,
    },
    "tko.fiscal.receipt": lambda c: {"payment_id": c.any_payment.id},
}

FILLERS = {
    "char": lambda: "Тест",
    "text": lambda: "Тест",
    "html": lambda: "<p>Тест</p>",
    "integer": lambda: 1,
    "float": lambda: 1.0,
    "monetary": lambda: 1.0,
    "date": lambda: dt.date(2024, 12, 1),
    "datetime": lambda: dt.datetime(2024, 12, 1, 12, 0),
    "boolean": lambda: True,
    "binary": lambda: base64.b64encode(b"test"),
}

# Wizards: a stranger creates one of his own, naming the operator's records (as a client can),
# and presses its buttons. A portal user may not even create it.
WIZARD_VALUES = {
    "tko.breakdown.print": lambda c: {
        "account_ids": [(6, 0, c.accounts["unpaid"].ids)],
        "period_id": c.open_period.id,
    },
    "tko.requisites.change.wizard": lambda c: {"partner_id": c.partners["unpaid"].id},
    "tko.registry.export.wizard": lambda c: {"account_ids": [(6, 0, c.accounts["unpaid"].ids)]},
    "tko.claim.wizard": lambda c: {"debtor_ids": [(6, 0, c.debtors.ids)]},
    "tko.notice.wizard": lambda c: {"debtor_ids": [(6, 0, c.debtors.ids)]},
    "tko.letter.wizard": lambda c: {
        "partner_ids": [(6, 0, c.partners["unpaid"].ids)],
        "subject": "Претензия",
    },
    "tko.debt.at.date": lambda c: {"account_ids": [(6, 0, c.accounts["unpaid"].ids)]},
    "tko.penalty.wizard": lambda c: {"account_ids": [(6, 0, c.accounts["unpaid"].ids)]},
    "tko.payment.allocate.wizard": lambda c: {
        "payment_ids": [(6, 0, c.any_payment.ids)],
        "account_id": c.accounts["unpaid"].id,
    },
    "tko.payment.posting.wizard": lambda c: {"company_id": c.company.id},
    "tko.unpaid.report": lambda c: {"company_id": c.company.id},
    "tko.payment.registry.wizard": lambda c: {"company_id": c.company.id},
    "tko.unpaid.report.line": lambda c: {
        "report_id": c.env["tko.unpaid.report"].create({"company_id": c.company.id}).id,
        "company_id": c.company.id,
        "kind": "charge",
        "account_id": c.accounts["unpaid"].id,
    },
}

# Wizards that work in the caller's own company only (nothing of another company can be named
# in them): a stranger of another company acts on his own data, which is his right.
OWN_COMPANY_WIZARDS = {
    "tko.registry.import.wizard": "imports a file into the caller's company",
    "tko.gar.import.wizard": "imports a ГАР extract into the shared address plan (admins only)",
    "res.config.settings": "settings of the caller's own company; Bank of Russia rates are shared",
    "tko.pricing.check": "reads tariffs of the object the caller may read",
}

REFUSALS = (AccessError, UserError, ValidationError)


def _is_ours(cls):
    return cls.__module__.startswith("odoo.addons.mobill_tko_")


def public_methods(registry):
    """``{(model, method)}`` for every public method a MoBill class defines on a model.

    A method that overrides one of Odoo's (``create``, ``write``, ``button_draft``,
    ``message_new``…) keeps the checks of the method it overrides and is left to the tests of
    the module that overrides it; abstract mixins are swept through the models that use them.
    """
    found = set()
    for name, model_cls in registry.items():
        if model_cls._abstract and model_cls._inherit_children:
            continue
        theirs = set()
        for klass in model_cls.__mro__:
            if not _is_ours(klass):
                theirs.update(vars(klass))
        for klass in model_cls.__mro__:
            if not _is_ours(klass):
                continue
            for attr, value in vars(klass).items():
                if attr.startswith("_") or not inspect.isfunction(value) or attr in theirs:
                    continue
                found.add((name, attr))
    return found - SERVER_OBJECTS


@tagged("post_install", "-at_install", "tko_security_sweep")
class TestSecuritySweep(ClaimsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.debtors = cls.env["tko.debtor"].search([("company_id", "=", cls.company.id)])
        cls.any_payment = cls.env["tko.payment"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.portal = new_test_user(
            cls.env, "sweep_portal", groups="base.group_portal", company_id=cls.company.id
        )
        cls.other_company = cls.env["res.company"].create({"name": "Чужой оператор"})
        # a user of another company with every MoBill group (the administrator implies them)
        cls.stranger = new_test_user(
            cls.env,
            "sweep_stranger",
            groups="base.group_user,mobill_tko_base.group_tko_admin",
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )

    def _find(self, model, own=False):
        """A record of a company the strangers do not belong to: the operator's first (only
        his, or shared, with ``own``: a record the operator's new record may link to)."""
        if model in PROBES:
            return PROBES[model](self)
        Model = self.env[model].sudo().with_context(active_test=False)
        if "company_id" in Model._fields and Model._fields["company_id"].store:
            mine = Model.search([("company_id", "=", self.company.id)], limit=1)
            if own:
                return mine or Model.search([("company_id", "=", False)], limit=1)
            return mine or Model.search([("company_id", "!=", self.other_company.id)], limit=1)
        return Model.search([], limit=1)

    def _make(self, model, depth=0):
        """A record of ``model`` for the operator, its required fields filled (superuser)."""
        Model = self.env[model].sudo().with_company(self.company)
        values = FIXTURE_VALUES.get(model, lambda c: {})(self)
        defaults = Model.default_get(list(Model._fields))
        for name, field in Model._fields.items():
            if name in values or name in defaults or not field.required:
                continue
            if field.compute or field.related:
                continue
            if field.type == "many2one":
                if field.comodel_name == "res.company":
                    values[name] = self.company.id
                    continue
                record = self._find(field.comodel_name, own=True)
                if not record and depth < 3:
                    record = self._make(field.comodel_name, depth + 1)
                values[name] = record.id
            elif field.type == "selection":
                values[name] = field._description_selection(self.env)[0][0]
            elif field.type in FILLERS:
                values[name] = FILLERS[field.type]()
        if "company_id" in Model._fields:
            values.setdefault("company_id", self.company.id)
        if model in ENGINE_MADE:
            Model = trusted(Model)
        return Model.create(values)

    def _target(self, model):
        """The record to call ``model``'s methods on: the operator's, made when he has none."""
        if self.env[model]._abstract:
            return self.env[model].browse()  # a service model: arguments, not records
        return self._find(model) or self._make(model)

    def _env(self, user):
        return self.env(user=user, context={"lang": "en_US"})

    def _may_read(self, user, records):
        """True when ``user`` may read ``records`` anyway (shared data: nothing to refuse)."""
        try:
            records = records.with_env(self._env(user))
            records.check_access_rights("read")
            records.check_access_rule("read")
        except AccessError:
            return False
        return True

    def _attempt(self, user, model, method, problems, who):
        """Call as over RPC; a refusal is fine, an answer or a crash is a problem."""
        env = self._env(user)
        try:
            with self.env.cr.savepoint():
                if env[model]._transient:
                    values = WIZARD_VALUES.get(model, lambda c: {})(self)
                    json.dumps(values)
                    ids = [api.call_kw(env[model], "create", [values], {})]
                else:
                    ids = self._target(model).ids
                args, kwargs = ARGUMENTS.get((model, method), ([], {}))
                json.dumps([ids, args, kwargs])  # only what a client can send
                result = api.call_kw(env[model], method, [ids, *args], kwargs)
        except REFUSALS:
            return
        except Exception as exc:  # pylint: disable=broad-except
            problems.append(f"{model}.{method} as {who}: {type(exc).__name__}: {exc}")
            return
        problems.append(f"{model}.{method} as {who}: answered {str(result)[:100]!r}")

    def test_every_public_method_refuses_strangers(self):
        pairs = sorted(public_methods(self.registry))
        self.assertGreater(len(pairs), 50, "the sweep found too few methods: discovery broken")
        problems = []
        for model, method in pairs:
            Model = self.env[model]
            if not (Model._transient or Model._abstract):
                target = self._target(model)
                if not target:
                    problems.append(f"{model}.{method}: no record to call it on (add a fixture)")
                    continue
            for who, user in (("portal user", self.portal), ("other company", self.stranger)):
                if Model._transient:
                    if who == "other company" and model in OWN_COMPANY_WIZARDS:
                        continue
                    if who == "other company" and model not in WIZARD_VALUES:
                        problems.append(
                            f"{model}.{method}: a wizard without WIZARD_VALUES naming the "
                            "operator's records (or a reason in OWN_COMPANY_WIZARDS)"
                        )
                        continue
                elif not Model._abstract and self._may_read(user, target):
                    continue  # shared data (no company): reading it is the user's right
                self._attempt(user, model, method, problems, who)
        self.assertFalse(
            problems,
            "Public methods that do not refuse a stranger (check the caller's rights, or make "
            "the method private):\n" + "\n".join(problems),
        )


@tagged("post_install", "-at_install", "tko_security_sweep")
class TestRouteSweep(HttpCase):
    """IDOR sweep: every route of the MoBill add-ons, anonymous and as a portal user."""

    def _routes(self):
        routes = []
        for rule in self.env["ir.http"].routing_map().iter_rules():
            endpoint = rule.endpoint
            func = getattr(endpoint, "original_endpoint", endpoint)
            if func.__module__.startswith("odoo.addons.mobill_tko_"):
                routes.append(rule)
        return routes

    def test_every_route_refuses_strangers(self):
        account = self.env["tko.account"].search([], limit=1)
        imports = (
            self.env["tko.payment.import"].search([], limit=1)
            if ("tko.payment.import" in self.env)
            else None
        )
        values = {
            "number": account.name if account else "10000000001",
            "import_id": imports.id if imports else 1,
        }
        rules = self._routes()
        self.assertTrue(rules, "the sweep found no MoBill route: the discovery is broken")
        portal = new_test_user(self.env, "route_portal", groups="base.group_portal")
        problems = []
        for rule in rules:
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", str(values.get(arg, 1)))
                path = path.replace(f"<string:{arg}>", str(values.get(arg, "1")))
                path = path.replace(f"<{arg}>", str(values.get(arg, "1")))
            methods = sorted(rule.methods or {"GET"})
            for who in ("anonymous", "portal"):
                if who == "portal":
                    self.authenticate(portal.login, portal.login)
                else:
                    self.authenticate(None, None)
                for verb in methods:
                    if verb in ("HEAD", "OPTIONS"):
                        continue
                    with self.subTest(route=path, verb=verb, who=who):
                        response = self.url_open(
                            path,
                            data=b"{}" if verb == "POST" else None,
                            headers={"Content-Type": "application/json"},
                            allow_redirects=False,
                        )
                        if response.status_code < 400:
                            problems.append(
                                f"{verb} {path} as {who}: {response.status_code} "
                                f"{response.text[:120]!r}"
                            )
        self.assertFalse(problems, "Routes that answer a stranger:\n" + "\n".join(problems))
