from . import tko_breakdown_print, tko_unpaid_report
