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
from .core_messages import core_error_message, core_message, field_label, raise_user_error
from .core_messages import register as register_core_messages
from .gar_messages import GAR_TEMPLATES
from .trusted import check_protected_write, is_trusted, trusted
