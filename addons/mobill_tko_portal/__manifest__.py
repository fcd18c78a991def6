{
    "name": "MoBill-TKO: Consumer portal",
    "summary": "The place of the consumer's cabinet; today the security sweep that calls every public method as a portal user and as another company's user",
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
