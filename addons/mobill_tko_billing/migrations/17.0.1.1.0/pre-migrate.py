"""Manual allocation and moves of payments came from mobill_tko_integrations to billing.

Their external ids (models, fields, access rights, record rule, action, menu, views) are handed
over to this module before it loads, so that upgrading keeps the records and the history of
moves instead of the integrations' clean-up deleting them as its own leftovers.
"""

NAMES = [
    "model_tko_payment_reallocation",
    "model_tko_payment_allocate_wizard",
    "field_tko_payment__is_unallocated",
    "access_tko_payment_reallocation_readonly",
    "access_tko_payment_reallocation_accountant",
    "access_tko_payment_allocate_wizard_accountant",
    "rule_tko_payment_reallocation_company",
    "tko_payment_action_unallocated",
    "menu_unallocated_payments",
    "tko_payment_view_form_allocation",
    "tko_payment_view_search_allocation",
    "tko_payment_view_tree_unallocated",
    "tko_payment_allocate_wizard_view_form",
]
PATTERNS = [
    "field_tko_payment_reallocation\\_\\_%",
    "field_tko_payment_allocate_wizard\\_\\_%",
    "selection\\_\\_tko_payment_reallocation\\_\\_%",
    "selection\\_\\_tko_payment_allocate_wizard\\_\\_%",
]


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE ir_model_data d SET module = 'mobill_tko_billing'
         WHERE d.module = 'mobill_tko_integrations'
           AND (d.name = ANY(%s) OR d.name LIKE ANY(%s))
           AND NOT EXISTS (
                SELECT 1 FROM ir_model_data o
                 WHERE o.module = 'mobill_tko_billing' AND o.name = d.name)
        """,
        [NAMES, PATTERNS],
    )
