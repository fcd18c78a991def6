from . import test_payment_import
