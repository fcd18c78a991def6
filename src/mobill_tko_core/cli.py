"""Command line: ``mobill-tko charge`` and ``mobill-tko penalty``.

Each command reads ONE case as JSON on stdin and prints the result with its breakdown as JSON on
stdout (Decimals as strings, dates ISO). Invalid input: exit code 2 and
``{"error": {"code": ..., "message": ...}}`` on stdout. The schemas are in ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from mobill_tko_core.charges import compute_charge
from mobill_tko_core.errors import CoreError
from mobill_tko_core.penalties import CONSUMER_LEGAL, PenaltyRules, compute_penalties
from mobill_tko_core.rates import (
    RateTable,
    load_packaged_rates,
    penalty_rate_table,
)

EXIT_OK = 0
EXIT_INVALID = 2

_PENALTY_SETTINGS = {
    "rate_basis",
    "payment_day_included",
    "scale",
    "obligation_date",
    "due_day",
    "due_months_after",
    "apply_pp424",
}


class CliError(CoreError):
    """Invalid command-line input."""


def _json_default(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _read_case(stream) -> dict:
    text = stream.read()
    try:
        case = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CliError(
            "cli.bad_json", f"The input is not valid JSON: {exc.msg} (line {exc.lineno})."
        ) from exc
    if not isinstance(case, Mapping):
        raise CliError("cli.bad_input", "The input must be one JSON object (one case).")
    return case


def run_charge(case: Mapping) -> dict:
    """The ``charge`` command on a parsed case."""
    return compute_charge(case).as_dict()


def _penalty_rules(case: Mapping) -> PenaltyRules:
    if case.get("rates"):
        rows = case["rates"]
        if not isinstance(rows, list):
            raise CliError("cli.bad_input", "rates must be a list of [date_from, rate_percent].")
        rates = RateTable(
            [(r.get("date_from"), r.get("rate")) if isinstance(r, Mapping) else r for r in rows],
            name="input",
        )
    else:
        rates = penalty_rate_table(load_packaged_rates("refinancing"), load_packaged_rates("key"))
    settings = dict(case.get("settings") or {})
    unknown = set(settings) - _PENALTY_SETTINGS
    if unknown:
        raise CliError(
            "cli.unknown_setting",
            f"Unknown penalty setting(s): {', '.join(sorted(unknown))}.",
            settings=sorted(unknown),
        )
    consumer = case.get("consumer") or "individual"
    apply_pp424 = settings.pop("apply_pp424", False)
    if "scale" in settings:
        try:
            settings["scale"] = tuple((int(a), int(b)) for a, b in settings["scale"])
        except (TypeError, ValueError) as exc:
            raise CliError(
                "cli.bad_input", "settings.scale must be a list of [from_day, denominator]."
            ) from exc
    try:
        if consumer == CONSUMER_LEGAL:
            return PenaltyRules.legal_entity(rates, apply_pp424=bool(apply_pp424), **settings)
        if consumer != "individual":
            raise CliError("cli.bad_input", "consumer must be 'individual' or 'legal'.")
        return PenaltyRules.individual(rates, **settings)
    except TypeError as exc:
        raise CliError("cli.bad_input", f"Invalid penalty settings: {exc}.") from exc


def run_penalty(case: Mapping) -> dict:
    """The ``penalty`` command on a parsed case."""
    if not case.get("calc_date"):
        raise CliError("cli.missing_input", "Input calc_date is required.", field="calc_date")
    debts = case.get("debts")
    payments = case.get("payments") or []
    if not isinstance(debts, list) or not isinstance(payments, list):
        raise CliError("cli.bad_input", "debts and payments must be lists.")
    opt_outs = case.get("opt_outs") or []
    if not isinstance(opt_outs, list):
        raise CliError("cli.bad_input", "opt_outs must be a list of rule codes.")
    rules = _penalty_rules(case)
    result = compute_penalties(debts, payments, case["calc_date"], rules, opt_outs)
    out = result.as_dict()
    if case.get("id") is not None:
        out = {"id": case["id"], **out}
    return out


COMMANDS = {"charge": run_charge, "penalty": run_penalty}


def main(argv=None, stdin=None, stdout=None) -> int:
    """Entry point of ``mobill-tko``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="mobill-tko",
        description="MoBill-TKO calculations: read one case as JSON on stdin, print JSON.",
    )
    parser.add_argument("command", choices=sorted(COMMANDS), help="what to calculate")
    parser.add_argument("--indent", type=int, default=2, help="JSON indent (0 = one line)")
    args = parser.parse_args(argv)
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    indent = args.indent or None
    try:
        case = _read_case(stdin)
        result = COMMANDS[args.command](case)
        code = EXIT_OK
    except CoreError as exc:
        result = {"error": {"code": exc.code, "message": exc.message}}
        code = EXIT_INVALID
    json.dump(result, stdout, default=_json_default, ensure_ascii=False, indent=indent)
    stdout.write("\n")
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
