from . import fiscal_messages, format_messages, print_centre_messages, rate_limit
