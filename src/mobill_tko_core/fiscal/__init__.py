"""Fiscalisation under 54-ФЗ, pure Python, no Odoo.

Modules:

- :mod:`.atol`: the АТОЛ Онлайн v5 protocol (formats.md §7): the ``sell`` / ``sell_refund``
  request body, the HTTP client (token, send, report), the classification of failures into
  retryable and final ones, the parsing of a report or callback, the retry schedule.

Its local fake for tests and the demo is :mod:`mobill_tko_core.demo.atol_fake`.
"""
