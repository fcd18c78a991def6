"""Templates by code of the key rates' and the penalties' core errors
(``mobill_tko_core.rates.RateError``, ``mobill_tko_core.penalties.PenaltyError``).

They reach the user when a penalty is calculated (``tko.penalty._calculate``) or the rate
history is read (``tko.rate._penalty_rate_table``), through ``raise_user_error``.
"""

from odoo.addons.mobill_tko_base.tools import register_core_messages
from odoo.tools.translate import _lt

RATE_TEMPLATES = {
    "rates.bad_date": _lt("“%(value)s” is not a date of the rate history (YYYY-MM-DD)."),
    "rates.bad_rate": _lt("“%(value)s” is not a rate in percent."),
    "rates.bad_row": _lt("A step of the rate history must be a date and a rate (got %(row)s)."),
    "rates.bad_file_row": _lt(
        "Line %(line)s of the rate file needs two columns: date_from,rate_percent."
    ),
    "rates.negative_rate": _lt("The rate %(rate)s %% from %(date)s is negative."),
    "rates.duplicate_date": _lt(
        "Two different rates start on %(date)s: %(first)s %% and %(second)s %%."
    ),
    "rates.empty": _lt("The rate history is empty: add its steps first."),
    "rates.no_rate": _lt(
        "No rate is known on %(date)s: the rate history starts on %(start)s. Add the earlier "
        "steps of the key rate (Configuration → Bank of Russia rates)."
    ),
    "rates.unknown_kind": _lt("Unknown kind of rate: %(kind)s."),
}

PENALTY_TEMPLATES = {
    "penalty.bad_rule": _lt(
        "A penalty rule (moratorium or rate cap) is wrong: check its kind, cap rate and dates."
    ),
    "penalty.bad_rules": _lt(
        "The penalty settings of the company are wrong: check the due day, the months after "
        "the period, the rate basis and the obligation date."
    ),
    "penalty.bad_date": _lt("The date “%(field)s” of the penalty calculation is not a date."),
    "penalty.bad_amount": _lt("The amount “%(field)s” of the penalty calculation is wrong."),
    "penalty.bad_debt": _lt("A debt of the penalty calculation is wrong (%(field)s)."),
    "penalty.bad_payment": _lt("A payment of the penalty calculation is wrong (%(field)s)."),
    "penalty.bad_rate": _lt("The rate %(rate)s %% has more than 4 decimals."),
    "penalty.bad_input": _lt("The account's debts or payments cannot be read: %(error)s"),
}

register_core_messages(RATE_TEMPLATES | PENALTY_TEMPLATES)
