"""A chart repository's ``index.yaml``: Helm's schema, Helm's reading rules, Helm's bytes.

An index maps chart names to their versions; each version is a dict with Helm's JSON keys
(the chart's Chart.yaml metadata plus ``urls``, ``created``, ``digest``). Helm reads a YAML
index *strictly* (any unknown key fails the whole repository) and a JSON one leniently, so
``to_yaml`` writes exactly the key set, order and quoting that ``helm repo index`` writes
(``sigs.k8s.io/yaml``: keys sorted at every level, ambiguous strings double-quoted, long
strings folded at 80 columns) and ``to_json`` writes Go's indented ``encoding/json`` output
(struct field order, HTML characters escaped).

Entries are written and read without the YAML library when they are made of the usual
shapes (plain, quoted or folded strings, lists and maps of them): a quick writer produces
libyaml's bytes for those, value by value, and a quick reader, its inverse, parses an index
made of them line by line. Anything else goes through PyYAML/libyaml, so the bytes and the
parsed result are the same either way, in a fraction of the time.

``index_directory`` is ``helm repo index`` made incremental: a sidecar cache in the directory
remembers every package's size, mtime, digest and metadata, so re-indexing reads only the
packages that changed. Reading many packages is shared with forked helpers.
"""

from __future__ import annotations

import decimal
import functools
import gzip
import hashlib
import io
import json
import math
import os
import posixpath
import re
import tarfile
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
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
_CACHE_FORMAT = 2  # 2: rendered YAML kept only for entries the quick writer cannot write
# Below this many unread packages a forked helper costs more than it saves: measured on two
# CPUs, forking, the helper's warm-up and sending its records back cost about 90 ms of CPU
# for 5,000 packages (read at ~0.1 ms each), and nothing is gained when no CPU is idle.
_PARALLEL_THRESHOLD = 1000
_YAML_WIDTH = 80  # sigs.k8s.io/yaml (go-yaml v2) folds long strings at this column
_CHUNK = 64 * 1024
# Inflating 2 KB costs a quarter of inflating 64 KB, and usually reaches past Chart.yaml.
_MIN_INFLATE = 2048

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
    quick = _quick_read(data)
    if quick is not None:
        return quick, True
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
        key = _quick_key(name)
        if not versions or key is None:
            # Empty lists and unusual names (quoting, libyaml's "? key" form) are rare: no shortcut.
            body = dump_yaml({"entries": {name: versions}, "later": 0}, width=_YAML_WIDTH)  # see _render_fragment
            return body[len("entries:\n"):-len("later: 0\n")]
        out = [f"  {key}:\n"]
        for entry in versions:
            fragment = _quick_fragment(entry)
            if fragment is None:
                # Only entries that need the YAML library are worth remembering.
                canonical = _canonical(entry)
                fragment = self._fragments.get(canonical)
                if fragment is None:
                    fragment = _entry_fragment(entry)
                used[canonical] = fragment
            out.append(fragment)
        return "".join(out)

    def remember_fragment(self, entry: dict[str, Any], fragment: str) -> None:
        """Reuse ``fragment`` (from an earlier ``to_yaml``) as the YAML of ``entry``.

        Only worth it for an entry the quick writer cannot write (see ``_quick_fragment``).
        """
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

    Fields of a shape ``_quick_pair`` knows are written directly; any other field is rendered
    by the YAML library at the same depth, which gives the same bytes it would give as part
    of the whole index.
    """
    ordered = _yaml_ordered(entry)
    rank = _entry_key_rank()
    if not all(key in rank for key in ordered):
        return _render_fragment(ordered)
    parts = []
    for key in sorted(ordered, key=rank.__getitem__):
        value = ordered[key]
        pair = _quick_pair(key, value, _ENTRY_INDENT)
        parts.append(pair if pair is not None else _ENTRY_PAD + _render_fragment({key: value})[len(_ITEM_MARK):])
    return _ITEM_MARK + "".join(parts)[len(_ENTRY_PAD):]


def _quick_fragment(entry: dict[str, Any]) -> str | None:
    """``_entry_fragment`` when every field has a quick shape (no YAML library), else None."""
    ordered = _yaml_ordered(entry)
    rank = _entry_key_rank()
    parts = []
    try:
        keys = sorted(ordered, key=rank.__getitem__)
    except KeyError:
        return None
    for key in keys:
        pair = _quick_pair(key, ordered[key], _ENTRY_INDENT)
        if pair is None:
            return None
        parts.append(pair)
    return _ITEM_MARK + "".join(parts)[len(_ENTRY_PAD):]


def _render_fragment(entry: dict[str, Any]) -> str:
    from helmlite.values.yamlio import dump_yaml

    # Rendered at its real depth so long strings fold at the same columns as Helm's, and with
    # something after it, as in the index: a block that ends in line breaks would otherwise
    # end the document and get libyaml's "..." end marker.
    text = dump_yaml({"a": {"b": [entry], "c": 0}}, width=_YAML_WIDTH)
    return text[len("a:\n  b:\n"):-len("  c: 0\n")]


# --- the quick YAML writer ------------------------------------------------------------------------
#
# Rendering entries through PyYAML's representer costs about 0.4 ms each, most of a cold index
# of 5,000 packages. Index entries are nearly always made of a few shapes of string, so those
# are written here directly, byte for byte what libyaml's emitter (``dump_yaml``) writes; a
# value of any other shape makes the caller fall back to ``dump_yaml`` for that field. What is
# accepted is deliberately narrow, and ``tests/repo/test_repo_index.py`` compares both writers
# on generated entries.

_ENTRY_INDENT = 4  # an entry's keys: "entries:" > "  name:" > "  - key:"
_ENTRY_PAD = " " * _ENTRY_INDENT
_ITEM_MARK = "  - "
# Words that read back as booleans or null, in YAML 1.1 or in go-yaml: written double-quoted.
# A string starting with an ASCII letter reads back as something else only if it is one of these.
_AMBIGUOUS_WORDS = frozenset({
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
})
# Characters libyaml writes as they are: printable, not a line break (U+2028/9 are), and no
# astral characters (libyaml escapes those). Written as the characters left out, which
# compiles five times faster than the ones let in (this is on every command's import path).
_UNQUICK_BEYOND_ASCII = "\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff\\ufeff\\ufffe-\\U0010ffff"
_PLAIN_TEXT = re.compile(f"[^\\x00-\\x1f{_UNQUICK_BEYOND_ASCII}]+")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Neither a YAML indicator nor the start of a number: a string unless it is all of "~" (null),
# "<<" (merge) or "=" (value).
_NEUTRAL_FIRST = frozenset("~^<=/_")
# Digit-first shapes whose reading is certain. Plain: versions with three numbers (neither a
# YAML 1.1 nor a Go number) and digests with a letter other than e (not 0b/0x either).
_SEMVER_SHAPE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
_DIGEST_SHAPE = re.compile(r"(?=[0-9a-f]*[a-df])(?!0b[01]*$)[0-9a-f]{64}")
# Quoted: decimal numbers (a Go float even with leading zeros) and RFC 3339 timestamps.
_NUMBER_SHAPE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# A letter no YAML 1.1 or Go number, date or time has (not a hex digit, e, x, o, b, t or Z).
_NOT_A_NUMBER = re.compile("[g-npqrsuvwyzG-NPQRSUVWY]")
_TIMESTAMP_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z")
_MAX_QUICK_KEY_BYTES = 100  # libyaml writes keys over 128 bytes in its "? key" form
_KEY_ORDERS: dict[tuple[str, ...], list[str]] = {}
_MAX_KEY_ORDERS = 4096
_SCALAR_FORMS: dict[str, tuple[str, bool] | None] = {}
_MAX_SCALAR_FORMS = 65536
_UNSEEN: Any = object()


@functools.cache
def _entry_key_rank() -> dict[str, int]:
    """Each index entry key's position in go-yaml's key order."""
    from helmlite.values.yamlio import go_yaml_key

    return {key: i for i, key in enumerate(sorted(_ENTRY_KEYS, key=go_yaml_key))}


def _scalar_form(value: str) -> tuple[str, bool] | None:
    """(text, is plain) of a string libyaml writes plain or in simple double quotes, else None."""
    if not value:
        return '""', False
    first = value[0]
    if first in _ASCII_LETTERS:
        if value in _AMBIGUOUS_WORDS:
            return f'"{value}"', False
        return (value, True) if _plain_allowed(value) else None
    if first in _NEUTRAL_FIRST and value not in ("~", "<<", "="):
        return (value, True) if _plain_allowed(value) else None  # "~0.1.0", "^1.2", "<2.0", "/x"
    if first.isdigit() and first.isascii():
        if _SEMVER_SHAPE.fullmatch(value) or _DIGEST_SHAPE.fullmatch(value):
            return value, True
        if _NUMBER_SHAPE.fullmatch(value) or _TIMESTAMP_SHAPE.fullmatch(value):
            return f'"{value}"', False
        if _NOT_A_NUMBER.search(value) and _plain_allowed(value):
            return value, True  # "1password-1.0.0.tgz"
    return None


def _plain_allowed(value: str) -> bool:
    """libyaml's plain-scalar rules, for a string that does not start with an indicator."""
    return (_PLAIN_TEXT.fullmatch(value) is not None and value[-1] not in " :" and ": " not in value
            and " #" not in value)


def _remembered_scalar_form(value: str) -> tuple[str, bool] | None:
    """``_scalar_form``, remembered: many values recur in an index (keys, apiVersion, type,
    keywords, one ``created`` for every new package of a run), and a lookup costs a fraction
    of the checks."""
    form = _SCALAR_FORMS.get(value, _UNSEEN)
    if form is _UNSEEN:
        if len(_SCALAR_FORMS) >= _MAX_SCALAR_FORMS:
            _SCALAR_FORMS.clear()
        form = _SCALAR_FORMS[value] = _scalar_form(value)
    return form  # type: ignore[no-any-return]


def _quick_scalar(value: str, column: int, indent: int) -> str | None:
    """``value`` as written from ``column`` (continuation lines at ``indent``), or None."""
    form = _remembered_scalar_form(value)
    if form is None:
        return None
    text, plain = form
    if plain and column + len(text) > _YAML_WIDTH and " " in text:
        return _fold_plain(text, column, indent)
    return text  # quoted forms hold no spaces, so they are never folded


def _fold_plain(text: str, column: int, indent: int) -> str:
    """libyaml's ``yaml_emitter_write_plain``: a space becomes a line break when the line is
    already past the width and the next character is not a space too."""
    out = []
    spaces = False
    last = len(text) - 1
    for i, char in enumerate(text):
        if char == " ":
            if not spaces and column > _YAML_WIDTH and i < last and text[i + 1] != " ":
                out.append("\n" + " " * indent)
                column = indent
            else:
                out.append(" ")
                column += 1
            spaces = True
        else:
            out.append(char)
            column += 1
            spaces = False
    return "".join(out)


def _quick_key(key: Any) -> str | None:
    """A mapping key as libyaml writes it (never folded), or None when it is not simple."""
    if not isinstance(key, str) or len(key.encode("utf-8")) > _MAX_QUICK_KEY_BYTES:
        return None
    form = _remembered_scalar_form(key)
    return None if form is None else form[0]


def _quick_pair(key: str, value: Any, indent: int) -> str | None:
    """The ``key: value`` lines of a block mapping at ``indent`` (``key`` already written as
    YAML), or None when ``value`` holds anything but quick strings, booleans, lists and maps."""
    pad = " " * indent
    if isinstance(value, str):
        text = _quick_scalar(value, indent + len(key) + 2, indent + 2)
        return None if text is None else f"{pad}{key}: {text}\n"
    if value is True or value is False:
        return f"{pad}{key}: {'true' if value else 'false'}\n"
    if isinstance(value, list):
        if not value:
            return f"{pad}{key}: []\n"
        items = _quick_sequence(value, indent)
        return None if items is None else f"{pad}{key}:\n{items}"
    if isinstance(value, dict):
        if not value:
            return f"{pad}{key}: {{}}\n"
        body = _quick_mapping(value, indent + 2)
        return None if body is None else f"{pad}{key}:\n{body}"
    return None


def _quick_sequence(items: list[Any], indent: int) -> str | None:
    """A block sequence as a mapping value: libyaml does not indent it ("key:\n- item")."""
    pad = " " * indent
    out = []
    for item in items:
        if isinstance(item, str):
            text = _quick_scalar(item, indent + 2, indent + 2)
            if text is None:
                return None
            out.append(f"{pad}- {text}\n")
        elif isinstance(item, dict):
            if not item:
                out.append(f"{pad}- {{}}\n")
                continue
            body = _quick_mapping(item, indent + 2)
            if body is None:
                return None
            out.append(f"{pad}- {body[indent + 2:]}")  # the first key shares the "- " line
        else:
            return None
    return "".join(out)


def _quick_mapping(mapping: dict[Any, Any], indent: int) -> str | None:
    """A non-empty block mapping with its keys at ``indent``, in go-yaml's key order."""
    keys = tuple(mapping)
    order = _KEY_ORDERS.get(keys)
    if order is None:
        from helmlite.values.yamlio import go_yaml_key

        if not all(isinstance(k, str) for k in keys):
            return None
        order = sorted(keys, key=go_yaml_key)
        if len(_KEY_ORDERS) >= _MAX_KEY_ORDERS:
            _KEY_ORDERS.clear()
        _KEY_ORDERS[keys] = order
    out = []
    for key in order:
        key_text = _quick_key(key)
        pair = None if key_text is None else _quick_pair(key_text, mapping[key], indent)
        if pair is None:
            return None
        out.append(pair)
    return "".join(out)


# --- the quick YAML reader ------------------------------------------------------------------------
#
# The inverse of the quick writer: an index made of the shapes it writes (as Helm's and
# helmlite's are, nearly always), plus one-line single-quoted strings and ``|``/``|-`` blocks,
# is read line by line, about five times faster than through libyaml and PyYAML's
# constructor. Anything else in the text (comments, flow collections, escapes, blank lines, a
# value that would not read back as a string, an odd indentation) makes it give up, and the
# YAML library reads the whole document instead.


class _NotQuick(Exception):
    """Text the quick reader does not handle."""


# Any of these (control characters but \n, other line breaks, a BOM, astral characters)
# leaves the text to the YAML library.
_UNQUICK_TEXT = re.compile(f"[\\x00-\\x09\\x0b-\\x1f{_UNQUICK_BEYOND_ASCII}]")


def _quick_read(data: bytes) -> dict[str, Any] | None:
    """The YAML document in ``data`` as ``_IndexLoader`` reads it, or None when it is not
    made of the quick writer's shapes (the caller then uses the YAML library)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _UNQUICK_TEXT.search(text) or not text.endswith("\n"):
        return None
    lines = text[:-1].split("\n")
    indents = [len(line) - len(line.lstrip(" ")) for line in lines]
    if any(indent == len(line) for indent, line in zip(indents, lines)):
        return None  # blank lines only appear in shapes the writer does not make
    reader = _QuickReader(lines, indents)
    try:
        doc = reader.mapping(0)
    except (_NotQuick, RecursionError):
        return None  # RecursionError: nested deeper than this reader goes; the library decides
    return doc if reader.position == len(lines) else None


class _QuickReader:
    """Block mappings, block sequences and single-line or folded scalars, by indentation."""

    def __init__(self, lines: list[str], indents: list[int]) -> None:
        self.lines = lines
        self.indents = [*indents, -1]  # -1: past the end
        self.position = 0

    def _indent(self) -> int:
        """Indentation of the current line; -1 past the end."""
        return self.indents[self.position]

    def mapping(self, indent: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while True:
            at = self._indent()
            if at < indent:
                return out
            rest = self.lines[self.position][indent:]
            if at > indent or rest.startswith("-"):
                raise _NotQuick
            key, inline = _split_key(rest)
            self.position += 1
            out[key] = self.nested(indent) if inline is None else self.inline(inline, indent + 2)

    def nested(self, indent: int) -> Any:
        """The block value of a ``key:`` at ``indent``: a sequence (indented or not) or a mapping."""
        at = self._indent()
        if at < indent:
            raise _NotQuick  # a null value
        rest = self.lines[self.position][at:]
        if rest.startswith("- "):
            return self.sequence(at)
        if at == indent:
            raise _NotQuick  # a null value
        return self.mapping(at)

    def sequence(self, indent: int) -> list[Any]:
        out: list[Any] = []
        while self._indent() == indent:
            item = self.lines[self.position][indent:]
            if not item.startswith("- "):
                break
            item = item[2:]
            if _is_mapping_item(item):
                # The first key shares the "- " line: read it as if it stood on its own.
                self.lines[self.position] = " " * (indent + 2) + item
                self.indents[self.position] = indent + 2
                out.append(self.mapping(indent + 2))
            else:
                self.position += 1
                out.append(self.inline(item, indent + 2))
        if self._indent() > indent:
            raise _NotQuick
        return out

    def inline(self, text: str, continuation: int) -> Any:
        """A value written after ``key: `` or ``- ``; folded lines continue at ``continuation``."""
        if text == "[]":
            return []
        if text == "{}":
            return {}
        if text in ("|", "|-"):
            return self._literal(continuation, keep_newline=text == "|")
        if text[0] == '"':
            if len(text) < 2 or text[-1] != '"' or '"' in text[1:-1] or "\\" in text:
                raise _NotQuick
            return text[1:-1]
        parts = [text]
        if text[0] == "'":
            # Single-quoted ('>=1.20.0-0', 'a: b'), maybe folded: '' is a quote, nothing else
            # is special.
            while not _complete_single_quoted(" ".join(parts)) and self._indent() == continuation:
                parts.append(self.lines[self.position][continuation:])
                self.position += 1
            quoted = " ".join(parts)
            if not _complete_single_quoted(quoted) or any(part.endswith(" ") for part in parts[:-1]):
                raise _NotQuick
            return quoted[1:-1].replace("''", "'")
        while self._indent() == continuation:
            parts.append(self.lines[self.position][continuation:])
            self.position += 1
        if len(parts) == 1 and text in ("true", "false"):
            return text == "true"
        if any(part.endswith(" ") for part in parts):
            raise _NotQuick  # YAML would drop spaces around the fold
        value = " ".join(parts)
        if _remembered_scalar_form(value) != (value, True):
            raise _NotQuick  # reads back as something other than this string
        return value

    def _literal(self, indent: int, *, keep_newline: bool) -> str:
        """A ``|`` or ``|-`` block whose lines are all indented by exactly ``indent`` or more."""
        lines: list[str] = []
        while self._indent() >= indent:
            line = self.lines[self.position]
            if not lines and line[indent] == " ":
                raise _NotQuick  # libyaml writes an indentation indicator for this
            lines.append(line[indent:])
            self.position += 1
        if not lines:
            raise _NotQuick
        return "\n".join(lines) + ("\n" if keep_newline else "")


def _split_key(rest: str) -> tuple[str, str | None]:
    """(key, the value text after ": ", or None for a ``key:`` line)."""
    if rest.startswith('"'):
        end = rest.find('"', 1)
        if end < 0:
            raise _NotQuick
        key, tail = rest[1:end], rest[end + 1:]
        if "\\" in key:
            raise _NotQuick
    else:
        split = rest.find(": ")
        if split < 0:
            split = len(rest) - 1
        key, tail = rest[:split], rest[split:]
        if _remembered_scalar_form(key) != (key, True):
            raise _NotQuick
    if tail == ":":
        return key, None
    if not tail.startswith(": ") or len(tail) == 2:
        raise _NotQuick
    return key, tail[2:]


def _complete_single_quoted(text: str) -> bool:
    """``text`` is one whole single-quoted scalar: quotes around, inner quotes doubled."""
    return len(text) >= 2 and text[0] == text[-1] == "'" and "'" not in text[1:-1].replace("''", "")


def _is_mapping_item(item: str) -> bool:
    """A ``- `` item that opens a mapping (``- key: value``) rather than holding a scalar."""
    if item.startswith('"'):
        end = item.find('"', 1)
        return end != len(item) - 1
    if item.startswith("'"):
        return False  # a single-quoted scalar (keys are never single-quoted here)
    return ": " in item or item.endswith(":")


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


def chart_entry_from_archive(archive: str | os.PathLike[str] | bytes, source: str) -> tuple[dict[str, Any], str]:
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
            # Sized to the file: read(MAX + 1) would allocate the whole limit for every package.
            data = fh.read(min(os.fstat(fh.fileno()).st_size, MAX_ARCHIVE_BYTES) + 1)
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


def _is_chart_yaml(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return len(parts) == 2 and parts[1] == "Chart.yaml" and parts[0] not in ("", ".", "..")


def _chart_yaml_member_problem(member: tarfile.TarInfo) -> str | None:
    if not member.isreg():
        return f"{member.name} is not a regular file"
    if member.size > MAX_CHART_YAML_BYTES:
        return f"{member.name} is larger than {MAX_CHART_YAML_BYTES} bytes"
    return None


_USTAR_MAGIC = b"ustar\x0000"  # POSIX ustar, what Go's archive/tar and helmlite write


def _ustar_member(header: bytes) -> tuple[str, bool, int]:
    """(name, is a regular file, size) of a POSIX ustar header for a file or a directory.

    The same reading as ``tarfile.TarInfo.frombuf`` for these two kinds, at a fraction of its
    cost (it decodes every field); any other kind, format or a bad checksum raises _Unusual.
    """
    kind = header[156:157]
    if header[257:265] != _USTAR_MAGIC or kind not in (tarfile.REGTYPE, tarfile.DIRTYPE):
        raise _Unusual
    try:
        checksum = int(header[148:156].split(b"\0", 1)[0].strip() or b"0", 8)
        size = int(header[124:136].split(b"\0", 1)[0].strip() or b"0", 8)
    except ValueError:
        raise _Unusual from None  # base-256 sizes and the like
    # tarfile's unsigned checksum: the checksum field itself counts as eight spaces.
    if checksum != sum(header) - sum(header[148:156]) + 8 * 32:
        raise _Unusual
    name = header[:100].split(b"\0", 1)[0]
    prefix = header[345:500].split(b"\0", 1)[0]
    if prefix:
        name = prefix + b"/" + name
    is_file = kind == tarfile.REGTYPE
    text = name.decode("utf-8", "surrogateescape")
    return (text if is_file else text.rstrip("/")), is_file, size


def _scan_ustar(data: bytes, source: str) -> bytes:
    from helmlite.chart.archive import MAX_FILES, MAX_UNPACKED_BYTES
    from helmlite.errors import ArchiveError

    stream = _Inflater(data, MAX_UNPACKED_BYTES, source)
    for _ in range(MAX_FILES):
        header = stream.take(tarfile.BLOCKSIZE)
        if not header.strip(b"\0"):
            break  # end-of-archive marker
        name, is_file, size = _ustar_member(header)
        padded = -(-size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE if is_file else 0
        if _is_chart_yaml(name):
            if not is_file:
                raise ArchiveError(f"{source}: {name} is not a regular file")
            if size > MAX_CHART_YAML_BYTES:
                raise ArchiveError(f"{source}: {name} is larger than {MAX_CHART_YAML_BYTES} bytes")
            return stream.take(padded)[:size]
        stream.skip(padded)
    raise ArchiveError(f"{source}: Chart.yaml file is missing")


class _Inflater:
    """Exact-size reads from a gzip stream, decompressing only as far as needed, bounded.

    Chart.yaml is the first file of a package, so most reads inflate a few kilobytes of a
    package and stop. Input is fed in bounded slices of a memoryview: zlib copies whatever
    input it leaves unconsumed, which must not be the rest of a large archive every time.
    """

    def __init__(self, data: bytes, limit: int, source: str) -> None:
        self._inflate = zlib.decompressobj(wbits=31)
        self._input = memoryview(data)
        self._offset = 0
        self._pending: bytes = b""
        self._buffer = b""
        self._position = 0  # of the next unread byte in _buffer
        self._left = limit
        self._source = source

    def _fill(self, wanted: int) -> None:
        """Inflate until ``wanted`` unread bytes are buffered."""
        chunks = [self._buffer[self._position:]]
        have = len(chunks[0])
        while have < wanted:
            if self._inflate.eof:
                raise _Unusual  # a second gzip member, or trailing data: tarfile knows
            piece: bytes | memoryview = self._pending
            if not piece:
                if self._offset >= len(self._input):
                    raise self._error("corrupt chart archive: unexpected end of data")
                piece = self._input[self._offset:self._offset + _CHUNK]
                self._offset += len(piece)
            chunk = self._inflate.decompress(piece, max(wanted - have, _MIN_INFLATE))
            self._pending = self._inflate.unconsumed_tail
            self._left -= len(chunk)
            if self._left < 0:
                raise self._error("decompressed archive is too large")
            chunks.append(chunk)
            have += len(chunk)
        self._buffer = b"".join(chunks)
        self._position = 0

    def _error(self, problem: str) -> Exception:
        from helmlite.errors import ArchiveError

        return ArchiveError(f"{self._source}: {problem}")

    def take(self, size: int) -> bytes:
        if len(self._buffer) - self._position < size:
            self._fill(size)
        start = self._position
        self._position = start + size
        return self._buffer[start:start + size]

    def skip(self, size: int) -> None:
        while size > 0:
            step = min(size, _CHUNK)
            if len(self._buffer) - self._position < step:
                self._fill(step)
            self._position += step
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
    """Worker: the cache record of one package (its entry, and its YAML when that is slow to
    render), or why it is not a chart."""
    try:
        metadata, digest = chart_entry_from_archive(job.path, job.rel)
    except (HelmliteError, OSError) as err:
        return {"invalid": str(err)}
    # Same bytes (a touch, a copy) keep their creation time; new content is new.
    created = job.old_created if job.old_digest == digest and job.old_created else job.now
    try:
        entry = _new_entry(metadata, posixpath.basename(job.rel), job.base_url, digest, created)
    except RepoError as err:
        return {"invalid": str(err)}
    record = {"digest": digest, "created": created, "entry": metadata}
    if _quick_fragment(entry) is None:
        # Slow to render (the YAML library is needed): worth keeping for the next run.
        record["url"], record["yaml"] = entry["urls"][0], _entry_fragment(entry)
    return record


def _index_packages(jobs: list[_Job]) -> list[dict[str, Any]]:
    return [_index_package(job) for job in jobs]


def _run_jobs(jobs: list[_Job]) -> list[dict[str, Any]]:
    """Every job's record, in order: read by this process and, for many packages, by forked
    helpers, one contiguous share each (one round trip per helper, not one per package)."""
    # No more processes than CPUs, nor than shares of half the threshold each.
    workers = min(os.cpu_count() or 1, max(2, 2 * len(jobs) // _PARALLEL_THRESHOLD))
    # Forking a process that runs other threads (a server calling us) can deadlock the child;
    # such callers get the sequential path, which gives the same result.
    if len(jobs) < _PARALLEL_THRESHOLD or workers < 2 or threading.active_count() > 1:
        return _index_packages(jobs)
    import importlib
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Imported once here rather than once in every helper after the fork.
    for module in ("helmlite.chart.archive", "helmlite.semver", "helmlite.values.yamlio"):
        importlib.import_module(module)

    size = -(-len(jobs) // workers)
    shares = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    try:
        with ProcessPoolExecutor(max_workers=len(shares) - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            pending = [pool.submit(_index_packages, share) for share in shares[1:]]
            records = _index_packages(shares[0])  # this process takes the first share itself
            for future in pending:
                records += future.result()
            return records
    except (OSError, RuntimeError):
        # No process support here (sandboxes, frozen apps): the sequential path gives the same result.
        return _index_packages(jobs)


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
    parent_urls: dict[str, str] = {}
    root = str(directory)
    for pkg in packages:
        old = cache.get(pkg.rel)
        if _usable(old, pkg):
            records[pkg.rel] = old
            continue
        old = old if isinstance(old, dict) else {}
        parent = posixpath.dirname(pkg.rel)
        if parent not in parent_urls:
            parent_urls[parent] = url_join(url, parent)
        jobs.append(_Job(os.path.join(root, pkg.rel), pkg.rel, parent_urls[parent], now,
                         str(old.get("digest", "")), str(old.get("created", ""))))
    by_rel = {pkg.rel: pkg for pkg in packages}
    for job, record in zip(jobs, _run_jobs(jobs)):
        record["size"], record["mtime_ns"] = by_rel[job.rel].size, by_rel[job.rel].mtime_ns
        records[job.rel] = record
    changed = bool(jobs) or len(records) != len(cache)

    index = IndexFile.new()
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
        if "yaml" not in record:
            continue  # quick to render when the index is written
        if record.get("url") == entry["urls"][0] and isinstance(record["yaml"], str):
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
