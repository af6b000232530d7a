"""Helm's chart lint rules (``pkg/chart/v2/lint/rules``), with its severities and messages.

A lint run of one chart directory produces ``LintMessage`` records, ``[SEVERITY] path: text``,
from five rule groups run in Helm's order: Chart.yaml, values, templates, dependencies, CRDs.
Each check is a small function that returns the problem as text, or None when the check
passes; ``_Linter.check`` turns a problem into a message of the rule's severity and tells the
group whether to go on (Helm's ``RunLinterRule``). Where a check must decide what Helm decides,
its data comes from the Helm v4.3.1 binary itself (see ``_DEPRECATED_APIS``).

Every rule's message is Helm's, word for word. Chart.yaml and rendered manifests are read the
way Helm's Go decoder reads them (go-yaml scalars, JSON field matching), and its decoding
complaints keep Go's wording too. Text Helm takes from elsewhere (a YAML syntax error, the chart
loader, the schema validator, the template engine) is helmlite's own.
"""

from __future__ import annotations

import enum
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from helmlite.gofmt import go_float, go_quote
from helmlite.render.capabilities import DEFAULT_KUBE_VERSION, KubeVersion

__all__ = [
    "LINT_RELEASE_NAME",
    "LintMessage",
    "Severity",
    "deprecation_warning",
    "is_email",
    "is_request_url",
    "is_url",
    "lint_chart",
    "lint_chartfile",
    "lint_crds",
    "lint_dependencies",
    "lint_templates",
    "lint_values",
    "validate_allowed_extension",
    "validate_chart_api_version",
    "validate_chart_dependencies",
    "validate_chart_icon_presence",
    "validate_chart_icon_url",
    "validate_chart_maintainers",
    "validate_chart_name",
    "validate_chart_sources",
    "validate_chart_type",
    "validate_chart_version",
    "validate_chart_version_strict",
    "validate_crd_api_version",
    "validate_crd_kind",
    "validate_dependencies_unique",
    "validate_dependency_in_charts_dir",
    "validate_dependency_in_metadata",
    "validate_list_annotations",
    "validate_match_selector",
    "validate_metadata_name",
    "validate_string_field",
    "validate_top_indent_level",
]

# The release name Helm renders templates with while linting.
LINT_RELEASE_NAME = "test-release"

CHART_FILE = "Chart.yaml"
VALUES_FILE = "values.yaml"
TEMPLATES_DIR = "templates/"
CRDS_DIR = "crds/"


class Severity(enum.IntEnum):
    """Helm's ``support`` severities; a message at or above the tolerance fails the chart."""

    UNKNOWN = 0
    INFO = 1
    WARNING = 2
    ERROR = 3


@dataclass(frozen=True)
class LintMessage:
    """One finding: ``str()`` is Helm's ``[SEVERITY] path: text`` (text may span lines)."""

    severity: Severity
    path: str
    text: str

    def __str__(self) -> str:
        return f"[{self.severity.name}] {self.path}: {self.text}"


class _Linter:
    """Collects the messages of one chart, like Helm's ``support.Linter``.

    ``chart_dir`` is absolute (Helm names some messages by it); ``source`` is the directory as
    the caller gave it, so the loader's errors name the chart the way the user did.
    """

    def __init__(self, chart_dir: str | Path) -> None:
        self.source = str(chart_dir)
        self.chart_dir = Path(os.path.abspath(chart_dir))
        self.messages: list[LintMessage] = []

    def check(self, severity: Severity, path: str, problem: str | None) -> bool:
        """Record ``problem`` (if any) at ``severity``; return True when the check passed."""
        if problem is None:
            return True
        self.messages.append(LintMessage(severity, path, problem))
        return False


def lint_chart(
    chart_dir: str | Path,
    *,
    values: Mapping[str, Any] | None = None,
    namespace: str = "default",
    kube_version: KubeVersion | None = None,
    skip_schema_validation: bool = False,
) -> list[LintMessage]:
    """Run every rule group on the chart directory ``chart_dir``, in Helm's order.

    ``values`` are the user-supplied values (``-f``/``--set``), ``kube_version`` the target
    Kubernetes version (default: helmlite's, v1.37). Returns the messages; never raises for a
    problem in the chart (a broken chart is what the messages describe).
    """
    linter = _Linter(chart_dir)
    user_values = dict(values or {})
    _run_chartfile(linter)
    _run_values(linter, user_values, skip_schema_validation)
    _run_templates(linter, user_values, namespace, kube_version, skip_schema_validation)
    _run_dependencies(linter)
    _run_crds(linter)
    return linter.messages


def lint_chartfile(chart_dir: str | Path) -> list[LintMessage]:
    """Only the Chart.yaml rules."""
    linter = _Linter(chart_dir)
    _run_chartfile(linter)
    return linter.messages


def lint_values(
    chart_dir: str | Path, values: Mapping[str, Any] | None = None, *, skip_schema_validation: bool = False
) -> list[LintMessage]:
    """Only the values.yaml rules (parse, and the top-level schema with ``values`` coalesced in)."""
    linter = _Linter(chart_dir)
    _run_values(linter, dict(values or {}), skip_schema_validation)
    return linter.messages


def lint_templates(
    chart_dir: str | Path,
    values: Mapping[str, Any] | None = None,
    *,
    namespace: str = "default",
    kube_version: KubeVersion | None = None,
    skip_schema_validation: bool = False,
) -> list[LintMessage]:
    """Only the template rules (render in lint mode, then check every rendered YAML file)."""
    linter = _Linter(chart_dir)
    _run_templates(linter, dict(values or {}), namespace, kube_version, skip_schema_validation)
    return linter.messages


def lint_dependencies(chart_dir: str | Path) -> list[LintMessage]:
    """Only the dependency rules (subcharts in ``charts/`` against Chart.yaml ``dependencies``)."""
    linter = _Linter(chart_dir)
    _run_dependencies(linter)
    return linter.messages


def lint_crds(chart_dir: str | Path) -> list[LintMessage]:
    """Only the CRD rules (every document under ``crds/`` is a plain CustomResourceDefinition)."""
    linter = _Linter(chart_dir)
    _run_crds(linter)
    return linter.messages


# --- Go-compatible text helpers ---------------------------------------------------------------


def _os_problem(op: str, path: Path | str, err: OSError) -> str:
    """An OS error worded as Go's ``*PathError`` (``stat x: no such file or directory``)."""
    reason = os.strerror(err.errno) if err.errno else str(err)
    return f"{op} {path}: {reason[:1].lower()}{reason[1:]}"


# --- Chart.yaml as Helm's Go decoder sees it --------------------------------------------------
#
# Helm reads Chart.yaml with go-yaml v2 (YAML 1.1 scalars), converts it to JSON and decodes it
# into typed fields. The lint rules report on that view: `version: 1.10` is the float 1.1 (so the
# string "1.1"), `y` is true, and a number where a string belongs is a "float64". The loader
# keeps a chart usable; these functions reproduce what Helm would say about it.

_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_YAML_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})
_YAML_FALSE = frozenset({"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})
_YAML_INF = frozenset({".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})
_YAML_NAN = frozenset({".nan", ".NaN", ".NAN"})
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|0[bB][01]+|[1-9][0-9]*)$")
_INT64 = 2**63
_UINT64 = 2**64
_RESOLVABLE_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null"))


class _DecodeError(Exception):
    """Chart.yaml that Helm's decoder refuses; the text is the detail Helm prints."""


def _go_int(text: str) -> int | None:
    """Go's ``strconv.ParseInt(text, 0, 64)`` then ``ParseUint``: None when neither accepts it."""
    if not _GO_INT.match(text):
        return None
    body = text.lstrip("+-")
    try:
        # Python's base 0 reads 0x/0o/0b; a bare leading zero is Go's (and YAML 1.1's) octal.
        value = int(body, 8) if body[:1] == "0" and body[1:2].isdigit() else int(body, 0)
    except ValueError:  # a prefix without digits, e.g. "0o"
        return None
    value = -value if text.startswith("-") else value
    if -_INT64 <= value < _INT64 or (not text.startswith(("-", "+")) and 0 <= value < _UINT64):
        return value
    return None


def _go_scalar(node: yaml.ScalarNode) -> Any:
    """A scalar as go-yaml v2 resolves it (YAML 1.1; timestamps stay strings, as in Helm)."""
    text = str(node.value)
    # Quoted and block scalars, and anything explicitly tagged other than !!int/!!float/!!bool/
    # !!null, are strings; plain scalars are resolved by go-yaml's rules.
    if node.tag != _PLAIN_TAG and node.tag not in _RESOLVABLE_TAGS:
        return text
    if text in _YAML_NULLS:
        return None
    if text in _YAML_TRUE:
        return True
    if text in _YAML_FALSE:
        return False
    if text in _YAML_INF:
        return math.inf
    if text == "-.inf" or text == "-.Inf" or text == "-.INF":
        return -math.inf
    if text in _YAML_NAN:
        return math.nan
    if text[:1] in tuple("+-.0123456789"):
        plain = text.replace("_", "")
        number = _go_int(plain)
        if number is not None:
            return number
        if _YAML_FLOAT.match(plain):
            return float(plain)
    return text


class _GoYamlLoader(yaml.SafeLoader):
    """Composes nodes only; plain scalars keep a marker tag so ``_go_scalar`` resolves them."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN_TAG
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


_PLAIN_TAG = "!helmlite/plain"


def _compose(text: str) -> yaml.Node | None:
    """The node tree of one YAML document; raises yaml.YAMLError or RecursionError."""
    # The pure-Python loader: a hostile nesting depth then ends in RecursionError, not a crash.
    loader = _GoYamlLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _node_value(node: yaml.Node, memo: dict[int, Any]) -> Any:
    """Plain Python data for a node (maps with string keys), sharing aliased nodes."""
    if id(node) in memo:
        return memo[id(node)]
    if isinstance(node, yaml.ScalarNode):
        value: Any = _go_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = []
        memo[id(node)] = value
        value.extend(_node_value(item, memo) for item in node.value)
    else:
        value = {}
        memo[id(node)] = value
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                # go-yaml cannot use a list or map as a key (a "{{ ... }}" left in a YAML file).
                raise _DecodeError(f"error converting YAML to JSON: yaml: line {key_node.start_mark.line + 1}: invalid map key")
            value[_json_key(_go_scalar(key_node))] = _node_value(value_node, memo)
    memo[id(node)] = value
    return value


def _parse_document(text: str) -> tuple[yaml.Node | None, Any]:
    """One YAML document: its node tree and its data as Go sees it; raises _DecodeError."""
    try:
        node = _compose(text)
        return node, (_node_value(node, {}) if node is not None else None)
    except yaml.YAMLError as err:
        raise _DecodeError("error converting YAML to JSON: " + _yaml_problem(err)) from None
    except RecursionError:
        raise _DecodeError("error converting YAML to JSON: yaml: exceeded max depth") from None


def _json_key(key: Any) -> str:
    """A map key as sigs.k8s.io/yaml writes it into JSON."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        return go_float(key)
    if key is None:
        return "null"
    return str(key)


def _duplicate_keys(node: yaml.Node | None) -> list[str]:
    """go-yaml's strict-mode complaints about repeated keys, in document order."""
    problems: list[str] = []
    seen_nodes: set[int] = set()
    stack = [node] if node is not None else []
    # Walk in document order (pre-order, left to right) without recursion.
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        children: list[yaml.Node] = []
        if isinstance(current, yaml.MappingNode):
            keys: list[Any] = []
            for key_node, value_node in current.value:
                key = _go_scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else id(key_node)
                if any(type(key) is type(k) and key == k for k in keys):
                    shown = go_quote(key) if isinstance(key, str) else _json_key(key)
                    problems.append(f"line {key_node.start_mark.line + 1}: key {shown} already set in map")
                keys.append(key)
                children.extend((key_node, value_node))
        elif isinstance(current, yaml.SequenceNode):
            children.extend(current.value)
        stack.extend(reversed(children))
    return problems


def _yaml_problem(err: yaml.YAMLError) -> str:
    """A YAML syntax error in go-yaml's words: ``yaml: line N: <problem>``."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem:
        mark = err.problem_mark or err.context_mark
        if mark is not None:
            return f"yaml: line {mark.line + 1}: {err.problem}"
        return f"yaml: {err.problem}"
    return "yaml: " + " ".join(str(err).split())


def _json_type(value: Any) -> str:
    """The JSON kind Go's decoder names in type errors."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _go_type(value: Any) -> str:
    """Go's ``%T`` of a value decoded from JSON into ``any``."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    return "map[string]interface {}"


def _type_error(value: Any, field: str, go_type: str) -> _DecodeError:
    return _DecodeError(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
        f"{_json_type(value)} into Go struct field .{field} of type {go_type}"
    )


# Chart.yaml's fields as Helm's ``Metadata``, ``Maintainer`` and ``Dependency`` declare them.
_METADATA_FIELDS: dict[str, str] = {
    "name": "string", "home": "string", "sources": "[]string", "version": "string",
    "description": "string", "keywords": "[]string", "maintainers": "[]maintainer", "icon": "string",
    "apiVersion": "string", "condition": "string", "tags": "string", "appVersion": "string",
    "deprecated": "bool", "annotations": "map[string]string", "kubeVersion": "string",
    "dependencies": "[]dependency", "type": "string",
}  # fmt: skip
_MAINTAINER_FIELDS: dict[str, str] = {"name": "string", "email": "string", "url": "string"}
_DEPENDENCY_FIELDS: dict[str, str] = {
    "name": "string", "version": "string", "repository": "string", "condition": "string",
    "tags": "[]string", "enabled": "bool", "import-values": "any", "alias": "string",
}  # fmt: skip


def _go_string(value: Any, field: str) -> str:
    """A scalar decoded into a Go string field (sigs.k8s.io/yaml stringifies YAML scalars)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return value
    raise _type_error(value, field, "string")


def _decode_struct(raw: Mapping[str, Any], fields: Mapping[str, str], path: str) -> dict[str, Any]:
    """Decode a mapping into a struct's fields the way encoding/json does.

    Keys are matched case-insensitively and in sorted order (JSON objects from YAML maps are
    sorted), so a later spelling wins; the first type mismatch in that order is the error.
    """
    out: dict[str, Any] = {}
    folded = {name.lower(): name for name in fields}
    for key in sorted(raw):
        name = folded.get(key.lower())
        if name is None:
            continue
        out[name] = _decode_field(raw[key], fields[name], f"{path}{name}")
    return out


def _decode_field(value: Any, kind: str, field: str) -> Any:
    if kind == "any":
        return value
    if kind == "string":
        return _go_string(value, field)
    if kind == "bool":
        if value is None or isinstance(value, bool):
            return bool(value)
        raise _type_error(value, field, "bool")
    if kind == "map[string]string":
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise _type_error(value, field, kind)
        return {k: _go_string(v, field) for k, v in value.items()}
    if value is None:
        return []
    if not isinstance(value, list):
        raise _type_error(value, field, "[]string" if kind == "[]string" else f"[]*v2.{kind[2:].title()}")
    if kind == "[]string":
        return [_go_string(item, field) for item in value]
    struct_fields = _MAINTAINER_FIELDS if kind == "[]maintainer" else _DEPENDENCY_FIELDS
    items: list[dict[str, Any] | None] = []
    for item in value:
        if item is None:
            items.append(None)
        elif isinstance(item, dict):
            items.append(_decode_struct(item, struct_fields, f"{field}."))
        else:
            raise _type_error(item, field, f"v2.{kind[2:].title()}")
    return items


def _decode_metadata(raw: Any) -> dict[str, Any]:
    """Chart.yaml data decoded into Helm's ``Metadata`` fields (every field present)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _DecodeError(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{_json_type(raw)} into Go value of type v2.Metadata"
        )
    defaults: dict[str, Any] = {
        "[]string": [], "[]maintainer": [], "[]dependency": [], "bool": False, "map[string]string": {},
    }  # fmt: skip
    meta = {name: defaults.get(kind, "") for name, kind in _METADATA_FIELDS.items()}
    meta.update(_decode_struct(raw, _METADATA_FIELDS, ""))
    return meta


def _unknown_field(raw: Mapping[str, Any]) -> str | None:
    """The first key Helm's strict decoder rejects (sorted order, nested structs included)."""
    for key in sorted(raw):
        name = next((f for f in _METADATA_FIELDS if f.lower() == key.lower()), None)
        if name is None:
            return str(key)
        value = raw[key]
        if name in ("maintainers", "dependencies") and isinstance(value, list):
            known = _MAINTAINER_FIELDS if name == "maintainers" else _DEPENDENCY_FIELDS
            for item in value:
                if isinstance(item, dict):
                    for item_key in sorted(item):
                        if not any(f.lower() == item_key.lower() for f in known):
                            return str(item_key)
    return None


@dataclass(frozen=True)
class _ChartFile:
    """Chart.yaml as the rules see it: decoded ``meta``, the ``raw`` data and the strict verdict."""

    meta: dict[str, Any]
    raw: dict[str, Any]
    strict_problem: str | None


def _load_chartfile(path: Path) -> _ChartFile:
    """Read and decode Chart.yaml; raises _DecodeError with Helm's detail when it cannot."""
    try:
        data = path.read_bytes()
    except OSError as err:
        # Go opens a directory fine and fails on the read; a missing file fails on the open.
        op = "read" if isinstance(err, IsADirectoryError) else "open"
        raise _DecodeError(_os_problem(op, path, err)) from None
    node, raw = _parse_document(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace"))
    meta = _decode_metadata(raw)
    raw_map = raw if isinstance(raw, dict) else {}
    duplicates = _duplicate_keys(node)
    if duplicates:
        strict: str | None = "error converting YAML to JSON: yaml: unmarshal errors:\n  " + "\n  ".join(duplicates)
    else:
        unknown = _unknown_field(raw_map)
        strict = None
        if unknown is not None:
            strict = f"error unmarshaling JSON: while decoding JSON: json: unknown field {go_quote(unknown)}"
    return _ChartFile(meta, raw_map, strict)


# --- URL and e-mail checks (govalidator's, as Helm uses them) ---------------------------------
#
# govalidator answers with big backtracking regular expressions; Python's engine could take
# exponential time on them, so the same languages are checked here in linear passes.

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HEX2 = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_HOST_OK = frozenset("-_.~!$&'()*+,;=:]<>\"")
_USERINFO_OK = frozenset("-._:~!$&'()*+,;=%@")
_CTL = re.compile(r"[\x00-\x1f\x7f]")


def _valid_authority(authority: str, scheme: str) -> bool:
    """Go ``net/url``'s ``parseAuthority``: userinfo characters, host characters, numeric port."""
    userinfo, _, host = authority.rpartition("@")
    if userinfo and not all(ch.isalnum() or ch in _USERINFO_OK for ch in userinfo if ord(ch) < 0x80):
        return False
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return False
        port = host[end + 1 :]
        return not port or (port.startswith(":") and port[1:].isdigit() or port == ":")
    if "[" in host:
        return False
    hostname, colon, port = host.rpartition(":")
    if colon:
        if port and not (port.isascii() and port.isdigit()):
            return False
        # Go refuses an unbracketed colon in the host name of an http(s) URL.
        if ":" in hostname and scheme in ("http", "https"):
            return False
    # In a host, only %25 and escapes of non-ASCII bytes are allowed.
    if _HEX2.search(host) or any(esc != "%25" and int(esc[1:], 16) < 0x80 for esc in _ESCAPE.findall(host)):
        return False
    return all(ord(ch) >= 0x80 or ch.isalnum() or ch in _HOST_OK or ch == "%" for ch in host)


def _parse_url(text: str, *, via_request: bool) -> tuple[str, str, str] | None:
    """Go's ``url.Parse`` / ``url.ParseRequestURI``: (scheme, host, path), or None on error."""
    if _CTL.search(text) or (via_request and not text):
        return None
    scheme = ""
    rest = text
    match = _SCHEME.match(text)
    if match:
        scheme, rest = match.group(1).lower(), text[match.end() :]
    elif text.startswith(":"):
        return None  # "missing protocol scheme"
    if not via_request:
        rest = rest.partition("#")[0]
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest = rest.partition("?")[0]
    if not rest.startswith("/"):
        if scheme:
            return scheme, "", ""  # opaque, e.g. mailto:x
        if via_request:
            return None
        # A relative path must not have a colon in its first segment.
        if ":" in rest.partition("/")[0]:
            return None
    host = ""
    if (scheme or not via_request and not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        if not _valid_authority(authority, scheme):
            return None
        host, rest = authority.rpartition("@")[2], slash + path
    if _HEX2.search(rest):
        return None
    return scheme, host, rest


def is_request_url(text: str) -> bool:
    """govalidator ``IsRequestURL``: an absolute URL with a scheme (``https://x``, ``mailto:a``)."""
    parsed = _parse_url(text, via_request=True)
    return parsed is not None and parsed[0] != ""


_IPV6 = (
    r"(([0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|"
    r"([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|"
    r"([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|"
    r"[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:)|fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}|"
    r"::(ffff(:0{1,4}){0,1}:){0,1}((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])|"
    r"([0-9a-fA-F]{1,4}:){1,4}:((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9]))"
)
_IPV4 = (
    r"([1-9]\d?|1\d\d|2[01]\d|22[0-3]|24\d|25[0-5])(\.(\d{1,2}|1\d\d|2[0-4]\d|25[0-5])){2}"
    r"(?:\.([0-9]\d?|1\d\d|2[0-4]\d|25[0-5]))"
)
# govalidator's rxURL with its nested quantifiers unrolled into equivalent linear forms
# ("(x+-?-?)*x+" is "x+(--?x+)*", "\S+(:\S*)?@" is "\S+@", ...): same strings accepted, but no
# exponential backtracking on hostile input.
_ALNUM = "a-zA-Z0-9"
_LABEL = "a-zA-Z\u00a1-\uffff0-9"
_URL = re.compile(
    r"^(?:(?:ftp|tcp|udp|wss?|https?)://)?(?:\S+@)?"
    rf"(?:{_IPV4}|\[{_IPV6}\]|"
    rf"(?:[{_ALNUM}][{_ALNUM}_-]*[{_ALNUM}](?:[-.][{_ALNUM}]+)*|www\.|[{_ALNUM}](?:[-_.]?[{_ALNUM}])*[{_ALNUM}]\.[{_ALNUM}]+)?"
    rf"[{_LABEL}]+(?:--?[{_LABEL}]+)*(?:\.[a-zA-Z\u00a1-\uffff]+)?)"
    r"\.?(?::\d{1,5})?(?:[/?#]\S*)?$",
    re.ASCII,
)
_URL_MAX_RUNES = 2083
_URL_MIN_BYTES = 3


def is_url(text: str) -> bool:
    """govalidator ``IsURL``: a URL, scheme optional (``example.com/x``, ``http://1.2.3.4:80``)."""
    if not text or len(text) >= _URL_MAX_RUNES or len(text.encode()) <= _URL_MIN_BYTES or text.startswith("."):
        return False
    # Like govalidator: "host:port" without a scheme is parsed as if it had one.
    candidate = "http://" + text if ":" in text and "://" not in text else text
    parsed = _parse_url(candidate, via_request=False)
    if parsed is None:
        return False
    _, host, path = parsed
    if host.startswith(".") or (not host and path and "." not in path):
        return False
    return _URL.match(text) is not None


_EMAIL_LOCAL_CHARS = re.compile(r"^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef.]+$")
# govalidator's quoted local part, as Helm 4.3.1 actually accepts it: one character, optionally
# padded with blanks ("x"@a.io, " x"@a.io); longer quoted strings are rejected.
_EMAIL_QUOTED = re.compile(r'^"[ \t]*[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x21\x23-\x5b\x5d-\x7e\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef][ \t]*"$')
_EMAIL_DOMAIN_CHARS = re.compile(r"^[A-Za-z0-9\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef._~-]+$")


def _email_alnum(ch: str, *, digits: bool = True) -> bool:
    """A letter (a digit too, unless ``digits`` is false) in govalidator's e-mail alphabet."""
    if ch.isascii():
        return ch.isalpha() or (digits and ch.isdigit())
    return "\u00a0" <= ch <= "\ud7ff" or "\uf900" <= ch <= "\ufdcf" or "\ufdf0" <= ch <= "\uffef"


def is_email(text: str) -> bool:
    """govalidator ``IsEmail``: ``local@domain.tld`` (dot-atom or quoted local part)."""
    local, at, domain = text.rpartition("@")
    if not at or not local:
        return False
    if local.startswith('"'):
        if not _EMAIL_QUOTED.match(local):
            return False
    elif not _EMAIL_LOCAL_CHARS.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    domain = domain.removesuffix(".")
    if not domain or not _EMAIL_DOMAIN_CHARS.match(domain):
        return False
    if not _email_alnum(domain[0]) or not _email_alnum(domain[-1], digits=False):
        return False
    # At least one "label." boundary: a dot after a letter/digit, before a letter.
    return any(
        domain[i] == "." and _email_alnum(domain[i - 1]) and _email_alnum(domain[i + 1], digits=False)
        for i in range(1, len(domain) - 1)
    )


# --- Chart.yaml rules (chartfile.go) ----------------------------------------------------------


def _go_base(path: str) -> str:
    """Go's ``filepath.Base``: trailing slashes dropped, ``.`` for an empty path."""
    if not path:
        return "."
    stripped = path.rstrip("/")
    if not stripped:
        return "/"
    return stripped.rsplit("/", 1)[-1]


def validate_chart_name(meta: Mapping[str, Any]) -> str | None:
    """``name`` is required and must be its own base name (no ``/``; Helm lets ``..`` through
    here, and the loader refuses it)."""
    name = meta["name"]
    if not name:
        return "name is required"
    if _go_base(name) != name:
        return f"chart name {go_quote(name)} is invalid"
    return None


def validate_chart_api_version(meta: Mapping[str, Any]) -> str | None:
    """``apiVersion`` must be present and be ``v1`` or ``v2``."""
    api_version = meta["apiVersion"]
    if not api_version:
        return 'apiVersion is required. The value must be either "v1" or "v2"'
    if api_version not in ("v1", "v2"):
        return f"apiVersion '{api_version}' is not valid. The value must be either \"v1\" or \"v2\""
    return None


def validate_string_field(raw: Mapping[str, Any], key: str) -> str | None:
    """``version``/``appVersion`` must be YAML strings (an unquoted ``1.10`` is a float)."""
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, str):
        return None
    return f"{key} should be of type string but it's of type {_go_type(value)}"


def validate_chart_version(meta: Mapping[str, Any]) -> str | None:
    """``version`` is required, SemVer (leniently, as Helm parses it) and above ``0.0.0-0``."""
    from helmlite.semver import parse_version

    version = meta["version"]
    if not version:
        return "version is required"
    try:
        parsed = parse_version(version)
    except ValueError:
        return f"version '{version}' is not a valid SemVer"
    # Helm checks the constraint ">0.0.0-0"; only 0.0.0-0 itself (any build metadata) is not above it.
    if (parsed.major, parsed.minor, parsed.patch, parsed.prerelease) == (0, 0, 0, "0"):
        return f'version "{parsed}" is less than or equal to "0.0.0-0"'
    return None


def validate_chart_version_strict(meta: Mapping[str, Any]) -> str | None:
    """A warning: ``version`` should be strict SemVer 2 (no ``v`` prefix, all three numbers)."""
    from helmlite.semver import is_strict_semver

    version = meta["version"]
    if is_strict_semver(version):
        return None
    return f"version '{version}' is not a valid SemVerV2"


def validate_chart_maintainers(meta: Mapping[str, Any]) -> str | None:
    """Every maintainer has a name; e-mail and URL, when given, are well formed."""
    for maintainer in meta["maintainers"]:
        if maintainer is None:
            return "a maintainer entry is empty"
        name, email, url = maintainer.get("name", ""), maintainer.get("email", ""), maintainer.get("url", "")
        if not name:
            return "each maintainer requires a name"
        if email and not is_email(email):
            return f"invalid email '{email}' for maintainer '{name}'"
        if url and not is_url(url):
            return f"invalid url '{url}' for maintainer '{name}'"
    return None


def validate_chart_sources(meta: Mapping[str, Any]) -> str | None:
    """Every ``sources`` entry is an absolute URL."""
    for source in meta["sources"]:
        if not source or not is_request_url(source):
            return f"invalid source URL '{source}'"
    return None


def validate_chart_icon_presence(meta: Mapping[str, Any]) -> str | None:
    """An INFO nudge: charts should have an ``icon``."""
    return None if meta["icon"] else "icon is recommended"


def validate_chart_icon_url(meta: Mapping[str, Any]) -> str | None:
    """``icon``, when given, is an absolute URL."""
    icon = meta["icon"]
    if icon and not is_request_url(icon):
        return f"invalid icon URL '{icon}'"
    return None


def validate_chart_type(meta: Mapping[str, Any]) -> str | None:
    """``type`` exists only in apiVersion v2."""
    if meta["type"] and meta["apiVersion"] != "v2":
        return f"chart type is not valid in apiVersion '{meta['apiVersion']}'. It is valid in apiVersion 'v2'"
    return None


def validate_chart_dependencies(meta: Mapping[str, Any]) -> str | None:
    """Chart.yaml ``dependencies`` exist only in apiVersion v2 (v1 uses requirements.yaml)."""
    if meta["dependencies"] and meta["apiVersion"] != "v2":
        return (
            f"dependencies are not valid in the Chart file with apiVersion '{meta['apiVersion']}'. "
            "They are valid in apiVersion 'v2'"
        )
    return None


def _run_chartfile(linter: _Linter) -> None:
    path = linter.chart_dir / CHART_FILE
    linter.check(Severity.ERROR, CHART_FILE, "should be a file, not a directory" if path.is_dir() else None)
    try:
        chart_file = _load_chartfile(path)
    except _DecodeError as err:
        # Every later check needs a readable Chart.yaml.
        linter.check(Severity.ERROR, CHART_FILE, f"unable to parse YAML\n\t{err}")
        return
    if chart_file.strict_problem is not None:
        linter.check(Severity.WARNING, CHART_FILE, f"failed to strictly parse chart metadata file\n\t{chart_file.strict_problem}")
    meta, raw = chart_file.meta, chart_file.raw
    error, info, warning = Severity.ERROR, Severity.INFO, Severity.WARNING
    rules: list[tuple[Severity, Callable[[], str | None]]] = [
        (error, lambda: validate_chart_name(meta)),
        (error, lambda: validate_chart_api_version(meta)),
        (error, lambda: validate_string_field(raw, "version")),
        (error, lambda: validate_chart_version(meta)),
        (error, lambda: validate_string_field(raw, "appVersion")),
        (error, lambda: validate_chart_maintainers(meta)),
        (error, lambda: validate_chart_sources(meta)),
        (info, lambda: validate_chart_icon_presence(meta)),
        (error, lambda: validate_chart_icon_url(meta)),
        (error, lambda: validate_chart_type(meta)),
        (error, lambda: validate_chart_dependencies(meta)),
        (warning, lambda: validate_chart_version_strict(meta)),
    ]
    for severity, rule in rules:
        linter.check(severity, CHART_FILE, rule())


# --- Rendered manifests as Helm's decoder sees them -------------------------------------------


@dataclass(frozen=True)
class _ObjectHead:
    """The fields of a manifest the template rules look at (Helm's ``k8sYamlStruct``)."""

    api_version: str
    kind: str
    name: str
    data: dict[str, Any]


def _yaml_chunks(text: str) -> Iterator[tuple[str | None, str]]:
    """Split a YAML stream at ``---`` lines, as Kubernetes' ``YAMLReader`` does.

    Yields ``(problem, chunk)``: a separator followed by anything but a comment is a problem
    (and ends the stream). Empty chunks are skipped.
    """
    buffer: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            trailing = line[3:].strip()
            if trailing and not trailing.startswith("#"):
                yield f"invalid Yaml document separator: {trailing}", ""
                return
            if buffer:
                yield None, "".join(buffer)
                buffer = []
            continue
        buffer.append(line)
    if buffer:
        yield None, "".join(buffer)


def _decode_documents(text: str) -> Iterator[tuple[str | None, _ObjectHead | None]]:
    """Decode each document of a manifest stream: ``(problem, head)``; head None for empty ones.

    Stops after the first problem, as Helm's decoder does.
    """
    for problem, chunk in _yaml_chunks(text):
        if problem is not None:
            yield problem, None
            return
        try:
            node, data = _parse_document(chunk)
            head = _object_head(data) if node is not None else None
        except _DecodeError as err:
            yield str(err), None
            return
        if head is not None:
            yield None, head


def _object_head(data: Any) -> _ObjectHead | None:
    """``apiVersion``, ``kind`` and ``metadata.name`` of one document; raises _DecodeError."""
    prefix = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal"
    if data is None:
        return None
    if not isinstance(data, dict):
        raise _DecodeError(f"{prefix} {_json_type(data)} into Go value of type rules.k8sYamlStruct")
    fields = _decode_struct(data, {"apiVersion": "string", "kind": "string", "metadata": "any"}, "")
    metadata = fields.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise _DecodeError(f"{prefix} {_json_type(metadata)} into Go struct field .metadata of type rules.k8sYamlMetadata")
    meta_fields = _decode_struct(metadata or {}, {"name": "string", "namespace": "string"}, "metadata.")
    return _ObjectHead(fields.get("apiVersion", ""), fields.get("kind", ""), meta_fields.get("name", ""), data)


# --- Template rules (template.go) -------------------------------------------------------------

_ALLOWED_EXTENSIONS = (".yaml", ".yml", ".tpl", ".txt")


def _go_ext(name: str) -> str:
    """Go's ``filepath.Ext``: from the last dot of the last path element, or ""."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:] if dot >= 0 else ""


def validate_allowed_extension(name: str) -> str | None:
    """Template files are ``.yaml``, ``.yml``, ``.tpl`` or ``.txt``."""
    ext = _go_ext(name)
    if ext in _ALLOWED_EXTENSIONS:
        return None
    return f"file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"


def validate_top_indent_level(content: str) -> str | None:
    """A warning: the first non-blank line of a rendered file must not be indented."""
    for line in content.splitlines():
        if not line.strip():
            continue
        if line.startswith((" ", "\t")):
            return f"document starts with an illegal indent: {go_quote(line)}, which may cause parsing problems"
        return None
    return None


_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = _DNS1123_LABEL + r"(\." + _DNS1123_LABEL + ")*"
_DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_RE = re.compile(f"^{_DNS1123_LABEL}$")
_DNS1123_SUBDOMAIN_RE = re.compile(f"^{_DNS1123_SUBDOMAIN}$")
_DNS1035_LABEL_RE = re.compile(f"^{_DNS1035_LABEL}$")


def _regex_error(message: str, pattern: str, *examples: str) -> str:
    """Kubernetes' ``validation.RegexError`` wording (its double space before "or" included)."""
    listed = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {listed}regex used for validation is '{pattern}')"


def _max_len(value: str, limit: int) -> list[str]:
    return [f"must be no more than {limit} characters"] if len(value) > limit else []


def dns1123_subdomain_problems(value: str) -> list[str]:
    """Kubernetes' ``IsDNS1123Subdomain`` (most object names)."""
    problems = _max_len(value, 253)
    if not _DNS1123_SUBDOMAIN_RE.match(value):
        problems.append(_regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            "and must start and end with an alphanumeric character", _DNS1123_SUBDOMAIN, "example.com",
        ))  # fmt: skip
    return problems


def dns1123_label_problems(value: str) -> list[str]:
    """Kubernetes' ``IsDNS1123Label`` (Namespace names)."""
    problems = _max_len(value, 63)
    if not _DNS1123_LABEL_RE.match(value):
        if _DNS1123_SUBDOMAIN_RE.match(value):
            problems.append("must not contain dots")
        else:
            problems.append(_regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character", _DNS1123_LABEL, "my-name", "123-abc",
            ))  # fmt: skip
    return problems


def dns1035_label_problems(value: str) -> list[str]:
    """Kubernetes' ``IsDNS1035Label`` (Service names)."""
    problems = _max_len(value, 63)
    if not _DNS1035_LABEL_RE.match(value):
        problems.append(_regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
            "alphabetic character, and end with an alphanumeric character", _DNS1035_LABEL, "my-name", "abc-123",
        ))  # fmt: skip
    return problems


def path_segment_problems(value: str) -> list[str]:
    """Kubernetes' ``IsPathSegmentName`` (RBAC object names)."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in value]


def _name_rule(kind: str) -> Callable[[str], list[str]]:
    """The name validation the API server applies to ``kind`` (subdomain unless special)."""
    kind = kind.lower()
    if kind == "service":
        return dns1035_label_problems
    if kind == "namespace":
        return dns1123_label_problems
    if kind == "certificatesigningrequest":
        return lambda _name: []
    if kind in ("role", "clusterrole", "rolebinding", "clusterrolebinding"):
        return path_segment_problems
    return dns1123_subdomain_problems


def validate_metadata_name(kind: str, name: str) -> str | None:
    """A warning: ``metadata.name`` must be valid for the object's kind."""
    problems = _name_rule(kind)(name)
    if not problems:
        return None
    errors = [f"metadata.name: Invalid value: {go_quote(name)}: {problem}" for problem in problems]
    aggregate = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    return f"object name does not conform to Kubernetes naming requirements: {go_quote(name)}: {aggregate}"


# Deprecated built-in APIs, as the Helm v4.3.1 binary reports them: (apiVersion, deprecated in
# v1.N, removed in v1.N (0: no date), replacement, kinds). The replacement is "group/version"
# (same kind) or "group/version Kind". The rows were read off the binary itself: every API type
# its Kubernetes scheme registers with a lifecycle was linted at each Kubernetes minor version.
# Kinds missing here (autoscaling/v2beta2 HorizontalPodAutoscaler, apiextensions.k8s.io/v1beta1
# CustomResourceDefinition, ...) are no longer in Helm's scheme, so Helm 4.3.1 stays silent on them.
_DEPRECATED_APIS: tuple[tuple[str, int, int, str, str], ...] = (
    ("admissionregistration.k8s.io/v1alpha1", 35, 38, "", "MutatingAdmissionPolicy MutatingAdmissionPolicyBinding MutatingAdmissionPolicyBindingList MutatingAdmissionPolicyList"),
    ("admissionregistration.k8s.io/v1alpha1", 29, 32, "", "ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding ValidatingAdmissionPolicyBindingList ValidatingAdmissionPolicyList"),
    ("admissionregistration.k8s.io/v1beta1", 37, 40, "admissionregistration.k8s.io/v1", "MutatingAdmissionPolicy MutatingAdmissionPolicyBinding MutatingAdmissionPolicyBindingList MutatingAdmissionPolicyList"),
    ("admissionregistration.k8s.io/v1beta1", 16, 22, "admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration MutatingWebhookConfigurationList ValidatingWebhookConfiguration ValidatingWebhookConfigurationList"),
    ("admissionregistration.k8s.io/v1beta1", 31, 34, "", "ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding ValidatingAdmissionPolicyBindingList ValidatingAdmissionPolicyList"),
    ("apps/v1beta1", 8, 16, "apps/v1", "ControllerRevision ControllerRevisionList Deployment DeploymentList DeploymentRollback StatefulSet StatefulSetList"),
    ("apps/v1beta1", 8, 16, "autoscaling/v1", "Scale"),
    ("apps/v1beta2", 9, 16, "apps/v1", "ControllerRevision ControllerRevisionList DaemonSet DaemonSetList Deployment DeploymentList ReplicaSet ReplicaSetList StatefulSet StatefulSetList"),
    ("apps/v1beta2", 9, 16, "autoscaling/v1", "Scale"),
    ("authentication.k8s.io/v1alpha1", 29, 32, "", "SelfSubjectReview"),
    ("authentication.k8s.io/v1beta1", 30, 33, "", "SelfSubjectReview"),
    ("authentication.k8s.io/v1beta1", 19, 22, "authentication.k8s.io/v1", "TokenReview"),
    ("authorization.k8s.io/v1beta1", 19, 22, "authorization.k8s.io/v1", "LocalSubjectAccessReview SelfSubjectAccessReview SelfSubjectRulesReview SubjectAccessReview"),
    ("batch/v1beta1", 21, 25, "batch/v1", "CronJob CronJobList"),
    ("certificates.k8s.io/v1alpha1", 34, 37, "", "ClusterTrustBundle ClusterTrustBundleList"),
    ("certificates.k8s.io/v1beta1", 19, 22, "certificates.k8s.io/v1", "CertificateSigningRequest CertificateSigningRequestList"),
    ("certificates.k8s.io/v1beta1", 37, 40, "certificates.k8s.io/v1", "ClusterTrustBundle ClusterTrustBundleList PodCertificateRequest PodCertificateRequestList"),
    ("coordination.k8s.io/v1alpha2", 35, 38, "", "LeaseCandidate LeaseCandidateList"),
    ("coordination.k8s.io/v1beta1", 19, 22, "coordination.k8s.io/v1", "Lease LeaseList"),
    ("coordination.k8s.io/v1beta1", 36, 39, "", "LeaseCandidate LeaseCandidateList"),
    ("v1", 19, 0, "", "ComponentStatus ComponentStatusList"),
    ("v1", 33, 0, "discovery.k8s.io/v1 EndpointSlice", "Endpoints"),
    ("v1", 33, 0, "discovery.k8s.io/v1 EndpointSliceList", "EndpointsList"),
    ("discovery.k8s.io/v1beta1", 21, 25, "discovery.k8s.io/v1", "EndpointSlice"),
    ("discovery.k8s.io/v1beta1", 21, 25, "discovery.k8s.io/v1 EndpointSlice", "EndpointSliceList"),
    ("events.k8s.io/v1beta1", 22, 25, "", "Event EventList"),
    ("extensions/v1beta1", 8, 16, "apps/v1", "DaemonSet DaemonSetList Deployment DeploymentList ReplicaSet ReplicaSetList"),
    ("extensions/v1beta1", 8, 16, "", "DeploymentRollback"),
    ("extensions/v1beta1", 14, 22, "networking.k8s.io/v1", "Ingress IngressList"),
    ("extensions/v1beta1", 9, 16, "networking.k8s.io/v1", "NetworkPolicy NetworkPolicyList"),
    ("extensions/v1beta1", 2, 16, "", "Scale"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", 23, 26, "flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema FlowSchemaList PriorityLevelConfiguration PriorityLevelConfigurationList"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", 26, 29, "flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema FlowSchemaList PriorityLevelConfiguration PriorityLevelConfigurationList"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", 29, 32, "flowcontrol.apiserver.k8s.io/v1", "FlowSchema FlowSchemaList PriorityLevelConfiguration PriorityLevelConfigurationList"),
    ("lifecycle.k8s.io/v1alpha1", 40, 43, "", "Eviction EvictionList EvictionRequest EvictionRequestList"),
    ("networking.k8s.io/v1beta1", 34, 37, "", "IPAddress IPAddressList ServiceCIDR ServiceCIDRList"),
    ("networking.k8s.io/v1beta1", 19, 22, "networking.k8s.io/v1", "Ingress IngressClassList IngressList"),
    ("networking.k8s.io/v1beta1", 19, 22, "networking.k8s.io/v1 IngressClassList", "IngressClass"),
    ("node.k8s.io/v1beta1", 22, 25, "", "RuntimeClass RuntimeClassList"),
    ("policy/v1beta1", 22, 25, "", "Eviction"),
    ("policy/v1beta1", 21, 25, "policy/v1", "PodDisruptionBudget PodDisruptionBudgetList"),
    ("rbac.authorization.k8s.io/v1beta1", 17, 22, "rbac.authorization.k8s.io/v1", "ClusterRole ClusterRoleBinding ClusterRoleBindingList ClusterRoleList Role RoleBinding RoleBindingList RoleList"),
    ("resource.k8s.io/v1alpha3", 36, 39, "", "DeviceTaintRule DeviceTaintRuleList"),
    ("resource.k8s.io/v1alpha3", 39, 42, "", "ResourcePoolStatusRequest ResourcePoolStatusRequestList"),
    ("resource.k8s.io/v1beta1", 35, 38, "", "DeviceClass DeviceClassList ResourceClaim ResourceClaimList ResourceClaimTemplate ResourceClaimTemplateList ResourceSlice ResourceSliceList"),
    ("resource.k8s.io/v1beta2", 36, 39, "", "DeviceClass DeviceClassList ResourceClaim ResourceClaimList ResourceClaimTemplate ResourceClaimTemplateList ResourceSlice ResourceSliceList"),
    ("resource.k8s.io/v1beta2", 39, 42, "", "DeviceTaintRule DeviceTaintRuleList"),
    ("scheduling.k8s.io/v1beta1", 40, 43, "", "PodGroup PodGroupList Workload WorkloadList"),
    ("scheduling.k8s.io/v1beta1", 14, 22, "scheduling.k8s.io/v1", "PriorityClass PriorityClassList"),
    ("storage.k8s.io/v1alpha1", 21, 24, "storage.k8s.io/v1beta1", "CSIStorageCapacity CSIStorageCapacityList"),
    ("storage.k8s.io/v1alpha1", 21, 24, "storage.k8s.io/v1", "VolumeAttachment VolumeAttachmentList"),
    ("storage.k8s.io/v1alpha1", 32, 35, "storage.k8s.io/v1", "VolumeAttributesClass VolumeAttributesClassList"),
    ("storage.k8s.io/v1beta1", 19, 22, "storage.k8s.io/v1", "CSIDriver CSIDriverList StorageClass StorageClassList VolumeAttachment VolumeAttachmentList"),
    ("storage.k8s.io/v1beta1", 17, 22, "storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1beta1", 17, 22, "storage.k8s.io/v1 CSINode", "CSINodeList"),
    ("storage.k8s.io/v1beta1", 24, 27, "storage.k8s.io/v1", "CSIStorageCapacity CSIStorageCapacityList"),
    ("storage.k8s.io/v1beta1", 34, 37, "storage.k8s.io/v1", "VolumeAttributesClass VolumeAttributesClassList"),
    ("storagemigration.k8s.io/v1beta1", 37, 40, "storagemigration.k8s.io/v1", "StorageVersionMigration StorageVersionMigrationList"),
)  # fmt: skip


def _deprecation_index() -> dict[tuple[str, str], tuple[int, str]]:
    """(apiVersion, kind) → (deprecated minor, Kubernetes' warning text)."""
    index: dict[tuple[str, str], tuple[int, str]] = {}
    for api_version, deprecated, removed, replacement, kinds in _DEPRECATED_APIS:
        for kind in kinds.split():
            text = f"{api_version} {kind} is deprecated in v1.{deprecated}+"
            if removed:
                text += f", unavailable in v1.{removed}+"
            if replacement:
                text += f"; use {replacement if ' ' in replacement else f'{replacement} {kind}'}"
            index[(api_version, kind)] = (deprecated, text)
    return index


_DEPRECATIONS = _deprecation_index()


def deprecation_warning(api_version: str, kind: str, kube_version: KubeVersion | None = None) -> str | None:
    """Kubernetes' deprecation warning for ``api_version``/``kind`` on ``kube_version``, or None.

    An API counts from the minor version that deprecated it; ``kube_version`` defaults to
    helmlite's default Kubernetes version (as Helm's lint uses its own client version).
    """
    entry = _DEPRECATIONS.get((api_version, kind))
    if entry is None:
        return None
    deprecated_minor, text = entry
    version = kube_version or KubeVersion(DEFAULT_KUBE_VERSION)
    major, minor = int(version.major), int(version.minor)
    # Kubernetes' IsDeprecated: no version (0.0) means "always"; every entry here is a 1.x API.
    if (major, minor) != (0, 0) and (major, minor) < (1, deprecated_minor):
        return None
    return text


_WORKLOAD_KINDS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet")


def validate_match_selector(head: _ObjectHead, content: str) -> str | None:
    """Workloads declare ``matchLabels`` or ``matchExpressions``.

    Like Helm, the whole rendered file is searched, not just this document.
    """
    if head.kind in _WORKLOAD_KINDS and "matchLabels" not in content and "matchExpressions" not in content:
        return f"a {head.kind} must contain matchLabels or matchExpressions, and {go_quote(head.name)} does not"
    return None


def validate_list_annotations(head: _ObjectHead, first_document: Mapping[str, Any] | None) -> str | None:
    """``helm.sh/resource-policy`` on an item of a ``kind: List`` has no effect.

    Like Helm (which unmarshals the whole file as one document), the items checked are those of
    the file's first document.
    """
    if head.kind != "List" or not first_document:
        return None
    items = first_document.get("items")
    for item in items if isinstance(items, list) else []:
        metadata = item.get("metadata") if isinstance(item, dict) else None
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        if isinstance(annotations, dict) and "helm.sh/resource-policy" in annotations:
            return "annotation 'helm.sh/resource-policy' within List objects are ignored"
    return None


def _run_templates(
    linter: _Linter,
    values: dict[str, Any],
    namespace: str,
    kube_version: KubeVersion | None,
    skip_schema_validation: bool,
) -> None:
    from helmlite.chart.dependencies import process_dependencies
    from helmlite.errors import HelmliteError
    from helmlite.render.capabilities import Capabilities
    from helmlite.render.context import ReleaseInfo
    from helmlite.render.engine import render_templates
    from helmlite.values.coalesce import coalesce_values
    from helmlite.values.schema import validate_values

    templates = linter.chart_dir / "templates"
    if not linter.check(Severity.WARNING, TEMPLATES_DIR, None if templates.exists() else "directory does not exist"):
        return
    if not linter.check(Severity.ERROR, TEMPLATES_DIR, None if templates.is_dir() else "not a directory"):
        return
    chart = _load(linter, TEMPLATES_DIR)
    if chart is None:
        return
    # Like Helm, dependency or coalescing trouble ends the template rules silently: the
    # dependency rules report on the subcharts, and the values rules on the values.
    try:
        process_dependencies(chart, values)
        computed = coalesce_values(chart, values)
    except HelmliteError:
        return
    try:
        if not skip_schema_validation:
            validate_values(chart, computed)
        capabilities = Capabilities(kube_version) if kube_version else Capabilities()
        # Helm lints as a release that is neither an install nor an upgrade, at revision 0.
        release = ReleaseInfo(LINT_RELEASE_NAME, namespace, revision=0, is_install=False, is_upgrade=False)
        rendered = render_templates(chart, computed, release=release, capabilities=capabilities, lint=True)
    except HelmliteError as err:  # schema violations, render errors, a Go-template chart
        linter.check(Severity.ERROR, TEMPLATES_DIR, str(err))
        return

    for template in chart.templates:
        name = template.name
        linter.check(Severity.ERROR, name, validate_allowed_extension(name))
        if _go_ext(name).lower() not in (".yaml", ".yml"):
            continue
        content = rendered.get(f"{chart.name}/{name}", "")
        if not content.strip():
            continue
        linter.check(Severity.WARNING, name, validate_top_indent_level(content))
        first_document: dict[str, Any] | None = None
        for problem, head in _decode_documents(content):
            # A file that does not parse would fail every later document too: Helm stops here.
            if not linter.check(Severity.ERROR, name, None if problem is None else f"unable to parse YAML: {problem}"):
                return
            if head is None:
                continue
            if first_document is None:
                first_document = head.data
            linter.check(Severity.WARNING, name, validate_metadata_name(head.kind, head.name))
            if head.api_version and head.kind:
                linter.check(Severity.WARNING, name, deprecation_warning(head.api_version, head.kind, kube_version))
            linter.check(Severity.ERROR, name, validate_match_selector(head, content))
            linter.check(Severity.ERROR, name, validate_list_annotations(head, first_document))


def _load(linter: _Linter, path: str) -> Any:
    """The chart, loaded as ``helmlite`` loads it; a failure is an ERROR at ``path`` (None returned)."""
    from helmlite.chart.loader import load_chart
    from helmlite.errors import HelmliteError

    try:
        return load_chart(linter.source)
    except HelmliteError as err:
        linter.check(Severity.ERROR, path, str(err))
        return None


# --- Values rules (values.go) -----------------------------------------------------------------


def _run_values(linter: _Linter, overrides: dict[str, Any], skip_schema_validation: bool) -> None:
    path = linter.chart_dir / VALUES_FILE
    if not linter.check(Severity.INFO, VALUES_FILE, None if path.exists() else "file does not exist"):
        return
    linter.check(Severity.ERROR, VALUES_FILE, _values_file_problem(linter, overrides, skip_schema_validation))


def _values_file_problem(linter: _Linter, overrides: dict[str, Any], skip_schema_validation: bool) -> str | None:
    """values.yaml parses and, with the user's values on top, satisfies the chart's own schema.

    Only the top-level schema is checked here, as in Helm; the template rules validate every
    chart of the tree.
    """
    from helmlite.chart.loader import read_chart_dir
    from helmlite.chart.model import Chart, ChartMetadata
    from helmlite.errors import HelmliteError, SchemaValidationError, ValuesError, ValuesFileError
    from helmlite.values.coalesce import coalesce_tables
    from helmlite.values.schema import SCHEMA_FILE, validate_values
    from helmlite.values.yamlio import load_values

    try:
        values = load_values((linter.chart_dir / VALUES_FILE).read_bytes(), VALUES_FILE)
    except OSError as err:
        return f"unable to parse YAML: {_os_problem('read', linter.chart_dir / VALUES_FILE, err)}"
    except ValuesFileError as err:
        # Helm's rule reads the file with sigs.k8s.io/yaml directly: the converter's message only.
        return f"unable to parse YAML: {err.problem.removeprefix('cannot unmarshal yaml document: ')}"
    except ValuesError as err:
        return f"unable to parse YAML: {err}"
    schema_path = linter.chart_dir / SCHEMA_FILE
    try:
        schema = schema_path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        return _os_problem("read", schema_path, err)
    if not schema or skip_schema_validation:
        return None
    try:
        files = read_chart_dir(linter.chart_dir)  # for $refs to other schema files of the chart
    except HelmliteError:
        files = []
    stub = Chart(ChartMetadata(name=linter.chart_dir.name, version="0.0.0"), schema=schema, raw=files)
    try:
        validate_values(stub, coalesce_tables(overrides, values, warn=lambda _message: None))
    except SchemaValidationError as err:
        # Helm prints what validating against this one schema returns: the violations, or the
        # JSON reader's error alone for a schema file it refuses (NaN, Infinity).
        if err.refused:
            return "".join(err.refused.values())
        if not err.violations:
            return str(err)
        return "".join(f"- at '{pointer}': {message}\n" for found in err.violations.values() for pointer, message in found)
    return None


# --- Dependency rules (dependencies.go) -------------------------------------------------------


def validate_dependency_in_metadata(chart: Any) -> str | None:
    """Every subchart in ``charts/`` is declared in Chart.yaml ``dependencies``."""
    declared = {dep.name for dep in chart.metadata.dependencies}
    missing = [sub.name for sub in chart.dependencies if sub.name not in declared]
    return f"chart metadata is missing these dependencies: {','.join(missing)}" if missing else None


def validate_dependencies_unique(chart: Any) -> str | None:
    """No two declared dependencies share a name or alias."""
    seen: set[str] = set()
    shadowing: list[str] = []
    for dep in chart.metadata.dependencies:
        key = dep.alias or dep.name
        if key in seen:
            shadowing.append(key)
        seen.add(key)
    return f"multiple dependencies with name or alias: {','.join(shadowing)}" if shadowing else None


def validate_dependency_in_charts_dir(chart: Any) -> str | None:
    """A warning: every declared dependency is present in ``charts/`` (run ``dependency build``)."""
    present = {sub.name for sub in chart.dependencies}
    missing = [dep.name for dep in chart.metadata.dependencies if dep.name not in present]
    return f"chart directory is missing these dependencies: {','.join(missing)}" if missing else None


def _run_dependencies(linter: _Linter) -> None:
    from helmlite.chart.loader import load_chart
    from helmlite.errors import HelmliteError

    try:
        chart = load_chart(linter.source)
    except HelmliteError as err:
        linter.check(Severity.ERROR, "", f"unable to load chart\n\t{err}")
        return
    # Helm names these messages by the chart's absolute directory.
    where = str(linter.chart_dir)
    linter.check(Severity.ERROR, where, validate_dependency_in_metadata(chart))
    linter.check(Severity.ERROR, where, validate_dependencies_unique(chart))
    linter.check(Severity.WARNING, where, validate_dependency_in_charts_dir(chart))


# --- CRD rules (crds.go) ----------------------------------------------------------------------


def validate_crd_api_version(api_version: str) -> str | None:
    """A CRD's apiVersion is in the ``apiextensions.k8s.io`` group."""
    return None if api_version.startswith("apiextensions.k8s.io") else "apiVersion is not in 'apiextensions.k8s.io'"


def validate_crd_kind(kind: str) -> str | None:
    """Files under ``crds/`` hold only ``CustomResourceDefinition`` objects."""
    return None if kind == "CustomResourceDefinition" else "object kind is not 'CustomResourceDefinition'"


def _run_crds(linter: _Linter) -> None:
    crds = linter.chart_dir / "crds"
    if not crds.exists():
        return  # crds/ is optional
    if not linter.check(Severity.ERROR, CRDS_DIR, None if crds.is_dir() else "not a directory"):
        return
    chart = _load(linter, CRDS_DIR)
    if chart is None:
        return
    # Helm checks the CRDs of every subchart too, naming each file by its path in its own chart.
    for current in chart.walk():
        for crd in current.crd_files():
            for problem, head in _decode_documents(crd.data.decode("utf-8", errors="replace")):
                # CRDs are not templates: a file that does not parse ends the CRD rules.
                if not linter.check(Severity.ERROR, crd.name, None if problem is None else f"unable to parse YAML: {problem}"):
                    return
                if head is not None:
                    linter.check(Severity.ERROR, crd.name, validate_crd_api_version(head.api_version))
                    linter.check(Severity.ERROR, crd.name, validate_crd_kind(head.kind))
