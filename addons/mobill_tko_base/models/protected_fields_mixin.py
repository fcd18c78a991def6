from odoo import api, models

from ..tools import check_protected_write, is_trusted

ALL_FIELDS = "__all__"


def _same_value(value, default):
    """Equal, or both empty (``False``, ``None``, ``0``, ``""``, an empty command list)."""
    return value == default or (not value and not default)


class TkoProtectedFieldsMixin(models.AbstractModel):
    """Fields that only the system's actions write (``trusted()``), never a client.

    A model lists them in ``_tko_protected_fields`` (or ``ALL_FIELDS`` for a record written by
    an engine only); a client's ``create`` or ``write`` of one of them is refused with
    AccessError (see ``tools/trusted.py``).
    """

    _name = "tko.protected.fields.mixin"
    _description = "Fields written by the system's actions only"

    _tko_protected_fields = ()

    def _tko_protected(self):
        names = self._tko_protected_fields
        return tuple(self._fields) if names == ALL_FIELDS else names

    def _tko_field_defaults(self, names):
        """The values a new record gets for ``names`` by the fields' own defaults (the
        field's ``default``, not the caller's ``default_*`` context keys, which prove nothing)."""
        result = {}
        for name in names:
            field = self._fields[name]
            value = field.default(self) if field.default else False
            result[name] = field.convert_to_write(field.convert_to_cache(value, self), self)
        return result

    @api.model_create_multi
    def create(self, vals_list):
        protected = self._tko_protected()
        if self.env.su or is_trusted(self):
            return super().create(vals_list)
        defaults = None
        for vals in vals_list:
            touched = set(vals) & set(protected)
            if not touched:
                continue
            # The web client sends the defaults of every field of a new record (e.g. the
            # header's «Статус» = draft): a value equal to the field's own default is no write.
            defaults = defaults or self._tko_field_defaults(protected)
            forced = {
                name: vals[name]
                for name in touched
                if not _same_value(vals[name], defaults.get(name))
            }
            check_protected_write(self, forced, protected)
        return super().create(vals_list)

    def write(self, vals):
        check_protected_write(self, vals, self._tko_protected())
        return super().write(vals)
