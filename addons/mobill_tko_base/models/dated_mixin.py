from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.misc import format_date
from odoo.tools.translate import _lt


class TkoDatedMixin(models.AbstractModel):
    """Effective-dated records: valid from ``date_from`` to ``date_to`` inclusive (open end: none).

    A model lists in ``_dated_keys`` the fields that identify one chain of versions; two versions
    of one chain never overlap. ``_dated_domain(date)`` selects the versions in force on a date.
    """

    _name = "tko.dated.mixin"
    _description = "Effective-dated record"
    _dated_keys: list[str] = []
    _dated_label = _lt("record")

    date_from = fields.Date("Valid from", required=True, index=True)
    date_to = fields.Date("Valid to", index=True, help="Empty: valid until changed.")

    @api.model
    def _dated_domain(self, date):
        return [
            ("date_from", "<=", date),
            "|",
            ("date_to", "=", False),
            ("date_to", ">=", date),
        ]

    @api.constrains("date_from", "date_to")
    def _check_dated_overlap(self):
        for rec in self:
            if rec.date_to and rec.date_to < rec.date_from:
                raise ValidationError(
                    _(
                        "“Valid to” (%(to)s) is earlier than “Valid from” (%(from)s).",
                        to=format_date(self.env, rec.date_to),
                        **{"from": format_date(self.env, rec.date_from)},
                    )
                )
        if not self._dated_keys or not self.ids:
            return
        self.flush_model()
        table = SQL.identifier(self._table)
        same_key = SQL(" AND ").join(
            SQL("a.%s IS NOT DISTINCT FROM b.%s", SQL.identifier(k), SQL.identifier(k))
            for k in self._dated_keys
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, b.id FROM %(table)s a JOIN %(table)s b
                  ON b.id <> a.id AND %(same_key)s
                 AND b.date_from <= COALESCE(a.date_to, 'infinity'::date)
                 AND a.date_from <= COALESCE(b.date_to, 'infinity'::date)
                 %(active)s
                WHERE a.id IN %(ids)s LIMIT 1
                """,
                table=table,
                same_key=same_key,
                active=SQL("AND a.active AND b.active") if "active" in self._fields else SQL(""),
                ids=tuple(self.ids),
            )
        )
        row = self.env.cr.fetchone()
        if row:
            other = self.browse(row[1])
            raise ValidationError(
                _(
                    "This %(what)s overlaps another version valid from %(from)s to %(to)s. Close "
                    "the previous version (set its “Valid to”) before the new one begins.",
                    what=str(self._dated_label),
                    to=format_date(self.env, other.date_to) if other.date_to else _("open end"),
                    **{"from": format_date(self.env, other.date_from)},
                )
            )
