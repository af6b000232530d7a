"""YAML in Helm's dialect: loading untrusted values files and dumping values.

Helm reads YAML with go-yaml v2 (YAML 1.1 rules) and then converts it to JSON
(helm-behaviour.md §3.12). ``load_yaml`` reproduces what a chart sees:

- booleans are YAML 1.1's *and* ``y``/``Y``/``n``/``N``; ``~``/``null``/empty are null;
- integers follow Go: ``0o17``, ``017``, ``0x1F``, ``0b101``, ``1_000``; they stay Python ints
  (helmlite deliberately never turns ``1000000`` into ``1e+06``);
- floats follow Go too (``1e3`` is a float, sexagesimal ``1:30`` is a string);
  ``.inf``/``.nan`` are errors, because JSON cannot hold them;
- no timestamps: ``2001-12-14`` stays a string; a bare ``=`` is a string;
- mapping keys become strings the way Helm's YAML→JSON step does (``on:``/``yes:``/``y:`` →
  ``"true"``, ``1:`` → ``"1"``, ``1e6:`` → ``"1e+06"``); a null key is an error;
- duplicate keys: the last one wins; ``<<`` merge keys work; an anchor may be defined again
  (an alias names the latest definition), and alias errors use go-yaml's words
  (``unknown anchor 'x' referenced``, ``anchor 'x' value contains itself``);
- unknown tags (``!foo 5``) are read as plain data, ``!!binary`` as text.

Untrusted input is bounded: ``MAX_YAML_BYTES`` of input, ``MAX_YAML_DEPTH`` nested
collections and ``MAX_ALIAS_NODES`` nodes added by alias expansion (billion laughs). Every
alias yields a private copy, so loaded values never share mutable parts.

``dump_yaml`` writes what Helm's ``toYaml`` writes (sigs.k8s.io/yaml: JSON, read back and
emitted by go-yaml v2): go-yaml's key order, double quotes around strings that would read back
as another type, ``|`` blocks for multi-line strings, NELs folded and control characters
refused as the JSON step does, go-yaml's writing where libyaml's emitter differs (U+2028 and
U+2029 at the end of a string, a leading BOM, no ``...`` document end); it only folds long
lines when asked to (``HELM_LINE_WIDTH``). ``unmarshal_yaml`` reads a rendered manifest as
Helm does, with Helm's error messages.
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import io
import math
import re
import secrets
import struct
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, MappingEndEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.representer import SafeRepresenter

from helmlite.errors import ValuesError
from helmlite.values.coalesce import merge_maps

__all__ = [
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_ALIAS_NODES",
    "HELM_LINE_WIDTH",
    "load_yaml",
    "load_yaml_documents",
    "load_first_document",
    "load_values",
    "unmarshal_yaml",
    "dump_yaml",
    "describe_yaml_error",
    "go_yaml_error",
    "go_yaml_key",
]

MAX_YAML_BYTES = 16 * 1024 * 1024
"""Largest YAML input accepted (bytes; characters for ``str`` input)."""

MAX_YAML_DEPTH = 100
"""Deepest nesting of collections accepted, counting what aliases expand to."""

MAX_ALIAS_NODES = 1_000_000
"""Most nodes that alias expansion may add to a stream (guards against "billion laughs")."""

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# The node the composer puts where an alias names the collection it is inside (not a YAML tag).
_RECURSIVE_ALIAS = "helmlite:recursive-alias"

_BOOLEANS = {"y": True, "yes": True, "on": True, "true": True, "n": False, "no": False, "off": False, "false": False}
_BOOL_WORDS = frozenset("y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF".split())
_NULL_WORDS = frozenset(["", "~", "null", "Null", "NULL"])
_SPECIAL_FLOATS = frozenset(".inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF .nan .NaN .NAN".split())
# go-yaml v2 resolve(): strconv.ParseInt(s, 0, 64) after removing "_", else its yamlStyleFloat.
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")

HELM_LINE_WIDTH = 80
"""The column where Helm's ``toYaml`` (go-yaml) folds long strings: ``dump_yaml(x, width=HELM_LINE_WIDTH)``."""

# libyaml's emitter folds long scalars at its width; this is the largest it takes.
_NO_FOLDING = 2**31 - 1


def _plain_scalar_tag(value: str) -> str:
    """The tag go-yaml v2 gives an untagged plain scalar."""
    if value in _BOOL_WORDS:
        return _BOOL
    if value in _NULL_WORDS:
        return _NULL
    if value in _SPECIAL_FLOATS:
        return _FLOAT
    if value == "<<":
        return _MERGE
    first = value[0]
    if first in "+-0123456789":
        digits = value.replace("_", "")
        if _GO_INT.fullmatch(digits):
            return _INT
        if _GO_FLOAT.fullmatch(digits):
            return _FLOAT
    elif first == "." and _GO_FLOAT.fullmatch(value):
        return _FLOAT
    return _STR


def _parse_go_int(text: str) -> int:
    """An integer in Go's base-0 syntax (``0x``, ``0o``, ``0b``, leading-zero octal); ValueError if not."""
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    if digits[:1] in ("-", "+"):
        digits = digits[1:]
    prefix = digits[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        return sign * int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits, 10)


def _float_key_text(value: float) -> str:
    """A float key as sigs.k8s.io/yaml writes it: strconv.FormatFloat(v, 'g', -1, 32)."""
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        single = math.copysign(math.inf, value)
    if math.isinf(single):
        return "-.inf" if single < 0 else ".inf"  # too large for float32: Go spells infinity so here
    # The shortest mantissa that reads back as the same float32, as Go's shortest formatting.
    for precision in range(9):
        text = f"{single:.{precision}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    mantissa, exponent_text = text.split("e")
    exponent = int(exponent_text)
    if exponent < -4 or exponent >= 6:
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        return f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    significant = len(mantissa.replace("-", "").replace(".", ""))
    return f"{float(text):.{max(significant - exponent - 1, 0)}f}"


class _GoYAMLFailure(yaml.MarkedYAMLError):
    """An error go-yaml raises without a line number (its ``failf``): Helm's message is the bare
    problem; helmlite's own messages still say where (``problem_mark``)."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _HelmLoader(Composer, yaml.CSafeLoader):
    """libyaml's scanner and parser, PyYAML's composer (bounded) and constructor (Helm's dialect).

    The Python composer replaces libyaml's because that one recurses on the C stack and
    crashes the interpreter on deeply nested input (measured: segfault at 100,000 levels).
    Composing in Python lets every node be counted, so depth and alias expansion are bounded
    exactly; it costs about 25% more than the C loader on a large values file.
    """

    def __init__(self, stream: bytes | str) -> None:
        yaml.CSafeLoader.__init__(self, stream)
        Composer.__init__(self)
        self._depth = 0
        self._deepest = 0
        self._nodes = 0
        self._alias_nodes = 0
        # anchor -> (expanded node count, height in collections) of its finished node
        self._anchor_shapes: dict[str, tuple[int, int]] = {}
        self._recursive_aliases = False  # the document holds an alias inside its own anchor

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _plain_scalar_tag(value or "") if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def compose_document(self) -> Any:
        self.get_event()  # document start
        self._recursive_aliases = False
        node = self.compose_node(None, None)
        self.get_event()  # document end
        self.anchors = {}
        self._anchor_shapes = {}
        return node

    def compose_node(self, parent: Any, index: Any) -> Any:
        # One function for every kind of node (PyYAML's composer takes four calls per node):
        # composing is most of what this loader adds to libyaml's time.
        event: Any = self.get_event()
        kind = type(event)
        if kind is AliasEvent:
            return self._compose_alias(event)
        # An anchor may be defined again (go-yaml v2 allows it): an alias names the latest one.
        anchor = event.anchor
        self._nodes += 1
        tag = event.tag
        if kind is ScalarEvent:
            if tag is None or tag == "!":
                tag = self.resolve(ScalarNode, event.value, event.implicit)
            node: Any = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            if anchor is not None:
                self.anchors[anchor] = node
                self._anchor_shapes[anchor] = (1, 0)
            return node

        base_depth = self._depth
        self._depth = depth = base_depth + 1
        if depth > MAX_YAML_DEPTH:
            raise ComposerError(None, None, f"nesting is deeper than {MAX_YAML_DEPTH} levels", event.start_mark)
        self._deepest = max(self._deepest, depth)
        outer_deepest, first_node = self._deepest, self._nodes - 1
        if kind is SequenceStartEvent:
            node = SequenceNode(_SEQ if tag in (None, "!") else tag, [], event.start_mark, None, event.flow_style)
            if anchor is not None:
                self.anchors[anchor] = node
                self._anchor_shapes.pop(anchor, None)  # unfinished: an alias to it inside is recursive
                self._deepest = depth
            items = node.value
            while not self.check_event(SequenceEndEvent):
                items.append(self.compose_node(node, None))
        else:
            node = MappingNode(_MAP if tag in (None, "!") else tag, [], event.start_mark, None, event.flow_style)
            if anchor is not None:
                self.anchors[anchor] = node
                self._anchor_shapes.pop(anchor, None)
                self._deepest = depth
            pairs = node.value
            while not self.check_event(MappingEndEvent):
                key = self.compose_node(node, None)
                pairs.append((key, self.compose_node(node, key)))
        end: Any = self.get_event()
        node.end_mark = end.end_mark
        self._depth = base_depth
        if anchor is not None:
            # Its expanded size and height, charged again wherever an alias repeats it.
            self._anchor_shapes[anchor] = (self._nodes - first_node, self._deepest - base_depth)
            self._deepest = max(outer_deepest, self._deepest)
        return node

    def _compose_alias(self, event: Any) -> Any:
        anchor = event.anchor
        if anchor not in self.anchors:
            raise _GoYAMLFailure(f"unknown anchor '{anchor}' referenced", event.start_mark)
        shape = self._anchor_shapes.get(anchor)
        if shape is None:
            # An alias inside its own anchor. go-yaml fails on it only when decoding, after the
            # whole document parsed, so a syntax error further on is the one reported: the node
            # stands in for the value and its constructor raises.
            self._nodes += 1
            self._recursive_aliases = True
            return ScalarNode(_RECURSIVE_ALIAS, anchor, event.start_mark, event.end_mark)
        size, height = shape
        self._nodes += size
        self._alias_nodes += size
        if self._alias_nodes > MAX_ALIAS_NODES:
            raise ComposerError(None, None, f"aliases expand to more than {MAX_ALIAS_NODES} nodes", event.start_mark)
        if self._depth + height > MAX_YAML_DEPTH:
            raise ComposerError(None, None, f"nesting is deeper than {MAX_YAML_DEPTH} levels", event.start_mark)
        self._deepest = max(self._deepest, self._depth + height)
        return self.anchors[anchor]

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # Everything is built depth first, so an anchored value is complete when an alias
        # names it; the alias gets a copy so that editing one place never edits another.
        if node in self.constructed_objects:
            return copy.deepcopy(self.constructed_objects[node])
        return super().construct_object(node, deep=True)

    def flatten_mapping(self, node: Any) -> None:
        if self._recursive_aliases:
            # PyYAML would call a recursive alias merged with "<<" a scalar that cannot merge.
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    for merged in value_node.value if isinstance(value_node, SequenceNode) else [value_node]:
                        if merged.tag == _RECURSIVE_ALIAS:
                            _construct_recursive_alias(self, merged)
        super().flatten_mapping(node)  # type: ignore[no-untyped-call]

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, f"expected a mapping node, but found {node.id}", node.start_mark)
        self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _key_text(self.construct_object(key_node), key_node)
            mapping[key] = self.construct_object(value_node)
        return mapping


def _key_text(key: Any, node: Any) -> str:
    """A mapping key as Helm's YAML→JSON conversion spells it."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return _float_key_text(key)
    if key is None:
        raise ConstructorError(None, None, "unsupported map key: null", node.start_mark)
    raise ConstructorError(None, None, f"invalid map key: a {type(key).__name__}", node.start_mark)


def _scalar_error(node: Any, what: str) -> ConstructorError:
    return ConstructorError(None, None, f"invalid {what} {node.value!r}", node.start_mark)


def _construct_bool(loader: _HelmLoader, node: Any) -> bool:
    value = _BOOLEANS.get(loader.construct_scalar(node).lower())
    if value is None:
        raise _scalar_error(node, "boolean")
    return value


def _construct_int(loader: _HelmLoader, node: Any) -> int:
    try:
        return _parse_go_int(loader.construct_scalar(node))
    except ValueError:
        raise _scalar_error(node, "integer") from None


def _construct_float(loader: _HelmLoader, node: Any) -> float:
    text = loader.construct_scalar(node)
    try:
        value = float(text.replace("_", "")) if text not in _SPECIAL_FLOATS else math.inf
    except ValueError:
        raise _scalar_error(node, "float") from None
    if not math.isfinite(value):
        # Helm fails the same way ("json: unsupported value: +Inf"): JSON has no such numbers.
        raise ConstructorError(
            None, None, f"unsupported value {text!r}: infinity and NaN cannot be represented in JSON", node.start_mark
        )
    return value


def _construct_binary(loader: _HelmLoader, node: Any) -> str:
    # Helm decodes !!binary and keeps the bytes as a string; JSON then replaces invalid UTF-8.
    try:
        data = base64.b64decode("".join(loader.construct_scalar(node).split()), validate=True)
    except (binascii.Error, ValueError):
        raise _scalar_error(node, "base64 value") from None
    return data.decode("utf-8", "replace")


def _construct_timestamp(loader: _HelmLoader, node: Any) -> str:
    return loader.construct_scalar(node)  # Helm keeps timestamps as the text written


def _construct_set(loader: _HelmLoader, node: Any) -> dict[Any, Any]:
    return loader.construct_mapping(node)  # a map whose values are all null, as go-yaml reads it


def _construct_pairs(loader: _HelmLoader, node: Any) -> list[Any]:
    return loader.construct_sequence(node)  # the list of one-entry maps it is written as


def _construct_recursive_alias(loader: _HelmLoader, node: Any) -> Any:
    raise _GoYAMLFailure(f"anchor '{node.value}' value contains itself", node.start_mark)


def _construct_untagged(loader: _HelmLoader, node: Any) -> Any:
    # go-yaml ignores tags it does not know: the node is read as plain data.
    if isinstance(node, ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_HelmLoader.add_constructor(_BOOL, _construct_bool)
_HelmLoader.add_constructor(_INT, _construct_int)
_HelmLoader.add_constructor(_FLOAT, _construct_float)
_HelmLoader.add_constructor("tag:yaml.org,2002:binary", _construct_binary)
_HelmLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_HelmLoader.add_constructor("tag:yaml.org,2002:set", _construct_set)
_HelmLoader.add_constructor("tag:yaml.org,2002:omap", _construct_pairs)
_HelmLoader.add_constructor("tag:yaml.org,2002:pairs", _construct_pairs)
_HelmLoader.add_constructor(_RECURSIVE_ALIAS, _construct_recursive_alias)
_HelmLoader.add_constructor(None, _construct_untagged)


def _check_size(data: bytes | str, source: str) -> None:
    if len(data) > MAX_YAML_BYTES:
        raise ValuesError(f"{source}: {len(data)} bytes is more than the {MAX_YAML_BYTES} allowed for a YAML file")


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """One line for a PyYAML error: ``line N: problem (context)``, without PyYAML's snippets."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context:
            problem = f"{exc.problem} ({exc.context})"
        where = f"line {mark.line + 1}: " if mark is not None else ""
        return f"{where}{problem}"
    if isinstance(exc, ReaderError):
        return f"{exc.reason} (character {exc.character!r} at position {exc.position})"
    return " ".join(str(exc).split())


def go_yaml_error(exc: yaml.YAMLError) -> str:
    """A libyaml error as go-yaml v2 words it (what Helm prints for invalid template output):
    ``line N: problem`` without the context, where N is go-yaml's: a scanner error's 1-based
    line, a parser error's 0-based one, and no line at all when that number is 0 or go-yaml
    words the problem without one (``unknown anchor 'x' referenced``)."""
    if isinstance(exc, _GoYAMLFailure):
        return str(exc.problem)
    if not isinstance(exc, yaml.MarkedYAMLError):
        return describe_yaml_error(exc)
    line = 0
    if exc.problem_mark is not None and exc.problem_mark.line != 0:
        line = exc.problem_mark.line + (1 if isinstance(exc, yaml.scanner.ScannerError) else 0)
    elif exc.context_mark is not None:
        line = exc.context_mark.line
    problem = exc.problem or "unknown problem parsing YAML content"
    return f"line {line}: {problem}" if line else problem


def _values_error(source: str, exc: yaml.YAMLError) -> ValuesError:
    return ValuesError(f"{source}: {describe_yaml_error(exc)}")


def load_yaml(data: bytes | str, source: str) -> Any:
    """Parse one YAML document in Helm's dialect (see the module docstring).

    Returns the document (None for an empty one). ``source`` names the input in errors.
    Raises ValuesError ("<source>: line N: <problem>") for malformed or oversized input,
    more than one document, nesting deeper than MAX_YAML_DEPTH, excessive aliasing,
    ``.inf``/``.nan`` and null or collection mapping keys.
    """
    _check_size(data, source)
    try:
        return yaml.load(data, Loader=_HelmLoader)  # noqa: S506 - _HelmLoader is a safe loader
    except yaml.YAMLError as exc:
        raise _values_error(source, exc) from None


def load_yaml_documents(data: bytes | str, source: str) -> list[Any]:
    """Parse every document of a YAML stream in Helm's dialect; empty documents are None.

    Raises ValuesError like ``load_yaml``.
    """
    _check_size(data, source)
    try:
        return list(yaml.load_all(data, Loader=_HelmLoader))  # noqa: S506 - _HelmLoader is a safe loader
    except yaml.YAMLError as exc:
        raise _values_error(source, exc) from None


def load_first_document(data: bytes | str, source: str) -> Any:
    """Parse only the first document of a YAML stream in Helm's dialect (None when there is none).

    What ``sigs.k8s.io/yaml.Unmarshal`` (Helm's ``fromYaml``) does: later documents are not read.
    Raises ValuesError like ``load_yaml``.
    """
    _check_size(data, source)
    loader = _HelmLoader(data)
    try:
        return loader.get_data() if loader.check_data() else None
    except yaml.YAMLError as exc:
        raise _values_error(source, exc) from None
    finally:
        loader.dispose()


def unmarshal_yaml(data: str) -> Any:
    """What ``sigs.k8s.io/yaml.Unmarshal`` reads, in Helm's dialect: the first document of
    ``data`` (None when there is none); later documents are not read, so errors in them do not
    count.

    Raises ValuesError with the message Helm prints for the same input where go-yaml's words are
    known (syntax errors, undefined or recursive aliases): ``error converting YAML to JSON:
    yaml: unknown anchor 'x' referenced``; oversized input as ``load_yaml`` does.
    """
    if len(data) > MAX_YAML_BYTES:
        raise ValuesError(f"{len(data)} bytes is more than the {MAX_YAML_BYTES} allowed for a YAML document")
    loader = _HelmLoader(data)
    try:
        return loader.get_data() if loader.check_data() else None
    except yaml.YAMLError as exc:
        raise ValuesError(f"error converting YAML to JSON: yaml: {go_yaml_error(exc)}") from None
    finally:
        loader.dispose()


def load_values(data: bytes | str, source: str) -> dict[str, Any]:
    """Parse a values file: its documents deep-merged in order, as Helm's ``loader.LoadValues``.

    Returns a dict ({} for an empty file). Raises ValuesError naming ``source`` when the YAML
    is invalid (see ``load_yaml``) or a document is not a map.
    """
    values: dict[str, Any] = {}
    for document in load_yaml_documents(data, source):
        if document is None:
            continue
        if not isinstance(document, dict):
            raise ValuesError(f"{source}: values must be a map of keys to values, got {type(document).__name__}")
        values = merge_maps(values, document) if values else document
    return values


def _go_key_less(a: str, b: str) -> bool:
    """go-yaml's map key order (sorter.go): letters compare by code point and after other
    characters; runs of digits compare as numbers ("a9" < "a10")."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        a_letter, b_letter = ca.isalpha(), cb.isalpha()
        if a_letter and b_letter:
            return ca < cb
        if a_letter or b_letter:
            return b_letter
        a_number = b_number = 0
        if ca == "0" or cb == "0":
            # a zero inside a number ("10" vs "1x") counts; leading zeros ("a01") do not
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    a_number = b_number = 1
                    break
                j -= 1
        a_end = i
        while a_end < len(a) and a[a_end].isdecimal():
            a_number = a_number * 10 + ord(a[a_end]) - ord("0")
            a_end += 1
        b_end = i
        while b_end < len(b) and b[b_end].isdecimal():
            b_number = b_number * 10 + ord(b[b_end]) - ord("0")
            b_end += 1
        if a_number != b_number:
            return a_number < b_number
        if a_end != b_end:
            return a_end < b_end
        return ca < cb
    return len(a) < len(b)


def _go_key_compare(a: str, b: str) -> int:
    return -1 if _go_key_less(a, b) else int(_go_key_less(b, a))


# Sort key for map keys in go-yaml v2's order (what Helm's toYaml and index.yaml use).
go_yaml_key = functools.cmp_to_key(_go_key_compare)


# toYaml is sigs.k8s.io/yaml.Marshal: json.Marshal, read back by go-yaml, emitted by go-yaml. A
# string with none of these characters goes through those steps unchanged and libyaml's emitter
# writes it as go-yaml's does; one with any of them takes _HelmDumper._go_string.
_GO_YAML_ODD = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# What json.Marshal leaves raw and go-yaml's reader refuses: the read back fails.
_GO_YAML_CONTROL = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
# A raw NEL in a JSON string is a line break inside a double-quoted scalar, so it folds: with
# the spaces around it (json.Marshal escapes tabs) one becomes a space, n of them n-1 newlines.
_NEL_RUN = re.compile(" *(?:\x85 *)+")
_LINE_BREAKS = ("\n", "\r", "\u2028", "\u2029")
# go-yaml's escapes in a double-quoted scalar (emitterc.go); others are \xXX, \uXXXX, \UXXXXXXXX.
_GO_DOUBLE_ESCAPES = {
    "\x00": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f", "\r": "r",
    "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
}  # fmt: skip


def _fold_nel(match: re.Match[str]) -> str:
    breaks = match.group(0).count("\x85")
    return " " if breaks == 1 else "\n" * (breaks - 1)


def _go_escaped(text: str) -> str:
    """A string go-yaml writes with every character escaped: one starting with a BOM (its
    ``is_bom`` looks at the start of the string, not at the character being written)."""
    out = ['"']
    for ch in text:
        short = _GO_DOUBLE_ESCAPES.get(ch)
        code = ord(ch)
        if short is not None:
            out.append("\\" + short)
        elif code <= 0xFF:
            out.append(f"\\x{code:02X}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


class _GoReadBackFailure(Exception):
    """go-yaml cannot read back the JSON of the value being dumped (dump_yaml says why)."""


class _HelmDumper(yaml.CSafeDumper):
    """libyaml's emitter, writing what Helm's toYaml (go-yaml v2) writes: keys in go-yaml's
    order, and a string that would read back as another type double-quoted.

    Where libyaml writes a string otherwise than go-yaml, the string is handed to libyaml with
    a marker (``self.marker``, random so that no value contains it) that ``dump_yaml`` finds in
    the output and fixes: ``end_marked`` strings (libyaml indents after their final line break
    before the closing quote) and ``bom_strings`` (go-yaml escapes them whole).
    """

    def __init__(self, stream: Any, **options: Any) -> None:
        super().__init__(stream, **options)
        self.marker = ""  # made when first needed
        self.end_marked = 0
        self.bom_strings: list[str] = []

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        # YAML 1.1's reading (timestamps, 1:30) or Helm's (y, 0o17, 1e3): either one means quotes.
        tag: str = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        if kind is ScalarNode and implicit[0] and tag in (_STR, _VALUE) and value:
            tag = _plain_scalar_tag(value)
        return tag

    def ignore_aliases(self, data: Any) -> bool:
        # Values are trees; a shared sub-dict is written out in full, never as &anchor/*alias.
        return True

    def represent_go_map(self, data: dict[Any, Any]) -> Any:
        if any(isinstance(key, str) and "\x85" in key for key in data):
            raise _GoReadBackFailure  # a key with a line break cannot be a JSON key in YAML
        items = sorted(data.items(), key=lambda item: go_yaml_key(str(item[0])))
        return self.represent_mapping(_MAP, items)

    def represent_go_str(self, data: str) -> Any:
        text = str.__str__(data)  # libyaml's emitter takes exact str only
        if _GO_YAML_ODD.search(text) is not None:
            text = self._go_string(text)
        if self.resolve(ScalarNode, text, (True, False)) != _STR:
            style: str | None = '"'
        elif "\n" in text:
            style = "|"  # libyaml falls back to quotes when a block cannot hold the text
        else:
            style = None  # plain when it can be, else quoted
        return self.represent_scalar(_STR, text, style=style)

    def _go_string(self, text: str) -> str:
        """What to hand libyaml for a string with a character of ``_GO_YAML_ODD``: the string as
        go-yaml reads it back from JSON, marked where libyaml would write it otherwise."""
        if _GO_YAML_CONTROL.search(text) is not None:
            raise _GoReadBackFailure
        if "\x85" in text:
            text = _NEL_RUN.sub(_fold_nel, text)
        if text.startswith("\ufeff"):
            # A stand-in that libyaml double-quotes (the BOM) and writes as a key in the same
            # form: a multi-line or longer-than-128-bytes key is written after "? ".
            self.bom_strings.append(text)
            stand_in = f"\ufeff{self._marker()}b{len(self.bom_strings) - 1}"
            if any(brk in text for brk in _LINE_BREAKS):
                stand_in += "\u2028"
            if len(text.encode("utf-8", "surrogatepass")) > 128:
                stand_in += "x" * 129
            return stand_in
        if text.endswith(("\u2028", "\u2029")) and "\n" not in text:
            # libyaml single-quotes it as go-yaml does, but indents before the closing quote.
            self.end_marked += 1
            return f"{text}{self._marker()}e"
        return text

    def _marker(self) -> str:
        if not self.marker:
            self.marker = f"helmlite{secrets.token_hex(12)}"
        return self.marker


_HelmDumper.add_representer(str, _HelmDumper.represent_go_str)
_HelmDumper.add_multi_representer(str, _HelmDumper.represent_go_str)
_HelmDumper.add_representer(dict, _HelmDumper.represent_go_map)
_HelmDumper.add_multi_representer(dict, _HelmDumper.represent_go_map)
_HelmDumper.add_multi_representer(list, SafeRepresenter.represent_list)
_HelmDumper.add_multi_representer(tuple, SafeRepresenter.represent_list)
# Integer subclasses (``--set`` integers are ``strvals.SetInt``) are written as integers, in
# this dumper and in PyYAML's safe dumpers that output and release records use.
for _dumper in (_HelmDumper, yaml.SafeDumper, yaml.CSafeDumper):
    yaml.add_multi_representer(int, SafeRepresenter.represent_int, Dumper=_dumper)


def dump_yaml(obj: Any, *, width: int | None = None) -> str:
    """Serialise ``obj`` as block-style YAML the way Helm's ``toYaml`` does: keys sorted in
    go-yaml's order, unicode kept, multi-line strings as ``|`` blocks.

    Long strings are never folded unless ``width`` is given (``HELM_LINE_WIDTH`` folds them
    exactly as Helm does). Strings that would read back as another type (``"y"``, ``"1e3"``,
    ``"2001-12-14"``) are double-quoted, so ``load_yaml(dump_yaml(x)) == x`` except where Helm
    changes the value too: its JSON step folds a NEL (U+0085) like a line break in a quoted
    string. Dict, list and str subclasses and tuples are written as their base types. Returns
    text ending with a newline, unless the last thing written is a block ending in U+2028 or
    U+2029 (go-yaml ends it there).

    Raises ValueError with go-yaml's message where Helm's toYaml fails: a control character
    (U+007F-U+009F but NEL, U+FFFE, U+FFFF) anywhere, or a NEL in a map key.
    """
    stream = io.StringIO()
    dumper = _HelmDumper(
        stream,
        default_flow_style=False,
        sort_keys=False,  # represent_go_map sorts, in go-yaml's order
        allow_unicode=True,
        width=_NO_FOLDING if width is None else width,
    )
    try:
        dumper.open()  # type: ignore[no-untyped-call]
        dumper.represent(obj)  # type: ignore[no-untyped-call]
        dumper.close()  # type: ignore[no-untyped-call]
    except _GoReadBackFailure:
        raise ValueError(_go_read_back_error(obj)) from None
    finally:
        dumper.dispose()  # type: ignore[no-untyped-call]
    text = stream.getvalue()
    if dumper.marker:
        text = _fix_marked_strings(text, dumper)
    # libyaml ends the document with "..." after a top-level plain scalar or a block that keeps
    # its final line breaks; go-yaml never does.
    if text.endswith("...\n") and text[-5:-4] in _LINE_BREAKS:
        text = text[: -len("...\n")]
    return text


def _fix_marked_strings(text: str, dumper: _HelmDumper) -> str:
    """Put go-yaml's writing in place of the marked strings of ``dumper`` in ``text``."""
    marker = re.escape(dumper.marker)
    if dumper.end_marked:
        text = re.sub(f" *{marker}e", "", text)
    if dumper.bom_strings:
        strings = dumper.bom_strings
        text = re.sub(
            f'"\\\\uFEFF{marker}b([0-9]+)(?:\\\\L)?x*"', lambda match: _go_escaped(strings[int(match[1])]), text
        )
    return text


def _go_read_back_error(obj: Any) -> str:
    """Why go-yaml cannot read back ``json.Marshal(obj)``: the first problem in the JSON text.

    A control character stops go-yaml's reader (it checks the input 512 bytes at a time, ahead
    of the parser: one a little after a bad key may win in Helm); a NEL in a key is a line break
    in a flow mapping key, a parser error on the line of the ":" after it (0-based: the NELs
    before it in the JSON).
    """
    breaks = 0

    def first_problem(value: Any) -> str | None:
        nonlocal breaks
        if isinstance(value, str):
            if _GO_YAML_CONTROL.search(value) is not None:
                return "yaml: control characters are not allowed"
            breaks += value.count("\x85")
        elif isinstance(value, dict):
            for key in sorted(value, key=str):  # json.Marshal sorts map keys
                text = str(key)
                if _GO_YAML_CONTROL.search(text) is not None:
                    return "yaml: control characters are not allowed"
                if "\x85" in text:
                    line = breaks + text.count("\x85")
                    return f"yaml: line {line}: did not find expected ',' or '}}'"
                problem = first_problem(value[key])
                if problem is not None:
                    return problem
        elif isinstance(value, (list, tuple)):
            for item in value:
                problem = first_problem(item)
                if problem is not None:
                    return problem
        return None

    problem = first_problem(obj)
    assert problem is not None, "_GoReadBackFailure is raised only for what this walk finds"
    return problem
