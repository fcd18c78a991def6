"""The Bank of Russia's public web service DailyInfo (SOAP), method ``KeyRateXML``.

``KeyRateXML(fromDate, ToDate)`` answers one ``<KR><DT>…</DT><Rate>…</Rate></KR>`` row per
business day with the key rate in force that day. :func:`fetch_key_rates` calls it with zeep and
returns the rows; :func:`rate_changes` turns daily rows into the steps the rate table keeps (a new
row only when the rate changes). Nothing here writes to the database and nothing guesses a rate:
any transport, SOAP or parsing problem raises :class:`CbrError`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

DEFAULT_WSDL = "https://www.cbr.ru/DailyInfoWebServ/DailyInfo.asmx?WSDL"


class CbrError(Exception):
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
            if "DT" not in values or "Rate" not in values:
                raise CbrError(f"A KR row without DT or Rate: {values!r}")
            try:
                day = dt.date.fromisoformat(values["DT"][:10])
                rate = Decimal(values["Rate"].replace(",", "."))
            except (ValueError, InvalidOperation) as exc:
                raise CbrError(f"Unreadable KR row: {values!r}") from exc
            if rate < 0 or rate > 100:
                raise CbrError(f"Implausible key rate {rate} on {day}")
            if day in rows and rows[day] != rate:
                raise CbrError(f"Two key rates on {day}: {rows[day]} and {rate}")
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
        raise CbrError(f"{type(exc).__name__}: {exc}") from exc
    return parse_key_rate_elements(_elements(result))


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
