"""Errors of the functional core.

Every error the core raises on purpose is a :class:`CoreError`: it carries a stable ``code``
(the Odoo layer translates by it), the parameters the message was built from, and an English
message meant for a non-IT user. ``str(error)`` is the message.
"""

from __future__ import annotations


class CoreError(ValueError):
    """An error with a stable code, parameters and an English message.

    The Odoo layer translates by ``code``; ``params`` fill the translated message.
    """

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class RequisiteError(CoreError):
    """A Russian requisite (INN, KPP, OGRN, SNILS, BIK, bank account, passport…) is wrong."""


class GarError(CoreError):
    """A ГАР (ФИАС) extract cannot be found or read."""
