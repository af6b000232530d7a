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
- duplicate keys: the last one wins; ``<<`` merge keys work as go-yaml's (a merge replaces the
  keys before it; only mappings merge); ``.inf``/``.nan`` keys become text; an anchor may be
  defined again (an alias names the latest definition), and alias errors use go-yaml's words
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
import datetime
import functools
import io
import json
import math
import re
import struct
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.events import AliasEvent, MappingEndEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.reader import ReaderError
from yaml.representer import SafeRepresenter

from helmlite.errors import ValuesError, ValuesFileError, YAMLReadBackError
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
    "go_yaml_read_back_error",
    "GO_YAML_SIMPLE_KEY_LIMIT",
]

MAX_YAML_BYTES = 16 * 1024 * 1024
"""Largest YAML input accepted (bytes; characters for ``str`` input)."""

MAX_YAML_DEPTH = 150
"""Deepest nesting of collections accepted, counting what aliases expand to.

Helm accepts 10,000 (go-yaml's limit). Loaded values are walked recursively, in Python frames,
by the loader (two a level) and by what uses them later, at Python's default limit of 1,000
frames: the deepest user, PyYAML's representer behind ``helmlite get values``, takes up to
4.5 frames a level (mappings of lists). 150 levels leave 300 frames to the callers; 220 levels
already fail there with RecursionError (docs/differences.md)."""

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
_BINARY = "tag:yaml.org,2002:binary"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# The node the composer puts where an alias names the collection it is inside (not a YAML tag).
_RECURSIVE_ALIAS = "helmlite:recursive-alias"
# The tag the composer gives a scalar that go-yaml cannot decode as its explicit tag says (not a
# YAML tag): the node's value is go-yaml's message, raised when decoding reaches it.
_UNDECODABLE = "helmlite:undecodable"
# Explicit scalar tags go-yaml v2 checks the value against (its resolvableTag); !!str and
# !!binary take any text. Any other tag is ignored: the scalar is a string, a collection is
# read by its kind (so ``!!set``, ``!!omap``, ``!!map x``, ``!!int [1]`` are plain data).
_CHECKED_TAGS = frozenset([_INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP])
_SHORT_TAGS = {_STR: "!!str", _INT: "!!int", _FLOAT: "!!float", _BOOL: "!!bool", _NULL: "!!null", _TIMESTAMP: "!!timestamp"}
# go-yaml v2's parseTimestamp: a four-digit year and then one of its layouts (checked as dates).
_GO_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})"
    r"| ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?)?"
)

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
    if first in "+-.0123456789":
        digits = value.replace("_", "")
        if first != "." and _GO_INT.fullmatch(digits):
            return _INT
        if _GO_FLOAT.fullmatch(digits) and not math.isinf(float(digits)):
            return _FLOAT  # one too large for a float64 is a string to go-yaml (ParseFloat fails)
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


def _is_go_timestamp(text: str) -> bool:
    match = _GO_TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    year, month, day = (int(part) for part in match.group(1, 2, 3))
    clock = [int(part) for part in match.groups()[3:] if part is not None]
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return not clock or (clock[0] < 24 and clock[1] < 60 and clock[2] < 60)


def _explicit_tag_problem(tag: str, text: str) -> str | None:
    """go-yaml's error for a scalar tagged ``tag`` (one of _CHECKED_TAGS) that does not read as
    that type, or None: ``cannot decode !!str `x` as a !!int`` (resolve.go). An integer may be
    tagged !!float."""
    resolved = _plain_scalar_tag(text)
    if resolved == _MERGE:
        resolved = _STR
    elif resolved == _INT:
        number = _parse_go_int(text)
        if not -(2**63) <= number < 2**64:  # neither int64 nor uint64: go-yaml tries a float
            digits = text.replace("_", "")
            resolved = _FLOAT if _GO_FLOAT.fullmatch(digits) and not math.isinf(float(digits)) else _STR
    if resolved == _STR and tag == _TIMESTAMP and _is_go_timestamp(text):
        resolved = _TIMESTAMP
    if resolved == tag or (tag == _FLOAT and resolved == _INT):
        return None
    return f"cannot decode {_SHORT_TAGS[resolved]} `{text}` as a {_SHORT_TAGS[tag]}"


def _go_shortest_g(value: float, *, single: bool) -> str:
    """Go's ``strconv.FormatFloat(value, 'g', -1, 32 or 64)`` for a finite value: the shortest
    digits that read back as the same float32/float64, in exponent form below 1e-4 or from 1e6."""
    pack = (lambda v: struct.unpack("f", struct.pack("f", v))[0]) if single else float
    for precision in range(17):
        text = f"{value:.{precision}e}"
        if pack(float(text)) == value:
            break
    mantissa, exponent_text = text.split("e")
    exponent = int(exponent_text)
    if exponent < -4 or exponent >= 6:
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        return f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    significant = len(mantissa.replace("-", "").replace(".", ""))
    return f"{float(text):.{max(significant - exponent - 1, 0)}f}"


def _float_key_text(value: float) -> str:
    """A float key as sigs.k8s.io/yaml writes it: strconv.FormatFloat(v, 'g', -1, 32), with
    go-yaml's spellings of infinity and NaN (``.inf``, ``-.inf``, ``.nan``)."""
    if math.isnan(value):
        return ".nan"
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        single = math.copysign(math.inf, value)
    if math.isinf(single):
        return "-.inf" if single < 0 else ".inf"  # too large for float32: Go spells infinity so here
    return _go_shortest_g(single, single=True)


def _go_float_text(value: float) -> str:
    """A float64 as Go's ``%v`` prints it (``1e+06``, ``+Inf``, ``NaN``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "-Inf" if value < 0 else "+Inf"
    return _go_shortest_g(value, single=False)


# strconv.Quote's short escapes; other characters it cannot print are \xXX, \uXXXX or \UXXXXXXXX.
_GO_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _go_quote(text: str) -> str:
    """``strconv.Quote(text)``: what Go's ``%#v`` prints for a string."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in _GO_QUOTE_ESCAPES:
            out.append(_GO_QUOTE_ESCAPES[ch])
        elif ch.isprintable():  # Python's printable characters are Go's unicode.IsPrint ones
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


class _GoYAMLFailure(yaml.MarkedYAMLError):
    """An error go-yaml raises without a line number (its ``failf``): Helm's message is the bare
    problem; helmlite's own messages still say where (``problem_mark``).

    ``converting`` marks the errors of sigs.k8s.io/yaml's YAML-to-JSON step (a null map key, a
    number JSON cannot hold), which Helm prints without go-yaml's ``yaml: `` prefix.
    """

    def __init__(self, problem: str, mark: Any, *, converting: bool = False) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.converting = converting


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

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _plain_scalar_tag(value or "") if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def compose_document(self) -> Any:
        self.get_event()  # document start
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
            target = self._compose_alias(event)
            if type(target) is SequenceNode and index is not None and index.tag == _MERGE:
                # go-yaml merges an alias only when it names a mapping, even if the sequence it
                # names holds mappings (which it merges when written in place): a stand-in that
                # cannot merge.
                return ScalarNode(_STR, "", event.start_mark, event.end_mark)
            return target
        # An anchor may be defined again (go-yaml v2 allows it): an alias names the latest one.
        anchor = event.anchor
        self._nodes += 1
        tag = event.tag
        if kind is ScalarEvent:
            if tag is None:
                tag = self.resolve(ScalarNode, event.value, event.implicit)
            elif tag in _CHECKED_TAGS:
                problem = _explicit_tag_problem(tag, event.value)
                if problem is not None:
                    tag = _UNDECODABLE
                    event.value = problem  # what the node's constructor raises
            elif tag == _MERGE and event.value == "<<":
                pass  # ``!!merge <<`` is a merge key, as a plain ``<<`` is
            elif tag != _BINARY:
                tag = _STR  # go-yaml reads a scalar with any other tag ("!", "!foo", "!!map") as text
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
            # A collection's tag is ignored, as go-yaml does (``!!set [a]`` is a list).
            node = SequenceNode(_SEQ, [], event.start_mark, None, event.flow_style)
            if anchor is not None:
                self.anchors[anchor] = node
                self._anchor_shapes.pop(anchor, None)  # unfinished: an alias to it inside is recursive
                self._deepest = depth
            items = node.value
            while not self.check_event(SequenceEndEvent):
                items.append(self.compose_node(node, None))
        else:
            node = MappingNode(_MAP, [], event.start_mark, None, event.flow_style)
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
            target_is_mapping = isinstance(self.anchors[anchor], MappingNode)
            return _RecursiveAliasNode(anchor, target_is_mapping, event.start_mark, event.end_mark)
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
        # Collections are built here rather than by PyYAML's generator constructors: one Python
        # frame a level for lists and two for maps (PyYAML's take five, and a C call), which
        # is what lets MAX_YAML_DEPTH levels load within Python's default recursion limit.
        constructed = self.constructed_objects
        if node in constructed:
            data = constructed[node]
            if type(data) is float and not math.isfinite(data):
                self._non_finite.append((data, node.start_mark))  # counts again (it may have been a key)
            return copy.deepcopy(data)
        tag = node.tag
        if tag == _MAP:
            data = self.construct_mapping(node)
        elif tag == _SEQ:
            data = []
            append = data.append
            for item in node.value:
                append(self.construct_object(item))
        else:
            return super().construct_object(node, deep=True)
        constructed[node] = data
        return data

    def construct_document(self, node: Any) -> Any:
        # sigs.k8s.io/yaml converts the document to JSON only once go-yaml has decoded all of
        # it: a null map key, then a number JSON cannot hold, count only when decoding passed.
        self._conversion_failure: _GoYAMLFailure | None = None
        self._non_finite: list[tuple[float, Any]] = []  # (value, mark) in document order
        data = super().construct_document(node)  # type: ignore[no-untyped-call]
        if self._conversion_failure is not None:
            raise self._conversion_failure
        if self._non_finite:
            raise _json_number_failure(data, self._non_finite)
        return data

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[str, Any] = {}
        non_finite = self._non_finite
        for key_node, value_node in self._assigned_pairs(node):
            if isinstance(key_node, (MappingNode, SequenceNode)):
                raise _GoYAMLFailure(f"invalid map key: {self._go_syntax(key_node, nested=False)}", key_node.start_mark)
            recorded = len(non_finite)
            key = self.construct_object(key_node)
            # An infinite or NaN key becomes text (".inf"), not a number JSON cannot hold.
            del non_finite[recorded:]
            value = self.construct_object(value_node)
            if type(key) is not str:
                key = self._key_text(key, key_node, value_node)
                if key is None:
                    continue
            mapping[key] = value
        return mapping

    def _assigned_pairs(self, node: Any) -> Iterator[tuple[Any, Any]]:
        """The (key node, value node) pairs of a mapping node in the order go-yaml v2 assigns
        them, a later key replacing an earlier one: a ``<<`` merge key's mapping stands where the
        merge key does (so it replaces the keys before it), a merged sequence's mappings last
        first (so an earlier one wins). Raises _GoYAMLFailure where go-yaml's decoder fails:
        a merge value that is no mapping or sequence of mappings, or an alias to the mapping
        being merged into."""
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                yield key_node, value_node
            elif type(value_node) is SequenceNode:
                for merged in reversed(value_node.value):
                    yield from self._merged_pairs(merged)
            else:
                yield from self._merged_pairs(value_node)

    def _merged_pairs(self, node: Any) -> Iterator[tuple[Any, Any]]:
        if type(node) is MappingNode:
            yield from self._assigned_pairs(node)
            return
        if isinstance(node, _RecursiveAliasNode) and node.target_is_mapping:
            _construct_recursive_alias(self, node)
        raise _GoYAMLFailure("map merge requires map or sequence of maps as the value", node.start_mark)

    def _key_text(self, key: Any, key_node: Any, value_node: Any) -> str | None:
        """A mapping key as sigs.k8s.io/yaml's YAML→JSON step spells it, or None for a key it
        refuses (a null or a uint64 one: the conversion failure is recorded)."""
        if isinstance(key, bool):
            return "true" if key else "false"
        if isinstance(key, int):
            if -(2**63) <= key < 2**63:
                return str(key)
            if 0 < key < 2**64:
                self._refuse_key(f"uint64, key: {key:#x}", key_node, value_node)
                return None
            try:
                return _float_key_text(float(key))  # go-yaml reads it as a float64
            except OverflowError:
                return str(key_node.value)  # and as a string when it is too large for one
        if isinstance(key, float):
            return _float_key_text(key)
        self._refuse_key("%!s(<nil>), key: <nil>", key_node, value_node)
        return None

    def _refuse_key(self, key_description: str, key_node: Any, value_node: Any) -> None:
        if self._conversion_failure is None:
            value = self._go_syntax(value_node, nested=False)
            self._conversion_failure = _GoYAMLFailure(
                f"unsupported map key of type: {key_description}, value: {value}", key_node.start_mark, converting=True
            )

    def _go_syntax(self, node: Any, *, nested: bool) -> str:
        """Go's ``%#v`` of what go-yaml decodes ``node`` to, as an ``interface{}``: how Helm shows
        a collection used as a map key, or the value of a refused key. ``nested``: inside a
        collection, where a nil prints as ``interface {}(nil)`` rather than ``<nil>``."""
        if isinstance(node, SequenceNode):
            return "[]interface {}{" + ", ".join(self._go_syntax(item, nested=True) for item in node.value) + "}"
        if isinstance(node, MappingNode):
            entries: dict[tuple[int, Any], str] = {}
            for key_node, value_node in self._assigned_pairs(node):
                if isinstance(key_node, (MappingNode, SequenceNode)):
                    raise _GoYAMLFailure(
                        f"invalid map key: {self._go_syntax(key_node, nested=False)}", key_node.start_mark
                    )
                key = self.construct_object(key_node)
                # fmt prints a map sorted by key; a later duplicate replaces the earlier one
                entries[_go_sort_key(key)] = (
                    f"{self._go_syntax(key_node, nested=True)}:{self._go_syntax(value_node, nested=True)}"
                )
            return "map[interface {}]interface {}{" + ", ".join(entries[k] for k in sorted(entries)) + "}"
        value = self.construct_object(node)
        if value is None:
            return "interface {}(nil)" if nested else "<nil>"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            if -(2**63) <= value < 2**63:
                return str(value)
            if 0 < value < 2**64:
                return f"{value:#x}"  # go-yaml's uint64
            try:
                return _go_float_text(float(value))
            except OverflowError:
                return _go_quote(str(node.value))
        if isinstance(value, float):
            return _go_float_text(value)
        return _go_quote(str(value))


def _go_sort_key(key: Any) -> tuple[int, Any]:
    """Where fmt puts ``key`` among a printed map's keys: by value within a type (types apart)."""
    if key is None:
        return (0, 0)
    if isinstance(key, bool):
        return (1, key)
    if isinstance(key, (int, float)):
        return (2, key)
    return (3, str(key))


def _json_number_failure(data: Any, non_finite: list[tuple[float, Any]]) -> _GoYAMLFailure:
    """json.Marshal's error for the first infinity or NaN in ``data`` in its order (map keys
    sorted), placed at the first such value of the document that prints the same."""
    first = _first_non_finite(data)
    text = _go_float_text(math.nan if first is None else first)
    mark = next((mark for value, mark in non_finite if _go_float_text(value) == text), non_finite[0][1])
    return _GoYAMLFailure(f"json: unsupported value: {text}", mark, converting=True)


def _first_non_finite(value: Any) -> float | None:
    if isinstance(value, float):
        return None if math.isfinite(value) else value
    if isinstance(value, dict):
        items: Iterator[Any] = (value[key] for key in sorted(value))
    elif isinstance(value, list):
        items = iter(value)
    else:
        return None
    for item in items:
        found = _first_non_finite(item)
        if found is not None:
            return found
    return None


def _construct_undecodable(loader: _HelmLoader, node: Any) -> Any:
    raise _GoYAMLFailure(node.value, node.start_mark)


def _construct_bool(loader: _HelmLoader, node: Any) -> bool:
    return _BOOLEANS[loader.construct_scalar(node).lower()]  # the composer checked it is one


def _construct_int(loader: _HelmLoader, node: Any) -> int:
    return _parse_go_int(loader.construct_scalar(node))


def _construct_float(loader: _HelmLoader, node: Any) -> float:
    text = loader.construct_scalar(node)
    if text in _SPECIAL_FLOATS:
        value = math.nan if text.endswith(("nan", "NaN", "NAN")) else -math.inf if text[0] == "-" else math.inf
    elif _plain_scalar_tag(text) == _INT:
        value = float(_parse_go_int(text))  # an integer tagged !!float
    else:
        value = float(text.replace("_", ""))
    if not math.isfinite(value):
        loader._non_finite.append((value, node.start_mark))  # JSON cannot hold it: fails after decoding
    return value


def _construct_binary(loader: _HelmLoader, node: Any) -> str:
    # Helm decodes !!binary and keeps the bytes as a string; JSON then replaces invalid UTF-8.
    # Go's base64.StdEncoding skips line breaks, nothing else.
    text = loader.construct_scalar(node).replace("\r", "").replace("\n", "")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _GoYAMLFailure("!!binary value contains invalid base64 data", node.start_mark) from None
    return data.decode("utf-8", "replace")


def _construct_text(loader: _HelmLoader, node: Any) -> str:
    # Helm keeps a timestamp as the text written; "<<" anywhere but as a map key is text too.
    return loader.construct_scalar(node)


class _RecursiveAliasNode(ScalarNode):
    """The node the composer puts where an alias names the collection it is inside: decoding
    it fails (go-yaml: ``anchor 'x' value contains itself``). ``target_is_mapping`` decides
    what merging it with ``<<`` fails with: go-yaml refuses to merge an alias to a sequence
    before it looks inside."""

    def __init__(self, anchor: str, target_is_mapping: bool, start_mark: Any, end_mark: Any) -> None:
        super().__init__(_RECURSIVE_ALIAS, anchor, start_mark, end_mark)
        self.target_is_mapping = target_is_mapping


def _construct_recursive_alias(loader: _HelmLoader, node: Any) -> Any:
    raise _GoYAMLFailure(f"anchor '{node.value}' value contains itself", node.start_mark)


_HelmLoader.add_constructor(_BOOL, _construct_bool)
_HelmLoader.add_constructor(_INT, _construct_int)
_HelmLoader.add_constructor(_FLOAT, _construct_float)
_HelmLoader.add_constructor(_BINARY, _construct_binary)
_HelmLoader.add_constructor(_TIMESTAMP, _construct_text)
_HelmLoader.add_constructor(_MERGE, _construct_text)
_HelmLoader.add_constructor(_RECURSIVE_ALIAS, _construct_recursive_alias)
_HelmLoader.add_constructor(_UNDECODABLE, _construct_undecodable)


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
    if isinstance(exc, ReaderError):
        return str(exc.reason)  # go-yaml's reader errors (bad UTF-8, control characters) say no more
    if not isinstance(exc, yaml.MarkedYAMLError):
        return describe_yaml_error(exc)
    line = 0
    if exc.problem_mark is not None and exc.problem_mark.line != 0:
        line = exc.problem_mark.line + (1 if isinstance(exc, yaml.scanner.ScannerError) else 0)
    elif exc.context_mark is not None:
        line = exc.context_mark.line
    problem = exc.problem or "unknown problem parsing YAML content"
    return f"line {line}: {problem}" if line else problem


def _yaml_to_json_error(exc: yaml.YAMLError) -> str:
    """What Helm prints after ``error converting YAML to JSON: `` for ``exc``: go-yaml's error
    with its ``yaml: `` prefix, or the conversion's own (``json: unsupported value: +Inf``)."""
    if isinstance(exc, _GoYAMLFailure) and exc.converting:
        return str(exc.problem)
    return f"yaml: {go_yaml_error(exc)}"


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


def _first_document(data: bytes | str) -> Any:
    """The first document of ``data`` (None when there is none); later ones are not read.
    Raises what the loader raises (yaml.YAMLError)."""
    loader = _HelmLoader(data)
    try:
        return loader.get_data() if loader.check_data() else None
    finally:
        loader.dispose()


def load_first_document(data: bytes | str, source: str) -> Any:
    """Parse only the first document of a YAML stream in Helm's dialect (None when there is none).

    What ``sigs.k8s.io/yaml.Unmarshal`` (Helm's ``fromYaml``) does: later documents are not read.
    Raises ValuesError like ``load_yaml``.
    """
    _check_size(data, source)
    try:
        return _first_document(data)
    except yaml.YAMLError as exc:
        raise _values_error(source, exc) from None


def unmarshal_yaml(data: str) -> Any:
    """What ``sigs.k8s.io/yaml.Unmarshal`` reads, in Helm's dialect: the first document of
    ``data`` (None when there is none); later documents are not read, so errors in them do not
    count.

    Raises ValuesError with the message Helm prints for the same input: ``error converting YAML
    to JSON: `` and go-yaml's error (``yaml: unknown anchor 'x' referenced``, ``yaml: cannot
    decode !!str `x` as a !!int``, ``yaml: control characters are not allowed``) or the JSON
    step's (``unsupported map key of type: …``, ``json: unsupported value: +Inf``); oversized
    input as ``load_yaml`` does.
    """
    if len(data) > MAX_YAML_BYTES:
        raise ValuesError(f"{len(data)} bytes is more than the {MAX_YAML_BYTES} allowed for a YAML document")
    try:
        return _first_document(data)
    except yaml.YAMLError as exc:
        raise ValuesError(f"error converting YAML to JSON: {_yaml_to_json_error(exc)}") from None


# k8s.io/apimachinery's YAMLReader, which Helm's LoadValues splits a values file with: a line
# starting with "---" ends a document, and only blanks or a comment may follow on that line.
_SEPARATOR_LINE = re.compile(r"^---([^\n]*)(?:\n|\Z)", re.MULTILINE)
_SEPARATOR_LINE_BYTES = re.compile(_SEPARATOR_LINE.pattern.encode(), re.MULTILINE)


def _values_documents(data: bytes | str) -> list[Any]:
    """The documents of a values file as Helm's YAMLReader cuts them (each a slice of ``data``,
    so go-yaml's line numbers count from the document's first line). Raises ValueError with the
    reader's message for a separator line followed by something else."""
    separators = _SEPARATOR_LINE_BYTES if isinstance(data, bytes) else _SEPARATOR_LINE
    documents = []
    start = 0
    for match in separators.finditer(data):  # type: ignore[arg-type]
        after = match.group(1).strip()
        if after and after[:1] not in ("#", b"#"):
            text = after.decode("utf-8", "replace") if isinstance(after, bytes) else after
            raise ValueError(f"invalid Yaml document separator: {text}")
        if match.start() > start:
            documents.append(data[start : match.start()])
        start = match.end()
    if start < len(data):
        documents.append(data[start:])
    return documents


def load_values(data: bytes | str, source: str) -> dict[str, Any]:
    """Parse a values file: its documents deep-merged in order, as Helm's ``loader.LoadValues``.

    Each document is read as ``unmarshal_yaml`` reads one (after a ``...`` nothing more is
    read). Returns a dict ({} for an empty file). Raises ValuesFileError as Helm words a values
    file it cannot read, ``failed to parse <source>: cannot unmarshal yaml document: error
    converting YAML to JSON: yaml: line 1: did not find expected node content`` (go-yaml's line
    numbers count from the start of the document), or when a document is not a map
    (``failed to parse <source>: values must be a map of keys to values, got list``).
    """
    _check_size(data, source)
    try:
        documents = _values_documents(data)
    except ValueError as exc:
        raise ValuesFileError(source, f"error reading yaml document: {exc}") from None
    values: dict[str, Any] = {}
    for text in documents:
        try:
            document = _first_document(text)
        except yaml.YAMLError as exc:
            problem = f"cannot unmarshal yaml document: error converting YAML to JSON: {_yaml_to_json_error(exc)}"
            raise ValuesFileError(source, problem) from None
        if document is None:
            continue
        if not isinstance(document, dict):
            kind = type(document).__name__
            raise ValuesFileError(source, f"values must be a map of keys to values, got {kind}")
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


# go-yaml's scanner drops a possible simple key when the ":" is more than 1024 characters past
# its start, i.e. when the key's JSON form (quotes included) is longer: in the flow mapping
# json.Marshal writes it is then not a key but a parse error.
GO_YAML_SIMPLE_KEY_LIMIT = 1024
"""Longest JSON form (quotes included) of a map key that Helm's toYaml can write."""
# JSON writes a character in at most 6 (\u0001): a key this short always fits.
_SHORT_KEY_CHARS = (GO_YAML_SIMPLE_KEY_LIMIT - 2) // 6
# go-yaml decodes its input 512 bytes at a time (input_raw_buffer_size), checking characters ...
_READER_CHUNK_BYTES = 512
# ... and has at least this many characters decoded from a token's start before scanning it.
_SCANNER_LOOKAHEAD = 4
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"(:?)')
# What json.Marshal escapes that Python's json.dumps(ensure_ascii=False) leaves as it is.
_JSON_HTML_UNSAFE = re.compile("[<>&\u2028\u2029]")


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
        if any(isinstance(key, str) and ("\x85" in key or len(key) > _SHORT_KEY_CHARS) for key in data):
            for key in data:
                if isinstance(key, str) and ("\x85" in key or len(_go_json_text(key)) > GO_YAML_SIMPLE_KEY_LIMIT):
                    raise _GoReadBackFailure  # go-yaml cannot read it back as a key of the JSON mapping
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
            import secrets  # here: it loads hashlib and OpenSSL, which most dumps never need

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

    Raises YAMLReadBackError (a ValuesError and a ValueError) with go-yaml's message where
    Helm's toYaml fails: a control character (U+007F-U+009F but NEL, U+FFFE, U+FFFF) anywhere, a
    NEL in a map key, or a map key longer than GO_YAML_SIMPLE_KEY_LIMIT characters in JSON.
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
        raise YAMLReadBackError(go_yaml_read_back_error(_go_json_text(obj))) from None
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


def _go_json_text(obj: Any) -> str:
    """``json.Marshal(obj)`` for the plain values ``dump_yaml`` writes (maps, lists, strings,
    numbers, booleans, null), exact in everything ``go_yaml_read_back_error`` measures but
    float spelling (Python's ``1e+16`` for Go's ``10000000000000000``)."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(key): plain(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        return value

    text = json.dumps(plain(obj), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return _JSON_HTML_UNSAFE.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


def go_yaml_read_back_error(json_text: str) -> str:
    """go-yaml's error for reading back ``json_text`` (a json.Marshal output it cannot read):
    what Helm's toYaml/mustToYaml reports.

    Two problems are possible: a control character (U+007F-U+009F but NEL, U+FFFE, U+FFFF: the
    reader's error) and a key that cannot be a simple key (a NEL in it, or a JSON form longer
    than GO_YAML_SIMPLE_KEY_LIMIT: the parser's ``did not find expected ',' or '}'`` at the ":"
    after it, on the 0-based line of the NELs before it). The reader checks the input
    _READER_CHUNK_BYTES at a time, ahead of the parser: a control character wins if it is in a
    chunk decoded by the time the scanner reaches that ":".
    """
    control = _GO_YAML_CONTROL.search(json_text)
    colon = _first_unreadable_key_colon(json_text)
    if control is not None and (
        colon is None
        or _reader_chunk(json_text, control.start()) <= _reader_chunk(json_text, colon + _SCANNER_LOOKAHEAD - 1)
    ):
        return "yaml: control characters are not allowed"
    assert colon is not None, "go-yaml reads back JSON with no control character and no unreadable key"
    line = json_text.count("\x85", 0, colon)
    where = f"line {line}: " if line else ""
    return f"yaml: {where}did not find expected ',' or '}}'"


def _first_unreadable_key_colon(json_text: str) -> int | None:
    """The index of the ":" after the first key of ``json_text`` that go-yaml cannot read as a
    simple key (a raw NEL in it, or too long), or None."""
    for match in _JSON_STRING.finditer(json_text):
        if match.group(1):
            key = match.group(0)[:-1]
            if "\x85" in key or len(key) > GO_YAML_SIMPLE_KEY_LIMIT:
                return match.end() - 1
    return None


def _reader_chunk(text: str, index: int) -> int:
    """Which chunk of go-yaml's reader holds the character at ``index`` (the last one when
    ``index`` is past the end)."""
    return len(text[: min(index, len(text) - 1)].encode("utf-8", "surrogatepass")) // _READER_CHUNK_BYTES
