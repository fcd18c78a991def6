"""Shared helpers of the developer scripts (run, test, bench): paths, Odoo command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
CONF = ROOT / "odoo.conf"
MOBILL_MODULES = [
    "mobill_tko_base",
    "mobill_tko_billing",
    "mobill_tko_claims",
    "mobill_tko_portal",
    "mobill_tko_integrations",
]


def odoo_addons_path() -> str:
    """Our add-ons first, then every folder of the odoo.addons package (Odoo's and the OCA's)."""
    out = subprocess.run(
        [sys.executable, "-c", "import odoo.addons as a; print('\\n'.join(a.__path__))"],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    ).stdout.split()
    paths = [str(ADDONS)]
    for path in out:
        if Path(path).is_dir() and path not in paths:
            paths.append(path)
    return ",".join(paths)


def odoo_command(*args: str, command: str | None = None) -> list[str]:
    """The Odoo command (server by default, or e.g. ``shell``) with this project's configuration."""
    return [
        sys.executable,
        "-c",
        "import odoo.cli; odoo.cli.main()",
        *([command] if command else []),
        "-c",
        str(CONF),
        f"--addons-path={odoo_addons_path()}",
        *args,
    ]


def env() -> dict:
    environ = dict(os.environ)
    environ.setdefault("PYTHONUNBUFFERED", "1")
    return environ
