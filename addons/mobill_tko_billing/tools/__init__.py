from . import core_templates, receipt_messages
from .copy_writer import CopyBuffer
from .explain import format_number
from .fields import Many2oneNoForeignKey
