from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date, formatLang
from odoo.tools.translate import _lt

from ..tools import is_trusted, trusted

KINDS = [
    ("residents_permanent", "Permanent residents"),
    ("residents_temporary", "Temporary residents"),
    ("owners", "Owners"),
    ("area_total", "Total area, m²"),
    ("units", "Calculation units"),
    ("containers", "Containers"),
]
SCHEDULES = [
    ("daily", "Daily"),
    ("weekdays", "On weekdays"),
    ("every_n_days", "Every N days"),
    ("dates", "On given dates"),
]
# Fields that make a version; changing them means a new version, never an overwrite.
VALUE_FIELDS = {
    "object_id",
    "kind",
    "value",
    "norm_category_id",
    "container_type_id",
    "container_volume",
    "container_count",
    "container_site_id",
    "schedule_kind",
    "schedule_weekdays",
    "schedule_interval",
    "schedule_start",
    "schedule_dates",
    "date_from",
}


class TkoObjectCharacteristic(models.Model):
    """One version of one characteristic of an object, valid from ``date_from`` to ``date_to``.

    Versions are never overwritten: a new value is a new version, and adding it closes the
    previous one the day before. Only the end of a version may be edited.
    """

    _name = "tko.object.characteristic"
    _description = "Characteristic of an object (dated)"
    _check_company_auto = True
    _inherit = ["tko.dated.mixin"]
    _order = "object_id, kind, date_from desc, id desc"
    _dated_keys = [
        "object_id",
        "kind",
        "norm_category_id",
        "container_type_id",
        "container_site_id",
    ]
    _dated_label = _lt("characteristic")

    object_id = fields.Many2one(
        "tko.object", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="object_id.company_id", store=True, index=True)
    kind = fields.Selection(KINDS, required=True, index=True)
    value = fields.Float(
        "Quantity", digits=(16, 4), help="Number of people, m², calculation units."
    )
    norm_category_id = fields.Many2one(
        "tko.norm.category", "Norm category", index=True, check_company=True
    )
    container_type_id = fields.Many2one("tko.container.type", "Container type")
    container_volume = fields.Float("Volume, m³", digits=(10, 3))
    container_count = fields.Integer("Count")
    container_site_id = fields.Many2one(
        "tko.object",
        "Container site",
        domain=[("kind", "=", "container_site")],
        check_company=True,
    )
    schedule_kind = fields.Selection(SCHEDULES, "Pick-ups")
    schedule_weekdays = fields.Char(
        "Weekdays", help="ISO weekday numbers, e.g. 1,3,5 (Mon, Wed, Fri)."
    )
    schedule_interval = fields.Integer("Every N days")
    schedule_start = fields.Date("Schedule start")
    schedule_dates = fields.Char("Pick-up dates", help="Dates as YYYY-MM-DD separated by commas.")
    display_value = fields.Char("Value", compute="_compute_display_value")
    create_uid = fields.Many2one("res.users", "Entered by", readonly=True)
    create_date = fields.Datetime("Entered on", readonly=True)

    def _format_number(self, value, digits=None):
        """``value`` in the user's language («46,90», «1 234», «0,125»): people and counts
        without decimals, area with two, other values with as many as they have (up to 4)."""
        if digits is None:
            text = f"{value:.4f}".rstrip("0")
            digits = len(text.split(".")[1]) if "." in text else 0
        return formatLang(self.env, value, digits=digits)

    @api.depends_context("lang")
    @api.depends("kind", "value", "container_count", "container_volume", "norm_category_id")
    def _compute_display_value(self):
        for rec in self:
            if rec.kind == "containers":
                rec.display_value = _(
                    "%(count)s × %(volume)s m³",
                    count=rec.container_count,
                    volume=rec._format_number(rec.container_volume),
                )
            elif rec.kind == "units":
                rec.display_value = (
                    f"{rec._format_number(rec.value)} {rec.norm_category_id.unit_name or ''}"
                ).strip()
            elif rec.kind == "area_total":
                rec.display_value = rec._format_number(rec.value, 2)
            else:
                rec.display_value = rec._format_number(rec.value)

    def _chatter_text(self):
        """The object's chatter line for this version, in the language of ``self.env``:
        «Общая площадь, м²: 46,90 с 01.02.2023»."""
        self.ensure_one()
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        return _(
            "%(kind)s: %(value)s from %(date)s",
            kind=kinds[self.kind],
            value=self.display_value,
            date=format_date(self.env, self.date_from),
        )

    @api.onchange("container_type_id")
    def _onchange_container_type(self):
        if self.container_type_id:
            self.container_volume = self.container_type_id.volume

    @api.model_create_multi
    def create(self, vals_list):
        """Adding a version closes the open-ended previous version of its chain the day before.

        A closed version is never shortened: a new version inside it is an overlap error.
        """
        for vals in vals_list:
            if (
                vals.get("kind") == "containers"
                and vals.get("container_type_id")
                and not vals.get("container_volume")
            ):
                vals["container_volume"] = (
                    self.env["tko.container.type"].browse(vals["container_type_id"]).volume
                )
            if not vals.get("object_id") or not vals.get("date_from"):
                continue
            date_from = fields.Date.to_date(vals["date_from"])
            domain = [
                ("object_id", "=", vals["object_id"]),
                ("kind", "=", vals.get("kind")),
                ("norm_category_id", "=", vals.get("norm_category_id") or False),
                ("container_type_id", "=", vals.get("container_type_id") or False),
                ("container_site_id", "=", vals.get("container_site_id") or False),
                ("date_from", "<", date_from),
                ("date_to", "=", False),
            ]
            previous = self.search(domain)
            if previous:
                trusted(previous.with_context(tko_close_version=True)).write(
                    {"date_to": date_from - timedelta(days=1)}
                )
        records = super().create(vals_list)
        # the user's language (a server job has none: the company's); the author is the user
        lang = (
            self.env.context.get("lang") or self.env.user.lang or self.env.company.partner_id.lang
        )
        for rec in records:
            if self.env.context.get("tracking_disable"):
                break  # bulk loads (the demo, imports) log nothing, as Odoo's tracking
            rec.object_id.message_post(
                body=rec.with_context(lang=lang)._chatter_text(),
                author_id=self.env.user.partner_id.id,
            )
        return records

    def write(self, vals):
        touched = VALUE_FIELDS & set(vals)
        # a correction of a value is the server's own (trusted()); a context flag proves nothing
        if touched and not is_trusted(self):
            raise UserError(
                _(
                    "A characteristic is never overwritten: its history is evidence for charges "
                    "and courts. Add a new value with its “Valid from” date instead (the current "
                    "version is closed automatically); only “Valid to” may be edited."
                )
            )
        return super().write(vals)
