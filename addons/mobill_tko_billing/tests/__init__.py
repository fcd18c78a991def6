from . import (
    test_accounting,
    test_charge_runs,
    test_crash,
    test_debt,
    test_form_create,
    test_locking,
    test_payment_accounting,
    test_pricing_agreement,
    test_print,
    test_recalculation,
    test_security,
    test_unpaid_report,
)
