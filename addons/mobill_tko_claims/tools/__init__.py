from . import access, cbr, penalty_io
