"""Version parsing with the rules of Masterminds/semver v3.5.0, the library Helm uses.

Two parsers, as in Masterminds:

* ``parse_version`` is ``NewVersion``: lenient. A leading ``v`` is allowed, a missing minor
  or patch becomes 0 (``1.2`` is 1.2.0) and leading zeros in the numbers are accepted
  (``01.2.3`` is 1.2.3). Prerelease and build metadata still follow SemVer 2.
* ``is_strict_semver`` is ``StrictNewVersion``: exactly ``MAJOR.MINOR.PATCH[-pre][+build]``.

Ordering is SemVer precedence; build metadata never affects it (``semver.Version`` already
compares that way).
"""

from __future__ import annotations

import functools

import semver

from helmlite.errors import ConstraintError

__all__ = [
    "MAX_VERSION_LENGTH",
    "is_strict_semver",
    "parse_uint64",
    "parse_version",
    "quote",
    "sort_key",
    "valid_build",
    "valid_prerelease",
]

# Masterminds' MaxVersionLen: longer strings are refused before any parsing.
MAX_VERSION_LENGTH = 256

# Go parses each number as a uint64; anything larger is an invalid version there.
_UINT64_MAX = 2**64 - 1
_IDENTIFIER_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")
# Keeps error messages one short line even for hostile input.
_QUOTE_LIMIT = 80


def parse_version(text: str) -> semver.Version:
    """Parse a version leniently, as Masterminds ``NewVersion`` (and so Helm) does.

    Returns the ``semver.Version`` (``v1.2`` gives 1.2.0). Raises ``ConstraintError``
    ("invalid semantic version '...'") when ``text`` is not a version.
    """
    return _parse_version(text)


@functools.lru_cache(maxsize=4096)
def _parse_version(text: str) -> semver.Version:
    # Cached because resolution parses the same index versions for every constraint;
    # semver.Version is immutable, so sharing instances is safe.
    version = _parse_lenient(text)
    if version is None:
        raise ConstraintError(f"invalid semantic version {quote(text)}")
    return version


def is_strict_semver(text: str) -> bool:
    """Return True when ``text`` is a strict SemVer 2 version (Masterminds ``StrictNewVersion``).

    That is exactly ``MAJOR.MINOR.PATCH[-prerelease][+build]``: no ``v`` prefix, no missing
    parts, no leading zeros. Never raises.
    """
    if not text or len(text) > MAX_VERSION_LENGTH:
        return False
    parts = text.split(".", 2)
    if len(parts) != 3:
        return False
    rest = parts[2]
    if "+" in rest:
        rest, build = rest.split("+", 1)
        if not valid_build(build):
            return False
    if "-" in rest:
        rest, prerelease = rest.split("-", 1)
        if not valid_prerelease(prerelease):
            return False
    for number in (parts[0], parts[1], rest):
        if parse_uint64(number) is None or (len(number) > 1 and number[0] == "0"):
            return False
    return True


def sort_key(version: str) -> semver.Version:
    """Return the key that orders version strings by SemVer precedence.

    Use ``sorted(versions, key=sort_key, reverse=True)`` for newest first. Raises
    ``ConstraintError`` for a string that is not a version, so filter those out first
    (Helm sorts them after every valid version).
    """
    return _parse_version(version)


def parse_uint64(digits: str) -> int | None:
    """Return the value of a decimal number that fits a uint64, or None if it is not one."""
    if not digits or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(digits)
    return value if value <= _UINT64_MAX else None


def valid_build(text: str) -> bool:
    """Return True for valid build metadata: dot-separated non-empty ``[0-9A-Za-z-]`` words."""
    return all(part and _IDENTIFIER_CHARS.issuperset(part) for part in text.split("."))


def valid_prerelease(text: str) -> bool:
    """Return True for a valid prerelease: like build metadata, and numbers have no leading zero."""
    return valid_build(text) and not any(
        len(part) > 1 and part[0] == "0" and part.isdigit() for part in text.split(".")
    )


def quote(text: str) -> str:
    """Return ``text`` quoted for a one-line error message, shortened when very long."""
    if len(text) > _QUOTE_LIMIT:
        return repr(text[:_QUOTE_LIMIT])[:-1] + "...'"
    return repr(text)


def _parse_lenient(text: str) -> semver.Version | None:
    if len(text) > MAX_VERSION_LENGTH:
        return None
    rest = text[1:] if text.startswith("v") else text
    build = prerelease = None
    # Build metadata first: a '-' is legal inside it, so it must be split off before the
    # prerelease is looked for.
    if "+" in rest:
        rest, build = rest.split("+", 1)
        if not valid_build(build):
            return None
    if "-" in rest:
        rest, prerelease = rest.split("-", 1)
        if not valid_prerelease(prerelease):
            return None
    parts = rest.split(".")
    if len(parts) > 3:
        return None
    numbers = []
    for part in parts:
        number = parse_uint64(part)
        if number is None:
            return None
        numbers.append(number)
    major, minor, patch = numbers + [0] * (3 - len(numbers))
    return semver.Version(major, minor, patch, prerelease, build)
