"""Sprig's ``semver`` and ``semverCompare`` (semver.go, v3.3.0) on Masterminds/semver v3.5.0 rules.

Versions parse leniently, as Masterminds ``NewVersion`` does (``v1.2`` is 1.2.0, ``01.2.3``
is accepted); constraints are ``helmlite.semver``'s port of Masterminds' grammar, under which a
prerelease version only satisfies a constraint that carries a prerelease (``>=1.21`` rejects
``1.21.0-eks-1``, ``>=1.21-0`` accepts it). Error texts are Masterminds'.

``helmlite.semver`` (with the ``semver`` library under it) is imported by the functions, when
a template first calls one: every render registers these functions, few charts call them,
and the import alone was a sixth of the function table's.
"""

from __future__ import annotations

from helmlite.errors import ConstraintError
from helmlite.gofmt import go_quote
from helmlite.render.gotemplate.funcs.gotypes import SemverVersion
from helmlite.render.gotemplate.funcspec import STRING, FuncError, gofunc

__all__ = ["new_version"]


def _version_error(text: str) -> str:
    """Masterminds' reason for rejecting ``text`` (checked in its order)."""
    from helmlite.semver.version import MAX_VERSION_LENGTH, parse_uint64, valid_build

    if len(text) > MAX_VERSION_LENGTH:
        return f"version string is too long (max {MAX_VERSION_LENGTH} bytes)"
    rest = text[1:] if text.startswith("v") else text
    rest, plus, build = rest.partition("+")
    rest, minus, prerelease = rest.partition("-")
    segments = rest.split(".")
    shape_ok = ((not plus or valid_build(build)) and (not minus or valid_build(prerelease))
                and len(segments) <= 3 and all(s and s.isascii() and s.isdigit() for s in segments))
    if not shape_ok:
        return "invalid semantic version"
    for segment in segments:
        if parse_uint64(segment) is None:
            return ("error parsing version segment: strconv.ParseUint: parsing "
                    f"{go_quote(segment)}: value out of range")
    return "version segment starts with 0"


def new_version(text: str) -> SemverVersion:
    """Masterminds ``NewVersion``; FuncError with its message when ``text`` is not a version."""
    from helmlite.semver import parse_version

    try:
        return SemverVersion(parse_version(text), text)
    except ConstraintError:
        raise FuncError(_version_error(text)) from None


@gofunc("semver", STRING, returns_error=True)
def semver(version: str) -> SemverVersion:
    return new_version(version)


@gofunc("semverCompare", STRING, STRING, returns_error=True)
def semver_compare(constraint: str, version: str) -> bool:
    from helmlite.semver import Constraint

    try:
        parsed = Constraint.parse(constraint)
    except ConstraintError:
        raise FuncError(f"improper constraint: {go_quote(constraint)}") from None
    return parsed.check(new_version(version).version)
