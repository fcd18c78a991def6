from . import (
    test_accounting,
    test_charge_runs,
    test_debt,
    test_locking,
    test_recalculation,
    test_security,
)
