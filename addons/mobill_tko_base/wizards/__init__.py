from . import gar_import
from . import pricing_check
from . import registry_io
from . import requisites_change
