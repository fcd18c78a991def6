from . import cbr, penalty_io
