"""The Bank of Russia's public web service DailyInfo (SOAP), method ``KeyRateXML``.

``KeyRateXML(fromDate, ToDate)`` answers one ``<KR><DT>…</DT><Rate>…</Rate></KR>`` row per
business day with the key rate in force that day. :func:`fetch_key_rates` calls it with zeep and
returns the rows; :func:`rate_changes` turns daily rows into the steps the rate table keeps (a new
row only when the rate changes). Nothing here writes to the database and nothing guesses a rate:
any transport, SOAP or parsing problem raises :class:`CbrError` with a stable code (the Odoo
side translates it by code). ``zeep`` and ``requests`` are imported only to call the service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from mobill_tko_core.errors import CoreError

DEFAULT_WSDL = "https://www.cbr.ru/DailyInfoWebServ/DailyInfo.asmx?WSDL"


class CbrError(CoreError):
    """The Bank of Russia's service could not be reached or answered something unexpected."""


def _elements(result):
    """The lxml elements of a zeep ``xsd:any`` answer (an element, a list or ``_value_1``)."""
    if result is None:
        return []
    if hasattr(result, "tag"):
        return [result]
    if isinstance(result, (list, tuple)):
        found = []
        for item in result:
            found.extend(_elements(item))
        return found
    value = getattr(result, "_value_1", None)
    if value is not None:
        return _elements(value)
    return []


def _local(tag) -> str:
    return str(tag).rsplit("}", 1)[-1]


def parse_key_rate_elements(elements) -> list[tuple[dt.date, Decimal]]:
    """``[(date, rate)]`` sorted by date from the ``KR`` rows found under ``elements``."""
    rows = {}
    for root in elements:
        for node in root.iter():
            if not isinstance(node.tag, str) or _local(node.tag) != "KR":
                continue
            values = {_local(child.tag): (child.text or "").strip() for child in node}
            shown = ", ".join(f"{key}={value}" for key, value in values.items()) or "—"
            if "DT" not in values or "Rate" not in values:
                raise CbrError(
                    "cbr.incomplete_row", f"A KR row without DT or Rate: {values!r}", row=shown
                )
            try:
                day = dt.date.fromisoformat(values["DT"][:10])
                rate = Decimal(values["Rate"].replace(",", "."))
            except (ValueError, InvalidOperation) as exc:
                raise CbrError("cbr.bad_row", f"Unreadable KR row: {values!r}", row=shown) from exc
            if rate < 0 or rate > 100:
                raise CbrError(
                    "cbr.implausible_rate",
                    f"Implausible key rate {rate} on {day}",
                    rate=rate,
                    date=day,
                )
            if day in rows and rows[day] != rate:
                raise CbrError(
                    "cbr.two_rates",
                    f"Two key rates on {day}: {rows[day]} and {rate}",
                    date=day,
                    first=rows[day],
                    second=rate,
                )
            rows[day] = rate
    return sorted(rows.items())


def fetch_key_rates(
    date_from: dt.date, date_to: dt.date, wsdl: str = DEFAULT_WSDL, timeout: int = 30
) -> list[tuple[dt.date, Decimal]]:
    """Daily key rates from ``date_from`` to ``date_to`` (inclusive) from DailyInfo.KeyRateXML."""
    import requests
    import zeep
    from zeep.transports import Transport

    try:
        session = requests.Session()
        client = zeep.Client(
            wsdl, transport=Transport(session=session, timeout=timeout, operation_timeout=timeout)
        )
        result = client.service.KeyRateXML(
            fromDate=dt.datetime.combine(date_from, dt.time()),
            ToDate=dt.datetime.combine(date_to, dt.time()),
        )
    except CbrError:
        raise
    except Exception as exc:  # zeep, requests, lxml: all mean "no answer we can trust"
        raise CbrError(
            "cbr.unreachable", f"{type(exc).__name__}: {exc}", error=f"{type(exc).__name__}: {exc}"
        ) from exc
    rows = parse_key_rate_elements(_elements(result))
    if not rows:
        raise CbrError(
            "cbr.no_rates",
            f"The service returned no key rate from {date_from} to {date_to}.",
            date_from=date_from,
            date_to=date_to,
        )
    return rows


def rate_changes(daily, previous: Decimal | None) -> list[tuple[dt.date, Decimal]]:
    """Keep the days on which the rate differs from the day before (``previous``: the rate in
    force before the first row, ``None`` when unknown)."""
    changes = []
    last = previous
    for day, rate in sorted(daily):
        if last is None or rate != last:
            changes.append((day, rate))
        last = rate
    return changes
