"""A small SFTP server for the tests: paramiko over a temporary folder, on 127.0.0.1, with a
host key made for the run. Nothing leaves the machine.

    with LocalSftpServer(user="bank", password="secret") as server:
        server.put("in/registry.txt", b"...")
        server.port, server.fingerprint, server.root
"""

import base64
import hashlib
import logging
import os
import shutil
import socket
import tempfile
import threading

import paramiko
from paramiko import SFTP_FAILURE, SFTP_NO_SUCH_FILE, SFTP_OK, SFTP_PERMISSION_DENIED

# the server side logs a client hanging up as an error; the tests' clients always do
_SERVER_LOG = "tko.test.sftp_server"
logging.getLogger(_SERVER_LOG).setLevel(logging.CRITICAL)


def _error(exc):
    return paramiko.SFTPServer.convert_errno(exc.errno)


class _Auth(paramiko.ServerInterface):
    def __init__(self, user, password):
        self.user, self.password = user, password

    def check_auth_password(self, username, password):
        if (username, password) == (self.user, self.password):
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def get_allowed_auths(self, username):
        return "password"

    def check_channel_request(self, kind, chanid):
        return (
            paramiko.OPEN_SUCCEEDED
            if kind == "session"
            else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        )


class _Handle(paramiko.SFTPHandle):
    def stat(self):
        try:
            return paramiko.SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))
        except OSError as exc:
            return _error(exc)


class _Folder(paramiko.SFTPServerInterface):
    """The SFTP view of one local folder; paths cannot leave it."""

    root = None  # set per server class

    def _local(self, path):
        path = os.path.normpath("/" + (path or "/")).lstrip("/")
        local = os.path.realpath(os.path.join(self.root, path))
        if not (local + os.sep).startswith(os.path.realpath(self.root) + os.sep):
            raise PermissionError(13, "outside the root")
        return local

    def canonicalize(self, path):
        return os.path.normpath("/" + (path or "/"))

    def list_folder(self, path):
        try:
            local = self._local(path)
            out = []
            for name in os.listdir(local):
                attr = paramiko.SFTPAttributes.from_stat(os.stat(os.path.join(local, name)))
                attr.filename = name
                out.append(attr)
            return out
        except OSError as exc:
            return _error(exc)

    def stat(self, path):
        try:
            return paramiko.SFTPAttributes.from_stat(os.stat(self._local(path)))
        except OSError as exc:
            return _error(exc)

    lstat = stat

    def open(self, path, flags, attr):
        try:
            local = self._local(path)
            if flags & os.O_WRONLY or flags & os.O_RDWR:
                mode = "wb" if flags & os.O_WRONLY else "r+b"
                fd = os.open(local, flags, 0o644)
                handle_file = os.fdopen(fd, mode)
            else:
                handle_file = open(local, "rb")  # noqa: SIM115
        except OSError as exc:
            return _error(exc)
        handle = _Handle(flags)
        handle.filename = local
        handle.readfile = handle_file
        handle.writefile = handle_file
        return handle

    def remove(self, path):
        try:
            os.remove(self._local(path))
        except OSError as exc:
            return _error(exc)
        return SFTP_OK

    def rename(self, oldpath, newpath):
        try:
            new = self._local(newpath)
            if os.path.exists(new):
                return SFTP_FAILURE
            os.rename(self._local(oldpath), new)
        except OSError as exc:
            return _error(exc)
        return SFTP_OK

    def posix_rename(self, oldpath, newpath):
        try:
            os.replace(self._local(oldpath), self._local(newpath))
        except OSError as exc:
            return _error(exc)
        return SFTP_OK

    def mkdir(self, path, attr):
        try:
            os.mkdir(self._local(path))
        except OSError as exc:
            return _error(exc)
        return SFTP_OK

    def rmdir(self, path):
        try:
            os.rmdir(self._local(path))
        except OSError as exc:
            return _error(exc)
        return SFTP_OK

    def chattr(self, path, attr):
        return SFTP_PERMISSION_DENIED

    def readlink(self, path):
        return SFTP_NO_SUCH_FILE


class LocalSftpServer:
    """Serves a temporary folder over SFTP on 127.0.0.1 (a free port) until ``stop()``."""

    def __init__(self, user="bank", password="secret", host_key=None):
        self.user, self.password = user, password
        self.host_key = host_key or paramiko.ECDSAKey.generate()
        self.root = tempfile.mkdtemp(prefix="tko-sftp-")
        self._sock = None
        self._thread = None
        self._transports = []
        self._stopping = threading.Event()
        self.port = None

    @property
    def fingerprint(self):
        digest = hashlib.sha256(self.host_key.asbytes()).digest()
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")

    # -- files
    def path(self, relative):
        return os.path.join(self.root, relative.lstrip("/"))

    def put(self, relative, data):
        local = self.path(relative)
        os.makedirs(os.path.dirname(local), exist_ok=True)
        with open(local, "wb") as f:
            f.write(data)
        return local

    def listdir(self, relative=""):
        local = self.path(relative)
        return sorted(os.listdir(local)) if os.path.isdir(local) else []

    # -- life
    def start(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(5)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        folder = type("Folder", (_Folder,), {"root": self.root})
        self._folder = folder
        self._thread = threading.Thread(target=self._serve, name="tko-test-sftp", daemon=True)
        self._thread.start()
        return self

    def _serve(self):
        while not self._stopping.is_set():
            try:
                conn, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            transport = paramiko.Transport(conn)
            transport.set_log_channel(_SERVER_LOG)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, self._folder)
            self._transports.append(transport)
            try:
                transport.start_server(server=_Auth(self.user, self.password))
            except (paramiko.SSHException, EOFError, OSError):
                transport.close()

    def stop(self):
        self._stopping.set()
        if self._sock is not None:
            self._sock.close()
        if self._thread is not None:
            self._thread.join(5)
        for transport in self._transports:
            transport.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def free_port():
    """A port on 127.0.0.1 where nothing listens (the «server down» case)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
