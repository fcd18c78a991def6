"""One search for people: what a clerk types, read as a name, a number or an address fragment.

A clerk types «Пушкина, д. 1, кв. 5», «Пушкина 1 5», «ул. Пушкина д.1», «10000000058»,
«+7 (900) 123-45-67» or «ivanov@mail.ru». :func:`parse_people_query` reads the text once;
the callers turn the result into ILIKE patterns over stored, trigram-indexed columns (the full
address of an address element, a partner's name, a number), so that a search of a million
accounts reads an index, not the table.

The full address of the address plan reads «…, ул. Пушкина, д. 1, кв. 5»: the words of the
street come first, then the house number after its type («д.», «влд.», «зд.»…), then the
flat («кв.», «пом.», «комн.»). :func:`address_patterns` builds patterns that keep that order
and that a house «1» does not match «11» nor «21».
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Words a clerk types that name a kind of element, not the element: dropped from the words.
STREET_TYPES = {
    "ул",
    "улица",
    "пр",
    "пр-т",
    "пр-кт",
    "проспект",
    "пер",
    "переулок",
    "пл",
    "площадь",
    "ш",
    "шоссе",
    "б-р",
    "бульвар",
    "наб",
    "набережная",
    "проезд",
    "мкр",
    "микрорайон",
    "г",
    "город",
    "с",
    "село",
    "д-ня",
    "деревня",
    "пос",
    "поселок",
    "посёлок",
    "п",
    "рп",
}
HOUSE_MARKERS = {"д", "дом", "влд", "зд", "стр", "здание", "владение"}
FLAT_MARKERS = {"кв", "квартира", "пом", "помещение", "комн", "комната", "оф", "офис"}

_TOKEN = re.compile(r"\d+\s*[а-яёa-z]?(?:/\d+[а-яёa-z]?)?(?![\w])|[^\W\d_][\w-]*", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]*$")
_PHONE_CHARS = re.compile(r"^[\d\s()+\-.]+$")


@dataclass(frozen=True)
class AddressQuery:
    """An address fragment: the words of the street or settlement, a house and a flat."""

    words: tuple[str, ...] = ()
    house: str = ""
    flat: str = ""

    def __bool__(self) -> bool:
        return bool(self.words or self.house)


@dataclass(frozen=True)
class PeopleQuery:
    """What the clerk typed, read every way it can be meant."""

    text: str
    digits: str = ""  # an account or contract number, an INN, a phone: digits only
    is_phone: bool = False
    is_email: bool = False
    address: AddressQuery = field(default_factory=AddressQuery)


def like_escape(text: str) -> str:
    """``text`` as a literal in a LIKE pattern (``%``, ``_`` and ``\\`` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _bare(word: str) -> str:
    return word.lower().strip(".-")


def parse_address(text: str) -> AddressQuery:
    """Read an address fragment: «Пушкина, д. 1, кв. 5», «Пушкина 1 5», «ул.Пушкина д.1».

    Type words («ул.», «д.», «кв.»…) and commas are dropped; a number after «кв.» (or the
    second bare number) is the flat, the first number the house. Letters of a house number
    join it («1 а», «1А» → «1а»).
    """
    words: list[str] = []
    house = flat = ""
    expect = ""  # "house" or "flat" after a marker
    for token in _TOKEN.findall(text or ""):
        bare = _bare(token)
        if not bare:
            continue
        if bare[0].isdigit():
            number = re.sub(r"\s+", "", bare)
            if expect == "flat" or (expect != "house" and house and not flat):
                flat = flat or number
            elif not house:
                house = number
            elif not flat:
                flat = number
            expect = ""
        elif bare in HOUSE_MARKERS:
            expect = "house"
        elif bare in FLAT_MARKERS:
            expect = "flat"
        elif bare in STREET_TYPES:
            expect = ""
        elif len(bare) == 1 and house and not flat and not expect:
            house += bare  # «1 а»
        else:
            words.append(token.strip(".-"))
            expect = ""
    return AddressQuery(tuple(words), house, flat)


def address_patterns(query: AddressQuery) -> list[tuple[str, str | None]]:
    """``(pattern, level)`` pairs for ``query``: an address element of that level (any level
    when None) whose full address matches the ILIKE pattern (``=ilike``, escaped) is meant.

    Words in the typed order; the house a whole number at the end of a house's address
    («…, д. 1», not «д. 11» nor «д. 21»), and every premises of that house («…, д. 1, кв. 7»);
    with a flat, the premises whose address ends with that number after the house. Empty when
    there is nothing to look for.
    """
    if not query:
        return []
    head = "%" + "%".join(like_escape(word) for word in query.words) + "%" if query.words else "%"
    if not query.house:
        return [(head, None)]
    house = f"{head} {like_escape(query.house)}"
    if query.flat:
        return [(f"{house},% {like_escape(query.flat)}", "premises")]
    return [(house, "house"), (f"{house}, %", "premises")]


def phone_pattern(digits: str) -> str:
    """A pattern matching a phone whatever its punctuation: the last ten digits in order,
    anything between them («9001234567» finds «+7 (900) 123-45-67»)."""
    tail = digits[-10:]
    return "%" + "%".join(tail) + "%" if tail else ""


def parse_people_query(text: str) -> PeopleQuery:
    """Read what the clerk typed: a number (digits only: account, contract, INN, phone),
    a phone with its punctuation, an e-mail, and always an address fragment (a name is the
    text itself)."""
    text = " ".join((text or "").split())
    if not text:
        return PeopleQuery("")
    digits = re.sub(r"\D", "", text)
    is_email = bool(_EMAIL.match(text))
    is_number = bool(digits) and bool(_PHONE_CHARS.match(text))
    is_phone = is_number and len(digits) >= 7
    address = AddressQuery() if is_email or is_number else parse_address(text)
    return PeopleQuery(
        text=text,
        digits=digits if is_number else "",
        is_phone=is_phone,
        is_email=is_email,
        address=address,
    )
