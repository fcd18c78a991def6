"""`make run`: build (or reuse) the demo database and serve MoBill-TKO on http://localhost:PORT.

The first run creates the database with the five MoBill modules and their demo data, loads
Russian and makes it the language of every demo user. A later run reuses the database; when
the add-ons changed since the last run it updates them first. Nothing is created twice.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import socket
import subprocess
import sys

from common import ADDONS, LOCAL_CONF, MOBILL_MODULES, ROOT, env, odoo_command

LOGINS = [
    ("admin", "admin", "administrator: everything"),
    ("operator", "operator", "operator: registry of consumers, objects, accounts, contracts"),
    ("accountant", "accountant", "billing accountant: tariffs, charges, payments, accounting"),
    ("lawyer", "lawyer", "claims lawyer: penalties, debtors, claims"),
    ("manager", "manager", "read-only manager"),
]

POST_INSTALL = """
env['res.lang']._activate_lang('ru_RU')
users = env['res.users'].with_context(active_test=False).search([])
users.write({'lang': 'ru_RU', 'tz': 'Europe/Moscow'})
users.partner_id.write({'lang': 'ru_RU'})
env.company.partner_id.write({'lang': 'ru_RU'})
env['ir.default'].set('res.partner', 'lang', 'ru_RU')
env.cr.commit()
print('demo users:', ', '.join(sorted(users.filtered(lambda u: not u.share).mapped('login'))))
"""


def addons_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(ADDONS.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ADDONS)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def database_exists(db: str) -> bool:
    out = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", f"select 1 from pg_database where datname = '{db}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip() == "1"


def modules_installed(db: str) -> bool:
    names = ",".join(f"'{m}'" for m in MOBILL_MODULES)
    out = subprocess.run(
        [
            "psql",
            "-d",
            db,
            "-tAc",
            "select count(*) from ir_module_module"
            f" where state = 'installed' and name in ({names})",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out == str(len(MOBILL_MODULES))


def run(cmd: list[str]) -> None:
    rc = subprocess.call(cmd, cwd=ROOT, env=env())
    if rc:
        sys.exit(f"[run] ERROR: the command failed (exit {rc}): {' '.join(cmd[3:6])} …")


ATOL_FAKE_PORT = 18080


def start_atol_fake() -> None:
    """The local fake of the АТОЛ Онлайн v5 API the demo's cash register points at (the demo
    cannot reach the real service). It stops with the demo (same process group, Ctrl+C)."""
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", ATOL_FAKE_PORT)) == 0:
            print(f"[run] the АТОЛ Онлайн fake already answers on port {ATOL_FAKE_PORT}")
            return
    subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mobill_tko_core.demo.atol_fake",
            "--port",
            str(ATOL_FAKE_PORT),
        ],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
    )
    print(
        f"[run] a local fake of АТОЛ Онлайн (fiscal receipts) serves http://127.0.0.1:"
        f"{ATOL_FAKE_PORT}/possystem/v5 for the demo cash register"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="mobill_demo")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default: this machine only; 0.0.0.0 for every interface)",
    )
    return parser


def demo_server_command(db: str, port: int, host: str) -> list[str]:
    """The Odoo server of the demo: one database, on ``host`` (loopback unless told otherwise)."""
    return odoo_command(
        "-d", db, f"--db-filter=^{db}$", f"--http-interface={host}", f"--http-port={port}"
    )


def main() -> None:
    args = build_parser().parse_args()
    db = args.db
    stamp = ROOT / "var" / f".demo-{db}.sha"
    stamp.parent.mkdir(exist_ok=True)
    fingerprint = addons_fingerprint()
    common = ["-d", db, "--stop-after-init", "--log-level=warn", "--max-cron-threads=0"]
    modules = ",".join(MOBILL_MODULES)

    if not (database_exists(db) and modules_installed(db)):
        print(f"[run] creating the demo database '{db}' (MoBill modules, demo data, Russian)…")
        run(odoo_command(*common, "-i", modules, "--load-language=ru_RU"))
    elif stamp.exists() and stamp.read_text() == fingerprint:
        print(f"[run] reusing the demo database '{db}'")
    else:
        print(f"[run] updating the MoBill modules in the demo database '{db}'…")
        run(odoo_command(*common, "-u", modules, "--i18n-overwrite"))
    proc = subprocess.run(
        odoo_command("-d", db, "--log-level=warn", "--no-http", command="shell"),
        input=POST_INSTALL,
        text=True,
        cwd=ROOT,
        env=env(),
        capture_output=True,
    )
    if proc.returncode:
        sys.exit(f"[run] ERROR: could not set up the demo users:\n{proc.stderr[-3000:]}")
    stamp.write_text(fingerprint)
    charged = subprocess.run(
        odoo_command("-d", db, "--log-level=warn", "--no-http", command="shell"),
        input=(ROOT / "scripts" / "demo_history.py").read_text(),
        text=True,
        cwd=ROOT,
        env=env(),
        capture_output=True,
    )
    if charged.returncode:
        print(f"[run] WARNING: the demo history was not loaded:\n{charged.stderr[-2000:]}")
    else:
        for line in charged.stdout.strip().splitlines():
            if line.startswith(("demo history:", "demo exchange:")):
                print(f"[run] {line}")
    files = subprocess.run(
        odoo_command("-d", db, "--log-level=warn", "--no-http", command="shell"),
        input=(ROOT / "scripts" / "demo_files.py").read_text(),
        text=True,
        cwd=ROOT,
        env=env(),
        capture_output=True,
    )
    if files.returncode:
        print(f"[run] WARNING: the sample payment files were not written:\n{files.stderr[-2000:]}")

    start_atol_fake()
    shown_host = "localhost" if args.host in ("127.0.0.1", "localhost") else args.host
    url = f"http://{shown_host}:{args.port}"
    print()
    print(f"MoBill-TKO demo is starting on {url}  (database '{db}', interface in Russian)")
    print("Logins (login / password):")
    for login, password, role in LOGINS:
        print(f"  {login:<11} / {password:<11} {role}")
    print(f"Sample payment files to import: {ROOT / 'var' / 'demo-files'}")
    print(
        "The database manager is off; the master password of this checkout is in "
        f"{LOCAL_CONF.relative_to(ROOT)} (readable by you only)."
    )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"WARNING: listening on {args.host}: other machines reach this demo and its logins.")
    print("Stop with Ctrl+C.")
    print(flush=True)
    cmd = demo_server_command(db, args.port, args.host)
    os.chdir(ROOT)
    os.execve(cmd[0], cmd, env())


if __name__ == "__main__":
    main()
