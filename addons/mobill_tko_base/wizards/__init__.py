from . import (
    gar_import_wizard,
    pricing_check,
    registry_export_wizard,
    registry_import_error,
    registry_import_wizard,
    requisites_change,
)
