"""The ``format`` checks of drafts 4 to 7, with the reasons santhosh-tekuri/jsonschema gives.

Helm asserts ``format`` for drafts 4, 6 and 7 and prints why a string is not of its format
(``'x' is not valid ipv4: expected four decimals``). Each check below returns that reason (None
when the string conforms). Where santhosh-tekuri hands over to Go's library (net/netip, time,
net/url, regexp), the reason is that library's error text for the common mistakes. That is why
the checks are written here rather than taken from jsonschema's own format checker, which gives
no reasons and answers differently at the edges. Go measures and indexes strings by byte: the
checks that depend on it (lengths, and the fixed positions of ``date``, ``time`` and
``date-time``) work on the UTF-8 bytes, so non-ASCII text fails where it fails in Helm.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from helmlite.gofmt import go_quote, go_quote_rune

__all__ = ["format_checker_for"]


class _FormatProblem(ValueError):
    """Why a string is not of its format; jsonschema keeps it as the error's ``cause``."""


def format_checker_for(validator_class: Any) -> Any:
    """A jsonschema ``FormatChecker`` with Helm's checks for ``validator_class``'s draft, or None
    for drafts 2019-09 and 2020-12: Helm's validator asserts ``format`` up to draft 7 only; from
    2019-09 on it is an annotation."""
    from jsonschema import Draft201909Validator, Draft202012Validator, FormatChecker

    if validator_class in (Draft201909Validator, Draft202012Validator):
        return None
    checker = FormatChecker(formats=())
    for name, check in _FORMATS.items():
        checker.checks(name, raises=_FormatProblem)(_asserting(check))
    return checker


def _asserting(check: Callable[[str], str | None]) -> Callable[[Any], bool]:
    """``check`` as jsonschema calls it: True, or the reason raised (only strings have a format)."""

    def conforms(value: Any) -> bool:
        if isinstance(value, str) and (reason := check(value)) is not None:
            raise _FormatProblem(reason)
        return True

    return conforms


def _utf8(text: str) -> bytes:
    """``text`` as the bytes of the Go string Helm checks: Go measures lengths in bytes;
    a lone surrogate, which no Go string holds, is kept as its three bytes rather than crash."""
    return text.encode("utf-8", "surrogatepass")


def _go_atoi(text: str) -> tuple[int | None, str | None]:
    """Go's ``strconv.Atoi``: the number, or its error text."""
    if re.fullmatch(r"[+-]?[0-9]+", text):
        number = int(text)
        if -(2**63) <= number < 2**63:
            return number, None
        return None, f"strconv.Atoi: parsing {go_quote(text)}: value out of range"
    return None, f"strconv.Atoi: parsing {go_quote(text)}: invalid syntax"


def _json_pointer(text: str) -> str | None:
    if text == "":
        return None
    if not text.startswith("/"):
        return "not starting with /"
    for token in text.split("/")[1:]:
        if re.search(r"~(?![01])", token):
            return "~ must be followed by 0 or 1"
    return None


def _relative_json_pointer(text: str) -> str | None:
    digits = len(text) - len(text.lstrip("0123456789"))
    if digits == 0:
        return "must start with non-negative integer"
    if digits > 1 and text.startswith("0"):
        return "starts with zero"
    rest = text[digits:]
    return None if rest == "#" else _json_pointer(rest)


def _uuid(text: str) -> str | None:
    groups = text.split("-")
    if len(groups) != 5:
        return "must have 5 elements"
    for number, (group, size) in enumerate(
        zip(groups, (8, 4, 4, 4, 12), strict=True), start=1
    ):
        if len(_utf8(group)) != size:
            return f"element {number} must be {size} characters long"
        for char in group:
            if char not in "0123456789abcdefABCDEF":
                return f"non-hex character {go_quote_rune(ord(char))}"
    return None


def _duration(text: str) -> str | None:
    if not text.startswith("P"):
        return "must start with P"
    text = text[1:]
    if text == "":
        return "nothing after P"
    if text.endswith("W"):
        weeks = text[:-1]
        if weeks == "":
            return "no number in week"
        return None if weeks.isdigit() and weeks.isascii() else "invalid week"
    all_units = ("YMD", "HMS")
    for part_index, part in enumerate(text.split("T")):
        if part_index != 0 and part == "":
            return "no time elements"
        if part_index >= len(all_units):
            return "more than one T"
        units = all_units[part_index]
        while part:
            digits = len(part) - len(part.lstrip("0123456789"))
            if digits == 0:
                return "missing number"
            part = part[digits:]
            if part == "":
                return "missing unit"
            unit = part[0]
            if unit not in units:
                if unit in all_units[part_index]:
                    return f"unit {go_quote_rune(ord(unit))} out of order"
                return f"invalid unit {go_quote_rune(ord(unit))}"
            units = units[units.index(unit) + 1 :]
            part = part[1:]
    return None


def _ipv4(text: str) -> str | None:
    groups = text.split(".")
    if len(groups) != 4:
        return "expected four decimals"
    for group in groups:
        if len(group) > 1 and group[0] == "0":
            return "leading zeros"
        number, problem = _go_atoi(group)
        if number is None:
            return problem
        if not 0 <= number <= 255:
            return "decimal must be between 0 and 255"
    return None


def _parse_addr_error(whole: str, message: str, at: str = "") -> str:
    suffix = f" (at {go_quote(at)})" if at else ""
    return f"ParseAddr({go_quote(whole)}): {message}{suffix}"


def _ipv4_fields(whole: str, text: str) -> tuple[int, str | None]:
    """Go's ``parseIPv4Fields``: how many fields, or the error of ``netip.ParseAddr``."""
    value, position, digits = 0, 0, 0
    for index, char in enumerate(text):
        if "0" <= char <= "9":
            if digits == 1 and value == 0:
                return 0, _parse_addr_error(
                    whole, "IPv4 field has octet with leading zero"
                )
            value, digits = value * 10 + int(char), digits + 1
            if value > 255:
                return 0, _parse_addr_error(whole, "IPv4 field has value >255")
        elif char == ".":
            if index == 0 or index == len(text) - 1 or text[index - 1] == ".":
                return 0, _parse_addr_error(
                    whole, "IPv4 field must have at least one digit", text[index:]
                )
            if position == 3:
                return 0, _parse_addr_error(whole, "IPv4 address too long")
            position, value, digits = position + 1, 0, 0
        else:
            return 0, _parse_addr_error(whole, "unexpected character", text[index:])
    if position < 3:
        return 0, _parse_addr_error(whole, "IPv4 address too short")
    return 4, None


def _parse_addr(text: str) -> str | None:
    """Go's ``netip.ParseAddr`` error for ``text`` (its ``parseIPv6`` for an IPv6 address), or None."""
    for char in text:  # the first separator picks the address family
        if char == ".":
            return _ipv4_fields(text, text)[1]
        if char == "%":
            return _parse_addr_error(text, "missing IPv6 address")
        if char == ":":
            break
    else:
        return _parse_addr_error(text, "unable to parse IP")
    rest, _, zone = text.partition("%")
    if "%" in text and zone == "":
        return _parse_addr_error(text, "zone must be a non-empty string")
    size, ellipsis = 0, -1
    if rest.startswith("::"):
        ellipsis, rest = 0, rest[2:]
        if rest == "":
            return None
    while size < 16:
        digits = len(rest) - len(rest.lstrip("0123456789abcdefABCDEF"))
        if digits > 4:
            return _parse_addr_error(
                text, "each group must have 4 or less digits", rest
            )
        if digits == 0:
            return _parse_addr_error(
                text, "each colon-separated field must have at least one digit", rest
            )
        if digits < len(rest) and rest[digits] == ".":
            if ellipsis < 0 and size != 12:
                return _parse_addr_error(
                    text,
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    rest,
                )
            if size + 4 > 16:
                return _parse_addr_error(
                    text,
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    rest,
                )
            problem = _ipv4_fields(text, rest)[1]
            if problem:
                return problem
            rest, size = "", size + 4
            break
        size, rest = size + 2, rest[digits:]
        if rest == "":
            break
        if rest[0] != ":":
            return _parse_addr_error(text, "unexpected character, want colon", rest)
        if len(rest) == 1:
            return _parse_addr_error(
                text, "colon must be followed by more characters", rest
            )
        rest = rest[1:]
        if rest[0] == ":":
            if ellipsis >= 0:
                return _parse_addr_error(text, "multiple :: in address", rest)
            ellipsis, rest = size, rest[1:]
            if rest == "":
                break
    if rest:
        return _parse_addr_error(text, "trailing garbage after address", rest)
    if size < 16 and ellipsis < 0:
        return _parse_addr_error(text, "address string too short")
    if size == 16 and ellipsis >= 0:
        return _parse_addr_error(
            text, "the :: must expand to at least one field of zeros"
        )
    return None


def _ipv6(text: str) -> str | None:
    if ":" not in text:
        return "missing colon"
    if problem := _parse_addr(text):
        return problem
    return "zone id is not a part of ipv6 address" if "%" in text else None


def _hostname(text: str) -> str | None:
    text = text.removesuffix(".")
    if len(_utf8(text)) > 253:
        return "more than 253 characters long"
    for label in text.split("."):
        if not 1 <= len(_utf8(label)) <= 63:
            return "label must be 1 to 63 characters long"
        if label.startswith("-"):
            return "label starts with hyphen"
        if label.endswith("-"):
            return "label ends with hyphen"
        for char in label:
            if not (char.isascii() and (char.isalnum() or char == "-")):
                return f"invalid character {go_quote_rune(ord(char))}"
    return None


def _email(text: str) -> str | None:
    if len(_utf8(text)) > 254:
        return "more than 255 characters long"
    if "@" not in text:
        return "missing @"
    local, _, domain = text.rpartition("@")
    if len(_utf8(local)) > 64:
        return "local part more than 64 characters long"
    if len(local) > 1 and local.startswith('"') and local.endswith('"'):
        if "\\" in local[1:-1] or '"' in local[1:-1]:
            return "backslash and quote are not allowed within quoted local part"
    else:
        if local.startswith("."):
            return "starts with dot"
        if local.endswith("."):
            return "ends with dot"
        if ".." in local:
            return "consecutive dots"
        for char in local:
            if not (
                char.isascii() and (char.isalnum() or char in ".!#$%&'*+-/=?^_`{|}~")
            ):
                return f"invalid character {go_quote_rune(ord(char))}"
    if domain.startswith("[") and domain.endswith("]"):
        address = domain[1:-1]
        if address.startswith("IPv6:"):
            problem = _ipv6(address[5:])
            return f"invalid ipv6 address: {problem}" if problem else None
        problem = _ipv4(address)
        return f"invalid ipv4 address: {problem}" if problem else None
    problem = _hostname(domain)
    return f"invalid domain: {problem}" if problem else None


def _time_quote(data: bytes) -> str:
    """Go's ``time`` package quoting of a parse error's text (not ``strconv.Quote``): every byte
    of a non-ASCII character, and every control character below a space, is written ``\\xNN``;
    only ``"`` and ``\\`` get a backslash."""
    out = ['"']
    for byte in data:
        if byte >= 0x80 or byte < 0x20:
            out.append(f"\\x{byte:02x}")
        elif byte in b'"\\':
            out.append("\\" + chr(byte))
        else:
            out.append(chr(byte))
    out.append('"')
    return "".join(out)


def _go_atoi_bytes(token: bytes) -> int | None:
    """Go's ``strconv.Atoi`` of a byte string: the number, or None where Go returns an error."""
    if re.fullmatch(rb"[+-]?[0-9]+", token):
        number = int(token)
        if -(2**63) <= number < 2**63:
            return number
    return None


def _date(text: str) -> str | None:
    return _date_bytes(_utf8(text))


def _date_bytes(data: bytes) -> str | None:
    """Go's ``time.Parse("2006-01-02", data)`` error, or None.

    Byte-wise, as Go works: the ``date-time`` check hands over the first ten *bytes*, which
    may end inside a character.
    """
    quoted = _time_quote(data)

    def cannot(rest: bytes, element: str) -> str:
        return f'parsing time {quoted} as "2006-01-02": cannot parse {_time_quote(rest)} as "{element}"'

    rest = data
    if len(rest) < 4 or not rest[:4].isdigit():  # bytes.isdigit: ASCII digits only
        return cannot(rest, "2006")
    year, rest = int(rest[:4]), rest[4:]
    numbers = []
    for element in ("01", "02"):
        if not rest.startswith(b"-"):
            return cannot(rest, "-")
        rest = rest[1:]
        if len(rest) < 2 or not rest[:2].isdigit():
            return cannot(rest, element)
        numbers.append(int(rest[:2]))
        rest = rest[2:]
    month, day = numbers
    if not 1 <= month <= 12:
        return f"parsing time {quoted}: month out of range"
    if rest:
        return f"parsing time {quoted}: extra text: {_time_quote(rest)}"
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not 1 <= day <= days:
        return f"parsing time {quoted}: day out of range"
    return None


def _time(text: str) -> str | None:
    return _time_bytes(_utf8(text))


def _clock_numbers(tokens: list[bytes], what: str) -> list[int] | str:
    """The numbers of a time or offset (``what`` names them in the reasons), or why not."""
    numbers = []
    for token in tokens:
        number = _go_atoi_bytes(token)
        if number is None:
            return f"invalid {what}"
        if number < 0:
            return f"non-positive {what}"
        numbers.append(number)
    return numbers


def _time_bytes(data: bytes) -> str | None:
    """santhosh-tekuri's ``validateTime``, on bytes as in Go: lengths count bytes and the
    colons are looked for at byte offsets, so non-ASCII text fails the way it does in Helm."""
    if len(data) < 9:
        return "less than 9 characters long"
    if data[2:3] != b":" or data[5:6] != b":":
        return "missing colon in correct place"
    clock = _clock_numbers(data[:8].split(b":", 2), "hour/min/sec")
    if isinstance(clock, str):
        return clock
    hour, minute, second = clock
    if hour > 23 or minute > 59 or second > 60:
        return "hour/min/sec out of range"
    rest = data[8:]
    if rest.startswith(b"."):
        digits = len(rest) - 1 - len(rest[1:].lstrip(b"0123456789"))
        if digits == 0:
            return "no digits in second fraction"
        rest = rest[1 + digits :]
    if rest not in (b"z", b"Z"):
        if len(rest) != 6:
            return "offset must be 6 characters long"
        if rest[:1] not in (b"+", b"-"):
            return "offset must begin with plus/minus"
        sign, rest = (-1 if rest[:1] == b"+" else 1), rest[1:]
        if rest[2:3] != b":":
            return "missing colon in offset in correct place"
        offset = _clock_numbers(rest.split(b":", 1), "hour/min in offset")
        if isinstance(offset, str):
            return offset
        if offset[0] > 23 or offset[1] > 59:
            return "hour/min in offset out of range"
        minutes = hour * 60 + minute + sign * (offset[0] * 60 + offset[1])
        if minutes < 0:
            minutes += 24 * 60
        hour, minute = divmod(minutes, 60)
    if second >= 60 and (hour != 23 or minute != 59):
        return "invalid leap second"
    return None


def _date_time(text: str) -> str | None:
    data = _utf8(text)
    if len(data) < 20:
        return "less than 20 characters long"
    if data[10:11] not in (b"t", b"T"):
        return "11th character must be t or T"
    if problem := _date_bytes(data[:10]):
        return f"invalid date element: {problem}"
    if problem := _time_bytes(data[11:]):
        return f"invalid time element: {problem}"
    return None


def _url_unescape_problem(text: str) -> str | None:
    """Go's ``url`` unescape error: a ``%`` not followed by two hex digits."""
    for index, char in enumerate(text):
        if char == "%" and not re.fullmatch(
            r"[0-9a-fA-F]{2}", text[index + 1 : index + 3]
        ):
            return f"invalid URL escape {go_quote(text[index : index + 3])}"
    return None


def _host_problem(host: str) -> str | None:
    """Go's ``url.parseHost`` error for the host (and port) of an authority."""
    if host.startswith("["):
        closing = host.rfind("]")
        if closing < 0:
            return "missing ']' in host"
        port = host[closing + 1 :]
        if port and not re.fullmatch(r":[0-9]*", port):
            return f"invalid port {go_quote(port)} after host"
        if problem := _parse_addr(unquote(host[1:closing])):
            return f"invalid host: {problem}"
        return None
    if ":" in host:
        port = host[host.index(":") :]
        if not re.fullmatch(r":[0-9]*", port):
            return f"invalid port {go_quote(port)} after host"
    if problem := _url_unescape_problem(host):
        return problem
    for char in host:
        if char.isascii() and not (char.isalnum() or char in "-._~!$&'()*+,;=:[]<>\"%"):
            return f"invalid character {go_quote(char)} in host name"
    return None


def _parse_url(text: str) -> tuple[bool, str | None]:
    """Go's ``url.Parse``: whether the URL is absolute (has a scheme), or its error."""
    reference, _, fragment = text.partition("#")

    def failed(problem: str, whole: str = reference) -> tuple[bool, str | None]:
        return False, f"parse {go_quote(whole)}: {problem}"

    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        return failed("net/url: invalid control character in URL")
    scheme, rest = "", reference
    for index, char in enumerate(reference):
        if char.isascii() and char.isalpha():
            continue
        if char.isascii() and (char.isdigit() or char in "+-."):
            if index == 0:
                break
            continue
        if char == ":":
            if index == 0:
                return failed("missing protocol scheme")
            scheme, rest = reference[:index], reference[index + 1 :]
        break
    rest = rest.partition("?")[0]
    if not rest.startswith("/"):
        if scheme:
            return True, None  # opaque: mailto:x, urn:y
        if ":" in rest.partition("/")[0]:
            return failed("first path segment in URL cannot contain colon")
    elif rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        if problem := _host_problem(authority.rpartition("@")[2]):
            return failed(problem)
        rest = slash + path
    if problem := _url_unescape_problem(rest):
        return failed(problem)
    if fragment and (problem := _url_unescape_problem(fragment)):
        return failed(problem, text)
    return bool(scheme), None


def _resource_identifier(reference: bool) -> Callable[[str], str | None]:
    """uri/iri (absolute) and uri-reference/iri-reference: Helm's validator checks them alike."""

    def check(text: str) -> str | None:
        if reference and "\\" in text:
            return "contains \\"
        absolute, problem = _parse_url(text)
        if problem:
            return problem
        return None if reference or absolute else "relative url"

    return check


def _uri_template(text: str) -> str | None:
    _, problem = _parse_url(text)
    if problem:
        return problem
    path = text.partition("#")[0].partition("?")[0]
    for token in path.split("/"):
        open_brace = False
        for char in token:
            if char in "{}":
                if (char == "{") == open_brace:
                    return "nested curly braces"
                open_brace = not open_brace
        if open_brace:
            return "no matching closing brace"
    return None


def _period(text: str) -> str | None:
    if "/" not in text:
        return "missing slash"
    start, _, end = text.partition("/")
    if start.startswith("P"):
        if problem := _duration(start):
            return f"invalid start duration: {problem}"
        if problem := _date_time(end):
            return f"invalid end date-time: {problem}"
        return None
    if problem := _date_time(start):
        return f"invalid start date-time: {problem}"
    if end.startswith("P"):
        if problem := _duration(end):
            return f"invalid end duration: {problem}"
    elif problem := _date_time(end):
        return f"invalid end date-time: {problem}"
    return None


def _semver(text: str) -> str | None:
    def identifier_problem(identifier: str, what: str) -> str | None:
        for char in identifier:
            if not (char.isascii() and (char.isalnum() or char == "-")):
                return (
                    f"invalid character {go_quote_rune(ord(char))} in {what} identifier"
                )
        return None

    if "+" in text:
        text, _, build = text.partition("+")
        if build == "":
            return "build is empty"
        for identifier in build.split("."):
            if identifier == "":
                return "build identifier is empty"
            if problem := identifier_problem(identifier, "build"):
                return problem
    if "-" in text:
        text, _, pre_release = text.partition("-")
        for identifier in pre_release.split("."):
            if identifier == "":
                return "pre-release identifier is empty"
            if problem := identifier_problem(identifier, "pre-release"):
                return problem
            if identifier.isdigit() and len(identifier) > 1 and identifier[0] == "0":
                return "pre-release numeric identifier starts with zero"
    versions = text.split(".")
    if len(versions) != 3:
        return "versionCore must have 3 numbers separated by dot"
    for name, version in zip(("major", "minor", "patch"), versions, strict=True):
        if version == "":
            return f"{name} is empty"
        if len(version) > 1 and version[0] == "0":
            return f"{name} starts with zero"
        if not (version.isdigit() and version.isascii()):
            return f"{name} contains non-digit"
    return None


# Python's regular-expression errors as Go's regexp names them (the common ones).
_REGEX_PROBLEMS = (
    ("missing ), unterminated subpattern", "missing closing )"),
    ("unterminated character set", "missing closing ]"),
    ("unbalanced parenthesis", "unexpected )"),
    ("nothing to repeat", "missing argument to repetition operator"),
    ("multiple repeat", "invalid nested repetition operator"),
    ("bad escape", "invalid escape sequence"),
)


# Go's regexp refuses a repeat count above 1000 and a tree more than 1000 levels high.
_GO_MAX_REPEAT = 1000
_GO_MAX_NESTING = 1000
_REPEAT_COUNT = re.compile(r"(?<!\\)\{([0-9]+)(?:,([0-9]*))?\}")


def _group_nesting(text: str) -> int:
    """How deep the groups of a pattern nest (escapes and character classes skipped)."""
    depth = deepest = 0
    escaped = in_class = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(depth - 1, 0)
    return deepest


def _regex(text: str) -> str | None:
    """Go's regexp compile error, judged with Python's ``re`` (RE2 and Python differ at the edges).

    Go's two size limits are checked first, in Go's words: Python's ``re`` would raise
    OverflowError for a huge repeat count and RecursionError for deep nesting.
    """
    for match in _REPEAT_COUNT.finditer(text):
        counts = [count for count in match.groups() if count]
        # By length first: int() refuses numbers of more than 4300 digits.
        if any(
            len(count.lstrip("0")) > 4 or int(count) > _GO_MAX_REPEAT
            for count in counts
        ):
            return f"error parsing regexp: invalid repeat count: `{match.group(0)}`"
    if _group_nesting(text) >= _GO_MAX_NESTING:
        return f"error parsing regexp: expression nests too deeply: `{text}`"
    try:
        with warnings.catch_warnings():
            # "Possible nested set" and the like: Python's hints about its future syntax.
            warnings.simplefilter("ignore", FutureWarning)
            re.compile(text)
    except re.error as exc:
        code = next(
            (go for python, go in _REGEX_PROBLEMS if str(exc.msg).startswith(python)),
            str(exc.msg),
        )
        return f"error parsing regexp: {code}: `{text}`"
    except RecursionError:
        return None  # nested deeper than Python's parser goes, yet within Go's limit: valid
    return None


_FORMATS: dict[str, Callable[[str], str | None]] = {
    "json-pointer": _json_pointer,
    "relative-json-pointer": _relative_json_pointer,
    "uuid": _uuid,
    "duration": _duration,
    "period": _period,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "hostname": _hostname,
    "email": _email,
    "date": _date,
    "time": _time,
    "date-time": _date_time,
    "uri": _resource_identifier(reference=False),
    "iri": _resource_identifier(reference=False),
    "uri-reference": _resource_identifier(reference=True),
    "iri-reference": _resource_identifier(reference=True),
    "uri-template": _uri_template,
    "semver": _semver,
    "regex": _regex,
}
