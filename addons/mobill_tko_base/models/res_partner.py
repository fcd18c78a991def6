from odoo import _, api, fields, models

from mobill_tko_core import requisites as req
from mobill_tko_core.errors import RequisiteError
from mobill_tko_core.people_search import parse_people_query, phone_pattern

from ..tools import raise_user_error
from ..tools.people_search import (
    address_domain,
    create_trigram_indexes,
    or_domains,
    tko_search_domain,
)
from .personal_data_access_log import PERSONAL_DATA_FIELDS, PERSONAL_DATA_GROUP

# Requisites whose every change is kept (who, when, old and new value, effective date).
HISTORY_FIELDS = [
    "name",
    "vat",
    "kpp",
    "ogrn",
    "snils",
    "passport_series",
    "passport_number",
    "passport_issued_by",
    "passport_date",
    "street",
    "street2",
    "city",
    "zip",
    "legal_address",
    "postal_address",
    "phone",
    "mobile",
    "email",
    "director_name",
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Odoo's «Tax ID» is the INN in Russia (its Russian translation left it «Tax ID»): the
    # label of forms, lists and of the chatter's tracking of a change
    vat = fields.Char(string="INN")
    is_tko_consumer = fields.Boolean("ТКО consumer", tracking=True)
    tko_kind = fields.Selection(
        [
            ("person", "Individual"),
            ("entrepreneur", "Individual entrepreneur"),
            ("legal", "Legal entity"),
        ],
        "Consumer kind",
        tracking=True,
        index=True,
    )
    kpp = fields.Char("KPP", size=9, tracking=True)
    ogrn = fields.Char("OGRN / OGRNIP", size=15, tracking=True)
    # 152-ФЗ: passport data and SNILS for group_tko_personal_data only, every read logged
    snils = fields.Char("SNILS", size=14, tracking=True, groups=PERSONAL_DATA_GROUP)
    passport_series = fields.Char(size=4, groups=PERSONAL_DATA_GROUP)
    passport_number = fields.Char(size=6, groups=PERSONAL_DATA_GROUP)
    passport_issued_by = fields.Char(groups=PERSONAL_DATA_GROUP)
    passport_date = fields.Date("Passport issue date", groups=PERSONAL_DATA_GROUP)
    birthdate = fields.Date("Date of birth", groups="mobill_tko_base.group_tko_readonly")
    legal_address = fields.Char(tracking=True)
    postal_address = fields.Char(tracking=True)
    director_name = fields.Char("Head (director)", tracking=True)
    is_management_company = fields.Boolean("Management company", tracking=True, index=True)
    management_kind = fields.Selection(
        [
            ("uk", "Management company (УК)"),
            ("tsj", "Homeowners' association (ТСЖ)"),
            ("jsk", "Housing cooperative (ЖСК)"),
        ],
        tracking=True,
    )
    managed_house_ids = fields.One2many("tko.address", "management_company_id", "Managed houses")
    requisite_history_ids = fields.One2many(
        "tko.partner.requisite.history", "partner_id", "Requisites history"
    )
    tko_object_ids = fields.One2many("tko.object", "partner_id", "ТКО objects")
    tko_account_ids = fields.One2many("tko.account", "partner_id", "Personal accounts")
    tko_contract_ids = fields.One2many("tko.contract", "partner_id", "Contracts")
    tko_document_ids = fields.One2many("tko.document", "partner_id", "Documents")
    tko_account_count = fields.Integer(compute="_compute_tko_counts")
    tko_contract_count = fields.Integer(compute="_compute_tko_counts")
    tko_object_count = fields.Integer(compute="_compute_tko_counts")
    tko_document_count = fields.Integer(compute="_compute_tko_counts")
    tko_currency_id = fields.Many2one(
        "res.currency", "Debt currency", compute="_compute_tko_debt_total"
    )
    tko_debt_total = fields.Monetary(
        "Total debt",
        compute="_compute_tko_debt_total",
        currency_field="tko_currency_id",
        help="Current debt of all the consumer's personal accounts and contracts.",
    )
    tko_overpayment_total = fields.Monetary(
        "Overpayment",
        compute="_compute_tko_debt_total",
        currency_field="tko_currency_id",
        help="Paid beyond the charges of all the consumer's accounts and contracts.",
    )
    # the one search for people (Consumers menu): name, account or contract number, address
    # fragment, INN, phone, e-mail; see mobill_tko_core.people_search
    tko_search = fields.Char(
        "Consumer, account, address, INN, phone",
        compute="_compute_tko_search",
        search="_search_tko_search",
    )

    def init(self):
        result = super().init()
        create_trigram_indexes(
            self.env, self._table, ["name", "vat", "email", "phone", "mobile", "legal_address"]
        )
        return result

    def _compute_tko_search(self):
        self.tko_search = False

    def _search_tko_search(self, operator, value):
        return tko_search_domain(self, operator, value)

    @api.model
    def _tko_people_domain(self, text):
        """Partners a clerk means by ``text``: by name, INN, phone, e-mail, the number of one
        of their accounts or contracts, or the address of their accounts, objects or offices.

        Every leaf is an ILIKE over a stored, trigram-indexed column (or a sub-search of the
        accounts, contracts and addresses by theirs): the ORM adds the record rules."""
        query = parse_people_query(text)
        if not query.text:
            return []
        domains = [
            [("name", "ilike", query.text)],
            [("tko_contract_ids.name", "ilike", query.text)],
        ]
        if query.digits:
            domains += [
                [("vat", "=ilike", f"{query.digits}%")],
                [("tko_account_ids.name", "=ilike", f"{query.digits}%")],
            ]
        if query.is_phone:
            pattern = phone_pattern(query.digits)
            domains += [[("phone", "=ilike", pattern)], [("mobile", "=ilike", pattern)]]
        if query.is_email or "@" in query.text:
            domains.append([("email", "ilike", query.text)])
        if query.address:
            addresses = address_domain(query.address)
            domains += [
                [("tko_account_ids", "any", [("address_id", "any", addresses)])],
                [("tko_object_ids", "any", [("address_id", "any", addresses)])],
            ]
        return or_domains(domains)

    @api.depends_context("company")
    def _compute_tko_debt_total(self):
        for rec in self:
            rec.tko_currency_id = (rec.company_id or self.env.company).currency_id
            rec.tko_debt_total = sum(rec.tko_account_ids.mapped("debt")) + sum(
                rec.tko_contract_ids.mapped("debt")
            )
            rec.tko_overpayment_total = max(-rec.tko_debt_total, 0.0)

    def get_formview_id(self, access_uid=None):
        """A link to a consumer or a management company (an account's consumer, a contract's)
        opens the registry's consumer form; other contacts keep Odoo's."""
        if len(self) == 1 and (self.is_tko_consumer or self.is_management_company):
            view = self.env.ref("mobill_tko_base.res_partner_view_form_tko", False)
            if view:
                return view.id
        return super().get_formview_id(access_uid=access_uid)

    def _creation_message(self):
        """«Потребитель создан», not Odoo's «Контакты создан» (the model's plural name)."""
        if self.is_tko_consumer:
            return _("Consumer created")
        if self.is_management_company:
            return _("Management company created")
        return super()._creation_message()

    def _compute_tko_counts(self):
        for rec in self:
            rec.tko_account_count = len(rec.tko_account_ids)
            rec.tko_contract_count = len(rec.tko_contract_ids)
            rec.tko_object_count = len(rec.tko_object_ids)
            rec.tko_document_count = len(rec.tko_document_ids)

    # ------------------------------------------------------------------ requisites checks
    @api.constrains("vat", "kpp", "ogrn", "snils", "tko_kind", "is_tko_consumer")
    def _check_tko_requisites(self):
        # sudo: SNILS is checked whoever changes another requisite (the value is not shown)
        for rec in self.sudo().filtered(lambda p: p.is_tko_consumer or p.is_management_company):
            kind = rec.tko_kind
            try:
                if rec.vat:
                    req.validate_inn(
                        rec.vat,
                        {"legal": "legal", "person": "person", "entrepreneur": "person"}.get(kind),
                    )
                if rec.kpp:
                    req.validate_kpp(rec.kpp)
                if rec.ogrn:
                    req.validate_ogrn(
                        rec.ogrn, {"legal": "legal", "entrepreneur": "entrepreneur"}.get(kind)
                    )
                if rec.snils:
                    req.validate_snils(rec.snils)
            except RequisiteError as error:
                raise_user_error(self.env, error)

    @api.constrains("passport_series", "passport_number")
    def _check_passport(self):
        for rec in self.sudo().filtered(lambda p: p.passport_series or p.passport_number):
            try:
                req.validate_passport(rec.passport_series or "", rec.passport_number or "")
            except RequisiteError as error:
                raise_user_error(self.env, error)

    @api.onchange("tko_kind")
    def _onchange_tko_kind(self):
        if self.tko_kind:
            self.is_company = self.tko_kind == "legal"

    @api.model_create_multi
    def create(self, vals_list):
        """Consumers and management companies belong to the operator (company) that keeps them."""
        for vals in vals_list:
            if (
                vals.get("is_tko_consumer") or vals.get("is_management_company")
            ) and "company_id" not in vals:
                vals["company_id"] = self.env.company.id
        return super().create(vals_list)

    # ------------------------------------------------------------------ history
    def _requisite_snapshot(self, names):
        return {rec.id: {name: rec.sudo()[name] for name in names} for rec in self}

    def write(self, vals):
        names = [n for n in HISTORY_FIELDS if n in vals]
        tracked = (
            self.filtered(lambda p: p.is_tko_consumer or p.is_management_company)
            if names
            else self.browse()
        )
        before = tracked._requisite_snapshot(names) if tracked else {}
        result = super().write(vals)
        if tracked:
            date_from = self.env.context.get("requisites_date_from") or fields.Date.context_today(
                self
            )
            history = []
            after = tracked._requisite_snapshot(names)
            for rec in tracked:
                for name in names:
                    old, new = before[rec.id][name], after[rec.id][name]
                    if (old or False) != (new or False):
                        history.append(
                            {
                                "partner_id": rec.id,
                                "field_name": name,
                                "old_value": self._requisite_to_text(old),
                                "new_value": self._requisite_to_text(new),
                                "date_from": date_from,
                            }
                        )
            if history:
                self.env["tko.partner.requisite.history"].sudo().create(history)
        return result

    @staticmethod
    def _requisite_to_text(value):
        if not value:
            return False
        if isinstance(value, fields.date):
            return fields.Date.to_string(value)
        return str(value)

    # ------------------------------------------------------------------ personal data (152-ФЗ)
    def _read_format(self, fnames, load="_classic_read"):
        """Every read of passport data or SNILS by a user is logged: ``read`` (forms, RPC) and
        ``search_read`` (lists, RPC) both format their answer here."""
        result = super()._read_format(fnames, load)
        if result and not self.env.su:
            names = [name for name in PERSONAL_DATA_FIELDS if name in result[0]]
            if names:
                seen = self.browse(
                    [row["id"] for row in result if any(row.get(name) for name in names)]
                )
                self.env["tko.personal.data.access.log"]._log_read(seen, names)
        return result

    def export_data(self, fields_to_export):
        """Exports of passport data or SNILS are logged like reads."""
        result = super().export_data(fields_to_export)
        names = {path.replace(".", "/").split("/")[-1] for path in fields_to_export}
        if not self.env.su and names & set(PERSONAL_DATA_FIELDS):
            self.env["tko.personal.data.access.log"]._log_read(self, names, channel="export")
        return result

    def _may_read_personal_data(self):
        return self.env.su or self.env.user.has_group(PERSONAL_DATA_GROUP)

    def requisites_at(self, date):
        """The partner's requisites as they were on ``date`` (documents print their own date's).

        For each kept field: the old value of the first change that took effect after ``date``,
        or the current value when nothing changed since. One query for all the fields.
        The caller must be allowed to read the partner and its requisites history; passport
        data and SNILS are answered to group_tko_personal_data only (and the read is logged).
        """
        self.ensure_one()
        self.check_access_rights("read")
        self.check_access_rule("read")
        self.env["tko.partner.requisite.history"].check_access_rights("read")
        names = [
            name
            for name in HISTORY_FIELDS
            if self._may_read_personal_data() or name not in PERSONAL_DATA_FIELDS
        ]
        values = self._requisites_at(date, names)
        if any(values.get(name) for name in PERSONAL_DATA_FIELDS):
            self.env["tko.personal.data.access.log"]._log_read(
                self, [n for n in PERSONAL_DATA_FIELDS if values.get(n)], channel="requisites"
            )
        return values

    def _requisites_at(self, date, names=None):
        """:meth:`requisites_at` without the checks: ``names`` (default all kept fields)."""
        self.ensure_one()
        names = HISTORY_FIELDS if names is None else names
        date = fields.Date.to_date(date)
        self.env["tko.partner.requisite.history"].flush_model()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (field_name) field_name, old_value
              FROM tko_partner_requisite_history
             WHERE partner_id = %s AND date_from > %s AND field_name = ANY(%s)
             ORDER BY field_name, date_from, id
            """,
            (self.id, date, list(names)),
        )
        changed = dict(self.env.cr.fetchall())
        values = {}
        for name in names:
            if name in changed:
                values[name] = changed[name] or False
            else:
                values[name] = self._requisite_to_text(self.sudo()[name])
        return values

    def action_open_requisites_wizard(self):
        self.ensure_one()
        self.check_access_rights("write")
        self.check_access_rule("write")
        self.env["tko.requisites.change.wizard"].check_access_rights("create")
        return {
            "type": "ir.actions.act_window",
            "name": _("Change requisites from a date"),
            "res_model": "tko.requisites.change.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }
