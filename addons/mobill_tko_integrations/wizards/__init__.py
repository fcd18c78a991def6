from . import tko_payment_registry_wizard
