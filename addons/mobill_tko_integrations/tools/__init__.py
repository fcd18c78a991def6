from .line_messages import translate_message
