"""Deliver a payment file to the demo's payment mailbox, as a bank's e-mail would arrive.

``python3 scripts/mailgate.py FILE [FILE ...] [--url http://localhost:8069] [--db mobill_demo]
[--login admin --password admin]``

Builds an e-mail to ``payment-registries@…`` with the files attached and hands it to Odoo's
mail gateway over XML-RPC (``mail.thread.message_process``), exactly as Odoo's own
``odoo-mailgate.py`` does when the mail server pipes incoming mail into Odoo. In production the
same alias is fed by the mail server or by an incoming mail server (IMAP/POP) in Odoo's
settings; each attachment becomes a payment import that is checked and booked.
"""

from __future__ import annotations

import argparse
import sys
import xmlrpc.client
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="mobill_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--sender", default="registry@bank.example")
    args = parser.parse_args(argv)

    msg = EmailMessage()
    msg["From"] = args.sender
    msg["To"] = "payment-registries@localhost"
    msg["Subject"] = "Реестр платежей"
    msg["Message-ID"] = make_msgid(domain="bank.example")
    msg.set_content("Реестр платежей во вложении.")
    for path in args.files:
        msg.add_attachment(
            path.read_bytes(), maintype="application", subtype="octet-stream", filename=path.name
        )
    common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common")
    uid = common.authenticate(args.db, args.login, args.password, {})
    if not uid:
        print("Login failed: check --login/--password and that `make run` is serving.")
        return 1
    models = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)
    res_id = models.execute_kw(
        args.db,
        uid,
        args.password,
        "mail.thread",
        "message_process",
        ["tko.payment.import", xmlrpc.client.Binary(msg.as_bytes())],
        {},
    )
    print(f"delivered: {', '.join(p.name for p in args.files)} → payment import #{res_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
