"""A chart repository's ``index.yaml``: Helm's schema, Helm's reading rules, Helm's bytes.

An index maps chart names to their versions; each version is a dict with Helm's JSON keys
(the chart's Chart.yaml metadata plus ``urls``, ``created``, ``digest``). Helm reads a YAML
index *strictly* (any unknown key fails the whole repository) and a JSON one leniently, so
``to_yaml`` writes exactly the key set, order and quoting that ``helm repo index`` writes
(``sigs.k8s.io/yaml``: keys sorted at every level, ambiguous strings double-quoted, long
strings folded at 80 columns) and ``to_json`` writes Go's indented ``encoding/json`` output
(struct field order, HTML characters escaped).

``index_directory`` is ``helm repo index`` made incremental: a sidecar cache in the directory
remembers every package's size, mtime, digest and metadata, so re-indexing reads only the
packages that changed, and the per-entry YAML fragments are reused, so writing a 5,000-entry
index does not re-serialise 5,000 entries.
"""

from __future__ import annotations

import decimal
import gzip
import hashlib
import io
import json
import math
import multiprocessing
import os
import posixpath
import re
import tarfile
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from helmlite.errors import HelmliteError

if TYPE_CHECKING:
    from helmlite.chart.model import ChartMetadata

__all__ = [
    "INDEX_API_VERSION",
    "INDEX_CACHE_FILE",
    "MAX_INDEX_BYTES",
    "IndexFile",
    "IndexLoadError",
    "RepoError",
    "atomic_write",
    "chart_entry_from_archive",
    "index_directory",
    "metadata_to_entry",
    "rfc3339_nano",
    "url_join",
    "version_precedence",
]

INDEX_API_VERSION = "v1"
INDEX_CACHE_FILE = ".helmlite-index-cache.json"
"""The sidecar cache ``index_directory`` keeps in the indexed directory."""
MAX_INDEX_BYTES = 64 * 1024 * 1024
"""Largest index accepted; the biggest public repositories serve well under this."""
MAX_CHART_YAML_BYTES = 1024 * 1024
"""Largest Chart.yaml read out of a package while indexing."""
# Go's zero time.Time, which Helm writes for an entry that never had a `created`.
ZERO_TIME = "0001-01-01T00:00:00Z"
_CACHE_FORMAT = 1
# Below this many unread packages a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 64
_YAML_WIDTH = 80  # sigs.k8s.io/yaml (go-yaml v2) folds long strings at this column
_CHUNK = 64 * 1024

WarnFn = Callable[[str], None]


class RepoError(HelmliteError):
    """A chart repository, its index or a download cannot be used."""


class IndexLoadError(RepoError):
    """An index that Helm would refuse too: empty, no apiVersion, malformed, unknown keys, too large."""


# Helm's Go structs, field by field, in declaration order: the JSON output order and the
# only keys a strict (YAML) read accepts.
_METADATA_KEYS = (
    "name", "home", "sources", "version", "description", "keywords", "maintainers", "icon",
    "apiVersion", "condition", "tags", "appVersion", "deprecated", "annotations", "kubeVersion",
    "dependencies", "type",
)
_CHART_VERSION_KEYS = ("urls", "created", "removed", "digest", "checksum", "engine", "tillerVersion", "url")
_ENTRY_KEYS = _METADATA_KEYS + _CHART_VERSION_KEYS
_TOP_KEYS = ("serverInfo", "apiVersion", "generated", "entries", "publicKeys", "annotations")
_MAINTAINER_KEYS = ("name", "email", "url")
_DEPENDENCY_KEYS = ("name", "version", "repository", "condition", "tags", "enabled", "import-values", "alias")
_STRING_FIELDS = frozenset({
    "name", "home", "version", "description", "icon", "apiVersion", "condition", "tags", "appVersion",
    "kubeVersion", "type", "digest", "checksum", "engine", "tillerVersion", "url", "created",
})
_LIST_FIELDS = frozenset({"sources", "keywords", "urls"})
_BOOL_FIELDS = frozenset({"deprecated", "removed"})
# Always written, even when empty (no omitempty in Helm's structs).
_ALWAYS = frozenset({"urls", "created"})


def rfc3339_nano(ns: int | None = None) -> str:
    """Go's ``time.Now().UTC().Format(time.RFC3339Nano)``: trailing zeros of the fraction dropped."""
    ns = time.time_ns() if ns is None else ns
    seconds, frac = divmod(ns, 1_000_000_000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    fraction = f"{frac:09d}".rstrip("0")
    return f"{stamp}.{fraction}Z" if fraction else f"{stamp}Z"


def url_join(base: str, *paths: str) -> str:
    """Helm's ``urlutil.URLJoin``: ``path.Join`` of the base URL's path and ``paths``.

    ``url_join("https://h/charts/", "a.tgz")`` is ``https://h/charts/a.tgz``; an empty base
    gives the joined relative path (``""`` when everything is empty).
    """
    parts = urlsplit(base)
    joined = _go_path_join(parts.path, *paths)
    return urlunsplit((parts.scheme, parts.netloc, joined, parts.query, parts.fragment))


def _go_path_join(*elements: str) -> str:
    """Go's ``path.Join``: non-empty elements joined with ``/`` and cleaned; ``""`` if none."""
    kept = [e for e in elements if e]
    if not kept:
        return ""
    return posixpath.normpath("/".join(kept)).replace("//", "/")


# --- reading ------------------------------------------------------------------------------------


class _IndexLoader(yaml.CSafeLoader):
    """libyaml's parser without YAML 1.1 timestamps: ``created`` stays the text it was written as."""


_IndexLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def _go_string(value: Any) -> str | None:
    """A scalar as Helm's YAML→JSON step turns it into a Go string field; None if not a scalar."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_format_float(value)
    return None


def _go_format_float(value: float) -> str:
    """Go's ``strconv.FormatFloat(f, 'g', -1, 64)``: shortest digits, exponent form when the
    exponent is below -4 or at least 6 (``1e+06``, ``100000``, ``1.5``)."""
    if not math.isfinite(value):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(value)]
    sign, digits, exponent = decimal.Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits)) or "0"
    exp = len(text) + int(exponent) - 1
    prefix = "-" if sign else ""
    if text == "0":
        return prefix + "0"
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{prefix}0.{'0' * (-exp - 1)}{text}"
    whole = text[: exp + 1].ljust(exp + 1, "0")
    fraction = text[exp + 1:]
    return prefix + whole + ("." + fraction if fraction else "")


class _EntryError(ValueError):
    """An entry that cannot be used; the index loader skips it with a warning."""


def _string(value: Any, field_name: str) -> str:
    text = _go_string(value)
    if text is None:
        raise _EntryError(f"field {field_name!r} must be a string")
    return text


def _strings(value: Any, field_name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _EntryError(f"field {field_name!r} must be a list of strings")
    return [_string(v, field_name) for v in value]


def _string_map(value: Any, field_name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _EntryError(f"field {field_name!r} must be a map of strings")
    out: dict[str, str] = {}
    for key, item in value.items():
        # A numeric annotation breaks the whole repository in Helm; here only this entry.
        if not isinstance(item, str):
            raise _EntryError(f"{field_name}.{key} must be a string")
        out[str(key)] = item
    return out


def _known(mapping: dict[Any, Any], keys: Iterable[str], where: str, strict: bool) -> None:
    if strict:
        allowed = set(keys)
        for key in mapping:
            if key not in allowed:
                raise IndexLoadError(f'{where}: unknown field "{key}"')


def _normalise_entry(raw: Any, strict: bool, where: str) -> dict[str, Any]:
    """One version as a dict of Helm's keys with Helm's types; empty fields left out.

    Raises IndexLoadError for an unknown key in a strict read (Helm fails the whole index),
    _EntryError for anything that only makes this entry unusable.
    """
    if not isinstance(raw, dict):
        raise _EntryError("entry is not a mapping")
    _known(raw, _ENTRY_KEYS, where, strict)
    entry: dict[str, Any] = {}
    for key in _ENTRY_KEYS:
        if key not in raw:
            continue
        value = raw[key]
        if key in _STRING_FIELDS:
            text = _string(value, key)
            if text:
                entry[key] = text
        elif key in _LIST_FIELDS:
            items = _strings(value, key)
            if items or key in _ALWAYS:
                entry[key] = items
        elif key in _BOOL_FIELDS:
            if value not in (None, True, False):
                raise _EntryError(f"field {key!r} must be a boolean")
            if value:
                entry[key] = True
        elif key == "annotations":
            annotations = _string_map(value, key)
            if annotations:
                entry[key] = annotations
        elif key == "maintainers":
            entry_list = _maintainers(value, strict, where)
            if entry_list:
                entry[key] = entry_list
        elif key == "dependencies":
            deps = _dependencies(value, strict, where)
            if deps:
                entry[key] = deps
    entry.setdefault("apiVersion", "v1")  # Helm's loadIndex default for old indexes
    _validate_entry(entry)
    return entry


def _maintainers(value: Any, strict: bool, where: str) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _EntryError("field 'maintainers' must be a list")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise _EntryError("chart.metadata.maintainers must not contain empty or null nodes")
        _known(item, _MAINTAINER_KEYS, f"{where}.maintainers", strict)
        m = {k: _string(item[k], f"maintainers.{k}") for k in _MAINTAINER_KEYS if k in item}
        out.append({k: v for k, v in m.items() if v})
    return out


def _dependencies(value: Any, strict: bool, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _EntryError("field 'dependencies' must be a list")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise _EntryError("dependencies must not contain empty or null nodes")
        _known(item, _DEPENDENCY_KEYS, f"{where}.dependencies", strict)
        dep: dict[str, Any] = {}
        for key in _DEPENDENCY_KEYS:
            if key not in item:
                continue
            v = item[key]
            if key == "tags":
                tags = _strings(v, "dependencies.tags")
                if tags:
                    dep[key] = tags
            elif key == "enabled":
                if v not in (None, True, False):
                    raise _EntryError("field 'dependencies.enabled' must be a boolean")
                if v:
                    dep[key] = True
            elif key == "import-values":
                if v is not None and not isinstance(v, list):
                    raise _EntryError("field 'dependencies.import-values' must be a list")
                if v:
                    dep[key] = _json_safe(v)
            else:
                text = _string(v, f"dependencies.{key}")
                if text or key == "repository":
                    dep[key] = text
        dep.setdefault("repository", "")  # not omitempty in Helm's Dependency struct
        out.append(dep)
    return out


def _json_safe(value: Any, depth: int = 0) -> Any:
    """import-values are free-form; keep them to JSON types, shallowly nested."""
    if depth > 8:
        raise _EntryError("import-values nested too deeply")
    if isinstance(value, dict):
        return {str(k): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v, depth + 1) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _validate_entry(entry: dict[str, Any]) -> None:
    """Helm's ``ChartVersion.Validate`` (the parts that make an entry unusable)."""
    from helmlite.semver import parse_version

    name = entry.get("name", "")
    if not name:
        raise _EntryError("validation: chart.metadata.name is required")
    if name in (".", "..") or "/" in name or "\\" in name:
        raise _EntryError(f'validation: chart.metadata.name "{name}" is invalid')
    version = entry.get("version", "")
    if not version:
        raise _EntryError("validation: chart.metadata.version is required")
    try:
        parse_version(version)
    except ValueError:
        raise _EntryError(f'validation: chart.metadata.version "{version}" is invalid') from None
    if entry.get("type", "") not in ("", "application", "library"):
        raise _EntryError("validation: chart.metadata.type must be application or library")


def _looks_like_json(data: bytes) -> bool:
    # Helm uses json.Valid; an index that starts like a JSON object is tried as JSON first.
    return data.lstrip()[:1] == b"{"


def _parse_document(data: bytes, source: str) -> tuple[Any, bool]:
    """Decode the index bytes; returns (document, strict) where strict means it was YAML."""
    if _looks_like_json(data):
        try:
            return json.loads(data), False
        except ValueError:
            pass  # not valid JSON: YAML is a superset, let the YAML reader explain
    try:
        return yaml.load(data, Loader=_IndexLoader), True
    except yaml.YAMLError as err:
        detail = " ".join(str(err).split())
        raise IndexLoadError(f"{source}: invalid index: {detail}") from None
    except RecursionError:
        raise IndexLoadError(f"{source}: invalid index: nested too deeply") from None


# --- the index --------------------------------------------------------------------------------


@dataclass
class IndexFile:
    """A repository index: ``entries`` maps a chart name to its versions, newest first once sorted.

    ``extra`` holds the optional top-level keys Helm keeps (``annotations``, ``serverInfo``,
    ``publicKeys``).
    """

    api_version: str = INDEX_API_VERSION
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    generated: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Rendered YAML of single entries, keyed by their canonical JSON, so a re-write after one
    # change re-renders one entry, not all of them.
    _fragments: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def new(cls) -> IndexFile:
        """An empty index (``apiVersion: v1``, ``generated`` = now)."""
        return cls(generated=rfc3339_nano())

    @classmethod
    def load(cls, data: bytes, source: str, *, warn: WarnFn | None = None) -> IndexFile:
        """Parse index bytes the way Helm's ``loadIndex`` does.

        JSON is read leniently (unknown keys ignored), YAML strictly. Entries that are null or
        invalid (no name, a version that is not SemVer, a wrongly typed field) are skipped,
        each reported through ``warn``; every chart's versions are then sorted newest first.
        Returns the index. Raises IndexLoadError for an empty or oversized file, malformed
        YAML/JSON, a missing ``apiVersion`` or an unknown key in a YAML index.
        """
        if len(data) > MAX_INDEX_BYTES:
            raise IndexLoadError(f"{source}: index is larger than the {MAX_INDEX_BYTES}-byte limit")
        if not data.strip():
            raise IndexLoadError(f"{source}: empty index.yaml file")
        doc, strict = _parse_document(data, source)
        if not isinstance(doc, dict):
            raise IndexLoadError(f"{source}: invalid index: not a mapping")
        _known(doc, _TOP_KEYS, source, strict)
        api_version = _go_string(doc.get("apiVersion"))
        if not api_version:
            raise IndexLoadError(f"{source}: no API version specified")
        raw_entries = doc.get("entries") or {}
        if not isinstance(raw_entries, dict):
            raise IndexLoadError(f"{source}: invalid index: entries must be a mapping")
        index = cls(api_version=api_version, generated=_go_string(doc.get("generated")) or "")
        try:
            if doc.get("serverInfo"):
                index.extra["serverInfo"] = _json_safe(doc["serverInfo"])
            if doc.get("publicKeys"):
                index.extra["publicKeys"] = _strings(doc["publicKeys"], "publicKeys")
            if doc.get("annotations"):
                index.extra["annotations"] = _string_map(doc["annotations"], "annotations")
        except _EntryError as err:
            raise IndexLoadError(f"{source}: invalid index: {err}") from None
        for name, versions in raw_entries.items():
            name = str(name)
            if versions is not None and not isinstance(versions, list):
                raise IndexLoadError(f"{source}: invalid index: entries.{name} must be a list")
            kept = []
            for raw in versions or []:
                if raw is None:
                    _warn(warn, f'skipping loading invalid entry for chart "{name}" from {source}: empty entry')
                    continue
                try:
                    kept.append(_normalise_entry(raw, strict, f"{source}: entries.{name}"))
                except _EntryError as err:
                    version = raw.get("version", "") if isinstance(raw, dict) else ""
                    _warn(warn, f'skipping loading invalid entry for chart "{name}" "{version}" from {source}: {err}')
            index.entries[name] = kept
        index.sort_entries()
        return index

    @classmethod
    def load_path(cls, path: Path, *, warn: WarnFn | None = None) -> IndexFile:
        """``load`` the index at ``path``. Raises IndexLoadError (also when it cannot be read)."""
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_INDEX_BYTES + 1)
        except OSError as err:
            raise IndexLoadError(f"{path}: {err.strerror or err}") from None
        return cls.load(data, str(path), warn=warn)

    def add(self, metadata: dict[str, Any], filename: str, base_url: str, digest: str, *,
            created: str | None = None) -> dict[str, Any]:
        """Helm's ``IndexFile.MustAdd``: append one version and return its entry.

        ``metadata`` holds index keys (see ``chart_entry_from_archive``). The URL is
        ``base_url``/basename of ``filename``, or ``filename`` itself without a base URL;
        ``created`` defaults to now. Raises RepoError for metadata Helm would not accept.
        """
        entry = _new_entry(metadata, filename, base_url, digest, created or rfc3339_nano())
        self.entries.setdefault(entry["name"], []).append(entry)
        return entry

    def has(self, name: str, version: str) -> bool:
        """True if ``name`` has exactly this version (string match or equal SemVer)."""
        return self._find(name, version) is not None

    def remove(self, name: str, version: str) -> bool:
        """Drop one version (and the chart when it was the last); True if something was removed."""
        found = self._find(name, version)
        if found is None:
            return False
        versions = self.entries[name]
        del versions[found]
        if not versions:
            del self.entries[name]
        return True

    def _find(self, name: str, version: str) -> int | None:
        from helmlite.semver import parse_version

        versions = self.entries.get(name) or []
        for i, entry in enumerate(versions):
            if entry.get("version") == version:
                return i
        try:
            wanted = parse_version(version)
        except ValueError:
            return None
        for i, entry in enumerate(versions):
            if _parsed(entry.get("version", "")) == wanted:
                return i
        return None

    def get(self, name: str, constraint: str = "", *, devel: bool = False) -> dict[str, Any] | None:
        """Helm's ``IndexFile.Get``: the version equal to ``constraint``, else the newest one
        satisfying it; no constraint means the newest stable version (any version with ``devel``).

        Returns the entry or None. Raises ConstraintError for an unparseable constraint.
        """
        from helmlite.semver import newest_matching

        versions = self.entries.get(name)
        if not versions:
            return None
        wanted = constraint or (">0.0.0-0" if devel else "")
        chosen = newest_matching(wanted, [e.get("version", "") for e in versions])
        if chosen is None:
            return None
        return next(e for e in versions if e.get("version") == chosen)

    def sort_entries(self) -> None:
        """Chart names in order; each chart's versions newest first by SemVer, invalid ones last."""
        ordered: dict[str, list[dict[str, Any]]] = {}
        for name in sorted(self.entries):
            keyed = [(version_precedence(e.get("version", "")), e) for e in self.entries[name]]
            valid = [(k, e) for k, e in keyed if k is not None]
            # sorted() is stable: duplicates keep their input (path) order, so output is deterministic.
            valid.sort(key=lambda pair: pair[0], reverse=True)  # type: ignore[arg-type,return-value]
            ordered[name] = [e for _k, e in valid] + [e for k, e in keyed if k is None]
        self.entries = ordered

    def merge(self, other: IndexFile) -> None:
        """Helm's ``IndexFile.Merge``: add every version of ``other`` this index does not have.

        Versions already present (same name and version) are kept as they are. Linear in the
        size of both indexes (Helm's is quadratic).
        """
        present: dict[str, set[Any]] = {}
        for name, versions in self.entries.items():
            present[name] = {_version_key(e.get("version", "")) for e in versions}
        for name, versions in other.entries.items():
            seen = present.setdefault(name, set())
            for entry in versions:
                key = _version_key(entry.get("version", ""))
                if key not in seen:
                    self.entries.setdefault(name, []).append(entry)
                    seen.add(key)

    def iter_entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every (chart name, entry) pair, in index order."""
        for name, versions in self.entries.items():
            for entry in versions:
                yield name, entry

    # --- writing ------------------------------------------------------------------------------

    def to_yaml(self) -> str:
        """The index exactly as ``helm repo index`` writes it (see the module docstring)."""
        from helmlite.values.yamlio import dump_yaml

        head = {k: v for k, v in (("annotations", self.extra.get("annotations")),
                                  ("apiVersion", self.api_version)) if v}
        tail: dict[str, Any] = {"generated": self.generated or ZERO_TIME}
        for key in ("publicKeys", "serverInfo"):
            if self.extra.get(key):
                tail[key] = self.extra[key]
        parts = [dump_yaml(head, width=_YAML_WIDTH) if head else ""]
        if not self.entries:
            parts.append("entries: {}\n")
        else:
            parts.append("entries:\n")
            used: dict[str, str] = {}
            for name in _go_yaml_key_sorted(list(self.entries)):
                parts.append(self._name_block(name, used))
            # Only what this index still holds: a long-lived index must not grow with churn.
            self._fragments = used
        parts.append(dump_yaml(tail, width=_YAML_WIDTH))
        return "".join(parts)

    def _name_block(self, name: str, used: dict[str, str]) -> str:
        from helmlite.values.yamlio import dump_yaml

        versions = [_yaml_ordered(e) for e in self.entries[name]]
        key_line = dump_yaml({name: 0})
        if not versions or not key_line.endswith(": 0\n") or key_line.count("\n") != 1:
            # Empty lists and very long keys (libyaml's "? key" form) are rare: no shortcut.
            body = dump_yaml({"entries": {name: versions}}, width=_YAML_WIDTH)
            return body[len("entries:\n"):]
        out = ["  " + key_line[: -len(" 0\n")] + "\n"]
        for entry in versions:
            key = _canonical(entry)
            fragment = self._fragments.get(key)
            if fragment is None:
                fragment = _entry_fragment(entry)
            used[key] = fragment
            out.append(fragment)
        return "".join(out)

    def remember_fragment(self, entry: dict[str, Any], fragment: str) -> None:
        """Reuse ``fragment`` (from an earlier ``to_yaml``) as the YAML of ``entry``."""
        self._fragments[_canonical(_yaml_ordered(entry))] = fragment

    def to_json(self) -> str:
        """The index as ``helm repo index --json`` writes it: Go's ``json.MarshalIndent``."""
        doc: dict[str, Any] = {}
        if self.extra.get("serverInfo"):
            doc["serverInfo"] = self.extra["serverInfo"]
        doc["apiVersion"] = self.api_version
        doc["generated"] = self.generated or ZERO_TIME
        doc["entries"] = {name: [_json_ordered(e) for e in self.entries[name]] for name in sorted(self.entries)}
        if self.extra.get("publicKeys"):
            doc["publicKeys"] = self.extra["publicKeys"]
        if self.extra.get("annotations"):
            doc["annotations"] = dict(sorted(self.extra["annotations"].items()))
        return _go_json_escape(json.dumps(doc, indent=2, ensure_ascii=False))

    def write(self, path: Path, *, json: bool = False) -> None:
        """Write the index (YAML, or JSON with ``json``) atomically: temp file, fsync, rename."""
        text = self.to_json() if json else self.to_yaml()
        atomic_write(Path(path), text.encode("utf-8"))


def _new_entry(metadata: dict[str, Any], filename: str, base_url: str, digest: str, created: str, *,
               validate: bool = True) -> dict[str, Any]:
    entry = dict(metadata)
    entry.setdefault("apiVersion", "v1")
    if validate:
        try:
            _validate_entry(entry)
        except _EntryError as err:
            raise RepoError(f"validate failed for {filename}: {err}") from None
    entry["urls"] = [url_join(base_url, posixpath.basename(filename)) if base_url else filename]
    entry["created"] = created
    entry["digest"] = digest
    return entry


def _canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"))


def _entry_fragment(entry: dict[str, Any]) -> str:
    """One version as it appears in ``to_yaml`` output (a ``  - key: value`` list item).

    Versions of one chart usually differ only in version, digest, created and URL, so the
    rendering of the rest is shared: the entry is rendered once with placeholders and each
    version substitutes its own values, when they are of a shape YAML writes unquoted
    (anything else is rendered in full).
    """
    ordered = _yaml_ordered(entry)
    varying = {key: ordered.get(key) for key in ("version", "digest", "created")}
    urls = ordered.get("urls")
    if not all(isinstance(v, str) and _PLAIN_SHAPES[k].fullmatch(v) for k, v in varying.items()) or \
            not (isinstance(urls, list) and len(urls) == 1 and isinstance(urls[0], str)
                 and _PLAIN_SHAPES["url"].fullmatch(urls[0])):
        return _render_fragment(ordered)
    shared = dict(ordered, urls=[_PLACEHOLDERS["url"]], **{k: _PLACEHOLDERS[k] for k in varying})
    key = _canonical(shared)
    template = _TEMPLATES.get(key)
    if template is None:
        template = _render_fragment(shared)
        if any(template.count(token) != 1 for token in _PLACEHOLDERS.values()):
            template = ""  # a placeholder that also occurs in the chart's own text: no sharing
        if len(_TEMPLATES) >= _MAX_TEMPLATES:
            _TEMPLATES.clear()
        _TEMPLATES[key] = template
    if not template:
        return _render_fragment(ordered)
    for field_name, token in _PLACEHOLDERS.items():
        template = template.replace(token, urls[0] if field_name == "url" else varying[field_name])
    return template


def _render_fragment(entry: dict[str, Any]) -> str:
    from helmlite.values.yamlio import dump_yaml

    # Rendered at its real depth so long strings fold at the same columns as Helm's.
    text = dump_yaml({"a": {"b": [entry]}}, width=_YAML_WIDTH)
    return text[len("a:\n  b:\n"):]


# Placeholders render exactly like the values they stand for: plain, or (created) quoted.
_PLACEHOLDERS = {"version": "0.0.0-helmlite.version.placeholder", "digest": "helmlitedigestplaceholder",
                 "created": "2000-01-01T00:00:00.123456789Z", "url": "helmlite/url/placeholder.tgz"}
# Shapes YAML (and Helm's writer) emit exactly like their placeholder: never a number, bool,
# null or date, never needing quotes or folding.
_PLAIN_SHAPES = {
    "version": re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"),
    "digest": re.compile(r"(?=[0-9a-f]*[a-df])(?!0b[01]*$)[0-9a-f]{64}"),
    "created": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z"),
    "url": re.compile(r"(?=.*[./])[A-Za-z][A-Za-z0-9._~%+-]*(?:://[A-Za-z0-9.:\[\]-]+)?(?:/[A-Za-z0-9._~%+-]+)*"),
}
_TEMPLATES: dict[str, str] = {}
_MAX_TEMPLATES = 1024


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory, fsync and rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _warn(warn: WarnFn | None, message: str) -> None:
    if warn is not None:
        warn(message)


def version_precedence(version: str) -> tuple[Any, ...] | None:
    """A tuple that orders versions by SemVer precedence (None for a non-version).

    Plain tuples compare much faster than ``semver.Version`` objects, which matters when
    thousands of versions of one chart are sorted on every index write.
    """
    parsed = _parsed(version)
    if parsed is None:
        return None
    if not parsed.prerelease:
        return (parsed.major, parsed.minor, parsed.patch, 1, ())
    # Numeric identifiers sort numerically and before alphanumeric ones; a shorter list of
    # otherwise equal identifiers sorts first (SemVer 2, rule 11).
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parsed.prerelease.split("."))
    return (parsed.major, parsed.minor, parsed.patch, 0, ids)


def _parsed(version: str) -> Any:
    from helmlite.semver import parse_version

    try:
        return parse_version(version)
    except ValueError:
        return None


def _version_key(version: str) -> Any:
    # Helm's Has() treats SemVer-equal versions as the same (1.0 == 1.0.0); build metadata aside.
    parsed = _parsed(version)
    if parsed is None:
        return ("raw", version)
    return ("semver", parsed.major, parsed.minor, parsed.patch, parsed.prerelease)


def _go_yaml_key_sorted(names: list[str]) -> list[str]:
    from helmlite.values.yamlio import go_yaml_key

    return sorted(names, key=go_yaml_key)


def _yaml_ordered(entry: dict[str, Any]) -> dict[str, Any]:
    out = dict(entry)
    out.setdefault("created", ZERO_TIME)
    out.setdefault("urls", [])
    return out


def _json_ordered(entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _ENTRY_KEYS:
        if key in entry:
            value = entry[key]
            if key == "maintainers":
                value = [{k: m[k] for k in _MAINTAINER_KEYS if k in m} for m in value]
            elif key == "dependencies":
                value = [{k: d[k] for k in _DEPENDENCY_KEYS if k in d} for d in value]
            elif key == "annotations":
                value = dict(sorted(value.items()))
            out[key] = value
        elif key in _ALWAYS:
            out[key] = ZERO_TIME if key == "created" else []
    return out


def _go_json_escape(text: str) -> str:
    """Go's encoder escapes HTML characters and the JS line separators; Python's does not."""
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --- packages -----------------------------------------------------------------------------------


def metadata_to_entry(metadata: ChartMetadata) -> dict[str, Any]:
    """Index keys for a ``ChartMetadata``: Helm's JSON names, empty fields left out,
    ``repository`` kept on every dependency (Helm's struct has no omitempty there)."""
    entry = metadata.to_dict()
    if metadata.dependencies:
        deps = []
        for dep in metadata.dependencies:
            d = dep.to_dict()
            d.setdefault("repository", "")
            deps.append(d)
        entry["dependencies"] = deps
    return entry


def chart_entry_from_archive(archive: Path | bytes, source: str) -> tuple[dict[str, Any], str]:
    """Read a package's Chart.yaml and digest for the index, without unpacking the rest.

    ``archive`` is a path or the package bytes. Returns (index keys from Chart.yaml, sha256
    hex of the package bytes). Decompression stops at the chart's own Chart.yaml (the first
    ``<dir>/Chart.yaml`` entry), which ``helm package`` writes first. Raises ArchiveError for
    something that is not a bounded, well-formed chart archive and ChartLoadError for an
    invalid Chart.yaml.
    """
    from helmlite.chart.archive import MAX_ARCHIVE_BYTES
    from helmlite.chart.metadata import UTF8_BOM, parse_metadata
    from helmlite.errors import ArchiveError

    if isinstance(archive, bytes):
        data = archive
    else:
        with open(archive, "rb") as fh:
            data = fh.read(MAX_ARCHIVE_BYTES + 1)
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"{source}: archive is larger than the {MAX_ARCHIVE_BYTES}-byte limit")
    digest = hashlib.sha256(data).hexdigest()
    raw = _read_chart_yaml(data, source).removeprefix(UTF8_BOM)
    metadata = parse_metadata(raw, f"{source}: Chart.yaml")
    entry = metadata_to_entry(metadata)
    if any(dep.import_values for dep in metadata.dependencies):
        _typed_import_values(entry, raw, source)
    return entry, digest


def _typed_import_values(entry: dict[str, Any], raw: bytes, source: str) -> None:
    """Helm keeps import-values as YAML-typed data (``parent: y`` is the boolean true), while
    the chart model keeps the text; the index must say what Helm says."""
    from helmlite.errors import ValuesError
    from helmlite.values.yamlio import load_yaml

    try:
        doc = load_yaml(raw, f"{source}: Chart.yaml")
    except ValuesError:
        return
    declared = doc.get("dependencies") if isinstance(doc, dict) else None
    if not isinstance(declared, list) or len(declared) != len(entry["dependencies"]):
        return
    for dep, source_dep in zip(entry["dependencies"], declared):
        if isinstance(source_dep, dict) and source_dep.get("import-values"):
            dep["import-values"] = _json_safe(source_dep["import-values"])


def _read_chart_yaml(data: bytes, source: str) -> bytes:
    """The bytes of the chart's own Chart.yaml (``<dir>/Chart.yaml``) in a gzip tar.

    Plain ustar headers, which every chart packager writes, are read directly; anything
    unusual (pax or GNU long-name headers, concatenated gzip members, a damaged header) goes
    through ``tarfile``, which also produces the error message.
    """
    from helmlite.errors import ArchiveError

    if not data.startswith(b"\x1f\x8b"):
        raise ArchiveError(f"{source}: not a gzip-compressed chart archive")
    try:
        return _scan_ustar(data, source)
    except _Unusual:
        return _read_chart_yaml_tarfile(data, source)
    except zlib.error as err:
        raise ArchiveError(f"{source}: corrupt chart archive: {err}") from None


class _Unusual(Exception):
    """An archive the direct header scan does not handle; ``tarfile`` reads it instead."""


_PLAIN_TYPES = frozenset({tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE,
                          tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE, tarfile.CONTTYPE})


def _is_chart_yaml(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return len(parts) == 2 and parts[1] == "Chart.yaml" and parts[0] not in ("", ".", "..")


def _chart_yaml_member_problem(member: tarfile.TarInfo) -> str | None:
    if not member.isreg():
        return f"{member.name} is not a regular file"
    if member.size > MAX_CHART_YAML_BYTES:
        return f"{member.name} is larger than {MAX_CHART_YAML_BYTES} bytes"
    return None


def _scan_ustar(data: bytes, source: str) -> bytes:
    from helmlite.chart.archive import MAX_FILES, MAX_UNPACKED_BYTES
    from helmlite.errors import ArchiveError

    stream = _Inflater(data, MAX_UNPACKED_BYTES, source)
    for _ in range(MAX_FILES):
        header = stream.take(tarfile.BLOCKSIZE)
        if not header.strip(b"\0"):
            break  # end-of-archive marker
        try:
            member = tarfile.TarInfo.frombuf(header, "utf-8", "surrogateescape")
        except tarfile.HeaderError:
            raise _Unusual from None
        if member.type not in _PLAIN_TYPES:
            raise _Unusual
        padded = -(-member.size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE if member.isreg() else 0
        if _is_chart_yaml(member.name):
            problem = _chart_yaml_member_problem(member)
            if problem:
                raise ArchiveError(f"{source}: {problem}")
            return stream.take(padded)[: member.size]
        stream.skip(padded)
    raise ArchiveError(f"{source}: Chart.yaml file is missing")


class _Inflater:
    """Exact-size reads from a gzip stream, decompressing only as far as needed, bounded."""

    def __init__(self, data: bytes, limit: int, source: str) -> None:
        self._inflate = zlib.decompressobj(wbits=31)
        self._input = data
        self._buffer = bytearray()
        self._left = limit
        self._source = source

    def _fill(self, wanted: int) -> None:
        from helmlite.errors import ArchiveError

        while len(self._buffer) < wanted:
            if self._inflate.eof:
                raise _Unusual  # a second gzip member, or trailing data: tarfile knows
            if not self._input:
                raise ArchiveError(f"{self._source}: corrupt chart archive: unexpected end of data")
            chunk = self._inflate.decompress(self._input, _CHUNK)
            self._input = self._inflate.unconsumed_tail
            self._left -= len(chunk)
            if self._left < 0:
                raise ArchiveError(f"{self._source}: decompressed archive is too large")
            self._buffer += chunk

    def take(self, size: int) -> bytes:
        self._fill(size)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def skip(self, size: int) -> None:
        while size > 0:
            step = min(size, _CHUNK)
            self._fill(step)
            del self._buffer[:step]
            size -= step


def _read_chart_yaml_tarfile(data: bytes, source: str) -> bytes:
    from helmlite.chart.archive import MAX_FILES, MAX_UNPACKED_BYTES
    from helmlite.errors import ArchiveError

    stream = _BoundedReader(gzip.GzipFile(fileobj=io.BytesIO(data)), MAX_UNPACKED_BYTES, source)
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for count, member in enumerate(tar):
                if count >= MAX_FILES:
                    break
                if _is_chart_yaml(member.name):
                    problem = _chart_yaml_member_problem(member)
                    if problem:
                        raise ArchiveError(f"{source}: {problem}")
                    handle = tar.extractfile(member)
                    body = handle.read() if handle is not None else b""
                    if len(body) != member.size:
                        raise ArchiveError(f"{source}: corrupt chart archive: {member.name} is truncated")
                    return body
    except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
        detail = " ".join(str(err).split()) or type(err).__name__
        raise ArchiveError(f"{source}: corrupt chart archive: {detail}") from None
    raise ArchiveError(f"{source}: Chart.yaml file is missing")


class _BoundedReader(io.RawIOBase):
    """A read-only stream that fails once more than ``limit`` bytes came out (gzip bombs)."""

    def __init__(self, inner: Any, limit: int, source: str) -> None:
        self._inner, self._left, self._source = inner, limit, source

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        from helmlite.errors import ArchiveError

        # Never one unbounded read: the limit is checked between chunks.
        chunk: bytes = self._inner.read(_CHUNK if size < 0 or size > _CHUNK else size)
        self._left -= len(chunk)
        if self._left < 0:
            raise ArchiveError(f"{self._source}: decompressed archive is too large")
        return chunk


# --- helm repo index ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Package:
    rel: str  # path relative to the indexed directory, "/"-separated
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs to turn one package into a cache record."""

    path: str
    rel: str
    base_url: str
    now: str
    old_digest: str
    old_created: str


def _scan_packages(directory: Path) -> list[_Package]:
    """``DIR/*.tgz`` and ``DIR/*/*.tgz``, as Helm's two globs find them (no deeper), sorted."""
    found: list[_Package] = []

    def scan(path: str, prefix: str, depth: int) -> None:
        try:
            entries = list(os.scandir(path))
        except OSError:
            return
        for entry in entries:
            try:
                if entry.name.endswith(".tgz") and entry.is_file():
                    st = entry.stat()
                    found.append(_Package(prefix + entry.name, st.st_size, st.st_mtime_ns))
                elif depth == 0 and entry.is_dir():
                    scan(entry.path, prefix + entry.name + "/", 1)
            except OSError:
                continue

    scan(str(directory), "", 0)
    # Go's filepath.Glob returns sorted names; top-level files come before nested ones.
    found.sort(key=lambda p: (p.rel.count("/"), p.rel))
    return found


def _index_package(job: _Job) -> dict[str, Any]:
    """Worker: the cache record of one package (its entry and rendered YAML), or why it is not a chart."""
    try:
        metadata, digest = chart_entry_from_archive(Path(job.path), job.rel)
    except (HelmliteError, OSError) as err:
        return {"invalid": str(err)}
    # Same bytes (a touch, a copy) keep their creation time; new content is new.
    created = job.old_created if job.old_digest == digest and job.old_created else job.now
    try:
        entry = _new_entry(metadata, posixpath.basename(job.rel), job.base_url, digest, created)
    except RepoError as err:
        return {"invalid": str(err)}
    return {"digest": digest, "created": created, "entry": metadata, "url": entry["urls"][0],
            "yaml": _entry_fragment(entry)}


def _run_jobs(jobs: list[_Job]) -> list[dict[str, Any]]:
    workers = os.cpu_count() or 1
    # Forking a process that runs other threads (a server calling us) can deadlock the child;
    # such callers get the sequential path, which gives the same result.
    if len(jobs) < _PARALLEL_THRESHOLD or workers < 2 or threading.active_count() > 1:
        return [_index_package(job) for job in jobs]
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_index_package, jobs, chunksize=max(1, min(256, len(jobs) // (4 * workers)))))
    except (OSError, RuntimeError):
        # No process support here (sandboxes, frozen apps): the sequential path gives the same result.
        return [_index_package(job) for job in jobs]


def _load_cache(directory: Path) -> dict[str, Any]:
    try:
        with open(directory / INDEX_CACHE_FILE, "rb") as fh:
            doc = json.loads(fh.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("format") != _CACHE_FORMAT or not isinstance(doc.get("files"), dict):
        return {}
    return doc["files"]


def _save_cache(directory: Path, files: dict[str, Any]) -> None:
    data = json.dumps({"format": _CACHE_FORMAT, "files": files}, separators=(",", ":")).encode("utf-8")
    try:
        atomic_write(directory / INDEX_CACHE_FILE, data)
    except OSError:
        pass  # a read-only directory still gets its index; only the next run is slower


def _usable(record: Any, pkg: _Package) -> bool:
    """A cache record still describes ``pkg`` (same size and mtime) and has what we need."""
    if not isinstance(record, dict) or record.get("size") != pkg.size or record.get("mtime_ns") != pkg.mtime_ns:
        return False
    if "invalid" in record:
        return isinstance(record["invalid"], str)
    entry = record.get("entry")
    return (isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("version"), str)
            and isinstance(record.get("digest"), str) and isinstance(record.get("created"), str))


def index_directory(directory: Path, *, url: str = "", merge: Path | None = None,
                    warn: WarnFn | None = None) -> IndexFile:
    """``helm repo index DIR [--url URL] [--merge FILE]``, incrementally.

    Indexes ``DIR/*.tgz`` and ``DIR/*/*.tgz``; URLs are ``URL/<subdir>/<file>`` (relative
    without ``--url``). Packages that are not valid charts are skipped, each named through
    ``warn``. A sidecar cache (``INDEX_CACHE_FILE``) remembers each package's size, mtime,
    digest, metadata, ``created`` time and rendered YAML, so only new or changed packages are
    read (in parallel when there are many) and an unchanged package keeps its ``created``.
    With ``merge``, versions of that index which are not present locally are added (a missing
    file is created empty, as Helm does).

    Returns the sorted index; the caller writes it. Raises IndexLoadError for an unreadable
    merge file and RepoError when ``directory`` is not a directory.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise RepoError(f"{directory}: no such directory")
    cache = _load_cache(directory)
    packages = _scan_packages(directory)
    records: dict[str, Any] = {}
    jobs: list[_Job] = []
    now = rfc3339_nano()
    for pkg in packages:
        old = cache.get(pkg.rel)
        if _usable(old, pkg):
            records[pkg.rel] = old
            continue
        old = old if isinstance(old, dict) else {}
        jobs.append(_Job(str(directory / pkg.rel), pkg.rel, url_join(url, posixpath.dirname(pkg.rel)), now,
                         str(old.get("digest", "")), str(old.get("created", ""))))
    by_rel = {pkg.rel: pkg for pkg in packages}
    for job, record in zip(jobs, _run_jobs(jobs)):
        record["size"], record["mtime_ns"] = by_rel[job.rel].size, by_rel[job.rel].mtime_ns
        records[job.rel] = record
    changed = bool(jobs) or len(records) != len(cache)

    index = IndexFile.new()
    parent_urls: dict[str, str] = {}
    for pkg in packages:
        record = records[pkg.rel]
        if "invalid" in record:
            _warn(warn, f"skipping {pkg.rel}: {record['invalid']}")
            continue
        parent, filename = posixpath.split(pkg.rel)
        if parent not in parent_urls:
            parent_urls[parent] = url_join(url, parent)
        # Validated when the package was read; the cache is our own file.
        entry = _new_entry(record["entry"], filename, parent_urls[parent], record["digest"], record["created"],
                           validate=False)
        index.entries.setdefault(entry["name"], []).append(entry)
        if record.get("url") == entry["urls"][0] and isinstance(record.get("yaml"), str):
            index.remember_fragment(entry, record["yaml"])
        else:
            # Same package under another --url: no re-read, only a new rendering.
            record["url"], record["yaml"] = entry["urls"][0], _entry_fragment(entry)
            changed = True
    if changed:
        _save_cache(directory, records)
    if merge is not None:
        merge = Path(merge)
        if not merge.exists():
            IndexFile.new().write(merge)
        index.merge(IndexFile.load_path(merge, warn=warn))
    index.sort_entries()
    return index
