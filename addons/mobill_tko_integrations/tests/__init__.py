from . import (
    test_debt_registry,
    test_demo_history,
    test_engine_fields,
    test_fiscal,
    test_import_watch,
    test_payment_api,
    test_payment_import,
    test_payment_order,
    test_payment_registry_report,
    test_payment_sftp,
    test_security,
    test_ui,
)
