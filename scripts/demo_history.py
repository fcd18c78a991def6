"""The demo's billing history (run by ``make run`` in ``odoo shell``; ``env`` is given).

24 months of charges (from the first month with tariffs) ending with the previous month, each
posted to accounting and closed but the last; the payments of punctual, late, partial and
stopped payers and of some who pay in advance; penalties on today, the debtors' registry,
notices to the big debtors and claims; then the cases of the other menus: temporary absences
and late certificates of residents with their recalculations, contracts charged by measured
volume, advance invoices, consumers' appeals and answers (``tko.demo.history``, planned by
``mobill_tko_core.demo.history``). Once: a database with the history is left as it is.
"""

# ruff: noqa: F821  (env is given by odoo shell)
summary = env["tko.demo.history"]._load_demo_history()
env.cr.commit()
if summary:
    print(
        f"demo history: {summary['months']} months {summary['first']}–{summary['last']}, "
        f"{summary['charge_lines']} charge lines, {summary['payments']} payments, "
        f"{summary['debtors']} debtors, {summary['penalties']} with penalties "
        f"({summary['penalty_total']:.2f}), {summary['notices']} notices, "
        f"{summary['claims']} claims, {summary['absences']} absences, "
        f"{summary['recalculations']} recalculations, {summary['measurements']} measurements, "
        f"{summary['advance_invoices']} advance invoices, {summary['letters']} appeals and "
        f"answers; loaded in {summary['seconds']:.0f} s"
    )
    if "payment_imports" in summary:
        print(
            f"demo exchange: {summary['payment_imports']} payment files "
            f"({summary['imports_rejected']} rejected, {summary['imported_payments']} payments, "
            f"{summary['unallocated']} to allocate by hand), {summary['registry_orders']} "
            f"registry orders, {summary['receipts_issued']} cash receipts "
            f"({summary['receipts_failed']} failed), {summary['debt_exports']} debt registries"
        )
else:
    print("demo history: already loaded")
