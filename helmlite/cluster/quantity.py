"""Kubernetes resource quantities (``100m``, ``1.5Gi``, ``2e3``) as exact fractions.

The scheduler compares requests with allocatable and validation compares requests with
limits and PVC sizes; both need the API server's parsing rules, so they live here once.
"""

from __future__ import annotations

import re
from fractions import Fraction

__all__ = ["parse_quantity", "is_quantity", "QUANTITY_ERROR"]

QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

_RE = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_SUFFIXES = {
    "": Fraction(1),
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}


def parse_quantity(value: str | float) -> Fraction:
    """The exact value of a quantity (``"100m"`` → ``1/10``, ``"1Ki"`` → ``1024``).

    Raises:
        ValueError: the text is not a quantity; the message is the API server's.
    """
    if isinstance(value, bool):
        raise ValueError(QUANTITY_ERROR)  # noqa: TRY004 - a boolean in a manifest is a bad value, not a bug
    if isinstance(value, (int, float)):
        return Fraction(value)
    m = _RE.match(value.strip()) if isinstance(value, str) else None
    if m is None or m.group(1).count(".") > 1 or m.group(1) in (".", "+", "-"):
        raise ValueError(QUANTITY_ERROR)
    number, suffix = Fraction(m.group(1)), m.group(2)
    if suffix in _SUFFIXES:
        return number * _SUFFIXES[suffix]
    exp = re.fullmatch(r"[eE]([-+]?[0-9]+)", suffix)
    if exp is None:
        raise ValueError(QUANTITY_ERROR)
    return number * Fraction(10) ** int(exp.group(1))


_SUFFIX_RE = re.compile(r"^(|n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][-+]?[0-9]+)$")
_NUMBER_RE = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$")


def is_quantity(value: object) -> bool:
    """Whether ``value`` parses as a quantity (cheaper than ``parse_quantity``)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str):
        return False
    m = _RE.match(value.strip())
    return m is not None and bool(_NUMBER_RE.match(m.group(1))) and bool(_SUFFIX_RE.match(m.group(2)))
