import io
import json
import subprocess
import sys

import pytest

from mobill_tko_core.cli import main

E1 = {
    "id": "LS-1000123/2025-05",
    "method": "residents",
    "period": "2025-05",
    "residents": 3,
    "norm": "1.56",
    "tariff": "557.76",
}
E3 = {
    "id": "LS-1000123",
    "calc_date": "2025-01-01",
    "consumer": "individual",
    "debts": [{"period": "2024-03", "amount": "1000.00", "due_date": "2024-04-10"}],
    "payments": [{"date": "2024-08-20", "amount": "1000.00", "period": "2024-03"}],
}


def run(command, payload, *extra):
    stdin = io.StringIO(payload if isinstance(payload, str) else json.dumps(payload))
    stdout = io.StringIO()
    code = main([command, *extra], stdin=stdin, stdout=stdout)
    return code, json.loads(stdout.getvalue())


def test_charge_e1():
    code, out = run("charge", E1)
    assert code == 0
    assert out["total"] == "217.53"
    assert out["vat"] == "36.26"
    assert out["net"] == "181.27"
    assert out["period"] == "2025-05"
    assert out["service_date"] == "2025-05-31"
    assert out["inputs"]["norm"] == "1.56"
    assert out["explanation"][0]["code"] == "formula.residents"


def test_charge_json_numbers_are_exact():
    code, out = run(
        "charge", json.dumps(E1).replace('"1.56"', "1.56").replace('"557.76"', "557.76")
    )
    assert code == 0 and out["total"] == "217.53"


def test_charge_e2_legal_entity():
    case = {
        "method": "norm_units",
        "period": "2025-05",
        "units": [{"category": "trade_area_m2", "units": 100, "norm": "0.8"}],
        "tariff": "600.00",
    }
    code, out = run("charge", case, "--indent", "0")
    assert code == 0
    assert (out["net"], out["vat"], out["total"]) == ("4000.00", "800.00", "4800.00")


def test_penalty_e3():
    code, out = run("penalty", E3)
    assert code == 0
    assert out["id"] == "LS-1000123"
    assert out["total"] == "49.69"
    assert [
        (ln["date_from"], ln["date_to"], ln["days"], ln["share"], ln["amount"])
        for ln in out["lines"]
    ] == [
        ("2024-04-11", "2024-05-10", 30, "0", "0.00"),
        ("2024-05-11", "2024-07-09", 60, "1/300", "19.00"),
        ("2024-07-10", "2024-08-20", 42, "1/130", "30.69"),
    ]
    assert out["lines"][1]["rate"] == "9.5" and out["lines"][1]["base_rate"] == "18.00"


def test_penalty_with_own_rates_and_settings():
    case = dict(
        E3,
        rates=[["2024-01-01", "16"], {"date_from": "2024-07-29", "rate": "18"}],
        settings={"payment_day_included": False},
    )
    code, out = run("penalty", case)
    assert code == 0
    assert out["lines"][-1]["date_to"] == "2024-08-19"
    legal = dict(E3, consumer="legal", settings={"apply_pp424": True, "scale": [[1, 130]]})
    code, out = run("penalty", legal)
    assert code == 0 and out["consumer"] == "legal"


@pytest.mark.parametrize(
    ("command", "payload", "error_code"),
    [
        ("charge", "{not json", "cli.bad_json"),
        ("charge", "[1, 2]", "cli.bad_input"),
        ("charge", dict(E1, tariff="abc"), "charge.bad_number"),
        ("charge", dict(E1, method="guess"), "charge.unknown_method"),
        ("penalty", dict(E3, calc_date=None), "cli.missing_input"),
        ("penalty", dict(E3, debts="none"), "cli.bad_input"),
        ("penalty", dict(E3, settings={"speed": 1}), "cli.unknown_setting"),
        ("penalty", dict(E3, consumer="martian"), "cli.bad_input"),
        (
            "penalty",
            dict(E3, debts=[{"period": "2024-03", "amount": "1.001"}]),
            "penalty.bad_amount",
        ),
        ("penalty", dict(E3, settings={"rate_basis": "whim"}), "penalty.rules.bad_rate_basis"),
    ],
)
def test_invalid_input_exit_2(command, payload, error_code):
    code, out = run(command, payload)
    assert code == 2
    assert out["error"]["code"] == error_code
    assert out["error"]["message"]


def test_python_m_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "mobill_tko_core", "charge"],
        input=json.dumps(E1),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == "217.53"
    proc = subprocess.run(
        [sys.executable, "-m", "mobill_tko_core", "penalty"],
        input="{}",
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["code"] == "cli.missing_input"
