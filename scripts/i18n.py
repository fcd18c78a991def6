"""Refresh the Russian translations of the MoBill add-ons: `python3 scripts/i18n.py [module …]`.

Installs the modules with their demo data (the demo runs in Russian too) in a throw-away
database, exports their terms (Odoo's own extractor),
merges them into ``addons/<module>/i18n/ru.po`` keeping every existing translation, drops
terms no longer in the code, and prints how many terms still lack a Russian translation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import polib
from common import ADDONS, MOBILL_MODULES, env, odoo_command


def main() -> int:
    modules = sys.argv[1:] or MOBILL_MODULES
    db = f"mobill_i18n_{os.getpid()}"
    subprocess.check_call(
        odoo_command(
            "-d",
            db,
            "-i",
            ",".join(MOBILL_MODULES),
            "--stop-after-init",
            "--log-level=warn",
            "--load-language=ru_RU",
        ),
        env=env(),
    )
    missing_total = 0
    try:
        for module in modules:
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, f"{module}.po")
                subprocess.check_call(
                    odoo_command(
                        "-d",
                        db,
                        "--language=ru_RU",
                        f"--i18n-export={out}",
                        f"--modules={module}",
                        "--log-level=warn",
                    ),
                    env=env(),
                )
                fresh = polib.pofile(out)
            path = ADDONS / module / "i18n" / "ru.po"
            old = polib.pofile(str(path)) if path.exists() else polib.POFile()
            known = {(e.msgctxt, e.msgid): e for e in old}
            for entry in fresh:
                previous = known.get((entry.msgctxt, entry.msgid))
                if previous and previous.msgstr:
                    entry.msgstr = previous.msgstr
                    entry.flags = [f for f in previous.flags if f != "fuzzy"]
            fresh.metadata = old.metadata or fresh.metadata
            fresh.save(str(path))
            missing = [e.msgid for e in fresh if not e.msgstr]
            missing_total += len(missing)
            print(f"{module}: {len(fresh)} terms, {len(missing)} without Russian translation")
    finally:
        subprocess.call(["dropdb", "--if-exists", db])
    return 1 if missing_total else 0


if __name__ == "__main__":
    sys.exit(main())
