"""Sprig's string functions (strings.go and the string entries of functions.go, v3.3.0).

Go strings are bytes: ``trunc``, ``substr``, ``abbrev`` and ``wrap`` count UTF-8 bytes, and
goutils' ``nospace``/``initials`` even walk the string byte by byte. Python strings here carry
bytes that are not UTF-8 as lone surrogates (``surrogateescape``), so cutting a character in
half round-trips to the same bytes Go would print. Case mapping follows Go's simple
(one-rune) Unicode mappings, not Python's full ones (``upper "ß"`` stays ``ß``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from helmlite.gofmt import fmt_value, go_quote, is_nil
from helmlite.render.gotemplate.funcs.gotypes import StringList, StringMap, is_go_slice
from helmlite.render.gotemplate.funcspec import ANY, INT, STRING, FuncError, gofunc

__all__ = ["strval", "strslice", "go_bytes", "from_go_bytes"]

_LATIN1_SPACE = frozenset("\t\n\v\f\r \x85\xa0")
_OTHER_SPACE = frozenset("\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                         "\u2028\u2029\u202f\u205f\u3000")
_GO_SPACE = "".join(sorted(_LATIN1_SPACE | _OTHER_SPACE))
_RAW_BYTE = re.compile("[\udc80-\udcff]")
# Go's simple lowercase mapping where Python's full mapping has more than one character.
_SIMPLE_LOWER = {"\u0130": "i"}


def go_bytes(s: str) -> bytes:
    """The bytes of a Go string (raw non-UTF-8 bytes travel as surrogateescape characters)."""
    return s.encode("utf-8", "surrogateescape")


def from_go_bytes(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _slice_bytes(s: str, start: int | None, end: int | None) -> str:
    """Go's ``s[start:end]`` (byte offsets), with Go's panic text when out of range."""
    data = s if s.isascii() else go_bytes(s)
    length = len(data)
    lo = 0 if start is None else start
    hi = length if end is None else end
    if hi < 0:
        raise FuncError(f"runtime error: slice bounds out of range [:{hi}]")
    if hi > length:
        raise FuncError(f"runtime error: slice bounds out of range [:{hi}] with length {length}")
    if lo < 0 or lo > hi:
        raise FuncError(f"runtime error: slice bounds out of range [{lo}:{hi}]")
    piece = data[lo:hi]
    return piece if isinstance(piece, str) else from_go_bytes(piece)


def _byte_len(s: str) -> int:
    return len(s) if s.isascii() else len(go_bytes(s))


def _is_space(ch: str) -> bool:
    """``unicode.IsSpace`` (Python's ``isspace`` also accepts the separators U+001C-U+001F)."""
    return ch in _LATIN1_SPACE or ch in _OTHER_SPACE


def _runes(s: str) -> str:
    # Go's []rune(s) turns each byte that is not UTF-8 into U+FFFD.
    return _RAW_BYTE.sub("\ufffd", s)


def _simple_case(ch: str, mapped: str) -> str:
    return mapped if len(mapped) == 1 else ch


def _rune_upper(ch: str) -> str:
    return _simple_case(ch, ch.upper())


def _rune_lower(ch: str) -> str:
    return _SIMPLE_LOWER.get(ch) or _simple_case(ch, ch.lower())


def _rune_title(ch: str) -> str:
    return _simple_case(ch, ch.title())


def _is_upper(ch: str) -> bool:
    return unicodedata.category(ch) == "Lu"


def go_upper(s: str) -> str:
    """``strings.ToUpper``."""
    if s.isascii():
        return s.upper()
    return "".join(_rune_upper(ch) for ch in _runes(s))


def go_lower(s: str) -> str:
    """``strings.ToLower``."""
    if s.isascii():
        return s.lower()
    return "".join(_rune_lower(ch) for ch in _runes(s))


def strval(v: Any) -> str:
    """Sprig's ``strval``: strings as they are, ``[]byte`` as text, anything else as ``%v``."""
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return from_go_bytes(bytes(v))
    return fmt_value(v)


def strslice(v: Any) -> list[str]:
    """Sprig's ``strslice``: a list's non-nil elements as strings; a scalar as a one-item list."""
    if isinstance(v, StringList):
        return v
    if is_go_slice(v):
        return StringList(strval(item) for item in v if not is_nil(item))
    if is_nil(v):
        return StringList()
    return StringList([strval(v)])


def _repeat(s: str, count: int) -> str:
    """``strings.Repeat`` with its panic for a negative count."""
    if count < 0:
        raise FuncError("strings: negative Repeat count")
    return s * count


@gofunc("hello")
def hello() -> str:
    return "Hello!"


@gofunc("trim", STRING)
def trim(s: str) -> str:
    return s.strip(_GO_SPACE)


def _trim_all(cutset: str, s: str) -> str:
    return s.strip(cutset) if cutset else s


gofunc("trimAll", STRING, STRING)(_trim_all)
gofunc("trimall", STRING, STRING)(_trim_all)


@gofunc("trimPrefix", STRING, STRING)
def trim_prefix(prefix: str, s: str) -> str:
    return s.removeprefix(prefix)


@gofunc("trimSuffix", STRING, STRING)
def trim_suffix(suffix: str, s: str) -> str:
    return s.removesuffix(suffix)


gofunc("upper", STRING)(go_upper)
gofunc("lower", STRING)(go_lower)


def _is_title_separator(ch: str) -> bool:
    if ch <= "\x7f":
        return not (ch.isascii() and (ch.isalnum() or ch == "_"))
    category = unicodedata.category(ch)
    if category[0] == "L" or category == "Nd":
        return False
    return _is_space(ch)


@gofunc("title", STRING)
def title(s: str) -> str:
    """``strings.Title``: upper-cases the first letter after any non-letter, ``_`` excepted."""
    out = []
    prev = " "
    for ch in _runes(s):
        out.append(_rune_title(ch) if _is_title_separator(prev) else ch)
        prev = ch
    return "".join(out)


@gofunc("untitle", STRING)
def untitle(s: str) -> str:
    out = []
    lower_next = True
    for ch in _runes(s):
        if _is_space(ch):
            lower_next = True
            out.append(ch)
        elif lower_next:
            out.append(_rune_lower(ch))
            lower_next = False
        else:
            out.append(ch)
    return "".join(out)


@gofunc("substr", INT, INT, STRING)
def substr(start: int, end: int, s: str) -> str:
    if start < 0:
        return _slice_bytes(s, None, end)
    if end < 0 or end > _byte_len(s):
        return _slice_bytes(s, start, None)
    return _slice_bytes(s, start, end)


@gofunc("repeat", INT, STRING)
def repeat(count: int, s: str) -> str:
    return _repeat(s, count)


@gofunc("nospace", STRING)
def nospace(s: str) -> str:
    """goutils ``DeleteWhiteSpace``: walks bytes, so a multi-byte character is re-encoded
    byte by byte (as Latin-1 runes) whenever the string holds any white space."""
    data = go_bytes(s)
    kept = [chr(b) for b in data if not _is_space(chr(b))]
    if len(kept) == len(data):
        return s
    return "".join(kept)


@gofunc("trunc", INT, STRING)
def trunc(c: int, s: str) -> str:
    length = _byte_len(s)
    if c < 0 and length + c > 0:
        return _slice_bytes(s, length + c, None)
    if c >= 0 and length > c:
        return _slice_bytes(s, None, c)
    return s


def _abbreviate(s: str, offset: int, width: int) -> str | None:
    """goutils ``AbbreviateFull``; None stands for its error (which Sprig turns into "")."""
    if s == "":
        return ""
    if width < 4:
        return None
    length = _byte_len(s)
    if length <= width:
        return s
    offset = min(offset, length)
    if length - offset < width - 3:
        offset = length - (width - 3)
    if offset <= 4:
        return _slice_bytes(s, 0, width - 3) + "..."
    if width < 7:
        return None
    if offset + width - 3 < length:
        rest = _abbreviate(_slice_bytes(s, offset, None), 0, width - 3)
        return "..." + (rest or "")
    return "..." + _slice_bytes(s, length - (width - 3), None)


@gofunc("abbrev", INT, STRING)
def abbrev(width: int, s: str) -> str:
    if width < 4:
        return s
    return _abbreviate(s, 0, width) or ""


@gofunc("abbrevboth", INT, INT, STRING)
def abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    return _abbreviate(s, left, right) or ""


@gofunc("initials", STRING)
def initials(s: str) -> str:
    # goutils walks bytes and writes each first byte back as a rune.
    out = []
    last_was_gap = True
    for b in go_bytes(s):
        ch = chr(b)
        if _is_space(ch):
            last_was_gap = True
        elif last_was_gap:
            out.append(ch)
            last_was_gap = False
    return "".join(out)


@gofunc("swapcase", STRING)
def swapcase(s: str) -> str:
    """goutils ``SwapCase``: a lower-case letter at the start of a word becomes title case."""
    out = []
    whitespace = True
    for ch in _runes(s):
        category = unicodedata.category(ch)
        if category in ("Lu", "Lt"):
            out.append(_rune_lower(ch))
            whitespace = False
        elif category == "Ll":
            out.append(_rune_title(ch) if whitespace else _rune_upper(ch))
            whitespace = False
        else:
            out.append(ch)
            whitespace = _is_space(ch)
    return "".join(out)


@gofunc("shuffle", STRING)
def shuffle(s: str) -> str:
    import random  # here: every render registers shuffle, few charts call it

    runes = list(_runes(s))
    random.shuffle(runes)
    return "".join(runes)


# xstrings v1.5.0: word splitting shared by snakecase and kebabcase.
_INVALID, _NUMBER, _UPPER, _ALPHABET, _CONNECTOR, _PUNCT, _OTHER = range(7)


def _is_connector(ch: str) -> bool:
    return ch in "-_" or _is_space(ch)


def _is_alphabet(ch: str) -> bool:
    """A letter that is not a CJK ideograph."""
    if unicodedata.category(ch)[0] != "L":
        return False
    code = ord(ch)
    if code < 0x3400:
        return True
    return not (0x4E00 <= code <= 0x9FCC or 0x3400 <= code <= 0x4D85 or 0x20000 <= code <= 0x2B81D)


def _is_number(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "N"


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "P"


def _run(s: str, i: int, keep: Callable[[str], bool]) -> int:
    while i < len(s) and keep(s[i]):
        i += 1
    return i


def _next_word(s: str) -> tuple[int, str, str]:
    if not s:
        return _INVALID, "", ""
    r = s[0]
    if r == "\ufffd":
        return _INVALID, r, s[1:]
    if _is_connector(r):
        end, kind = _run(s, 1, _is_connector), _CONNECTOR
    elif _is_punct(r):
        end, kind = _run(s, 1, _is_punct), _PUNCT
    elif _is_upper(r):
        kind, end = _UPPER, 1
        if end < len(s):
            if _is_upper(s[1]):
                end = _run(s, 1, _is_upper)
                # "HTTPStatus" splits as "HTTP" + "Status": the last capital starts a word.
                if end < len(s) and _is_alphabet(s[end]):
                    end -= 1
            elif _is_alphabet(s[1]):
                end = _run(s, 1, _is_lower_alphabet)
    elif _is_alphabet(r):
        end, kind = _run(s, 1, _is_lower_alphabet), _ALPHABET
    elif _is_number(r):
        end, kind = _run(s, 1, _is_number), _NUMBER
    else:
        end, kind = _run(s, 1, _is_other), _OTHER
    return kind, s[:end], s[end:]


def _is_lower_alphabet(ch: str) -> bool:
    return _is_alphabet(ch) and not _is_upper(ch)


def _is_other(ch: str) -> bool:
    return not (_is_connector(ch) or _is_alphabet(ch) or _is_number(ch) or _is_punct(ch))


def _word_lower(out: list[str], kind: int, word: str, connector: str) -> None:
    if kind not in (_UPPER, _CONNECTOR):
        out.append(word)
        return
    for ch in word:
        if _is_connector(ch):
            out.append(connector)
        elif _is_upper(ch):
            out.append(_rune_lower(ch))
        else:
            out.append(ch)


def _camel_to_lower(s: str, connector: str) -> str:
    """xstrings ``camelCaseToLowerCase``, kept statement for statement."""
    if not s:
        return ""
    out: list[str] = []
    kind, word, remaining = _next_word(_runes(s))
    while remaining:
        if kind != _CONNECTOR:
            _word_lower(out, kind, word, connector)
        prev, last = kind, word
        kind, word, remaining = _next_word(remaining)
        if prev == _NUMBER:
            while kind in (_ALPHABET, _NUMBER):
                _word_lower(out, kind, word, connector)
                kind, word, remaining = _next_word(remaining)
            if kind not in (_INVALID, _PUNCT, _CONNECTOR):
                out.append(connector)
        elif prev == _CONNECTOR:
            _word_lower(out, prev, last, connector)
        elif prev != _PUNCT:
            if kind != _NUMBER:
                if kind not in (_CONNECTOR, _PUNCT):
                    out.append(connector)
                continue
            if not remaining:
                continue
            last = word
            kind, word, remaining = _next_word(remaining)
            if kind != _ALPHABET:
                _word_lower(out, _NUMBER, last, connector)
                if kind not in (_CONNECTOR, _PUNCT):
                    out.append(connector)
                continue
            out.append(connector)
            _word_lower(out, _NUMBER, last, connector)
            while kind in (_ALPHABET, _NUMBER):
                _word_lower(out, kind, word, connector)
                kind, word, remaining = _next_word(remaining)
            if kind not in (_INVALID, _CONNECTOR, _PUNCT):
                out.append(connector)
    _word_lower(out, kind, word, connector)
    return "".join(out)


@gofunc("snakecase", STRING)
def snakecase(s: str) -> str:
    return _camel_to_lower(s, "_")


@gofunc("kebabcase", STRING)
def kebabcase(s: str) -> str:
    return _camel_to_lower(s, "-")


@gofunc("camelcase", STRING)
def camelcase(s: str) -> str:
    """xstrings ``ToPascalCase`` (Sprig v3.3.0 maps ``camelcase`` to it)."""
    if not s:
        return ""
    chars = _runes(s)
    out = []
    i = 0
    while i < len(chars) and _is_connector(chars[i]):
        out.append(chars[i])
        i += 1
    if i == len(chars):
        # xstrings writes the last connector a second time ("__" gives "___").
        return "".join(out) + chars[-1]
    first_upper = _is_upper(chars[i])
    r0 = _rune_upper(chars[i])
    i += 1
    if i == len(chars):
        return "".join(out) + r0
    while i < len(chars):
        r1, r0 = r0, chars[i]
        i += 1
        if _is_connector(r0) and _is_connector(r1):
            out.append(r1)
            continue
        if _is_connector(r1):
            first_upper = _is_upper(r0)
            r0 = _rune_upper(r0)
        else:
            if first_upper:
                if _is_upper(r0):
                    r0 = _rune_lower(r0)
                else:
                    first_upper = False
            out.append(r1)
    out.append(r0)
    return "".join(out)


def _wrap(s: str, width: int, newline: str, wrap_long_words: bool) -> str:
    """goutils ``WrapCustom`` (byte offsets, words split at ' ' only)."""
    if s == "":
        return ""
    if newline == "":
        newline = "\n"
    width = max(width, 1)
    data = go_bytes(s)
    length = len(data)
    offset = 0
    out = bytearray()
    nl = go_bytes(newline)
    while length - offset > width:
        if data[offset] == 0x20:
            offset += 1
            continue
        space = data.rfind(b" ", offset, width + offset + 1)
        if space >= offset:
            out += data[offset:space] + nl
            offset = space + 1
        elif wrap_long_words:
            out += data[offset:offset + width] + nl
            offset += width
        else:
            space = data.find(b" ", width + offset)
            if space >= 0:
                out += data[offset:space] + nl
                offset = space + 1
            else:
                out += data[offset:]
                offset = length
    out += data[offset:]
    return from_go_bytes(bytes(out))


@gofunc("wrap", INT, STRING)
def wrap(width: int, s: str) -> str:
    return _wrap(s, width, "", False)


@gofunc("wrapWith", INT, STRING, STRING)
def wrap_with(width: int, sep: str, s: str) -> str:
    return _wrap(s, width, sep, True)


@gofunc("contains", STRING, STRING)
def contains(substr: str, s: str) -> bool:
    return substr in s


@gofunc("hasPrefix", STRING, STRING)
def has_prefix(prefix: str, s: str) -> bool:
    return s.startswith(prefix)


@gofunc("hasSuffix", STRING, STRING)
def has_suffix(suffix: str, s: str) -> bool:
    return s.endswith(suffix)


@gofunc("quote", variadic=ANY)
def quote(*values: Any) -> str:
    return " ".join(go_quote(strval(v)) for v in values if not is_nil(v))


@gofunc("squote", variadic=ANY)
def squote(*values: Any) -> str:
    return " ".join(f"'{fmt_value(v)}'" for v in values if not is_nil(v))


@gofunc("cat", variadic=ANY)
def cat(*values: Any) -> str:
    return " ".join(fmt_value(v) for v in values if not is_nil(v))


@gofunc("indent", INT, STRING)
def indent(spaces: int, s: str) -> str:
    pad = _repeat(" ", spaces)
    return pad + s.replace("\n", "\n" + pad)


@gofunc("nindent", INT, STRING)
def nindent(spaces: int, s: str) -> str:
    return "\n" + indent(spaces, s)


@gofunc("replace", STRING, STRING, STRING)
def replace(old: str, new: str, src: str) -> str:
    return src.replace(old, new)


@gofunc("plural", STRING, STRING, INT)
def plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


gofunc("toString", ANY)(strval)
gofunc("toStrings", ANY)(strslice)


def _split(s: str, sep: str, n: int = -1) -> list[str]:
    """``strings.SplitN`` (``strings.Split`` when n < 0)."""
    if n == 0:
        return []
    if sep == "":
        runes = list(s)
        if 0 < n < len(runes):
            return runes[:n - 1] + ["".join(runes[n - 1:])]
        return runes
    return s.split(sep, n - 1 if n > 0 else -1)


@gofunc("split", STRING, STRING)
def split(sep: str, orig: str) -> dict[str, str]:
    return StringMap((f"_{i}", part) for i, part in enumerate(_split(orig, sep)))


@gofunc("splitn", STRING, INT, STRING)
def splitn(sep: str, n: int, orig: str) -> dict[str, str]:
    return StringMap((f"_{i}", part) for i, part in enumerate(_split(orig, sep, n)))


@gofunc("splitList", STRING, STRING)
def split_list(sep: str, orig: str) -> list[str]:
    return StringList(_split(orig, sep))


@gofunc("join", STRING, ANY)
def join(sep: str, v: Any) -> str:
    return sep.join(strslice(v))
