from . import payment_registry_xlsx
