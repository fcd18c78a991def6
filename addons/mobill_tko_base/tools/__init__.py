from .access import (
    ACCOUNTANT,
    ADMIN,
    LAWYER,
    OPERATOR,
    READER,
    check_action,
    check_companies,
    check_group,
    check_rights,
)
from .core_messages import core_error_message, raise_user_error
from .trusted import check_protected_write, is_trusted, trusted
