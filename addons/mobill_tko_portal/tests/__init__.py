from . import test_security_sweep
