from collections import defaultdict

from odoo import api, fields, models

OBJECT_KINDS = [
    ("apartment", "Apartment in an apartment building"),
    ("house", "Individual house"),
    ("non_residential", "Non-residential premises"),
    ("facility", "Facility of a legal entity"),
    ("container_site", "Container site"),
]


class TkoObject(models.Model):
    """A consumer's object: where waste accumulates (apartment, house, shop, site…)."""

    _name = "tko.object"
    _description = "Object of a consumer"
    _check_company_auto = True
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "address_id, name"

    name = fields.Char(required=True, tracking=True)
    kind = fields.Selection(OBJECT_KINDS, required=True, tracking=True, index=True)
    address_id = fields.Many2one(
        "tko.address", "Address", index=True, tracking=True, check_company=True
    )
    partner_id = fields.Many2one(
        "res.partner", "Consumer", index=True, tracking=True, check_company=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    zone_id = fields.Many2one(related="address_id.zone_id", store=True, string="Tariff zone")
    management_company_id = fields.Many2one(
        "res.partner", compute="_compute_management_company", store=True, index=True
    )
    characteristic_ids = fields.One2many(
        "tko.object.characteristic", "object_id", "Characteristics"
    )
    account_ids = fields.One2many("tko.account", "object_id", "Personal accounts")
    contract_line_ids = fields.One2many("tko.contract.line", "object_id", "Contract lines")
    document_ids = fields.One2many("tko.document", "object_id", "Documents")
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Text()
    # current values, for lists and search
    residents_now = fields.Float("Residents now", compute="_compute_now", digits=(10, 0))
    area_now = fields.Float("Area now, m²", compute="_compute_now", digits=(10, 2))

    @api.depends("address_id.management_company_id", "address_id.parent_id.management_company_id")
    def _compute_management_company(self):
        for rec in self:
            address = rec.address_id
            company = self.env["res.partner"]
            while address and not company:
                company = address.management_company_id
                address = address.parent_id
            rec.management_company_id = company

    def _compute_now(self):
        today = fields.Date.context_today(self)
        values = self._characteristics_at(today)
        for rec in self:
            own = values.get(rec.id, {})
            rec.residents_now = own.get("residents_permanent", 0) + own.get(
                "residents_temporary", 0
            )
            rec.area_now = own.get("area_total", 0)

    def characteristics_at(self, date, kinds=None):
        """Values of the objects' characteristics on ``date``, in one query.

        Returns ``{object_id: {kind: value, ...}}``; units are keyed ``units:<category code>``
        and containers ``containers`` as a list of dicts (type, volume, count, schedule).
        The caller must be allowed to read the objects and their characteristics.
        """
        self._check_read_characteristics()
        return self._characteristics_at(date, kinds)

    def _check_read_characteristics(self):
        self.check_access_rights("read")
        self.check_access_rule("read")
        self.env["tko.object.characteristic"].check_access_rights("read")

    def _characteristics_at(self, date, kinds=None):
        """:meth:`characteristics_at` without the access checks (server code only)."""
        if not self.ids:
            return {}
        self.env["tko.object.characteristic"].flush_model()
        self.env.cr.execute(
            """
            SELECT c.id, c.object_id, c.kind, c.value, nc.code, c.container_volume,
                   c.container_count, c.schedule_kind, c.schedule_weekdays, c.schedule_interval,
                   c.schedule_start, c.container_site_id
              FROM tko_object_characteristic c
         LEFT JOIN tko_norm_category nc ON nc.id = c.norm_category_id
             WHERE c.object_id = ANY(%s) AND c.date_from <= %s
               AND (c.date_to IS NULL OR c.date_to >= %s)
               AND (%s::varchar[] IS NULL OR c.kind = ANY(%s::varchar[]))
            """,
            (list(self.ids), date, date, kinds, kinds),
        )
        result = defaultdict(dict)
        for row in self.env.cr.fetchall():
            (
                cid,
                object_id,
                kind,
                value,
                code,
                volume,
                count,
                skind,
                weekdays,
                interval,
                start,
                site,
            ) = row
            own = result[object_id]
            if kind == "containers":
                own.setdefault("containers", []).append(
                    {
                        "characteristic_id": cid,
                        "volume": volume,
                        "count": count,
                        "schedule_kind": skind,
                        "weekdays": weekdays,
                        "interval": interval,
                        "start": start,
                        "site_id": site,
                    }
                )
            elif kind == "units":
                own[f"units:{code}"] = value
            else:
                own[kind] = value
        return dict(result)

    def action_open_characteristics(self):
        self.ensure_one()
        self._check_read_characteristics()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "tko.object.characteristic",
            "view_mode": "tree,form",
            "domain": [("object_id", "=", self.id)],
            "context": {"default_object_id": self.id},
        }
