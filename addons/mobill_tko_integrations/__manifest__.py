{
    "name": "MoBill-TKO: Integrations",
    "summary": "Exchange with 1C, banks, ГИС ЖКХ, ФИАС, ЭДО, print centres, management companies, SMS and e-mail",
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
