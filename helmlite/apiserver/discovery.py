"""What the served API says about itself: ``/version``, discovery and OpenAPI v3 documents.

Everything is generated from the cluster's ``KindRegistry``, so a CRD's kind is advertised as
soon as the store serves it. kubectl and Helm need all of it before their first real request
(see shared/notes/kubernetes-api.md §3.2, §3.6): Helm's reachability check is ``GET /version``,
kubectl resolves resource names through discovery, and both refuse to send manifests without
OpenAPI v3 documents whose PATCH operations accept the ``fieldValidation`` parameter — with
those, they skip client-side schema validation and let the server be strict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from helmlite.cluster.bootstrap import KUBE_VERSION
from helmlite.cluster.kinds import Kind, KindRegistry

__all__ = [
    "AGGREGATED_DISCOVERY_TYPE",
    "api_group_discovery",
    "api_group_list",
    "api_resource_list",
    "api_versions",
    "group_versions",
    "openapi_document",
    "openapi_index",
    "version_info",
]

# The media type of aggregated discovery (apidiscovery.k8s.io/v2): one response replaces a
# request per group version.
AGGREGATED_DISCOVERY_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
_SUBRESOURCE_VERBS = ["get", "patch", "update"]
_MAJOR, _MINOR = KUBE_VERSION.lstrip("v").split(".")[:2]


def version_info() -> dict[str, str]:
    """``GET /version``: the simulated API server's build information (Helm's ``KubeVersion``)."""
    return {"major": _MAJOR, "minor": _MINOR, "gitVersion": KUBE_VERSION,
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24", "compiler": "gc",
            "platform": "linux/amd64"}


def group_versions(kinds: KindRegistry) -> dict[str, list[str]]:
    """Each served group → its versions, preferred (storage) version first; core group is ``""``."""
    out: dict[str, list[str]] = {}
    for kind in kinds:
        versions = out.setdefault(kind.group, [])
        for version in kind.versions:
            if version not in versions:
                versions.append(version)
    for group, versions in out.items():
        preferred = [k.storage_version for k in kinds if k.group == group]
        # A group's preferred version is the one most of its kinds store (v2 for autoscaling).
        if preferred:
            best = max(set(preferred), key=preferred.count)
            versions.sort(key=lambda v: v != best)
    return out


def _kinds_in(kinds: KindRegistry, group: str, version: str) -> list[Kind]:
    return [k for k in kinds if k.group == group and version in k.versions]


def _subresources(kind: Kind) -> list[tuple[str, str, str, str, list[str]]]:
    """``(name, group, version, kind, verbs)`` of each subresource the store implements."""
    out = []
    if kind.status_subresource:
        out.append(("status", kind.group, "", kind.kind, _SUBRESOURCE_VERBS))
    if kind.scale_subresource:
        out.append(("scale", "autoscaling", "v1", "Scale", _SUBRESOURCE_VERBS))
    if kind.group_kind == ("", "Pod"):
        out += [("log", "", "v1", "Pod", ["get"]), ("binding", "", "v1", "Binding", ["create"]),
                ("eviction", "policy", "v1", "Eviction", ["create"])]
    if kind.group_kind == ("", "Namespace"):
        out.append(("finalize", "", "v1", "Namespace", ["update"]))
    return out


def api_versions() -> dict[str, Any]:
    """``GET /api`` (legacy form)."""
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}


def api_group_list(kinds: KindRegistry) -> dict[str, Any]:
    """``GET /apis`` (legacy form): every named group and its versions."""
    groups = []
    for group, versions in sorted(group_versions(kinds).items()):
        if not group:
            continue
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        groups.append({"name": group, "versions": entries, "preferredVersion": entries[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(kinds: KindRegistry, group: str) -> dict[str, Any] | None:
    """``GET /apis/<group>``, or None for a group nothing serves."""
    versions = group_versions(kinds).get(group)
    if not group or not versions:
        return None
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": entries,
            "preferredVersion": entries[0]}


def api_resource_list(kinds: KindRegistry, group: str, version: str) -> dict[str, Any] | None:
    """``GET /api/v1`` / ``GET /apis/<g>/<v>``: the resources of one group version, or None."""
    served = _kinds_in(kinds, group, version)
    if not served:
        return None
    resources: list[dict[str, Any]] = []
    for kind in sorted(served, key=lambda k: k.plural):
        entry: dict[str, Any] = {"name": kind.plural, "singularName": kind.singular, "namespaced": kind.namespaced,
                                 "kind": kind.kind, "verbs": _VERBS}
        if kind.short_names:
            entry["shortNames"] = list(kind.short_names)
        if kind.categories:
            entry["categories"] = list(kind.categories)
        resources.append(entry)
        for name, sub_group, sub_version, sub_kind, verbs in _subresources(kind):
            sub: dict[str, Any] = {"name": f"{kind.plural}/{name}", "singularName": "",
                                   "namespaced": kind.namespaced, "kind": sub_kind, "verbs": verbs}
            if sub_version:
                sub["group"], sub["version"] = sub_group, sub_version
            resources.append(sub)
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": f"{group}/{version}" if group else version, "resources": resources}


def _discovery_resource(kind: Kind, version: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": kind.plural,
        "responseKind": {"group": kind.group, "version": version, "kind": kind.kind},
        "scope": "Namespaced" if kind.namespaced else "Cluster",
        "singularResource": kind.singular,
        "verbs": _VERBS,
    }
    if kind.short_names:
        entry["shortNames"] = list(kind.short_names)
    if kind.categories:
        entry["categories"] = list(kind.categories)
    subresources = [{"subresource": name,
                     "responseKind": {"group": sub_group, "version": sub_version or version, "kind": sub_kind},
                     "verbs": verbs}
                    for name, sub_group, sub_version, sub_kind, verbs in _subresources(kind)]
    if subresources:
        entry["subresources"] = subresources
    return entry


def api_group_discovery(kinds: KindRegistry, *, core: bool) -> dict[str, Any]:
    """Aggregated discovery (``APIGroupDiscoveryList``): ``core`` for ``/api``, else ``/apis``."""
    items = []
    for group, versions in sorted(group_versions(kinds).items()):
        if (group == "") != core:
            continue
        entries = []
        for version in versions:
            resources = [_discovery_resource(k, version)
                         for k in sorted(_kinds_in(kinds, group, version), key=lambda k: k.plural)]
            entries.append({"version": version, "freshness": "Current", "resources": resources})
        items.append({"metadata": {"name": group, "creationTimestamp": None}, "versions": entries})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
            "items": items}


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def openapi_document(kinds: KindRegistry, group: str, version: str) -> dict[str, Any] | None:
    """The minimal OpenAPI v3 document of one group version, or None if nothing serves it.

    For each kind a PATCH operation carrying ``x-kubernetes-group-version-kind`` and the
    ``fieldValidation`` parameter: that is what kubectl and Helm check before trusting the server
    to validate. ``application/strategic-merge-patch+json`` is left out on purpose — listing it
    would make kubectl build strategic patches from schemas this document does not carry.
    """
    served = _kinds_in(kinds, group, version)
    if not served:
        return None
    params = [{"name": name, "in": "query", "schema": {"type": kind}}
              for name, kind in (("fieldValidation", "string"), ("fieldManager", "string"),
                                 ("force", "boolean"), ("dryRun", "string"))]
    paths: dict[str, Any] = {}
    for kind in sorted(served, key=lambda k: k.plural):
        base = "/" + _gv_path(group, version)
        path = (f"{base}/namespaces/{{namespace}}/{kind.plural}/{{name}}" if kind.namespaced
                else f"{base}/{kind.plural}/{{name}}")
        paths[path] = {"patch": {
            "x-kubernetes-group-version-kind": {"group": kind.group, "version": version, "kind": kind.kind},
            "parameters": params,
            "requestBody": {"content": {"application/json-patch+json": {}, "application/merge-patch+json": {},
                                        "application/apply-patch+yaml": {}}},
            "responses": {"200": {"description": "OK"}},
        }}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": KUBE_VERSION},
            "components": {"schemas": {}}, "paths": paths}


def openapi_index(kinds: KindRegistry) -> dict[str, Any]:
    """``GET /openapi/v3``: each group version's document URL, with a hash of its content.

    Clients cache documents by that hash, so it must change when the kinds change (a CRD).
    """
    paths = {}
    for group, versions in sorted(group_versions(kinds).items()):
        for version in versions:
            document = openapi_document(kinds, group, version)
            digest = _digest([document])
            paths[_gv_path(group, version)] = {
                "serverRelativeURL": f"/openapi/v3/{_gv_path(group, version)}?hash={digest}"}
    return {"paths": paths}


def _digest(parts: Iterable[Any]) -> str:
    text = json.dumps(list(parts), sort_keys=True, separators=(",", ":"))
    return hashlib.sha512(text.encode()).hexdigest()[:128].upper()
