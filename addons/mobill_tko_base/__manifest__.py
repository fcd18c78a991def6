{
    "name": "MoBill-TKO: Registry",
    "summary": "Consumers with requisites history, ФИАС/ГАР address plan, management companies, objects with dated characteristics, personal accounts, contracts, tariffs and norms of a regional operator of solid municipal waste",
    "version": "17.0.1.0.0",
    "category": "MoBill-TKO",
    "website": "https://github.com/mobill-tko/mobill-tko",
    "author": "MoBill-TKO",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["base", "mail", "contacts", "base_import", "queue_job"],
    "data": [
        "security/mobill_tko_groups.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
    ],
    "assets": {
        "web.assets_tests": ["mobill_tko_base/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": True,
}
