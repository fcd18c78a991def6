from . import test_demo_data
from . import test_gar_import
from . import test_registry
from . import test_registry_io
from . import test_security_groups
from . import test_translations
from . import test_ui
