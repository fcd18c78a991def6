import json
import re

from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools import raise_user_error
from odoo.exceptions import ValidationError

from mobill_tko_core.formats import FormatError
from mobill_tko_core.formats.registry import GENERIC_CSV, SBERBANK_STANDARD, RegistryProfile

LINE_ENDINGS = {"crlf": "\r\n", "lf": "\n"}
BUILTIN = {
    "registry_profile_sberbank": ("Sberbank (standard)", SBERBANK_STANDARD),
    "registry_profile_generic_csv": ("Generic CSV", GENERIC_CSV),
}
# the payer of the aggregated payment orders of a built-in profile (ПАО Сбербанк)
BUILTIN_ORDER_PAYER = {"registry_profile_sberbank": "7707083893"}


class TkoRegistryProfile(models.Model):
    """Layout of one bank's payment registry: the fields of the core ``RegistryProfile``."""

    _name = "tko.registry.profile"
    _description = "Payment registry profile"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Profile name in the core (RegistryProfile.name).")
    bank = fields.Char(help="Source id used in the payments' idempotency keys.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    encoding = fields.Char(required=True, default="cp1251")
    separator = fields.Char(required=True, default=";", size=1)
    quotechar = fields.Char(size=1)
    decimal_mark = fields.Selection([(".", "Dot"), (",", "Comma")], required=True, default=".")
    date_format = fields.Char(required=True, default="%d-%m-%Y")
    time_format = fields.Char(required=True, default="%H-%M-%S")
    period_format = fields.Selection(
        [("MMYYYY", "MMYYYY"), ("MM.YYYY", "MM.YYYY"), ("MMYY", "MMYY")],
        required=True,
        default="MMYYYY",
    )
    columns = fields.Text(required=True, default="{}", help='JSON: {"account": 5, "amount": 9}')
    skip_header_lines = fields.Integer()
    comment_prefix = fields.Char()
    trailer_prefix = fields.Char()
    trailer_regex = fields.Char()
    trailer_columns = fields.Text(default="{}", help='JSON: {"count": 0, "total": 1}')
    trailer_required = fields.Boolean()
    check_commission = fields.Boolean(default=True)
    line_ending = fields.Selection([("crlf", "CR LF"), ("lf", "LF")], default="crlf")
    order_payer_inn = fields.Char(
        "Bank INN in statements",
        help="INN (comma-separated if several) of the bank as the payer of the payment orders "
        "that transfer this bank's registries. In a 1C statement a document of this payer whose "
        "purpose matches the pattern below is matched to its registry instead of being booked "
        "as a payment. Empty: no document is taken for a registry transfer.",
    )
    order_purpose_regex = fields.Char(
        "Order purpose pattern",
        default="реестр",
        help="Regular expression (case ignored) the purpose of the bank's registry transfers "
        "matches; the bank's other payments (e.g. for its own contract) stay payments.",
    )

    mail_senders = fields.Text(
        "Senders allowed to e-mail registries",
        help="E-mail addresses (registry@bank.ru) or whole domains (@bank.ru) this bank sends "
        "its registries from, separated by commas or new lines. The payment mailbox imports "
        "a registry only from these senders; mail from anyone else is refused and logged. "
        "Empty: no registry of this profile is accepted by e-mail.",
    )

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The profile code must be unique.")
    ]

    @api.model
    def _vals_from_profile(self, profile):
        data = profile.to_dict()
        ending = {v: k for k, v in LINE_ENDINGS.items()}.get(data.pop("line_ending"), "crlf")
        code = data.pop("name")
        return dict(
            data,
            code=code,
            columns=json.dumps(data["columns"]),
            trailer_columns=json.dumps(data["trailer_columns"]),
            line_ending=ending,
        )

    def _to_profile(self):
        """The core :class:`RegistryProfile` of this record."""
        self.ensure_one()
        try:
            return RegistryProfile.from_dict(
                {
                    "name": self.code,
                    "bank": self.bank or "",
                    "encoding": self.encoding,
                    "separator": self.separator,
                    "quotechar": self.quotechar or None,
                    "decimal_mark": self.decimal_mark,
                    "date_format": self.date_format,
                    "time_format": self.time_format,
                    "period_format": self.period_format,
                    "columns": json.loads(self.columns or "{}"),
                    "skip_header_lines": self.skip_header_lines,
                    "comment_prefix": self.comment_prefix or None,
                    "trailer_prefix": self.trailer_prefix or None,
                    "trailer_regex": self.trailer_regex or None,
                    "trailer_columns": json.loads(self.trailer_columns or "{}"),
                    "trailer_required": self.trailer_required,
                    "check_commission": self.check_commission,
                    "line_ending": LINE_ENDINGS[self.line_ending or "crlf"],
                }
            )
        except FormatError as exc:  # a ValueError too: before the JSON one
            raise_user_error(self.env, exc)
        except ValueError as exc:  # bad JSON
            raise ValidationError(
                _(
                    "Profile %(name)s: the column maps are not valid JSON (%(error)s).",
                    name=self.name,
                    error=exc,
                )
            ) from exc

    @api.constrains("code", "encoding", "separator", "columns", "trailer_columns", "trailer_regex")
    def _check_profile(self):
        for rec in self:
            rec._to_profile()

    @api.constrains("order_purpose_regex")
    def _check_order_purpose_regex(self):
        for rec in self.filtered("order_purpose_regex"):
            try:
                re.compile(rec.order_purpose_regex)
            except re.error as exc:
                raise ValidationError(
                    _(
                        "Profile %(name)s: the order purpose pattern is not a valid regular "
                        "expression (%(error)s).",
                        name=rec.name,
                        error=exc,
                    )
                ) from exc

    def _mail_sender_rules(self):
        """``(addresses, domains)`` of :attr:`mail_senders`, lower-case."""
        self.ensure_one()
        entries = re.split(r"[\s,;]+", (self.mail_senders or "").strip().lower())
        addresses = {e for e in entries if e and not e.startswith("@") and "@" in e}
        domains = {e[1:] for e in entries if e.startswith("@") and len(e) > 1}
        return addresses, domains

    def _accepts_sender(self, email):
        """True when the normalised address ``email`` may send this profile's registries."""
        self.ensure_one()
        email = (email or "").strip().lower()
        if "@" not in email:
            return False
        addresses, domains = self._mail_sender_rules()
        return email in addresses or email.rpartition("@")[2] in domains

    @api.constrains("mail_senders")
    def _check_mail_senders(self):
        for rec in self:
            entries = re.split(r"[\s,;]+", (rec.mail_senders or "").strip())
            bad = [e for e in entries if e and (e.count("@") != 1 or e.endswith("@"))]
            if bad:
                raise ValidationError(
                    _(
                        "Profile %(name)s: «%(value)s» is neither an e-mail address nor a domain "
                        "written as @bank.ru.",
                        name=rec.name,
                        value=bad[0],
                    )
                )

    @api.model
    def _install_builtin_profiles(self):
        """Create (or leave as they are) the profiles built into the core."""
        records = [
            {
                "xml_id": f"mobill_tko_integrations.{xmlid}",
                "values": dict(
                    self._vals_from_profile(profile),
                    name=name,
                    order_payer_inn=BUILTIN_ORDER_PAYER.get(xmlid, False),
                ),
                "noupdate": True,
            }
            for xmlid, (name, profile) in BUILTIN.items()
        ]
        return self._load_records(records)
