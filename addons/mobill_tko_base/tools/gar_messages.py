"""Templates of the ГАР reader's error codes (``mobill_tko_core.gar``), on the common path of
core messages (``core_messages.core_message``)."""

from odoo.tools.translate import _lt

from .core_messages import register

GAR_TEMPLATES = {
    "gar_path_not_found": _lt("The ГАР extract “%(path)s” was not found on the server."),
    "gar_not_extract": _lt(
        "“%(path)s” is neither a zip archive nor a folder of a ГАР extract. Download "
        "the region's extract (gar_xml) from fias.nalog.ru and upload it as a .zip."
    ),
    "gar_file_missing": _lt(
        "The ГАР extract has no %(prefix)s_… file. Check that the archive holds the "
        "region's folder with the address objects, houses and hierarchy files."
    ),
    "gar_duplicate_file": _lt(
        "The ГАР extract holds more than one file of the same table: %(files)s. Keep "
        "one extract per archive."
    ),
    "gar_several_regions": _lt(
        "The ГАР extract holds several regions (%(regions)s). Enter the code of the "
        "region to import."
    ),
    "gar_malformed": _lt(
        "The ГАР file %(file)s is damaged or is not XML (line %(line)s, column "
        "%(column)s). Nothing has been imported; download the extract again."
    ),
    "gar_wrong_table": _lt(
        "The ГАР file %(file)s does not hold the expected table (its root element is "
        "%(found)s, %(expected)s expected)."
    ),
    "gar_bad_value": _lt(
        "Record %(record)s of the ГАР file %(file)s has a wrong %(attribute)s value: "
        "“%(value)s”. Nothing has been imported."
    ),
}

register(GAR_TEMPLATES)
