"""A Many2one without a database foreign key, for the bulk columns of the charge ledger."""

from odoo import fields


class Many2oneNoForeignKey(fields.Many2one):
    """A Many2one whose column carries no FOREIGN KEY constraint.

    The charge ledger is written a million rows at a time with COPY; PostgreSQL checks every
    foreign key of every row with a query of its own (measured: 7 keys cost about 22 µs a
    row, 3 times the rest of the write). Columns that only restate what the row's personal
    account or contract already says (object, consumer, tariff zone), the company and the run
    use this field: the ORM, views, search and grouping are those of a Many2one; integrity
    comes from the account's and the period's keys, which stay.
    """

    def update_db_foreign_key(self, model, column):
        return
