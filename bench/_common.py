"""What the benchmarks share: their output lines and loading Odoo in the benchmark's process."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def say(text: str) -> None:
    """Progress, on stderr (the figures go to stdout)."""
    print(text, file=sys.stderr, flush=True)


def metric(name: str, value, unit: str) -> None:
    """One ``<metric>: <value> <unit>`` line."""
    if isinstance(value, float):
        value = f"{value:.1f}" if value >= 10 else f"{value:.3f}"
    print(f"{name}: {value} {unit}", flush=True)


_configured = []


def odoo_registry(dbname: str):
    """Load the Odoo registry of ``dbname`` in this process (this project's configuration).
    Odoo's configuration is parsed once a process (a second parse fails), so that
    ``make bench`` can run several benchmarks in one process."""
    import odoo
    from odoo.tools import config

    if not _configured:
        sys.path.insert(0, str(ROOT / "scripts"))
        import common

        config.parse_config(
            [
                "-c",
                str(common.local_conf()),
                f"--addons-path={common.odoo_addons_path()}",
                "-d",
                dbname,
            ]
        )
        config["data_dir"] = str(ROOT / "var" / "data")
        config["workers"] = 0
        _configured.append(True)
    config["db_name"] = dbname
    return odoo.modules.registry.Registry(dbname)
