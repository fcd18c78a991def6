"""The ORM side of the one search for people (the reading of the text is in the core)."""

from odoo.osv import expression
from odoo.tools.sql import create_index, index_exists

from mobill_tko_core.people_search import AddressQuery, address_patterns


def or_domains(domains):
    return expression.OR(domains) if domains else []


def tko_search_domain(model, operator, value):
    """The domain of a ``tko_search`` field (people search mixin and ``res.partner``): the
    model's ``_tko_people_domain(text)`` for a text, a plain ``name`` leaf otherwise."""
    if operator not in ("ilike", "=", "like") or not isinstance(value, str):
        return [("name", operator, value)]
    return model._tko_people_domain(value)


def address_domain(query: AddressQuery):
    """A ``tko.address`` domain for an address fragment: the stored full address (trigram
    index) matches one of the core's patterns, at the level the pattern is for."""
    domains = []
    for pattern, level in address_patterns(query):
        leaf = [("full_name", "=ilike", pattern)]
        domains.append([*leaf, ("level", "=", level)] if level else leaf)
    return or_domains(domains) or [("id", "=", 0)]


def create_trigram_indexes(env, table, columns):
    """GIN trigram indexes for ILIKE '%…%' over ``columns`` of ``table`` (when pg_trgm is
    there): a search over a million rows reads the index, not the table."""
    if not env.registry.has_trigram:
        return
    for column in columns:
        name = f"{table}__{column}_tko_trgm"
        if not index_exists(env.cr, name):
            create_index(env.cr, name, table, [f"({column}) gin_trgm_ops"], "gin")
