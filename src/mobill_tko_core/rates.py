"""Dated rate tables (Bank of Russia key rate, refinancing rate).

A :class:`RateTable` is a step function built from ``(date_from, rate_percent)`` rows: the rate of
a row is in force from its ``date_from`` (inclusive) until the next row's ``date_from``
(exclusive). Nothing is loaded at import time: the Odoo side stores the rates and passes them in.
The package ships a seed copy of the two histories in ``mobill_tko_core/data/``
(:func:`load_packaged_rates`) for the first install and for tests.

CSV format (UTF-8, comma separated, header ``date_from,rate_percent``)::

    date_from,rate_percent
    2024-07-29,18.00
"""

from __future__ import annotations

import bisect
import csv
import io
import os
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from mobill_tko_core.errors import CoreError
from mobill_tko_core.money import to_decimal

__all__ = [
    "KEY_RATE_SWITCH_DATE",
    "PACKAGED_RATE_FILES",
    "RateError",
    "RateTable",
    "load_packaged_rates",
    "load_rates_csv",
    "packaged_rates_path",
    "penalty_rate_table",
]

#: Since this day the refinancing rate equals the key rate (Указание Банка России № 3894-У).
KEY_RATE_SWITCH_DATE = date(2016, 1, 1)

#: Seed files shipped in ``mobill_tko_core/data/``.
PACKAGED_RATE_FILES = {
    "key": "cbr_key_rate.csv",
    "refinancing": "cbr_refinancing_rate.csv",
}


class RateError(CoreError):
    """A rate table is empty, malformed, or has no rate for the asked date."""


def _to_date(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise RateError(
            "rates.bad_date", f"Not an ISO date (YYYY-MM-DD): {value!r}.", value=str(value)
        ) from exc


class RateTable:
    """A step function of dates to rates in percent (``Decimal``).

    >>> t = RateTable([("2024-07-29", "18.00"), ("2024-09-16", "19.00")])
    >>> t.rate_on(date(2024, 8, 20))
    Decimal('18.00')
    """

    __slots__ = ("_dates", "_ordinals", "_rates", "name")

    def __init__(self, rows: Iterable, name: str = ""):
        pairs: dict[date, Decimal] = {}
        for row in rows:
            try:
                day, rate = row
            except (TypeError, ValueError) as exc:
                raise RateError(
                    "rates.bad_row", f"A rate row must be (date_from, rate): {row!r}.", row=str(row)
                ) from exc
            day = _to_date(day)
            try:
                value = to_decimal(rate)
            except (TypeError, ValueError) as exc:
                raise RateError(
                    "rates.bad_rate", f"Not a rate: {rate!r} (from {day}).", value=str(rate)
                ) from exc
            if value < 0:
                raise RateError(
                    "rates.negative_rate",
                    f"A rate cannot be negative: {value} from {day}.",
                    rate=value,
                    date=day,
                )
            if day in pairs and pairs[day] != value:
                raise RateError(
                    "rates.duplicate_date",
                    f"Two different rates start on {day}: {pairs[day]} and {value}.",
                    date=day,
                    first=pairs[day],
                    second=value,
                )
            pairs[day] = value
        if not pairs:
            raise RateError("rates.empty", "The rate table has no rows.")
        self._dates = sorted(pairs)
        self._ordinals = [d.toordinal() for d in self._dates]
        self._rates = [pairs[d] for d in self._dates]
        self.name = name

    # -- queries ---------------------------------------------------------------------------
    def rate_on(self, day) -> Decimal:
        """The rate in force on ``day`` (percent); :class:`RateError` before the first row."""
        day = _to_date(day)
        i = bisect.bisect_right(self._ordinals, day.toordinal()) - 1
        if i < 0:
            raise RateError(
                "rates.no_rate",
                f"No rate{' ' + self.name if self.name else ''} is known on {day.isoformat()}; "
                f"the table starts on {self._dates[0].isoformat()}.",
                date=day,
                start=self._dates[0],
                table=self.name,
            )
        return self._rates[i]

    def rows(self) -> list[tuple[date, Decimal]]:
        """The rows ``(date_from, rate)`` in date order."""
        return list(zip(self._dates, self._rates, strict=True))

    def __len__(self) -> int:
        return len(self._dates)

    def __eq__(self, other) -> bool:
        return isinstance(other, RateTable) and self.rows() == other.rows()

    def __hash__(self) -> int:
        return hash(tuple(self.rows()))

    def __repr__(self) -> str:
        return f"RateTable({len(self)} rows from {self._dates[0].isoformat()})"

    # -- combining -------------------------------------------------------------------------
    @classmethod
    def combine(cls, earlier: RateTable, later: RateTable, switch_date: date) -> RateTable:
        """Rows of ``earlier`` before ``switch_date``, then ``later`` from ``switch_date`` on."""
        rows = [(d, r) for d, r in earlier.rows() if d < switch_date]
        rows.append((switch_date, later.rate_on(switch_date)))
        rows.extend((d, r) for d, r in later.rows() if d > switch_date)
        return cls(rows, name=later.name or earlier.name)


def load_rates_csv(path_or_file, name: str = "") -> RateTable:
    """Read a ``date_from,rate_percent`` CSV from a path or an open text file."""
    if isinstance(path_or_file, (str, os.PathLike)):
        with open(path_or_file, encoding="utf-8-sig", newline="") as handle:
            return _read_csv(handle, name or Path(path_or_file).stem)
    if isinstance(path_or_file, (bytes, bytearray)):
        return _read_csv(io.StringIO(path_or_file.decode("utf-8-sig")), name)
    return _read_csv(path_or_file, name)


def _read_csv(handle, name: str) -> RateTable:
    reader = csv.reader(handle)
    rows = []
    for lineno, record in enumerate(reader, start=1):
        cells = [c.strip() for c in record]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if lineno == 1 and cells[0].lower() == "date_from":
            continue
        if len(cells) < 2:
            raise RateError(
                "rates.bad_file_row",
                f"Line {lineno} of the rate file needs two columns: date_from,rate_percent.",
                line=lineno,
            )
        rows.append((cells[0], cells[1]))
    return RateTable(rows, name=name)


def packaged_rates_path(kind: str = "key") -> Path:
    """Path of a seed file shipped with the package (``kind``: ``"key"`` or ``"refinancing"``)."""
    try:
        filename = PACKAGED_RATE_FILES[kind]
    except KeyError as exc:
        raise RateError(
            "rates.unknown_kind",
            f"Unknown rate kind {kind!r}; use one of {', '.join(PACKAGED_RATE_FILES)}.",
            kind=kind,
        ) from exc
    return Path(__file__).with_name("data") / filename


def load_packaged_rates(kind: str = "key") -> RateTable:
    """The seed rate table shipped with the package (not updated automatically)."""
    return load_rates_csv(packaged_rates_path(kind), name=kind)


def penalty_rate_table(refinancing: RateTable, key: RateTable) -> RateTable:
    """Rate of ЖК РФ ст. 155 ч. 14: refinancing rate to 31.12.2015, key rate from 01.01.2016."""
    return RateTable.combine(refinancing, key, KEY_RATE_SWITCH_DATE)
