"""Demo data and fake servers, pure Python, no Odoo; none of it runs in production.

Modules:

- :mod:`.region`: the seeded generator of the fictional region (accounts, contracts, objects).
- :mod:`.history`: the seeded plan of two years of charges, payments and claims on that region.
- :mod:`.gar_sample`: a small, consistent ГАР extract of «Энская область» for tests and the demo.
- :mod:`.atol_fake`: a local fake of the АТОЛ Онлайн v5 API for tests and the demo
  (``python3 -m mobill_tko_core.demo.atol_fake --port 18080``).
"""
