from . import tko_payment, tko_payment_import, tko_payment_import_error, tko_registry_profile
