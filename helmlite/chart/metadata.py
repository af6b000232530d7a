"""Chart.yaml, requirements.yaml and lock files: parsing, validation and re-serialising.

Helm decodes Chart.yaml into typed Go fields after a YAML→JSON step, so an unquoted scalar in a
string field is re-formatted from its YAML type: ``version: 1.10`` becomes ``"1.1"``, ``name: y``
becomes ``"true"`` (observed with Helm v4.3.1). helmlite deliberately keeps what the author
wrote: the file is *composed* into YAML nodes and string fields take the node text (lint still
warns about unquoted non-strings, as Helm's does).

Validation follows Helm's ``Metadata.Validate`` (``pkg/chart/v2/metadata.go``, ``dependency.go``)
and is done at load time; every error is a one-line ``ChartLoadError`` naming the file and field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from helmlite.chart.model import (
    API_VERSION_V1,
    API_VERSION_V2,
    ChartMetadata,
    Dependency,
    ImportValue,
    Lock,
    Maintainer,
)
from helmlite.errors import ChartLoadError, IncompatibleChartError

__all__ = [
    "UTF8_BOM",
    "CHART_TYPES",
    "quoted",
    "parse_metadata",
    "parse_requirements",
    "parse_lock",
    "dump_metadata",
    "sanitize_string",
    "is_chart_version",
]

UTF8_BOM = b"\xef\xbb\xbf"
CHART_TYPES = ("application", "library")

_ALIAS = re.compile(r"^[a-zA-Z0-9_-]+$")
_TAG_NULL = "tag:yaml.org,2002:null"
_TAG_BOOL = "tag:yaml.org,2002:bool"
_TAG_MERGE = "tag:yaml.org,2002:merge"
# Helm's YAML 1.1 booleans, including y/n which PyYAML's resolver leaves as strings.
_TRUE = frozenset({"true", "yes", "on", "y"})
_FALSE = frozenset({"false", "no", "off", "n"})
# Go's unicode.IsSpace is false for the ASCII separators U+001C..U+001F (Python says true);
# Go drops them as non-printable, and so does sanitize_string.
_NOT_GO_SPACE = frozenset("\x1c\x1d\x1e\x1f")
_QUOTE_LIMIT = 200


def quoted(text: str) -> str:
    """``text`` in double quotes with control characters escaped, so error messages stay one line.

    Very long text is cut short (an attacker-sized value must not become an attacker-sized message).
    """
    if len(text) > _QUOTE_LIMIT:
        return json.dumps(text[:_QUOTE_LIMIT], ensure_ascii=False) + "..."
    return json.dumps(text, ensure_ascii=False)


def sanitize_string(text: str) -> str:
    """Helm's ``sanitizeString``: whitespace becomes a space, non-printable runes are removed."""
    if text.isprintable():
        return text
    out: list[str] = []
    for ch in text:
        if ch.isspace() and ch not in _NOT_GO_SPACE:
            out.append(" ")
        elif ch.isprintable():
            out.append(ch)
    return "".join(out)


# --- YAML nodes -------------------------------------------------------------------------------


# Characters that open a nesting level in YAML: flow collections, block entries and keys.
_NESTING_CHARS = "[{-:?"
_MAX_C_COMPOSER_DEPTH = 2000


def _compose(data: bytes, source: str) -> yaml.Node | None:
    """Parse one YAML document into a node tree (None for an empty document)."""
    try:
        text = data.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as err:
        raise ChartLoadError(f"{source}: not valid UTF-8 (byte {err.start})") from None
    # libyaml's C composer recurses on the C stack, so only text whose nesting is provably
    # shallow takes it; the rest goes through the pure-Python loader, where a hostile depth
    # fails with RecursionError. Every nesting level needs one of these characters, so their
    # count bounds the depth (and is cheap to take on every Chart.yaml of a 5,000-chart index).
    shallow = sum(text.count(c) for c in _NESTING_CHARS) <= _MAX_C_COMPOSER_DEPTH
    loader = yaml.CSafeLoader(text) if shallow else yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError as err:
        from helmlite.values.yamlio import describe_yaml_error

        raise ChartLoadError(f"{source}: invalid YAML: {describe_yaml_error(err)}") from None
    except RecursionError:
        raise ChartLoadError(f"{source}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


class _Doc:
    """Typed access to composed YAML nodes, with errors that name the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source
        # Mappings reached through aliases are resolved once: shared nodes stay shared, so
        # "<<" merge chains cannot blow up exponentially.
        self._resolved: dict[int, dict[str, yaml.Node]] = {}
        self._resolving: set[int] = set()

    def error(self, field: str, problem: str) -> ChartLoadError:
        return ChartLoadError(f"{self.source}: field {quoted(field)} {problem}")

    def items(self, node: yaml.Node | None, field: str) -> Iterator[tuple[str, yaml.Node]]:
        """Key/value pairs of a mapping node (None/null → nothing), ``<<`` merge keys applied."""
        if node is None or _is_null(node):
            return iter(())
        if not isinstance(node, yaml.MappingNode):
            raise self.error(field, "must be a mapping")
        return iter(self._pairs(node, field).items())

    def _pairs(self, node: yaml.MappingNode, field: str) -> dict[str, yaml.Node]:
        """A mapping's keys: its own win over merged ones, earlier merge sources over later ones,
        later duplicate keys over earlier ones."""
        key = id(node)
        if key in self._resolved:
            return self._resolved[key]
        if key in self._resolving:
            raise self.error(field, "merges itself (recursive <<)")
        self._resolving.add(key)
        merged: dict[str, yaml.Node] = {}
        own: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            if key_node.tag == _TAG_MERGE:
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in reversed(sources):
                    if not isinstance(source, yaml.MappingNode):
                        raise self.error(field, "has a << merge key whose value is not a mapping")
                    merged.update(self._pairs(source, field))
            elif isinstance(key_node, yaml.ScalarNode):
                own[key_node.value] = value
            else:
                raise self.error(field, "has a key that is not a string")
        merged.update(own)
        self._resolving.discard(key)
        self._resolved[key] = merged
        return merged

    def string(self, node: yaml.Node | None, field: str) -> str:
        if node is None or _is_null(node):
            return ""
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(field, "must be a string")
        return str(node.value)

    def strings(self, node: yaml.Node | None, field: str) -> tuple[str, ...]:
        if node is None or _is_null(node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(field, "must be a list of strings")
        return tuple(self.string(item, f"{field}[{i}]") for i, item in enumerate(node.value))

    def boolean(self, node: yaml.Node | None, field: str) -> bool:
        if node is None or _is_null(node):
            return False
        if isinstance(node, yaml.ScalarNode) and (node.tag == _TAG_BOOL or node.style is None):
            word = str(node.value).lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
        raise self.error(field, "must be a boolean")

    def sequence(self, node: yaml.Node | None, field: str) -> list[yaml.Node]:
        if node is None or _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(field, "must be a list")
        return list(node.value)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _TAG_NULL


def _root(data: bytes, source: str) -> tuple[_Doc, dict[str, yaml.Node]]:
    doc = _Doc(source)
    node = _compose(data, source)
    if node is not None and not _is_null(node) and not isinstance(node, yaml.MappingNode):
        raise ChartLoadError(f"{source}: expected a YAML mapping at the top level")
    return doc, dict(doc.items(node, "(root)"))


# --- Dependencies -----------------------------------------------------------------------------


def _parse_import_values(doc: _Doc, node: yaml.Node | None, field: str) -> tuple[ImportValue, ...]:
    out: list[ImportValue] = []
    for i, item in enumerate(doc.sequence(node, field)):
        where = f"{field}[{i}]"
        if isinstance(item, yaml.ScalarNode) and not _is_null(item):
            # The short form "name" imports the child's exports.<name> into the parent's root.
            name = str(item.value)
            out.append(ImportValue(child=f"exports.{name}", parent="", raw=name))
        elif isinstance(item, yaml.MappingNode):
            pairs = dict(doc.items(item, where))
            child = doc.string(pairs.get("child"), f"{where}.child")
            parent = doc.string(pairs.get("parent"), f"{where}.parent")
            out.append(ImportValue(child=child, parent=parent, raw={"child": child, "parent": parent}))
        else:
            raise doc.error(where, "must be a string or a {child, parent} mapping")
    return tuple(out)


def _parse_dependency(doc: _Doc, node: yaml.Node, field: str) -> Dependency:
    if _is_null(node):
        raise doc.error(field, "must not contain empty or null entries")
    pairs = dict(doc.items(node, field))
    dep = Dependency(
        name=sanitize_string(doc.string(pairs.get("name"), f"{field}.name")),
        version=sanitize_string(doc.string(pairs.get("version"), f"{field}.version")),
        repository=sanitize_string(doc.string(pairs.get("repository"), f"{field}.repository")),
        condition=sanitize_string(doc.string(pairs.get("condition"), f"{field}.condition")),
        tags=tuple(sanitize_string(t) for t in doc.strings(pairs.get("tags"), f"{field}.tags")),
        import_values=_parse_import_values(doc, pairs.get("import-values"), f"{field}.import-values"),
        alias=doc.string(pairs.get("alias"), f"{field}.alias"),
    )
    return dep


def _parse_dependencies(doc: _Doc, node: yaml.Node | None, field: str, *, validate: bool) -> tuple[Dependency, ...]:
    deps = tuple(_parse_dependency(doc, item, f"{field}[{i}]") for i, item in enumerate(doc.sequence(node, field)))
    if validate:
        _validate_dependencies(doc, deps, field)
    return deps


def _validate_dependencies(doc: _Doc, deps: tuple[Dependency, ...], field: str) -> None:
    seen: set[str] = set()
    for i, dep in enumerate(deps):
        if not dep.name:
            raise doc.error(f"{field}[{i}].name", "is required")
        if dep.alias and not _ALIAS.match(dep.alias):
            raise doc.error(
                f"{field}[{i}].alias",
                f"is invalid: dependency {quoted(dep.name)} has disallowed characters in the alias",
            )
        key = dep.effective_name
        if key in seen:
            raise doc.error(
                field,
                f"has more than one dependency with name or alias {quoted(key)}; "
                "use distinct aliases for dependencies with the same chart name",
            )
        seen.add(key)


# --- Public API -------------------------------------------------------------------------------


def parse_metadata(data: bytes, source: str = "Chart.yaml") -> ChartMetadata:
    """Parse and validate Chart.yaml.

    Returns the validated ``ChartMetadata`` (string fields sanitised; a missing ``apiVersion``
    means ``v1``). Raises ``ChartLoadError`` naming ``source`` and the field for malformed YAML,
    a wrongly typed field, a missing/invalid name or version, a bad ``type``, null maintainers or
    dependencies, a bad alias or a duplicate dependency name/alias; ``IncompatibleChartError``
    for ``apiVersion: v3`` (Helm's experimental chart API, not supported here).
    """
    doc, root = _root(data, source)
    api_version = doc.string(root.get("apiVersion"), "apiVersion") or API_VERSION_V1
    if api_version == "v3":
        raise IncompatibleChartError(f'{source}: chart apiVersion "v3" is not supported (use apiVersion v2)')
    if api_version not in (API_VERSION_V1, API_VERSION_V2):
        raise doc.error("apiVersion", f"has unsupported value {quoted(api_version)} (expected v1 or v2)")

    maintainers: list[Maintainer] = []
    for i, node in enumerate(doc.sequence(root.get("maintainers"), "maintainers")):
        where = f"maintainers[{i}]"
        if _is_null(node):
            raise doc.error("maintainers", "must not contain empty or null entries")
        m = dict(doc.items(node, where))
        maintainers.append(
            Maintainer(
                name=sanitize_string(doc.string(m.get("name"), f"{where}.name")),
                email=sanitize_string(doc.string(m.get("email"), f"{where}.email")),
                url=sanitize_string(doc.string(m.get("url"), f"{where}.url")),
            )
        )
    annotations = {
        key: doc.string(value, f"annotations.{key}") for key, value in doc.items(root.get("annotations"), "annotations")
    }

    name = sanitize_string(doc.string(root.get("name"), "name"))
    version = doc.string(root.get("version"), "version")
    chart_type = doc.string(root.get("type"), "type")
    if not name:
        raise doc.error("name", "is required")
    if name in (".", "..") or "/" in name or "\\" in name:
        raise doc.error(
            "name", f'has invalid value {quoted(name)}: a chart name must not be "." or ".." or contain "/"'
        )
    if not version:
        raise doc.error("version", "is required")
    _check_version(doc, version)
    if chart_type not in ("", *CHART_TYPES):
        raise doc.error(
            "type", f"has invalid value {quoted(chart_type)}: chart.metadata.type must be application or library"
        )

    return ChartMetadata(
        name=name,
        version=version,
        api_version=api_version,
        app_version=sanitize_string(doc.string(root.get("appVersion"), "appVersion")),
        kube_version=sanitize_string(doc.string(root.get("kubeVersion"), "kubeVersion")),
        description=sanitize_string(doc.string(root.get("description"), "description")),
        type=chart_type,
        keywords=tuple(sanitize_string(k) for k in doc.strings(root.get("keywords"), "keywords")),
        home=sanitize_string(doc.string(root.get("home"), "home")),
        sources=tuple(sanitize_string(s) for s in doc.strings(root.get("sources"), "sources")),
        maintainers=tuple(maintainers),
        icon=sanitize_string(doc.string(root.get("icon"), "icon")),
        deprecated=doc.boolean(root.get("deprecated"), "deprecated"),
        annotations=annotations,
        dependencies=_parse_dependencies(doc, root.get("dependencies"), "dependencies", validate=True),
        condition=sanitize_string(doc.string(root.get("condition"), "condition")),
        tags=sanitize_string(doc.string(root.get("tags"), "tags")),
    )


# The versions Masterminds ``NewVersion`` accepts, as ``helmlite.semver.parse_version`` parses
# them: an optional "v", one to three decimal numbers (leading zeros allowed), then SemVer 2.0's
# prerelease (numeric identifiers without leading zeros) and build metadata. Chart loading only
# needs the yes/no answer, and importing ``helmlite.semver`` with the ``semver`` library under
# it (about 7 ms) costs several times what loading a small chart does; the two limits below
# mirror ``helmlite.semver.version``'s, and tests/chart/test_metadata_version.py holds the
# regex and ``parse_version`` equal.
_NUMBER = "([0-9]+)"
_PRERELEASE_IDENTIFIER = "(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD_IDENTIFIER = "[0-9A-Za-z-]+"
_LENIENT_VERSION = re.compile(
    rf"v?{_NUMBER}(?:\.{_NUMBER}(?:\.{_NUMBER})?)?"
    rf"(?:-{_PRERELEASE_IDENTIFIER}(?:\.{_PRERELEASE_IDENTIFIER})*)?"
    rf"(?:\+{_BUILD_IDENTIFIER}(?:\.{_BUILD_IDENTIFIER})*)?"
)
_MAX_VERSION_LENGTH = 256  # Masterminds' MaxVersionLen
_UINT64_MAX = 2**64 - 1  # Go parses each number as a uint64


def is_chart_version(version: str) -> bool:
    """True when ``version`` is a version Helm accepts in Chart.yaml (Masterminds ``NewVersion``)."""
    if len(version) > _MAX_VERSION_LENGTH:
        return False
    match = _LENIENT_VERSION.fullmatch(version)
    return match is not None and all(number is None or int(number) <= _UINT64_MAX for number in match.groups())


def _check_version(doc: _Doc, version: str) -> None:
    if not is_chart_version(version):
        raise doc.error("version", f"has invalid value {quoted(version)}: not a SemVer version")


def parse_requirements(data: bytes, source: str = "requirements.yaml") -> tuple[Dependency, ...]:
    """Parse a v1 chart's requirements.yaml (its ``dependencies`` list).

    Returns the validated dependencies. Raises ``ChartLoadError`` naming ``source`` and the
    field, with the same rules as Chart.yaml's ``dependencies``.
    """
    doc, root = _root(data, source)
    return _parse_dependencies(doc, root.get("dependencies"), "dependencies", validate=True)


def parse_lock(data: bytes, source: str) -> Lock:
    """Parse Chart.lock (v2) or requirements.lock (v1).

    Returns the ``Lock`` (``generated`` is kept as written). Raises ``ChartLoadError`` naming
    ``source`` and the field for malformed YAML or wrongly typed fields.
    """
    doc, root = _root(data, source)
    return Lock(
        dependencies=_parse_dependencies(doc, root.get("dependencies"), "dependencies", validate=False),
        digest=doc.string(root.get("digest"), "digest"),
        generated=doc.string(root.get("generated"), "generated"),
    )


# --- Serialising ------------------------------------------------------------------------------


def dump_metadata(metadata: ChartMetadata) -> bytes:
    """Chart.yaml as ``helm package`` writes it: keys sorted, comments gone, UTF-8, and every
    string quoted that Helm's YAML dialect would read as something else (``"9.9"``, ``"y"``).

    A v1 chart's dependencies live in requirements.yaml, so they are left out, as Helm does.
    Returns the YAML bytes.
    """
    from helmlite.values.yamlio import dump_yaml

    data: dict[str, Any] = metadata.to_dict()
    if metadata.api_version == API_VERSION_V1:
        data.pop("dependencies", None)
    return dump_yaml(data).encode("utf-8")
