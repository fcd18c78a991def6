from . import (
    tko_breakdown_print,
    tko_payment_allocate_wizard,
    tko_payment_posting_wizard,
    tko_unpaid_report,
    tko_unpaid_report_line,
)
