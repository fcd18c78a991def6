from . import gar_import_wizard, pricing_check, registry_io, requisites_change
