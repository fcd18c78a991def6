from odoo import fields, models

from ..tools.people_search import create_trigram_indexes, tko_search_domain


class TkoPeopleSearchMixin(models.AbstractModel):
    """The one search for people on a model: a ``tko_search`` field whose search runs the
    model's ``_tko_people_domain(text)`` (see ``mobill_tko_core.people_search``), and trigram
    indexes on the columns that domain reads with ILIKE (``_tko_trigram_fields``).

    Accounts and contracts inherit it. ``res.partner`` declares its own field and calls the
    same ``tools.people_search`` functions: adding an abstract model to the partner's
    ``_inherit`` breaks the setup of mail's ``channel_ids`` (Odoo 17 refuses two Many2many on
    the same table)."""

    _name = "tko.people.search.mixin"
    _description = "Search of people by name, number or address"

    _tko_trigram_fields = ("name",)

    tko_search = fields.Char(
        "Name, number or address", compute="_compute_tko_search", search="_search_tko_search"
    )

    def init(self):
        result = super().init()
        if not self._abstract:
            create_trigram_indexes(self.env, self._table, list(self._tko_trigram_fields))
        return result

    def _compute_tko_search(self):
        self.tko_search = False

    def _search_tko_search(self, operator, value):
        return tko_search_domain(self, operator, value)

    def _tko_people_domain(self, text):
        """The domain of the records a clerk means by ``text``."""
        raise NotImplementedError
