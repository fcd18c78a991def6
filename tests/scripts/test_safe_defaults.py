"""Safe defaults of the scripts that start Odoo (issue 10, point 5): loopback, no database
manager, a random master password of this checkout readable by its owner only."""

import configparser
import importlib
import stat
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture
def common(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))
    module = importlib.import_module("common")
    monkeypatch.setattr(module, "LOCAL_CONF", tmp_path / "var" / "odoo.conf")
    monkeypatch.setattr(module, "SECRET_FILE", tmp_path / "var" / ".admin_passwd")
    return module


def _read(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return parser["options"]


def test_repository_configuration_is_safe():
    options = _read(SCRIPTS.parent / "odoo.conf")
    assert options["list_db"] == "False"
    assert options["http_interface"] == "127.0.0.1"
    assert "admin_passwd" not in options, "no master password may be committed"


def test_local_configuration_has_a_random_private_master_password(common, tmp_path):
    path = common.local_conf()
    options = _read(path)
    secret = options["admin_passwd"]
    assert len(secret) >= 24 and secret != "admin"
    assert options["list_db"] == "False"
    for private in (path, common.SECRET_FILE):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    # stable for the checkout: a second call keeps the password
    assert _read(common.local_conf())["admin_passwd"] == secret
    # another checkout gets another password
    other = tmp_path / "other"
    common.SECRET_FILE = other / ".admin_passwd"
    common.LOCAL_CONF = other / "odoo.conf"
    assert _read(common.local_conf())["admin_passwd"] != secret


def test_demo_listens_on_loopback_by_default(common, monkeypatch):
    monkeypatch.setattr(common, "odoo_addons_path", lambda: "addons")
    sys.modules.pop("demo", None)
    demo = importlib.import_module("demo")
    monkeypatch.setattr(demo, "odoo_command", common.odoo_command)
    args = demo.build_parser().parse_args([])
    assert args.host == "127.0.0.1"
    cmd = demo.demo_server_command("mobill_demo", args.port, args.host)
    assert "--http-interface=127.0.0.1" in cmd
    assert str(common.LOCAL_CONF) in cmd
    assert "--db-filter=^mobill_demo$" in cmd
