"""Helm's template functions (Sprig + Helm's own) for the native dialect.

Every function takes Helm's argument order, so ``trimSuffix("-", name)`` reads like Helm's
``trimSuffix "-" .name``. Where piping makes sense the function is also a filter, and a filter's
arguments follow Helm's pipe order: Helm ``x | f a b`` is ``x | f(a, b)`` here (the piped value
becomes the *last* argument, as in Go templates). Semantics are Sprig v3.3.0 / Helm v4.3.1
(go-templates.md §3) with one deliberate difference: integers stay integers.

Errors are raised as ``TemplateFunctionError`` (or ``TemplateFailure`` for ``required``/``fail``);
the renderer turns them into ``RenderError`` naming the template file and line.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as _dt
import hashlib
import json
import math
import posixpath
import re
import secrets
import string
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Undefined, pass_context
from jinja2.runtime import Context

from helmlite.render.jinja.environment import (
    MAX_COLLECTION_ITEMS,
    MAX_OUTPUT_CHARS,
    TemplateFailure,
    TemplateFunctionError,
    current_state,
)
from helmlite.gofmt import (
    go_kind,
    go_quote,
    go_str,
    go_time_format,
    go_type,
    is_nil,
    sprint,
    sprintf,
)
from helmlite.values.gojson import well_formed

__all__ = ["FUNCTIONS", "FILTERS", "DATA_FIRST_FILTERS", "install", "is_empty", "to_yaml", "to_json"]

# Sprig's own bound for until/untilStep is none; Jinja's sandbox caps range() at 100 000.
MAX_RANGE = 100_000


# ----- argument helpers ------------------------------------------------------------------------


def _s(value: Any) -> str:
    """A string parameter: nil is ``""``, other values print as Go prints them."""
    if isinstance(value, str):
        return value
    if is_nil(value):
        return ""
    return go_str(value)


def _int(value: Any, function: str) -> int:
    """An ``int`` parameter: ints and integral floats; anything else is Go's type error."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise TemplateFunctionError(f"{function}: wrong type for value; expected int; got {go_type(value)}")


def _dict(value: Any, function: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise TemplateFunctionError(f"{function}: expected a dict, got {go_type(value)}")


def _list(value: Any, function: str) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TemplateFunctionError(f"{function}: cannot use {go_type(value)} as a list")


def _value(value: Any) -> Any:
    """What a collection stores: a missing value becomes nil (``None``), as in Go."""
    return None if isinstance(value, Undefined) else value


def is_empty(value: Any) -> bool:
    """Sprig's ``empty``: nil, missing, ``false``, ``0``, ``""`` and empty collections."""
    if is_nil(value):
        return True
    if isinstance(value, (bool, int, float)):
        return not value
    if isinstance(value, (str, bytes, list, tuple, dict, Mapping)):
        return len(value) == 0
    return False


# ----- conversion (cast.ToInt64 and friends) ---------------------------------------------------

_OCTAL = re.compile(r"[+-]?0[0-7]+")


def to_int(value: Any) -> int:
    """``int``/``int64`` (spf13/cast): floats truncate, strings parse with Go's base prefixes, else 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    if isinstance(value, str):
        text = value.strip()
        if "." in text and text.rstrip("0").endswith("."):
            text = text.rstrip("0")[:-1]  # cast's trimZeroDecimal: "1.0" → "1"
        try:
            if _OCTAL.fullmatch(text):
                return int(text, 8)
            return int(text, 0)
        except ValueError:
            return 0
    return 0


def to_float(value: Any) -> float:
    """``float64`` (cast.ToFloat64): numbers and numeric strings, else 0."""
    if isinstance(value, (bool, int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return 0.0
    return 0.0


def _to_string(value: Any) -> str:
    """``toString``: Sprig's strval (nil is ``<nil>``)."""
    return go_str(value)


def _to_strings(value: Any) -> list[str]:
    if is_nil(value):
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [go_str(v) for v in items if not is_nil(v)]


# ----- YAML / JSON -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Template data as plain YAML/JSON data (missing → null, bytes → base64, times → RFC 3339)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Undefined):
        return None
    if isinstance(value, Mapping):
        return {k if isinstance(k, str) else go_str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return go_str(value)


def to_yaml(value: Any) -> str:
    """``toYaml``: sorted keys, block style, no trailing newline; ``""`` if it cannot be encoded."""
    from helmlite.values.yamlio import dump_yaml

    try:
        text = dump_yaml(_plain(value))
    except (RecursionError, ValueError, TypeError):
        return ""
    return text[:-1] if text.endswith("\n") else text


def _must_to_yaml(value: Any) -> str:
    from helmlite.values.yamlio import dump_yaml

    try:
        text = dump_yaml(_plain(value))
    except (RecursionError, ValueError, TypeError) as exc:
        raise TemplateFunctionError(f"mustToYaml: {exc}") from exc
    return text[:-1] if text.endswith("\n") else text


_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def _json_ready(value: Any) -> Any:
    """Integral floats print as integers in Go's JSON (``1e6`` → ``1000000``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value


def _json(value: Any, *, indent: int | None = None, escape_html: bool = True) -> str:
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(
        _json_ready(_plain(value)), sort_keys=True, separators=separators, indent=indent,
        ensure_ascii=False, allow_nan=False,
    )  # fmt: skip
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text) if escape_html else text


def to_json(value: Any) -> str:
    """``toJson``: Go's ``json.Marshal`` (compact, sorted keys, ``<>&`` escaped); ``""`` on error."""
    try:
        return _json(value)
    except (RecursionError, ValueError, TypeError):
        return ""


def _must_to_json(value: Any) -> str:
    try:
        return _json(value)
    except (RecursionError, ValueError, TypeError) as exc:
        raise TemplateFunctionError(f"mustToJson: {exc}") from exc


def _to_pretty_json(value: Any) -> str:
    try:
        return _json(value, indent=2)
    except (RecursionError, ValueError, TypeError):
        return ""


def _to_raw_json(value: Any) -> str:
    try:
        return _json(value, escape_html=False)
    except (RecursionError, ValueError, TypeError):
        return ""


def _parse_yaml(text: str) -> Any:
    from helmlite.values.yamlio import load_yaml

    return load_yaml(_s(text), "fromYaml")


def _from_yaml(text: Any) -> dict[str, Any]:
    """``fromYaml``: a mapping, or ``{"Error": message}`` (Helm swallows parse errors)."""
    try:
        data = _parse_yaml(text)
    except Exception as exc:  # noqa: BLE001 - any parse failure becomes Helm's {"Error": …}
        return {"Error": str(exc)}
    if data is None:
        return {}
    if not isinstance(data, dict):
        return {"Error": f"cannot unmarshal {go_type(data)} into a map"}
    return data


def _from_yaml_array(text: Any) -> list[Any]:
    """``fromYamlArray``: a list, or a one-element list holding the error message."""
    try:
        data = _parse_yaml(text)
    except Exception as exc:  # noqa: BLE001
        return [str(exc)]
    if data is None:
        return []
    if not isinstance(data, list):
        return [f"cannot unmarshal {go_type(data)} into a list"]
    return data


def _from_json(text: Any) -> dict[str, Any]:
    """``fromJson``: a mapping, or ``{"Error": message}``. Lone surrogate escapes (``"\\ud800"``)
    become U+FFFD, as in Helm."""
    try:
        data = well_formed(json.loads(_s(text)))
    except ValueError as exc:
        return {"Error": str(exc)}
    if not isinstance(data, dict):
        return {"Error": f"cannot unmarshal {go_type(data)} into a map"}
    return data


def _from_json_array(text: Any) -> list[Any]:
    """``fromJsonArray``: a list, or a one-element list holding the error message. Lone
    surrogate escapes become U+FFFD, as in Helm."""
    try:
        data = well_formed(json.loads(_s(text)))
    except ValueError as exc:
        return [str(exc)]
    if not isinstance(data, list):
        return [f"cannot unmarshal {go_type(data)} into a list"]
    return data


# ----- strings ---------------------------------------------------------------------------------


def _indent(spaces: Any, text: Any) -> str:
    """``indent n s``: every line (the first too) gets n spaces."""
    count = _int(spaces, "indent")
    body = _s(text)
    pad = " " * max(count, 0)
    if pad and len(pad) * (body.count("\n") + 1) > MAX_OUTPUT_CHARS:
        raise TemplateFunctionError("indent: result too large")
    return pad + body.replace("\n", "\n" + pad)


def _nindent(spaces: Any, text: Any) -> str:
    """``nindent n s``: a newline, then ``indent n s``."""
    return "\n" + _indent(spaces, text)


def _quote(*values: Any) -> str:
    """``quote``: each non-nil argument Go-quoted, joined by spaces."""
    return " ".join(go_quote(go_str(v)) for v in values if not is_nil(v))


def _squote(*values: Any) -> str:
    """``squote``: each non-nil argument in single quotes, no escaping."""
    return " ".join(f"'{go_str(v)}'" for v in values if not is_nil(v))


def _trunc(length: Any, text: Any) -> str:
    """``trunc n s``: the first n characters; negative n keeps the last |n|."""
    n = _int(length, "trunc")
    s = _s(text)
    if n < 0:
        return s[n:] if len(s) + n > 0 else s
    return s[:n]


def _trim_suffix(suffix: Any, text: Any) -> str:
    s, suf = _s(text), _s(suffix)
    return s[: -len(suf)] if suf and s.endswith(suf) else s


def _trim_prefix(prefix: Any, text: Any) -> str:
    s, pre = _s(text), _s(prefix)
    return s[len(pre) :] if pre and s.startswith(pre) else s


def _title(text: Any) -> str:
    """Go's ``strings.Title``: upper-case every letter that follows a non-letter/digit."""
    out: list[str] = []
    previous = " "
    for ch in _s(text):
        separator = not (previous.isalnum() or previous == "_")
        out.append(ch.upper() if separator else ch)
        previous = ch
    return "".join(out)


def _repeat(count: Any, text: Any) -> str:
    n = max(_int(count, "repeat"), 0)
    s = _s(text)
    if n * len(s) > MAX_OUTPUT_CHARS:
        raise TemplateFunctionError("repeat: result too large")
    return s * n


def _substr(start: Any, end: Any, text: Any) -> str:
    s = _s(text)
    a, b = _int(start, "substr"), _int(end, "substr")
    if a < 0:
        return s[:b]
    if b < 0 or b > len(s):
        return s[a:]
    if a > b:
        raise TemplateFunctionError(f"substr: start {a} is after end {b}")
    return s[a:b]


def _split(sep: Any, text: Any) -> dict[str, str]:
    """``split sep s`` → ``{"_0": …, "_1": …}``."""
    return {f"_{i}": part for i, part in enumerate(_split_list(sep, text))}


def _split_list(sep: Any, text: Any) -> list[str]:
    s, separator = _s(text), _s(sep)
    if separator == "":
        return list(s)
    return s.split(separator)


def _join(sep: Any, values: Any) -> str:
    """``join sep list``: elements printed with Go rules, nils dropped; a non-list prints as is."""
    if isinstance(values, (list, tuple)):
        return _s(sep).join(go_str(v) for v in values if not is_nil(v))
    return go_str(values)


def _cat(*values: Any) -> str:
    return " ".join(go_str(v) for v in values if not is_nil(v))


def _printf(fmt: Any, *args: Any) -> str:
    return sprintf(_s(fmt), args, lenient=True)


def _print(*args: Any) -> str:
    return sprint(args)


def _b64enc(text: Any) -> str:
    data = text if isinstance(text, (bytes, bytearray)) else _s(text).encode("utf-8")
    return base64.b64encode(bytes(data)).decode("ascii")


_B64_ALPHABET = set(string.ascii_letters + string.digits + "+/")


def _b64dec(text: Any) -> str:
    """``b64dec``: decoded text; on bad input Go's error text is the result (Sprig's behaviour)."""
    s = _s(text)
    try:
        return base64.b64decode(s, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        position = next((i for i, ch in enumerate(s) if ch not in _B64_ALPHABET and ch != "="), len(s))
        return f"illegal base64 data at input byte {position}"


def _sha256sum(text: Any) -> str:
    return hashlib.sha256(_s(text).encode("utf-8")).hexdigest()


def _sha1sum(text: Any) -> str:
    return hashlib.sha1(_s(text).encode("utf-8")).hexdigest()  # noqa: S324 - Sprig's checksum, not security


def _regex(pattern: Any, function: str) -> re.Pattern[str]:
    try:
        return re.compile(_s(pattern))
    except re.error as exc:
        raise TemplateFunctionError(f"{function}: error parsing regexp: {exc}") from exc


def _regex_match(pattern: Any, text: Any) -> bool:
    """``regexMatch re s``: a match anywhere in s; an invalid pattern is ``false``."""
    try:
        return re.search(_s(pattern), _s(text)) is not None
    except re.error:
        return False


_EXPANSION = re.compile(r"\$(?:\$|\{(\w+)\}|(\w+))")


def _go_expand(template: str) -> Callable[[re.Match[str]], str]:
    """A replacement function for Go's ``Regexp.Expand`` syntax (``$1``, ``${1}``, ``${name}``, ``$$``)."""

    def expand(match: re.Match[str]) -> str:
        def reference(ref: re.Match[str]) -> str:
            if ref.group(0) == "$$":
                return "$"
            name = ref.group(1) or ref.group(2)
            try:
                return match.group(int(name) if name.isdigit() else name) or ""
            except IndexError:
                return ""  # Go expands an unknown group to ""

        return _EXPANSION.sub(reference, template)

    return expand


def _regex_replace_all(pattern: Any, text: Any, replacement: Any) -> str:
    """``regexReplaceAll re s repl`` with Go's ``$1``/``${name}`` expansion."""
    return _regex(pattern, "regexReplaceAll").sub(_go_expand(_s(replacement)), _s(text))


def _regex_replace_all_literal(pattern: Any, text: Any, replacement: Any) -> str:
    repl = _s(replacement)
    return _regex(pattern, "regexReplaceAllLiteral").sub(lambda _m: repl, _s(text))


def _regex_find(pattern: Any, text: Any) -> str:
    m = _regex(pattern, "regexFind").search(_s(text))
    return m.group(0) if m else ""


def _regex_find_all(pattern: Any, text: Any, n: Any) -> list[str]:
    limit = _int(n, "regexFindAll")
    found = [m.group(0) for m in _regex(pattern, "regexFindAll").finditer(_s(text))]
    return found if limit < 0 else found[:limit]


def _regex_split(pattern: Any, text: Any, n: Any) -> list[str]:
    limit = _int(n, "regexSplit")
    if limit == 0:
        return []
    return _regex(pattern, "regexSplit").split(_s(text), maxsplit=0 if limit < 0 else limit - 1)


def _rand(alphabet: str, count: Any, function: str) -> str:
    n = _int(count, function)
    if n > MAX_COLLECTION_ITEMS:
        raise TemplateFunctionError(f"{function}: {n} is too many characters")
    return "".join(secrets.choice(alphabet) for _ in range(max(n, 0)))


# ----- defaults, flow, types -------------------------------------------------------------------


def _default(default: Any, *given: Any) -> Any:
    """``default d v``: v unless it is missing or empty (``0``, ``""``, ``false``, ``[]``, ``{}``)."""
    if not given or is_empty(given[0]):
        return default
    return given[0]


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if not is_empty(v)), None)


def _ternary(true_value: Any, false_value: Any, condition: Any) -> Any:
    return true_value if condition and not is_nil(condition) else false_value


def _kind_is(kind: Any, value: Any) -> bool:
    actual = go_kind(value)
    # Integers are Python ints here; Helm shows them as int64 (--set) or float64 (files).
    return _s(kind) == actual or (actual == "int" and _s(kind) == "int64")


def _type_is(name: Any, value: Any) -> bool:
    return _s(name) == go_type(value)


def _eq(first: Any, *others: Any) -> bool:
    """``eq a b c…``: a equals any of the others (nil and missing are equal)."""
    if not others:
        raise TemplateFunctionError("eq: missing argument for comparison")
    a = _value(first)
    return any(a == _value(b) for b in others)


def _ne(a: Any, b: Any) -> bool:
    return bool(_value(a) != _value(b))


def _compare(op: Callable[[Any, Any], bool], name: str) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        try:
            return op(a, b)
        except TypeError as exc:
            raise TemplateFunctionError(
                f"{name}: incompatible types for comparison: {go_type(a)} and {go_type(b)}"
            ) from exc

    compare.__name__ = name
    return compare


def _len(value: Any) -> int:
    if is_nil(value):
        raise TemplateFunctionError("len of nil pointer")
    try:
        return len(value)
    except TypeError as exc:
        raise TemplateFunctionError(f"len of type {go_type(value)}") from exc


# ----- numbers ---------------------------------------------------------------------------------


def _add(*values: Any) -> int:
    return sum(to_int(v) for v in values)


def _add1(value: Any) -> int:
    return to_int(value) + 1


def _sub(a: Any, b: Any) -> int:
    return to_int(a) - to_int(b)


def _mul(a: Any, *values: Any) -> int:
    result = to_int(a)
    for v in values:
        result *= to_int(v)
        if result.bit_length() > 64:
            raise TemplateFunctionError("mul: integer overflow")
    return result


def _div(a: Any, b: Any) -> int:
    """Integer division truncating toward zero, as Go's."""
    x, y = to_int(a), to_int(b)
    if y == 0:
        raise TemplateFunctionError("div: integer divide by zero")
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _mod(a: Any, b: Any) -> int:
    x, y = to_int(a), to_int(b)
    if y == 0:
        raise TemplateFunctionError("mod: integer divide by zero")
    return x - y * _div(x, y)


def _numbers(values: tuple[Any, ...]) -> list[int]:
    # One list argument is a convenience for Jinja's `[1, 2] | max` style.
    if len(values) == 1 and isinstance(values[0], (list, tuple)):
        values = tuple(values[0])
    if not values:
        raise TemplateFunctionError("max/min: need at least one number")
    return [to_int(v) for v in values]


def _max(*values: Any) -> int:
    return max(_numbers(values))


def _min(*values: Any) -> int:
    return min(_numbers(values))


def _until(count: Any) -> list[int]:
    n = _int(count, "until")
    return _until_step(0, n, 1 if n >= 0 else -1)


def _until_step(start: Any, stop: Any, step: Any) -> list[int]:
    a, b, s = _int(start, "untilStep"), _int(stop, "untilStep"), _int(step, "untilStep")
    if s == 0 or (b < a and s > 0) or (b > a and s < 0):
        return []
    span = range(a, b, s)
    if len(span) > MAX_RANGE:
        raise TemplateFunctionError(f"until: {len(span)} items is more than the limit of {MAX_RANGE}")
    return list(span)


# ----- lists -----------------------------------------------------------------------------------


def _list_of(*values: Any) -> list[Any]:
    return [_value(v) for v in values]


def _append(values: Any, item: Any) -> list[Any]:
    return _list(values, "append") + [_value(item)]


def _prepend(values: Any, item: Any) -> list[Any]:
    return [_value(item)] + _list(values, "prepend")


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for item in lists:
        out.extend(_list(item, "concat"))
    return out


def _first(values: Any) -> Any:
    items = _list(values, "first")
    return items[0] if items else None


def _last(values: Any) -> Any:
    items = _list(values, "last")
    return items[-1] if items else None


def _rest(values: Any) -> list[Any]:
    return _list(values, "rest")[1:]


def _initial(values: Any) -> list[Any]:
    return _list(values, "initial")[:-1]


def _reverse(values: Any) -> list[Any]:
    return _list(values, "reverse")[::-1]


def _has(needle: Any, haystack: Any) -> bool:
    """``has needle list``."""
    if is_nil(haystack):
        return False
    return _value(needle) in _list(haystack, "has")


def _uniq(values: Any) -> list[Any]:
    out: list[Any] = []
    for item in _list(values, "uniq"):
        if item not in out:
            out.append(item)
    return out


def _without(values: Any, *omit: Any) -> list[Any]:
    return [v for v in _list(values, "without") if v not in omit]


def _compact(values: Any) -> list[Any]:
    return [v for v in _list(values, "compact") if not is_empty(v)]


def _slice(values: Any, *indices: Any) -> list[Any]:
    items = _list(values, "slice")
    start = _int(indices[0], "slice") if indices else 0
    end = _int(indices[1], "slice") if len(indices) > 1 else len(items)
    return items[start:end]


def _sort_alpha(values: Any) -> list[str]:
    return sorted(_to_strings(values))


# ----- dicts -----------------------------------------------------------------------------------


def _dict_of(*pairs: Any, **kwargs: Any) -> dict[str, Any]:
    """``dict k1 v1 k2 v2…`` (keys printed as strings; an odd count gives the last key ``""``)."""
    out: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        out[go_str(pairs[i])] = _value(pairs[i + 1]) if i + 1 < len(pairs) else ""
    for key, value in kwargs.items():
        out[key] = _value(value)
    return out


def _set(d: Any, key: Any, value: Any) -> dict[str, Any]:
    """``set d k v``: mutates d and returns it."""
    target = _dict(d, "set")
    target[_s(key)] = _value(value)
    return target


def _unset(d: Any, key: Any) -> dict[str, Any]:
    target = _dict(d, "unset")
    target.pop(_s(key), None)
    return target


def _has_key(d: Any, key: Any) -> bool:
    return isinstance(d, Mapping) and _s(key) in d


def _get(d: Any, key: Any) -> Any:
    """``get d k``: the value, or ``""`` when absent."""
    return _dict(d, "get").get(_s(key), "")


def _pick(d: Any, *keys: Any) -> dict[str, Any]:
    source = _dict(d, "pick")
    return {k: source[k] for k in map(_s, keys) if k in source}


def _omit(d: Any, *keys: Any) -> dict[str, Any]:
    drop = set(map(_s, keys))
    return {k: v for k, v in _dict(d, "omit").items() if k not in drop}


def _keys(*dicts: Any) -> list[str]:
    """``keys d…``: sorted (Helm's order is random; charts sort it anyway)."""
    out: list[str] = []
    for d in dicts:
        out.extend(_dict(d, "keys"))
    return sorted(out)


def _values(d: Any) -> list[Any]:
    """``values d``: in key order (Helm's order is random)."""
    source = _dict(d, "values")
    return [source[k] for k in sorted(source)]


def _pluck(key: Any, *dicts: Any) -> list[Any]:
    k = _s(key)
    return [d[k] for d in dicts if isinstance(d, Mapping) and k in d]


def _dig(*args: Any) -> Any:
    """``dig k1 k2… default dict``: the nested value, or default when a key is missing."""
    if len(args) < 3:
        raise TemplateFunctionError("dig needs at least three arguments")
    current = args[-1]
    default = args[-2]
    for key in args[:-2]:
        if not isinstance(current, Mapping):
            raise TemplateFunctionError(f"dig: cannot look up {key!r} in {go_type(current)}")
        if not isinstance(key, str):
            raise TemplateFunctionError(f"dig: keys must be strings, got {go_type(key)}")
        if key not in current:
            return default
        current = current[key]
    return current


def _merge_into(dst: dict[str, Any], src: Mapping[str, Any], overwrite: bool) -> None:
    for key, value in src.items():
        if key in dst and isinstance(dst[key], dict) and isinstance(value, Mapping):
            _merge_into(dst[key], value, overwrite)
        elif overwrite or key not in dst or is_empty(dst[key]):
            dst[key] = value


def _merge(dst: Any, *sources: Any) -> dict[str, Any]:
    """``merge dst src…``: fills keys missing or empty in dst, deeply; mutates and returns dst."""
    target = _dict(dst, "merge")
    for src in sources:
        _merge_into(target, _dict(src, "merge"), overwrite=False)
    return target


def _merge_overwrite(dst: Any, *sources: Any) -> dict[str, Any]:
    """``mergeOverwrite dst src…``: src values win (even empty ones); mutates and returns dst."""
    target = _dict(dst, "mergeOverwrite")
    for src in sources:
        _merge_into(target, _dict(src, "mergeOverwrite"), overwrite=True)
    return target


def _deep_copy(value: Any) -> Any:
    return copy.deepcopy(_value(value))


# ----- paths -----------------------------------------------------------------------------------


def _base(path: Any) -> str:
    p = _s(path).rstrip("/")
    return posixpath.basename(p) if p else ("/" if _s(path).startswith("/") else ".")


def _dir(path: Any) -> str:
    return posixpath.dirname(_s(path).rstrip("/") or "/") or "."


def _ext(path: Any) -> str:
    return posixpath.splitext(_s(path))[1]


def _clean(path: Any) -> str:
    return posixpath.normpath(_s(path)) if _s(path) else "."


# ----- semver, dates, identifiers --------------------------------------------------------------


def _semver_compare(constraint: Any, version: Any) -> bool:
    """``semverCompare constraint version`` (Masterminds rules); an invalid version is an error."""
    from helmlite.errors import ConstraintError
    from helmlite.semver import parse_version, satisfies

    try:
        parse_version(_s(version))
        return satisfies(_s(constraint), _s(version))
    except ConstraintError as exc:
        raise TemplateFunctionError(f"semverCompare: {exc}") from exc


class SemVer:
    """What ``semver "1.2.3-rc.1+b5"`` returns: Masterminds' Version fields."""

    __slots__ = ("Major", "Minor", "Patch", "Prerelease", "Metadata", "Original")

    def __init__(self, original: str, major: int, minor: int, patch: int, prerelease: str, metadata: str) -> None:
        self.Original = original
        self.Major = major
        self.Minor = minor
        self.Patch = patch
        self.Prerelease = prerelease
        self.Metadata = metadata

    def __str__(self) -> str:
        text = f"{self.Major}.{self.Minor}.{self.Patch}"
        if self.Prerelease:
            text += "-" + self.Prerelease
        return text + ("+" + self.Metadata if self.Metadata else "")


def _semver(version: Any) -> SemVer:
    from helmlite.errors import ConstraintError
    from helmlite.semver import parse_version

    try:
        v = parse_version(_s(version))
    except ConstraintError as exc:
        raise TemplateFunctionError(f"semver: {exc}") from exc
    return SemVer(_s(version), v.major, v.minor, v.patch, v.prerelease or "", v.build or "")


def _now() -> _dt.datetime:
    return _dt.datetime.now().astimezone()


def _date(layout: Any, when: Any) -> str:
    """``date layout t``: Go layout; t is a time, or unix seconds (int); anything else means now."""
    if isinstance(when, _dt.datetime):
        moment = when if when.tzinfo else when.astimezone()
    elif isinstance(when, int) and not isinstance(when, bool):
        moment = _dt.datetime.fromtimestamp(when).astimezone()
    else:
        moment = _now()
    return go_time_format(_s(layout), moment)


def _uuidv4() -> str:
    return str(uuid.uuid4())


# ----- Helm's own: include, tpl, required, fail, lookup ----------------------------------------


@pass_context
def _include(context: Context, name: Any, *data: Any) -> str:
    """``include(name[, data])``: the named template rendered with data as ``ctx`` (default: ``ctx``)."""
    value = data[0] if data else context.resolve("ctx")
    return current_state().include(_s(name), value)


@pass_context
def _tpl(context: Context, text: Any, *data: Any) -> str:
    """``tpl(string[, data])``: the string rendered as a template, every define visible."""
    value = data[0] if data else context.resolve("ctx")
    return current_state().tpl(_s(text), value)


def _required(message: Any, value: Any = None, _path: str | None = None) -> Any:
    """``required msg v``: v, unless it is missing or ``""``; then the render fails with msg."""
    if not (is_nil(value) or value == ""):
        return value
    if current_state().lint:
        return ""
    detail = f" (missing or empty: {_path})" if _path else ""
    raise TemplateFailure(f"{_s(message)}{detail}")


def _fail(message: Any) -> str:
    """``fail msg``: stop the render with msg (a no-op while linting)."""
    if current_state().lint:
        return ""
    raise TemplateFailure(_s(message))


def _lookup(api_version: Any, kind: Any, namespace: Any, name: Any) -> Any:
    """``lookup apiVersion kind namespace name``: a live object (or list) from the backend; ``{}`` if none."""
    result = current_state().lookup(_s(api_version), _s(kind), _s(namespace), _s(name))
    return {} if result is None else result


# ----- registry --------------------------------------------------------------------------------

_lt = _compare(lambda a, b: a < b, "lt")
_le = _compare(lambda a, b: a <= b, "le")
_gt = _compare(lambda a, b: a > b, "gt")
_ge = _compare(lambda a, b: a >= b, "ge")

# name → implementation; Helm argument order everywhere.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    # Helm
    "include": _include,
    "tpl": _tpl,
    "required": _required,
    "fail": _fail,
    "lookup": _lookup,
    "toYaml": to_yaml,
    "mustToYaml": _must_to_yaml,
    "toJson": to_json,
    "mustToJson": _must_to_json,
    "toPrettyJson": _to_pretty_json,
    "toRawJson": _to_raw_json,
    "fromYaml": _from_yaml,
    "fromYamlArray": _from_yaml_array,
    "fromJson": _from_json,
    "fromJsonArray": _from_json_array,
    # strings
    "indent": _indent,
    "nindent": _nindent,
    "quote": _quote,
    "squote": _squote,
    "trunc": _trunc,
    "trimSuffix": _trim_suffix,
    "trimPrefix": _trim_prefix,
    "trim": lambda s: _s(s).strip(),
    "trimAll": lambda cutset, s: _s(s).strip(_s(cutset)),
    "replace": lambda old, new, s: _s(s).replace(_s(old), _s(new)),
    "upper": lambda s: _s(s).upper(),
    "lower": lambda s: _s(s).lower(),
    "title": _title,
    "contains": lambda sub, s: _s(sub) in _s(s),
    "hasPrefix": lambda prefix, s: _s(s).startswith(_s(prefix)),
    "hasSuffix": lambda suffix, s: _s(s).endswith(_s(suffix)),
    "repeat": _repeat,
    "substr": _substr,
    "nospace": lambda s: "".join(_s(s).split()),
    "printf": _printf,
    "print": _print,
    "cat": _cat,
    "join": _join,
    "split": _split,
    "splitList": _split_list,
    "toString": _to_string,
    "toStrings": _to_strings,
    "b64enc": _b64enc,
    "b64dec": _b64dec,
    "sha256sum": _sha256sum,
    "sha1sum": _sha1sum,
    "regexMatch": _regex_match,
    "regexReplaceAll": _regex_replace_all,
    "regexReplaceAllLiteral": _regex_replace_all_literal,
    "regexFind": _regex_find,
    "regexFindAll": _regex_find_all,
    "regexSplit": _regex_split,
    "randAlphaNum": lambda n: _rand(string.ascii_letters + string.digits, n, "randAlphaNum"),
    "randAlpha": lambda n: _rand(string.ascii_letters, n, "randAlpha"),
    "randNumeric": lambda n: _rand(string.digits, n, "randNumeric"),
    "uuidv4": _uuidv4,
    # defaults, flow, types
    "default": _default,
    "empty": is_empty,
    "coalesce": _coalesce,
    "ternary": _ternary,
    "kindOf": go_kind,
    "kindIs": _kind_is,
    "typeOf": go_type,
    "typeIs": _type_is,
    "eq": _eq,
    "ne": _ne,
    "lt": _lt,
    "le": _le,
    "gt": _gt,
    "ge": _ge,
    "len": _len,
    "deepCopy": _deep_copy,
    # numbers
    "int": to_int,
    "int64": to_int,
    "float64": to_float,
    "atoi": to_int,
    "add": _add,
    "add1": _add1,
    "sub": _sub,
    "mul": _mul,
    "div": _div,
    "mod": _mod,
    "max": _max,
    "min": _min,
    "until": _until,
    "untilStep": _until_step,
    # lists
    "list": _list_of,
    "append": _append,
    "prepend": _prepend,
    "concat": _concat,
    "first": _first,
    "last": _last,
    "rest": _rest,
    "initial": _initial,
    "reverse": _reverse,
    "has": _has,
    "uniq": _uniq,
    "without": _without,
    "compact": _compact,
    "slice": _slice,
    "sortAlpha": _sort_alpha,
    # dicts
    "dict": _dict_of,
    "set": _set,
    "unset": _unset,
    "hasKey": _has_key,
    "get": _get,
    "pick": _pick,
    "omit": _omit,
    "keys": _keys,
    "values": _values,
    "pluck": _pluck,
    "dig": _dig,
    "merge": _merge,
    "mergeOverwrite": _merge_overwrite,
    # paths
    "base": _base,
    "dir": _dir,
    "ext": _ext,
    "clean": _clean,
    # semver, time
    "semverCompare": _semver_compare,
    "semver": _semver,
    "now": _now,
    "date": _date,
}

# Functions that are also filters. A filter receives the piped value as the LAST argument, as
# in Helm (``x | f(a, b)`` is Helm's ``x | f a b``, i.e. ``f a b x``)...
FILTERS: frozenset[str] = frozenset(FUNCTIONS) - {
    # ...except these, which have no piped form: constructors and nullary functions, functions
    # whose first argument is a name or a message, and regex functions with trailing arguments.
    "include", "tpl", "lookup", "fail", "list", "dict", "uuidv4", "now",
    "regexReplaceAll", "regexReplaceAllLiteral", "regexFindAll", "regexSplit",
}  # fmt: skip
# ...and these Sprig collection functions take the piped value FIRST (``d | get("k")`` is
# ``get d "k"``): their collection comes first, so Helm's pipe order could never call them.
DATA_FIRST_FILTERS: frozenset[str] = frozenset(
    {"get", "hasKey", "pick", "omit", "set", "unset", "merge", "mergeOverwrite", "append", "prepend", "without", "slice"}
)


def _piped(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    def piped(value: Any, *args: Any, **kwargs: Any) -> Any:
        return function(*args, value, **kwargs)

    piped.__name__ = name
    piped.__doc__ = function.__doc__
    return piped


def install(env: Any) -> None:
    """Register every function as a global, and the pipeable ones as filters (Helm's pipe order)."""
    for name, function in FUNCTIONS.items():
        env.globals[name] = function
        if name in DATA_FIRST_FILTERS:
            env.filters[name] = function
        elif name in FILTERS:
            env.filters[name] = _piped(function, name)
