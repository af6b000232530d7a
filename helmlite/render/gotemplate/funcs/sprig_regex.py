"""Sprig's regular-expression functions (regex.go, v3.3.0) with Go's RE2 syntax and semantics.

Patterns are parsed with Go's ``regexp/syntax`` rules and re-emitted as Python ``re`` syntax
where every construct is spelled out, because the two dialects disagree in many small ways:

* ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII-only in Go (``\\s`` is ``[\\t\\n\\f\\r ]``);
* ``$`` without ``(?m)`` matches only at the very end (Python's also before a final newline);
* flags ``(?i)``, ``(?m)``, ``(?s)``, ``(?U)`` may appear anywhere and last to the end of the
  group; ``(?U)`` swaps greedy and lazy repetition;
* Go has no look-around, back-references or possessive repetition (they are errors, with
  Go's messages), ``\\z`` is Python's ``\\Z``, ``\\Q…\\E`` quotes, ``x{,3}`` is literal text,
  and a repeat count above 1000 is an error;
* empty matches right after a match are skipped by ``FindAll``/``ReplaceAll``/``Split``.

The plain functions fail on a bad pattern with ``regexp.MustCompile``'s panic text, except
``regexMatch``, which answers false; the ``must…`` ones return the compile error.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from helmlite.gofmt import go_quote
from helmlite.render.gotemplate.funcs.gotypes import StringList
from helmlite.render.gotemplate.funcspec import INT, STRING, FuncError, gofunc

__all__ = ["GoRegexp", "compile_go_regexp"]

_MAX_REPEAT = 1000
_MAX_RUNE = 0x10FFFF
_WORD = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
_DIGIT = [(0x30, 0x39)]
_SPACE = [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)]
_PERL_CLASSES = {"d": _DIGIT, "s": _SPACE, "w": _WORD}
_POSIX_CLASSES = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": _WORD,
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_WORD_CLASS = "[0-9A-Za-z_]"
_WORD_BOUNDARY = f"(?:(?<={_WORD_CLASS})(?!{_WORD_CLASS})|(?<!{_WORD_CLASS})(?={_WORD_CLASS}))"
_NOT_WORD_BOUNDARY = f"(?:(?<={_WORD_CLASS})(?={_WORD_CLASS})|(?<!{_WORD_CLASS})(?!{_WORD_CLASS}))"
_GO_SPECIAL = set("\\.+*?()|[]{}^$")
# Go's repeat syntax: no leading zeros, else the "{" is a literal.
_REPEAT = re.compile(r"\{(0|[1-9][0-9]*)(,(0|[1-9][0-9]*)?)?\}")


class _SyntaxError(Exception):
    """A Go ``regexp/syntax`` error: its code text and the offending part of the pattern."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


@functools.lru_cache(maxsize=64)
def _category_ranges(name: str) -> tuple[tuple[int, int], ...]:
    """Code point ranges of a Unicode general category ("L", "Lu", …), built once."""
    ranges: list[tuple[int, int]] = []
    for code in range(_MAX_RUNE + 1):
        if unicodedata.category(chr(code)).startswith(name):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return tuple(ranges)


_CATEGORIES = frozenset("C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps "
                        "S Sc Sk Sm So Z Zl Zp Zs".split())


def _normalize(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _negate(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result = []
    nxt = 0
    for lo, hi in _normalize(ranges):
        if lo > nxt:
            result.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAX_RUNE:
        result.append((nxt, _MAX_RUNE))
    return result


def _class_char(code: int) -> str:
    ch = chr(code)
    if ch.isascii() and ch.isalnum():
        return ch
    return f"\\U{code:08x}"


def _emit_class(ranges: list[tuple[int, int]], fold: bool, negated: bool = False) -> str:
    """A Python class; negation is left to Python so that, as in Go, it applies after folding."""
    ranges = _normalize(ranges)
    if not ranges:
        # An empty class never matches.
        return "(?!)"
    body = "".join(_class_char(lo) if lo == hi else f"{_class_char(lo)}-{_class_char(hi)}" for lo, hi in ranges)
    text = f"[^{body}]" if negated else f"[{body}]"
    return f"(?i:{text})" if fold else text


@dataclass
class _Flags:
    fold: bool = False
    multiline: bool = False
    dotall: bool = False
    ungreedy: bool = False

    def copy(self) -> _Flags:
        return _Flags(self.fold, self.multiline, self.dotall, self.ungreedy)


@dataclass
class _Parser:
    """Translates one Go pattern; ``names`` maps capture group names to their numbers."""

    src: str
    pos: int = 0
    out: list[str] = field(default_factory=list)
    groups: int = 0
    names: dict[str, int] = field(default_factory=dict)

    def translate(self) -> str:
        self.alternation(_Flags(), top=True)
        return "".join(self.out)

    def alternation(self, flags: _Flags, top: bool = False) -> None:
        """Parse up to the closing parenthesis of the current group (or the end)."""
        # A "(?flags)" changes ``flags`` in place: Go keeps it across "|" until the group ends.
        can_repeat = False  # is there an atom the next repetition operator would apply to?
        last_repeat_start: int | None = None
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if ch == ")":
                if top:
                    raise _SyntaxError("unexpected )", self.src)
                return
            if ch == "|":
                self.pos += 1
                self.out.append("|")
                can_repeat = False
                last_repeat_start = None
                continue
            if ch in "*+?" or (ch == "{" and self.repeat_bounds() is not None):
                start = self.pos
                self.repetition(flags, can_repeat, last_repeat_start)
                last_repeat_start = start
                continue
            last_repeat_start = None
            can_repeat = self.atom(flags)

    def repeat_bounds(self) -> tuple[int, int | None, int] | None:
        """Parse ``{n}``, ``{n,}`` or ``{n,m}`` at pos: (min, max or None, end); None if literal."""
        m = _REPEAT.match(self.src, self.pos)
        if not m:
            return None
        lo = int(m.group(1))
        hi: int | None = lo
        if m.group(2):
            hi = int(m.group(3)) if m.group(3) else None
        return lo, hi, m.end()

    def repetition(self, flags: _Flags, can_repeat: bool, last_start: int | None) -> None:
        start = self.pos
        ch = self.src[start]
        if ch == "{":
            bounds = self.repeat_bounds()
            assert bounds is not None
            lo, hi, end = bounds
            if lo > _MAX_REPEAT or (hi is not None and (hi > _MAX_REPEAT or lo > hi)):
                raise _SyntaxError("invalid repeat count", self.src[start:end])
            op = f"{{{lo},{'' if hi is None else hi}}}" if hi != lo else f"{{{lo}}}"
            self.pos = end
        else:
            op = ch
            self.pos += 1
        lazy = self.pos < len(self.src) and self.src[self.pos] == "?"
        if lazy:
            self.pos += 1
        if last_start is not None:
            raise _SyntaxError("invalid nested repetition operator", self.src[last_start:self.pos])
        if not can_repeat:
            raise _SyntaxError("missing argument to repetition operator", self.src[start:self.pos])
        if lazy != flags.ungreedy:
            op += "?"
        self.out.append(op)

    def atom(self, flags: _Flags) -> bool:
        """Emit one atom at pos; returns whether a repetition may follow it."""
        ch = self.src[self.pos]
        if ch == "(":
            return self.group(flags)
        if ch == "[":
            ranges, negated = self.char_class()
            self.out.append(_emit_class(ranges, flags.fold, negated))
            return True
        self.pos += 1
        if ch == ".":
            self.out.append("(?s:.)" if flags.dotall else "[^\\n]")
        elif ch == "^":
            self.out.append("(?m:^)" if flags.multiline else "(?:\\A)")
        elif ch == "$":
            self.out.append("(?m:$)" if flags.multiline else "(?:\\Z)")
        elif ch == "\\":
            self.escape(flags)
        else:
            self.literal(ord(ch), flags)
        return True

    def literal(self, code: int, flags: _Flags) -> None:
        text = re.escape(chr(code)) if code >= 0x20 else f"\\x{code:02x}"
        self.out.append(f"(?i:{text})" if flags.fold and chr(code).lower() != chr(code).upper() else text)

    def escape(self, flags: _Flags) -> None:
        """Emit the escape after a backslash (pos is just past the backslash)."""
        if self.pos >= len(self.src):
            raise _SyntaxError("trailing backslash at end of expression", "")
        ch = self.src[self.pos]
        simple = {"A": "(?:\\A)", "z": "(?:\\Z)", "b": _WORD_BOUNDARY, "B": _NOT_WORD_BOUNDARY}
        if ch in simple:
            self.pos += 1
            self.out.append(simple[ch])
            return
        if ch == "Q":
            end = self.src.find("\\E", self.pos + 1)
            text = self.src[self.pos + 1:] if end < 0 else self.src[self.pos + 1:end]
            self.pos = len(self.src) if end < 0 else end + 2
            for c in text:
                self.literal(ord(c), flags)
            return
        ranges = self.class_escape()
        if ranges is not None:
            self.out.append(_emit_class(ranges, False))
            return
        self.literal(self.char_escape(), flags)

    def class_escape(self) -> list[tuple[int, int]] | None:
        """``\\d``, ``\\S``, ``\\pL``…: ranges, or None when the escape is not a class."""
        ch = self.src[self.pos]
        if ch.lower() in _PERL_CLASSES:
            self.pos += 1
            ranges = list(_PERL_CLASSES[ch.lower()])
            return _negate(ranges) if ch.isupper() else ranges
        if ch in "pP":
            start = self.pos - 1
            self.pos += 1
            if self.pos >= len(self.src):
                raise _SyntaxError("invalid character class range", self.src[start:])
            if self.src[self.pos] == "{":
                end = self.src.find("}", self.pos)
                if end < 0:
                    raise _SyntaxError("invalid character class range", self.src[start:])
                name = self.src[self.pos + 1:end]
                self.pos = end + 1
            else:
                name = self.src[self.pos]
                self.pos += 1
            negated = ch == "P"
            if name.startswith("^"):
                negated, name = not negated, name[1:]
            if name == "Any":
                ranges = [(0, _MAX_RUNE)]
            elif name in _CATEGORIES:
                ranges = list(_category_ranges(name))
            else:
                raise _SyntaxError("invalid character class range", self.src[start:self.pos])
            return _negate(ranges) if negated else ranges
        return None

    def char_escape(self) -> int:
        """A single-character escape at pos (just past the backslash): its code point."""
        start = self.pos - 1
        ch = self.src[self.pos]
        self.pos += 1
        if "1" <= ch <= "7" and not (self.pos < len(self.src) and "0" <= self.src[self.pos] <= "7"):
            raise _SyntaxError("invalid escape sequence", self.src[start:self.pos])
        if "0" <= ch <= "7":
            digits = ch
            while len(digits) < 3 and self.pos < len(self.src) and "0" <= self.src[self.pos] <= "7":
                digits += self.src[self.pos]
                self.pos += 1
            return int(digits, 8)
        if ch == "x":
            if self.pos < len(self.src) and self.src[self.pos] == "{":
                self.pos += 1
                value = count = 0
                while self.pos < len(self.src):
                    c = self.src[self.pos]
                    self.pos += 1
                    if c == "}" and count:
                        return value
                    if c not in "0123456789abcdefABCDEF":
                        break
                    value, count = value * 16 + int(c, 16), count + 1
                    if value > _MAX_RUNE:
                        break
                raise _SyntaxError("invalid escape sequence", self.src[start:self.pos])
            digits = self.src[self.pos:self.pos + 2]
            if len(digits) < 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _SyntaxError("invalid escape sequence", self.src[start:self.pos + len(digits)])
            self.pos += 2
            return int(digits, 16)
        named = {"a": 7, "f": 12, "t": 9, "n": 10, "r": 13, "v": 11}
        if ch in named:
            return named[ch]
        if ch < "\x80" and not ch.isalnum():
            return ord(ch)
        raise _SyntaxError("invalid escape sequence", self.src[start:self.pos])

    def char_class(self) -> tuple[list[tuple[int, int]], bool]:
        start = self.pos
        self.pos += 1
        negated = self.pos < len(self.src) and self.src[self.pos] == "^"
        if negated:
            self.pos += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            if self.pos >= len(self.src):
                raise _SyntaxError("missing closing ]", self.src[start:])
            ch = self.src[self.pos]
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            if ch == "[" and self.src.startswith("[:", self.pos):
                end = self.src.find(":]", self.pos + 2)
                if end >= 0:
                    name = self.src[self.pos + 2:end]
                    posix_negated = name.startswith("^")
                    posix = _POSIX_CLASSES.get(name.lstrip("^"))
                    if posix is None:
                        raise _SyntaxError("invalid character class range", self.src[self.pos:end + 2])
                    ranges += _negate(posix) if posix_negated else posix
                    self.pos = end + 2
                    continue
            if ch == "\\":
                self.pos += 1
                if self.pos >= len(self.src):
                    raise _SyntaxError("trailing backslash at end of expression", "")
                escaped = self.class_escape()
                if escaped is not None:
                    ranges += escaped
                    continue
                self.pos -= 1
            range_start = self.pos
            lo = self.class_char()
            hi = lo
            if self.src.startswith("-", self.pos) and self.pos + 1 < len(self.src) and self.src[self.pos + 1] != "]":
                self.pos += 1
                hi = self.class_char()
                if hi < lo:
                    raise _SyntaxError("invalid character class range", self.src[range_start:self.pos])
            ranges.append((lo, hi))
        return ranges, negated

    def class_char(self) -> int:
        if self.pos >= len(self.src):
            raise _SyntaxError("missing closing ]", self.src)
        ch = self.src[self.pos]
        self.pos += 1
        if ch == "\\":
            if self.pos >= len(self.src):
                raise _SyntaxError("trailing backslash at end of expression", "")
            return self.char_escape()
        return ord(ch)

    def group(self, flags: _Flags) -> bool:
        """Emit a group; False for a bare ``(?flags)``, which leaves nothing to repeat."""
        start = self.pos
        self.pos += 1
        inner = flags.copy()
        if self.src.startswith("?", self.pos):
            rest = self.src[self.pos:]
            name_match = re.match(r"\?P?<", rest)
            if name_match:
                end = self.src.find(">", self.pos)
                if end < 0:
                    raise _SyntaxError("invalid named capture", self.src[start:])
                name = self.src[self.pos + name_match.end():end]
                if not name or not all(c == "_" or (c.isascii() and c.isalnum()) for c in name):
                    raise _SyntaxError("invalid named capture", self.src[start:end + 1])
                self.pos = end + 1
                self.groups += 1
                # A repeated name refers to its leftmost group.
                self.names.setdefault(name, self.groups)
                self.out.append("(")
            else:
                self.pos += 1
                if self.apply_flags(inner, start):
                    # "(?flags)": changes the flags of the enclosing group from here on.
                    flags.fold, flags.multiline = inner.fold, inner.multiline
                    flags.dotall, flags.ungreedy = inner.dotall, inner.ungreedy
                    return False
                self.out.append("(?:")
        else:
            self.groups += 1
            self.out.append("(")
        self.alternation(inner)
        if self.pos >= len(self.src):
            raise _SyntaxError("missing closing )", self.src)
        self.pos += 1
        self.out.append(")")
        return True

    def apply_flags(self, flags: _Flags, start: int) -> bool:
        """Parse ``imsU-imsU`` then ``)`` (True: flags only) or ``:`` (False: a group follows)."""
        sign = True
        seen_minus = False
        saw_flag = False
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            self.pos += 1
            if ch in "imsU":
                setattr(flags, {"i": "fold", "m": "multiline", "s": "dotall", "U": "ungreedy"}[ch], sign)
                saw_flag = True
            elif ch == "-" and not seen_minus:
                sign, seen_minus, saw_flag = False, True, False
            elif ch in ":)" and not (seen_minus and not saw_flag):
                return ch == ")"
            else:
                break
        raise _SyntaxError("invalid or unsupported Perl syntax", self.src[start:self.pos])


@dataclass(frozen=True)
class GoRegexp:
    """A compiled Go regexp: the Python pattern plus Go's group names."""

    pattern: re.Pattern[str]
    names: dict[str, int]

    def find_all(self, s: str, n: int) -> list[re.Match[str]]:
        """Go's ``allMatches``: at most n (all if n < 0), no empty match right after a match."""
        matches: list[re.Match[str]] = []
        pos = 0
        prev_end = -1
        while (n < 0 or len(matches) < n) and pos <= len(s):
            m = self.pattern.search(s, pos)
            if m is None:
                break
            accept = True
            if m.end() == pos:
                if m.start() == prev_end:
                    accept = False
                pos += 1
            else:
                pos = m.end()
            prev_end = m.end()
            if accept:
                matches.append(m)
        return matches

    def replace_all(self, s: str, repl: Callable[[re.Match[str]], str]) -> str:
        """Go's ``replaceAll``: no replacement for an empty match right after a match."""
        out = []
        last_end = 0
        search = 0
        while search <= len(s):
            m = self.pattern.search(s, search)
            if m is None:
                break
            out.append(s[last_end:m.start()])
            if m.end() > last_end or m.start() == 0:
                out.append(repl(m))
            last_end = m.end()
            search = search + 1 if search + 1 > m.end() else m.end()
        out.append(s[last_end:])
        return "".join(out)

    def expand(self, template: str, m: re.Match[str]) -> str:
        """Go's ``Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``; unknown is empty."""
        out = []
        i = 0
        while i < len(template):
            j = template.find("$", i)
            if j < 0:
                out.append(template[i:])
                break
            out.append(template[i:j])
            rest = template[j + 1:]
            if rest.startswith("$"):
                out.append("$")
                i = j + 2
                continue
            ref = re.match(r"\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+)", rest)
            if not ref:
                out.append("$")
                i = j + 1
                continue
            name = ref.group(1) or ref.group(2)
            i = j + 1 + ref.end()
            if name.isdigit() and not (name[0] == "0" and len(name) > 1):
                index = int(name)
            else:
                index = self.names.get(name, -1)
            if 0 <= index <= self.pattern.groups:
                out.append(m.group(index) or "")
        return "".join(out)

    def split(self, s: str, n: int) -> list[str]:
        """Go's ``Regexp.Split``."""
        if n == 0:
            return []
        if self.pattern.pattern and s == "":
            return [""]
        parts: list[str] = []
        begin = end = 0
        for m in self.find_all(s, n):
            if n > 0 and len(parts) == n - 1:
                break
            end = m.start()
            if m.end() != 0:
                parts.append(s[begin:end])
            begin = m.end()
        if end != len(s):
            parts.append(s[begin:])
        return parts


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> GoRegexp | str:
    try:
        parser = _Parser(pattern)
        translated = parser.translate()
    except _SyntaxError as error:
        return str(error)
    return GoRegexp(re.compile(translated), parser.names)


def compile_go_regexp(pattern: str) -> GoRegexp:
    """``regexp.Compile``; raises FuncError with Go's message for a bad pattern."""
    compiled = _compile(pattern)
    if isinstance(compiled, str):
        raise FuncError(compiled)
    return compiled


def _must_compile(pattern: str) -> GoRegexp:
    """``regexp.MustCompile``: its panic text names the pattern."""
    compiled = _compile(pattern)
    if isinstance(compiled, str):
        quoted = f"`{pattern}`" if "`" not in pattern and pattern.isprintable() else go_quote(pattern)
        raise FuncError(f"regexp: Compile({quoted}): {compiled}")
    return compiled


def _register(name: str, fn: Callable[..., Any], *params: Any) -> None:
    """Register the panicking function and its error-returning ``must`` twin."""
    gofunc(name, *params)(lambda regex, *args: fn(_must_compile(regex), *args))
    must = "must" + name[0].upper() + name[1:]
    gofunc(must, *params, returns_error=True)(lambda regex, *args: fn(compile_go_regexp(regex), *args))


@gofunc("regexMatch", STRING, STRING)
def regex_match(regex: str, s: str) -> bool:
    compiled = _compile(regex)
    return not isinstance(compiled, str) and compiled.pattern.search(s) is not None


@gofunc("mustRegexMatch", STRING, STRING, returns_error=True)
def must_regex_match(regex: str, s: str) -> bool:
    return compile_go_regexp(regex).pattern.search(s) is not None


def _find_all(compiled: GoRegexp, s: str, n: int) -> list[str]:
    return StringList(m.group(0) for m in compiled.find_all(s, n))


def _find(compiled: GoRegexp, s: str) -> str:
    m = compiled.pattern.search(s)
    return m.group(0) if m else ""


def _replace_all(compiled: GoRegexp, s: str, repl: str) -> str:
    return compiled.replace_all(s, lambda m: compiled.expand(repl, m))


def _replace_all_literal(compiled: GoRegexp, s: str, repl: str) -> str:
    return compiled.replace_all(s, lambda m: repl)


def _split(compiled: GoRegexp, s: str, n: int) -> list[str]:
    return StringList(compiled.split(s, n))


_register("regexFindAll", _find_all, STRING, STRING, INT)
_register("regexFind", _find, STRING, STRING)
_register("regexReplaceAll", _replace_all, STRING, STRING, STRING)
_register("regexReplaceAllLiteral", _replace_all_literal, STRING, STRING, STRING)
_register("regexSplit", _split, STRING, STRING, INT)


@gofunc("regexQuoteMeta", STRING)
def regex_quote_meta(s: str) -> str:
    return "".join("\\" + c if c in _GO_SPECIAL else c for c in s)
