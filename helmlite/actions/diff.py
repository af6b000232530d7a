"""``diff``: what an upgrade would change, or what changed between two revisions.

Per resource (keyed by apiVersion/kind/namespace/name): created, updated (with a unified
diff of the normalised YAML), deleted, kept (``helm.sh/resource-policy: keep`` spares it from
deletion) or unchanged. Secret ``data``/``stringData`` values are never shown: each is
replaced by its length and a short digest, so a change is still visible. ``diff upgrade``
runs the upgrade itself in dry-run mode, so the plan is exactly what ``upgrade`` would apply.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
from dataclasses import dataclass, field
from typing import Any

from helmlite.actions.action import Config
from helmlite.actions.upgrade import Upgrade
from helmlite.release.model import Release
from helmlite.repo.resolve import ChartPathOptions
from helmlite.values.options import ValueOptions

__all__ = ["CHANGE_KINDS", "DiffRevision", "DiffUpgrade", "ResourceChange", "manifest_changes", "redact"]

CHANGE_KINDS = ("create", "update", "delete", "keep", "unchanged")
_KEEP = "keep"
_NO_FOLDING = 2**31 - 1  # a long string stays on one line, as in Helm's toYaml


@dataclass(frozen=True)
class ResourceChange:
    """One resource's change: ``action`` is one of CHANGE_KINDS, ``diff`` a unified diff."""

    action: str
    api_version: str
    kind: str
    namespace: str
    name: str
    diff: str = ""

    @property
    def title(self) -> str:
        """``Deployment/default/web`` (``Kind/name`` when no namespace is written)."""
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"


def redact(obj: dict[str, Any]) -> dict[str, Any]:
    """A Secret with every ``data``/``stringData`` value replaced by ``<redacted: N bytes, sha256:…>``."""
    if obj.get("kind") != "Secret":
        return obj
    out = dict(obj)
    for key in ("data", "stringData"):
        values = obj.get(key)
        if not isinstance(values, dict):
            continue
        hidden = {}
        for name, value in values.items():
            raw = str(value if value is not None else "").encode("utf-8")
            if key == "data":
                try:
                    raw = base64.b64decode(raw, validate=True)
                except (binascii.Error, ValueError):
                    pass
            hidden[name] = f"<redacted: {len(raw)} bytes, sha256:{hashlib.sha256(raw).hexdigest()[:12]}>"
        out[key] = hidden
    return out


def _objects(manifest: str) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    from helmlite.actions.apply import manifest_documents
    from helmlite.values.yamlio import load_yaml

    found: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for source, doc in manifest_documents(manifest):
        obj = load_yaml(doc, source or "manifest")
        if not isinstance(obj, dict):
            continue
        raw_meta = obj.get("metadata")
        meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
        key = (str(obj.get("apiVersion", "")), str(obj.get("kind", "")), str(meta.get("namespace") or ""),
               str(meta.get("name") or ""))
        found[key] = obj
    return found


def _texts(*objs: dict[str, Any] | None) -> list[list[str]]:
    """The lines of each object's normalised YAML ([] for None), all in one writing so that a
    diff between them shows only what changed.

    The writing is Helm's ``toYaml`` unless go-yaml cannot write one of them (a control
    character such as U+007F in a value, a NEL in a key: valid YAML, so a manifest may hold
    it): then PyYAML's, which escapes those characters, for all of them.
    """
    from helmlite.values.yamlio import dump_yaml

    shown = [None if obj is None else redact(obj) for obj in objs]
    try:
        texts = ["" if obj is None else dump_yaml(obj) for obj in shown]
    except ValueError:
        texts = ["" if obj is None else _escaped_yaml(obj) for obj in shown]
    return [text.splitlines(keepends=True) for text in texts]


def _escaped_yaml(obj: dict[str, Any]) -> str:
    import yaml

    return yaml.dump(obj, Dumper=yaml.CSafeDumper, default_flow_style=False, allow_unicode=True, width=_NO_FOLDING)


def manifest_changes(old: str, new: str, *, old_label: str = "deployed", new_label: str = "proposed") -> list[ResourceChange]:
    """The per-resource changes from manifest ``old`` to ``new``, in ``new``'s order then the
    deleted ones in ``old``'s order."""
    before, after = _objects(old), _objects(new)
    changes = []
    for key, obj in after.items():
        previous = before.get(key)
        old_text, new_text = _texts(previous, obj)
        if previous is None:
            action = "create"
        elif old_text == new_text:
            action = "unchanged"
        else:
            action = "update"
        diff = "" if action == "unchanged" else _unified(old_text, new_text, key, old_label, new_label)
        changes.append(ResourceChange(action, *key, diff=diff))
    for key, obj in before.items():
        if key in after:
            continue
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if annotations.get("helm.sh/resource-policy") == _KEEP:
            changes.append(ResourceChange("keep", *key))
        else:
            (old_text,) = _texts(obj)
            changes.append(ResourceChange("delete", *key, diff=_unified(old_text, [], key, old_label, new_label)))
    return changes


def _unified(old: list[str], new: list[str], key: tuple[str, str, str, str], old_label: str, new_label: str) -> str:
    title = f"{key[1]}/{key[2]}/{key[3]}" if key[2] else f"{key[1]}/{key[3]}"
    lines = difflib.unified_diff(old, new, fromfile=f"{title} ({old_label})", tofile=f"{title} ({new_label})")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass
class DiffUpgrade:
    """``diff upgrade NAME CHART``: the upgrade's own dry run, compared with the revision it replaces."""

    config: Config
    namespace: str | None = None
    values: ValueOptions = field(default_factory=ValueOptions)
    chart_options: ChartPathOptions = field(default_factory=ChartPathOptions)
    install: bool = False
    reuse_values: bool = False
    reset_values: bool = False
    reset_then_reuse_values: bool = False
    take_ownership: bool = False

    def run(self, name: str, chart_ref: str, stdin: Any = None) -> tuple[Release | None, Release, list[ResourceChange]]:
        """``(current, proposed, changes)``; ``current`` is None when ``--install`` would install.

        Raises what ``upgrade --dry-run`` raises (no deployed release, render errors, refused
        adoption, immutable fields…).
        """
        upgrade = Upgrade(
            self.config, namespace=self.namespace, values=self.values, chart_options=self.chart_options,
            install=self.install, reuse_values=self.reuse_values, reset_values=self.reset_values,
            reset_then_reuse_values=self.reset_then_reuse_values, take_ownership=self.take_ownership,
            dry_run="server",
        )
        proposed = upgrade.run(name, chart_ref, stdin=stdin)
        current = upgrade.previous
        old = current.manifest if current is not None else ""
        label = f"revision {current.version}" if current is not None else "nothing"
        return current, proposed, manifest_changes(old, proposed.manifest, old_label=label, new_label="proposed")


@dataclass
class DiffRevision:
    """``diff revision NAME R1 R2``: how the manifest of revision R2 differs from R1's."""

    config: Config
    namespace: str | None = None

    def run(self, name: str, first: int, second: int) -> list[ResourceChange]:
        """The changes from ``first`` to ``second``; raises ReleaseNotFound for a missing revision."""
        with self.config.reading(self.namespace) as storage:
            old, new = storage.get(name, first), storage.get(name, second)
        return manifest_changes(old.manifest, new.manifest, old_label=f"revision {first}",
                                new_label=f"revision {second}")
