"""``python3 -m mobill_tko_core charge|penalty`` (same as the ``mobill-tko`` script)."""

import sys

from mobill_tko_core.cli import main

sys.exit(main())
