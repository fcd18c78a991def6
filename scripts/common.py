"""Shared helpers of the developer scripts (run, test, bench): paths, Odoo command line."""

from __future__ import annotations

import configparser
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
CONF = ROOT / "odoo.conf"
# odoo.conf of the repository with this machine's secrets (a random master password): written by
# local_conf() under var/, never committed. Every script starts Odoo with it.
LOCAL_CONF = ROOT / "var" / "odoo.conf"
SECRET_FILE = ROOT / "var" / ".admin_passwd"
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


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only (it holds a secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.chmod(path, 0o600)


def local_conf() -> Path:
    """The server configuration of this machine: ``odoo.conf`` plus a random master password.

    The master password (database manager: create, drop, restore databases) is made once per
    checkout with ``secrets`` and kept in ``var/.admin_passwd``; the database manager is off
    (``list_db = False``) whatever ``odoo.conf`` says. Both files are readable by their owner only.
    """
    if not SECRET_FILE.exists():
        _write_private(SECRET_FILE, secrets.token_urlsafe(24) + "\n")
    secret = SECRET_FILE.read_text().strip()
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(CONF, encoding="utf-8")
    parser["options"]["admin_passwd"] = secret
    parser["options"]["list_db"] = "False"
    lines = ["; Written by scripts/common.py from odoo.conf: edit odoo.conf, not this file.\n"]
    for section in parser.sections():
        lines.append(f"[{section}]\n")
        lines.extend(f"{key} = {value}\n" for key, value in parser[section].items())
    text = "".join(lines)
    if not LOCAL_CONF.exists() or LOCAL_CONF.read_text() != text:
        _write_private(LOCAL_CONF, text)
    return LOCAL_CONF


def odoo_command(*args: str, command: str | None = None) -> list[str]:
    """The Odoo command (server by default, or e.g. ``shell``) with this project's configuration."""
    return [
        sys.executable,
        "-c",
        "import odoo.cli; odoo.cli.main()",
        *([command] if command else []),
        "-c",
        str(local_conf()),
        f"--addons-path={odoo_addons_path()}",
        *args,
    ]


def env() -> dict:
    environ = dict(os.environ)
    environ.setdefault("PYTHONUNBUFFERED", "1")
    return environ
