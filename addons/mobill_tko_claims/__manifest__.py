{
    "name": "MoBill-TKO: Claims",
    "summary": "Penalties on the Bank of Russia rate history, debtors, notices, claims, lawsuits and correspondence",
    "version": "17.0.1.0.0",
    "category": "MoBill-TKO",
    "website": "https://github.com/mobill-tko/mobill-tko",
    "author": "MoBill-TKO",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["mobill_tko_billing"],
    "data": [],
    "installable": True,
    "application": False,
}
