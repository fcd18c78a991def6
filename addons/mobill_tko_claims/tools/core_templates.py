"""Templates by code of the key rates' and the penalties' core errors
(``mobill_tko_core.rates.RateError``, ``mobill_tko_core.penalties.PenaltyError``) and of the
Bank of Russia's key rate service (``mobill_tko_core.formats.cbr_dailyinfo.CbrError``).

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

CBR_TEMPLATES = {
    "cbr.incomplete_row": _lt(
        "The Bank of Russia's answer has a key rate row without a date or a rate: %(row)s."
    ),
    "cbr.bad_row": _lt("The Bank of Russia's answer has an unreadable key rate row: %(row)s."),
    "cbr.implausible_rate": _lt(
        "The Bank of Russia's answer gives an implausible key rate of %(rate)s %% on %(date)s."
    ),
    "cbr.two_rates": _lt(
        "The Bank of Russia's answer gives two key rates on %(date)s: %(first)s %% and "
        "%(second)s %%."
    ),
    "cbr.unreachable": _lt("The Bank of Russia's service did not answer: %(error)s"),
    "cbr.no_rates": _lt(
        "The Bank of Russia's service returned no key rate from %(date_from)s to %(date_to)s."
    ),
}

PENALTY_TEMPLATES = {
    "penalty.rule.bad_kind": _lt(
        "The penalty rule %(rule)s has an unknown kind «%(kind)s»: a rule is a moratorium or "
        "a rate cap."
    ),
    "penalty.rule.no_cap_rate": _lt("The penalty rule %(rule)s caps the rate but has no cap rate."),
    "penalty.rule.bad_dates": _lt(
        "The penalty rule %(rule)s ends on %(date_to)s, before it starts on %(date_from)s."
    ),
    "penalty.rules.no_rates": _lt("The penalty calculation has no key rate history."),
    "penalty.rules.bad_consumer": _lt(
        "Unknown kind of consumer for penalties: «%(value)s» (an individual or a legal entity)."
    ),
    "penalty.rules.bad_rate_basis": _lt(
        "Unknown rate basis of the penalties: «%(value)s». Choose it in the penalty settings."
    ),
    "penalty.rules.bad_obligation_date": _lt(
        "Unknown day a debt arises for the penalties: «%(value)s». Choose it in the penalty "
        "settings."
    ),
    "penalty.rules.bad_payment_day": _lt(
        "Whether the day of payment counts must be yes or no, not «%(value)s»."
    ),
    "penalty.rules.bad_due_day": _lt(
        "The due day %(value)s is not a day of the month (1 to 31): correct it in the settings."
    ),
    "penalty.rules.bad_due_months": _lt(
        "The months after the period to pay in (%(value)s) must be a whole number, 0 or more."
    ),
    "penalty.rules.bad_scale": _lt(
        "The penalty scale %(value)s must be pairs: from which day of delay, which share of "
        "the rate."
    ),
    "penalty.rules.bad_scale_start": _lt(
        "The penalty scale %(value)s must start at day 1 of delay, with shares of 0 or more."
    ),
    "penalty.rules.bad_scale_order": _lt("The days of the penalty scale %(value)s must increase."),
    "penalty.bad_date": _lt("The date “%(field)s” of the penalty calculation is not a date."),
    "penalty.bad_amount": _lt("The amount “%(field)s” of the penalty calculation is wrong."),
    "penalty.bad_debt": _lt("A debt of the penalty calculation is wrong (%(field)s)."),
    "penalty.bad_payment": _lt("A payment of the penalty calculation is wrong (%(field)s)."),
    "penalty.bad_rate": _lt("The rate %(rate)s %% has more than 4 decimals."),
    "penalty.bad_input": _lt("The account's debts or payments cannot be read: %(error)s"),
}

register_core_messages(RATE_TEMPLATES | CBR_TEMPLATES | PENALTY_TEMPLATES)
