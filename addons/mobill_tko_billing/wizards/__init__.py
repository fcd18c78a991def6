from . import tko_breakdown_print
