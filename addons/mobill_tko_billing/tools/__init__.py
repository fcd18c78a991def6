from .access import ACCOUNTANT, ADMIN, check_action, check_rights
from .copy_writer import CopyBuffer
from .explain import format_number
from .fields import Many2oneNoForeignKey
