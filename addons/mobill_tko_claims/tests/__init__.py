from . import (
    test_claims,
    test_debtor_unpaid,
    test_debtors,
    test_demo_history,
    test_due_dates,
    test_letters,
    test_notices,
    test_penalties,
    test_penalty_watch,
    test_rates,
    test_security,
    test_ui,
)
