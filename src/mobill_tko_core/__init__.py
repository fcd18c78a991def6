"""MoBill-TKO functional core.

Plain Python: calculation rules (charges, penalties, allocation) and every file format
reader and writer of the product. Nothing here imports Odoo; the Odoo add-ons under
``addons/`` gather data, call these functions and store the results.
"""

__version__ = "17.0.1.0.0"
