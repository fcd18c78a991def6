from . import atol_callback, payment_api
