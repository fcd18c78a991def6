from odoo import _, models
from odoo.exceptions import AccessError

from ..tools.access import READER, check_group, check_rights

# What the quick search answers: (group key, model, label of the group)
PEOPLE_GROUPS = (
    ("consumers", "res.partner"),
    ("accounts", "tko.account"),
    ("contracts", "tko.contract"),
)


class ResCompany(models.Model):
    _inherit = "res.company"

    def tko_people_search(self, text="", limit=8):
        """The quick search of the web client (every screen): consumers, personal accounts and
        contracts of these companies a clerk means by ``text`` (see
        :meth:`res.partner._tko_people_domain`).

        Refused unless the caller may read these companies (his own) and is a MoBill user; the
        search goes through the ORM with the caller's rights, so it answers only what he may
        read. Returns ``{"groups": [{"key", "label", "model", "view_id", "records": [{"id",
        "name", "detail"}]}]}``.
        """
        check_rights(self)
        check_group(self.env, READER)
        if not self.env.su and self - self.env.user.company_ids:
            # an administrator may read every company, but searches only his own
            raise AccessError(_("You may search only the companies you work in."))
        text = text if isinstance(text, str) else ""
        limit = max(1, min(int(limit or 8), 50))
        groups = []
        if len(" ".join(text.split())) < 2:
            return {"groups": groups}
        env = self.env(context=dict(self.env.context, allowed_company_ids=self.ids))
        labels = {
            "consumers": _("Consumers"),
            "accounts": _("Personal accounts"),
            "contracts": _("Contracts"),
        }
        for key, model in PEOPLE_GROUPS:
            Model = env[model]
            if not Model.check_access_rights("read", raise_exception=False):
                continue
            domain = [("company_id", "in", self.ids), *Model._tko_people_domain(text)]
            if model == "res.partner":
                domain = [
                    "|",
                    ("is_tko_consumer", "=", True),
                    ("is_management_company", "=", True),
                    *domain,
                ]
            records = Model.search(domain, limit=limit)
            if records:
                groups.append(
                    {
                        "key": key,
                        "label": labels[key],
                        "model": model,
                        "view_id": self._tko_people_view(model),
                        "records": [
                            {
                                "id": rec.id,
                                "name": rec.display_name,
                                "detail": self._tko_detail(rec),
                            }
                            for rec in records
                        ],
                    }
                )
        return {"groups": groups}

    def _tko_people_view(self, model):
        xmlid = {
            "res.partner": "mobill_tko_base.res_partner_view_form_tko",
            "tko.account": "mobill_tko_base.tko_account_view_form",
            "tko.contract": "mobill_tko_base.tko_contract_view_form",
        }[model]
        view = self.env.ref(xmlid, raise_if_not_found=False)
        return view.id if view else False

    @staticmethod
    def _tko_detail(rec):
        """A second line for a found record: the account's owner and address, the contract's
        consumer, the consumer's INN."""
        if rec._name == "tko.account":
            return " · ".join(p for p in (rec.partner_id.name, rec.address_id.full_name) if p)
        if rec._name == "tko.contract":
            return rec.partner_id.name or ""
        parts = [rec.vat and _("INN %s", rec.vat), rec.phone or rec.mobile, rec.email]
        return " · ".join(p for p in parts if p)
