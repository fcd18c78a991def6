from . import rate_limit
from .line_messages import translate_field, translate_message
