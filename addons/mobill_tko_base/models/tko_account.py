from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from mobill_tko_core import requisites as req
from mobill_tko_core.errors import RequisiteError
from mobill_tko_core.people_search import parse_people_query

from ..tools import check_rights, raise_user_error
from ..tools.people_search import address_domain, or_domains

CALC_METHODS = [
    ("residents", "By residents (or owners)"),
    ("area", "By total area"),
]


class TkoAccount(models.Model):
    """Personal account (лицевой счёт) of an individual for one object."""

    _name = "tko.account"
    _description = "Personal account"
    _check_company_auto = True
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "tko.debt.mixin",
        "tko.people.search.mixin",
    ]
    _order = "name"

    name = fields.Char(
        "Number",
        required=True,
        copy=False,
        index=True,
        tracking=True,
        default=lambda self: _("New"),
        help="Digits with a check digit at the end (Luhn); assigned automatically when empty.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Consumer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    object_id = fields.Many2one(
        "tko.object", "Object", required=True, index=True, tracking=True, check_company=True
    )
    address_id = fields.Many2one(related="object_id.address_id", store=True, index=True)
    zone_id = fields.Many2one(related="object_id.zone_id", store=True, index=True)
    management_company_id = fields.Many2one(related="object_id.management_company_id", store=True)
    date_open = fields.Date(
        "Opened on", required=True, default=fields.Date.context_today, tracking=True
    )
    date_close = fields.Date("Closed on", tracking=True)
    calc_method = fields.Selection(
        CALC_METHODS,
        "Calculation method",
        required=True,
        default="residents",
        tracking=True,
        help="By residents: permanent and temporary residents; when nobody lives there, the "
        "owners. By total area: the area of the premises.",
    )
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")], compute="_compute_state", store=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    document_ids = fields.One2many("tko.document", "account_id", "Documents")
    note = fields.Text()
    tko_search = fields.Char("Number, owner or address")

    _sql_constraints = [
        (
            "number_company_uniq",
            "unique(name, company_id)",
            "This personal account number is already used.",
        ),
    ]

    @api.model
    def _tko_people_domain(self, text):
        """Accounts a clerk means by ``text``: their number, their owner (name, INN) or an
        address fragment of their object («Пушкина, д. 1, кв. 5», «Пушкина 1 5»)."""
        query = parse_people_query(text)
        if not query.text:
            return []
        owner = [("name", "ilike", query.text)]
        domains = [[("name", "ilike", query.text)]]
        if query.digits:
            domains.append([("name", "=ilike", f"{query.digits}%")])
            owner = or_domains([owner, [("vat", "=ilike", f"{query.digits}%")]])
        domains.append([("partner_id", "any", owner)])
        if query.address:
            domains.append([("address_id", "any", address_domain(query.address))])
        return or_domains(domains)

    def action_open_partner(self):
        """The account's consumer in the consumer's form (a visible button, not a hover link)."""
        self.ensure_one()
        check_rights(self)
        check_rights(self.partner_id)
        return {
            "type": "ir.actions.act_window",
            "name": self.partner_id.display_name,
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(self.env.ref("mobill_tko_base.res_partner_view_form_tko").id, "form")],
        }

    def action_open_object(self):
        """The account's object (characteristics: residents, area…)."""
        self.ensure_one()
        check_rights(self)
        check_rights(self.object_id)
        return {
            "type": "ir.actions.act_window",
            "name": self.object_id.display_name,
            "res_model": "tko.object",
            "res_id": self.object_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.depends("date_close")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for rec in self:
            rec.state = "closed" if rec.date_close and rec.date_close <= today else "open"

    @api.constrains("date_open", "date_close")
    def _check_dates(self):
        for rec in self:
            if rec.date_close and rec.date_close < rec.date_open:
                raise ValidationError(_("An account cannot close before it opens."))

    @api.constrains("name")
    def _check_number(self):
        for rec in self:
            try:
                req.validate_account_number(rec.name)
            except RequisiteError as error:
                raise_user_error(self.env, error)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == _("New"):
                base = self.env["ir.sequence"].next_by_code("tko.account")
                vals["name"] = req.account_number_with_check_digit(base)
        return super().create(vals_list)
