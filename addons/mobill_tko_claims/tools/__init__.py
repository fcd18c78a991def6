from . import core_templates, penalty_io
