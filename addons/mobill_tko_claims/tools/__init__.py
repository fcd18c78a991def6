from . import cbr, core_templates, penalty_io
