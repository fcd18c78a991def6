"""Templates by code of the payment allocation's core errors
(``mobill_tko_core.allocation.AllocationError``), shown when the payments of an account or a
contract are allocated again (``tko.payment.allocation._reallocate``)."""

from odoo.addons.mobill_tko_base.tools import register_core_messages
from odoo.tools.translate import _lt

ALLOCATION_TEMPLATES = {
    "allocation.bad_amount": _lt("“%(value)s” is not an amount of money."),
    "allocation.negative_payment": _lt(
        "A payment cannot be negative (%(amount)s): reverse the allocation of the original "
        "payment instead."
    ),
    "allocation.no_period": _lt("A debt to allocate a payment to has no period."),
    "allocation.mixed_periods": _lt("The periods of the debts cannot be compared."),
}

register_core_messages(ALLOCATION_TEMPLATES)
