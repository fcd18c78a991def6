from . import (
    tko_claim_wizard,
    tko_debt_at_date,
    tko_debt_at_date_line,
    tko_letter_wizard,
    tko_notice_wizard,
    tko_penalty_wizard,
)
