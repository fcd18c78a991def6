from . import (
    test_demo_data,
    test_gar_import,
    test_onchanges,
    test_people_search,
    test_registry,
    test_registry_io,
    test_security,
    test_security_groups,
    test_translations,
    test_ui,
    test_web_labels,
)
