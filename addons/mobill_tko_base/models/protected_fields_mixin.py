from odoo import api, models

from ..tools import check_protected_write

ALL_FIELDS = "__all__"


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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_write(self, vals, self._tko_protected())
        return super().create(vals_list)

    def write(self, vals):
        check_protected_write(self, vals, self._tko_protected())
        return super().write(vals)
