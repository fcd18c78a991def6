{
    "name": "MoBill-TKO: Consumer portal",
    "summary": "The consumer's cabinet: personal accounts, charges, payments and documents in the Odoo portal",
    "version": "17.0.1.0.0",
    "category": "MoBill-TKO",
    "website": "https://github.com/mobill-tko/mobill-tko",
    "author": "MoBill-TKO",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["mobill_tko_billing", "portal"],
    "data": [],
    "installable": True,
    "application": False,
}
