"""Go text/template's builtin functions (``text/template/funcs.go``), with Go's semantics and errors.

``and``/``or`` short-circuit and return an operand (the interpreter evaluates them lazily; the
functions here only exist for their signatures); comparisons follow Go's kind rules, so a
``float64`` from values never equals the literal ``80`` (``incompatible types for comparison``);
``index`` returns nil for a missing map key and errors out of range. These are registered first:
Sprig's ``slice`` replaces the builtin one, as in Helm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from helmlite.gofmt import fmt_value, go_type, sprint, sprintf, sprintln
from helmlite.render.gotemplate.exec import NIL_IFACE, VALUE, is_true
from helmlite.render.gotemplate.funcspec import ANY, STRING, FuncError, gofunc

__all__ = ["go_compare_kind", "html_escape", "js_escape", "url_query_escape"]


def _unbox(value: Any) -> Any:
    return None if value is NIL_IFACE else value


@gofunc("and", VALUE, variadic=VALUE)
def _and(first: Any, *rest: Any) -> Any:
    for value in (first, *rest):
        if not is_true(value):
            return _unbox(value)
    return _unbox(rest[-1] if rest else first)


@gofunc("or", VALUE, variadic=VALUE)
def _or(first: Any, *rest: Any) -> Any:
    for value in (first, *rest):
        if is_true(value):
            return _unbox(value)
    return _unbox(rest[-1] if rest else first)


@gofunc("not", VALUE)
def _not(value: Any) -> bool:
    return not is_true(value)


# --- comparison ----------------------------------------------------------------------------------

_BOOL, _INT, _FLOAT, _STRING, _INVALID = "bool", "int", "float", "string", "invalid"


def go_compare_kind(value: Any) -> str:
    """Go's ``basicKind``: bool, int (every integer type), float, string, or invalid."""
    if value is None or value is NIL_IFACE:
        return _INVALID
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INT
    if isinstance(value, float):
        return _FLOAT
    if isinstance(value, str):
        return _STRING
    return _INVALID


def _is_valid(value: Any) -> bool:
    return value is not None


def _is_nil(value: Any) -> bool:
    # A nil interface, or a typed nil slice or map (.Files.missing, an absent .Chart.Annotations).
    return value is None or value is NIL_IFACE or getattr(type(value), "GO_NIL", False)


def _incompatible(a: Any, b: Any) -> FuncError:
    return FuncError(f"incompatible types for comparison: {go_type(_unbox(a))} and {go_type(_unbox(b))}")


@gofunc("eq", VALUE, variadic=VALUE, returns_error=True)
def _eq(arg1: Any, *others: Any) -> bool:
    if not others:
        raise FuncError("missing argument for comparison")
    k1 = go_compare_kind(arg1)
    for arg in others:
        k2 = go_compare_kind(arg)
        if k1 != k2:
            # A nil operand compares unequal to anything else without an error.
            if not _is_nil(arg1) and not _is_nil(arg):
                raise _incompatible(arg1, arg)
            truth = False
        elif k1 != _INVALID:
            truth = arg1 == arg
        elif _is_nil(arg1) or _is_nil(arg):
            truth = _is_nil(arg1) == _is_nil(arg)
        else:
            a, b = _unbox(arg1), _unbox(arg)
            if go_type(a) != go_type(b):
                raise FuncError(f"non-comparable types {fmt_value(a)}: {go_type(a)}, {go_type(b)}: {fmt_value(b)}")
            if isinstance(b, (Mapping, list, tuple, bytes, bytearray)):
                raise FuncError(f"non-comparable type {sprintf('%s', [b])}: {go_type(b)}")
            truth = a == b
        if truth:
            return True
    return False


@gofunc("ne", VALUE, VALUE, returns_error=True)
def _ne(arg1: Any, arg2: Any) -> bool:
    return not _eq(arg1, arg2)


def _less(arg1: Any, arg2: Any) -> bool:
    k1 = go_compare_kind(arg1)
    if k1 == _INVALID:
        raise FuncError("invalid type for comparison")
    k2 = go_compare_kind(arg2)
    if k2 == _INVALID:
        raise FuncError("invalid type for comparison")
    if k1 != k2:
        raise _incompatible(arg1, arg2)
    if k1 == _BOOL:
        raise FuncError("invalid type for comparison")
    return bool(arg1 < arg2)


@gofunc("lt", VALUE, VALUE, returns_error=True)
def _lt(arg1: Any, arg2: Any) -> bool:
    return _less(arg1, arg2)


@gofunc("le", VALUE, VALUE, returns_error=True)
def _le(arg1: Any, arg2: Any) -> bool:
    return _less(arg1, arg2) or _eq(arg1, arg2)


@gofunc("gt", VALUE, VALUE, returns_error=True)
def _gt(arg1: Any, arg2: Any) -> bool:
    return not (_less(arg1, arg2) or _eq(arg1, arg2))


@gofunc("ge", VALUE, VALUE, returns_error=True)
def _ge(arg1: Any, arg2: Any) -> bool:
    return not _less(arg1, arg2)


# --- index, slice, len ---------------------------------------------------------------------------


def _index_arg(index: Any, size: int) -> int:
    if _is_nil(index):
        raise FuncError("cannot index slice/array with nil")
    if isinstance(index, bool) or not isinstance(index, int):
        raise FuncError(f"cannot index slice/array with type {go_type(index)}")
    if index < 0 or index > size:
        raise FuncError(f"index out of range: {index}")
    return int(index)


def _element(item: Any, x: int) -> Any:
    if x == len(item):
        raise FuncError(f"reflect: {'string' if isinstance(item, str) else 'slice'} index out of range")
    if isinstance(item, str):
        return item.encode("utf-8")[x]
    value = item[x]
    return NIL_IFACE if value is None else value


@gofunc("index", VALUE, variadic=VALUE, returns_error=True)
def _index(item: Any, *indexes: Any) -> Any:
    item = _unbox(item)  # Go's indirectInterface: a nil interface is an untyped nil here
    if item is None:
        raise FuncError("index of untyped nil")
    for index in indexes:
        index = _unbox(index)
        if item is None or item is NIL_IFACE:
            raise FuncError("index of nil pointer")
        if isinstance(item, (list, tuple, bytes, bytearray)):
            item = _element(item, _index_arg(index, len(item)))
        elif isinstance(item, str):
            item = _element(item, _index_arg(index, len(item.encode("utf-8"))))
        elif isinstance(item, Mapping):
            if index is None:
                raise FuncError("value is nil; should be of type string")
            if not isinstance(index, str):
                raise FuncError(f"value has type {go_type(index)}; should be string")
            value = item.get(index)
            item = NIL_IFACE if value is None else value
        else:
            raise FuncError(f"can't index item of type {go_type(item)}")
    return item


@gofunc("slice", VALUE, variadic=VALUE, returns_error=True)
def _slice(item: Any, *indexes: Any) -> Any:
    item = _unbox(item)
    if item is None:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise FuncError("cannot 3-index slice a string")
        data = item.encode("utf-8")
        bounds = [_index_arg(_unbox(i), len(data)) for i in indexes]
        start, end = (bounds + [0, len(data)][len(bounds) :])[:2] if bounds else (0, len(data))
        if start > end:
            raise FuncError(f"invalid slice index: {start} > {end}")
        return data[start:end].decode("utf-8", "replace")
    if isinstance(item, (list, tuple)):
        bounds = [_index_arg(_unbox(i), len(item)) for i in indexes]
        start = bounds[0] if bounds else 0
        end = bounds[1] if len(bounds) > 1 else len(item)
        if start > end:
            raise FuncError(f"invalid slice index: {start} > {end}")
        return type(item)(item[start:end]) if isinstance(item, list) else list(item[start:end])
    raise FuncError(f"can't slice item of type {go_type(item)}")


@gofunc("len", VALUE, returns_error=True)
def _len(item: Any) -> int:
    if item is NIL_IFACE:
        raise FuncError("len of nil pointer")
    if item is None:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return len(item.encode("utf-8"))
    if isinstance(item, (list, tuple, bytes, bytearray, Mapping)):
        return len(item)
    raise FuncError(f"len of type {go_type(item)}")


@gofunc("call", VALUE, variadic=VALUE, returns_error=True)
def _call(fn: Any, *args: Any) -> Any:
    fn = _unbox(fn)
    if fn is None:
        raise FuncError("call of nil")
    if not callable(fn):
        raise FuncError(f"non-function of type {go_type(fn)}")
    return fn(*(_unbox(a) for a in args))


# --- printing and escaping -----------------------------------------------------------------------


@gofunc("print", variadic=ANY)
def _print(*args: Any) -> str:
    return sprint(args)


@gofunc("printf", STRING, variadic=ANY)
def _printf(fmt: str, *args: Any) -> str:
    return sprintf(fmt, args)


@gofunc("println", variadic=ANY)
def _println(*args: Any) -> str:
    return sprintln(args)


def _eval_args(args: tuple[Any, ...]) -> str:
    """Go's ``evalArgs``: one string is used as is, anything else is ``fmt.Sprint``-ed."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(["<no value>" if a is None else a for a in args])


_HTML = {'"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;", "\x00": "\ufffd"}


def html_escape(text: str) -> str:
    """``template.HTMLEscapeString``."""
    if not any(c in text for c in _HTML):
        return text
    return "".join(_HTML.get(c, c) for c in text)


_JS = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}


def js_escape(text: str) -> str:
    """``template.JSEscapeString``: quotes, ``<>&=`` and control characters as ``\\uXXXX``."""
    out: list[str] = []
    for c in text:
        if c in _JS:
            out.append(_JS[c])
        elif c < " ":
            out.append(f"\\u00{ord(c):02X}")
        elif ord(c) < 0x80 or c.isprintable():
            out.append(c)
        else:
            out.append(f"\\u{ord(c):04X}")
    return "".join(out)


_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def url_query_escape(text: str) -> str:
    """``url.QueryEscape``: space as ``+``, unreserved bytes kept, the rest ``%XX``."""
    out: list[str] = []
    for byte in text.encode("utf-8"):
        c = chr(byte)
        if c in _URL_SAFE:
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


@gofunc("html", variadic=ANY)
def _html(*args: Any) -> str:
    return html_escape(_eval_args(args))


@gofunc("js", variadic=ANY)
def _js(*args: Any) -> str:
    return js_escape(_eval_args(args))


@gofunc("urlquery", variadic=ANY)
def _urlquery(*args: Any) -> str:
    return url_query_escape(_eval_args(args))
