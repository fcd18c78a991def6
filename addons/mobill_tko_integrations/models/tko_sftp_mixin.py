"""What every SFTP partner of the operator shares: the server, the sign-in, the pinned host key.

Banks and payment agents leave payment files in an SFTP folder (``tko.payment.sftp.source``); print
centres receive the receipts' files in one (``tko.print.centre``). Both connect the same way: the
server's host key must be the pinned one (never added blindly), sign in by password or private key,
and every failure is a clear ``UserError``.
"""

import base64
import hashlib
import io
import posixpath
import socket
from contextlib import contextmanager

import paramiko
from odoo import _, api, fields, models
from odoo.addons.mobill_tko_base.tools.access import ACCOUNTANT, check_action
from odoo.exceptions import UserError, ValidationError

_KEY_CLASSES = (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey)


def host_key_fingerprint(key):
    """OpenSSH-style fingerprint of a server key: ``SHA256:<base64 without padding>``."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def _normalise_fingerprint(text):
    """The comparable form of a pinned fingerprint: ``SHA256:…`` as is, an MD5 one as
    lower-case hex with colons; a key type in front (``ssh-ed25519 SHA256:…``) is dropped."""
    text = (text or "").strip().split()[-1] if (text or "").strip() else ""
    if text.upper().startswith("SHA256:"):
        return "SHA256:" + text[7:].rstrip("=")
    if text.upper().startswith("MD5:"):
        text = text[4:]
    return text.lower()


def _matches(key, pinned):
    pinned = _normalise_fingerprint(pinned)
    if pinned.startswith("SHA256:"):
        return pinned == host_key_fingerprint(key)
    md5 = ":".join(f"{b:02x}" for b in key.get_fingerprint())
    return pinned in (md5, md5.replace(":", ""))


class TkoSftpMixin(models.AbstractModel):
    """The connection to a partner's SFTP server (fields and ``_connect``)."""

    _name = "tko.sftp.mixin"
    _description = "SFTP connection"

    host = fields.Char(tracking=True, help="Server name or IP address.")
    port = fields.Integer(required=True, default=22, tracking=True)
    username = fields.Char("User", tracking=True)
    auth_method = fields.Selection(
        [("password", "Password"), ("key", "Private key")],
        "Sign in with",
        required=True,
        default="password",
    )
    password = fields.Char(groups="mobill_tko_base.group_tko_admin", copy=False)
    private_key = fields.Text(
        groups="mobill_tko_base.group_tko_admin",
        copy=False,
        help="The private key in OpenSSH or PEM text (-----BEGIN … PRIVATE KEY-----).",
    )
    private_key_passphrase = fields.Char(
        "Key passphrase", groups="mobill_tko_base.group_tko_admin", copy=False
    )
    host_key_fingerprint = fields.Char(
        "Server key fingerprint",
        tracking=True,
        copy=False,
        help="The fingerprint of the server's host key, like SHA256:abc…, as the server's owner "
        "gives it (ssh-keyscan HOST | ssh-keygen -lf -). A server showing another key is refused. "
        "«Test connection» shows the server's fingerprint to compare.",
    )
    remote_folder = fields.Char(default="/", tracking=True, help="Folder on the server.")
    timeout = fields.Integer("Timeout, seconds", default=30)

    @api.constrains("port")
    def _check_port(self):
        for rec in self:
            if not 0 < rec.port < 65536:
                raise ValidationError(_("The port must be between 1 and 65535."))

    def _pkey(self):
        text = self.sudo().private_key
        if not text:
            raise UserError(_("Paste the private key of %(name)s first.", name=self.name))
        passphrase = self.sudo().private_key_passphrase or None
        for cls in _KEY_CLASSES:
            try:
                return cls.from_private_key(io.StringIO(text.strip() + "\n"), passphrase)
            except paramiko.PasswordRequiredException as exc:
                raise UserError(_("The private key needs its passphrase.")) from exc
            except (paramiko.SSHException, ValueError):
                continue
        raise UserError(_("The private key cannot be read: paste it in OpenSSH or PEM text."))

    @contextmanager
    def _connect(self, check_key=True):
        """An open SFTP client; the server's host key must be the pinned one (never added
        blindly). Every failure is a UserError that says what to do."""
        self.ensure_one()
        where = f"{self.host}:{self.port}"
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout or 30)
        except OSError as exc:
            raise UserError(
                _(
                    "Cannot connect to the SFTP server %(where)s: %(reason)s. Check the address "
                    "and the port, and that the server is up.",
                    where=where,
                    reason=exc.strerror or exc,
                )
            ) from exc
        transport = paramiko.Transport(sock)
        try:
            try:
                transport.start_client(timeout=self.timeout or 30)
            except (paramiko.SSHException, EOFError, OSError) as exc:
                raise UserError(
                    _(
                        "The server %(where)s does not answer as SFTP: %(reason)s.",
                        where=where,
                        reason=exc,
                    )
                ) from exc
            key = transport.get_remote_server_key()
            seen = host_key_fingerprint(key)
            if check_key:
                if not self.host_key_fingerprint:
                    raise UserError(
                        _(
                            "No server key fingerprint is set for %(name)s. The server shows "
                            "%(seen)s: confirm it with the server's owner, then paste it into "
                            "«Server key fingerprint».",
                            name=self.name,
                            seen=seen,
                        )
                    )
                if not _matches(key, self.host_key_fingerprint):
                    raise UserError(
                        _(
                            "Connection refused: the server %(where)s shows the key %(seen)s, "
                            "but %(pinned)s is expected. Someone may be pretending to be this "
                            "server. Ask the server's owner whether it changed its key before "
                            "changing the fingerprint here.",
                            where=where,
                            seen=seen,
                            pinned=self.host_key_fingerprint,
                        )
                    )
            try:
                if self.auth_method == "key":
                    transport.auth_publickey(self.username, self._pkey())
                else:
                    transport.auth_password(self.username, self.sudo().password or "")
            except paramiko.AuthenticationException as exc:
                raise UserError(
                    _(
                        "The server %(where)s refused the user %(user)s: check the user and "
                        "its password or key.",
                        where=where,
                        user=self.username,
                    )
                ) from exc
            except (paramiko.SSHException, EOFError, OSError) as exc:
                raise UserError(
                    _("Signing in to %(where)s failed: %(reason)s.", where=where, reason=exc)
                ) from exc
            sftp = paramiko.SFTPClient.from_transport(transport)
            try:
                yield sftp
            finally:
                sftp.close()
        finally:
            transport.close()

    def _remote(self, folder):
        if folder.startswith("/"):
            return posixpath.normpath(folder)
        return posixpath.normpath(posixpath.join(self.remote_folder or "/", folder))

    @staticmethod
    def _ensure_folder(sftp, path):
        try:
            sftp.stat(path)
        except OSError:
            sftp.mkdir(path)

    # ------------------------------------------------------------------ actions
    def action_show_server_key(self):
        """Connect without checking the key and show the server's fingerprint (to compare
        with what the server's owner says); nothing is fetched and nothing is trusted."""
        self.ensure_one()
        check_action(self, ACCOUNTANT, "read")
        where = f"{self.host}:{self.port}"
        try:
            with socket.create_connection(
                (self.host, self.port), timeout=self.timeout or 30
            ) as sock:
                transport = paramiko.Transport(sock)
                try:
                    transport.start_client(timeout=self.timeout or 30)
                    seen = host_key_fingerprint(transport.get_remote_server_key())
                finally:
                    transport.close()
        except (OSError, paramiko.SSHException, EOFError) as exc:
            raise UserError(
                _("Cannot reach %(where)s: %(reason)s.", where=where, reason=exc)
            ) from exc
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Key of %(where)s", where=where),
                "message": _(
                    "%(seen)s — compare it with the fingerprint the server's owner gave before you "
                    "paste it into «Server key fingerprint».",
                    seen=seen,
                ),
                "sticky": True,
                "type": "info",
            },
        }
