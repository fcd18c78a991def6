# the mixin first: the models below inherit it
from . import tko_sftp_mixin

# isort: split
from . import (
    ir_http,
    mail_thread,
    tko_debt_registry_export,
    tko_debt_registry_profile,
    tko_demo_history,
    tko_fiscal_receipt,
    tko_fiscal_register,
    tko_payment,
    tko_payment_agent,
    tko_payment_fiscal,
    tko_payment_import,
    tko_payment_import_api,
    tko_payment_import_error,
    tko_payment_order,
    tko_payment_sftp_source,
    tko_print_centre,
    tko_print_export,
    tko_registry_profile,
)
