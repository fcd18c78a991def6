from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# ГАР levels (Приказ Минфина 171н), grouped into the address plan of the product.
LEVELS = [
    ("region", "Region"),
    ("district", "Municipal district / city district"),
    ("settlement_mo", "Municipal settlement"),
    ("locality", "Settlement (city, village)"),
    ("planning", "Planning structure"),
    ("street", "Street"),
    ("house", "House, building, structure"),
    ("premises", "Premises"),
]
# A village under a city, a room under an apartment: nesting within one level is real in ГАР.
SAME_LEVEL_NESTING = {"locality", "premises"}
TYPE_AFTER_NAME = {"region", "district", "settlement_mo"}
LEVEL_ORDER = {code: i for i, (code, _label) in enumerate(LEVELS)}
# ГАР numeric levels → our levels
GAR_LEVELS = {
    1: "region",
    2: "district",
    3: "district",
    4: "settlement_mo",
    5: "locality",
    6: "locality",
    7: "planning",
    8: "street",
    9: "house",
    10: "house",
    11: "premises",
    12: "premises",
    17: "premises",
}


class TkoAddress(models.Model):
    """One element of the address plan: region … street, house, premises (ФИАС/ГАР)."""

    _name = "tko.address"
    _description = "Address element"
    _check_company_auto = True
    _inherit = ["mail.thread"]
    _parent_store = True
    _order = "full_name"
    _rec_name = "full_name"

    name = fields.Char(required=True, tracking=True, help="The element's own name, e.g. 'Ленина'.")
    type_name = fields.Char(
        "Type", tracking=True, help="Short type as in ГАР: обл., р-н, г., с., ул., д., кв."
    )
    level = fields.Selection(LEVELS, required=True, index=True, tracking=True)
    parent_id = fields.Many2one(
        "tko.address",
        "Parent",
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    parent_path = fields.Char(index=True, unaccent=False)
    child_ids = fields.One2many("tko.address", "parent_id", "Children")
    full_name = fields.Char(
        "Address", compute="_compute_full_name", store=True, recursive=True, index="trigram"
    )
    postal_code = fields.Char(tracking=True)
    gar_object_id = fields.Integer(
        "ГАР object ID", index=True, tracking=True, help="OBJECTID of the element in ГАР."
    )
    gar_guid = fields.Char("ГАР GUID", index=True, tracking=True, help="OBJECTGUID in ГАР (ФИАС).")
    gar_level = fields.Integer("ГАР level")
    is_actual = fields.Boolean("Actual", default=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    tariff_zone_id = fields.Many2one(
        "tko.tariff.zone",
        tracking=True,
        help="Set on a settlement (or a district): everything below it belongs to this zone.",
        check_company=True,
    )
    zone_id = fields.Many2one(
        "tko.tariff.zone",
        "Effective tariff zone",
        compute="_compute_zone_id",
        store=True,
        recursive=True,
        index=True,
    )
    premises_kind = fields.Selection(
        [("apartment", "Apartment"), ("non_residential", "Non-residential premises")],
        tracking=True,
    )
    house_kind = fields.Selection(
        [("mkd", "Apartment building (МКД)"), ("private", "Individual house"), ("other", "Other")],
        tracking=True,
    )
    management_company_id = fields.Many2one(
        "res.partner",
        domain=[("is_management_company", "=", True)],
        tracking=True,
        help="Management company, ТСЖ or ЖСК of an apartment building.",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    object_ids = fields.One2many("tko.object", "address_id", "Objects")
    child_count = fields.Integer(compute="_compute_child_count")

    def init(self):
        """One element per ГАР object and company; hand-entered elements (ГАР id 0) are free."""
        self.env.cr.execute(
            """
            ALTER TABLE tko_address DROP CONSTRAINT IF EXISTS tko_address_gar_object_company_uniq;
            CREATE UNIQUE INDEX IF NOT EXISTS tko_address_gar_object_company_uniq
                ON tko_address (gar_object_id, company_id) WHERE gar_object_id <> 0;
            """
        )

    @api.depends("name", "type_name", "parent_id.full_name")
    def _compute_full_name(self):
        for rec in self:
            # Russian usage: "Энская обл.", "Энский р-н", but "г. Энск", "ул. Ленина", "д. 5".
            parts = (
                (rec.name, rec.type_name)
                if rec.level in TYPE_AFTER_NAME
                else (rec.type_name, rec.name)
            )
            own = " ".join(p for p in parts if p)
            rec.full_name = f"{rec.parent_id.full_name}, {own}" if rec.parent_id else own

    @api.depends("tariff_zone_id", "parent_id.zone_id")
    def _compute_zone_id(self):
        for rec in self:
            rec.zone_id = rec.tariff_zone_id or rec.parent_id.zone_id

    def _compute_child_count(self):
        data = self._read_group([("parent_id", "in", self.ids)], ["parent_id"], ["__count"])
        counts = {parent.id: count for parent, count in data}
        for rec in self:
            rec.child_count = counts.get(rec.id, 0)

    @api.constrains("parent_id", "level")
    def _check_level(self):
        for rec in self:
            parent_order = LEVEL_ORDER[rec.parent_id.level] if rec.parent_id else -1
            same_level_allowed = (
                rec.level in SAME_LEVEL_NESTING and rec.parent_id.level == rec.level
            )
            if parent_order >= LEVEL_ORDER[rec.level] and not same_level_allowed:
                raise ValidationError(
                    _(
                        "“%(child)s” cannot be placed under “%(parent)s”: an address element must "
                        "be below its parent's level.",
                        child=rec.name,
                        parent=rec.parent_id.full_name,
                    )
                )
        if not self._check_recursion():
            raise ValidationError(_("An address element cannot be its own ancestor."))

    @api.model
    def _name_search(self, name, domain=None, operator="ilike", limit=None, order=None):
        """Search by any part of the address: every word must occur in the full address."""
        domain = list(domain or [])
        if name and operator in ("ilike", "like", "=ilike"):
            for word in name.replace(",", " ").split():
                domain.append(("full_name", "ilike", word))
            return self._search(domain, limit=limit, order=order)
        return super()._name_search(name, domain, operator, limit, order)

    def action_open_children(self):
        self.ensure_one()
        self.check_access_rights("read")
        self.check_access_rule("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.full_name,
            "res_model": "tko.address",
            "view_mode": "tree,form",
            "domain": [("parent_id", "=", self.id)],
            "context": {"default_parent_id": self.id},
        }
