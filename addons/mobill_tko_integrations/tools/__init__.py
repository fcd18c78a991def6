from . import fiscal_messages, format_messages, rate_limit
