""".helmignore: Helm's gitignore-like rules for files left out of a chart (``pkg/ignore``).

One pattern per line; blank lines and ``#`` comments are skipped; surrounding spaces are trimmed.
A leading ``!`` negates, a leading ``/`` anchors the pattern to the chart root, a trailing ``/``
matches directories only, and a pattern without ``/`` is matched against the basename. Globbing
is Go's ``filepath.Match`` (``*`` and ``?`` never cross ``/``; ``[a-z]``, ``[^a]``, ``\\`` escapes);
``**`` is rejected, as Helm rejects it.

Rules are evaluated in order and the first decision wins. Helm's negation is not gitignore's:
a ``!pattern`` rule that does *not* match a path ignores it, one that matches passes the path on
to the following rules. This is kept as is, because charts are written against Helm's behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helmlite.errors import ChartLoadError

__all__ = ["DEFAULT_HELMIGNORE", "HELMIGNORE", "IgnoreRules", "compile_glob"]

HELMIGNORE = ".helmignore"

# What `helm create` writes (observed with Helm v4.3.1, byte for byte).
DEFAULT_HELMIGNORE = """\
# Patterns to ignore when building packages.
# This supports shell glob matching, relative path matching, and
# negation (prefixed with !). Only one pattern per line.
.DS_Store
# Common VCS dirs
.git/
.gitignore
.bzr/
.bzrignore
.hg/
.hgignore
.svn/
# Common backup files
*.swp
*.bak
*.tmp
*.orig
*~
# Various IDEs
.project
.idea/
*.tmproj
.vscode/
"""


def compile_glob(pattern: str) -> re.Pattern[str]:
    """Translate a Go ``filepath.Match`` pattern (separator ``/``) into an anchored regex.

    Returns the compiled regex, to be used with ``fullmatch``. Raises ``ValueError`` for a
    malformed pattern (unclosed ``[``, empty class, trailing ``\\``), where Go returns
    ``ErrBadPattern``.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                raise ValueError("syntax error in pattern: trailing backslash")
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "[":
            regex, i = _compile_class(pattern, i + 1)
            out.append(regex)
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def _compile_class(pattern: str, i: int) -> tuple[str, int]:
    """Compile the character class starting after ``[``; return (regex, index after ``]``)."""
    n = len(pattern)
    negated = i < n and pattern[i] == "^"
    if negated:
        i += 1
    ranges: list[str] = []
    count = 0
    while True:
        if i >= n:
            raise ValueError("syntax error in pattern: unclosed character class")
        if pattern[i] == "]" and count > 0:
            i += 1
            break
        lo, i = _class_char(pattern, i)
        hi = lo
        if i < n and pattern[i] == "-":
            hi, i = _class_char(pattern, i + 1)
        count += 1
        # Go accepts an inverted range and simply never matches it; Python's re would reject it.
        if lo <= hi:
            ranges.append(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}")
    if not ranges:
        return ("." if negated else "(?!)"), i
    return f"[{'^' if negated else ''}{''.join(ranges)}]", i


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    """One (possibly escaped) character of a class; Go's ``getEsc``."""
    if i >= len(pattern) or pattern[i] in "-]":
        raise ValueError("syntax error in pattern: bad character class")
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            raise ValueError("syntax error in pattern: trailing backslash")
    return pattern[i], i + 1


def _go_base(path: str) -> str:
    """Go's ``filepath.Base`` for ``/`` paths: the last element, trailing slashes removed."""
    if path == "":
        return "."
    stripped = path.rstrip("/")
    if stripped == "":
        return "/"
    return stripped.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    negate: bool
    must_dir: bool
    # A pattern without "/" is matched against the basename only (Helm's rule).
    basename_only: bool

    def match(self, path: str) -> bool:
        return self.regex.fullmatch(_go_base(path) if self.basename_only else path) is not None


class IgnoreRules:
    """A parsed .helmignore: an ordered list of rules (see the module docstring)."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []

    @classmethod
    def parse(cls, text: str) -> IgnoreRules:
        """Parse .helmignore text.

        Returns the rules in file order. Raises ``ChartLoadError`` naming the line for a ``**``
        pattern or a malformed glob (Helm refuses both).
        """
        rules = cls()
        # Lines end at "\n" only, as with Go's bufio.Scanner ("\r" is trimmed with the spaces).
        for lineno, line in enumerate(text.split("\n"), start=1):
            try:
                rules.add(line)
            except ValueError as err:
                raise ChartLoadError(f"{HELMIGNORE}: line {lineno}: {err}") from None
        return rules

    def add(self, line: str) -> None:
        """Append one rule line (blank lines and comments are skipped).

        Raises ``ValueError`` for ``**`` or a malformed glob.
        """
        rule = line.strip()
        if not rule or rule.startswith("#"):
            return
        if "**" in rule:
            raise ValueError(f"double-star (**) syntax is not supported: {rule!r}")
        raw = rule
        negate = rule.startswith("!")
        if negate:
            rule = rule[1:]
        must_dir = rule.endswith("/")
        if must_dir:
            rule = rule[:-1]
        anchored = rule.startswith("/")
        if anchored:
            rule = rule[1:]
        try:
            regex = compile_glob(rule)
        except ValueError as err:
            raise ValueError(f"{err}: {raw!r}") from None
        self._rules.append(_Rule(regex, negate, must_dir, basename_only=not anchored and "/" not in rule))

    def __len__(self) -> int:
        return len(self._rules)

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether ``path`` (relative to the chart root, ``/``-separated) is ignored.

        The chart root itself (``""``, ``.``, ``./``) is never ignored.
        """
        if path in ("", ".", "./"):
            return False
        for rule in self._rules:
            if rule.negate:
                if rule.must_dir and not is_dir:
                    return True
                if not rule.match(path):
                    return True
                continue
            if rule.must_dir and not is_dir:
                continue
            if rule.match(path):
                return True
        return False
