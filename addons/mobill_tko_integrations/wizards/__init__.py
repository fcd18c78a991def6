from . import tko_payment_allocate_wizard
