"""Version constraints exactly as Helm reads them: Masterminds/semver v3.5.0 ``NewConstraint``.

Grammar::

    constraint := group ("||" group)*                      any group may match (OR)
    group      := term (("," | whitespace) term)*          every term must match (AND)
    term       := [operator] version  |  version " - " version
    operator   := =  !=  >  <  >=  =>  <=  =<  ~  ~>  ^
    version    := [v] N[.N[.N]][-prerelease][+build]       N: digits, or a wildcard x X *

Meaning, as Masterminds defines it:

* A partial or wildcard version is a range: ``1.2`` = ``1.2.x`` = ``=1.2`` = ``~1.2``
  (>=1.2.0 <1.3.0), ``1`` = ``1.x`` = ``~1`` (>=1.0.0 <2.0.0), ``*`` is anything.
* ``^1.2.3`` is >=1.2.3 <2.0.0, ``^0.2.3`` is >=0.2.3 <0.3.0, ``^0.0.3`` is only 0.0.3,
  ``^0`` is >=0.0.0 <1.0.0.
* ``1.2 - 1.4.5`` is ``>=1.2 <=1.4.5``; the spaces around ``-`` are what make it a range.
* A prerelease version only satisfies an AND group in which some term has a prerelease;
  it may then be a prerelease of *any* release in range (``>=1.0.0-0`` admits
  ``1.5.0-beta``), unlike npm, which only admits prereleases of the same release.

Known differences, all on input Helm misreads: Masterminds rewrites hyphen ranges with a
regex that lets ``|`` into a version and stops a version anywhere, so it reads ``1||2 - 3``
as ``>=1 || 2, <=3`` and ``1 - 2v3`` as ``>=1, <=2 v3``. Here a range glued to the ``||``
in front of it, or to a word after it, is an error instead of a silent disagreement.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import semver

from helmlite.errors import ConstraintError
from helmlite.semver.version import (
    parse_uint64,
    parse_version,
    quote,
    valid_build,
    valid_prerelease,
)

__all__ = [
    "MAX_CONSTRAINT_GROUPS",
    "MAX_CONSTRAINT_LENGTH",
    "Constraint",
    "newest_matching",
    "satisfies",
]

# Masterminds' MaxConstraintLen and MaxConstraintGroups: bounds on untrusted input.
MAX_CONSTRAINT_LENGTH = 512
MAX_CONSTRAINT_GROUPS = 32

# Helm resolves "no version requested" to the newest stable release.
_ANY_RELEASE = "*"

# Whitespace is Go regexp's \s (space, \t, \n, \f, \r); anything else that is not an
# operator or a separator belongs to a version word and is validated there.
_TOKEN = re.compile(
    r"(?P<space>[ \t\n\f\r]+)|(?P<or>\|\|)|(?P<comma>,)|(?P<operator>[=!<>~^]+)"
    r"|(?P<word>[^ \t\n\f\r,|=!<>~^]+)|(?P<other>.)",
    re.DOTALL,
)
_WILDCARDS = frozenset("xX*")
_SEGMENT_CHARS = frozenset("0123456789xX*")


class _Kind(enum.Enum):
    OR = "or"
    COMMA = "comma"
    OPERATOR = "operator"
    WORD = "word"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    text: str
    spaced: bool  # whitespace comes before it


class _Wildcard(enum.Enum):
    """Which part of a constraint's version was a wildcard or left out."""

    NONE = "none"  # 1.2.3
    PATCH = "patch"  # 1.2, 1.2.x
    MINOR = "minor"  # 1, 1.x, 1.x.x
    ALL = "all"  # *, x.x.x


# Indexed by how many leading numbers the version had before the first wildcard.
_WILDCARD_BY_PRECISION = (_Wildcard.ALL, _Wildcard.MINOR, _Wildcard.PATCH, _Wildcard.NONE)

_Predicate = Callable[[semver.Version, semver.Version, _Wildcard], bool]


# The predicates transcribe Masterminds' constraint functions branch for branch (including
# its corner cases such as "!=*" and "<=*"), since the goal is Helm's answers, not npm's.
# Prerelease filtering happens once per AND group in _Group.allows.


def _tilde(v: semver.Version, bound: semver.Version, wildcard: _Wildcard) -> bool:
    if v.compare(bound) < 0:
        return False
    if (bound.major, bound.minor, bound.patch) == (0, 0, 0) and wildcard in (
        _Wildcard.NONE,
        _Wildcard.ALL,
    ):
        return True  # ~0.0.0 and ~* mean ">= 0.0.0"
    if v.major != bound.major:
        return False
    return v.minor == bound.minor or wildcard is _Wildcard.MINOR


def _equal(v: semver.Version, bound: semver.Version, wildcard: _Wildcard) -> bool:
    if wildcard is not _Wildcard.NONE:
        return _tilde(v, bound, wildcard)  # "=1.2" means "1.2.x"
    return v.compare(bound) == 0


def _not_equal(v: semver.Version, bound: semver.Version, wildcard: _Wildcard) -> bool:
    if wildcard is _Wildcard.NONE:
        return v.compare(bound) != 0
    if v.major != bound.major:
        return True
    if wildcard is _Wildcard.MINOR:
        return False
    if v.minor != bound.minor:
        return True
    if wildcard is _Wildcard.PATCH:
        # "!=4.1-alpha" excludes 4.1.x-alpha only; a different prerelease is "not equal".
        return (v.prerelease or "") != (bound.prerelease or "")
    return v.compare(bound) != 0


def _greater(v: semver.Version, bound: semver.Version, wildcard: _Wildcard) -> bool:
    if wildcard is _Wildcard.NONE:
        return v.compare(bound) > 0
    if v.major != bound.major:
        return v.major > bound.major
    if wildcard is _Wildcard.MINOR:
        return False  # >1 needs 2.0.0 or later
    if wildcard is _Wildcard.PATCH:
        return v.minor > bound.minor  # >1.1 needs 1.2.0 or later
    return v.compare(bound) > 0


def _less(v: semver.Version, bound: semver.Version, wildcard: _Wildcard) -> bool:
    return v.compare(bound) < 0


def _greater_equal(v: semver.Version, bound: semver.Version, wildcard: _Wildcard) -> bool:
    return v.compare(bound) >= 0


def _less_equal(v: semver.Version, bound: semver.Version, wildcard: _Wildcard) -> bool:
    if wildcard is _Wildcard.NONE:
        return v.compare(bound) <= 0
    if v.major > bound.major:
        return False
    # <=1.1 admits every 1.1.z; <=1 admits every 1.y.z.
    same_major = v.major == bound.major
    return not (same_major and v.minor > bound.minor and wildcard is not _Wildcard.MINOR)


def _caret(v: semver.Version, bound: semver.Version, wildcard: _Wildcard) -> bool:
    if v.compare(bound) < 0:
        return False
    if bound.major > 0 or wildcard is _Wildcard.MINOR:
        return v.major == bound.major
    if v.major > 0:
        return False
    if bound.minor > 0 or wildcard is _Wildcard.PATCH:
        return v.minor == bound.minor  # ^0.2.3 := >=0.2.3 <0.3.0
    if v.minor > 0:
        return False
    return v.patch == bound.patch  # ^0.0.3 := =0.0.3


_PREDICATES: dict[str, _Predicate] = {
    "": _equal,
    "=": _equal,
    "!=": _not_equal,
    ">": _greater,
    "<": _less,
    ">=": _greater_equal,
    "=>": _greater_equal,
    "<=": _less_equal,
    "=<": _less_equal,
    "~": _tilde,
    "~>": _tilde,
    "^": _caret,
}


@dataclass(frozen=True, slots=True)
class _Term:
    predicate: _Predicate
    bound: semver.Version
    wildcard: _Wildcard

    def allows(self, version: semver.Version) -> bool:
        return self.predicate(version, self.bound, self.wildcard)


@dataclass(frozen=True, slots=True)
class _Group:
    terms: tuple[_Term, ...]
    admits_prereleases: bool  # some term's version has a prerelease

    def allows(self, version: semver.Version) -> bool:
        if version.prerelease and not self.admits_prereleases:
            return False
        return all(term.allows(version) for term in self.terms)


class Constraint:
    """A parsed Helm version constraint such as ``^1.2.0``, ``>=1.0 <2.0 || 3.x`` or ``1 - 2``.

    Build one with ``Constraint.parse``; ``str()`` gives back the original text.
    """

    __slots__ = ("_groups", "_text")

    def __init__(self, text: str, groups: tuple[_Group, ...]) -> None:
        self._text = text
        self._groups = groups

    @classmethod
    def parse(cls, text: str) -> Constraint:
        """Parse ``text`` with Masterminds' grammar; results are cached, so repeats are free.

        Returns the ``Constraint``. Raises ``ConstraintError`` with a one-line message naming
        ``text`` when it is not a valid constraint (an empty string is not one).
        """
        return _parse_cached(text)

    def check(self, version: str | semver.Version) -> bool:
        """Return True when ``version`` satisfies the constraint (Masterminds ``Check``).

        A string is parsed leniently first; raises ``ConstraintError`` if it is not a version.
        """
        if isinstance(version, str):
            version = parse_version(version)
        return any(group.allows(version) for group in self._groups)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Constraint({self._text!r})"


def satisfies(constraint: str, version: str) -> bool:
    """Return True when ``version`` satisfies ``constraint`` (Helm's ``IsCompatibleRange``).

    A ``version`` that cannot be parsed gives False, as in Helm. Raises ``ConstraintError``
    when ``constraint`` cannot be parsed (Helm silently answers False there; a typed error
    tells the user which constraint is wrong).
    """
    parsed = Constraint.parse(constraint)
    try:
        return parsed.check(parse_version(version))
    except ConstraintError:
        return False


def newest_matching(constraint: str, versions: Iterable[str]) -> str | None:
    """Pick a version the way Helm's repository index lookup does.

    Returns the entry equal to ``constraint`` as a string if there is one, otherwise the
    newest entry satisfying it, or None. An empty ``constraint`` means the newest release
    that is not a prerelease. Entries that are not versions are skipped. Raises
    ``ConstraintError`` when a non-empty ``constraint`` cannot be parsed, even if some entry
    equals it, as Helm does.
    """
    parsed = Constraint.parse(constraint or _ANY_RELEASE)
    candidates = list(versions)
    if constraint and constraint in candidates:
        return constraint
    best: str | None = None
    best_version: semver.Version | None = None
    for text in candidates:
        try:
            version = parse_version(text)
        except ConstraintError:
            continue
        if parsed.check(version) and (best_version is None or version.compare(best_version) > 0):
            best, best_version = text, version
    return best


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Constraint:
    # Dependency resolution checks the same few constraints against every index entry.
    return Constraint(text, _parse_groups(text))


def _invalid(text: str, reason: str) -> ConstraintError:
    return ConstraintError(f"invalid version constraint {quote(text)}: {reason}")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    spaced = False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "space":
            spaced = True
            continue
        if kind == "other":
            raise _invalid(text, f"unexpected {match.group()!r} (OR is '||')")
        tokens.append(_Token(_Kind(kind), match.group(), spaced))
        spaced = False
    return tokens


def _parse_groups(text: str) -> tuple[_Group, ...]:
    if len(text) > MAX_CONSTRAINT_LENGTH:
        raise _invalid(text, f"longer than {MAX_CONSTRAINT_LENGTH} characters")
    groups: list[list[_Token]] = [[]]
    for token in _tokenize(text):
        if token.kind is _Kind.OR:
            groups.append([])
        else:
            groups[-1].append(token)
    if len(groups) > MAX_CONSTRAINT_GROUPS:
        raise _invalid(text, f"more than {MAX_CONSTRAINT_GROUPS} '||' alternatives")
    return tuple(_parse_group(text, tokens, after_or=n > 0) for n, tokens in enumerate(groups))


def _is_range(tokens: list[_Token], i: int) -> bool:
    """Whether ``tokens[i:]`` starts with ``VERSION - VERSION``, spaces around the hyphen."""
    return (
        i + 2 < len(tokens)
        and tokens[i].kind is _Kind.WORD
        and tokens[i + 1].kind is _Kind.WORD
        and tokens[i + 1].text == "-"
        and tokens[i + 1].spaced
        and tokens[i + 2].kind is _Kind.WORD
        and tokens[i + 2].spaced
    )


def _parse_group(text: str, tokens: list[_Token], *, after_or: bool) -> _Group:
    if not tokens:
        raise _invalid(text, "empty constraint" if not text.strip() else "empty '||' alternative")
    terms: list[_Term] = []
    previous_was_range: bool | None = None  # None before the first term
    i = 0
    while i < len(tokens):
        token = tokens[i]
        after_comma = False
        if previous_was_range is not None:
            if token.kind is _Kind.COMMA:
                i += 1
                if i == len(tokens):
                    raise _invalid(text, "nothing after ','")
                token, after_comma = tokens[i], True
            elif not token.spaced and not previous_was_range:
                # Masterminds rewrites "A - B" to ">= A, <= B " with a trailing space, so
                # only a hyphen range may be glued to the next term.
                raise _invalid(text, f"missing space or ',' before {token.text!r}")
        if _is_range(tokens, i):
            hyphen_range = f"'{token.text} - {tokens[i + 2].text}'"
            if previous_was_range is None and after_or and not token.spaced:
                # Helm's range regex would swallow the "||" into the range's first version.
                raise _invalid(text, f"put a space after '||' before the range {hyphen_range}")
            if previous_was_range is False and not after_comma:
                # Masterminds' range rewrite swallows the whitespace in front of the range,
                # gluing it to the previous term, so Helm rejects e.g. ">=1 2 - 3".
                raise _invalid(text, f"put ',' before the range {hyphen_range}")
            terms.append(_term(text, ">=", token.text))
            terms.append(_term(text, "<=", tokens[i + 2].text))
            i, previous_was_range = i + 3, True
        elif token.kind is _Kind.OPERATOR:
            if token.text not in _PREDICATES:
                raise _invalid(text, f"unknown operator {token.text!r}")
            if i + 1 == len(tokens) or tokens[i + 1].kind is not _Kind.WORD:
                raise _invalid(text, f"expected a version after {token.text!r}")
            terms.append(_term(text, token.text, tokens[i + 1].text))
            i, previous_was_range = i + 2, False
        elif token.kind is _Kind.WORD and token.text != "-":
            terms.append(_term(text, "", token.text))
            i, previous_was_range = i + 1, False
        elif token.kind is _Kind.WORD:
            raise _invalid(text, "a range needs a version on each side of ' - '")
        else:
            raise _invalid(text, "unexpected ','")
    return _Group(tuple(terms), any(term.bound.prerelease for term in terms))


def _term(text: str, operator: str, word: str) -> _Term:
    bound, wildcard = _parse_bound(text, word)
    return _Term(_PREDICATES[operator], bound, wildcard)


def _parse_bound(text: str, word: str) -> tuple[semver.Version, _Wildcard]:
    """Parse a constraint's version, where numbers may be wildcards or missing."""
    not_a_version = _invalid(text, f"{word!r} is not a version")
    rest = word[1:] if word.startswith("v") else word
    build = prerelease = None
    if "+" in rest:
        rest, build = rest.split("+", 1)
        if not valid_build(build):
            raise not_a_version
    if "-" in rest:
        rest, prerelease = rest.split("-", 1)
        if not valid_prerelease(prerelease):
            raise not_a_version
    segments = rest.split(".")
    if len(segments) > 3 or not all(seg and _SEGMENT_CHARS.issuperset(seg) for seg in segments):
        raise not_a_version
    numbers: list[int] = []
    for segment in segments:
        if segment in _WILDCARDS:
            break  # Masterminds ignores whatever follows the first wildcard
        number = parse_uint64(segment)
        if number is None:
            raise not_a_version
        numbers.append(number)
    wildcard = _WILDCARD_BY_PRECISION[len(numbers)]
    major, minor, patch = numbers + [0] * (3 - len(numbers))
    return semver.Version(major, minor, patch, prerelease, build), wildcard
