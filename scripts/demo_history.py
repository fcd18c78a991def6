"""The demo's last month charged and posted to accounting (run by ``make run`` in ``odoo
shell``; ``env`` is given). Once: a database that has billing periods is left as it is.

With debts in the ledger the payments of the sample files pay something (oldest debt first),
the debt registry for banks has amounts and the claims screens have debtors.
"""

# ruff: noqa: F821  (env is given by odoo shell)
from datetime import date

company = env.ref("base.main_company")
Period = env["tko.billing.period"].with_company(company)
if not Period.search_count([("company_id", "=", company.id)]):
    today = date.today()
    start = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    period = Period.create({"date_start": start, "company_id": company.id})
    run = (
        env["tko.charge.run"].with_company(company).create({"period_id": period.id, "scope": "all"})
    )
    run.action_run_now()
    period.action_post()
    env.cr.commit()
    print(
        f"demo billing: {start:%m.%Y} charged ({run.line_count} lines, "
        f"{run.amount_total:.2f}) and posted to accounting"
    )
