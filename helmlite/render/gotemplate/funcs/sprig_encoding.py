"""Sprig's encoding, path and URL functions (strings.go, functions.go, url.go; v3.3.0).

``b64dec``/``b32dec`` do not fail: on bad input they return Go's error text (``illegal base64
data at input byte 4``) as the decoded string, so the decoders here are ports of Go's, which
locate the bad byte exactly. Paths are Go's ``path`` package (``filepath`` on Linux is the
same). ``urlParse``/``urlJoin`` follow ``net/url``: the dict's ``path`` and ``fragment`` are
unescaped, ``userinfo`` re-escaped, and ``urlJoin`` escapes as ``url.URL.String()`` does.
"""

from __future__ import annotations

import base64
from typing import Any

from helmlite.gofmt import go_kind, go_quote, is_nil
from helmlite.render.gotemplate.funcs.sprig_strings import from_go_bytes, go_bytes
from helmlite.render.gotemplate.funcspec import DICT, STRING, FuncError, gofunc

__all__ = ["CorruptInputError", "go_b64decode"]

_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B32_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B64_INDEX = {c: i for i, c in enumerate(_B64_ALPHABET)}
_B32_INDEX = {c: i for i, c in enumerate(_B32_ALPHABET)}
_PAD = ord("=")
_NEWLINES = (ord("\n"), ord("\r"))


class CorruptInputError(ValueError):
    """Go's ``base64.CorruptInputError``: ``str()`` is Go's message for base64."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"illegal base64 data at input byte {offset}")
        self.offset = offset


def go_b64decode(src: bytes) -> bytes:
    """``base64.StdEncoding.DecodeString``; raises ``CorruptInputError`` at Go's offset."""
    out = bytearray()
    si = 0
    n = len(src)
    while si < n:
        quantum: list[int] = []
        size = 4
        j = 0
        trailing: int | None = None
        while j < 4:
            if si == n:
                if j == 0:
                    return bytes(out)
                raise CorruptInputError(si - j)
            c = src[si]
            si += 1
            if c in _B64_INDEX:
                quantum.append(_B64_INDEX[c])
                j += 1
                continue
            if c in _NEWLINES:
                continue
            if c != _PAD or j < 2:
                raise CorruptInputError(si - 1)
            if j == 2:
                # "==" expected: the second '=' may come after newlines.
                while si < n and src[si] in _NEWLINES:
                    si += 1
                if si == n:
                    raise CorruptInputError(n)
                if src[si] != _PAD:
                    raise CorruptInputError(si - 1)
                si += 1
            while si < n and src[si] in _NEWLINES:
                si += 1
            if si < n:
                trailing = si
            size = j
            break
        value = 0
        for k in range(4):
            value = value << 6 | (quantum[k] if k < len(quantum) else 0)
        out += value.to_bytes(3, "big")[:size - 1]
        if trailing is not None:
            raise CorruptInputError(trailing)
    return bytes(out)


def _b32decode(src: bytes) -> bytes:
    """``base32.StdEncoding.DecodeString`` (newlines dropped first, as Go does)."""
    src = bytes(c for c in src if c not in _NEWLINES)
    total = len(src)
    out = bytearray()
    pos = 0
    end = False
    while pos < total and not end:
        quantum: list[int] = []
        size = 8
        while len(quantum) < 8:
            j = len(quantum)
            if pos == total:
                raise CorruptInputError(total - j)
            c = src[pos]
            pos += 1
            remaining = total - pos
            if c == _PAD and j >= 2 and remaining < 8:
                if remaining + j < 7:
                    raise CorruptInputError(total)
                for k in range(7 - j):
                    if remaining > k and src[pos + k] != _PAD:
                        raise CorruptInputError(pos + k - 1)
                size, end = j, True
                if size in (1, 3, 6):
                    raise CorruptInputError(pos - 1)
                break
            if c not in _B32_INDEX:
                raise CorruptInputError(pos - 1)
            quantum.append(_B32_INDEX[c])
        value = 0
        for k in range(8):
            value = value << 5 | (quantum[k] if k < len(quantum) else 0)
        out += value.to_bytes(5, "big")[:{8: 5, 7: 4, 5: 3, 4: 2, 2: 1}[size]]
    return bytes(out)


def _illegal(encoding: str, error: CorruptInputError) -> str:
    return f"illegal {encoding} data at input byte {error.offset}"


@gofunc("b64enc", STRING)
def b64enc(s: str) -> str:
    return base64.b64encode(go_bytes(s)).decode("ascii")


@gofunc("b64dec", STRING)
def b64dec(s: str) -> str:
    try:
        return from_go_bytes(go_b64decode(go_bytes(s)))
    except CorruptInputError as error:
        return _illegal("base64", error)


@gofunc("b32enc", STRING)
def b32enc(s: str) -> str:
    return base64.b32encode(go_bytes(s)).decode("ascii")


@gofunc("b32dec", STRING)
def b32dec(s: str) -> str:
    try:
        return from_go_bytes(_b32decode(go_bytes(s)))
    except CorruptInputError as error:
        return _illegal("base32", error)


def go_path_clean(path: str) -> str:
    """``path.Clean``: the shortest lexically equal path ("" is ".")."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for element in path.split("/"):
        if element in ("", "."):
            continue
        if element == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(element)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def _path_base(path: str) -> str:
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path[path.rfind("/") + 1:]


def _path_dir(path: str) -> str:
    return go_path_clean(path[:path.rfind("/") + 1])


def _path_ext(path: str) -> str:
    for i in range(len(path) - 1, -1, -1):
        if path[i] == "/":
            break
        if path[i] == ".":
            return path[i:]
    return ""


def _path_is_abs(path: str) -> bool:
    return path.startswith("/")


for _prefix, _names in (("", ("base", "clean", "dir", "ext", "isAbs")),
                        ("os", ("Base", "Clean", "Dir", "Ext", "IsAbs"))):
    for _name, _fn in zip(_names, (_path_base, go_path_clean, _path_dir, _path_ext, _path_is_abs), strict=True):
        gofunc(_prefix + _name, STRING)(_fn)


# net/url's escaping modes.
_PATH, _USER, _HOST, _ZONE, _FRAGMENT = "path", "user", "host", "zone", "fragment"


def _should_escape(c: int, mode: str) -> bool:
    ch = chr(c)
    if ch.isascii() and ch.isalnum():
        return False
    if mode in (_HOST, _ZONE) and ch in "!$&'()*+,;=:[]<>\"":
        return False
    if ch in "-_.~":
        return False
    if ch in "$&+,/:;=?@":
        if mode == _PATH:
            return ch == "?"
        if mode == _USER:
            return ch in "@/?:"
        if mode == _FRAGMENT:
            return False
    if mode == _FRAGMENT and ch in "!()*":
        return False
    return True


def _escape(s: str, mode: str) -> str:
    return "".join(f"%{b:02X}" if _should_escape(b, mode) else chr(b) for b in go_bytes(s))


def _is_hex(c: str) -> bool:
    return c in "0123456789abcdefABCDEF"


def _unescape(s: str, mode: str) -> str:
    i = 0
    while i < len(s):
        if s[i] == "%":
            if i + 2 >= len(s) or not _is_hex(s[i + 1]) or not _is_hex(s[i + 2]):
                raise ValueError("invalid URL escape " + go_quote(s[i:i + 3]))
            if mode == _HOST and int(s[i + 1], 16) < 8 and s[i:i + 3] != "%25":
                raise ValueError("invalid URL escape " + go_quote(s[i:i + 3]))
            if mode == _ZONE:
                v = int(s[i + 1:i + 3], 16)
                if s[i:i + 3] != "%25" and v != 0x20 and _should_escape(v, _HOST):
                    raise ValueError("invalid URL escape " + go_quote(s[i:i + 3]))
            i += 3
        else:
            if mode in (_HOST, _ZONE) and s[i] < "\x80" and _should_escape(ord(s[i]), mode):
                raise ValueError(f"invalid character {go_quote(s[i])} in host name")
            i += 1
    if "%" not in s:
        return s
    data = go_bytes(s)
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i] == 0x25:
            out.append(int(data[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(data[i])
            i += 1
    return from_go_bytes(bytes(out))


def _valid_optional_port(port: str) -> bool:
    if port == "":
        return True
    return port[0] == ":" and all(c in "0123456789" for c in port[1:])


def _parse_host(host: str) -> str:
    if host.startswith("["):
        i = host.rfind("]")
        if i < 0:
            raise ValueError("missing ']' in host")
        colon_port = host[i + 1:]
        if not _valid_optional_port(colon_port):
            raise ValueError(f"invalid port {go_quote(colon_port)} after host")
        zone = host[:i].find("%25")
        if zone >= 0:
            return _unescape(host[:zone], _HOST) + _unescape(host[zone:i], _ZONE) + _unescape(host[i:], _HOST)
    else:
        i = host.rfind(":")
        if i != -1:
            colon_port = host[i:]
            if not _valid_optional_port(colon_port):
                raise ValueError(f"invalid port {go_quote(colon_port)} after host")
    return _unescape(host, _HOST)


_USERINFO_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._:~!$&'()*+,;=%@")


def _userinfo_string(user: tuple[str, str | None]) -> str:
    name, password = user
    text = _escape(name, _USER)
    if password is not None:
        text += ":" + _escape(password, _USER)
    return text


def _parse_authority(authority: str) -> tuple[tuple[str, str | None] | None, str]:
    i = authority.rfind("@")
    host = _parse_host(authority[i + 1:] if i >= 0 else authority)
    if i < 0:
        return None, host
    userinfo = authority[:i]
    if not all(c in _USERINFO_CHARS for c in userinfo):
        raise ValueError("net/url: invalid userinfo")
    if ":" not in userinfo:
        return (_unescape(userinfo, _USER), None), host
    name, _, password = userinfo.partition(":")
    return (_unescape(name, _USER), _unescape(password, _USER)), host


def _split_scheme(raw: str) -> tuple[str, str]:
    for i, ch in enumerate(raw):
        if ch.isascii() and ch.isalpha():
            continue
        if ch.isascii() and (ch.isdigit() or ch in "+-."):
            if i == 0:
                return "", raw
            continue
        if ch == ":":
            if i == 0:
                raise ValueError("missing protocol scheme")
            return raw[:i], raw[i + 1:]
        return "", raw
    return "", raw


def _url_parse(raw: str) -> dict[str, Any]:
    """``url.Parse``, reduced to the fields Sprig reports; ValueError carries Go's error text."""
    before, _, fragment = raw.partition("#")
    try:
        parsed = _parse_before_fragment(before)
    except ValueError as error:
        raise ValueError(f"parse {go_quote(before)}: {error}") from None
    try:
        parsed["fragment"] = _unescape(fragment, _FRAGMENT)
    except ValueError as error:
        raise ValueError(f"parse {go_quote(raw)}: {error}") from None
    return parsed


def _parse_before_fragment(rest: str) -> dict[str, Any]:
    if any(c < " " or c == "\x7f" for c in rest):
        raise ValueError("net/url: invalid control character in URL")
    parsed: dict[str, Any] = {"scheme": "", "host": "", "path": "", "query": "", "opaque": "", "user": None}
    if rest == "*":
        parsed["path"] = "*"
        return parsed
    scheme, rest = _split_scheme(rest)
    parsed["scheme"] = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest, _, parsed["query"] = rest.partition("?")
    if not rest.startswith("/"):
        if parsed["scheme"]:
            parsed["opaque"] = rest
            return parsed
        if ":" in rest.partition("/")[0]:
            raise ValueError("first path segment in URL cannot contain colon")
    if (parsed["scheme"] or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        parsed["user"], parsed["host"] = _parse_authority(authority)
    parsed["path"] = _unescape(rest, _PATH)
    return parsed


def _hostname(host: str) -> str:
    colon = host.rfind(":")
    if colon != -1 and _valid_optional_port(host[colon:]):
        host = host[:colon]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


@gofunc("urlParse", STRING)
def url_parse(v: str) -> dict[str, Any]:
    try:
        parsed = _url_parse(v)
    except ValueError as error:
        raise FuncError(f"unable to parse url: {error}") from None
    user = parsed["user"]
    return {
        "scheme": parsed["scheme"],
        "host": parsed["host"],
        "hostname": _hostname(parsed["host"]),
        "path": parsed["path"],
        "query": parsed["query"],
        "opaque": parsed["opaque"],
        "fragment": parsed["fragment"],
        "userinfo": "" if user is None else _userinfo_string(user),
    }


def _dict_string(d: dict[str, Any], key: str) -> str:
    if key not in d:
        return ""
    value = d[key]
    if is_nil(value):
        raise FuncError("runtime error: invalid memory address or nil pointer dereference")
    if not isinstance(value, str):
        raise FuncError(f"unable to parse {key} key, must be of type string, but {go_kind(value)} found")
    return value


@gofunc("urlJoin", DICT)
def url_join(d: dict[str, Any] | None) -> str:
    """``url.URL{…}.String()`` of the dict's parts (the inverse of ``urlParse``)."""
    d = d or {}
    scheme, host, path, query, opaque, fragment = (
        _dict_string(d, k) for k in ("scheme", "host", "path", "query", "opaque", "fragment"))
    userinfo = _dict_string(d, "userinfo")
    user = None
    if userinfo:
        try:
            user = _url_parse(f"proto://{userinfo}@host")["user"]
        except ValueError as error:
            raise FuncError(f"unable to parse userinfo in dict: {error}") from None
    out = []
    if scheme:
        out.append(scheme + ":")
    if opaque:
        out.append(opaque)
    else:
        if scheme or host or user is not None:
            if host or path or user is not None:
                out.append("//")
            if user is not None:
                out.append(_userinfo_string(user) + "@")
            if host:
                out.append(_escape(host, _HOST))
        escaped_path = "*" if path == "*" else _escape(path, _PATH)
        if escaped_path and not escaped_path.startswith("/") and host:
            out.append("/")
        if not out and ":" in escaped_path.partition("/")[0]:
            out.append("./")
        out.append(escaped_path)
    if query:
        out.append("?" + query)
    if fragment:
        out.append("#" + _escape(fragment, _FRAGMENT))
    return "".join(out)
