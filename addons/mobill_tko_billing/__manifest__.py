{
    "name": "MoBill-TKO: Billing",
    "summary": "Billing periods, individual and mass charges, recalculation, accounting, payments, documents and turnover of a regional operator of solid municipal waste",
    "version": "17.0.1.0.0",
    "category": "MoBill-TKO",
    "website": "https://github.com/mobill-tko/mobill-tko",
    "author": "MoBill-TKO",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["mobill_tko_base", "account", "l10n_ru"],
    "data": [],
    "installable": True,
    "application": False,
}
