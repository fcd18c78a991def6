from .core_messages import core_error_message, raise_user_error
