"""Screenshots of every MoBill-TKO screen as each role sees it (for a person to look at).

Not part of ``make test``: it needs playwright (``pip install playwright`` in a separate virtual
environment, never in Odoo's python) and Debian's Chromium. For each login it opens every menu
under MoBill-TKO the role sees, saves the list (or the first view) as a PNG, then opens the
first record's form and saves it too::

    /path/to/venv/bin/python scripts/ui_review.py --url http://localhost:8069 --out var/shots \
        --logins operator accountant lawyer manager admin

The PNGs are named ``<login>/<nn>-<menu path>.png`` and ``…-form.png``; an index.txt per login
lists the menus, the number of rows shown and any error dialog's text.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "_", text, flags=re.UNICODE).strip("_")[:60]


def menu_leaves(menus: dict, root_id, path=()):
    """(path, action) of every leaf menu under ``root_id`` in the web client's menu tree."""
    node = menus[str(root_id)] if str(root_id) in menus else menus[root_id]
    name = node.get("name") or ""
    here = (*path, name)
    if node.get("actionID") and not node.get("children"):
        yield here, node["actionID"], node["id"]
    for child in node.get("children") or []:
        yield from menu_leaves(menus, child, here)


def settle(page, ms=600):
    """Wait for the web client to show a view (the bus keeps the network busy: no networkidle)."""
    page.wait_for_load_state("load")
    with contextlib.suppress(Exception):  # a screen without a view is still photographed
        page.wait_for_selector(".o_action_manager .o_view_controller, .o_dialog", timeout=15000)
    page.wait_for_timeout(ms)


def review(browser, url: str, login: str, out: Path, forms: bool) -> None:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="ru-RU")
    page = ctx.new_page()
    page.goto(f"{url}/web/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", login)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(web|odoo).*"))
    settle(page)
    menus = page.evaluate(
        """async () => {
            const r = await fetch('/web/webclient/load_menus/' + Date.now());
            return await r.json();
        }"""
    )
    root = next(
        (
            m
            for m in menus.values()
            if isinstance(m, dict) and m.get("xmlid") == "mobill_tko_base.menu_root"
        ),
        None,
    )
    target = out / login
    target.mkdir(parents=True, exist_ok=True)
    index = []
    if not root:
        index.append("the MoBill-TKO menu is not visible to this login")
        (target / "index.txt").write_text("\n".join(index) + "\n")
        ctx.close()
        return
    for n, (path, action, menu_id) in enumerate(menu_leaves(menus, root["id"]), 1):
        name = " › ".join(path[1:])
        page.goto(f"{url}/web#menu_id={menu_id}&action={action}")
        settle(page, 1200)
        base = f"{n:02d}-{slug(name)}"
        page.screenshot(path=str(target / f"{base}.png"))
        rows = page.locator(".o_data_row").count()
        error = page.locator(".o_error_dialog .modal-body").all_inner_texts()
        line = f"{base}: {name} — rows {rows}"
        if page.locator(".o_dialog").count() and not error:
            line += " — opens as a dialog"
        if error:
            line += " — ERROR: " + json.dumps(error, ensure_ascii=False)[:300]
        if forms and rows and not page.locator(".o_dialog").count():
            try:
                page.locator(".o_data_row").first.locator("td.o_data_cell").first.click(
                    timeout=10000
                )
                settle(page, 1000)
                page.screenshot(path=str(target / f"{base}-form.png"), full_page=True)
            except Exception as exc:  # the next menu is still photographed
                line += f" — form not opened: {str(exc).splitlines()[0][:120]}"
        index.append(line)
    (target / "index.txt").write_text("\n".join(index) + "\n")
    ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--out", default="var/shots")
    parser.add_argument(
        "--logins", nargs="+", default=["operator", "accountant", "lawyer", "manager"]
    )
    parser.add_argument("--no-forms", action="store_true", help="lists only, no first-record forms")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright  # optional tool, imported late

    out = Path(args.out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for login in args.logins:
            review(browser, args.url, login, out, not args.no_forms)
            print(f"{login}: {out / login}")
        browser.close()


if __name__ == "__main__":
    main()
