from .core_messages import core_error_message, raise_user_error
from .trusted import check_protected_write, is_trusted, trusted
