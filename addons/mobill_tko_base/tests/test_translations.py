import polib
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

MOBILL_MODULES = (
    "mobill_tko_base",
    "mobill_tko_billing",
    "mobill_tko_claims",
    "mobill_tko_portal",
    "mobill_tko_integrations",
)


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_has_a_russian_translation(self):
        """Every user-facing string of the MoBill add-ons is translated in its i18n/ru.po.

        Fix with: python3 scripts/i18n.py, then translate the empty msgstr entries.
        """
        installed = self.env["ir.module.module"].search(
            [("name", "in", MOBILL_MODULES), ("state", "=", "installed")]
        )
        missing = []
        for module in installed.mapped("name"):
            po = polib.pofile(f"{get_module_path(module)}/i18n/ru.po")
            translated = {
                entry.msgid for entry in po if entry.msgstr and "fuzzy" not in entry.flags
            }
            reader = TranslationModuleReader(self.env.cr, modules=[module], lang="ru_RU")
            for term in reader:
                source = term[4]
                if source and source.strip() and source not in translated:
                    missing.append(f"{module}: {source[:80]!r}")
        missing = sorted(set(missing))
        if missing:
            self.fail(
                f"{len(missing)} terms lack a Russian translation (run scripts/i18n.py):\n"
                + "\n".join(missing[:50])
            )
