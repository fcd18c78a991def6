from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from mobill_tko_core.people_search import parse_people_query

from ..tools import check_protected_write, trusted
from ..tools.access import ADMIN, OPERATOR, check_action
from ..tools.people_search import address_domain, or_domains

# Written by the actions only (their checks), never by a client's write.
PROTECTED_FIELDS = ("state",)

STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("terminated", "Terminated"),
]


class TkoContract(models.Model):
    """Contract for ТКО handling with a legal entity or an entrepreneur."""

    _name = "tko.contract"
    _description = "ТКО contract"
    _check_company_auto = True
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "tko.debt.mixin",
        "tko.people.search.mixin",
    ]
    _order = "date_start desc, name"

    name = fields.Char(
        "Number",
        required=True,
        copy=False,
        index=True,
        tracking=True,
        default=lambda self: _("New"),
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Consumer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    date_signed = fields.Date("Signed on", tracking=True)
    date_start = fields.Date(
        "Start", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date("End", tracking=True)
    state = fields.Selection(STATES, default="draft", required=True, index=True, tracking=True)
    line_ids = fields.One2many("tko.contract.line", "contract_id", "Objects and schemes")
    condition_ids = fields.One2many("tko.contract.condition", "contract_id", "Payment conditions")
    tariff_ids = fields.One2many("tko.tariff", "contract_id", "Individual tariffs")
    document_ids = fields.One2many("tko.document", "contract_id", "Documents")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    object_count = fields.Integer(compute="_compute_object_count")
    note = fields.Html()
    tko_search = fields.Char("Number, consumer or address")

    _sql_constraints = [
        (
            "number_company_uniq",
            "unique(name, company_id)",
            "This contract number is already used.",
        ),
    ]

    @api.model
    def _tko_people_domain(self, text):
        """Contracts a clerk means by ``text``: their number, their consumer (name, INN) or an
        address fragment of one of their objects."""
        query = parse_people_query(text)
        if not query.text:
            return []
        consumer = [("name", "ilike", query.text)]
        if query.digits:
            consumer = or_domains([consumer, [("vat", "=ilike", f"{query.digits}%")]])
        domains = [[("name", "ilike", query.text)], [("partner_id", "any", consumer)]]
        if query.address:
            objects = [("address_id", "any", address_domain(query.address))]
            domains.append([("line_ids", "any", [("object_id", "any", objects)])])
        return or_domains(domains)

    def _compute_object_count(self):
        for rec in self:
            rec.object_count = len(rec.line_ids.object_id)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for rec in self:
            if rec.date_end and rec.date_end < rec.date_start:
                raise ValidationError(_("A contract cannot end before it starts."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a new contract is a draft (the form sends the default); other states: actions
            check_protected_write(
                self,
                {k: v for k, v in vals.items() if not (k == "state" and v == "draft")},
                PROTECTED_FIELDS,
            )
            if not vals.get("name") or vals["name"] == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("tko.contract")
        return super().create(vals_list)

    def write(self, vals):
        check_protected_write(self, vals, PROTECTED_FIELDS)
        return super().write(vals)

    def conditions_at(self, date):
        """The payment condition of the contract in force on ``date`` (or an empty record)."""
        self.ensure_one()
        self.check_access_rights("read")
        self.check_access_rule("read")
        return self.condition_ids.filtered_domain(
            self.env["tko.contract.condition"]._dated_domain(date)
        )[:1]

    def _set_state(self, state, allowed_from):
        for rec in self:
            if rec.state not in allowed_from:
                raise UserError(
                    _(
                        "Contract %(name)s cannot go from “%(from)s” to “%(to)s”.",
                        name=rec.name,
                        to=dict(STATES)[state],
                        **{"from": dict(STATES)[rec.state]},
                    )
                )
        trusted(self).write({"state": state})

    def action_activate(self):
        check_action(self, OPERATOR)
        for rec in self:
            if not rec.line_ids:
                raise UserError(
                    _(
                        "Contract %s has no objects: add at least one before activating it.",
                        rec.name,
                    )
                )
        self._set_state("active", ("draft", "suspended"))

    def action_suspend(self):
        check_action(self, OPERATOR)
        self._set_state("suspended", ("active",))

    def action_terminate(self):
        check_action(self, OPERATOR)
        self._set_state("terminated", ("active", "suspended"))
        for rec in self.filtered(lambda c: not c.date_end):
            rec.date_end = fields.Date.context_today(self)

    def action_draft(self):
        check_action(self, ADMIN)
        self._set_state("draft", ("terminated", "suspended"))
