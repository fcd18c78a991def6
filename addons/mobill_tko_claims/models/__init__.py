# isort: off
# The order matters on a fresh install: the SQL views (tko_debtor, tko_claim_collection) are
# created by their model's init(), after the tables they read.
from . import tko_rate
from . import tko_sms_provider
from . import res_company
from . import res_config_settings
from . import res_partner
from . import tko_charge
from . import tko_penalty_run
from . import tko_penalty
from . import tko_penalty_line
from . import tko_penalty_debt
from . import tko_letter
from . import tko_letter_delivery
from . import tko_claim
from . import tko_claim_template
from . import tko_claim_deadline
from . import tko_notice
from . import tko_notice_rule
from . import mail_activity
from . import claims_debtor_mixin
from . import tko_account
from . import tko_contract
from . import tko_debtor
from . import tko_claim_collection
from . import tko_demo_history
# isort: on
