from . import gar_import, pricing_check, registry_io, requisites_change
