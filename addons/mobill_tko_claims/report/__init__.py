from . import tko_debtor_xlsx
